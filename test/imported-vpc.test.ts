import { Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchTaskSchedule, Ec2DaemonService, EcsPlatform, FargateWebService, IEcsPlatform, WebIngress } from '../packages/cdk-ecs-kit/lib';
import { newStack } from './support/synth';

/**
 * A VPC passed in with `ec2.Vpc.fromVpcAttributes` that lacks what a construct needs (a CIDR
 * block, public subnets, private subnets) is a synth error in cdk-ecs-kit's voice: which
 * construct, which prop, what the VPC lacks and how to fix it, instead of aws-cdk-lib's
 * "'vpcCidrBlock' was not supplied" or "There are no 'Public' subnet groups in this VPC".
 */

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');
const CERT = 'arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000000';
const ZONES = ['eu-west-1a', 'eu-west-1b'];

/** A VPC imported with only what `attrs` adds to its id and zones. */
function importedVpc(stack: Stack, attrs: Partial<ec2.VpcAttributes>): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123', availabilityZones: ZONES, ...attrs });
}
const privateOnly = { privateSubnetIds: ['subnet-p1', 'subnet-p2'], privateSubnetRouteTableIds: ['rtb-p1', 'rtb-p2'] };
const publicOnly = { publicSubnetIds: ['subnet-u1', 'subnet-u2'], publicSubnetRouteTableIds: ['rtb-u1', 'rtb-u2'] };

function ingressOn(stack: Stack, vpc: ec2.IVpc, internetFacing: boolean): WebIngress {
  const platform = new EcsPlatform(stack, 'Platform', { vpc });
  return new WebIngress(stack, 'Ingress', { platform, internetFacing, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERT) });
}

/** A platform of another app on `vpc`, with EC2 capacity. */
function importedPlatform(stack: Stack, vpc: ec2.IVpc): IEcsPlatform {
  return EcsPlatform.fromAttributes(stack, 'Platform', {
    vpc, clusterName: 'shop', namespaceName: 'internal', namespaceId: 'ns-0123',
    namespaceArn: 'arn:aws:servicediscovery:eu-west-1:111122223333:namespace/ns-0123',
    encryptionKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000',
    ec2CapacityProviderName: 'shop-ec2', ec2SecurityGroupId: 'sg-0123',
  });
}

