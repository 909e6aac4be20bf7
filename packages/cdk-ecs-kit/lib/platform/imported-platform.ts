import { Annotations, Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import type { EcsPlatform, EcsPlatformAttributes, EcsPlatformLookupOptions, IEcsPlatform } from './ecs-platform';
import { PlatformClaims } from './claims';
import { DEFAULT_LOG_RETENTION } from '../core/defaults';
import { defaultTaskSubnets } from '../core/subnets';
import { checkDnsLabel, checkIntegerInRange, fail } from '../core/validation';

/** Where a platform published with `platformName` keeps its parameters. */
export function platformParameterPrefix(platformName: string): string {
  return `/cdk-ecs-kit/${platformName}`;
}

/** The SSM parameters a platform publishes, by name under its prefix. */
const PARAMETER = {
  vpcId: 'vpc-id',
  vpcCidrBlock: 'vpc-cidr-block',
  availabilityZones: 'availability-zones',
  subnetIds: 'private-subnet-ids',
  clusterName: 'cluster-name',
  namespaceName: 'namespace-name',
  namespaceId: 'namespace-id',
  namespaceArn: 'namespace-arn',
  encryptionKeyArn: 'encryption-key-arn',
  ec2CapacityProviderName: 'ec2-capacity-provider-name',
  ec2SecurityGroupId: 'ec2-security-group-id',
} as const;

/**
 * Publishes what a service app needs to attach to `platform` as SSM parameters (standard tier,
 * no charge) under `/cdk-ecs-kit/NAME/`.
 */
export function publishPlatform(platform: EcsPlatform, platformName: string): void {
  const scope = new Construct(platform, 'Published');
  const prefix = platformParameterPrefix(platformName);
  const subnets = platform.vpc.selectSubnets(defaultTaskSubnets(platform.vpc));
  const values: Array<[string, string]> = [
    [PARAMETER.vpcId, platform.vpc.vpcId],
    [PARAMETER.vpcCidrBlock, platform.vpc.vpcCidrBlock],
    [PARAMETER.availabilityZones, Fn.join(',', subnets.availabilityZones)],
    [PARAMETER.subnetIds, Fn.join(',', subnets.subnetIds)],
    [PARAMETER.clusterName, platform.cluster.clusterName],
    [PARAMETER.namespaceName, platform.namespace.namespaceName],
    [PARAMETER.namespaceId, platform.namespace.namespaceId],
    [PARAMETER.namespaceArn, platform.namespace.namespaceArn],
    [PARAMETER.encryptionKeyArn, platform.encryptionKey.keyArn],
  ];
  if (platform.ec2CapacityProviderName && platform.ec2SecurityGroup) {
    values.push([PARAMETER.ec2CapacityProviderName, platform.ec2CapacityProviderName]);
    values.push([PARAMETER.ec2SecurityGroupId, platform.ec2SecurityGroup.securityGroupId]);
  }
  for (const [name, value] of values) {
    new ssm.StringParameter(scope, name, {
      parameterName: `${prefix}/${name}`,
      stringValue: value,
      description: `cdk-ecs-kit platform ${platformName}: ${name} (read by service apps with EcsPlatform.fromPlatformName)`,
    });
  }
}

/** Replaces `object[name]` with a getter that computes the value on first read and keeps it. */
function deferAttribute(object: object, name: string, produce: () => unknown): void {
  let value: unknown;
  let produced = false;
  Object.defineProperty(object, name, {
    configurable: true,
    enumerable: true,
    get: () => {
      if (!produced) {
        value = produce();
        produced = true;
      }
      return value;
    },
  });
}

/**
 * A platform deployed by another app. Workloads use it like an EcsPlatform; its registries only
 * see the workloads built on this object.
 */
export class ImportedEcsPlatform extends Construct implements IEcsPlatform {
  /** Reads a platform published with `platformName` from its SSM parameters at deploy time. */
  public static fromParameters(scope: Construct, id: string, platformName: string, options: EcsPlatformLookupOptions): IEcsPlatform {
    const lookup = new Construct(scope, id);
    checkDnsLabel(lookup, 'platformName', platformName);
    const zones = options.availabilityZones ?? 2;
    checkIntegerInRange(lookup, 'availabilityZones', zones, 1, 6);
    const prefix = platformParameterPrefix(platformName);
    // Each parameter is created on first use only: one the template never references is a
    // CloudFormation validator warning (W2001, unused parameter) in every service app.
    const parameters = new Map<string, string>();
    const read = (name: string) => {
      if (!parameters.has(name)) parameters.set(name, ssm.StringParameter.valueForStringParameter(lookup, `${prefix}/${name}`));
      return parameters.get(name)!;
    };
    const zoneNames = () => Fn.split(',', read(PARAMETER.availabilityZones), zones);
    const vpc = ec2.Vpc.fromVpcAttributes(lookup, 'Vpc', {
      vpcId: read(PARAMETER.vpcId),
      // Placeholders, replaced by deferred reads below: workloads rarely need the zones or the CIDR.
      availabilityZones: Array.from({ length: zones }, (_, i) => `published-zone-${i + 1}`),
      // One subnet per zone; Fn::Select at deploy time (a smaller platform fails there).
      privateSubnetIds: Fn.split(',', read(PARAMETER.subnetIds), zones),
    });
    deferAttribute(vpc, 'vpcCidrBlock', () => read(PARAMETER.vpcCidrBlock));
    deferAttribute(vpc, 'availabilityZones', zoneNames);
    vpc.privateSubnets.forEach((subnet, i) => {
      deferAttribute(subnet, 'availabilityZone', () => zoneNames()[i]);
      // The platform app owns the subnets' route tables; a service app adds no routes to them.
      Annotations.of(subnet).acknowledgeWarning('@aws-cdk/aws-ec2:noSubnetRouteTableId', 'Subnets of a platform deployed by another app: their route tables belong to that app, and workloads add no routes.');
    });
    const platform = new ImportedEcsPlatform(lookup, 'Platform', {
      vpc,
      clusterName: read(PARAMETER.clusterName),
      namespaceName: 'published-namespace-name',
      namespaceId: read(PARAMETER.namespaceId),
      namespaceArn: 'published-namespace-arn',
      // Through Fn::Sub, not a bare Ref: cdk-validator-cfnguard 0.0.62 crashes on a log group whose
      // KmsKeyId is a Ref to a parameter (CT.CLOUDWATCH.PR.3), and cannot be acknowledged then.
      encryptionKeyArn: Fn.sub('${KeyArn}', { KeyArn: read(PARAMETER.encryptionKeyArn) }),
      logRetention: options.logRetention,
      ec2CapacityProviderName: options.ec2Capacity ? read(PARAMETER.ec2CapacityProviderName) : undefined,
      ec2SecurityGroupId: options.ec2Capacity ? read(PARAMETER.ec2SecurityGroupId) : undefined,
      serviceConnect: options.serviceConnect,
    });
    deferAttribute(platform.namespace, 'namespaceName', () => read(PARAMETER.namespaceName));
    deferAttribute(platform.namespace, 'namespaceArn', () => read(PARAMETER.namespaceArn));
    return platform;
  }

  public readonly vpc: ec2.IVpc;
  public readonly cluster: ecs.ICluster;
  public readonly namespace: servicediscovery.IPrivateDnsNamespace;
  public readonly encryptionKey: kms.IKey;
  public readonly logRetention: logs.RetentionDays;
  public readonly hasEc2Capacity: boolean;
  public readonly ec2CapacityProviderName?: string;
  public readonly ec2SecurityGroup?: ec2.ISecurityGroup;
  public readonly imported = true;
  public readonly serviceConnectEnabled: boolean;
  private readonly claims: PlatformClaims;

  constructor(scope: Construct, id: string, attrs: EcsPlatformAttributes) {
    super(scope, id);
    this.claims = new PlatformClaims(this.node.path, true);
    if ((attrs.ec2CapacityProviderName === undefined) !== (attrs.ec2SecurityGroupId === undefined)) {
      fail(this, 'ec2CapacityProviderName', 'and ec2SecurityGroupId describe the EC2 capacity together; one was given without the other.', 'Give both for a platform with EC2 capacity, or neither.');
    }
    this.vpc = attrs.vpc;
    this.hasEc2Capacity = attrs.ec2CapacityProviderName !== undefined;
    this.ec2CapacityProviderName = attrs.ec2CapacityProviderName;
    this.ec2SecurityGroup = attrs.ec2SecurityGroupId === undefined ? undefined
      : ec2.SecurityGroup.fromSecurityGroupId(this, 'Ec2SecurityGroup', attrs.ec2SecurityGroupId, { allowAllOutbound: true });
    this.cluster = ecs.Cluster.fromClusterAttributes(this, 'Cluster', {
      clusterName: attrs.clusterName,
      vpc: attrs.vpc,
      hasEc2Capacity: this.hasEc2Capacity,
      securityGroups: this.ec2SecurityGroup ? [this.ec2SecurityGroup] : [],
    });
    this.namespace = servicediscovery.PrivateDnsNamespace.fromPrivateDnsNamespaceAttributes(this, 'Namespace', {
      namespaceName: attrs.namespaceName,
      namespaceId: attrs.namespaceId,
      namespaceArn: attrs.namespaceArn,
    });
    this.encryptionKey = kms.Key.fromKeyArn(this, 'EncryptionKey', attrs.encryptionKeyArn);
    this.logRetention = attrs.logRetention ?? DEFAULT_LOG_RETENTION;
    this.serviceConnectEnabled = attrs.serviceConnect ?? false;
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
}
