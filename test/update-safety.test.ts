import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchTaskSchedule, Ec2DaemonService, EcsPlatform, FargateWebService, FargateWebServiceProps, WebDeployment, WebIngress } from '../packages/cdk-ecs-kit/lib';
import { formatFindings, newApp, synthWithCompliance } from './support/synth';
import { formatLoss, resourceLosses, targetGroupCopies, updateHazards } from './support/update-safety';

// ARCHITECTURE.md principle 4: a user's daily change replaces nothing that serves traffic or keeps
// data. Each case synthesizes the representative app before (v1) and after (v2) one such change
// and asks @aws-cdk/cloudformation-diff (the diff `cdk diff` prints, impacts from the
// CloudFormation resource specification) what the stack update would replace or destroy.

type Strategy = 'rolling' | 'rollingKeepingAlternate' | 'canary' | 'blueGreen';

interface WebShape {
  readonly id: string;
  readonly host?: string;
  readonly paths?: string[];
  readonly priority?: number;
  readonly image: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly environment: { [name: string]: string };
  readonly desiredCount?: number;
  readonly scaling?: { min: number; max: number };
  readonly strategy: Strategy;
  readonly spot?: number;
  readonly discoveryName?: string;
  readonly serviceConnectName?: string;
  readonly port: number;
  readonly targetGroupPort?: number;
}

interface AppShape {
  readonly ec2Capacity: boolean;
  readonly clusterName?: string;
  readonly web: WebShape[];
  readonly daemonImage?: string;
  readonly batchHour: string;
  /** Declares the constructs in the opposite order (same ids). */
  readonly reversed?: boolean;
}

const IMAGE = 'public.ecr.aws/nginx/nginx-unprivileged:stable';

/** The representative app: EC2 capacity and Service Connect, an ingress, three web services (one canary), a daemon, a batch job. */
const V1: AppShape = {
  ec2Capacity: true,
  web: [
    { id: 'Web', host: 'www.example.com', image: IMAGE, cpu: 512, memoryMiB: 1024, environment: { LOG_LEVEL: 'info' }, scaling: { min: 2, max: 10 }, strategy: 'rolling', discoveryName: 'web', port: 8080 },
    { id: 'Api', host: 'api.example.com', image: IMAGE, cpu: 512, memoryMiB: 1024, environment: {}, scaling: { min: 2, max: 10 }, strategy: 'canary', port: 8080 },
    { id: 'Orders', paths: ['/orders/*'], image: IMAGE, cpu: 512, memoryMiB: 1024, environment: {}, desiredCount: 2, strategy: 'rolling', serviceConnectName: 'orders', port: 8080 },
  ],
  daemonImage: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0',
  batchHour: '2',
};

function deploymentOf(strategy: Strategy): WebDeployment {
  switch (strategy) {
    case 'canary': return WebDeployment.canary({ percent: 10, stepBakeTime: Duration.minutes(5), bakeTime: Duration.minutes(10) });
    case 'blueGreen': return WebDeployment.blueGreen({ bakeTime: Duration.minutes(10) });
    case 'rollingKeepingAlternate': return WebDeployment.rolling({ keepAlternateTargetGroup: true });
    default: return WebDeployment.rolling();
  }
}

