import { Template } from 'aws-cdk-lib/assertions';
import { buildReferenceApp } from '../bin/app';
import { formatFindings, newApp, synthWithCompliance } from './support/synth';

describe('reference app (bin/app.ts)', () => {
  test('synthesizes with no finding from the four nag packs and no CloudFormation-validator error or warning', () => {
    const app = newApp();
    buildReferenceApp(app);
    const result = synthWithCompliance(app);
    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
  });

  test('runs the reference workload of ARCHITECTURE.md: three web services on one load balancer, a daemon and a nightly job', () => {
    const app = newApp();
    const { platformStack } = buildReferenceApp(app);
    const template = Template.fromStack(platformStack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ECS::Service', 4);
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 6);
    template.hasResourceProperties('AWS::ECS::Service', { SchedulingStrategy: 'DAEMON', LaunchType: 'EC2' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 2 * * ? *)' });
  });
});
