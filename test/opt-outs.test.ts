import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BatchTaskSchedule, Ec2DaemonService, EcsPlatform, FargateWebService, WebIngress } from '../packages/cdk-ecs-kit/lib';
import { ComplianceResult, formatFindings, newApp, synthWithCompliance } from './support/synth';

/**
 * Every opt-out the README lists under "Loosen explicitly" (EcsPlatform, WebIngress,
 * Ec2DaemonService, BatchTaskSchedule, FargateWebService and ContainerSpec), all set at once: the
 * compliance packs find nothing unacknowledged, and each finding an opt-out causes is acknowledged
 * on the construct it is about, with a reason that names the prop that was set.
 */

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');
const CERT = 'arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000000';

/** Opt-outs that go together: a plain-HTTP, internet-facing ingress without the managed web ACL. */
function loosenedApp(): ComplianceResult {
  const app = newApp();
  const stack = new Stack(app, 'Loose');
  const platform = new EcsPlatform(stack, 'Platform', {
    containerInsights: false,
    logRetention: logs.RetentionDays.ONE_MONTH,
    flowLogs: false,
    ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), managedTerminationProtection: true },
  });
  const topic = new sns.Topic(stack, 'OnCall', { masterKey: platform.encryptionKey, enforceSSL: true });
  const ingress = new WebIngress(stack, 'Ingress', {
    platform,
    allowPlainHttp: true,
    managedWebAcl: false,
    allowedCidrs: ['203.0.113.0/24'],
    deletionProtection: false,
    accessLogsRetention: Duration.days(30),
    accessLogsPrefix: 'lb',
    idleTimeout: Duration.seconds(120),
  });
  new FargateWebService(stack, 'Api', {
    platform, ingress, hostHeaders: ['api.example.com'],
    container: { image, port: 8080, user: '101', readonlyRootFilesystem: false, logRetention: logs.RetentionDays.ONE_WEEK },
    enableExecuteCommand: true,
    fargateSpotWeight: 3,
  });
  new Ec2DaemonService(stack, 'Agent', {
    platform,
    container: { image, user: '10001', readonlyRootFilesystem: false },
    networkMode: ecs.NetworkMode.HOST,
    hostVolumes: [{ hostPath: '/var/log', containerPath: '/host/var/log', readOnly: false }],
    privileged: true,
    linuxCapabilities: { add: [ecs.Capability.SYS_PTRACE], drop: [] },
    placementConstraints: [ecs.PlacementConstraint.memberOf('attribute:role == agents')],
  });
  new BatchTaskSchedule(stack, 'Job', {
    platform,
    container: { image, user: '1000' },
    schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
    fargateSpot: true,
    retries: 0,
    enabled: false,
    alarmTopic: topic,
  });
  return synthWithCompliance(app);
}

/** The opt-outs that exclude the first set: an internal ingress with a certificate and your own web ACL, EC2 batch runs, your key. */
function otherOptOutsApp(): ComplianceResult {
  const app = newApp();
  const stack = new Stack(app, 'Other');
  const encryptionKey = new kms.Key(stack, 'YourKey', { enableKeyRotation: true });
  // The key is the user's: its policy (here without CT.KMS.PR.3's grant restriction) is theirs to decide.
  Validations.of(encryptionKey).acknowledge({ id: 'cdk-validator-cfnguard::kms_create_grant_aws_service_check', reason: 'The test stands for a user key.' });
  const platform = new EcsPlatform(stack, 'Platform', {
    encryptionKey,
    ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') },
  });
  const ingress = new WebIngress(stack, 'Ingress', {
    platform,
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERT),
    internetFacing: false,
    sslPolicy: elbv2.SslPolicy.TLS13_12_PQ,
    webAclArn: 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/yours/00000000-0000-0000-0000-000000000000',
  });
  new FargateWebService(stack, 'Api', {
    platform, ingress, pathPatterns: ['/api/*'],
    container: { image, port: 8080, user: '101' },
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  });
  new Ec2DaemonService(stack, 'Agent', {
    platform,
    container: { image, user: '10001' },
    networkMode: ecs.NetworkMode.AWS_VPC,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    memoryReservationMiB: 128,
  });
  new BatchTaskSchedule(stack, 'Job', {
    platform,
    container: { image, user: '1000' },
    schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
    launchOnEc2: true,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  });
  return synthWithCompliance(app);
}