/** Plain synth (no compliance plugins) of `shape`: the stack's template. */
function synth(shape: AppShape): any {
  const app = newApp();
  const stack = new Stack(app, 'UpdateSafety');
  const platform = new EcsPlatform(stack, 'Platform', {
    serviceConnect: true,
    clusterName: shape.clusterName,
    ec2Capacity: shape.ec2Capacity ? { instanceType: new ec2.InstanceType('m7g.large'), minCapacity: 1, maxCapacity: 4 } : undefined,
  });
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000');
  const ingress = new WebIngress(stack, 'Ingress', { platform, certificate });
  const declarations: Array<() => void> = shape.web.map((web) => () => {
    new FargateWebService(stack, web.id, {
      platform,
      ingress,
      hostHeaders: web.host ? [web.host] : undefined,
      pathPatterns: web.paths,
      priority: web.priority,
      cpu: web.cpu,
      memoryMiB: web.memoryMiB,
      desiredCount: web.desiredCount,
      autoScaling: web.scaling ? { minCapacity: web.scaling.min, maxCapacity: web.scaling.max, targetCpuPercent: 60, requestsPerTarget: 500 } : undefined,
      deployment: deploymentOf(web.strategy),
      fargateSpotWeight: web.spot,
      discoveryName: web.discoveryName,
      serviceConnect: web.serviceConnectName ? { name: web.serviceConnectName } : undefined,
      targetGroupPort: web.targetGroupPort,
      container: { image: ecs.ContainerImage.fromRegistry(web.image), user: '101', port: web.port, healthCheckPath: '/', environment: web.environment },
    });
  });
  if (shape.daemonImage) {
    declarations.push(() => new Ec2DaemonService(stack, 'LogAgent', {
      platform,
      container: { image: ecs.ContainerImage.fromRegistry(shape.daemonImage!), user: '10001', port: 4317 },
      networkMode: ecs.NetworkMode.HOST,
      hostVolumes: [{ hostPath: '/var/log', containerPath: '/host/var/log' }],
      memoryReservationMiB: 256,
      memoryLimitMiB: 512,
    }));
  }
  declarations.push(() => new BatchTaskSchedule(stack, 'Nightly', {
    platform,
    container: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'), command: ['node', '-e', '1'], user: '1000:1000' },
    cpu: 1024,
    memoryMiB: 2048,
    schedule: scheduler.ScheduleExpression.cron({ hour: shape.batchHour, minute: '0' }),
    retries: 2,
    timeout: Duration.hours(1),
  }));
  for (const declare of shape.reversed ? declarations.reverse() : declarations) declare();
  return app.synth().getStackByName(stack.stackName).template;
}

/** `shape` with the web service `id` changed by `change`. */
function withWeb(shape: AppShape, id: string, change: Partial<WebShape>): AppShape {
  return { ...shape, web: shape.web.map((web) => web.id === id ? { ...web, ...change } : web) };
}

/** Ignores what a change removes on purpose: the resources of the construct ids given (their logical ids start with them). */
function removing(...ids: string[]) {
  return { ignore: (loss: { logicalId: string }) => ids.some((id) => loss.logicalId.startsWith(id)) };
}

const templates = new Map<AppShape, any>();
function template(shape: AppShape): any {
  if (!templates.has(shape)) templates.set(shape, synth(shape));
  return templates.get(shape);
}

interface DailyChange {
  readonly name: string;
  readonly from?: AppShape;
  readonly to: AppShape;
  readonly removes?: string[];
}

const API_BLUE_GREEN = withWeb(V1, 'Api', { strategy: 'blueGreen' });
const API_KEEPING_ALTERNATE = withWeb(API_BLUE_GREEN, 'Api', { strategy: 'rollingKeepingAlternate' });
const WITHOUT_EC2 = { ...V1, ec2Capacity: false, daemonImage: undefined };

