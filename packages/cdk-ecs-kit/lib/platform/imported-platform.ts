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

/** The separate SSM parameters a platform publishes, by name under its prefix (read by service apps of cdk-ecs-kit 0.x before the attributes list). */
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
 * The one parameter a service app reads: a StringList of every attribute. One template parameter
 * that any workload uses, where separate ones would each be an unused-parameter warning (W2001) in
 * the service apps that do not need that value. Its layout never changes (a new one gets a new name).
 */
const ATTRIBUTES_PARAMETER = 'attributes';

/** The first elements of the attributes list, in order; then a zone and its subnet for each zone. */
const ATTRIBUTE_SLOTS = [
  'vpcId', 'vpcCidrBlock', 'clusterName', 'namespaceName', 'namespaceId', 'namespaceArn', 'encryptionKeyArn',
  'ec2CapacityProviderName', 'ec2SecurityGroupId',
] as const;
type AttributeSlot = typeof ATTRIBUTE_SLOTS[number];

/** What the EC2 slots hold on a platform without EC2 capacity. */
const NO_EC2_CAPACITY = 'none';

/**
 * Publishes what a service app needs to attach to `platform` as SSM parameters (standard tier,
 * no charge) under `/cdk-ecs-kit/NAME/`: the attributes list, and the separate parameters service
 * apps of earlier versions read.
 */
export function publishPlatform(platform: EcsPlatform, platformName: string): void {
  const scope = new Construct(platform, 'Published');
  const prefix = platformParameterPrefix(platformName);
  const subnets = platform.vpc.selectSubnets(defaultTaskSubnets(platform.vpc)).subnets;
  const description = (name: string) => `cdk-ecs-kit platform ${platformName}: ${name} (read by service apps with EcsPlatform.fromPlatformName)`;
  const values: Array<[string, string]> = [
    [PARAMETER.vpcId, platform.vpc.vpcId],
    [PARAMETER.vpcCidrBlock, platform.vpc.vpcCidrBlock],
    [PARAMETER.availabilityZones, Fn.join(',', subnets.map((s) => s.availabilityZone))],
    [PARAMETER.subnetIds, Fn.join(',', subnets.map((s) => s.subnetId))],
    [PARAMETER.clusterName, platform.cluster.clusterName],
    [PARAMETER.namespaceName, platform.namespace.namespaceName],
    [PARAMETER.namespaceId, platform.namespace.namespaceId],
    [PARAMETER.namespaceArn, platform.namespace.namespaceArn],
    [PARAMETER.encryptionKeyArn, platform.encryptionKey.keyArn],
  ];
  const ec2Capacity = platform.ec2CapacityProviderName && platform.ec2SecurityGroup
    ? { name: platform.ec2CapacityProviderName, securityGroupId: platform.ec2SecurityGroup.securityGroupId } : undefined;
  if (ec2Capacity) {
    values.push([PARAMETER.ec2CapacityProviderName, ec2Capacity.name]);
    values.push([PARAMETER.ec2SecurityGroupId, ec2Capacity.securityGroupId]);
  }
  for (const [name, value] of values) {
    new ssm.StringParameter(scope, name, { parameterName: `${prefix}/${name}`, stringValue: value, description: description(name) });
  }
  const slots: { [slot in AttributeSlot]: string } = {
    vpcId: platform.vpc.vpcId,
    vpcCidrBlock: platform.vpc.vpcCidrBlock,
    clusterName: platform.cluster.clusterName,
    namespaceName: platform.namespace.namespaceName,
    namespaceId: platform.namespace.namespaceId,
    namespaceArn: platform.namespace.namespaceArn,
    encryptionKeyArn: platform.encryptionKey.keyArn,
    ec2CapacityProviderName: ec2Capacity?.name ?? NO_EC2_CAPACITY,
    ec2SecurityGroupId: ec2Capacity?.securityGroupId ?? NO_EC2_CAPACITY,
  };
  new ssm.StringListParameter(scope, ATTRIBUTES_PARAMETER, {
    parameterName: `${prefix}/${ATTRIBUTES_PARAMETER}`,
    stringListValue: [...ATTRIBUTE_SLOTS.map((slot) => slots[slot]), ...subnets.flatMap((s) => [s.availabilityZone, s.subnetId])],
    description: description(`${ATTRIBUTES_PARAMETER} (${ATTRIBUTE_SLOTS.join(', ')}, then a zone and its private subnet for each zone)`),
  });
}

