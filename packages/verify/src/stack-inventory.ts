import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  paginateListStackResources,
  StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { awsCall } from './aws-errors';

/** An `AWS::ECS::Service` of the stack. */
export interface StackService {
  readonly logicalId: string;
  /** The physical id: the service ARN (CloudFormation's Ref of a service). */
  readonly physicalId?: string;
  readonly resourceStatus?: string;
  readonly cluster?: string;
  readonly serviceName?: string;
}

/** An `AWS::ApplicationAutoScaling::ScalableTarget` of the stack. */
export interface StackScalableTarget {
  readonly logicalId: string;
  readonly physicalId?: string;
  /** e.g. `service/CLUSTER/NAME`. */
  readonly resourceId?: string;
  /** e.g. `ecs:service:DesiredCount`. */
  readonly scalableDimension?: string;
  /** e.g. `ecs`. */
  readonly serviceNamespace?: string;
  /** MinCapacity in the template, when it is a literal. */
  readonly templateMinCapacity?: number;
  /** MaxCapacity in the template, when it is a literal. */
  readonly templateMaxCapacity?: number;
}

/** An `AWS::ApplicationAutoScaling::ScalingPolicy` of the stack. */
export interface StackScalingPolicy {
  readonly logicalId: string;
  readonly policyArn?: string;
  readonly policyName?: string;
  /** PolicyType in the template (`TargetTrackingScaling`, `StepScaling`), when readable. */
  readonly policyType?: string;
  /** The scaled resource, e.g. `service/CLUSTER/NAME`, when it can be worked out. */
  readonly resourceId?: string;
}

/** What verify needs to know about a deployed stack and its nested stacks. */
export interface StackInventory {
  readonly stackId: string;
  readonly stackStatus: string;
  readonly stackStatusReason?: string;
  readonly services: StackService[];
  readonly scalableTargets: StackScalableTarget[];
  readonly scalingPolicies: StackScalingPolicy[];
}

const SERVICE = 'AWS::ECS::Service';
const SCALABLE_TARGET = 'AWS::ApplicationAutoScaling::ScalableTarget';
const SCALING_POLICY = 'AWS::ApplicationAutoScaling::ScalingPolicy';
const NESTED_STACK = 'AWS::CloudFormation::Stack';

/** A template resource: only the parts verify reads. */
interface TemplateResource {
  readonly Type?: string;
  readonly Properties?: { readonly [name: string]: unknown };
}
type Template = { readonly [logicalId: string]: TemplateResource };

/**
 * Reads a stack's status, its resources (every page, nested stacks included) and the
 * template values the checks compare against.
 */
export async function readStackInventory(cloudFormation: CloudFormationClient, stackName: string): Promise<StackInventory> {
  const described = await awsCall('cloudformation:DescribeStacks', () =>
    cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })));
  const stack = described.Stacks?.[0];
  if (!stack?.StackId) {
    // DescribeStacks answers a missing stack with a ValidationError; this covers an empty answer.
    throw Object.assign(new Error(`Stack with id ${stackName} does not exist`), { name: 'ValidationError' });
  }

  const inventory = { services: [] as StackService[], scalableTargets: [] as StackScalableTarget[], scalingPolicies: [] as StackScalingPolicy[] };
  await collect(cloudFormation, stack.StackId, '', inventory);
  return {
    stackId: stack.StackId,
    stackStatus: stack.StackStatus ?? 'UNKNOWN',
    stackStatusReason: stack.StackStatusReason,
    ...inventory,
  };
}