const DAILY_CHANGES: DailyChange[] = [
  { name: 'a web service added', to: { ...V1, web: [...V1.web, { ...V1.web[0], id: 'Admin', host: 'admin.example.com', discoveryName: undefined }] } },
  { name: 'a web service removed', to: { ...V1, web: V1.web.filter((web) => web.id !== 'Orders') }, removes: ['Orders'] },
  { name: 'a new image', to: withWeb(V1, 'Web', { image: 'public.ecr.aws/nginx/nginx-unprivileged:1.27' }) },
  { name: 'more CPU and memory', to: withWeb(V1, 'Web', { cpu: 1024, memoryMiB: 2048 }) },
  { name: 'an environment variable changed', to: withWeb(V1, 'Web', { environment: { LOG_LEVEL: 'debug', FEATURE: 'on' } }) },
  { name: 'a new desiredCount', to: withWeb(V1, 'Orders', { desiredCount: 4 }) },
  { name: 'new scaling limits', to: withWeb(V1, 'Web', { scaling: { min: 3, max: 20 } }) },
  { name: 'other host names', to: withWeb(V1, 'Web', { host: 'shop.example.com' }) },
  { name: 'other paths', to: withWeb(V1, 'Orders', { paths: ['/orders/*', '/basket/*'] }) },
  { name: 'an explicit priority', to: withWeb(V1, 'Orders', { priority: 10 }) },
  { name: 'rolling to canary', to: withWeb(V1, 'Web', { strategy: 'canary' }) },
  { name: 'canary to blue/green', to: API_BLUE_GREEN },
  { name: 'blue/green to rolling, step 1: rolling({ keepAlternateTargetGroup: true })', from: API_BLUE_GREEN, to: API_KEEPING_ALTERNATE },
  { name: 'blue/green to rolling, step 2: rolling()', from: API_KEEPING_ALTERNATE, to: withWeb(API_KEEPING_ALTERNATE, 'Api', { strategy: 'rolling' }) },
  { name: 'a Fargate Spot weight', to: withWeb(V1, 'Web', { spot: 3 }) },
  { name: 'a discoveryName added', to: withWeb(V1, 'Api', { discoveryName: 'api' }) },
  { name: 'Service Connect on for a service', to: withWeb(V1, 'Api', { serviceConnectName: 'api' }) },
  { name: 'EC2 capacity added', from: WITHOUT_EC2, to: { ...WITHOUT_EC2, ec2Capacity: true } },
  { name: 'a new daemon image', to: { ...V1, daemonImage: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.41.0' } },
  { name: 'another batch schedule', to: { ...V1, batchHour: '3' } },
  { name: 'the code reordered', to: { ...V1, web: [...V1.web].reverse(), reversed: true } },
  { name: 'a new container port, the target group port kept', to: withWeb(V1, 'Web', { port: 9090, targetGroupPort: 8080 }) },
];

describe('update safety: daily changes replace nothing that serves traffic or keeps data', () => {
  test.each(DAILY_CHANGES.map((change) => [change.name, change] as const))('%s', (_name, change) => {
    const v1 = template(change.from ?? V1);
    const v2 = template(change.to);
    expect(updateHazards(v1, v2, change.removes ? removing(...change.removes) : {})).toEqual([]);
    // Stricter still: nothing at all is replaced but task definitions (a new revision is how a change reaches ECS).
    const replaced = resourceLosses(v1, v2).filter((loss) => loss.impact.endsWith('_REPLACE') && loss.type !== 'AWS::ECS::TaskDefinition');
    expect(replaced.map(formatLoss)).toEqual([]);
  });

  test('a web service removed takes only its own resources, and keeps its log groups (DeletionPolicy Retain)', () => {
    const losses = resourceLosses(template(V1), template(DAILY_CHANGES[1].to));
    expect(losses.filter((loss) => !loss.logicalId.startsWith('Orders')).map(formatLoss)).toEqual([]);
    const logGroups = losses.filter((loss) => loss.type === 'AWS::Logs::LogGroup');
    expect(logGroups.length).toBeGreaterThan(0);
    expect(logGroups.map((loss) => loss.impact)).toEqual(logGroups.map(() => 'WILL_ORPHAN'));
  });
});

describe('update safety: the check sees a replacement', () => {
  test('a clusterName set on an existing platform replaces the cluster (and every service on it)', () => {
    const hazards = updateHazards(template(V1), template({ ...V1, clusterName: 'shop' }));
    expect(hazards).toEqual(expect.arrayContaining([expect.stringMatching(/^PlatformCluster\w+ \(AWS::ECS::Cluster\) WILL_REPLACE: ClusterName$/)]));
    expect(hazards.filter((line) => line.includes('(AWS::ECS::Service) WILL_REPLACE')).length).toBe(4);
  });

  test('a renamed construct id destroys its resources and creates new ones', () => {
    const renamed = { ...V1, web: V1.web.map((web) => web.id === 'Orders' ? { ...web, id: 'OrdersV2' } : web) };
    const hazards = updateHazards(template(V1), template(renamed));
    expect(hazards).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Orders\w+ \(AWS::ECS::Service\) WILL_DESTROY$/),
      expect.stringMatching(/^Orders\w+ \(AWS::ElasticLoadBalancingV2::TargetGroup\) WILL_DESTROY$/),
    ]));
  });

  test('a new container port with the default target group port replaces the group that serves the service', () => {
    const hazards = updateHazards(template(V1), template(withWeb(V1, 'Web', { port: 9090 })));
    expect(hazards).toEqual([expect.stringMatching(/^WebTargetGroup\w+ \(AWS::ElasticLoadBalancingV2::TargetGroup\) WILL_REPLACE: Port$/)]);
  });

  test('a traffic-shifting service switched straight to rolling() loses the group ECS may have moved production to', () => {
    const hazards = updateHazards(template(API_BLUE_GREEN), template(withWeb(API_BLUE_GREEN, 'Api', { strategy: 'rolling' })));
    expect(hazards).toEqual([expect.stringMatching(/^ApiAlternateTargetGroup\w+ \(AWS::ElasticLoadBalancingV2::TargetGroup\) WILL_DESTROY$/)]);
  });

  test('reads both groups of a traffic-shifting service as possibly the only one serving, and a rolling service\'s two groups as copies', () => {
    const copiesOf = (shape: AppShape) => Object.fromEntries([...targetGroupCopies(template(shape))]
      .filter(([group]) => group.startsWith('Api'))
      .map(([group, others]) => [group.replace(/[0-9A-F]{8}$/, ''), [...others].map((other) => other.replace(/[0-9A-F]{8}$/, ''))]));
    expect(copiesOf(API_BLUE_GREEN)).toEqual({ ApiTargetGroup: [], ApiAlternateTargetGroup: [] });
    expect(copiesOf(API_KEEPING_ALTERNATE)).toEqual({ ApiTargetGroup: ['ApiAlternateTargetGroup'], ApiAlternateTargetGroup: ['ApiTargetGroup'] });
  });
});

