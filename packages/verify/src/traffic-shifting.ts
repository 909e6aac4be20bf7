import {
  DescribeServiceDeploymentsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  Service,
  ServiceDeployment,
} from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsCall } from './aws-errors';
import { VerifyCheck } from './report';
import { StackService } from './stack-inventory';

/**
 * ECS's native traffic-shifting deployments (BLUE_GREEN, LINEAR, CANARY): a service deployment
 * goes through lifecycle stages (scale up, test traffic, production traffic shift, bake time,
 * clean up) that DescribeServices' rolloutState does not show. These checks read the service
 * deployment itself (ListServiceDeployments, DescribeServiceDeployments) and the live production
 * listener rule (DescribeRules, DescribeTargetHealth).
 */

/** The strategies whose deployments shift traffic between two target groups. */
export const TRAFFIC_SHIFTING_STRATEGIES = ['BLUE_GREEN', 'LINEAR', 'CANARY'];

/** Where a traffic-shifting deployment is, in words a report can use. */
export type TrafficShiftState = 'COMPLETED' | 'IN_PROGRESS' | 'BAKING' | 'ROLLING_BACK' | 'ROLLED_BACK' | 'FAILED';

/** Whether the service deploys with a traffic-shifting strategy. */
export function isTrafficShifting(service: Service | undefined): boolean {
  return TRAFFIC_SHIFTING_STRATEGIES.includes(service?.deploymentConfiguration?.strategy ?? '');
}

/** The state of a service deployment: status, and for one in progress its lifecycle stage. */
export function trafficShiftStateOf(deployment: ServiceDeployment | undefined): TrafficShiftState {
  switch (deployment?.status) {
    case 'SUCCESSFUL': return 'COMPLETED';
    case 'ROLLBACK_REQUESTED':
    case 'ROLLBACK_IN_PROGRESS': return 'ROLLING_BACK';
    case 'ROLLBACK_SUCCESSFUL': return 'ROLLED_BACK';
    case 'ROLLBACK_FAILED':
    case 'STOPPED': return 'FAILED';
    case 'PENDING':
    case 'IN_PROGRESS':
    case 'STOP_REQUESTED':
    case undefined:
    default:
      return String(deployment?.lifecycleStage) === 'BAKE_TIME' ? 'BAKING' : 'IN_PROGRESS';
  }
}

/** Whether waiting could still change a traffic-shifting deployment's outcome. */
export function isShiftSettling(state: TrafficShiftState): boolean {
  return state === 'IN_PROGRESS' || state === 'BAKING' || state === 'ROLLING_BACK';
}

/** A short description of a service deployment for reports and progress lines. */
export function describeShift(service: Service, deployment: ServiceDeployment | undefined): string {
  const strategy = service.deploymentConfiguration?.strategy ?? 'unknown strategy';
  if (!deployment) return `${strategy}: no service deployment found`;
  const state = trafficShiftStateOf(deployment);
  const words: { [state in TrafficShiftState]: string } = {
    COMPLETED: 'completed',
    IN_PROGRESS: `in progress (${deployment.lifecycleStage ?? deployment.status})`,
    BAKING: 'baking (all traffic on the new version, old version kept for rollback)',
    ROLLING_BACK: 'rolling back',
    ROLLED_BACK: 'rolled back',
    FAILED: `failed (${deployment.status})`,
  };
  const reason = state !== 'COMPLETED' && deployment.statusReason ? `: ${deployment.statusReason}` : '';
  return `${strategy} ${words[state]}${reason}`;
}

/** The newest service deployment of a service, described; undefined when ECS lists none. */
export async function latestServiceDeployment(ecs: ECSClient, stackService: StackService): Promise<ServiceDeployment | undefined> {
  const listed = await awsCall('ecs:ListServiceDeployments', () =>
    ecs.send(new ListServiceDeploymentsCommand({ cluster: stackService.cluster, service: stackService.serviceName! })));
  const newest = [...listed.serviceDeployments ?? []]
    .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
  if (!newest?.serviceDeploymentArn) return undefined;
  const described = await awsCall('ecs:DescribeServiceDeployments', () =>
    ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [newest.serviceDeploymentArn!] })));
  return described.serviceDeployments?.[0];
}

