import * as fs from 'fs';
import * as path from 'path';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { Ec2DaemonService, EcsPlatform, FargateWebService, IEcsPlatform } from '../packages/cdk-ecs-kit/lib';
import { seededLinks } from '../bench/workload';
import { CDK_CONTEXT, FLAG_CONTEXTS, newAppInContext } from './support/synth';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');

/** An internal web service (no ingress) listening on `port`. */
function service(scope: Construct, id: string, platform: IEcsPlatform, port = 8080): FargateWebService {
  return new FargateWebService(scope, id, { platform, container: { image, port, user: '101' } });
}

/** A platform stack and `count` service stacks in an app with `context`. */
function appWithStacks(context: { [key: string]: unknown }, count: number) {
  const app = newAppInContext(context);
  const platformStack = new Stack(app, 'Platform');
  const platform = new EcsPlatform(platformStack, 'Platform');
  const stacks = Array.from({ length: count }, (_, i) => new Stack(app, `Services${i + 1}`));
  return { app, platformStack, platform, stacks };
}

interface Link {
  readonly callee: FargateWebService;
  readonly caller: FargateWebService;
}

/** Every SecurityGroupIngress in the app whose group is one of `services`' groups. */
function serviceIngressRules(app: App, services: FargateWebService[]): ec2.CfnSecurityGroupIngress[] {
  const groups = new Set(services.map((s) => s.securityGroup.securityGroupId));
  return app.node.findAll().filter((c): c is ec2.CfnSecurityGroupIngress => c instanceof ec2.CfnSecurityGroupIngress && groups.has(c.groupId ?? ''));
}

/**
 * Synthesizes (a cycle throws here), then checks that each link is exactly one ingress rule on the
 * callee's group from the caller's group on the callee's port, and that no service group has any
 * other ingress: nothing from a CIDR, no port range wider than asked.
 */
function expectExactlyTheLinks(app: App, services: FargateWebService[], links: Link[]): void {
  const assembly = app.synth();
  const rules = serviceIngressRules(app, services);
  const byId = new Map(services.map((s) => [s.securityGroup.securityGroupId, s]));
  const found = rules.map((rule) => {
    const callee = byId.get(rule.groupId!)!;
    expect(rule.cidrIp).toBeUndefined();
    expect(rule.cidrIpv6).toBeUndefined();
    expect(rule.ipProtocol).toBe('tcp');
    expect(rule.fromPort).toBe(callee.port);
    expect(rule.toPort).toBe(callee.port);
    return `${callee.node.path} <- ${byId.get(rule.sourceSecurityGroupId!)?.node.path ?? rule.sourceSecurityGroupId}`;
  });
  const wanted = links.map((l) => `${l.callee.node.path} <- ${l.caller.node.path}`);
  expect(found.sort()).toEqual([...wanted].sort());
  // The rules made it into the templates: as many ingress resources on service groups as rules.
  const inTemplates = assembly.stacks.reduce((sum, stack) => {
    const resources = Object.values(stack.template.Resources ?? {}) as Array<{ Type: string; Properties: { Description?: string } }>;
    return sum + resources.filter((r) => r.Type === 'AWS::EC2::SecurityGroupIngress' && /^to .* on \d+$/.test(r.Properties.Description ?? '')).length;
  }, 0);
  expect(inTemplates).toBe(links.length);
  // Inline rules on the service groups: none (they only accept what allowFrom opens).
  for (const s of services) {
    const inline = Stack.of(s).resolve((s.securityGroup.node.defaultChild as ec2.CfnSecurityGroup).securityGroupIngress);
    expect(inline ?? []).toEqual([]);
  }
}

/** The stack a link's rule was placed in. */
function ruleStack(app: App, callee: FargateWebService, caller: FargateWebService): string {
  const rules = serviceIngressRules(app, [callee]).filter((r) => r.sourceSecurityGroupId === caller.securityGroup.securityGroupId);
  expect(rules).toHaveLength(1);
  return Stack.of(rules[0]).node.path;
}

