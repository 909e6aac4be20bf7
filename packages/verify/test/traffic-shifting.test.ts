import { DescribeServiceDeploymentsCommand, DescribeServicesCommand, ListServiceDeploymentsCommand, ServiceDeployment } from '@aws-sdk/client-ecs';
import { DescribeRulesCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { VerifyReport } from '../src/report';
import { trafficShiftStateOf, weightedTargetsOf } from '../src/traffic-shifting';
import { verifyStack } from '../src/verify';
import { ACCOUNT, DEPLOYED_AT, healthyService, mockHealthyStack, REGION, resourceId, STACK } from './fixtures';

const RULE_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener-rule/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const BLUE = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/api-blue/1111111111111111`;
const GREEN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/api-green/2222222222222222`;
const DEPLOYMENT_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/cluster/api/abc`;

/** A healthy stack whose 'api' service deploys as a canary, with its service deployment and live rule mocked. */
function canaryStack(deployment: Partial<ServiceDeployment>, weights: { blue: number; green: number } = { blue: 100, green: 0 }, healthy = { blue: 2, green: 0 }) {
  const mocks = mockHealthyStack(['api']);
  const elasticLoadBalancing = new ElasticLoadBalancingV2Client({ region: REGION });
  const elbMock = mockClient(elasticLoadBalancing);
  const api = healthyService('api', {
    deploymentConfiguration: { strategy: 'CANARY', bakeTimeInMinutes: 10, canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 } },
    loadBalancers: [{ targetGroupArn: BLUE, containerName: 'app', containerPort: 8080, advancedConfiguration: { alternateTargetGroupArn: GREEN, productionListenerRule: RULE_ARN, roleArn: 'arn:aws:iam::111122223333:role/r' } }],
  });
  mocks.ecsMock.on(DescribeServicesCommand).resolves({ services: [api], failures: [] });
  mocks.ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [
    { serviceDeploymentArn: `${DEPLOYMENT_ARN}-old`, status: 'SUCCESSFUL', createdAt: new Date(DEPLOYED_AT.getTime() - 86400_000) },
    { serviceDeploymentArn: DEPLOYMENT_ARN, status: deployment.status, createdAt: DEPLOYED_AT },
  ] });
  mocks.ecsMock.on(DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [DEPLOYMENT_ARN] })
    .resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT_ARN, createdAt: DEPLOYED_AT, ...deployment }] });
  elbMock.on(DescribeRulesCommand).resolves({ Rules: [{ RuleArn: RULE_ARN, Priority: '1970', Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [
    { TargetGroupArn: BLUE, Weight: weights.blue }, { TargetGroupArn: GREEN, Weight: weights.green },
  ] } }] }] });
  const targets = (n: number) => Array.from({ length: n }, (_, i) => ({ Target: { Id: `10.0.0.${i}`, Port: 8080 }, TargetHealth: { State: 'healthy' as const } }));
  elbMock.on(DescribeTargetHealthCommand, { TargetGroupArn: BLUE }).resolves({ TargetHealthDescriptions: targets(healthy.blue) });
  elbMock.on(DescribeTargetHealthCommand, { TargetGroupArn: GREEN }).resolves({ TargetHealthDescriptions: targets(healthy.green) });
  return { ...mocks, elbMock, clients: { ...mocks.clients, elasticLoadBalancing } };
}

function checkOf(report: VerifyReport, name: string) {
  const found = report.checks.filter(c => c.resource === resourceId('api') && c.check === name);
  if (found.length !== 1) throw new Error(`expected one ${name} check, found ${found.length}: ${JSON.stringify(report.checks)}`);
  return found[0];
}

describe('verify of traffic-shifting deployments (BLUE_GREEN, LINEAR, CANARY)', () => {
  test('passes a completed canary whose production rule forwards only to a target group with healthy targets', async () => {
    const { clients } = canaryStack({ status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' as any });
    const report = await verifyStack({ stackName: STACK }, clients);
    expect(report.checks.filter(c => !c.ok)).toEqual([]);
    expect(checkOf(report, 'traffic-shift-completed')).toMatchObject({ ok: true, observed: 'CANARY completed' });
    expect(checkOf(report, 'production-rule-healthy')).toMatchObject({ ok: true, observed: 'targetgroup/api-blue/1111111111111111 weight 100: 2 healthy' });
    expect(report.exitCode).toBe(0);
  });

  test('reports a deployment shifting production traffic as in progress, with its lifecycle stage', async () => {
    const { clients } = canaryStack({ status: 'IN_PROGRESS', lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' as any }, { blue: 90, green: 10 }, { blue: 2, green: 2 });
    const report = await verifyStack({ stackName: STACK }, clients);
    expect(checkOf(report, 'traffic-shift-completed')).toMatchObject({ ok: false, observed: 'CANARY in progress (PRODUCTION_TRAFFIC_SHIFT)' });
    expect(checkOf(report, 'production-rule-healthy')).toMatchObject({ ok: true });
    expect(report.exitCode).toBe(1);
  });

  test('reports a deployment in its bake time as baking', async () => {
    const { clients } = canaryStack({ status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' as any }, { blue: 0, green: 100 }, { blue: 2, green: 2 });
    const report = await verifyStack({ stackName: STACK }, clients);
    expect(checkOf(report, 'traffic-shift-completed').observed).toMatch(/^CANARY baking/);
  });

  test('reports a rolled back deployment with its reason and fails', async () => {
    const { clients } = canaryStack({ status: 'ROLLBACK_SUCCESSFUL', statusReason: 'Alarm ApiTarget5xxAlarm in ALARM state' });
    const report = await verifyStack({ stackName: STACK }, clients);
    expect(checkOf(report, 'traffic-shift-completed')).toMatchObject({ ok: false, observed: 'CANARY rolled back: Alarm ApiTarget5xxAlarm in ALARM state' });
    expect(report.exitCode).toBe(1);
  });

  test('fails when the production rule sends traffic to a target group without healthy targets (weights reset by a stack update)', async () => {
    // ECS moved the tasks to green; a CloudFormation update reset the rule to blue 100 / green 0.
    const { clients } = canaryStack({ status: 'SUCCESSFUL' }, { blue: 100, green: 0 }, { blue: 0, green: 2 });
    const report = await verifyStack({ stackName: STACK }, clients);
    expect(checkOf(report, 'production-rule-healthy')).toMatchObject({ ok: false, observed: 'targetgroup/api-blue/1111111111111111 weight 100: 0 healthy' });
    expect(report.exitCode).toBe(1);
  });

  test('--wait waits through the shift and the bake time until the deployment succeeds', async () => {
    const { clients, ecsMock } = canaryStack({ status: 'IN_PROGRESS', lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' as any });
    ecsMock.on(DescribeServiceDeploymentsCommand, { serviceDeploymentArns: [DEPLOYMENT_ARN] })
      .resolvesOnce({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT_ARN, status: 'IN_PROGRESS', lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' }] })
      .resolvesOnce({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT_ARN, status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' }] })
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT_ARN, status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' }] });
    const progress: string[] = [];
    const report = await verifyStack({ stackName: STACK, waitMs: 10_000, pollIntervalMs: 1, onProgress: m => progress.push(m) }, clients);
    expect(progress).toHaveLength(2);
    expect(progress[0]).toMatch(/CANARY in progress \(PRODUCTION_TRAFFIC_SHIFT\)/);
    expect(progress[1]).toMatch(/CANARY baking/);
    expect(checkOf(report, 'traffic-shift-completed').ok).toBe(true);
  });

  test('rolling services make no service-deployment or load balancer calls', async () => {
    const { clients, ecsMock } = mockHealthyStack(['api']);
    const elasticLoadBalancing = new ElasticLoadBalancingV2Client({ region: REGION });
    const elbMock = mockClient(elasticLoadBalancing);
    const report = await verifyStack({ stackName: STACK }, { ...clients, elasticLoadBalancing });
    expect(report.exitCode).toBe(0);
    expect(ecsMock.commandCalls(ListServiceDeploymentsCommand)).toHaveLength(0);
    expect(elbMock.calls()).toHaveLength(0);
  });

  test('maps service deployment statuses to states', () => {
    expect(trafficShiftStateOf({ status: 'ROLLBACK_IN_PROGRESS' })).toBe('ROLLING_BACK');
    expect(trafficShiftStateOf({ status: 'ROLLBACK_FAILED' })).toBe('FAILED');
    expect(trafficShiftStateOf({ status: 'PENDING' })).toBe('IN_PROGRESS');
  });

  test('reads weighted and plain forwards', () => {
    expect(weightedTargetsOf({ Actions: [{ Type: 'forward', TargetGroupArn: BLUE }] })).toEqual([{ targetGroupArn: BLUE, weight: 1 }]);
    expect(weightedTargetsOf({ Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE, Weight: 0 }, { TargetGroupArn: GREEN, Weight: 100 }] } }] }))
      .toEqual([{ targetGroupArn: GREEN, weight: 100 }]);
  });
});
