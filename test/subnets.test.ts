import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchTaskSchedule, Ec2DaemonService, EcsPlatform, FargateWebService } from '../packages/cdk-ecs-kit/lib';
import { newStack } from './support/synth';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');
const agent = ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0');
const NIGHTLY = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });

/** A VPC of public and isolated subnets only (no NAT): tasks reach AWS through VPC endpoints. */
function isolatedVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 },
    ],
  });
}

const isolatedRefs = [{ Ref: expectLogicalId('IsolatedSubnet1') }, { Ref: expectLogicalId('IsolatedSubnet2') }];
function expectLogicalId(part: string) {
  return expect.stringContaining(part);
}

describe('workload subnets', () => {
  describe('in a VPC with isolated subnets and no private subnets with egress', () => {
    const stack = newStack('Isolated');
    const platform = new EcsPlatform(stack, 'Platform', {
      vpc: isolatedVpc(stack),
      ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') },
    });
    new FargateWebService(stack, 'Api', { platform, container: { image, port: 8080 } });
    new BatchTaskSchedule(stack, 'Nightly', { platform, container: { image }, schedule: NIGHTLY });
    new Ec2DaemonService(stack, 'Agent', { platform, container: { image: agent, port: 4317 }, networkMode: ecs.NetworkMode.AWS_VPC });
    const template = Template.fromStack(stack).toJSON();
    const resources = Object.values<any>(template.Resources);
    const batchDefinition = JSON.stringify(Object.entries<any>(template.Resources)
      .find(([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && id.startsWith('Nightly'))![1].Properties.DefinitionString);

    test('web services and awsvpc daemons run in the isolated subnets', () => {
      const services = resources.filter((r) => r.Type === 'AWS::ECS::Service');
      expect(services).toHaveLength(2);
      for (const service of services) {
        expect(service.Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets).toEqual(isolatedRefs);
      }
    });

    test('the batch job runs in the isolated subnets', () => {
      expect(batchDefinition).toMatch(/IsolatedSubnet1/);
      expect(batchDefinition).not.toMatch(/PrivateSubnet/);
    });

    test('the EC2 capacity runs in the isolated subnets', () => {
      const group = resources.find((r) => r.Type === 'AWS::AutoScaling::AutoScalingGroup');
      expect(group.Properties.VPCZoneIdentifier).toEqual(isolatedRefs);
    });
  });

  test('vpcSubnets picks the subnets of a batch job and of an awsvpc daemon', () => {
    const stack = newStack('Chosen');
    const platform = new EcsPlatform(stack, 'Platform', { ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') } });
    const chosen = { subnets: [platform.vpc.privateSubnets[0]] };
    new BatchTaskSchedule(stack, 'Nightly', { platform, container: { image }, schedule: NIGHTLY, vpcSubnets: chosen });
    new Ec2DaemonService(stack, 'Agent', { platform, container: { image: agent, port: 4317 }, networkMode: ecs.NetworkMode.AWS_VPC, vpcSubnets: chosen });
    const template = Template.fromStack(stack).toJSON();
    const resources = Object.values<any>(template.Resources);
    const daemon = resources.find((r) => r.Type === 'AWS::ECS::Service');
    expect(daemon.Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets).toEqual([{ Ref: expect.stringContaining('PrivateSubnet1') }]);
    const definition = JSON.stringify(Object.entries<any>(template.Resources)
      .find(([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && id.startsWith('Nightly'))![1].Properties.DefinitionString);
    expect(definition).toMatch(/PrivateSubnet1/);
    expect(definition).not.toMatch(/PrivateSubnet2/);
  });

  test('rejects vpcSubnets on a bridge or host daemon, whose tasks use their instance\'s network', () => {
    const stack = newStack('Bridge');
    const platform = new EcsPlatform(stack, 'Platform', { ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') } });
    expect(() => new Ec2DaemonService(stack, 'Agent', { platform, container: { image: agent, port: 4317 }, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }))
      .toThrow(/\[Bridge\/Agent\] vpcSubnets: only applies in awsvpc mode; in bridge mode the daemon's tasks use the network of the instance they run on\. Remove vpcSubnets, or use networkMode AWS_VPC\./);
  });

  test('fromPlatformName rejects a zone count outside 1-6', () => {
    expect(() => EcsPlatform.fromPlatformName(newStack('Svc'), 'Platform', 'shop', { availabilityZones: 0 }))
      .toThrow(/\[Svc\/Platform\] availabilityZones: must be an integer from 1 to 6, got 0\./);
  });
});
