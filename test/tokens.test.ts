import { CfnParameter, Duration, Lazy, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import {
  BatchTaskSchedule,
  BatchTaskScheduleProps,
  Ec2DaemonService,
  Ec2DaemonServiceProps,
  EcsPlatform,
  EcsPlatformProps,
  FargateWebService,
  FargateWebServiceProps,
  WebDeployment,
  WebIngress,
  WebIngressProps,
} from '../packages/cdk-ecs-kit/lib';
import type { ContainerSpec } from '../packages/cdk-ecs-kit/lib';
import { checkNumber, isDeployTimeValue } from '../packages/cdk-ecs-kit/lib/core/validation';
import { formatFindings, newApp, newStack, synthWithCompliance } from './support/synth';

/**
 * Every numeric and string prop the README documents, given as a value only known at deploy time
 * (a CfnParameter's valueAsNumber / valueAsString, or a Lazy): synth must accept it, and where it
 * matters the token must reach the template. aws-cdk-lib never validates unresolved tokens, and
 * neither does cdk-ecs-kit.
 */

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');
const CERT = 'arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000000';

/** A deploy-time number: a CfnParameter of type Number, named `name`. */
function num(stack: Stack, name = 'Value'): number {
  return new CfnParameter(stack, name, { type: 'Number' }).valueAsNumber;
}
/** A deploy-time string: a CfnParameter named `name`. */
function str(stack: Stack, name = 'Value'): string {
  return new CfnParameter(stack, name, { type: 'String' }).valueAsString;
}
const ref = (name = 'Value') => ({ Ref: name });

type Check = (template: Template) => void;
/** One row: the prop, how to build a stack with a token for it, and what the template must hold. */
type Row = [prop: string, build: (stack: Stack) => void, check?: Check];

function platformOf(stack: Stack, props: EcsPlatformProps = {}): EcsPlatform {
  return new EcsPlatform(stack, 'Platform', props);
}
function ec2PlatformOf(stack: Stack, props: EcsPlatformProps = {}): EcsPlatform {
  return platformOf(stack, { ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') }, ...props });
}
function ingressOf(stack: Stack, platform: EcsPlatform, props: Partial<WebIngressProps> = {}): WebIngress {
  return new WebIngress(stack, 'Ingress', { platform, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERT), ...props });
}
function web(stack: Stack, props: Partial<FargateWebServiceProps> = {}, container: Partial<ContainerSpec> = {}, platformProps: EcsPlatformProps = {}): FargateWebService {
  const platform = platformOf(stack, platformProps);
  const ingress = ingressOf(stack, platform);
  return new FargateWebService(stack, 'Api', {
    platform, ingress, hostHeaders: ['api.example.com'], ...props, container: { image, port: 8080, ...container },
  });
}
function daemon(stack: Stack, props: Partial<Ec2DaemonServiceProps> = {}, container: Partial<ContainerSpec> = {}): Ec2DaemonService {
  return new Ec2DaemonService(stack, 'Agent', { platform: ec2PlatformOf(stack), ...props, container: { image, ...container } });
}
function batch(stack: Stack, props: Partial<BatchTaskScheduleProps> = {}, container: Partial<ContainerSpec> = {}): BatchTaskSchedule {
  const platform = props.launchOnEc2 ? ec2PlatformOf(stack) : platformOf(stack);
  return new BatchTaskSchedule(stack, 'Job', {
    platform, schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }), ...props, container: { image, ...container },
  });
}

const containerDefinition = (props: object): Check => (t) => t.hasResourceProperties('AWS::ECS::TaskDefinition', {
  ContainerDefinitions: Match.arrayWith([Match.objectLike(props)]),
});