describe('imported VPC that lacks what a construct needs', () => {
  test('an internal ingress without allowedCidrs on a VPC imported without vpcCidrBlock', () => {
    const stack = newStack();
    expect(() => ingressOn(stack, importedVpc(stack, privateOnly), false)).toThrow(
      "[TestStack/Ingress] allowedCidrs: defaults to the VPC's CIDR range for an internal ingress, and the VPC TestStack/Vpc was imported without vpcCidrBlock. "
      + "Pass vpcCidrBlock to ec2.Vpc.fromVpcAttributes, or give allowedCidrs (e.g. ['10.0.0.0/16']).",
    );
  });

  test('an internal ingress on a VPC imported with vpcCidrBlock allows that range', () => {
    const stack = newStack();
    expect(() => ingressOn(stack, importedVpc(stack, { ...privateOnly, vpcCidrBlock: '10.0.0.0/16' }), false)).not.toThrow();
  });

  test('an internet-facing ingress on a VPC imported without public subnets', () => {
    const stack = newStack();
    expect(() => ingressOn(stack, importedVpc(stack, privateOnly), true)).toThrow(
      '[TestStack/Ingress] internetFacing: an internet-facing load balancer runs in public subnets, and the VPC TestStack/Vpc has none (imported without publicSubnetIds?). '
      + 'Pass publicSubnetIds to ec2.Vpc.fromVpcAttributes, or set internetFacing: false.',
    );
  });

  test('an internal ingress on a VPC with public subnets only', () => {
    const stack = newStack();
    expect(() => ingressOn(stack, importedVpc(stack, { ...publicOnly, vpcCidrBlock: '10.0.0.0/16' }), false)).toThrow(
      /^\[TestStack\/Ingress\] internetFacing: an internal load balancer runs in the private subnets of the VPC TestStack\/Vpc \(or its isolated ones\), and it has neither \(imported without privateSubnetIds or isolatedSubnetIds\?\)\. Pass privateSubnetIds/,
    );
  });

  test('a web service on a VPC with public subnets only', () => {
    const stack = newStack();
    const platform = new EcsPlatform(stack, 'Platform', { vpc: importedVpc(stack, publicOnly) });
    expect(() => new FargateWebService(stack, 'Api', { platform, container: { image, port: 8080 } })).toThrow(
      /^\[TestStack\/Api\] vpcSubnets: defaults to the private subnets of the VPC TestStack\/Vpc \(or its isolated ones\), and it has neither \(imported without privateSubnetIds or isolatedSubnetIds\?\)\. Pass privateSubnetIds to ec2\.Vpc\.fromVpcAttributes, or choose subnets with vpcSubnets\./,
    );
  });

  test('a batch job on a VPC with public subnets only', () => {
    const stack = newStack();
    const platform = new EcsPlatform(stack, 'Platform', { vpc: importedVpc(stack, publicOnly) });
    expect(() => new BatchTaskSchedule(stack, 'Job', { platform, container: { image }, schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)) }))
      .toThrow(/^\[TestStack\/Job\] vpcSubnets: defaults to the private subnets of the VPC TestStack\/Vpc/);
  });

  test('an awsvpc daemon on a VPC with public subnets only', () => {
    const stack = newStack();
    const platform = importedPlatform(stack, importedVpc(stack, publicOnly));
    expect(() => new Ec2DaemonService(stack, 'Agent', { platform, container: { image }, networkMode: ecs.NetworkMode.AWS_VPC }))
      .toThrow(/^\[TestStack\/Agent\] vpcSubnets: defaults to the private subnets of the VPC TestStack\/Vpc/);
  });

  test('EC2 capacity on a VPC with public subnets only', () => {
    const stack = newStack();
    expect(() => new EcsPlatform(stack, 'Platform', { vpc: importedVpc(stack, publicOnly), ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') } })).toThrow(
      /^\[TestStack\/Platform\] ec2Capacity: the instances run in the private subnets of the VPC TestStack\/Vpc \(or its isolated ones\), and it has neither \(imported without privateSubnetIds or isolatedSubnetIds\?\)\. Pass privateSubnetIds to ec2\.Vpc\.fromVpcAttributes\./,
    );
  });

  test('platformName on a VPC imported without vpcCidrBlock', () => {
    const stack = newStack();
    expect(() => new EcsPlatform(stack, 'Platform', { vpc: importedVpc(stack, privateOnly), platformName: 'shop' })).toThrow(
      '[TestStack/Platform] platformName: publishes the VPC\'s CIDR range for service apps, and the VPC TestStack/Vpc was imported without vpcCidrBlock. Pass vpcCidrBlock to ec2.Vpc.fromVpcAttributes.',
    );
  });

  test('platformName on a VPC with public subnets only', () => {
    const stack = newStack();
    expect(() => new EcsPlatform(stack, 'Platform', { vpc: importedVpc(stack, { ...publicOnly, vpcCidrBlock: '10.0.0.0/16' }), platformName: 'shop' }))
      .toThrow(/^\[TestStack\/Platform\] platformName: publishes the private subnets of the VPC TestStack\/Vpc \(or its isolated ones\), and it has neither/);
  });

  test('vpcSubnets that select no subnet of the VPC name the prop', () => {
    const stack = newStack();
    const platform = new EcsPlatform(stack, 'Platform', { vpc: importedVpc(stack, privateOnly) });
    expect(() => new FargateWebService(stack, 'Api', { platform, container: { image, port: 8080 }, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }))
      .toThrow(/^\[TestStack\/Api\] vpcSubnets: selects no subnet of the VPC TestStack\/Vpc \(There are no 'Public' subnet groups in this VPC\.[^)]*\)\. Choose subnets the VPC has/);
  });
});

