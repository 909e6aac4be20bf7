import { App, CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { EcsPlatform, FargateWebService, FargateWebServiceProps, WebDeployment, WebIngress } from '../packages/cdk-ecs-kit/lib';
import { FLAG_CONTEXTS, formatFindings, newApp, newAppInContext, synthWithCompliance } from './support/synth';

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');
const canary = () => WebDeployment.canary({ percent: 10, stepBakeTime: Duration.minutes(5), bakeTime: Duration.minutes(10), testHeader: { name: 'x-canary', value: 'true' } });

/** A stack with a platform and an ingress, and a function that adds a service to them. */
function fixture(app: App = newApp()) {
  const stack = new Stack(app, 'Web');
  const platform = new EcsPlatform(stack, 'Platform');
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);
  const ingress = new WebIngress(stack, 'Ingress', { platform, certificate });
  const add = (id: string, props: Partial<FargateWebServiceProps> = {}) => new FargateWebService(stack, id, {
    platform,
    ingress,
    hostHeaders: [`${id.toLowerCase()}.example.com`],
    ...props,
    container: { image, user: '101', port: 8080, ...props.container },
  });
  return { app, stack, platform, ingress, add };
}

function serviceOf(template: Template): any {
  return Object.values(template.findResources('AWS::ECS::Service'))[0].Properties;
}

function rulesOf(template: Template): { [id: string]: any } {
  return template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule');
}