async function collect(
  cloudFormation: CloudFormationClient,
  stackId: string,
  logicalIdPrefix: string,
  into: { services: StackService[]; scalableTargets: StackScalableTarget[]; scalingPolicies: StackScalingPolicy[] },
): Promise<void> {
  const resources: StackResourceSummary[] = [];
  await awsCall('cloudformation:ListStackResources', async () => {
    for await (const page of paginateListStackResources({ client: cloudFormation }, { StackName: stackId })) {
      resources.push(...(page.StackResourceSummaries ?? []));
    }
  });

  const interesting = resources.some(r => [SERVICE, SCALABLE_TARGET, SCALING_POLICY].includes(r.ResourceType ?? ''));
  const template = interesting ? await readTemplate(cloudFormation, stackId) : {};
  const physicalIds = new Map(resources.map(r => [r.LogicalResourceId ?? '', r.PhysicalResourceId]));
  const targetsByLogicalId = new Map<string, StackScalableTarget>();

  for (const resource of resources) {
    const logicalId = resource.LogicalResourceId ?? '';
    const properties = template[logicalId]?.Properties ?? {};
    const physicalId = resource.PhysicalResourceId || undefined;
    const reportedId = logicalIdPrefix + logicalId;
    switch (resource.ResourceType) {
      case SERVICE:
        into.services.push({
          logicalId: reportedId,
          physicalId,
          resourceStatus: resource.ResourceStatus,
          ...parseServiceArn(physicalId, () => resolveName(properties.Cluster, physicalIds)),
        });
        break;
      case SCALABLE_TARGET: {
        // CloudFormation's physical id of a scalable target is RESOURCE_ID|DIMENSION|NAMESPACE.
        const [resourceId, scalableDimension, serviceNamespace] = physicalId?.split('|') ?? [];
        const target: StackScalableTarget = {
          logicalId: reportedId,
          physicalId,
          resourceId: resourceId || literalString(properties.ResourceId),
          scalableDimension: scalableDimension || literalString(properties.ScalableDimension),
          serviceNamespace: serviceNamespace || literalString(properties.ServiceNamespace),
          templateMinCapacity: literalNumber(properties.MinCapacity),
          templateMaxCapacity: literalNumber(properties.MaxCapacity),
        };
        targetsByLogicalId.set(logicalId, target);
        into.scalableTargets.push(target);
        break;
      }
      case NESTED_STACK:
        if (physicalId) await collect(cloudFormation, physicalId, `${reportedId}/`, into);
        break;
    }
  }

  // Policies last, so a policy can find the target it points at (ScalingTargetId: { Ref }).
  for (const resource of resources.filter(r => r.ResourceType === SCALING_POLICY)) {
    const logicalId = resource.LogicalResourceId ?? '';
    const properties = template[logicalId]?.Properties ?? {};
    // CloudFormation's physical id of a scaling policy is POLICY_ARN|DIMENSION.
    const policyArn = resource.PhysicalResourceId?.split('|')[0] || undefined;
    const targetRef = refOf(properties.ScalingTargetId);
    into.scalingPolicies.push({
      logicalId: logicalIdPrefix + logicalId,
      policyArn,
      policyName: literalString(properties.PolicyName) ?? policyArn?.match(/:policyName\/(.+)$/)?.[1],
      policyType: literalString(properties.PolicyType),
      resourceId: (targetRef ? targetsByLogicalId.get(targetRef)?.resourceId : undefined)
        ?? literalString(properties.ResourceId)
        ?? policyArn?.match(/:resource\/[^/]+\/(.+):policyName\//)?.[1],
    });
  }
}

async function readTemplate(cloudFormation: CloudFormationClient, stackId: string): Promise<Template> {
  const answer = await awsCall('cloudformation:GetTemplate', () =>
    cloudFormation.send(new GetTemplateCommand({ StackName: stackId, TemplateStage: 'Processed' })));
  try {
    const parsed = JSON.parse(answer.TemplateBody ?? '{}');
    return (parsed && typeof parsed.Resources === 'object') ? parsed.Resources : {};
  } catch {
    // A YAML template (not written by the CDK): the checks then skip template comparisons.
    return {};
  }
}

/**
 * Reads cluster and service name from a service ARN: `arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME`.
 * An old-format ARN (`service/NAME`) has no cluster; the template's Cluster property
 * names it then, or the service runs in the `default` cluster.
 */
export function parseServiceArn(arn: string | undefined, templateCluster: () => string | undefined): { cluster?: string; serviceName?: string } {
  const match = arn?.match(/^arn:[^:]+:ecs:[^:]*:[^:]*:service\/(?:([^/]+)\/)?([^/]+)$/);
  if (!match) return {};
  return { cluster: match[1] ?? templateCluster() ?? 'default', serviceName: match[2] };
}

/** A literal string, a `Ref` to another resource, or `Fn::GetAtt` of its Arn, as a name. */
function resolveName(value: unknown, physicalIds: Map<string, string | undefined>): string | undefined {
  const literal = literalString(value);
  if (literal) return literal.split('/').pop();
  const ref = refOf(value) ?? getAttOf(value);
  return ref ? physicalIds.get(ref) : undefined;
}

function refOf(value: unknown): string | undefined {
  const ref = (value as { Ref?: unknown } | undefined)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
}

function getAttOf(value: unknown): string | undefined {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

function literalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function literalNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}