/**
 * [opt-out, a rule id the opt-out causes, the construct path it is acknowledged on]: each
 * acknowledgment's reason must name the prop.
 */
const LOOSENED_ACKNOWLEDGMENTS: Array<[string, RegExp, string]> = [
  ['containerInsights: false', /ECS4$/, 'Loose/Platform/Cluster'],
  ['containerInsights: false', /ecs_container_insights_enabled_check/, 'Loose/Platform/Cluster'],
  ['flowLogs: false', /AwsSolutions-VPC7$/, 'Loose/Platform/Vpc'],
  ['flowLogs: false', /NIST.800.53.R5-VPCFlowLogsEnabled$/, 'Loose/Platform/Vpc'],
  ['flowLogs: false', /HIPAA.Security-VPCFlowLogsEnabled$/, 'Loose/Platform/Vpc'],
  ['flowLogs: false', /PCI.DSS.321-VPCFlowLogsEnabled$/, 'Loose/Platform/Vpc'],
  ['logRetention', /cloudwatch_log_group_retention_period_check/, 'Loose/Platform/Ec2CapacityTeardown'],
  ['logRetention', /cloudwatch_log_group_retention_period_check/, 'Loose/Job/StateMachineLogGroup'],
  ['container.logRetention', /cloudwatch_log_group_retention_period_check/, 'Loose/Api/LogGroup'],
  ['allowPlainHttp: true', /ELBv2ACMCertificateRequired$/, 'Loose/Ingress/LoadBalancer/HttpListener'],
  ['managedWebAcl: false', /ALBWAFEnabled$/, 'Loose/Ingress/LoadBalancer'],
  ['deletionProtection: false', /ELBDeletionProtectionEnabled$/, 'Loose/Ingress/LoadBalancer'],
  ['enableExecuteCommand', /IAM5\[Resource::\*\]$/, 'Loose/Api/TaskDefinition/TaskRole'],
  ['readonlyRootFilesystem: false', /ecs_containers_readonly_access_check/, 'Loose/Agent/TaskDefinition'],
  ['privileged: true', /ecs_containers_nonprivileged_check/, 'Loose/Agent/TaskDefinition'],
  ['logRetention', /cloudwatch_log_group_retention_period_check/, 'Loose/Agent/LogGroup'],
  ['logRetention', /cloudwatch_log_group_retention_period_check/, 'Loose/Job/LogGroup'],
];

describe('explicit opt-outs', () => {
  let loosened: ComplianceResult;
  let other: ComplianceResult;
  beforeAll(() => {
    loosened = loosenedApp();
    other = otherOptOutsApp();
  });

  test('every opt-out of the README together leaves no unacknowledged finding', () => {
    expect(loosened.error).toBeUndefined();
    expect(formatFindings(loosened.findings)).toEqual([]);
  });

  test('the opt-outs that exclude those leave no unacknowledged finding either', () => {
    expect(other.error).toBeUndefined();
    expect(formatFindings(other.findings)).toEqual([]);
  });

  test.each(LOOSENED_ACKNOWLEDGMENTS)('%s: %s is acknowledged on %s with a reason naming the prop', (prop, rule, path) => {
    const acks = loosened.acknowledged.filter((a) => rule.test(a.rule) && a.paths.some((p) => p.startsWith(path)));
    expect(acks.map((a) => a.rule)).not.toEqual([]);
    for (const ack of acks) expect(ack.reason).toContain(prop.split(':')[0]);
  });
});