describe('allowFrom across stacks (east-west links)', () => {
  describe.each(Object.entries(FLAG_CONTEXTS))('with %s', (_name, context) => {
    test('two services in two stacks that call each other both ways synthesize with no cycle', () => {
      const { app, platform, stacks } = appWithStacks(context, 2);
      const orders = service(stacks[0], 'Orders', platform);
      const billing = service(stacks[1], 'Billing', platform, 9090);
      orders.allowFrom(billing);
      billing.allowFrom(orders);

      expectExactlyTheLinks(app, [orders, billing], [{ callee: orders, caller: billing }, { callee: billing, caller: orders }]);
      // The first link goes to the callee's stack (Services1 -> Services2); the second then lives in Services1 too.
      expect(ruleStack(app, orders, billing)).toBe('Services1');
      expect(ruleStack(app, billing, orders)).toBe('Services1');
      expect(stacks[1].dependencies).not.toContain(stacks[0]);
    });

    test('a ring of three services over three stacks synthesizes with no cycle', () => {
      const { app, platform, stacks } = appWithStacks(context, 3);
      const [a, b, c] = stacks.map((stack, i) => service(stack, `Ring${i}`, platform));
      b.allowFrom(a);
      c.allowFrom(b);
      a.allowFrom(c);
      expectExactlyTheLinks(app, [a, b, c], [{ callee: b, caller: a }, { callee: c, caller: b }, { callee: a, caller: c }]);
    });
  });

  test('100 services over 5 service stacks with 150 random links (seeded) synthesize, each link once, none wider', () => {
    const { app, platform, stacks } = appWithStacks(CDK_CONTEXT, 5);
    const services = Array.from({ length: 100 }, (_, i) => service(stacks[Math.floor(i / 20)], `Service${i}`, platform, 8000 + (i % 7)));
    // The same seeded links as `npm run bench`.
    const links: Link[] = seededLinks(100, 150).map(([callee, caller]) => ({ callee: services[callee], caller: services[caller] }));
    for (const link of links) link.callee.allowFrom(link.caller);
    // Enough links cross stacks both ways for the test to mean something.
    const crossing = links.filter((l) => Stack.of(l.callee) !== Stack.of(l.caller));
    expect(crossing.length).toBeGreaterThan(100);

    expectExactlyTheLinks(app, services, links);
  });

  describe('services in NestedStacks', () => {
    /** Resources of each template (top-level and nested) that depend on each other in a cycle, by template file. */
    function cyclesInTemplates(app: App): string[] {
      const assembly = app.synth();
      const cycles: string[] = [];
      for (const file of fs.readdirSync(assembly.directory).filter((f) => f.endsWith('.template.json'))) {
        const resources: { [id: string]: { DependsOn?: string | string[] } } = JSON.parse(fs.readFileSync(path.join(assembly.directory, file), 'utf-8')).Resources ?? {};
        const edges = new Map<string, Set<string>>();
        for (const [id, resource] of Object.entries(resources)) {
          const refs = new Set<string>([resource.DependsOn ?? []].flat());
          JSON.stringify(resource, (key, value) => {
            if (key === 'Ref' && typeof value === 'string') refs.add(value);
            if (key === 'Fn::GetAtt') refs.add(Array.isArray(value) ? value[0] : String(value).split('.')[0]);
            return value;
          });
          edges.set(id, new Set([...refs].filter((ref) => ref in resources)));
        }
        const state = new Map<string, 'open' | 'done'>();
        const visit = (id: string, trail: string[]): void => {
          if (state.get(id) === 'done') return;
          if (state.get(id) === 'open') { cycles.push(`${file}: ${[...trail.slice(trail.indexOf(id)), id].join(' -> ')}`); return; }
          state.set(id, 'open');
          for (const next of edges.get(id) ?? []) visit(next, [...trail, id]);
          state.set(id, 'done');
        };
        for (const id of edges.keys()) visit(id, []);
      }
      return cycles;
    }

    test('two services in two NestedStacks of one parent that call each other both ways have no dependency cycle', () => {
      const { app, platform } = appWithStacks(CDK_CONTEXT, 0);
      const parent = new Stack(app, 'Services');
      const orders = service(new NestedStack(parent, 'Left'), 'Orders', platform);
      const billing = service(new NestedStack(parent, 'Right'), 'Billing', platform, 9090);
      orders.allowFrom(billing);
      billing.allowFrom(orders);

      expect(cyclesInTemplates(app)).toEqual([]);
      expect(serviceIngressRules(app, [orders, billing])).toHaveLength(2);
      // Both rules in one nested stack: the other one deploys first.
      expect(ruleStack(app, orders, billing)).toBe(ruleStack(app, billing, orders));
    });

    test('two services nested in two different parents that call each other both ways have no dependency cycle', () => {
      const { app, platform } = appWithStacks(CDK_CONTEXT, 0);
      const orders = service(new NestedStack(new Stack(app, 'LeftParent'), 'Left'), 'Orders', platform);
      const billing = service(new NestedStack(new Stack(app, 'RightParent'), 'Right'), 'Billing', platform, 9090);
      orders.allowFrom(billing);
      billing.allowFrom(orders);

      expect(cyclesInTemplates(app)).toEqual([]);
      expect(serviceIngressRules(app, [orders, billing])).toHaveLength(2);
    });

    test('a nested service and a service of a top-level stack that call each other both ways have no dependency cycle', () => {
      const { app, platform, stacks } = appWithStacks(CDK_CONTEXT, 1);
      const orders = service(new NestedStack(new Stack(app, 'Parent'), 'Left'), 'Orders', platform);
      const billing = service(stacks[0], 'Billing', platform, 9090);
      orders.allowFrom(billing);
      billing.allowFrom(orders);

      expect(cyclesInTemplates(app)).toEqual([]);
      expect(serviceIngressRules(app, [orders, billing])).toHaveLength(2);
    });
  });

  test('the platform stack never depends on a service stack: a platform service calling in, a service calling the platform', () => {
    const { app, platformStack, platform, stacks } = appWithStacks(CDK_CONTEXT, 1);
    const shared = service(platformStack, 'Shared', platform);
    const orders = service(stacks[0], 'Orders', platform);
    orders.allowFrom(shared);
    shared.allowFrom(orders);

    expectExactlyTheLinks(app, [shared, orders], [{ callee: orders, caller: shared }, { callee: shared, caller: orders }]);
    expect(ruleStack(app, shared, orders)).toBe('Services1');
    expect(platformStack.dependencies).toEqual([]);
  });

  test('an explicit stack dependency decides the placement', () => {
    const { app, platform, stacks } = appWithStacks(CDK_CONTEXT, 2);
    stacks[1].addStackDependency(stacks[0]);
    const orders = service(stacks[0], 'Orders', platform);
    const billing = service(stacks[1], 'Billing', platform);
    orders.allowFrom(billing);

    expectExactlyTheLinks(app, [orders, billing], [{ callee: orders, caller: billing }]);
    expect(ruleStack(app, orders, billing)).toBe('Services2');
  });

  test('a link inside one stack is aws-cdk-lib\'s rule, on the callee\'s group', () => {
    const { app, platform, stacks } = appWithStacks(CDK_CONTEXT, 1);
    const orders = service(stacks[0], 'Orders', platform);
    const billing = service(stacks[0], 'Billing', platform);
    orders.allowFrom(billing);

    expectExactlyTheLinks(app, [orders, billing], [{ callee: orders, caller: billing }]);
    const rule = serviceIngressRules(app, [orders])[0];
    expect(rule.node.scope).toBe(orders.securityGroup);
  });

  test('a caller whose group restricts egress also gets the egress rule, in the same stack as the ingress', () => {
    const { platform, stacks } = appWithStacks(CDK_CONTEXT, 2);
    const orders = service(stacks[0], 'Orders', platform);
    const restricted = new ec2.SecurityGroup(stacks[1], 'Restricted', { vpc: platform.vpc, allowAllOutbound: false });
    orders.allowFrom(restricted);

    Template.fromStack(stacks[0]).resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    Template.fromStack(stacks[0]).hasResourceProperties('AWS::EC2::SecurityGroupEgress', { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080 });
    Template.fromStack(stacks[1]).resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
  });

  test('a daemon in the platform stack accepts a service of a service stack, with the rule in the service stack', () => {
    const app = newAppInContext(CDK_CONTEXT);
    const platformStack = new Stack(app, 'Platform');
    const platform = new EcsPlatform(platformStack, 'Platform', {
      ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), minCapacity: 1, maxCapacity: 2 },
    });
    const agent = new Ec2DaemonService(platformStack, 'Agent', {
      platform,
      container: { image, port: 4317, user: '1000' },
      networkMode: ecs.NetworkMode.AWS_VPC,
      memoryReservationMiB: 256,
    });
    const servicesStack = new Stack(app, 'Services');
    const orders = service(servicesStack, 'Orders', platform);
    agent.allowFrom(orders);

    app.synth();
    Template.fromStack(servicesStack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 4317, ToPort: 4317, IpProtocol: 'tcp' });
    Template.fromStack(platformStack).resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { FromPort: 4317 }, 0);
    expect(platformStack.dependencies).toEqual([]);
  });

  test('a service in another region is a synth error naming both services', () => {
    const app = newAppInContext(CDK_CONTEXT);
    const west = new Stack(app, 'West', { env: { account: '123456789012', region: 'eu-west-1' } });
    const east = new Stack(app, 'East', { env: { account: '123456789012', region: 'us-east-1' } });
    const orders = service(west, 'Orders', new EcsPlatform(west, 'Platform'));
    const billing = service(east, 'Billing', new EcsPlatform(east, 'Platform'));
    expect(() => orders.allowFrom(billing)).toThrow(/West\/Orders.*East\/Billing.*different regions \(eu-west-1 and us-east-1/);
  });

  test('a service in another account is a synth error naming both services', () => {
    const app = newAppInContext(CDK_CONTEXT);
    const mine = new Stack(app, 'Mine', { env: { account: '111111111111', region: 'eu-west-1' } });
    const theirs = new Stack(app, 'Theirs', { env: { account: '222222222222', region: 'eu-west-1' } });
    const orders = service(mine, 'Orders', new EcsPlatform(mine, 'Platform'));
    const billing = service(theirs, 'Billing', new EcsPlatform(theirs, 'Platform'));
    expect(() => orders.allowFrom(billing)).toThrow(/Mine\/Orders.*Theirs\/Billing.*different accounts/);
  });

  describe('a service app on an imported platform', () => {
    function serviceApp() {
      const app = newAppInContext(CDK_CONTEXT);
      const stack = new Stack(app, 'ServiceApp', { env: { account: '123456789012', region: 'eu-west-1' } });
      const platform = EcsPlatform.fromPlatformName(stack, 'Platform', 'shop');
      return { app, stack, orders: service(stack, 'Orders', platform) };
    }

    test('accepts a caller of the platform app through its security group imported by id', () => {
      const { stack, orders } = serviceApp();
      orders.allowFrom(ec2.SecurityGroup.fromSecurityGroupId(stack, 'CatalogGroup', 'sg-0123456789abcdef0'));
      Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        SourceSecurityGroupId: 'sg-0123456789abcdef0',
        FromPort: 8080,
        ToPort: 8080,
      });
    });

    test('a service of the other app passed directly is a synth error that says what to do', () => {
      const { orders } = serviceApp();
      const platformApp = newAppInContext(CDK_CONTEXT);
      const platformStack = new Stack(platformApp, 'Platform', { env: { account: '123456789012', region: 'eu-west-1' } });
      const catalog = service(platformStack, 'Catalog', new EcsPlatform(platformStack, 'Platform'));
      expect(() => orders.allowFrom(catalog)).toThrow(/ServiceApp\/Orders.*Platform\/Catalog.*two CDK apps.*fromSecurityGroupId/);
    });
  });
});
