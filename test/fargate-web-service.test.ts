import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EcsPlatform, FargateWebService, FargateWebServiceProps, WebIngress } from '../packages/cdk-ecs-kit/lib';
import { derivedRulePriority } from '../packages/cdk-ecs-kit/lib/ingress/web-checks';
import { formatFindings, newApp, newStack, synthWithCompliance } from './support/synth';

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/db-AbCdEf';
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');

function platformAndIngress(stack: Stack) {
  const platform = new EcsPlatform(stack, 'Platform');
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);
  const ingress = new WebIngress(stack, 'Ingress', { platform, certificate });
  return { platform, ingress };
}

/** A fresh stack with a platform and an ingress, and a function that adds a service to them. */
function serviceStack() {
  const stack = newStack('Web');
  const { platform, ingress } = platformAndIngress(stack);
  const add = (id: string, props: Partial<FargateWebServiceProps> = {}) => new FargateWebService(stack, id, {
    platform,
    ingress,
    hostHeaders: [`${id.toLowerCase()}.example.com`],
    ...props,
    container: { image, port: 8080, ...props.container },
  });
  return { stack, platform, ingress, add };
}

/** A service with nothing but what is required, on an ingress. */
function buildDefaults(app: App) {
  const stack = new Stack(app, 'Web');
  const { platform, ingress } = platformAndIngress(stack);
  const api = new FargateWebService(stack, 'Api', { platform, ingress, hostHeaders: ['api.example.com'], container: { image, port: 8080 } });
  return { stack, api, ingress };
}

/** Every option: routing, size, scaling, discovery, Spot, secrets, alarms, ECS Exec; a catch-all and an internal service with an ECR image. */
function buildFull(app: App) {
  const stack = new Stack(app, 'Web');
  const { platform, ingress } = platformAndIngress(stack);
  const alarmTopic = new sns.Topic(stack, 'Alarms', { masterKey: platform.encryptionKey, enforceSSL: true });
  // What the README asks of a topic with a policy of its own: CloudWatch may publish to it.
  alarmTopic.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [alarmTopic.topicArn],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  const dbSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'DbSecret', SECRET_ARN);
  const orders = new FargateWebService(stack, 'Orders', {
    platform,
    ingress,
    hostHeaders: ['shop.example.com'],
    pathPatterns: ['/orders/*', '/checkout'],
    priority: 10,
    container: {
      image,
      user: '101',
      port: 8080,
      healthCheckPath: '/healthz',
      environment: { LOG_LEVEL: 'info' },
      secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(dbSecret, 'password') },
      // ECS Exec's agent writes to the root file system.
      readonlyRootFilesystem: false,
    },
    cpu: 512,
    memoryMiB: 1024,
    architecture: ecs.CpuArchitecture.ARM64,
    autoScaling: { minCapacity: 2, maxCapacity: 10, targetCpuPercent: 60, targetMemoryPercent: 70, requestsPerTarget: 500 },
    discoveryName: 'orders',
    deregistrationDelay: Duration.seconds(10),
    alarmTopic,
    enableExecuteCommand: true,
  });
  // Spot on x86_64: ECS does not run ARM64 tasks (Orders) on Fargate Spot.
  const web = new FargateWebService(stack, 'Web', { platform, ingress, container: { image, user: '101', port: 8080 }, fargateSpotWeight: 3 });
  const workerImage = ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'WorkerRepository', 'worker'), 'v1');
  const worker = new FargateWebService(stack, 'Worker', { platform, container: { image: workerImage, user: '1000', port: 9090 }, discoveryName: 'worker' });
  orders.allowFrom(worker);
  return { stack, orders, web, worker, ingress };
}