const platformRows: Row[] = [
  ['EcsPlatform namespaceName', (s) => platformOf(s, { namespaceName: str(s) }),
    (t) => t.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: ref() })],
  ['EcsPlatform clusterName', (s) => platformOf(s, { clusterName: str(s) }),
    (t) => t.hasResourceProperties('AWS::ECS::Cluster', { ClusterName: ref() })],
  ['EcsPlatform logRetention', (s) => platformOf(s, { logRetention: num(s) as logs.RetentionDays }),
    (t) => t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: ref() })],
  ['EcsPlatform ec2Capacity.minCapacity and maxCapacity', (s) => platformOf(s, {
    ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), minCapacity: num(s, 'Min'), maxCapacity: num(s, 'Max') },
  }), (t) => t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: ref('Min'), MaxSize: ref('Max') })],
  ['EcsPlatform ec2Capacity.minCapacity (Lazy) with a literal maxCapacity', (s) => platformOf(s, {
    ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), minCapacity: Lazy.number({ produce: () => 3 }), maxCapacity: 4 },
  }), (t) => t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '3', MaxSize: '4' })],
  ['EcsPlatform ec2Capacity.maxCapacity', (s) => platformOf(s, {
    ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), maxCapacity: num(s) },
  }), (t) => t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '1', MaxSize: ref() })],
  ['EcsPlatform ec2Capacity.targetCapacityPercent', (s) => platformOf(s, {
    ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), targetCapacityPercent: num(s) },
  }), (t) => t.hasResourceProperties('AWS::ECS::CapacityProvider', {
    AutoScalingGroupProvider: Match.objectLike({ ManagedScaling: Match.objectLike({ TargetCapacity: ref() }) }),
  })],
  ['EcsPlatform ec2Capacity.rootVolumeSize', (s) => platformOf(s, {
    ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), rootVolumeSize: Size.gibibytes(num(s)) },
  }), (t) => t.hasResourceProperties('AWS::EC2::LaunchTemplate', {
    LaunchTemplateData: Match.objectLike({ BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ VolumeSize: ref() }) })] }),
  })],
];

const ingressRows: Row[] = [
  ['WebIngress allowedCidrs', (s) => ingressOf(s, platformOf(s), { allowedCidrs: [str(s)] }),
    (t) => t.hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: ref(), FromPort: 443 })]) })],
  ['WebIngress accessLogsPrefix', (s) => ingressOf(s, platformOf(s), { accessLogsPrefix: str(s) })],
  ['WebIngress accessLogsRetention', (s) => ingressOf(s, platformOf(s), { accessLogsRetention: Duration.days(num(s)) }),
    (t) => t.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: ref() })] } })],
  ['WebIngress webAclArn', (s) => ingressOf(s, platformOf(s), { webAclArn: str(s) }),
    (t) => t.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: ref() })],
  ['WebIngress idleTimeout', (s) => ingressOf(s, platformOf(s), { idleTimeout: Duration.seconds(num(s)) }),
    (t) => t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: Match.anyValue() }]),
    })],
  ['WebIngress ingressName', (s) => ingressOf(s, platformOf(s), { ingressName: str(s) })],
];

