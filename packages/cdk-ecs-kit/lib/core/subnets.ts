import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * The subnets workloads (and the EC2 capacity) run in unless told otherwise: the VPC's private
 * subnets with egress, or, in a VPC that has none, its isolated subnets (which then need VPC
 * endpoints for ECR, CloudWatch Logs and the other AWS APIs the tasks call).
 */
export function defaultTaskSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  if (vpc.privateSubnets.length === 0 && vpc.isolatedSubnets.length > 0) {
    return { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  }
  return { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
}
