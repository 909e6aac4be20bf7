import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  Ec2DaemonService,
  Ec2DaemonServiceProps,
  EcsPlatform,
  EcsPlatformProps,
  FargateWebService,
  FargateWebServiceProps,
  WebDeployment,
  WebIngress,
} from '../packages/cdk-ecs-kit/lib';
import { FLAG_CONTEXTS, formatFindings, newAppInContext, newStack, synthWithCompliance } from './support/synth';

// AWS documents the rules these tests hold the templates to in the ECS Developer Guide:
// "Amazon ECS Service Connect components" (proxy sizing, namespaces, clients),
// "Service Connect configuration" / ServiceConnectService in the ECS API reference (names, ports,
// timeouts, ingressPortOverride), and "Service Connect TLS" (Private CA, infrastructure role).

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');
const agentImage = ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0');
const NAMESPACE_ID = 'ns-0123456789abcdef';
const NAMESPACE_ARN = `arn:aws:servicediscovery:eu-west-1:123456789012:namespace/${NAMESPACE_ID}`;
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const CA_ARN = 'arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555';

function importedVpc(stack: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
    privateSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaaa', 'rtb-0bbbbbbbbbbbbbbbb'],
  });
}

/** A Service Connect platform imported from another app by its attributes. */
function importedServiceConnectPlatform(stack: Stack, id: string) {
  return EcsPlatform.fromAttributes(stack, id, {
    vpc: importedVpc(stack),
    clusterName: 'shop',
    namespaceName: 'internal',
    namespaceId: NAMESPACE_ID,
    namespaceArn: NAMESPACE_ARN,
    encryptionKeyArn: KEY_ARN,
    serviceConnect: true,
  });
}

function platformIn(stack: Stack, props: EcsPlatformProps = {}): EcsPlatform {
  return new EcsPlatform(stack, 'Platform', { serviceConnect: true, ...props });
}

/** A Service Connect platform and a function that adds a 0.5 vCPU / 1 GiB web service to it. */
function scStack(platformProps: EcsPlatformProps = {}) {
  const stack = newStack('Sc');
  const platform = platformIn(stack, platformProps);
  const add = (id: string, props: Partial<FargateWebServiceProps> = {}) => new FargateWebService(stack, id, {
    platform,
    cpu: 512,
    memoryMiB: 1024,
    ...props,
    container: { image, user: '101', port: 8080, ...props.container },
  });
  return { stack, platform, add };
}