const webRows: Row[] = [
  ['FargateWebService cpu and memoryMiB', (s) => web(s, { cpu: num(s, 'Cpu'), memoryMiB: num(s, 'Memory') }), (t) => {
    t.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: ref('Cpu'), Memory: ref('Memory') });
    containerDefinition({ Memory: ref('Memory') })(t);
  }],
  ['FargateWebService cpu and memoryMiB on a Service Connect platform', (s) => web(s, { cpu: num(s, 'Cpu'), memoryMiB: num(s, 'Memory') }, {}, { serviceConnect: true }), (t) => {
    t.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: ref('Cpu'), Memory: ref('Memory') });
    // memoryMiB less the proxy's 64 MiB cannot be computed: the task's memory bounds both containers.
    containerDefinition({ Name: 'app', Memory: Match.absent() })(t);
  }],
  ['FargateWebService desiredCount', (s) => web(s, { desiredCount: num(s) }),
    (t) => t.hasResourceProperties('AWS::ECS::Service', { DesiredCount: ref() })],
  ['FargateWebService hostHeaders', (s) => web(s, { hostHeaders: [str(s)] }),
    (t) => t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [ref()] } }] })],
  ['FargateWebService pathPatterns', (s) => web(s, { hostHeaders: undefined, pathPatterns: [str(s)] }),
    (t) => t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [ref()] } }] })],
  ['FargateWebService priority', (s) => web(s, { priority: num(s) }),
    (t) => t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Priority: ref() })],
  ['FargateWebService deregistrationDelay', (s) => web(s, { deregistrationDelay: Duration.seconds(num(s)) })],
  ['FargateWebService healthCheckGracePeriod', (s) => web(s, { healthCheckGracePeriod: Duration.seconds(num(s)) }),
    (t) => t.hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: ref() })],
  ['FargateWebService autoScaling.minCapacity and maxCapacity', (s) => web(s, { autoScaling: { minCapacity: num(s, 'Min'), maxCapacity: num(s, 'Max'), targetCpuPercent: 60 } }),
    (t) => t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: ref('Min'), MaxCapacity: ref('Max') })],
  ['FargateWebService autoScaling.targetCpuPercent', (s) => web(s, { autoScaling: { maxCapacity: 10, targetCpuPercent: num(s) } }),
    (t) => t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: ref() }) })],
  ['FargateWebService autoScaling.targetMemoryPercent', (s) => web(s, { autoScaling: { maxCapacity: 10, targetMemoryPercent: num(s) } })],
  ['FargateWebService autoScaling.requestsPerTarget', (s) => web(s, { autoScaling: { maxCapacity: 10, requestsPerTarget: num(s) } }),
    (t) => t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: ref() }) })],
  ['FargateWebService autoScaling.scaleInCooldown and scaleOutCooldown', (s) => web(s, {
    autoScaling: { maxCapacity: 10, targetCpuPercent: 60, scaleInCooldown: Duration.seconds(num(s, 'In')), scaleOutCooldown: Duration.seconds(num(s, 'Out')) },
  }), (t) => t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
    TargetTrackingScalingPolicyConfiguration: Match.objectLike({ ScaleInCooldown: ref('In'), ScaleOutCooldown: ref('Out') }),
  })],
  ['FargateWebService discoveryName', (s) => web(s, { discoveryName: str(s) }),
    (t) => t.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: ref() })],
  ['FargateWebService fargateSpotWeight', (s) => web(s, { fargateSpotWeight: num(s) }),
    (t) => t.hasResourceProperties('AWS::ECS::Service', { CapacityProviderStrategy: Match.arrayWith([{ CapacityProvider: 'FARGATE_SPOT', Weight: ref() }]) })],
  ['FargateWebService deployment: canary percent, stepBakeTime, bakeTime', (s) => web(s, {
    deployment: WebDeployment.canary({ percent: num(s, 'Percent'), stepBakeTime: Duration.minutes(num(s, 'Step')), bakeTime: Duration.minutes(num(s, 'Bake')) }),
  }), (t) => t.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ BakeTimeInMinutes: ref('Bake') }) })],
  ['FargateWebService deployment: linear stepPercent', (s) => web(s, {
    deployment: WebDeployment.linear({ stepPercent: num(s), stepBakeTime: Duration.minutes(1), bakeTime: Duration.minutes(5) }),
  })],
  ['FargateWebService deployment: testHeader name and value', (s) => web(s, {
    deployment: WebDeployment.blueGreen({ bakeTime: Duration.minutes(5), testHeader: { name: str(s, 'Header'), value: str(s, 'HeaderValue') } }),
  })],
  // serviceConnect.port, timeout and idleTimeout: aws-cdk-lib's enableServiceConnect itself rejects
  // tokens there ("Client Alias port ... is not valid", "Duration must be specified as 'Duration.millis()'").
  ['FargateWebService serviceConnect.name', (s) => web(s, { cpu: 512, memoryMiB: 1024, serviceConnect: { name: str(s) } }, {}, { serviceConnect: true }),
    (t) => t.hasResourceProperties('AWS::ECS::Service', { ServiceConnectConfiguration: Match.objectLike({ Services: [Match.objectLike({ ClientAliases: [Match.objectLike({ DnsName: ref() })] })] }) })],
];

const containerRows: Row[] = [
  ['container.port', (s) => web(s, {}, { port: num(s) }),
    (t) => t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: ref() })],
  ['container.healthCheckPath', (s) => web(s, {}, { healthCheckPath: str(s) }),
    (t) => t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: ref() })],
  ['container.environment value', (s) => web(s, {}, { environment: { LOG_LEVEL: str(s) } }),
    containerDefinition({ Environment: [{ Name: 'LOG_LEVEL', Value: ref() }] })],
  ['container.user', (s) => web(s, {}, { user: str(s) }), containerDefinition({ User: ref() })],
  ['container.command and entryPoint', (s) => web(s, {}, { command: [str(s, 'Command')], entryPoint: [str(s, 'EntryPoint')] }),
    containerDefinition({ Command: [ref('Command')], EntryPoint: [ref('EntryPoint')] })],
  ['container.stopTimeout', (s) => web(s, {}, { stopTimeout: Duration.seconds(num(s)) }), containerDefinition({ StopTimeout: ref() })],
  ['container.logRetention', (s) => web(s, {}, { logRetention: num(s) as logs.RetentionDays }),
    (t) => t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: ref() })],
];