describe('WebDeployment on FargateWebService', () => {
  test('rolling is the default and adds nothing: one target group, a plain forward, no strategy', () => {
    const { stack, add } = fixture();
    add('Api', { deployment: WebDeployment.rolling() });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
    expect(serviceOf(template).DeploymentConfiguration.Strategy).toBeUndefined();
    expect(serviceOf(template).LoadBalancers[0].AdvancedConfiguration).toBeUndefined();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Actions: [{ Type: 'forward', TargetGroupArn: Match.anyValue() }] });
  });

  test('canary sets the strategy, the canary percent and step bake time and an explicit bake time', () => {
    const { stack, add } = fixture();
    add('Api', { deployment: canary() });
    expect(serviceOf(Template.fromStack(stack)).DeploymentConfiguration).toMatchObject({
      Strategy: 'CANARY',
      BakeTimeInMinutes: 10,
      CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 },
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
    });
  });

  test('linear sets the step percent and step bake time', () => {
    const { stack, add } = fixture();
    add('Api', { deployment: WebDeployment.linear({ stepPercent: 25, stepBakeTime: Duration.minutes(2), bakeTime: Duration.minutes(5) }) });
    expect(serviceOf(Template.fromStack(stack)).DeploymentConfiguration).toMatchObject({
      Strategy: 'LINEAR',
      BakeTimeInMinutes: 5,
      LinearConfiguration: { StepPercent: 25, StepBakeTimeInMinutes: 2 },
    });
  });

  test('blue/green sets only the strategy and the bake time', () => {
    const { stack, add } = fixture();
    add('Api', { deployment: WebDeployment.blueGreen({ bakeTime: Duration.minutes(0) }) });
    const config = serviceOf(Template.fromStack(stack)).DeploymentConfiguration;
    expect(config).toMatchObject({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 0 });
    expect(config.CanaryConfiguration).toBeUndefined();
    expect(config.LinearConfiguration).toBeUndefined();
  });

  test('registers the production target group with an advanced configuration: alternate group, production and test rules, its own role', () => {
    const { stack, add } = fixture();
    const api = add('Api', { deployment: canary() });
    const template = Template.fromStack(stack);
    const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
    expect(serviceOf(template).LoadBalancers).toEqual([{
      TargetGroupArn: { Ref: id(api.targetGroup) },
      ContainerName: 'app',
      ContainerPort: 8080,
      AdvancedConfiguration: {
        AlternateTargetGroupArn: { Ref: id(api.alternateTargetGroup) },
        ProductionListenerRule: { Ref: id(api.listenerRule) },
        TestListenerRule: { Ref: id(api.testListenerRule) },
        RoleArn: { 'Fn::GetAtt': [id(api.deploymentRole), 'Arn'] },
      },
    }]);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
  });

  test("the service names its deployment role only through the role's ARN, not again in DependsOn (cfn-lint W3005)", () => {
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html:
    // a resource that references another (Fn::GetAtt) is already created after it.
    const { stack, add } = fixture();
    const api = add('Api', { deployment: canary() });
    const template = Template.fromStack(stack);
    const roleId = stack.getLogicalId(api.deploymentRole!.node.defaultChild as CfnElement);
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0];
    expect(JSON.stringify(service.Properties)).toContain(`"Fn::GetAtt":["${roleId}","Arn"]`);
    expect(service.DependsOn ?? []).not.toContain(roleId);
  });

  test('the production rule forwards to both target groups, 100 to the production one and 0 to the alternate', () => {
    const { stack, add } = fixture();
    const api = add('Api', { deployment: canary() });
    const rule = rulesOf(Template.fromStack(stack))[stack.getLogicalId(api.listenerRule!.node.defaultChild as any)];
    expect(rule.Properties.Actions).toEqual([{ Type: 'forward', ForwardConfig: { TargetGroups: [
      { TargetGroupArn: { Ref: stack.getLogicalId(api.targetGroup!.node.defaultChild as any) }, Weight: 100 },
      { TargetGroupArn: { Ref: stack.getLogicalId(api.alternateTargetGroup!.node.defaultChild as any) }, Weight: 0 },
    ] } }]);
  });

  test('the test rule adds the header to the same conditions, one priority before the production rule', () => {
    const { stack, add } = fixture();
    const api = add('Api', { deployment: canary(), pathPatterns: ['/api/*'] });
    const rules = rulesOf(Template.fromStack(stack));
    const prod = rules[stack.getLogicalId(api.listenerRule!.node.defaultChild as any)].Properties;
    const test = rules[stack.getLogicalId(api.testListenerRule!.node.defaultChild as any)].Properties;
    expect(test.Priority).toBe(prod.Priority - 1);
    expect(test.Conditions).toEqual([...prod.Conditions, { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-canary', Values: ['true'] } }]);
    expect(test.Actions).toEqual(prod.Actions);
  });

  test('without a test header there is no test rule', () => {
    const { stack, add } = fixture();
    const api = add('Api', { deployment: WebDeployment.blueGreen({ bakeTime: Duration.minutes(5) }) });
    Template.fromStack(stack).resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    expect(api.testListenerRule).toBeUndefined();
    expect(serviceOf(Template.fromStack(stack)).LoadBalancers[0].AdvancedConfiguration.TestListenerRule).toBeUndefined();
  });

  test('services with and without progressive delivery share one ingress', () => {
    const { stack, add } = fixture();
    add('Api', { deployment: canary() });
    add('Web');
    add('Admin', { deployment: WebDeployment.linear({ stepPercent: 50, stepBakeTime: Duration.minutes(1), bakeTime: Duration.minutes(1), testHeader: { name: 'x-canary', value: 'true' } }) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 5);
    const priorities = Object.values(rulesOf(template)).map((r: any) => r.Properties.Priority);
    expect(new Set(priorities).size).toBe(priorities.length);
  });

  test("ECS's role trusts ecs.amazonaws.com from this account and may modify only this service's rules and target groups, never the shared listener", () => {
    const { stack, add } = fixture();
    const api = add('Api', { deployment: canary() });
    const template = Template.fromStack(stack);
    const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
    const role = template.findResources('AWS::IAM::Role')[id(api.deploymentRole)].Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ecs.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    }]);
    const statements = role.Policies[0].PolicyDocument.Statement;
    const resourcesOf = (action: string) => statements.filter((s: any) => [s.Action].flat().includes(action)).map((s: any) => s.Resource);
    expect(resourcesOf('elasticloadbalancing:ModifyRule')).toEqual([[{ Ref: id(api.listenerRule) }, { Ref: id(api.testListenerRule) }]]);
    expect(resourcesOf('elasticloadbalancing:RegisterTargets')).toHaveLength(1);
    expect(resourcesOf('elasticloadbalancing:RegisterTargets')[0]).toEqual(expect.arrayContaining([{ Ref: id(api.targetGroup) }, { Ref: id(api.alternateTargetGroup) }]));
    // Rule-based shifting modifies rules; ModifyListener would let it rewrite the shared listener's default action.
    expect(resourcesOf('elasticloadbalancing:ModifyListener')).toEqual([]);
    expect(statements.filter((s: any) => s.Resource === '*').flatMap((s: any) => s.Action).every((a: string) => a.startsWith('elasticloadbalancing:Describe'))).toBe(true);
  });

  test('the 5xx and unhealthy deployment alarms sum both target groups and roll back, even without an alarm topic', () => {
    const { stack, add } = fixture();
    add('Api', { deployment: canary() });
    const template = Template.fromStack(stack);
    expect(serviceOf(template).DeploymentConfiguration.Alarms).toMatchObject({ Enable: true, Rollback: true });
    expect(serviceOf(template).DeploymentConfiguration.Alarms.AlarmNames).toHaveLength(2);
    for (const metricName of ['HTTPCode_Target_5XX_Count', 'UnHealthyHostCount']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'FILL(primary, 0) + FILL(alternate, 0)', ReturnData: true }),
          Match.objectLike({ Id: 'primary', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: metricName, Dimensions: Match.arrayWith([{ Name: 'TargetGroup', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('ApiTargetGroup'), 'TargetGroupFullName'] } }]) }) }) }),
          Match.objectLike({ Id: 'alternate', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: metricName, Dimensions: Match.arrayWith([{ Name: 'TargetGroup', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('ApiAlternateTargetGroup'), 'TargetGroupFullName'] } }]) }) }) }),
        ]),
      });
    }
  });

  test('request-count scaling tracks the requests per task of both target groups (metric math), so it survives a swap', () => {
    const { stack, add } = fixture();
    add('Api', { deployment: canary(), autoScaling: { maxCapacity: 6, requestsPerTarget: 500, targetCpuPercent: 60 } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 500,
        CustomizedMetricSpecification: {
          Metrics: [
            Match.objectLike({ Id: 'primary', MetricStat: Match.objectLike({ Stat: 'Sum', Metric: Match.objectLike({ MetricName: 'RequestCountPerTarget' }) }) }),
            Match.objectLike({ Id: 'alternate', MetricStat: Match.objectLike({ Stat: 'Sum', Metric: Match.objectLike({ MetricName: 'RequestCountPerTarget' }) }) }),
            Match.objectLike({ Expression: 'FILL(primary, 0) + FILL(alternate, 0)', ReturnData: true }),
          ],
        },
      },
    });
    const policy = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'))
      .map((p: any) => p.Properties.TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification)
      .find((c: any) => c?.Metrics);
    expect(Object.keys(policy)).toEqual(['Metrics']);
  });

  test('passes lifecycle hooks to ECS', () => {
    const { stack, add } = fixture();
    const fn = lambda.Function.fromFunctionAttributes(stack, 'Hook', { functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:smoke', sameEnvironment: true });
    add('Api', { deployment: WebDeployment.blueGreen({ bakeTime: Duration.minutes(5), lifecycleHooks: [new ecs.DeploymentLifecycleLambdaTarget(fn, 'Smoke', { lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] })] }) });
    expect(serviceOf(Template.fromStack(stack)).DeploymentConfiguration.LifecycleHooks).toEqual([
      expect.objectContaining({ LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], HookTargetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:smoke' }),
    ]);
  });

  test('keeps the circuit breaker, so CDK does not warn', () => {
    const { stack, add } = fixture();
    add('Api', { deployment: canary() });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('circuitBreaker'));
  });

  test('a service in another stack keeps its rules, both target groups and its role in its own stack, with no cycle', () => {
    const app = newApp();
    const { stack: platformStack, platform, ingress } = fixture(app);
    const serviceStack = new Stack(app, 'Orders');
    new FargateWebService(serviceStack, 'Orders', { platform, ingress, hostHeaders: ['orders.example.com'], container: { image, port: 8080 }, deployment: canary() });
    const template = Template.fromStack(serviceStack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 2);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    Template.fromStack(platformStack).resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    expect(serviceStack.dependencies).toEqual([platformStack]);
    expect(platformStack.dependencies).toEqual([]);
  });

  test('works on an ingress imported from another app: the rules and the role are in the service stack', () => {
    const stack = new Stack(newApp(), 'Service');
    const platform = new EcsPlatform(stack, 'Platform');
    const ingress = WebIngress.fromAttributes(stack, 'Ingress', {
      listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2',
      securityGroupId: 'sg-12345678',
    });
    new FargateWebService(stack, 'Api', { platform, ingress, hostHeaders: ['api.example.com'], container: { image, port: 8080 }, deployment: canary() });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 2);
    template.hasResourceProperties('AWS::IAM::Role', { Policies: [{ PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Action: 'elasticloadbalancing:ModifyRule',
      Resource: [{ Ref: Match.stringLikeRegexp('ApiListenerRule') }, { Ref: Match.stringLikeRegexp('ApiTestListenerRule') }],
    })]) } }] });
    expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).not.toContain('elasticloadbalancing:ModifyListener');
  });

  describe('stack updates never move traffic', () => {
    /** Synthesizes one service and returns its listener rules, with routing fixed and everything else as given. */
    function rulesWith(props: Partial<FargateWebServiceProps>): string {
      const { stack, add } = fixture();
      add('Api', { pathPatterns: ['/api/*'], deployment: canary(), ...props });
      return JSON.stringify(rulesOf(Template.fromStack(stack)));
    }

    test('image, environment, cpu/memory and auto scaling leave both listener rules byte-identical', () => {
      const before = rulesWith({});
      const after = rulesWith({
        container: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:mainline'), user: '101', port: 8080, environment: { LOG_LEVEL: 'debug' }, healthCheckPath: '/healthz' },
        cpu: 1024,
        memoryMiB: 2048,
        autoScaling: { minCapacity: 3, maxCapacity: 12, targetCpuPercent: 50, requestsPerTarget: 800 },
        deregistrationDelay: Duration.seconds(10),
        deployment: WebDeployment.canary({ percent: 20, stepBakeTime: Duration.minutes(10), bakeTime: Duration.minutes(30), testHeader: { name: 'x-canary', value: 'true' } }),
      });
      expect(JSON.parse(before)).toEqual(JSON.parse(after));
      expect(after).toBe(before);
    });

    test('only routing props change them', () => {
      expect(rulesWith({ pathPatterns: ['/v2/*'] })).not.toBe(rulesWith({}));
    });
  });

  describe.each(Object.keys(FLAG_CONTEXTS))('compliance (%s)', (contextName) => {
    test('canary with a test header and request scaling, linear and blue/green services have no unacknowledged finding', () => {
      const app = newAppInContext(FLAG_CONTEXTS[contextName]);
      const { add } = fixture(app);
      add('Api', { deployment: canary(), autoScaling: { maxCapacity: 6, requestsPerTarget: 500 } });
      add('Admin', { deployment: WebDeployment.linear({ stepPercent: 25, stepBakeTime: Duration.minutes(2), bakeTime: Duration.minutes(5) }) });
      add('Web', { deployment: WebDeployment.blueGreen({ bakeTime: Duration.minutes(5), testHeader: { name: 'x-blue-green', value: 'test' } }) });
      const result = synthWithCompliance(app);
      expect(result.error).toBeUndefined();
      expect(formatFindings(result.findings)).toEqual([]);
    });
  });

  describe('rejects bad input', () => {
    test('a traffic-shifting deployment without an ingress', () => {
      const { stack, platform } = fixture();
      expect(() => new FargateWebService(stack, 'Worker', { platform, container: { image, port: 8080 }, deployment: canary() }))
        .toThrow(/\[Web\/Worker\] deployment: WebDeployment.canary\(\) shifts traffic between two target groups of a load balancer, and no ingress was given. Pass ingress/);
    });

    test.each([0, 0.05, 100.1, 10.05])('a canary percent of %p', (percent) => {
      const { add } = fixture();
      expect(() => add('Api', { deployment: WebDeployment.canary({ percent, stepBakeTime: Duration.minutes(5), bakeTime: Duration.minutes(5) }) }))
        .toThrow(new RegExp(`\\[Web/Api\\] deployment.percent: must be from 0.1 to 100 in steps of 0.1 for WebDeployment.canary\\(\\), got ${percent}`));
    });

    test.each([2.9, 100.5, 10.25])('a linear step percent of %p', (stepPercent) => {
      const { add } = fixture();
      expect(() => add('Api', { deployment: WebDeployment.linear({ stepPercent, stepBakeTime: Duration.minutes(5), bakeTime: Duration.minutes(5) }) }))
        .toThrow(/deployment.stepPercent: must be from 3 to 100 in steps of 0.1/);
    });

    test.each([Duration.seconds(90), Duration.minutes(1441)])('a step bake time of %s', (stepBakeTime) => {
      const { add } = fixture();
      expect(() => add('Api', { deployment: WebDeployment.canary({ percent: 10, stepBakeTime, bakeTime: Duration.minutes(5) }) }))
        .toThrow(/deployment.stepBakeTime: must be a whole number of minutes from 0 to 1440/);
    });

    test('a bake time beyond 24 hours', () => {
      const { add } = fixture();
      expect(() => add('Api', { deployment: WebDeployment.blueGreen({ bakeTime: Duration.hours(25) }) }))
        .toThrow(/deployment.bakeTime: must be a whole number of minutes from 0 to 1440 \(24 hours\), got 1500 minutes/);
    });

    test('canary bake times adding up to more than 33 hours', () => {
      const { add } = fixture();
      expect(() => add('Api', { deployment: WebDeployment.canary({ percent: 10, stepBakeTime: Duration.hours(10), bakeTime: Duration.hours(24) }) }))
        .toThrow(/deployment.bakeTime\/stepBakeTime: WebDeployment.canary\(\): bakeTime \+ stepBakeTime is 2040 minutes; CloudFormation allows at most 1980 minutes/);
    });

    test('linear bake times adding up to more than 33 hours, counting ceil(100 / stepPercent) steps', () => {
      const { add } = fixture();
      // 30 % -> 4 steps: 4 x 450 + 200 = 2000 minutes.
      expect(() => add('Api', { deployment: WebDeployment.linear({ stepPercent: 30, stepBakeTime: Duration.minutes(450), bakeTime: Duration.minutes(200) }) }))
        .toThrow(/bakeTime \+ stepBakeTime x 4 steps \(ceil\(100 \/ stepPercent\)\) is 2000 minutes/);
      expect(() => add('Ok', { deployment: WebDeployment.linear({ stepPercent: 30, stepBakeTime: Duration.minutes(445), bakeTime: Duration.minutes(200) }) })).not.toThrow();
    });

    test('an invalid test header name or value', () => {
      const { add } = fixture();
      expect(() => add('Api', { deployment: WebDeployment.blueGreen({ bakeTime: Duration.minutes(5), testHeader: { name: 'x canary', value: 'true' } }) }))
        .toThrow(/deployment.testHeader.name: 'x canary' is not a valid HTTP header name/);
      expect(() => add('Web', { deployment: WebDeployment.blueGreen({ bakeTime: Duration.minutes(5), testHeader: { name: 'x-canary', value: '' } }) }))
        .toThrow(/deployment.testHeader.value: must be 1-128 characters, got 0/);
    });

    test('a test rule priority another service already holds', () => {
      const { add } = fixture();
      add('Web', { priority: 99 });
      expect(() => add('Api', { priority: 100, deployment: canary() })).toThrow(/\[Web\/Api\] priority: 99 is already used by Web\/Web on the same ingress/);
    });
  });
});