/** The newest traffic-shifting deployment succeeded (not in progress, baking, rolled back or failed). */
export function checkTrafficShiftCompleted(stackService: StackService, resource: string, service: Service, deployment: ServiceDeployment | undefined): VerifyCheck {
  return {
    resource,
    logicalId: stackService.logicalId,
    check: 'traffic-shift-completed',
    ok: trafficShiftStateOf(deployment) === 'COMPLETED' && deployment !== undefined,
    observed: describeShift(service, deployment),
    expected: `${service.deploymentConfiguration?.strategy} deployment SUCCESSFUL`,
  };
}

/** The production listener rules of a service (LoadBalancers[].AdvancedConfiguration). */
export function productionRulesOf(service: Service): string[] {
  return (service.loadBalancers ?? []).flatMap(lb => lb.advancedConfiguration?.productionListenerRule ? [lb.advancedConfiguration.productionListenerRule] : []);
}

/** The target groups a rule forwards to with a non-zero weight (a plain forward counts as weight 1). */
export function weightedTargetsOf(rule: Rule): Array<{ targetGroupArn: string; weight: number }> {
  const targets: Array<{ targetGroupArn: string; weight: number }> = [];
  for (const action of rule.Actions ?? []) {
    if (action.Type !== 'forward') continue;
    const groups = action.ForwardConfig?.TargetGroups;
    if (groups && groups.length > 0) {
      for (const group of groups) if (group.TargetGroupArn) targets.push({ targetGroupArn: group.TargetGroupArn, weight: group.Weight ?? 1 });
    } else if (action.TargetGroupArn) {
      targets.push({ targetGroupArn: action.TargetGroupArn, weight: 1 });
    }
  }
  return targets.filter(t => t.weight > 0);
}

/**
 * Every target group the live production rule sends traffic to (non-zero weight) has a healthy
 * target. A CloudFormation update of the rule after ECS shifted the weights resets them to the
 * template's, which can point production at the idle, empty target group (aws/aws-cdk#36649).
 */
export async function checkProductionRulesHealthy(
  elb: ElasticLoadBalancingV2Client,
  stackService: StackService,
  resource: string,
  service: Service,
): Promise<VerifyCheck[]> {
  const ruleArns = productionRulesOf(service);
  if (ruleArns.length === 0) return [];
  const described = await awsCall('elasticloadbalancing:DescribeRules', () => elb.send(new DescribeRulesCommand({ RuleArns: ruleArns })));
  const checks: VerifyCheck[] = [];
  for (const rule of described.Rules ?? []) {
    const observed: string[] = [];
    let ok = true;
    const targets = weightedTargetsOf(rule);
    for (const { targetGroupArn, weight } of targets) {
      const health = await awsCall('elasticloadbalancing:DescribeTargetHealth', () =>
        elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })));
      const healthy = (health.TargetHealthDescriptions ?? []).filter(t => t.TargetHealth?.State === 'healthy').length;
      if (healthy === 0) ok = false;
      observed.push(`${targetGroupName(targetGroupArn)} weight ${weight}: ${healthy} healthy`);
    }
    if (targets.length === 0) ok = false;
    checks.push({
      resource,
      logicalId: stackService.logicalId,
      check: 'production-rule-healthy',
      ok,
      observed: targets.length === 0 ? `rule ${rule.RuleArn} forwards to no target group` : observed.join('; '),
      expected: 'every target group the production rule sends traffic to has a healthy target',
    });
  }
  return checks;
}

/** `targetgroup/NAME/ID` of a target group ARN, for reports. */
function targetGroupName(arn: string): string {
  const index = arn.indexOf('targetgroup/');
  return index >= 0 ? arn.slice(index) : arn;
}