const daemonRows: Row[] = [
  ['Ec2DaemonService cpu', (s) => daemon(s, { cpu: num(s) }), containerDefinition({ Cpu: ref() })],
  ['Ec2DaemonService memoryReservationMiB', (s) => daemon(s, { memoryReservationMiB: num(s) }), containerDefinition({ MemoryReservation: ref() })],
  ['Ec2DaemonService memoryLimitMiB', (s) => daemon(s, { memoryLimitMiB: num(s) }), containerDefinition({ Memory: ref() })],
  ['Ec2DaemonService memoryReservationMiB and memoryLimitMiB', (s) => daemon(s, { memoryReservationMiB: num(s, 'Reservation'), memoryLimitMiB: num(s, 'Limit') }),
    containerDefinition({ MemoryReservation: ref('Reservation'), Memory: ref('Limit') })],
  ['Ec2DaemonService container.port', (s) => daemon(s, {}, { port: num(s) }),
    containerDefinition({ PortMappings: [Match.objectLike({ ContainerPort: ref(), HostPort: ref() })] })],
  ['Ec2DaemonService additionalPortMappings containerPort and hostPort', (s) => daemon(s, { additionalPortMappings: [{ containerPort: num(s, 'Port'), hostPort: num(s, 'HostPort') }] }),
    containerDefinition({ PortMappings: [Match.objectLike({ ContainerPort: ref('Port'), HostPort: ref('HostPort') })] })],
  ['Ec2DaemonService hostVolumes hostPath and containerPath', (s) => daemon(s, { hostVolumes: [{ hostPath: str(s, 'HostPath'), containerPath: str(s, 'ContainerPath') }] }),
    (t) => t.hasResourceProperties('AWS::ECS::TaskDefinition', { Volumes: Match.arrayWith([Match.objectLike({ Host: { SourcePath: ref('HostPath') } })]) })],
  ['Ec2DaemonService hostVolumes name', (s) => daemon(s, { hostVolumes: [{ name: str(s), hostPath: '/var/log', containerPath: '/host/var/log' }] })],
  ['Ec2DaemonService discoveryName', (s) => daemon(s, { discoveryName: str(s) }, { port: 4317 }),
    (t) => t.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: ref() })],
];

const batchRows: Row[] = [
  ['BatchTaskSchedule cpu and memoryMiB', (s) => batch(s, { cpu: num(s, 'Cpu'), memoryMiB: num(s, 'Memory') }), (t) => {
    t.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: ref('Cpu'), Memory: ref('Memory') });
    containerDefinition({ Memory: ref('Memory') })(t);
  }],
  ['BatchTaskSchedule cpu and memoryMiB on EC2', (s) => batch(s, { launchOnEc2: true, cpu: num(s, 'Cpu'), memoryMiB: num(s, 'Memory') }),
    (t) => t.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: ref('Cpu'), Memory: ref('Memory') })],
  ['BatchTaskSchedule retries', (s) => batch(s, { retries: num(s) }), (t) => {
    const definition = JSON.stringify(Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0].Properties.DefinitionString);
    expect(definition).toContain('"Ref":"Value"');
    expect(definition).not.toMatch(/e\+289/);
  }],
  ['BatchTaskSchedule timeout', (s) => batch(s, { timeout: Duration.seconds(num(s)) }), (t) => {
    const definition = JSON.stringify(Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0].Properties.DefinitionString);
    expect(definition).toContain('"Ref":"Value"');
  }],
];

/**
 * The places where a token was turned into text by hand and so renders as its placeholder (the
 * number -1.888...e+289, or '${Token[...]}') instead of a reference: each with 40 characters around it.
 */
