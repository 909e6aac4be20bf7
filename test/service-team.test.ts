import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { EcsPlatform, FargateWebService, WebIngress } from 'cdk-ecs-kit';
import { ShopPlatformStack } from '../examples/service-team/platform-app';
import { ShopServiceStack, storefrontProps } from '../examples/service-team/service-app';
import { formatFindings, newApp, newStack, synthWithCompliance } from './support/synth';

const SSM_TYPE = 'AWS::SSM::Parameter::Value<String>';
const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';

type Json = any;

/** Synthesizes one stack of its own app with the nag packs and the validator; returns its template. */
function synthAlone(build: (app: App) => Stack): { template: Json; findings: string[] } {
  const app = newApp();
  const stack = build(app);
  const result = synthWithCompliance(app);
  if (result.error) throw result.error;
  return { template: app.synth().getStackByName(stack.stackName).template, findings: formatFindings(result.findings) };
}

const platformApp = synthAlone((app) => new ShopPlatformStack(app, 'ShopPlatform'));
const serviceApp = synthAlone((app) => new ShopServiceStack(app, 'ShopService'));

/** The same storefront service, in a stack that also holds its platform and ingress (published as 'shop'). */
const sameApp = synthAlone((app) => {
  const stack = new Stack(app, 'ShopService');
  const platform = new EcsPlatform(stack, 'Platform', { platformName: 'shop' });
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);
  const ingress = new WebIngress(stack, 'Ingress', { platform, certificate, ingressName: 'shop' });
  new FargateWebService(stack, 'Storefront', storefrontProps(platform, ingress));
  return stack;
});

/** SSM parameter names a template reads, by template parameter id. */
function readParameters(template: Json): Map<string, string> {
  return new Map(Object.entries(template.Parameters ?? {})
    .filter(([, p]: [string, Json]) => p.Type === SSM_TYPE && String(p.Default).startsWith('/cdk-ecs-kit/'))
    .map(([id, p]: [string, Json]) => [id, p.Default as string]));
}

/** SSM parameter names a template publishes, with the value each holds. */
function publishedParameters(template: Json): Array<{ name: string; value: Json }> {
  return Object.values(template.Resources).filter((r: Json) => r.Type === 'AWS::SSM::Parameter')
    .map((r: Json) => ({ name: r.Properties.Name, value: r.Properties.Value }));
}

/**
 * Rewrites what differs between a same-app and a service-app template into the SSM name both
 * stand for: a Ref to an SSM template parameter, and (same app) any value the platform publishes.
 */
function normalize(value: Json, template: Json): Json {
  const reads = readParameters(template);
  const published = publishedParameters(template).map((p) => ({ name: p.name, value: JSON.stringify(p.value) }));
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      if (typeof v.Ref === 'string' && reads.has(v.Ref)) return `SSM:${reads.get(v.Ref)}`;
      // The imported key ARN is passed through Fn::Sub (see imported-platform.ts).
      if (Array.isArray(v['Fn::Sub']) && v['Fn::Sub'][0] === '${KeyArn}') return walk(v['Fn::Sub'][1].KeyArn);
      const match = published.find((p) => p.value === JSON.stringify(v));
      if (match) return `SSM:${match.name}`;
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(value);
}

/** The one resource of `type` whose logical id starts with `prefix`. */
function resource(template: Json, type: string, prefix = 'Storefront'): Json {
  const found = Object.entries(template.Resources)
    .filter(([id, r]: [string, Json]) => r.Type === type && id.startsWith(prefix));
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0][1];
}