function ec2Platform(stack: Stack, serviceConnect = true): EcsPlatform {
  return new EcsPlatform(stack, 'Platform', { serviceConnect, ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') } });
}

function daemonIn(stack: Stack, platform: EcsPlatform, props: Partial<Ec2DaemonServiceProps> = {}): Ec2DaemonService {
  return new Ec2DaemonService(stack, 'Agent', {
    platform,
    ...props,
    container: { image: agentImage, user: '10001', port: 4317, ...props.container },
  });
}

/** Two services: Web calls Orders through Service Connect; Orders also keeps its DNS name. */
function buildPair(app: App) {
  const stack = new Stack(app, 'Sc');
  const platform = platformIn(stack);
  const orders = new FargateWebService(stack, 'Orders', {
    platform,
    cpu: 512,
    memoryMiB: 1024,
    container: { image, user: '101', port: 8080 },
    discoveryName: 'orders',
    serviceConnect: { timeout: Duration.seconds(5), idleTimeout: Duration.minutes(2) },
  });
  const web = new FargateWebService(stack, 'Web', { platform, cpu: 512, memoryMiB: 1024, container: { image, user: '101', port: 8080 } });
  orders.allowFrom(web);
  return { stack, platform, orders, web };
}

describe('EcsPlatform with serviceConnect', () => {
  test('makes its private DNS namespace the cluster\'s Service Connect namespace (ServiceConnectDefaults)', () => {
    const { stack } = scStack();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ServiceDiscovery::PrivateDnsNamespace', 1);
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ServiceConnectDefaults: { Namespace: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlatformNamespace'), 'Arn'] } },
    });
  });

  test('leaves the cluster without ServiceConnectDefaults by default', () => {
    const stack = newStack();
    const platform = new EcsPlatform(stack, 'Platform');
    expect(platform.serviceConnectEnabled).toBe(false);
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Cluster', { ServiceConnectDefaults: Match.absent() });
  });

  test('imported platforms take serviceConnect from their attributes or lookup options', () => {
    const stack = newStack('Service');
    const imported = importedServiceConnectPlatform(stack, 'Imported');
    const looked = EcsPlatform.fromPlatformName(stack, 'Looked', 'shop', { serviceConnect: true });
    expect(imported.serviceConnectEnabled).toBe(true);
    expect(looked.serviceConnectEnabled).toBe(true);
    expect(EcsPlatform.fromPlatformName(stack, 'Plain', 'shop').serviceConnectEnabled).toBe(false);
  });
});

describe('FargateWebService with Service Connect', () => {
  test('serves under its name: PortName, DiscoveryName, ClientAliases and timeouts on the namespace ARN', () => {
    const { stack } = buildPair(new App());
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: {
        Enabled: true,
        Namespace: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlatformNamespace'), 'Arn'] },
        Services: [{
          PortName: 'app-8080',
          DiscoveryName: 'orders-sc',
          ClientAliases: [{ DnsName: 'orders', Port: 8080 }],
          Timeout: { PerRequestTimeoutSeconds: 5, IdleTimeoutSeconds: 120 },
        }],
      },
      // discoveryName keeps its DNS records for clients without a proxy.
      ServiceRegistries: [Match.objectLike({ RegistryArn: Match.anyValue() })],
    });
  });

  test('every service on the platform is a client: Enabled with no Services', () => {
    const { stack } = buildPair(new App());
    const services = Template.fromStack(stack).findResources('AWS::ECS::Service');
    const web = Object.entries(services).find(([id]) => id.startsWith('Web'))![1];
    expect(web.Properties.ServiceConnectConfiguration).toEqual(expect.objectContaining({ Enabled: true }));
    expect(web.Properties.ServiceConnectConfiguration.Services).toBeUndefined();
  });

  test('depends on the namespace', () => {
    const { stack } = buildPair(new App());
    const services = Template.fromStack(stack).findResources('AWS::ECS::Service');
    for (const service of Object.values(services)) {
      expect(service.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^PlatformNamespace/)]));
    }
  });

  test('sends proxy logs and JSON access logs (no query strings) to its own log group', () => {
    const { stack } = buildPair(new App());
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: {
        LogConfiguration: {
          LogDriver: 'awslogs',
          Options: { 'awslogs-group': { Ref: Match.stringLikeRegexp('^OrdersServiceConnectLogGroup') }, 'awslogs-stream-prefix': 'service-connect' },
        },
        AccessLogConfiguration: { Format: 'JSON', IncludeQueryParameters: 'DISABLED' },
      },
    });
  });

  test('the proxy log group is encrypted with the platform key and retained', () => {
    const { stack } = buildPair(new App());
    const template = Template.fromStack(stack);
    const groups = template.findResources('AWS::Logs::LogGroup');
    const proxyGroups = Object.entries(groups).filter(([id]) => /ServiceConnectLogGroup/.test(id));
    expect(proxyGroups).toHaveLength(2);
    for (const [, group] of proxyGroups) {
      expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PlatformEncryptionKey/), 'Arn'] });
      expect(group.Properties.RetentionInDays).toBe(365);
      expect(group.DeletionPolicy).toBe('Retain');
      expect(group.UpdateReplacePolicy).toBe('Retain');
    }
  });

  test('the server\'s port mapping says HTTP, and the app container leaves the proxy 64 MiB', () => {
    const { stack } = buildPair(new App());
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '512',
      Memory: '1024',
      ContainerDefinitions: [Match.objectLike({ Memory: 960, PortMappings: [{ ContainerPort: 8080, Name: 'app-8080', AppProtocol: 'http', Protocol: 'tcp' }] })],
    });
  });

  test('adds no security group rule: allowFrom alone opens the container port', () => {
    const pair = buildPair(new App());
    const template = Template.fromStack(pair.stack);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8080, ToPort: 8080, IpProtocol: 'tcp' });
    for (const group of Object.values(template.findResources('AWS::EC2::SecurityGroup'))) {
      expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    }

    const lone = scStack();
    lone.add('Orders', { serviceConnect: { name: 'orders' } });
    lone.add('Web');
    Template.fromStack(lone.stack).resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('TLS through AWS Private CA: a role with the AWS managed policy, and the KMS key granted', () => {
    const { stack, platform, add } = scStack();
    const key = new kms.Key(stack, 'TlsKey', { enableKeyRotation: true });
    const orders = add('Orders', { serviceConnect: { name: 'orders', tls: { certificateAuthorityArn: CA_ARN, kmsKey: key } } });
    expect(orders.serviceConnectTlsRole).toBeDefined();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: {
        Services: [Match.objectLike({
          Tls: {
            IssuerCertificateAuthority: { AwsPcaAuthorityArn: CA_ARN },
            KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TlsKey'), 'Arn'] },
            RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersServiceConnectTlsRole'), 'Arn'] },
          },
        })],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity']] }],
    });
    expect(platform.serviceConnectEnabled).toBe(true);
  });

  test('works on a platform imported from another app, with the namespace ARN it was given', () => {
    const stack = newStack('Service');
    const platform = importedServiceConnectPlatform(stack, 'Platform');
    new FargateWebService(stack, 'Orders', { platform, cpu: 512, memoryMiB: 1024, container: { image, port: 8080 }, serviceConnect: { name: 'orders' } });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: {
        Enabled: true,
        Namespace: NAMESPACE_ARN,
        Services: [Match.objectLike({ ClientAliases: [{ DnsName: 'orders', Port: 8080 }] })],
      },
    });
  });

  test('leaves today\'s template alone on a platform without Service Connect', () => {
    const stack = newStack();
    const platform = new EcsPlatform(stack, 'Platform');
    new FargateWebService(stack, 'Api', { platform, container: { image, port: 8080 } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', { ServiceConnectConfiguration: Match.absent() });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Memory: 512, PortMappings: [{ ContainerPort: 8080, Name: 'app-8080', Protocol: 'tcp' }] })],
    });
  });

  describe('rejects at synth', () => {
    test('a task too small for the app and the proxy, with the numbers', () => {
      const { add } = scStack();
      expect(() => add('Small', { cpu: 256, memoryMiB: 512 })).toThrow(
        /\[Sc\/Small\] cpu: a task of 256 CPU units and 512 MiB on a Service Connect platform leaves the app 0 CPU units and 448 MiB .*256 CPU units and 64 MiB AWS recommends.*at least 512 CPU units and 576 MiB\. Use cpu: 512 with memoryMiB: 1024 or larger\./,
      );
    });

    test('the default task size (256 CPU units) on a Service Connect platform, also for a client', () => {
      const { stack, platform } = scStack();
      expect(() => new FargateWebService(stack, 'Client', { platform, container: { image, port: 8080 } })).toThrow(/cpu: a task of 256 CPU units/);
    });

    test('serviceConnect on a platform without Service Connect', () => {
      const stack = newStack('Plain');
      const platform = new EcsPlatform(stack, 'Platform');
      expect(() => new FargateWebService(stack, 'Orders', { platform, container: { image, port: 8080 }, serviceConnect: { name: 'orders' } }))
        .toThrow(/\[Plain\/Orders\] serviceConnect: Plain\/Platform has no Service Connect namespace.*serviceConnect: true/);
    });

    test('serviceConnect without a name or a discoveryName', () => {
      const { add } = scStack();
      expect(() => add('Orders', { serviceConnect: {} })).toThrow(/\[Sc\/Orders\] serviceConnect.name: is required when the service has no discoveryName/);
    });

    test('an invalid Service Connect name', () => {
      const { add } = scStack();
      expect(() => add('Orders', { serviceConnect: { name: '1orders' } })).toThrow(/serviceConnect.name: '1orders' is not a valid Service Connect name/);
      expect(() => add('Billing', { discoveryName: '9billing', serviceConnect: {} })).toThrow(/serviceConnect.name \(from discoveryName\): '9billing'/);
    });

    test('a name another service already serves', () => {
      const { add } = scStack();
      add('Orders', { serviceConnect: { name: 'orders' } });
      expect(() => add('Orders2', { serviceConnect: { name: 'orders' } })).toThrow(/\[Sc\/Orders2\] serviceConnect.name: 'orders' is already served by Sc\/Orders/);
    });

    test('fractional timeouts', () => {
      const { add } = scStack();
      expect(() => add('A', { serviceConnect: { name: 'a', timeout: Duration.millis(1500) } })).toThrow(/serviceConnect.timeout: must be a whole number of seconds/);
      expect(() => add('B', { serviceConnect: { name: 'b', idleTimeout: Duration.seconds(0.5) } })).toThrow(/serviceConnect.idleTimeout: must be a whole number of seconds from 0 \(off\) to 2147483647, got 0.5 seconds/);
    });

    test('a TLS certificate authority that is not a Private CA ARN', () => {
      const { add } = scStack();
      expect(() => add('A', { serviceConnect: { name: 'a', tls: { certificateAuthorityArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x' } } }))
        .toThrow(/serviceConnect.tls.certificateAuthorityArn: .* is not an AWS Private CA certificate authority ARN/);
    });
  });
});

describe('Ec2DaemonService with Service Connect', () => {
  test('serves in awsvpc mode, with TLS', () => {
    const stack = newStack('Agents');
    const agent = daemonIn(stack, ec2Platform(stack), {
      networkMode: ecs.NetworkMode.AWS_VPC,
      serviceConnect: { name: 'otel', appProtocol: ecs.AppProtocol.grpc, tls: { certificateAuthorityArn: CA_ARN } },
    });
    expect(agent.serviceConnectLogGroup).toBeDefined();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      SchedulingStrategy: 'DAEMON',
      ServiceConnectConfiguration: {
        Enabled: true,
        Services: [Match.objectLike({ PortName: 'app-4317', DiscoveryName: 'otel-sc', ClientAliases: [{ DnsName: 'otel', Port: 4317 }], Tls: Match.anyValue() })],
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
        AccessLogConfiguration: { Format: 'JSON', IncludeQueryParameters: 'DISABLED' },
      },
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ PortMappings: [Match.objectLike({ ContainerPort: 4317, Name: 'app-4317', AppProtocol: 'grpc' })] })],
    });
  });

  test('serves in bridge mode; allowFrom also opens the ephemeral host ports the proxy listens on', () => {
    const stack = newStack('Agents');
    const platform = ec2Platform(stack);
    const agent = daemonIn(stack, platform, { serviceConnect: { name: 'otel' } });
    const web = new FargateWebService(stack, 'Web', { platform, cpu: 512, memoryMiB: 1024, container: { image, user: '101', port: 8080 } });
    agent.allowFrom(web);
    const after = Template.fromStack(stack);
    after.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 4317, ToPort: 4317 });
    after.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 32768, ToPort: 65535, IpProtocol: 'tcp' });
  });

  test('a bridge daemon on a Service Connect platform is a client; a host-mode daemon is not', () => {
    const stack = newStack('Agents');
    const platform = ec2Platform(stack);
    const bridge = daemonIn(stack, platform);
    const host = new Ec2DaemonService(stack, 'HostAgent', {
      platform,
      networkMode: ecs.NetworkMode.HOST,
      container: { image: agentImage, user: '10001', port: 4318 },
    });
    expect(bridge.serviceConnectLogGroup).toBeDefined();
    expect(host.serviceConnectLogGroup).toBeUndefined();
    const services = Template.fromStack(stack).findResources('AWS::ECS::Service');
    const hostService = Object.entries(services).find(([id]) => id.startsWith('HostAgent'))![1];
    expect(hostService.Properties.ServiceConnectConfiguration).toBeUndefined();
  });

  describe('rejects at synth', () => {
    test('host mode', () => {
      const stack = newStack('Agents');
      expect(() => daemonIn(stack, ec2Platform(stack), { networkMode: ecs.NetworkMode.HOST, serviceConnect: { name: 'otel' } }))
        .toThrow(/\[Agents\/Agent\] serviceConnect: ECS supports Service Connect only in awsvpc and bridge mode, and the network mode is host/);
    });

    test('TLS in bridge mode', () => {
      const stack = newStack('Agents');
      expect(() => daemonIn(stack, ec2Platform(stack), { serviceConnect: { name: 'otel', tls: { certificateAuthorityArn: CA_ARN } } }))
        .toThrow(/serviceConnect.tls: ECS supports Service Connect TLS only in awsvpc mode/);
    });

    test('a per-request timeout on a TCP port', () => {
      const stack = newStack('Agents');
      expect(() => daemonIn(stack, ec2Platform(stack), { serviceConnect: { name: 'otel', timeout: Duration.seconds(5) } }))
        .toThrow(/serviceConnect.timeout: applies to HTTP, HTTP\/2 and gRPC only/);
    });

    test('no container port', () => {
      const stack = newStack('Agents');
      expect(() => new Ec2DaemonService(stack, 'Agent', { platform: ec2Platform(stack), container: { image: agentImage }, serviceConnect: { name: 'otel' } }))
        .toThrow(/serviceConnect: needs the port the container listens on/);
    });

    test('a platform without Service Connect', () => {
      const stack = newStack('Agents');
      expect(() => daemonIn(stack, ec2Platform(stack, false), { serviceConnect: { name: 'otel' } })).toThrow(/has no Service Connect namespace/);
    });
  });
});