function tokenPlaceholders(template: Template): string[] {
  const text = JSON.stringify(template.toJSON());
  return [...text.matchAll(/e\+289|\$\{Token\[|Token-TOKEN/g)].map((m) => text.slice(Math.max(0, m.index - 60), m.index + 20));
}

describe('the shared check for deploy-time values', () => {
  test.each([
    ['a number parameter', (s: Stack) => num(s)],
    ['a string parameter', (s: Stack) => str(s)],
    ['a list parameter', (s: Stack) => new CfnParameter(s, 'List', { type: 'CommaDelimitedList' }).valueAsList],
    ['a Lazy number', () => Lazy.number({ produce: () => 1 })],
    ['a Duration of a parameter', (s: Stack) => Duration.seconds(num(s))],
    ['a Size of a parameter', (s: Stack) => Size.gibibytes(num(s))],
  ] as Array<[string, (s: Stack) => unknown]>)('recognizes %s', (_what, make) => {
    expect(isDeployTimeValue(make(newStack()))).toBe(true);
  });

  test.each([3, 'text', ['a'], Duration.seconds(3), Size.gibibytes(3), undefined])('does not take %p for one', (value) => {
    expect(isDeployTimeValue(value)).toBe(false);
  });

  test('checkNumber says what was given and what is allowed, and skips a token', () => {
    const stack = newStack();
    expect(() => checkNumber(stack, 'retries', 11, { min: 0, max: 10, fix: 'Lower it.' })).toThrow('[TestStack] retries: must be an integer from 0 to 10, got 11. Lower it.');
    expect(() => checkNumber(stack, 'retries', num(stack), { min: 0, max: 10 })).not.toThrow();
  });

  test('a stop timeout in fractions of a second fails in the library\'s voice, not aws-cdk-lib\'s conversion error', () => {
    expect(() => web(newStack(), {}, { stopTimeout: Duration.millis(1500) })).toThrow(
      '[TestStack/Api] container.stopTimeout (seconds): must be an integer from 1 to 120, got 1.5.',
    );
  });
});

describe('tokens as prop values', () => {
  test.each([...platformRows, ...ingressRows, ...webRows, ...containerRows, ...daemonRows, ...batchRows])('accepts a token for %s', (...[, build, check]: Row) => {
    const stack = newStack();
    build(stack);
    const template = Template.fromStack(stack);
    expect(tokenPlaceholders(template)).toEqual([]);
    check?.(template);
  });

  test('two services with deploy-time container ports on one ingress each get their load balancer rule', () => {
    const stack = newStack();
    const platform = platformOf(stack);
    const ingress = ingressOf(stack, platform);
    for (const name of ['Orders', 'Catalog']) {
      new FargateWebService(stack, name, { platform, ingress, hostHeaders: [`${name.toLowerCase()}.example.com`], container: { image, port: num(stack, `${name}Port`) } });
    }
    const template = Template.fromStack(stack);
    for (const name of ['OrdersPort', 'CatalogPort']) {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: ref(name), ToPort: ref(name), SourceSecurityGroupId: Match.anyValue() });
      template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { FromPort: ref(name), ToPort: ref(name) });
    }
  });

  test('an EC2 capacity whose minCapacity is a token needs maxCapacity', () => {
    const stack = newStack();
    expect(() => platformOf(stack, { ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), minCapacity: num(stack) } })).toThrow(
      /\[TestStack\/Platform\] ec2Capacity\.maxCapacity: is required when ec2Capacity\.minCapacity is only known at deploy time/,
    );
  });

  test.each([
    ['maxAzs', (s: Stack) => ({ maxAzs: num(s) })],
    ['natGateways', (s: Stack) => ({ natGateways: num(s) })],
  ] as Array<[string, (s: Stack) => EcsPlatformProps]>)('EcsPlatform %s must be known at synth: it decides how many subnets and gateways are created', (prop, props) => {
    const stack = newStack();
    expect(() => platformOf(stack, props(stack))).toThrow(new RegExp(`\\[TestStack/Platform\\] ${prop}: is only known at deploy time, `));
  });

  test('a token priority with a deployment test header is an error: the test rule needs the priority just before it', () => {
    const stack = newStack();
    expect(() => web(stack, {
      priority: num(stack),
      deployment: WebDeployment.blueGreen({ bakeTime: Duration.minutes(5), testHeader: { name: 'x-canary', value: 'true' } }),
    })).toThrow(/\[TestStack\/Api\] priority: is only known at deploy time, and the test rule of deployment\.testHeader/);
  });

  test('an app built from parameters passes every compliance check', () => {
    const app = newApp();
    const stack = new Stack(app, 'ParameterStack');
    const platform = new EcsPlatform(stack, 'Platform', {
      logRetention: num(stack, 'LogRetention') as logs.RetentionDays,
      ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), minCapacity: num(stack, 'Min'), maxCapacity: num(stack, 'Max') },
    });
    const ingress = ingressOf(stack, platform, { idleTimeout: Duration.seconds(num(stack, 'IdleTimeout')) });
    new FargateWebService(stack, 'Api', {
      platform, ingress, hostHeaders: [str(stack, 'Host')],
      container: { image, port: num(stack, 'Port'), user: '101', stopTimeout: Duration.seconds(num(stack, 'StopTimeout')) },
      cpu: num(stack, 'Cpu'), memoryMiB: num(stack, 'Memory'),
      autoScaling: { minCapacity: num(stack, 'ScaleMin'), maxCapacity: num(stack, 'ScaleMax'), targetCpuPercent: num(stack, 'TargetCpu') },
    });
    new Ec2DaemonService(stack, 'Agent', {
      platform, container: { image, user: '10001' }, memoryReservationMiB: num(stack, 'AgentMemory'),
    });
    new BatchTaskSchedule(stack, 'Job', {
      platform, container: { image, user: '1000' }, schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
      cpu: num(stack, 'JobCpu'), memoryMiB: num(stack, 'JobMemory'), retries: num(stack, 'Retries'), timeout: Duration.seconds(num(stack, 'JobTimeout')),
    });
    const result = synthWithCompliance(app);
    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
  });
});