/** A stack with a platform, an ingress and one web service `Api` with `props`. */
function serviceStack(props: Partial<FargateWebServiceProps> = {}, app = newApp()) {
  const stack = new Stack(app, 'Web');
  const platform = new EcsPlatform(stack, 'Platform');
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000');
  const ingress = new WebIngress(stack, 'Ingress', { platform, certificate });
  const service = new FargateWebService(stack, 'Api', {
    platform, ingress, hostHeaders: ['api.example.com'], ...props,
    container: { image: ecs.ContainerImage.fromRegistry(IMAGE), user: '101', port: 8080, ...props.container },
  });
  return { app, stack, platform, service };
}

function serviceProperties(template: Template): any {
  return Object.values(template.findResources('AWS::ECS::Service'))[0].Properties;
}

describe('WebDeployment.rolling({ keepAlternateTargetGroup: true }): leaving a traffic-shifting strategy', () => {
  // "Update the deployment strategy from Amazon ECS blue/green to rolling update" (ECS Developer
  // Guide): ECS keeps serving from the revision and target group that carry traffic. The template
  // cannot know which of the two groups that is after the deployments since.
  test('keeps both target groups and registers every task in each, with ROLLING stated and no ECS traffic-shifting role', () => {
    const { stack } = serviceStack({ deployment: WebDeployment.rolling({ keepAlternateTargetGroup: true }) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    const service = serviceProperties(template);
    expect(service.DeploymentConfiguration.Strategy).toBe('ROLLING');
    expect(service.LoadBalancers).toEqual([
      { TargetGroupArn: { Ref: expect.stringMatching(/^ApiTargetGroup/) }, ContainerName: expect.any(String), ContainerPort: 8080 },
      { TargetGroupArn: { Ref: expect.stringMatching(/^ApiAlternateTargetGroup/) }, ContainerName: expect.any(String), ContainerPort: 8080 },
    ]);
    template.resourcePropertiesCountIs('AWS::IAM::Role', { Description: Match.stringLikeRegexp('shifts traffic') }, 0);
  });

  test('leaves the listener rule exactly as the traffic-shifting service rendered it, so the weights ECS last set stay', () => {
    const rulesOf = (deployment: WebDeployment) => Template.fromStack(serviceStack({ deployment }).stack).findResources('AWS::ElasticLoadBalancingV2::ListenerRule');
    const shifting = rulesOf(WebDeployment.blueGreen({ bakeTime: Duration.minutes(10) }));
    expect(rulesOf(WebDeployment.rolling({ keepAlternateTargetGroup: true }))).toEqual(shifting);
  });

  test('then rolling() forwards to the primary group alone, which by then holds every task', () => {
    const v1 = template(API_KEEPING_ALTERNATE);
    const v2 = template(withWeb(API_KEEPING_ALTERNATE, 'Api', { strategy: 'rolling' }));
    const rule = Object.entries(v2.Resources).find(([id]) => /^ApiListenerRule/.test(id))![1] as any;
    expect(rule.Properties.Actions).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: expect.stringMatching(/^ApiTargetGroup/) } }]);
    expect(targetGroupCopies(v1).get(rule.Properties.Actions[0].TargetGroupArn.Ref)?.size).toBe(1);
  });

  test('rejects keepAlternateTargetGroup on a service without an ingress', () => {
    const stack = new Stack(newApp(), 'Internal');
    const platform = new EcsPlatform(stack, 'Platform');
    expect(() => new FargateWebService(stack, 'Worker', {
      platform,
      container: { image: ecs.ContainerImage.fromRegistry(IMAGE), port: 8080 },
      deployment: WebDeployment.rolling({ keepAlternateTargetGroup: true }),
    })).toThrow(/Internal\/Worker.*deployment.*keepAlternateTargetGroup.*no ingress was given.*Remove keepAlternateTargetGroup/s);
  });

  test('synthesizes with no compliance finding', () => {
    const app = newApp();
    serviceStack({ deployment: WebDeployment.rolling({ keepAlternateTargetGroup: true }), autoScaling: { maxCapacity: 4, requestsPerTarget: 500 } }, app);
    const result = synthWithCompliance(app);
    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
  });
});