describe('FargateWebService', () => {
  let defaults: Template;
  let defaultsFixture: ReturnType<typeof buildDefaults>;
  let full: Template;
  let fullFixture: ReturnType<typeof buildFull>;
  beforeAll(() => {
    defaultsFixture = buildDefaults(newApp());
    defaults = Template.fromStack(defaultsFixture.stack);
    fullFixture = buildFull(newApp());
    full = Template.fromStack(fullFixture.stack);
  });

  test('runs tasks in private subnets without a public IP', () => {
    defaults.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          Subnets: [{ Ref: Match.stringLikeRegexp('PrivateSubnet1') }, { Ref: Match.stringLikeRegexp('PrivateSubnet2') }],
        },
      },
    });
  });

  test('runs 2 tasks of 0.25 vCPU and 512 MiB on x86_64 by default', () => {
    defaults.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 2 });
    defaults.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '256',
      Memory: '512',
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
    });
  });

  test('sizes the task from cpu and memoryMiB, on ARM64 when asked', () => {
    full.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '512',
      Memory: '1024',
      RuntimePlatform: { CpuArchitecture: 'ARM64' },
    });
  });

  test("caps the container's memory at the task's, a hard limit Control Tower expects (CT.ECS.PR.7)", () => {
    defaults.hasResourceProperties('AWS::ECS::TaskDefinition', { Memory: '512', ContainerDefinitions: [Match.objectLike({ Memory: 512 })] });
    full.hasResourceProperties('AWS::ECS::TaskDefinition', { Memory: '1024', ContainerDefinitions: [Match.objectLike({ Memory: 1024 })] });
  });

  test('rolls failed deployments back with the circuit breaker, keeping 100 % healthy and up to 200 %', () => {
    defaults.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
      HealthCheckGracePeriodSeconds: 60,
    });
  });

  // ECS API reference, CapacityProviderStrategyItem: "FARGATE_SPOT supports Linux tasks with the
  // ARM64 architecture on platform version 1.4.0 or later" (newer than the Developer Guide page
  // that still says no). Services run on LATEST (1.4.0), so ARM64 with a Spot weight is silent.
  test('runs ARM64 with a Fargate Spot weight without a warning, on the latest platform version', () => {
    const { stack, add } = serviceStack();
    add('Arm', { architecture: ecs.CpuArchitecture.ARM64, fargateSpotWeight: 3 });
    expect(Annotations.fromStack(stack).findWarning('/Web/Arm*', Match.anyValue())).toEqual([]);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64' } });
    template.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: Match.arrayWith([{ CapacityProvider: 'FARGATE_SPOT', Weight: 3 }]),
      PlatformVersion: Match.absent(),
    });
  });

  // A service on a capacity provider strategy must be created after, and deleted before, the
  // cluster's capacity provider association (CloudFormation "AWS::ECS::ClusterCapacityProviderAssociations";
  // otherwise create races it and delete fails with "The capacity provider is in use").
  test('depends on the cluster\'s capacity provider association, so create and delete are ordered', () => {
    for (const template of [defaults, full]) {
      const [associationId] = Object.keys(template.findResources('AWS::ECS::ClusterCapacityProviderAssociations'));
      const services = Object.values(template.findResources('AWS::ECS::Service'));
      expect(services.length).toBeGreaterThan(0);
      for (const service of services) expect(service.DependsOn).toContain(associationId);
    }
  });

  test('runs on Fargate only, unless fargateSpotWeight mixes in Spot after one on-demand task', () => {
    defaults.hasResourceProperties('AWS::ECS::Service', { CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }] });
    full.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: [
        { CapacityProvider: 'FARGATE', Base: 1, Weight: 1 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
      ],
    });
  });

  test('routes its host headers and path patterns with a listener rule on the HTTPS listener', () => {
    full.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: Match.stringLikeRegexp('^IngressLoadBalancerHttpsListener') },
      Priority: 10,
      Conditions: [
        { Field: 'host-header', HostHeaderConfig: { Values: ['shop.example.com'] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/orders/*', '/checkout'] } },
      ],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^OrdersTargetGroup') } }],
    });
  });

  test('gets a priority derived from its construct path when none is given', () => {
    expect(defaultsFixture.api.listenerPriority).toBe(derivedRulePriority('Web/Api'));
    expect(defaultsFixture.api.listenerPriority).toBeGreaterThanOrEqual(1000);
    defaults.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Priority: derivedRulePriority('Web/Api') });
  });

  test('takes every request no other service matches when it has no host or path condition, evaluated last', () => {
    full.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 50000,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^WebTargetGroup') } }],
    });
  });

  test('health-checks the container path every 10 s, healthy after 2 checks, with a 30 s deregistration delay', () => {
    defaults.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Protocol: 'HTTP',
      Port: 8080,
      HealthCheckPath: '/',
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 2,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
    full.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/healthz',
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '10' }]),
    });
  });

  test('registers the container port with the target group', () => {
    defaults.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [{ ContainerName: 'app', ContainerPort: 8080, TargetGroupArn: { Ref: Match.stringLikeRegexp('^ApiTargetGroup') } }],
    });
  });

  test('lets the load balancer reach the tasks only on the container port, through the ingress target group', () => {
    const ingressSg = { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngressSecurityGroup'), 'GroupId'] };
    const targetSg = { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngressTargetSecurityGroup'), 'GroupId'] };
    defaults.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { GroupId: ingressSg, DestinationSecurityGroupId: targetSg, FromPort: 8080, ToPort: 8080 });
    defaults.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: targetSg, SourceSecurityGroupId: ingressSg, FromPort: 8080, ToPort: 8080 });
    defaults.resourceCountIs('AWS::EC2::SecurityGroupEgress', 1);
    defaults.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    defaults.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: { SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiSecurityGroup'), 'GroupId'] }, targetSg] } },
    });
  });

  test('accepts nothing on its own security group until allowFrom opens the container port', () => {
    defaults.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Tasks of Web/Api',
      SecurityGroupIngress: Match.absent(),
    });
    full.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkerSecurityGroup'), 'GroupId'] },
      FromPort: 8080,
      ToPort: 8080,
    });
  });

  test('without an ingress it has no target group and only its own security group', () => {
    expect(fullFixture.worker.targetGroup).toBeUndefined();
    expect(fullFixture.worker.listenerRule).toBeUndefined();
    const [worker] = Object.entries(full.findResources('AWS::ECS::Service'))
      .filter(([logicalId]) => logicalId.startsWith('WorkerService'))
      .map(([, resource]) => resource.Properties);
    expect(worker.LoadBalancers ?? []).toEqual([]);
    expect(worker.HealthCheckGracePeriodSeconds).toBeUndefined();
    expect(worker.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^WorkerSecurityGroup/), 'GroupId'] }]);
  });

  test('registers an A record with a 10 s TTL in the Cloud Map namespace', () => {
    full.hasResourceProperties('AWS::ServiceDiscovery::Service', {
      Name: 'orders',
      NamespaceId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlatformNamespace'), 'Id'] },
      DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] },
    });
    defaults.resourceCountIs('AWS::ServiceDiscovery::Service', 0);
  });

  test('scales between min and max on CPU, memory and requests per target, leaving the count to auto scaling', () => {
    full.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 10, ScalableDimension: 'ecs:service:DesiredCount' });
    full.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 60,
        ScaleOutCooldown: 60,
        ScaleInCooldown: 300,
      },
    });
    full.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' }, TargetValue: 70 }),
    });
    full.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: Match.anyValue() },
        TargetValue: 500,
      }),
    });
    full.hasResourceProperties('AWS::ECS::Service', { ServiceRegistries: Match.anyValue(), DesiredCount: Match.absent() });
    expect(fullFixture.orders.scalableTarget).toBeDefined();
    defaults.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
  });

  test('uses the scale-in and scale-out cooldowns you pass', () => {
    const { stack, add } = serviceStack();
    add('Api', { autoScaling: { maxCapacity: 4, targetCpuPercent: 50, scaleInCooldown: Duration.minutes(10), scaleOutCooldown: Duration.seconds(30) } });
    Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 50, ScaleInCooldown: 600, ScaleOutCooldown: 30 }),
    });
  });

  test('uses the health check grace period and subnets you pass', () => {
    const { stack, add } = serviceStack();
    add('Api', { healthCheckGracePeriod: Duration.seconds(180), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      HealthCheckGracePeriodSeconds: 180,
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({
          AssignPublicIp: 'DISABLED',
          Subnets: [{ Ref: Match.stringLikeRegexp('PublicSubnet1') }, { Ref: Match.stringLikeRegexp('PublicSubnet2') }],
        }),
      },
    });
  });

  test('injects secrets through Secrets, not Environment', () => {
    full.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Environment: [{ Name: 'LOG_LEVEL', Value: 'info' }],
        Secrets: [{ Name: 'DB_PASSWORD', ValueFrom: `${SECRET_ARN}:password::` }],
      })],
    });
  });

  test('lets only the execution role read the secret, and only that secret', () => {
    full.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^OrdersTaskDefinitionExecutionRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
          Resource: SECRET_ARN,
        }]),
      },
    });
    const taskRolePolicies = full.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^OrdersTaskDefinitionTaskRole') }] },
    });
    expect(JSON.stringify(taskRolePolicies)).not.toContain('secretsmanager');
  });

  test('alarms on target 5xx, unhealthy targets and high CPU, and rolls deployments back on the first two', () => {
    const topic = { Ref: Match.stringLikeRegexp('^Alarms') };
    for (const metricName of ['HTTPCode_Target_5XX_Count', 'UnHealthyHostCount', 'CPUUtilization']) {
      full.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metricName, AlarmActions: [topic], OKActions: [topic] });
    }
    full.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Alarms: {
          Enable: true,
          Rollback: true,
          AlarmNames: [{ Ref: Match.stringLikeRegexp('^OrdersTarget5xxAlarm') }, { Ref: Match.stringLikeRegexp('^OrdersUnhealthyTargetsAlarm') }],
        },
      }),
    });
    expect(fullFixture.orders.alarms).toHaveLength(3);
    defaults.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('turns on ECS Exec only when asked', () => {
    full.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: true, ServiceRegistries: Match.anyValue() });
    defaults.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: false });
  });

  test('exposes what it creates', () => {
    const { api } = defaultsFixture;
    expect(api.service).toBeInstanceOf(ecs.FargateService);
    expect(api.taskDefinition).toBeInstanceOf(ecs.FargateTaskDefinition);
    expect(api.container.containerName).toBe('app');
    expect(api.connections.defaultPort?.toString()).toBe('8080');
    expect(api.taskRole).toBeDefined();
    expect(api.executionRole).toBeDefined();
    expect(api.logGroup).toBeDefined();
    expect(api.targetGroup).toBeDefined();
    expect(api.securityGroup).toBeDefined();
    expect(fullFixture.orders.cloudMapService).toBeInstanceOf(servicediscovery.Service);
  });

  test('services in other stacks keep their listener rules, target groups and allowFrom rules in their own stacks, with no cycle', () => {
    const app = newApp();
    const platformStack = new Stack(app, 'Platform');
    const { platform, ingress } = platformAndIngress(platformStack);
    const serviceStackOnly = new Stack(app, 'Orders');
    const orders = new FargateWebService(serviceStackOnly, 'Orders', { platform, ingress, hostHeaders: ['orders.example.com'], container: { image, port: 8080 } });
    const billingStack = new Stack(app, 'Billing');
    const billing = new FargateWebService(billingStack, 'Billing', { platform, ingress, hostHeaders: ['billing.example.com'], container: { image, port: 8080 } });
    billing.allowFrom(orders);

    const service = Template.fromStack(serviceStackOnly);
    const shared = Template.fromStack(platformStack);

    service.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    service.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
    shared.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    shared.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8080 });
    expect(serviceStackOnly.dependencies).toEqual([platformStack]);
    expect(billingStack.dependencies).toEqual(expect.arrayContaining([platformStack, serviceStackOnly]));
    expect(platformStack.dependencies).toEqual([]);
    Template.fromStack(billingStack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8080, Description: 'to Billing/Billing on 8080' });
  });

  test('a fully featured service, a catch-all service and an internal service with an ECR image have no unacknowledged compliance finding', () => {
    const app = newApp();
    buildFull(app);
    const result = synthWithCompliance(app);
    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
  });

  describe('rejects bad input', () => {
    test('a container without a port', () => {
      const { add } = serviceStack();
      expect(() => add('Api', { container: { image, port: undefined } })).toThrow(/\[Web\/Api\] container.port: is required for a web service/);
    });

    test('a port out of range', () => {
      const { add } = serviceStack();
      expect(() => add('Api', { container: { image, port: 70000 } })).toThrow(/container.port: must be an integer from 1 to 65535, got 70000/);
    });

    test('a CPU and memory pair Fargate does not offer', () => {
      const { add } = serviceStack();
      expect(() => add('Api', { cpu: 512, memoryMiB: 512 })).toThrow(/memoryMiB: 512 MiB is not allowed with cpu 512 on Fargate. With cpu 512, use 1024 to 4096/);
    });

    test('a CPU size Fargate does not offer', () => {
      const { add } = serviceStack();
      expect(() => add('Api', { cpu: 300 })).toThrow(/cpu: 300 is not a Fargate CPU size. Use one of 256, 512, 1024/);
    });

    test('a health check path without a leading slash', () => {
      const { add } = serviceStack();
      expect(() => add('Api', { container: { image, port: 8080, healthCheckPath: 'healthz' } })).toThrow(/container.healthCheckPath: 'healthz' is not a valid HTTP path. Start it with '\/'/);
    });

    test('a minimum capacity above the maximum', () => {
      const { add } = serviceStack();
      expect(() => add('Api', { autoScaling: { minCapacity: 5, maxCapacity: 2 } })).toThrow(/autoScaling.minCapacity: \(5\) must not be greater than autoScaling.maxCapacity \(2\)/);
    });

    test('a target CPU percent of 0 or above 100', () => {
      const { add } = serviceStack();
      expect(() => add('Api', { autoScaling: { maxCapacity: 4, targetCpuPercent: 0 } })).toThrow(/autoScaling.targetCpuPercent: must be greater than 0 and at most 100, got 0/);
      expect(() => add('Api2', { autoScaling: { maxCapacity: 4, targetMemoryPercent: 120 } })).toThrow(/autoScaling.targetMemoryPercent: must be greater than 0 and at most 100, got 120/);
    });

    test('a negative desired count', () => {
      const { add } = serviceStack();
      expect(() => add('Api', { desiredCount: -1 })).toThrow(/desiredCount: must be an integer from 0 to 5000, got -1/);
    });

    test('a discovery name that is not a DNS label', () => {
      const { add } = serviceStack();
      expect(() => add('Api', { discoveryName: 'Orders_API' })).toThrow(/discoveryName: 'Orders_API' is not a valid DNS label/);
    });

    test('a discovery name another service on the platform already uses', () => {
      const { add } = serviceStack();
      add('Api', { discoveryName: 'api' });
      expect(() => add('Api2', { discoveryName: 'api' })).toThrow(/\[Web\/Api2\] discoveryName: 'api' is already registered by Web\/Api/);
    });

    test('more than 5 host headers and path patterns in one rule', () => {
      const { add } = serviceStack();
      const hostHeaders = ['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com'];
      expect(() => add('Api', { hostHeaders, pathPatterns: ['/x/*', '/y/*'] })).toThrow(/hostHeaders\/pathPatterns: 4 host headers and 2 path patterns make 6 condition values; an ALB listener rule allows at most 5/);
    });

    test('an invalid host header or path pattern', () => {
      const { add } = serviceStack();
      expect(() => add('Api', { hostHeaders: ['api example.com'] })).toThrow(/hostHeaders: 'api example.com' is not a valid host-header condition value/);
      expect(() => add('Api2', { pathPatterns: ['api/*'] })).toThrow(/pathPatterns: 'api\/\*' is not a valid path-pattern condition value. Start it with '\/'/);
    });

    test('a second service without host or path condition on the same ingress', () => {
      const { add } = serviceStack();
      add('Web', { hostHeaders: undefined });
      expect(() => add('Admin', { hostHeaders: undefined })).toThrow(/\[Web\/Admin\] hostHeaders\/pathPatterns: are both empty, and Web\/Web on the same ingress already takes every request/);
    });

    test('two services with the same conditions on the same ingress', () => {
      const { add } = serviceStack();
      add('Api', { hostHeaders: ['api.example.com'] });
      expect(() => add('Api2', { hostHeaders: ['api.example.com'] })).toThrow(/route exactly the same requests as Web\/Api/);
    });

    test('a priority another service on the same ingress already uses', () => {
      const { add } = serviceStack();
      add('Api', { priority: 10 });
      expect(() => add('Admin', { priority: 10 })).toThrow(/\[Web\/Admin\] priority: 10 is already used by Web\/Api on the same ingress/);
    });

    test('a priority out of range', () => {
      const { add } = serviceStack();
      expect(() => add('Api', { priority: 50000 })).toThrow(/priority: must be an integer from 1 to 49999, got 50000/);
    });

    test('routing props without an ingress', () => {
      const { add } = serviceStack();
      expect(() => add('Api', { ingress: undefined })).toThrow(/hostHeaders: only applies to a service behind an ingress/);
      expect(() => add('Api2', { ingress: undefined, hostHeaders: undefined, autoScaling: { maxCapacity: 4, requestsPerTarget: 100 } }))
        .toThrow(/autoScaling.requestsPerTarget: only applies to a service behind an ingress/);
    });

    test('ECS Exec with a read-only root file system', () => {
      const { add } = serviceStack();
      expect(() => add('Api', { enableExecuteCommand: true })).toThrow(/enableExecuteCommand: needs a writable root file system.*Set container.readonlyRootFilesystem: false/);
    });

    test('a Fargate Spot weight out of range', () => {
      const { add } = serviceStack();
      expect(() => add('Api', { fargateSpotWeight: -1 })).toThrow(/fargateSpotWeight: must be an integer from 0 to 1000, got -1/);
    });
  });
});