describe('examples/service-team: a platform app and a service app that share nothing but names', () => {
  test('both apps synthesize, each in its own App, with no nag or CloudFormation-validator finding', () => {
    expect(platformApp.findings).toEqual([]);
    expect(serviceApp.findings).toEqual([]);
  });

  test('the service app references the platform app only through SSM parameters, never Fn::ImportValue', () => {
    expect(JSON.stringify(serviceApp.template)).not.toContain('Fn::ImportValue');
    const params = Object.values(serviceApp.template.Parameters ?? {}) as Json[];
    const ssm = params.filter((p) => p.Type === SSM_TYPE);
    // The only other parameter is the bootstrap version of the default synthesizer.
    expect(params.filter((p) => p.Type !== SSM_TYPE || !p.Default.startsWith('/cdk-ecs-kit/')).map((p) => p.Default)).toEqual(['/cdk-bootstrap/hnb659fds/version']);
    for (const p of ssm.filter((q) => !q.Default.startsWith('/cdk-bootstrap/'))) expect(p.Default).toMatch(/^\/cdk-ecs-kit\/(shop|ingress\/shop)\/[a-z0-9-]+$/);
    expect(ssm.some((p) => p.Default.startsWith('/cdk-ecs-kit/shop/'))).toBe(true);
    expect(ssm.some((p) => p.Default.startsWith('/cdk-ecs-kit/ingress/shop/'))).toBe(true);
  });

  test('the platform app publishes exactly the parameters a service app reads (each read only when used)', () => {
    const published = publishedParameters(platformApp.template).map((p) => p.name).sort();
    expect(published).toEqual(expect.arrayContaining([...readParameters(serviceApp.template).values()]));
    const stack = newStack('Reader');
    const platform = EcsPlatform.fromPlatformName(stack, 'Platform', 'shop');
    const ingress = WebIngress.fromIngressName(stack, 'Ingress', 'shop');
    new FargateWebService(stack, 'Storefront', storefrontProps(platform, ingress));
    const used = [platform.vpc.vpcCidrBlock, ...platform.vpc.availabilityZones, platform.namespace.namespaceName, platform.namespace.namespaceArn];
    used.forEach((value, i) => new CfnOutput(stack, `Used${i}`, { value }));
    expect([...readParameters(Template.fromStack(stack).toJSON()).values()].sort()).toEqual(published);
  });

  describe('the storefront routes, registers and scales like the same service next to its platform', () => {
    test('listener rule: same conditions, priority and forward action, on the published listener', () => {
      const imported = normalize(resource(serviceApp.template, 'AWS::ElasticLoadBalancingV2::ListenerRule').Properties, serviceApp.template);
      const local = normalize(resource(sameApp.template, 'AWS::ElasticLoadBalancingV2::ListenerRule').Properties, sameApp.template);
      expect(imported).toEqual(local);
      expect(imported.ListenerArn).toBe('SSM:/cdk-ecs-kit/ingress/shop/listener-arn');
      expect(imported.Conditions).toEqual([{ Field: 'host-header', HostHeaderConfig: { Values: ['shop.example.com'] } }]);
    });

    test('Cloud Map: same name, A record and TTL, in the published namespace', () => {
      const imported = normalize(resource(serviceApp.template, 'AWS::ServiceDiscovery::Service').Properties, serviceApp.template);
      const local = normalize(resource(sameApp.template, 'AWS::ServiceDiscovery::Service').Properties, sameApp.template);
      expect(imported).toEqual(local);
      expect(imported.Name).toBe('storefront');
      expect(imported.DnsConfig).toEqual({ DnsRecords: [{ TTL: 10, Type: 'A' }], NamespaceId: 'SSM:/cdk-ecs-kit/shop/namespace-id', RoutingPolicy: 'MULTIVALUE' });
    });

    test('scaling: same bounds and target-tracking policies; requests per target measured on the load balancer of the published listener', () => {
      const target = (t: Json) => normalize(resource(t, 'AWS::ApplicationAutoScaling::ScalableTarget').Properties, t);
      expect(target(serviceApp.template)).toEqual(target(sameApp.template));
      expect(target(serviceApp.template)).toMatchObject({ MinCapacity: 2, MaxCapacity: 10 });
      const policies = (t: Json) => Object.values(t.Resources).filter((r: Json) => r.Type === 'AWS::ApplicationAutoScaling::ScalingPolicy')
        .map((r: Json) => normalize(r.Properties.TargetTrackingScalingPolicyConfiguration, t))
        .sort((a: Json, b: Json) => a.PredefinedMetricSpecification.PredefinedMetricType.localeCompare(b.PredefinedMetricSpecification.PredefinedMetricType));
      const imported = policies(serviceApp.template);
      expect(imported).toEqual(policies(sameApp.template));
      expect(imported.map((p: Json) => [p.PredefinedMetricSpecification.PredefinedMetricType, p.TargetValue]))
        .toEqual([['ALBRequestCountPerTarget', 500], ['ECSServiceAverageCPUUtilization', 60]]);
      // app/NAME/ID from the listener ARN, then the target group's full name.
      expect(JSON.stringify(imported[0].PredefinedMetricSpecification.ResourceLabel)).toContain('SSM:/cdk-ecs-kit/ingress/shop/listener-arn');
    });

    test('ECS service: same capacity providers, load balancer and registry; two private subnets without public IP', () => {
      const service = (t: Json) => normalize(resource(t, 'AWS::ECS::Service').Properties, t);
      const imported = service(serviceApp.template);
      const local = service(sameApp.template);
      for (const key of ['CapacityProviderStrategy', 'LoadBalancers', 'ServiceRegistries', 'DeploymentConfiguration', 'Cluster', 'HealthCheckGracePeriodSeconds']) {
        expect([key, imported[key]]).toEqual([key, local[key]]);
      }
      expect(imported.Cluster).toBe('SSM:/cdk-ecs-kit/shop/cluster-name');
      for (const network of [imported, local].map((s) => s.NetworkConfiguration.AwsvpcConfiguration)) {
        expect(network.AssignPublicIp).toBe('DISABLED');
        expect(network.Subnets).toHaveLength(2);
      }
      expect(JSON.stringify(imported.NetworkConfiguration.AwsvpcConfiguration.Subnets)).toContain('SSM:/cdk-ecs-kit/shop/private-subnet-ids');
    });

    test('log group encrypted with the platform key, imported by ARN', () => {
      const key = (t: Json) => normalize(resource(t, 'AWS::Logs::LogGroup').Properties.KmsKeyId, t);
      expect(key(serviceApp.template)).toBe('SSM:/cdk-ecs-kit/shop/encryption-key-arn');
      expect(key(sameApp.template)).toBe('SSM:/cdk-ecs-kit/shop/encryption-key-arn');
    });
  });

  describe('an imported ingress opens only each service to the load balancer', () => {
    const stack = newStack('Services');
    const platform = EcsPlatform.fromPlatformName(stack, 'Platform', 'shop');
    const ingress = WebIngress.fromIngressName(stack, 'Ingress', 'shop');
    const first = new FargateWebService(stack, 'Storefront', storefrontProps(platform, ingress));
    const second = new FargateWebService(stack, 'Checkout', { ...storefrontProps(platform, ingress), hostHeaders: ['checkout.example.com'], discoveryName: 'checkout' });
    const template = Template.fromStack(stack).toJSON();
    const lbGroup = [...readParameters(template).entries()].find(([, name]) => name === '/cdk-ecs-kit/ingress/shop/security-group-id')![0];
    const byType = (type: string) => Object.values(template.Resources).filter((r: Json) => r.Type === type).map((r: Json) => r.Properties);

    test('each service group accepts the container port from the load balancer group, and the load balancer group may send only there', () => {
      for (const service of [first, second]) {
        const groupId = stack.resolve(service.securityGroup.securityGroupId);
        expect(byType('AWS::EC2::SecurityGroupIngress')).toContainEqual(expect.objectContaining({
          GroupId: groupId, SourceSecurityGroupId: { Ref: lbGroup }, IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080,
        }));
        expect(byType('AWS::EC2::SecurityGroupEgress')).toContainEqual(expect.objectContaining({
          GroupId: { Ref: lbGroup }, DestinationSecurityGroupId: groupId, IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080,
        }));
      }
      expect(first.service.connections.securityGroups).toEqual([first.securityGroup]);
    });

    test('two services produce distinct rules (CloudFormation rejects a duplicate)', () => {
      for (const type of ['AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress']) {
        const rules = byType(type).map((p) => JSON.stringify({ ...p, Description: undefined }));
        expect(rules).toHaveLength(2);
        expect(new Set(rules).size).toBe(rules.length);
      }
    });
  });
});

