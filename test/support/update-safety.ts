import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';

/**
 * What a stack update does to each resource, from `@aws-cdk/cloudformation-diff` (the diff the
 * AWS CDK CLI prints for `cdk diff`): its `changeImpact` is read from the CloudFormation resource
 * specification, property by property ("Update requires: Replacement" in the CloudFormation
 * Template Reference). The update-safety and upgrade tests judge these with the rules below.
 */

/** Resource types that serve traffic or keep data: an update must neither replace nor destroy one. */
export const SERVING_OR_STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::ElasticLoadBalancingV2::Listener',
  // A replaced rule is a new rule at the same priority: CloudFormation creates it first, and ALB
  // rejects a second rule with a priority already in use (PriorityInUse).
  'AWS::ElasticLoadBalancingV2::ListenerRule',
  // Judged by targetGroupHazards: a group may go once nothing can serve from it alone.
  'AWS::ElasticLoadBalancingV2::TargetGroup',
  'AWS::WAFv2::WebACL',
  'AWS::ECS::Cluster',
  'AWS::ECS::Service',
  'AWS::ECS::CapacityProvider',
  'AWS::AutoScaling::AutoScalingGroup',
  'AWS::ServiceDiscovery::PrivateDnsNamespace',
  'AWS::ServiceDiscovery::Service',
  'AWS::EC2::VPC',
  'AWS::EC2::Subnet',
  'AWS::EC2::NatGateway',
  'AWS::EC2::EIP',
  // The tasks' network path: a replaced group is swapped under running tasks, and the old one can
  // only be deleted once nothing uses it.
  'AWS::EC2::SecurityGroup',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::S3::Bucket',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::SecretsManager::Secret',
  // Not AWS::StepFunctions::StateMachine: a replaced (deleted) state machine lets its running
  // executions finish ("DeleteStateMachine", Step Functions API Reference), and the batch job logs
  // every execution to a retained log group. Daily changes still replace none (update-safety test).
]);

/** Impacts that take the existing physical resource away. */
const REPLACING = new Set<string>([ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE]);
const DESTROYING = new Set<string>([ResourceImpact.WILL_DESTROY]);

/** One resource an update replaces, destroys or orphans (removes from the stack but keeps, DeletionPolicy Retain). */
export interface ResourceLoss {
  readonly logicalId: string;
  readonly type: string;
  readonly impact: 'WILL_REPLACE' | 'MAY_REPLACE' | 'WILL_DESTROY' | 'WILL_ORPHAN';
  /** For a replacement: the properties whose change requires it. */
  readonly causes: string[];
}

/** Every resource of `oldTemplate` that updating to `newTemplate` replaces, destroys or orphans. */
export function resourceLosses(oldTemplate: object, newTemplate: object): ResourceLoss[] {
  const diff = fullDiff(oldTemplate, newTemplate);
  const losses: ResourceLoss[] = [];
  diff.resources.forEachDifference((logicalId, change) => {
    const impact = change.changeImpact;
    if (!REPLACING.has(impact) && !DESTROYING.has(impact) && impact !== ResourceImpact.WILL_ORPHAN) return;
    const causes: string[] = [];
    if (REPLACING.has(impact)) {
      for (const [name, property] of Object.entries(change.propertyUpdates)) {
        if (property.changeImpact && REPLACING.has(property.changeImpact)) causes.push(name);
      }
    }
    losses.push({ logicalId, type: (change.oldResourceType ?? change.newResourceType)!, impact: impact as ResourceLoss['impact'], causes });
  });
  return losses.sort((a, b) => a.logicalId.localeCompare(b.logicalId));
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` points at. */
function referenced(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
    return v.Ref ?? v['Fn::GetAtt']?.[0];
  }
  return undefined;
}

/**
 * For each target group an ECS service registers its tasks in, the other groups that hold the
 * same tasks. A traffic-shifting service (a `loadBalancers` entry with `AdvancedConfiguration`)
 * runs production in whichever of its two groups ECS last shifted to, and the other one is empty
 * after the bake time ("Application Load Balancer resources for blue/green, linear, and canary
 * deployments", ECS Developer Guide): neither group has a copy. A rolling service with several
 * entries registers every task in each ("Registering multiple target groups with an Amazon ECS
 * service"): each group's tasks are also in the others.
 */
export function targetGroupCopies(template: { Resources?: { [id: string]: any } }): Map<string, Set<string>> {
  const copies = new Map<string, Set<string>>();
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::ECS::Service') continue;
    const entries: any[] = resource.Properties?.LoadBalancers ?? [];
    const groups = entries.map((entry) => referenced(entry.TargetGroupArn)).filter((id): id is string => id !== undefined);
    for (const entry of entries) {
      const group = referenced(entry.TargetGroupArn);
      const alternate = referenced(entry.AdvancedConfiguration?.AlternateTargetGroupArn);
      if (alternate) {
        if (group) copies.set(group, new Set());
        copies.set(alternate, new Set());
      } else if (group && !copies.has(group)) {
        copies.set(group, new Set(groups.filter((other) => other !== group)));
      }
    }
  }
  return copies;
}

/**
 * The target groups an update replaces or destroys while they may hold the only registered copy
 * of a running service's tasks: the listener then forwards to a new, empty group (or to one ECS
 * never filled) and production gets 503s until a deployment registers tasks there.
 */
export function targetGroupHazards(oldTemplate: { Resources?: { [id: string]: any } }, newTemplate: { Resources?: { [id: string]: any } }, losses: ResourceLoss[]): ResourceLoss[] {
  const copies = targetGroupCopies(oldTemplate);
  const kept = (id: string) => newTemplate.Resources?.[id] !== undefined && !losses.some((loss) => loss.logicalId === id);
  return losses.filter((loss) => loss.type === 'AWS::ElasticLoadBalancingV2::TargetGroup'
    && copies.has(loss.logicalId)
    && ![...copies.get(loss.logicalId)!].some(kept));
}

/**
 * Everything an update does that a running service or its data would notice: a serving or
 * stateful resource replaced or destroyed (an orphaned one, kept by DeletionPolicy Retain, is
 * not lost), a target group per targetGroupHazards. Formatted one a line.
 */
export function updateHazards(oldTemplate: object, newTemplate: object, options: { ignore?: (loss: ResourceLoss) => boolean } = {}): string[] {
  const losses = resourceLosses(oldTemplate, newTemplate).filter((loss) => !options.ignore?.(loss));
  const groups = new Set(targetGroupHazards(oldTemplate, newTemplate, losses).map((loss) => loss.logicalId));
  return losses
    .filter((loss) => SERVING_OR_STATEFUL_TYPES.has(loss.type) && loss.impact !== 'WILL_ORPHAN')
    .filter((loss) => loss.type !== 'AWS::ElasticLoadBalancingV2::TargetGroup' || groups.has(loss.logicalId))
    .map(formatLoss);
}

/** One loss as a line: `LogicalId (Type) WILL_REPLACE: Port`. */
export function formatLoss(loss: ResourceLoss): string {
  return `${loss.logicalId} (${loss.type}) ${loss.impact}${loss.causes.length ? `: ${loss.causes.join(', ')}` : ''}`;
}