describe('FargateWebService targetGroupPort: a new container port keeps the target groups', () => {
  // Elastic Load Balancing API Reference, "RegisterTargets" / "TargetDescription": a target is
  // registered at the port it listens on, overriding the group's; the ECS API Reference
  // "LoadBalancer" has ECS register the containerPort. The group's port is only its default.
  test('defaults to the container port, as before', () => {
    const template = Template.fromStack(serviceStack().stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080 });
  });

  test('keeps the given group port while ECS registers the tasks, and the health check goes, to the new container port', () => {
    const template = Template.fromStack(serviceStack({ targetGroupPort: 8080, container: { image: ecs.ContainerImage.fromRegistry(IMAGE), port: 9090 } }).stack);
    const groups = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup')).map((group: any) => group.Properties);
    expect(groups.map((group) => [group.Port, group.HealthCheckPort])).toEqual([[8080, undefined]]);
    expect(serviceProperties(template).LoadBalancers[0].ContainerPort).toBe(9090);
  });

  test('applies to both groups of a traffic-shifting service', () => {
    const template = Template.fromStack(serviceStack({
      targetGroupPort: 8080,
      deployment: WebDeployment.canary({ percent: 10, stepBakeTime: Duration.minutes(5), bakeTime: Duration.minutes(10) }),
      container: { image: ecs.ContainerImage.fromRegistry(IMAGE), port: 9090 },
    }).stack);
    const ports = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup')).map((group: any) => group.Properties.Port);
    expect(ports).toEqual([8080, 8080]);
  });

  test('rejects a port outside 1-65535', () => {
    expect(() => serviceStack({ targetGroupPort: 70000 })).toThrow(/Web\/Api.*targetGroupPort.*70000/s);
  });

  test('accepts a token', () => {
    const app = newApp();
    const stack = new Stack(app, 'Tokens');
    const port = new CfnParameter(stack, 'Port', { type: 'Number', default: 8080 }).valueAsNumber;
    const platform = new EcsPlatform(stack, 'Platform');
    const ingress = new WebIngress(stack, 'Ingress', { platform, certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000') });
    new FargateWebService(stack, 'Api', { platform, ingress, targetGroupPort: port, container: { image: ecs.ContainerImage.fromRegistry(IMAGE), port: 9090 } });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: { Ref: 'Port' } });
  });

  test('rejects targetGroupPort on a service without an ingress', () => {
    const stack = new Stack(newApp(), 'Internal');
    const platform = new EcsPlatform(stack, 'Platform');
    expect(() => new FargateWebService(stack, 'Worker', { platform, targetGroupPort: 8080, container: { image: ecs.ContainerImage.fromRegistry(IMAGE), port: 9090 } }))
      .toThrow(/Internal\/Worker.*targetGroupPort.*only applies to a service behind an ingress/s);
  });
});