describe('EcsPlatform.fromAttributes and the lookups by name', () => {
  test('a platform from literal attributes runs a service in its cluster, subnets and namespace, logging with its key', () => {
    const stack = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
      privateSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaaa', 'rtb-0bbbbbbbbbbbbbbbb'],
    });
    const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const platform = EcsPlatform.fromAttributes(stack, 'Platform', {
      vpc,
      clusterName: 'shop',
      namespaceName: 'internal',
      namespaceId: 'ns-0123456789abcdef',
      namespaceArn: 'arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-0123456789abcdef',
      encryptionKeyArn: keyArn,
    });
    expect(platform.imported).toBe(true);
    new FargateWebService(stack, 'Worker', { platform, container: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable'), port: 8080 }, discoveryName: 'worker' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      Cluster: 'shop',
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED', Subnets: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'] } },
    });
    template.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'worker', DnsConfig: { NamespaceId: 'ns-0123456789abcdef' } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: keyArn });
  });

  test('rejects ec2CapacityProviderName without ec2SecurityGroupId', () => {
    const stack = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['a'], privateSubnetIds: ['s-1'], privateSubnetRouteTableIds: ['r-1'] });
    expect(() => EcsPlatform.fromAttributes(stack, 'Platform', {
      vpc, clusterName: 'c', namespaceName: 'internal', namespaceId: 'ns-1', namespaceArn: 'arn', encryptionKeyArn: 'arn', ec2CapacityProviderName: 'cp',
    })).toThrow(/Platform.*ec2CapacityProviderName.*ec2SecurityGroupId/s);
  });

  test('rejects a platform or ingress name that is not a DNS label', () => {
    expect(() => EcsPlatform.fromPlatformName(newStack(), 'Platform', 'Shop_1')).toThrow(/platformName.*Shop_1/s);
    expect(() => WebIngress.fromIngressName(newStack(), 'Ingress', 'shop/ingress')).toThrow(/ingressName.*shop\/ingress/s);
  });

  test('two services on one imported platform object cannot take the same discovery name (the error names both)', () => {
    const stack = newStack('Services');
    const platform = EcsPlatform.fromPlatformName(stack, 'Platform', 'shop');
    const container = { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable'), port: 8080 };
    new FargateWebService(stack, 'Storefront', { platform, container, discoveryName: 'storefront' });
    expect(() => new FargateWebService(stack, 'Storefront2', { platform, container, discoveryName: 'storefront' }))
      .toThrow(/Services\/Storefront2.*'storefront'.*Services\/Storefront /s);
  });
});