/** Calls `produce` on the first call only and returns its value on every call. */
function once<T>(produce: () => T): () => T {
  let value: { readonly it: T } | undefined;
  return () => {
    value ??= { it: produce() };
    return value.it;
  };
}

/** How an imported platform gets its attributes, and what it knows without them. */
interface PlatformSource {
  readonly hasEc2Capacity: boolean;
  readonly serviceConnect: boolean;
  readonly logRetention?: logs.RetentionDays;
  /** Called on first use of any attribute (a lookup creates its template parameter then). */
  readonly attributes: () => EcsPlatformAttributes;
}

/** The aws-cdk-lib imports of an imported platform. */
interface PlatformImports {
  readonly vpc: ec2.IVpc;
  readonly cluster: ecs.ICluster;
  readonly namespace: servicediscovery.IPrivateDnsNamespace;
  readonly encryptionKey: kms.IKey;
  readonly ec2CapacityProviderName?: string;
  readonly ec2SecurityGroup?: ec2.ISecurityGroup;
}

/**
 * A platform deployed by another app. Workloads use it like an EcsPlatform; its registries only
 * see the workloads built on this object. Its members are aws-cdk-lib imports, created on first
 * use: a lookup nothing uses adds nothing to the template.
 */
export class ImportedEcsPlatform extends Construct implements IEcsPlatform {
  /** A platform from its attributes (literal values or tokens). */
  public static fromAttributes(scope: Construct, id: string, attrs: EcsPlatformAttributes): IEcsPlatform {
    const platform = new ImportedEcsPlatform(scope, id, {
      hasEc2Capacity: attrs.ec2CapacityProviderName !== undefined,
      serviceConnect: attrs.serviceConnect ?? false,
      logRetention: attrs.logRetention,
      attributes: () => attrs,
    });
    if ((attrs.ec2CapacityProviderName === undefined) !== (attrs.ec2SecurityGroupId === undefined)) {
      fail(platform, 'ec2CapacityProviderName', 'and ec2SecurityGroupId describe the EC2 capacity together; one was given without the other.', 'Give both for a platform with EC2 capacity, or neither.');
    }
    return platform;
  }