describe.each(Object.entries(FLAG_CONTEXTS))('Service Connect compliance with %s', (_name, context) => {
  test('two services, one calling the other, with TLS, and a bridge and an awsvpc daemon: no unacknowledged finding', () => {
    const app = newAppInContext(context);
    const { stack, platform } = buildPair(app);
    new FargateWebService(stack, 'Secure', {
      platform,
      cpu: 512,
      memoryMiB: 1024,
      container: { image, user: '101', port: 8080 },
      serviceConnect: { name: 'secure', tls: { certificateAuthorityArn: CA_ARN } },
    });
    const agents = new Stack(app, 'Agents');
    const ec2 = ec2Platform(agents);
    daemonIn(agents, ec2, { memoryLimitMiB: 512, serviceConnect: { name: 'otel' } });
    new Ec2DaemonService(agents, 'VpcAgent', {
      platform: ec2,
      networkMode: ecs.NetworkMode.AWS_VPC,
      memoryLimitMiB: 512,
      container: { image: agentImage, user: '10001', port: 4318 },
      serviceConnect: { name: 'otel-http', appProtocol: ecs.AppProtocol.http },
    });
    const result = synthWithCompliance(app);
    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
  });
});

describe('Service Connect with progressive delivery', () => {
  // ECS "Service Connect resources for blue/green deployments": requests of Service Connect clients
  // that carry the test header reach the new version during the test stage.
  test('the deployment\'s test header is the Service Connect test traffic rule of the server', () => {
    const { stack, platform } = scStack();
    const ingress = new WebIngress(stack, 'Ingress', { platform, allowPlainHttp: true, internetFacing: false });
    new FargateWebService(stack, 'Orders', {
      platform,
      ingress,
      hostHeaders: ['orders.example.com'],
      cpu: 512,
      memoryMiB: 1024,
      container: { image, user: '101', port: 8080 },
      serviceConnect: { name: 'orders' },
      deployment: WebDeployment.canary({ percent: 10, stepBakeTime: Duration.minutes(5), bakeTime: Duration.minutes(10), testHeader: { name: 'x-canary', value: 'yes' } }),
    });
    new FargateWebService(stack, 'Rolling', { platform, cpu: 512, memoryMiB: 1024, container: { image, user: '101', port: 8080 }, serviceConnect: { name: 'rolling' } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: Match.objectLike({
        Services: [Match.objectLike({ ClientAliases: [Match.objectLike({ TestTrafficRules: { Header: { Name: 'x-canary', Value: { Exact: 'yes' } } } })] })],
      }),
    });
    const withRules = Object.values(template.findResources('AWS::ECS::Service'))
      .filter((s) => s.Properties.ServiceConnectConfiguration?.Services?.[0]?.ClientAliases?.[0]?.TestTrafficRules);
    expect(withRules).toHaveLength(1);
  });
});
