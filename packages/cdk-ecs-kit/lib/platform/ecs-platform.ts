import { Annotations, Aws, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { Ec2CapacityTeardown } from './ec2-capacity-teardown';
import { ImportedEcsPlatform, publishPlatform } from './imported-platform';
import { PlatformClaims } from './claims';
import { acknowledgeGrantPolicy, acknowledgeGuardRule, acknowledgeLogRetentionOptOut, acknowledgeRule, COMPLIANCE_PACKS, NagPack } from '../core/compliance';
import { DEFAULT_LOG_RETENTION } from '../core/defaults';
import {
  checkCapacityBounds,
  checkDnsLabel,
  checkDnsName,
  checkIntegerInRange,
  checkPercent,
  checkSizeGibibytes,
  fail,
  isDeployTimeValue,
  requireSynthTimeValue,
} from '../core/validation';
import { checkDefaultTaskSubnetsExist, defaultTaskSubnets, hasVpcCidrBlock } from '../core/subnets';

/**
 * What every cdk-ecs-kit workload needs from the platform it runs on: an `EcsPlatform` of the
 * same app, or one imported from another app with `EcsPlatform.fromAttributes` or
 * `EcsPlatform.fromPlatformName`.
 */
export interface IEcsPlatform extends IConstruct {
  /** The VPC the platform runs in. */
  readonly vpc: ec2.IVpc;

  /** The ECS cluster. */
  readonly cluster: ecs.ICluster;

  /**
   * The Cloud Map private DNS namespace services register in.
   *
   * @jsii suppress reserved-word C# bindings name it Namespace (not reserved) and ARCHITECTURE.md principle 6 keeps the name
   */
  readonly namespace: servicediscovery.IPrivateDnsNamespace;

  /** The KMS key that encrypts the platform's and its workloads' logs, topics and queues. */
  readonly encryptionKey: kms.IKey;

  /** Default retention of workload log groups. */
  readonly logRetention: logs.RetentionDays;

  /** Whether the platform has EC2 capacity for daemons and EC2 tasks. */
  readonly hasEc2Capacity: boolean;

  /**
   * The name of the EC2 capacity provider.
   *
   * @default - undefined when the platform has no EC2 capacity
   */
  readonly ec2CapacityProviderName?: string;

  /**
   * The security group of the EC2 container instances (bridge and host mode daemons listen there).
   *
   * @default - undefined when the platform has no EC2 capacity
   */
  readonly ec2SecurityGroup?: ec2.ISecurityGroup;

  /**
   * The Auto Scaling group of the EC2 capacity, when it is in this app; daemons are ordered
   * against it.
   *
   * @default - undefined without EC2 capacity, or for an imported platform
   */
  readonly autoScalingGroup?: autoscaling.IAutoScalingGroup;

  /**
   * The custom resource that, when the stack itself is deleted, force-deletes the Auto Scaling group
   * and deregisters the container instances before CloudFormation deletes the cluster; workloads on
   * the EC2 capacity depend on it.
   *
   * @default - undefined without EC2 capacity, or for an imported platform
   */
  readonly ec2CapacityTeardown?: IConstruct;

  /** Whether the platform was imported from another app (its other workloads are not visible). */
  readonly imported: boolean;

  /**
   * Whether the platform's namespace is a Service Connect namespace: its services then run the
   * Service Connect proxy and may serve through it (`serviceConnect`).
   */
  readonly serviceConnectEnabled: boolean;

  /**
   * Claims a Service Connect name (client alias) for `owner`. A name another workload on this
   * platform object holds is a synth error naming both.
   */
  claimServiceConnectName(owner: IConstruct, name: string): void;

  /**
   * Claims a Cloud Map name in the namespace for `owner`. A name another workload on this
   * platform object holds is a synth error naming both.
   */
  claimDiscoveryName(owner: IConstruct, name: string): void;

  /**
   * Claims a port on every EC2 container instance for `owner` (a daemon in bridge or host mode).
   * A port another workload on this platform object holds is a synth error naming both and
   * `prop` (default 'port'), the owner's prop that asked for the port.
   */
  claimHostPort(owner: IConstruct, port: number, protocol: ecs.Protocol, prop?: string): void;
}

/**
 * The attributes of an EcsPlatform deployed by another app.
 */
export interface EcsPlatformAttributes {
  /**
   * The platform's VPC, e.g. from `ec2.Vpc.fromVpcAttributes`. Its private subnets are where
   * workloads run by default.
   */
  readonly vpc: ec2.IVpc;

  /** The name of the ECS cluster. */
  readonly clusterName: string;

  /** The name of the Cloud Map private DNS namespace, e.g. 'internal'. */
  readonly namespaceName: string;

  /** The id of the Cloud Map namespace (ns-...). */
  readonly namespaceId: string;

  /** The ARN of the Cloud Map namespace. */
  readonly namespaceArn: string;

  /**
   * The ARN of the platform's KMS key. Its key policy must let CloudWatch Logs of the account
   * use it (an EcsPlatform's own key does).
   */
  readonly encryptionKeyArn: string;

  /**
   * How long workload log groups keep events.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The name of the platform's EC2 capacity provider.
   *
   * @default - the platform has no EC2 capacity
   */
  readonly ec2CapacityProviderName?: string;

  /**
   * The id of the EC2 container instances' security group. Required with `ec2CapacityProviderName`.
   *
   * @default - the platform has no EC2 capacity
   */
  readonly ec2SecurityGroupId?: string;

  /**
   * Whether the platform was deployed with `serviceConnect: true`. Services of this app then run
   * the Service Connect proxy in the platform's namespace.
   *
   * @default false
   */
  readonly serviceConnect?: boolean;
}

/**
 * How a service app finds a platform that another app published with `platformName`.
 */
export interface EcsPlatformLookupOptions {
  /**
   * How many Availability Zones (and so private subnets) the platform's VPC has. Must match the
   * platform: a larger number fails at deploy time.
   *
   * @default 2 - the EcsPlatform default (`maxAzs`)
   */
  readonly availabilityZones?: number;

  /**
   * Whether the platform has EC2 capacity (it then published its capacity provider and instance
   * security group).
   *
   * @default false
   */
  readonly ec2Capacity?: boolean;

  /**
   * How long workload log groups keep events.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Whether the platform was deployed with `serviceConnect: true`.
   *
   * @default false
   */
  readonly serviceConnect?: boolean;
}

/**
 * EC2 capacity for the platform: an Auto Scaling group registered with the cluster as a
 * capacity provider, for daemons and workloads that need EC2.
 */
export interface Ec2CapacityOptions {
  /**
   * The EC2 instance type. Its architecture (x86_64 or arm64) picks the matching
   * ECS-optimized AMI.
   */
  readonly instanceType: ec2.InstanceType;

  /**
   * The fewest instances the Auto Scaling group keeps running.
   *
   * @default 1
   */
  readonly minCapacity?: number;

  /**
   * The most instances the Auto Scaling group may run. Required when `minCapacity` is only
   * known at deploy time (a parameter), since the default cannot be computed then.
   *
   * @default - the larger of `minCapacity` and 2
   */
  readonly maxCapacity?: number;

  /**
   * The AMI the instances boot.
   *
   * @default - the latest ECS-optimized Amazon Linux 2023 AMI for the instance type's
   * architecture, read from the public SSM parameter at deploy time
   */
  readonly machineImage?: ec2.IMachineImage;

  /**
   * The size of each instance's encrypted gp3 root volume.
   *
   * @default Size.gibibytes(30) - the ECS-optimized AMI's own minimum
   */
  readonly rootVolumeSize?: Size;

  /**
   * Whether ECS managed termination protection keeps scale-in from terminating instances
   * that still run non-daemon tasks.
   *
   * @default false - managed draining already moves tasks off an instance before it is
   * terminated, and termination protection blocks CloudFormation from deleting the
   * Auto Scaling group (containers-roadmap issue 631)
   */
  readonly managedTerminationProtection?: boolean;

  /**
   * The utilization, in percent, that ECS managed scaling keeps the instances at.
   *
   * @default 100
   */
  readonly targetCapacityPercent?: number;

  /**
   * An SNS topic the Auto Scaling group reports launches, terminations and their failures to.
   *
   * @default - no notifications; ECS managed scaling drives the group and its activity is
   * in the Auto Scaling activity history and CloudTrail
   */
  readonly notificationsTopic?: sns.ITopic;
}

/**
 * Properties of an EcsPlatform.
 */
export interface EcsPlatformProps {
  /**
   * The VPC to run in. It needs private subnets with egress (for image pulls and AWS APIs)
   * and, for an internet-facing ingress, public subnets. Of an imported VPC, what a construct
   * needs and the VPC lacks (subnets, `vpcCidrBlock`) is a synth error naming it.
   *
   * @default - a new VPC over `maxAzs` Availability Zones with public and private
   * (with egress) subnets, `natGateways` NAT gateways and flow logs
   */
  readonly vpc?: ec2.IVpc;

  /**
   * How many Availability Zones the new VPC spans. More than 2 needs a stack with an `env`
   * (account and region): an environment-agnostic stack knows only 2 zones. Not allowed with `vpc`,
   * and must be known at synth (not a parameter).
   *
   * @default 2 - enough for an ALB and for surviving one zone's failure
   */
  readonly maxAzs?: number;

  /**
   * How many NAT gateways the new VPC gets. Not allowed with `vpc`, and must be known at synth
   * (not a parameter).
   *
   * @default 1 - one NAT gateway (about 33 USD a month) instead of one per zone; set it to
   * `maxAzs` for zone-independent egress
   */
  readonly natGateways?: number;

  /**
   * Whether VPC flow logs (all traffic) are written to a KMS-encrypted log group. `false` for
   * a VPC this construct creates is acknowledged in the compliance packs (VPC7,
   * VPCFlowLogsEnabled) with this prop as the reason.
   *
   * @default - true for a VPC this construct creates, false for a VPC you pass in
   * (it is yours to log)
   */
  readonly flowLogs?: boolean;

  /**
   * The name of the Cloud Map private DNS namespace that services register in.
   *
   * @default 'internal' - services are reachable as NAME.internal inside the VPC
   */
  readonly namespaceName?: string;

  /**
   * Whether CloudWatch Container Insights with enhanced observability is on for the cluster.
   *
   * @default true
   */
  readonly containerInsights?: boolean;

  /**
   * The name of the ECS cluster.
   *
   * @default - a name CloudFormation generates
   */
  readonly clusterName?: string;

  /**
   * EC2 capacity for daemons and EC2 workloads.
   *
   * @default - Fargate and Fargate Spot only
   */
  readonly ec2Capacity?: Ec2CapacityOptions;

  /**
   * The customer-managed KMS key that encrypts log groups, topics and queues of every
   * workload on the platform.
   *
   * @default - a new key with yearly automatic rotation, retained on stack deletion
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long the platform's and its workloads' log groups keep events. Workloads can
   * override it per container. Less than a year is acknowledged for Control Tower's
   * CT.CLOUDWATCH.PR.2 on each log group, with this prop as the reason.
   *
   * @default logs.RetentionDays.ONE_YEAR - the audit-trail minimum of PCI DSS 10.7
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * A name under which the platform publishes what service apps need to attach to it (VPC,
   * subnets, cluster, namespace, key, EC2 capacity) as SSM parameters under
   * `/cdk-ecs-kit/NAME/`. A service app in another CDK app then calls
   * `EcsPlatform.fromPlatformName(this, 'Platform', NAME)`; the values are read at deploy time,
   * so it synthesizes offline. A DNS label (e.g. 'shop').
   *
   * @default - nothing is published; import with `EcsPlatform.fromAttributes`
   */
  readonly platformName?: string;

  /**
   * Whether the namespace is also the cluster's Service Connect namespace. Every FargateWebService
   * and every bridge or awsvpc Ec2DaemonService on the platform then runs the Service Connect
   * proxy (a client of every Service Connect name), and serves under a name with `serviceConnect`.
   *
   * @default false - Service Connect itself costs nothing, but its proxy takes about 256 CPU
   * units and 64 MiB of every task (AWS's sizing advice), which the smallest Fargate task cannot
   * spare; Cloud Map DNS names (`discoveryName`) work without it
   */
  readonly serviceConnect?: boolean;
}

/**
 * The shared ground every cdk-ecs-kit workload stands on: a VPC, an ECS cluster with
 * Fargate and Fargate Spot capacity providers (and optional EC2 capacity), a Cloud Map
 * private DNS namespace and one customer-managed KMS key.
 */
export class EcsPlatform extends Construct implements IEcsPlatform {
  /**
   * A platform deployed by another app, from its attributes. Workloads built on it route,
   * register and run like on a platform of this app; name and port clashes with the other app's
   * workloads cannot be seen here.
   */
  public static fromAttributes(scope: Construct, id: string, attrs: EcsPlatformAttributes): IEcsPlatform {
    return new ImportedEcsPlatform(scope, id, attrs);
  }

  /**
   * A platform another app deployed with `platformName: NAME`, read from the SSM parameters it
   * published under `/cdk-ecs-kit/NAME/`. The values are resolved at deploy time: synth needs no
   * AWS access.
   */
  public static fromPlatformName(scope: Construct, id: string, platformName: string, options: EcsPlatformLookupOptions = {}): IEcsPlatform {
    return ImportedEcsPlatform.fromParameters(scope, id, platformName, options);
  }

  /** The VPC the platform runs in. */
  public readonly vpc: ec2.IVpc;

  /** The ECS cluster (an `ecs.Cluster`; typed as the interface every platform offers). */
  public readonly cluster: ecs.ICluster;

  /**
   * The Cloud Map private DNS namespace services register in.
   *
   * @jsii suppress reserved-word C# bindings name it Namespace (not reserved) and ARCHITECTURE.md principle 6 keeps the name
   */
  public readonly namespace: servicediscovery.IPrivateDnsNamespace;

  /** The KMS key that encrypts the platform's and its workloads' logs, topics and queues. */
  public readonly encryptionKey: kms.IKey;

  /** Default retention of workload log groups. */
  public readonly logRetention: logs.RetentionDays;

  /** Whether the platform has EC2 capacity (`ec2Capacity` was given). */
  public readonly hasEc2Capacity: boolean;

  /**
   * The Auto Scaling group of the EC2 capacity.
   *
   * @default - undefined when the platform has no EC2 capacity
   */
  public readonly autoScalingGroup?: autoscaling.IAutoScalingGroup;

  /**
   * The capacity provider of the EC2 capacity; daemon and EC2 tasks are placed on it.
   *
   * @default - undefined when the platform has no EC2 capacity
   */
  public readonly ec2CapacityProvider?: ecs.AsgCapacityProvider;

  /**
   * The custom resource that, on stack deletion, force-deletes the Auto Scaling group and
   * deregisters the container instances before CloudFormation deletes the cluster (which fails
   * while container instances are registered). It leaves them alone on any other Delete (an update
   * rollback, a replacement, a removal). Workloads on the EC2 capacity depend on it.
   *
   * @default - undefined when the platform has no EC2 capacity
   */
  // IConstruct like IEcsPlatform's: jsii forbids narrowing an implemented property's type.
  public readonly ec2CapacityTeardown?: IConstruct;

  /**
   * The security group of the EC2 instances.
   *
   * @default - undefined when the platform has no EC2 capacity
   */
  public readonly ec2SecurityGroup?: ec2.ISecurityGroup;

  /**
   * The name of the EC2 capacity provider.
   *
   * @default - undefined when the platform has no EC2 capacity
   */
  public readonly ec2CapacityProviderName?: string;

  /** Always false: this platform is defined in this app. */
  public readonly imported = false;

  /** Whether the namespace is the cluster's Service Connect namespace (`serviceConnect`). */
  public readonly serviceConnectEnabled: boolean;

  private readonly claims: PlatformClaims;

  /**
   * The log group VPC flow logs are written to.
   *
   * @default - undefined when flow logs are off
   */
  public readonly flowLogGroup?: logs.LogGroup;

  /**
   * The log group ECS Exec sessions (`enableExecuteCommand`) of the platform's services log to,
   * KMS-encrypted and retained.
   */
  public readonly executeCommandLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: EcsPlatformProps = {}) {
    super(scope, id);
    this.claims = new PlatformClaims(this.node.path, false);

    const namespaceName = props.namespaceName ?? 'internal';
    checkDnsName(this, 'namespaceName', namespaceName);
    checkDnsLabel(this, 'platformName', props.platformName);
    requireSynthTimeValue(this, 'maxAzs', props.maxAzs, 'and it decides at synth how many subnets the new VPC gets.', 'Give a number (e.g. maxAzs: 2), or pass your own vpc.');
    requireSynthTimeValue(this, 'natGateways', props.natGateways, 'and it decides at synth how many NAT gateways the new VPC gets.', 'Give a number (e.g. natGateways: 1), or pass your own vpc.');
    checkIntegerInRange(this, 'maxAzs', props.maxAzs, 1, 6);
    checkIntegerInRange(this, 'natGateways', props.natGateways, 0, 6);
    if (props.vpc && (props.maxAzs !== undefined || props.natGateways !== undefined)) {
      throw new Error(`[${this.node.path}] maxAzs and natGateways shape a new VPC and cannot be combined with vpc. Remove them, or remove vpc.`);
    }

    this.logRetention = props.logRetention ?? DEFAULT_LOG_RETENTION;
    this.encryptionKey = props.encryptionKey ?? this.createEncryptionKey();
    this.vpc = props.vpc ?? this.createVpc(props.maxAzs ?? 2, props.natGateways ?? 1);
    if (props.platformName !== undefined) this.checkVpcCanBePublished(this.vpc);

    if (props.flowLogs ?? !props.vpc) {
      this.flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
        encryptionKey: this.encryptionKey,
        retention: this.logRetention,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      acknowledgeLogRetentionOptOut(this.flowLogGroup, this.logRetention, `logRetention on ${this.node.path}`);
      const flowLog = new ec2.FlowLog(this, 'FlowLog', {
        resourceType: ec2.FlowLogResourceType.fromVpc(this.vpc),
        destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
        trafficType: ec2.FlowLogTrafficType.ALL,
      });
      // The role the FlowLog creates trusts the service with no condition; the VPC page "IAM role
      // for publishing flow logs to CloudWatch Logs" recommends aws:SourceAccount and aws:SourceArn
      // against the confused deputy. Its trust policy is replaced through the L1 escape hatch rather
      // than a new role: a new role would replace the flow log on upgrade. (The flow log's own ARN
      // would be a dependency cycle, so the account's flow logs.)
      const flowLogRole = flowLog.iamRole as iam.Role;
      (flowLogRole.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument = new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          actions: ['sts:AssumeRole'],
          principals: [new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com')],
          conditions: {
            StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
            ArnLike: { 'aws:SourceArn': Stack.of(this).formatArn({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }) },
          },
        })],
      });
      acknowledgeGrantPolicy(flowLogRole);
    } else if (!props.vpc) {
      // A VPC passed in is the caller's to log; this one was created here without flow logs on request.
      const reason = `flowLogs: false was set explicitly on ${this.node.path}: the VPC it creates has no flow logs.`;
      acknowledgeRule(this.vpc, 'VPC7', reason, [NagPack.AWS_SOLUTIONS]);
      acknowledgeRule(this.vpc, 'VPCFlowLogsEnabled', reason, COMPLIANCE_PACKS);
    }

    // ECS Exec sessions log here: with the cluster naming a log group, aws-cdk-lib grants a task
    // role of a service with enableExecuteCommand log writes to this group only, in every feature
    // flag state (without it: to '*', or nothing at all with reduceEc2FargateCloudWatchPermissions).
    this.executeCommandLogGroup = new logs.LogGroup(this, 'ExecuteCommandLogGroup', {
      encryptionKey: this.encryptionKey,
      retention: this.logRetention,
      // Retained: the record of who ran which command in which task.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeLogRetentionOptOut(this.executeCommandLogGroup, this.logRetention, `logRetention on ${this.node.path}`);

    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      clusterName: props.clusterName,
      enableFargateCapacityProviders: true,
      containerInsightsV2: props.containerInsights ?? true ? ecs.ContainerInsights.ENHANCED : ecs.ContainerInsights.DISABLED,
      executeCommandConfiguration: {
        logging: ecs.ExecuteCommandLogging.OVERRIDE,
        logConfiguration: { cloudWatchLogGroup: this.executeCommandLogGroup, cloudWatchEncryptionEnabled: true },
      },
    });
    this.cluster = cluster;
    if (props.containerInsights === false) {
      acknowledgeRule(this.cluster, 'ECS4', 'Container Insights was turned off explicitly with containerInsights: false.', [NagPack.AWS_SOLUTIONS]);
      acknowledgeRule(this.cluster, 'ECSClusterCloudWatchContainerInsights', 'Container Insights was turned off explicitly with containerInsights: false.', COMPLIANCE_PACKS);
      acknowledgeGuardRule(this.cluster, 'ecs_container_insights_enabled_check', 'Container Insights was turned off explicitly with containerInsights: false.');
    } else {
      acknowledgeGuardRule(
        this.cluster,
        'ecs_container_insights_enabled_check',
        "Container Insights is on with enhanced observability ('enhanced'), a superset of 'enabled'; the Control Tower rule (CT.ECS.PR.2) accepts only the literal 'enabled'.",
      );
    }

    this.namespace = new servicediscovery.PrivateDnsNamespace(this, 'Namespace', {
      name: namespaceName,
      vpc: this.vpc,
      description: `Service discovery for ${this.node.path}`,
    });
    this.serviceConnectEnabled = props.serviceConnect ?? false;
    if (this.serviceConnectEnabled) {
      // The cluster's ServiceConnectDefaults: the same private DNS namespace (the namespace type
      // does not matter to Service Connect), so discoveryName DNS records keep working beside it.
      cluster.addExistingDefaultCloudMapNamespace({ namespace: this.namespace, useForServiceConnect: true });
      Annotations.of(this.cluster).acknowledgeWarning(
        '@aws-cdk/aws-ecs:privateDnsNamespaceVpc',
        'The namespace is created by this platform in the VPC of the cluster.',
      );
    }

    this.hasEc2Capacity = props.ec2Capacity !== undefined;
    if (props.ec2Capacity) {
      const capacity = this.createEc2Capacity(cluster, props.ec2Capacity);
      this.autoScalingGroup = capacity.autoScalingGroup;
      this.ec2CapacityProvider = capacity.capacityProvider;
      this.ec2CapacityTeardown = capacity.teardown;
      this.ec2SecurityGroup = capacity.securityGroup;
      this.ec2CapacityProviderName = capacity.capacityProvider.capacityProviderName;
    }
    if (props.platformName !== undefined) publishPlatform(this, props.platformName);
  }

  public claimDiscoveryName(owner: IConstruct, name: string): void {
    this.claims.discoveryName(owner, name);
  }

  public claimHostPort(owner: IConstruct, port: number, protocol: ecs.Protocol, prop: string = 'port'): void {
    this.claims.hostPort(owner, port, protocol, prop);
  }

  public claimServiceConnectName(owner: IConstruct, name: string): void {
    this.claims.serviceConnectName(owner, name);
  }

  private createEncryptionKey(): kms.Key {
    const key = new kms.Key(this, 'EncryptionKey', {
      description: `Encrypts logs, topics and queues of the ECS platform ${this.node.path}`,
      enableKeyRotation: true,
      // Retained: deleting the key would make every log group and message it encrypted unreadable.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts log groups of this account and region with the key.
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${Stack.of(this).region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
        },
      },
    }));
    // CloudWatch alarms publish to topics encrypted with the key.
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }));
    // Grants on the key only for AWS resources or by AWS services (Control Tower CT.KMS.PR.3).
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyGrantsExceptForAwsResources',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }));
    return key;
  }

  private createVpc(maxAzs: number, natGateways: number): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs,
      natGateways,
      subnetConfiguration: [
        // No public IPs on launch: only the ALB and NAT gateways live here, and they bring their own.
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      // Set here, not left to the @aws-cdk/aws-ec2:restrictDefaultSecurityGroup feature flag.
      restrictDefaultSecurityGroup: true,
    });
    // aws-cdk-lib's stack-wide provider that removes the rules of the default security group.
    const restrictProvider = Stack.of(this).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
    if (restrictProvider) {
      acknowledgeGuardRule(
        restrictProvider,
        'lambda_inside_vpc_check',
        "aws-cdk-lib's provider for restrictDefaultSecurityGroup takes no VPC configuration; it runs only during deployment, calls only the EC2 API to revoke the default security group's rules, and holds no data.",
      );
    }
    if (vpc.availabilityZones.length < maxAzs) {
      fail(
        this,
        'maxAzs',
        `asks for ${maxAzs} Availability Zones, but the stack ${Stack.of(this).node.path} knows only ${vpc.availabilityZones.length}: an environment-agnostic stack (no env) offers 2.`,
        'Give the stack an env with account and region, or use maxAzs: 2.',
      );
    }
    for (const subnet of vpc.publicSubnets) {
      const defaultRoute = subnet.node.tryFindChild('DefaultRoute');
      if (defaultRoute) {
        acknowledgeRule(
          defaultRoute,
          'VPCNoUnrestrictedRouteToIGW',
          'Public subnets route to the internet gateway by definition; only the load balancer and NAT gateways are placed in them.',
          COMPLIANCE_PACKS,
        );
      }
    }
    return vpc;
  }

  /** What `platformName` publishes of a VPC passed in, checked before aws-cdk-lib reads it. */
  private checkVpcCanBePublished(vpc: ec2.IVpc): void {
    if (!hasVpcCidrBlock(vpc)) {
      fail(this, 'platformName', `publishes the VPC's CIDR range for service apps, and the VPC ${vpc.node.path} was imported without vpcCidrBlock.`, 'Pass vpcCidrBlock to ec2.Vpc.fromVpcAttributes.');
    }
    checkDefaultTaskSubnetsExist(this, 'platformName', vpc, 'publishes', 'Pass privateSubnetIds to ec2.Vpc.fromVpcAttributes.');
  }

  private createEc2Capacity(cluster: ecs.Cluster, options: Ec2CapacityOptions) {
    checkDefaultTaskSubnetsExist(this, 'ec2Capacity', this.vpc, 'the instances run in', 'Pass privateSubnetIds to ec2.Vpc.fromVpcAttributes.');
    const minCapacity = options.minCapacity ?? 1;
    if (options.maxCapacity === undefined && isDeployTimeValue(minCapacity)) {
      // Like aws-cdk-lib's own default (the larger of min and desired), ours cannot be computed
      // from a deploy-time min; a literal 2 could be below it (CloudFormation rejects MinSize > MaxSize).
      fail(
        this,
        'ec2Capacity.maxCapacity',
        'is required when ec2Capacity.minCapacity is only known at deploy time (a parameter or another token): its default, the larger of minCapacity and 2, cannot be computed at synth.',
        'Set ec2Capacity.maxCapacity too (a number, or a deploy-time value at least minCapacity).',
      );
    }
    const maxCapacity = options.maxCapacity ?? Math.max(minCapacity, 2);
    checkCapacityBounds(this, 'ec2Capacity.minCapacity', minCapacity, 'ec2Capacity.maxCapacity', maxCapacity);
    checkPercent(this, 'ec2Capacity.targetCapacityPercent', options.targetCapacityPercent);
    const rootVolumeSize = options.rootVolumeSize ?? Size.gibibytes(30);
    checkSizeGibibytes(this, 'ec2Capacity.rootVolumeSize', rootVolumeSize, 30, 16384);
    const rootVolumeGiB = rootVolumeSize.toGibibytes();

    const hardwareType = options.instanceType.architecture === ec2.InstanceArchitecture.ARM_64
      ? ecs.AmiHardwareType.ARM
      : ecs.AmiHardwareType.STANDARD;

    const securityGroup = new ec2.SecurityGroup(this, 'Ec2SecurityGroup', {
      vpc: this.vpc,
      description: `EC2 container instances of ${this.node.path}`,
      allowAllOutbound: true,
    });

    const instanceRole = new ContainerInstanceRole(this, 'Ec2InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `ECS container instances of ${this.node.path}`,
    });
    acknowledgeGrantPolicy(instanceRole);
    const agentReason = 'The ECS container agent needs ecs:DiscoverPollEndpoint, ecs:Poll, ecs:StartTelemetrySession and ecs:Submit* (added by aws-cdk-lib when the group joins the cluster; Poll and StartTelemetrySession are conditioned on the cluster), and ecr:GetAuthorizationToken; these actions support no resource-level scoping. The role may write no logs.';
    Validations.of(instanceRole).acknowledge(
      { id: `${NagPack.AWS_SOLUTIONS}-IAM5[Action::ecs:Submit*]`, reason: agentReason },
      { id: `${NagPack.AWS_SOLUTIONS}-IAM5[Resource::*]`, reason: agentReason },
    );

    const userData = ec2.UserData.forLinux();
    // awsvpc tasks get no route to the instance metadata service (bridge tasks are already
    // out of reach: IMDSv2 with hop limit 1), so only the agent holds the instance role.
    userData.addCommands('echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config');

    const launchTemplate = new ec2.LaunchTemplate(this, 'Ec2LaunchTemplate', {
      instanceType: options.instanceType,
      machineImage: options.machineImage ?? ecs.EcsOptimizedImage.amazonLinux2023(hardwareType),
      userData,
      role: instanceRole,
      securityGroup,
      requireImdsv2: true,
      // Hop limit 1: containers in bridge mode cannot reach the instance's credentials.
      httpPutResponseHopLimit: 1,
      detailedMonitoring: true,
      blockDevices: [{
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(rootVolumeGiB, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
      }],
    });

    const vpcSubnets = defaultTaskSubnets(this.vpc);
    const autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Ec2AutoScalingGroup', {
      vpc: this.vpc,
      vpcSubnets,
      launchTemplate,
      minCapacity,
      maxCapacity,
      notifications: options.notificationsTopic ? [{ topic: options.notificationsTopic }] : undefined,
    });
    // The zones of the group's subnets, named so Control Tower (CT.AUTOSCALING.PR.1) sees the spread.
    (autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup).availabilityZones =
      [...new Set(this.vpc.selectSubnets(vpcSubnets).availabilityZones)];
    acknowledgeGuardRule(
      autoScalingGroup,
      'autoscaling_mixed_instances_policy_multiple_instance_types_check',
      'One instance type by design (ec2Capacity.instanceType): daemon and EC2 task sizes are checked against it at synth, and ECS managed scaling sizes the group by it.',
    );
    if (!options.notificationsTopic) {
      acknowledgeRule(
        autoScalingGroup,
        'AS3',
        'ECS managed scaling drives this group and its scaling activity is recorded in the Auto Scaling activity history and CloudTrail; pass ec2Capacity.notificationsTopic to be notified as well.',
        [NagPack.AWS_SOLUTIONS],
      );
    }

    const capacityProvider = new ecs.AsgCapacityProvider(this, 'Ec2CapacityProvider', {
      autoScalingGroup,
      enableManagedScaling: true,
      enableManagedTerminationProtection: options.managedTerminationProtection ?? false,
      enableManagedDraining: true,
      targetCapacityPercent: options.targetCapacityPercent,
    });
    cluster.addAsgCapacityProvider(capacityProvider);

    // DeleteCluster fails while container instances are registered, and CloudFormation deletes the
    // cluster as soon as the group's delete returns, before the instances have deregistered.
    const teardownConstruct = new Ec2CapacityTeardown(this, 'Ec2CapacityTeardown', {
      cluster: this.cluster,
      autoScalingGroup,
      encryptionKey: this.encryptionKey,
      logRetention: this.logRetention,
    });
    for (const logGroup of teardownConstruct.node.findAll().filter((c) => c instanceof logs.LogGroup)) {
      acknowledgeLogRetentionOptOut(logGroup, this.logRetention, `logRetention on ${this.node.path}`);
    }
    const teardown = teardownConstruct.resource;

    return { autoScalingGroup, capacityProvider, securityGroup, teardown };
  }
}

/**
 * The role of the EC2 container instances. When the Auto Scaling group joins the cluster
 * (`Cluster.addAsgCapacityProvider`), aws-cdk-lib grants the instance role logs:CreateLogStream and
 * logs:PutLogEvents on '*', for tasks without an execution role that log with awslogs. Every
 * cdk-ecs-kit task has an execution role that writes its own log group, and host-network daemons
 * reach the instance's credentials: this role drops those two actions from that one statement.
 * Statements added by anyone else are kept as they are.
 */
class ContainerInstanceRole extends iam.Role {
  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const logActions = ['logs:CreateLogStream', 'logs:PutLogEvents'];
    const isClusterDefault = statement.effect === iam.Effect.ALLOW
      && statement.resources.length === 1 && statement.resources[0] === '*'
      && statement.actions.includes('ecs:DiscoverPollEndpoint')
      && logActions.every((action) => statement.actions.includes(action));
    if (!isClusterDefault) return super.addToPrincipalPolicy(statement);
    return super.addToPrincipalPolicy(new iam.PolicyStatement({
      effect: statement.effect,
      actions: statement.actions.filter((action) => !logActions.includes(action)),
      resources: statement.resources,
    }));
  }
}