  /** Reads a platform published with `platformName` from its attributes list at deploy time. */
  public static fromParameters(scope: Construct, id: string, platformName: string, options: EcsPlatformLookupOptions): IEcsPlatform {
    const lookup = new Construct(scope, id);
    checkDnsLabel(lookup, 'platformName', platformName);
    const zones = options.availabilityZones ?? 2;
    checkIntegerInRange(lookup, 'availabilityZones', zones, 1, 6);
    const hasEc2Capacity = options.ec2Capacity ?? false;
    const list = once(() => ssm.StringListParameter.valueForTypedListParameter(lookup, `${platformParameterPrefix(platformName)}/${ATTRIBUTES_PARAMETER}`));
    const element = (index: number) => Fn.select(index, list());
    const slot = (name: AttributeSlot) => element(ATTRIBUTE_SLOTS.indexOf(name));
    // A zone and its subnet for each zone; a platform with fewer zones fails at deploy time (Fn::Select).
    const pair = (zone: number) => ATTRIBUTE_SLOTS.length + 2 * zone;
    return new ImportedEcsPlatform(lookup, 'Platform', {
      hasEc2Capacity,
      serviceConnect: options.serviceConnect ?? false,
      logRetention: options.logRetention,
      attributes: () => {
        const vpc = ec2.Vpc.fromVpcAttributes(lookup, 'Vpc', {
          vpcId: slot('vpcId'),
          vpcCidrBlock: slot('vpcCidrBlock'),
          availabilityZones: Array.from({ length: zones }, (_, i) => element(pair(i))),
          privateSubnetIds: Array.from({ length: zones }, (_, i) => element(pair(i) + 1)),
        });
        for (const subnet of vpc.privateSubnets) {
          // The platform app owns the subnets' route tables; a service app adds no routes to them.
          Annotations.of(subnet).acknowledgeWarning('@aws-cdk/aws-ec2:noSubnetRouteTableId', 'Subnets of a platform deployed by another app: their route tables belong to that app, and workloads add no routes.');
        }
        return {
          vpc,
          clusterName: slot('clusterName'),
          namespaceName: slot('namespaceName'),
          namespaceId: slot('namespaceId'),
          namespaceArn: slot('namespaceArn'),
          encryptionKeyArn: slot('encryptionKeyArn'),
          ec2CapacityProviderName: hasEc2Capacity ? slot('ec2CapacityProviderName') : undefined,
          ec2SecurityGroupId: hasEc2Capacity ? slot('ec2SecurityGroupId') : undefined,
        };
      },
    });
  }

  public readonly logRetention: logs.RetentionDays;
  public readonly hasEc2Capacity: boolean;
  public readonly imported = true;
  public readonly serviceConnectEnabled: boolean;
  private readonly claims: PlatformClaims;
  private readonly imports: () => PlatformImports;

  private constructor(scope: Construct, id: string, source: PlatformSource) {
    super(scope, id);
    this.claims = new PlatformClaims(this.node.path, true);
    this.hasEc2Capacity = source.hasEc2Capacity;
    this.logRetention = source.logRetention ?? DEFAULT_LOG_RETENTION;
    this.serviceConnectEnabled = source.serviceConnect;
    this.imports = once(() => {
      const attrs = source.attributes();
      const ec2SecurityGroup = attrs.ec2SecurityGroupId === undefined ? undefined
        : ec2.SecurityGroup.fromSecurityGroupId(this, 'Ec2SecurityGroup', attrs.ec2SecurityGroupId, { allowAllOutbound: true });
      return {
        vpc: attrs.vpc,
        ec2CapacityProviderName: attrs.ec2CapacityProviderName,
        ec2SecurityGroup,
        cluster: ecs.Cluster.fromClusterAttributes(this, 'Cluster', {
          clusterName: attrs.clusterName,
          vpc: attrs.vpc,
          hasEc2Capacity: this.hasEc2Capacity,
          securityGroups: ec2SecurityGroup ? [ec2SecurityGroup] : [],
        }),
        namespace: servicediscovery.PrivateDnsNamespace.fromPrivateDnsNamespaceAttributes(this, 'Namespace', {
          namespaceName: attrs.namespaceName,
          namespaceId: attrs.namespaceId,
          namespaceArn: attrs.namespaceArn,
        }),
        encryptionKey: kms.Key.fromKeyArn(this, 'EncryptionKey', attrs.encryptionKeyArn),
      };
    });
  }

  public get vpc(): ec2.IVpc {
    return this.imports().vpc;
  }

  public get cluster(): ecs.ICluster {
    return this.imports().cluster;
  }

  public get namespace(): servicediscovery.IPrivateDnsNamespace {
    return this.imports().namespace;
  }

  public get encryptionKey(): kms.IKey {
    return this.imports().encryptionKey;
  }

  public get ec2CapacityProviderName(): string | undefined {
    return this.imports().ec2CapacityProviderName;
  }

  public get ec2SecurityGroup(): ec2.ISecurityGroup | undefined {
    return this.imports().ec2SecurityGroup;
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
