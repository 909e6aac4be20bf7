import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { fail } from './validation';

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

/**
 * Fails, naming `prop`, when `vpc` has no subnets a task or instance runs in by default (private
 * with egress, or isolated): e.g. a VPC imported with `ec2.Vpc.fromVpcAttributes` and only public
 * subnet ids. `lead` says what needs them ("defaults to", "the instances run in"), `fix` how to fix.
 */
export function checkDefaultTaskSubnetsExist(scope: IConstruct, prop: string, vpc: ec2.IVpc, lead: string, fix: string): void {
  if (vpc.privateSubnets.length > 0 || vpc.isolatedSubnets.length > 0) return;
  fail(
    scope,
    prop,
    `${lead} the private subnets of the VPC ${vpc.node.path} (or its isolated ones), and it has neither (imported without privateSubnetIds or isolatedSubnetIds?).`,
    fix,
  );
}

/** Fails, naming `prop`, when `selection` selects no subnet of `vpc` (aws-cdk-lib's reason is quoted). */
export function checkSubnetSelection(scope: IConstruct, prop: string, vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined): void {
  if (selection === undefined) return;
  try {
    vpc.selectSubnets(selection);
  } catch (e) {
    fail(
      scope,
      prop,
      `selects no subnet of the VPC ${vpc.node.path} (${(e as Error).message}).`,
      'Choose subnets the VPC has (e.g. { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }), or pass their ids to ec2.Vpc.fromVpcAttributes.',
    );
  }
}

/**
 * Whether `vpc.vpcCidrBlock` can be read: a VPC imported with `ec2.Vpc.fromVpcAttributes` without
 * `vpcCidrBlock` throws on it. Call it only where the CIDR block is about to be used.
 */
export function hasVpcCidrBlock(vpc: ec2.IVpc): boolean {
  try {
    return vpc.vpcCidrBlock !== undefined;
  } catch {
    return false;
  }
}

/**
 * Checks a workload's `vpcSubnets` against its platform's VPC: given, it must select subnets;
 * left out, the VPC must have the default ones.
 */
export function checkWorkloadSubnets(scope: IConstruct, vpc: ec2.IVpc, vpcSubnets: ec2.SubnetSelection | undefined): void {
  if (vpcSubnets === undefined) {
    checkDefaultTaskSubnetsExist(scope, 'vpcSubnets', vpc, 'defaults to', 'Pass privateSubnetIds to ec2.Vpc.fromVpcAttributes, or choose subnets with vpcSubnets.');
  }
  checkSubnetSelection(scope, 'vpcSubnets', vpc, vpcSubnets);
}