describe('BatchTaskSchedule: a state machine name CloudFormation generates', () => {
  // A resource with a custom name cannot be replaced: CloudFormation creates the new one first,
  // under the same name ("Name type", CloudFormation User Guide). The batch job's state machine
  // keeps no custom name, so no later change can fail that way.
  const buildJob = (env?: { account?: string; region?: string }) => {
    const app = newApp();
    const stack = new Stack(app, 'BatchStack', { env });
    new BatchTaskSchedule(stack, 'Nightly', {
      platform: new EcsPlatform(stack, 'Platform'),
      container: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'), user: '1000' },
      schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
    });
    return { app, stack };
  };

  test('sets no StateMachineName, and still lets the state machine read only its own execution history', () => {
    const template = Template.fromStack(buildJob().stack);
    const [stateMachineId, stateMachine] = Object.entries(template.findResources('AWS::StepFunctions::StateMachine'))[0];
    expect(stateMachine.Properties.StateMachineName).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{
        Action: 'states:GetExecutionHistory',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':execution:', { 'Fn::GetAtt': [stateMachineId, 'Name'] }, ':*']] },
      }] },
    });
  });

  test('starts its schedule only once the state machine may read its history', () => {
    const template = Template.fromStack(buildJob().stack);
    const [policyId] = Object.entries(template.findResources('AWS::IAM::Policy'))
      .find(([, policy]) => JSON.stringify(policy).includes('states:GetExecutionHistory'))!;
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0];
    expect(schedule.DependsOn).toContain(policyId);
  });

  test.each([
    ['an environment-agnostic stack', undefined],
    ['a stack with a region only', { region: 'eu-west-1' }],
    ['a stack with an account and a region', { account: '123456789012', region: 'eu-west-1' }],
  ])('in %s: no compliance finding, the history grant acknowledged by the id cdk-nag renders there', (_name, env) => {
    const { app } = buildJob(env);
    const result = synthWithCompliance(app);
    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
    expect(result.acknowledged.map((a) => a.rule)).toContainEqual(
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<NightlyStateMachine[0-9A-F]{8}\.Name>:\*\]$/));
  });
});
