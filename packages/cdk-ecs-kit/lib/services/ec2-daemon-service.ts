import { Annotations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import type { ContainerSpec } from '../workload/container-spec';
import { acknowledgeGuardRule, acknowledgeRule, COMPLIANCE_PACKS, NagPack } from '../core/compliance';
import {
  checkCapabilitiesDoNotOverlap,
  checkHostPortsDoNotClash,
  checkMemoryLimitNotBelowReservation,
  checkMemoryMiB,
  checkPlatformHasEc2Capacity,
  checkUnique,
  checkVolumeName,
  isRootUser,
  PublishedHostPort,
} from './daemon-checks';
import { DEFAULT_CONTAINER_NAME } from '../core/defaults';
import { linkWorkloads } from '../workload/links';
import { checkWorkloadSubnets, defaultTaskSubnets } from '../core/subnets';
import { createWorkloadCore } from '../workload/workload-core';
import { checkAbsolutePath, checkDnsLabel, checkIntegerInRange, checkPort, fail, isDeployTimeValue } from '../core/validation';
import { enableServiceConnect, resolveServiceConnectServer, ServiceConnectServer } from '../workload/service-connect-wiring';
import { checkSameEnvironment } from '../core/validation';
import type { IEcsPlatform } from '../platform/ecs-platform';
import type { ServiceConnectOptions } from '../workload/service-connect';

/**
 * The host ports Docker picks from for a bridge-mode port without a host port (the Linux
 * ephemeral range 32768-60999, or 49153-65535 where that is unavailable). In bridge mode the
 * Service Connect proxy listens on one of them ("ingressPortOverride", ECS API reference).
 */
const EPHEMERAL_HOST_PORTS = ec2.Port.tcpRange(32768, 65535);

/**
 * A directory of the EC2 instance mounted into the daemon's container.
 */
export interface HostVolume {
  /**
   * The name of the task definition volume (1-255 letters, digits, hyphens or underscores),
   * unique within the daemon.
   *
   * @default - derived from `hostPath`, e.g. 'host-var-log' for '/var/log'
   */
  readonly name?: string;

  /**
   * The absolute path of the directory on the instance, e.g. '/var/log'. Docker creates it
   * when it does not exist.
   */
  readonly hostPath: string;

  /**
   * The absolute path the directory is mounted at inside the container, e.g. '/host/var/log'.
   */
  readonly containerPath: string;

  /**
   * Whether the container can only read the directory.
   *
   * @default true - an agent reads the host; a compromised agent must not rewrite it
   */
  readonly readOnly?: boolean;
}

/**
 * Linux capabilities added to or dropped from the daemon's container, on top of Docker's
 * default set.
 */
export interface DaemonLinuxCapabilities {
  /**
   * Capabilities to add, e.g. `ecs.Capability.SYS_PTRACE` for a profiler.
   *
   * @default - none
   */
  readonly add?: ecs.Capability[];

  /**
   * Capabilities to drop, e.g. `ecs.Capability.ALL`.
   *
   * @default [ecs.Capability.NET_RAW] unless it is in `add` - raw sockets let a container spoof
   * packets and, on host networking, sniff the instance's traffic; agents rarely need them
   */
  readonly drop?: ecs.Capability[];
}

/**
 * Properties of an Ec2DaemonService.
 */
export interface Ec2DaemonServiceProps {
  /**
   * The platform to run on. It must have EC2 capacity (`ec2Capacity`): ECS runs one task of the
   * daemon on each of its container instances.
   */
  readonly platform: IEcsPlatform;

  /**
   * The container the daemon runs. `port` is optional; set it when other tasks send to the
   * daemon (e.g. 4317 for OTLP) or when `discoveryName` is set in bridge or host mode.
   */
  readonly container: ContainerSpec;

  /**
   * How the daemon's container is networked.
   *
   * - `BRIDGE`: its own network namespace on the instance's Docker bridge; ports are published
   *   on the instance at the same number. It cannot reach the instance metadata service (the
   *   platform's hop limit is 1), so it cannot take the instance role's credentials.
   * - `HOST`: the instance's network stack, for agents that must see host interfaces or scrape
   *   host ports. It can reach the instance metadata service. Requires an explicit `container.user`.
   * - `AWS_VPC`: its own elastic network interface and security group in the platform's private
   *   subnets; uses one of the instance's ENIs. It can reach the instance metadata service unless
   *   the instances set ECS_AWSVPC_BLOCK_IMDS=true.
   *
   * @default ecs.NetworkMode.BRIDGE - the most isolated mode that still lets an agent read host
   * volumes and receive on a fixed port of every instance; choose HOST explicitly when the agent
   * needs the host's network
   */
  readonly networkMode?: ecs.NetworkMode;

  /**
   * Directories of the instance mounted into the container, read-only unless said otherwise,
   * e.g. `[{ hostPath: '/var/log', containerPath: '/host/var/log' }]`.
   *
   * @default - none
   */
  readonly hostVolumes?: HostVolume[];

  /**
   * More ports the container listens on (e.g. 4318/TCP for OTLP over HTTP, 8125/UDP for StatsD),
   * published at the same number on the instance in bridge and host mode.
   *
   * @default - only `container.port`, if set
   */
  readonly additionalPortMappings?: ecs.PortMapping[];

  /**
   * The CPU units reserved for the container on each instance (1024 = 1 vCPU).
   *
   * @default 128 - an eighth of a vCPU, so a busy instance does not starve the agent
   * (Docker's default weight for an unreserved container is 2 of 1024)
   */
  readonly cpu?: number;

  /**
   * The memory, in MiB, reserved for the container on each instance (soft limit). The container
   * may use more when the instance has it free.
   *
   * @default 256, or `memoryLimitMiB` when that is lower (or only known at deploy time) - enough
   * for a typical log or metrics agent; ECS on EC2 requires a reservation or a limit
   */
  readonly memoryReservationMiB?: number;

  /**
   * The memory, in MiB, the container may use at most (hard limit); above it the container is
   * killed. At least `memoryReservationMiB`.
   *
   * Control Tower's proactive controls (CT.ECS.PR.7) require one; set it to what the agent may
   * use at its peak.
   *
   * @default - twice `memoryReservationMiB` (512 MiB with the default reservation), or the
   * reservation itself when that is only known at deploy time: room for an agent's bursts (an
   * agent killed for one loses the logs it buffers), while a leaking agent cannot take the memory
   * of the tasks beside it
   */
  readonly memoryLimitMiB?: number;

  /**
   * Whether the container runs privileged, with all capabilities and access to the instance's
   * devices.
   *
   * @default false
   */
  readonly privileged?: boolean;

  /**
   * Linux capabilities added to or dropped from the container.
   *
   * @default - NET_RAW dropped, nothing added
   */
  readonly linuxCapabilities?: DaemonLinuxCapabilities;

  /**
   * Constraints on which instances run the daemon, e.g.
   * `ecs.PlacementConstraint.memberOf('attribute:ecs.instance-type =~ m7g.*')`.
   *
   * @default - every container instance of the platform
   */
  readonly placementConstraints?: ecs.PlacementConstraint[];

  /**
   * The name the daemon registers in the platform's Cloud Map namespace, e.g. 'otel' for
   * otel.internal: SRV records (instance address and `container.port`) in bridge and host mode,
   * A records (task addresses) in awsvpc mode.
   *
   * @default - not registered in Cloud Map
   */
  readonly discoveryName?: string;

  /**
   * The subnets the daemon's tasks get their network interfaces in. awsvpc mode only: in bridge
   * and host mode the tasks use their instance's network.
   *
   * @default - the VPC's private subnets with egress (isolated subnets in a VPC without them)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Serve `container.port` through Service Connect under a name (bridge and awsvpc mode; ECS does
   * not support host mode). Needs a platform with `serviceConnect: true`, on which every bridge and
   * awsvpc daemon is a client anyway. In bridge mode the proxy listens on an ephemeral host port,
   * so `allowFrom` also opens the ephemeral range (32768-65535/TCP) of the instances.
   *
   * @default - not a Service Connect server (a client only, on a Service Connect platform)
   */
  readonly serviceConnect?: ServiceConnectOptions;
}

/**
 * A daemon on the platform's EC2 capacity: exactly one task on every container instance, for
 * agents that ship logs, collect metrics or watch security. Its container is hardened like every
 * cdk-ecs-kit workload (KMS-encrypted, retained log group; read-only root file system; init
 * process; secrets through ECS secrets).
 */
export class Ec2DaemonService extends Construct implements ec2.IConnectable {
  /** The ECS service (DAEMON scheduling strategy, EC2 launch type). */
  public readonly service: ecs.Ec2Service;

  /** The task definition. */
  public readonly taskDefinition: ecs.Ec2TaskDefinition;

  /** The daemon's container. */
  public readonly container: ecs.ContainerDefinition;

  /** The role the daemon's code runs as; grant it what the agent needs (e.g. logs:PutLogEvents). */
  public readonly taskRole: iam.IRole;

  /** The role ECS uses to pull the image, write logs and read secrets. */
  public readonly executionRole: iam.IRole;

  /** The container's log group, encrypted with the platform's key and retained on deletion. */
  public readonly logGroup: logs.LogGroup;

  /** The network mode of the task definition. */
  public readonly networkMode: ecs.NetworkMode;

  /**
   * The security group of the daemon's tasks.
   *
   * @default - undefined unless networkMode is AWS_VPC (bridge and host tasks use the instances'
   * security group, see `connections`)
   */
  public readonly securityGroup?: ec2.SecurityGroup;

  /**
   * The Cloud Map service the daemon registers in.
   *
   * @default - undefined unless discoveryName is set
   */
  public readonly cloudMapService?: servicediscovery.IService;

  /**
   * The network connections of the daemon: its own security group in awsvpc mode, the platform's
   * EC2 instance security group in bridge and host mode. The default port is `container.port`.
   */
  public readonly connections: ec2.Connections;

  /**
   * The log group of the Service Connect proxy's logs and access logs, KMS-encrypted and retained.
   *
   * @default - undefined unless the platform has Service Connect and the daemon is not in host mode
   */
  public readonly serviceConnectLogGroup?: logs.LogGroup;

  /**
   * The role ECS uses to issue the Service Connect TLS certificates.
   *
   * @default - undefined without `serviceConnect.tls`
   */
  public readonly serviceConnectTlsRole?: iam.IRole;

  private readonly publishedPorts: ec2.Port[];

  constructor(scope: Construct, id: string, props: Ec2DaemonServiceProps) {
    super(scope, id);
    const { platform, container: spec } = props;
    checkSameEnvironment(this, 'platform', platform, 'EcsPlatform.fromAttributes(...) or EcsPlatform.fromPlatformName(...)');

    checkPlatformHasEc2Capacity(this, platform.node.path, platform.hasEc2Capacity && platform.ec2SecurityGroup !== undefined, platform.imported);

    const networkMode = props.networkMode ?? ecs.NetworkMode.BRIDGE;
    if (![ecs.NetworkMode.BRIDGE, ecs.NetworkMode.HOST, ecs.NetworkMode.AWS_VPC].includes(networkMode)) {
      fail(this, 'networkMode', `'${networkMode}' is not supported for a daemon.`, 'Use ecs.NetworkMode.BRIDGE, HOST or AWS_VPC.');
    }
    this.networkMode = networkMode;
    const privileged = props.privileged ?? false;
    checkHostModeUser(this, networkMode, spec.user);

    const { memoryReservationMiB, memoryLimitMiB } = daemonMemory(this, props.memoryReservationMiB, props.memoryLimitMiB);
    // 196608 units (192 vCPU): the largest task ECS runs on EC2.
    checkIntegerInRange(this, 'cpu', props.cpu, 0, 196608);
    checkDnsLabel(this, 'discoveryName', props.discoveryName);
    checkVpcSubnetsNeedAwsVpc(this, networkMode, props.vpcSubnets);
    if (networkMode === ecs.NetworkMode.AWS_VPC) checkWorkloadSubnets(this, platform.vpc, props.vpcSubnets);
    if (props.discoveryName !== undefined && networkMode !== ecs.NetworkMode.AWS_VPC && spec.port === undefined) {
      fail(
        this,
        'discoveryName',
        `in ${networkMode} mode Cloud Map registers SRV records, which need the port the daemon listens on.`,
        'Set container.port, or use networkMode AWS_VPC for A records.',
      );
    }

    const serviceConnectServer: ServiceConnectServer | undefined = props.serviceConnect === undefined ? undefined : resolveServiceConnectServer(this, props.serviceConnect, {
      platform,
      discoveryName: props.discoveryName,
      containerPort: spec.port,
      portMappingName: spec.port === undefined ? undefined : `${DEFAULT_CONTAINER_NAME}-${spec.port}`,
      networkMode,
    });
    const { portMappings, hostPorts } = this.portMappings(spec, props.additionalPortMappings ?? [], networkMode, serviceConnectServer?.appProtocol);
    const volumes = this.hostVolumes(props.hostVolumes ?? []);
    const capabilities = this.capabilities(props.linuxCapabilities);
    // Claimed once every prop is valid, so a daemon rejected for another reason claims nothing.
    for (const port of hostPorts) platform.claimHostPort(this, port.port, port.protocol, port.prop);
    if (props.discoveryName !== undefined) platform.claimDiscoveryName(this, props.discoveryName);

    const reservationThroughL1 = isDeployTimeValue(memoryLimitMiB) && memoryReservationMiB !== memoryLimitMiB;
    const core = createWorkloadCore(this, {
      platform,
      taskDefinition: { kind: 'ec2', networkMode, volumes: volumes.map((v) => ({ name: v.name, host: { sourcePath: v.hostPath } })) },
      // Port mappings are added below: host mode needs hostPort == containerPort and no mapping name.
      container: { ...spec, port: undefined },
      containerOptions: {
        cpu: props.cpu ?? 128,
        // aws-cdk-lib compares the two as numbers, also when one is a deploy-time value (a token's
        // placeholder is a large negative number): the reservation is then set on the L1 below.
        memoryReservationMiB: reservationThroughL1 ? undefined : memoryReservationMiB,
        memoryLimitMiB,
        privileged,
      },
      securityGroupDescription: networkMode === ecs.NetworkMode.AWS_VPC ? `Tasks of the daemon ${this.node.path}` : undefined,
      instanceSecurityGroup: platform.ec2SecurityGroup,
      defaultPort: spec.port,
    });
    this.taskDefinition = core.taskDefinition;
    this.container = core.container;
    if (reservationThroughL1) {
      // The daemon's container is the task definition's first and only one (createWorkloadCore adds it).
      (this.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition).addPropertyOverride('ContainerDefinitions.0.MemoryReservation', memoryReservationMiB);
    }
    this.logGroup = core.logGroup;
    this.taskRole = core.taskRole;
    this.executionRole = core.executionRole;
    this.securityGroup = core.securityGroup;
    this.connections = core.connections;
    if (networkMode !== ecs.NetworkMode.AWS_VPC) {
      acknowledgeGuardRule(
        this.taskDefinition,
        'ecs_awsvpc_networking_enabled_check',
        networkMode === ecs.NetworkMode.HOST
          ? 'Host networking was chosen explicitly (networkMode: HOST) for an agent that must see the host; the host ports it opens are claimed per platform at synth.'
          : "Bridge mode (the default) lets a daemon listen on a fixed port of every instance without taking one of the instance's limited ENIs; IMDSv2 with hop limit 1 keeps the instance credentials out of its reach.",
      );
    }
    this.container.addPortMappings(...portMappings);
    this.container.addMountPoints(...volumes.map((v) => ({ sourceVolume: v.name, containerPath: v.containerPath, readOnly: v.readOnly })));
    if (capabilities.add.length > 0) core.linuxParameters.addCapabilities(...capabilities.add);
    if (capabilities.drop.length > 0) core.linuxParameters.dropCapabilities(...capabilities.drop);

    this.service = new ecs.Ec2Service(this, 'Service', {
      cluster: platform.cluster,
      taskDefinition: this.taskDefinition,
      // The EC2 launch type (Ec2Service always sets it) rather than a capacity provider strategy:
      // ECS rejects capacity providers for DAEMON services, and an explicit launch type also
      // overrides a default capacity provider strategy of the cluster.
      daemon: true,
      // ECS's rules for daemons: at most one task per instance (100 %); a new task replaces the
      // old one in place, so nothing may be required to stay up (0 %) or a one-instance
      // deployment could never proceed.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      placementConstraints: props.placementConstraints,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      securityGroups: this.securityGroup ? [this.securityGroup] : undefined,
      vpcSubnets: this.securityGroup ? props.vpcSubnets ?? defaultTaskSubnets(platform.vpc) : undefined,
      cloudMapOptions: props.discoveryName === undefined ? undefined : {
        name: props.discoveryName,
        cloudMapNamespace: platform.namespace,
        container: this.container,
        containerPort: networkMode === ecs.NetworkMode.AWS_VPC ? undefined : spec.port,
      },
    });
    this.cloudMapService = this.service.cloudMapService;
    // ECS runs no Service Connect proxy in host mode: such a daemon is not a client.
    if (platform.serviceConnectEnabled && networkMode !== ecs.NetworkMode.HOST) {
      const serviceConnect = enableServiceConnect(this, platform, this.service, serviceConnectServer);
      this.serviceConnectLogGroup = serviceConnect.logGroup;
      this.serviceConnectTlsRole = serviceConnect.tlsRole;
    }
    // Created after, and deleted before, the instances: on stack deletion the daemon's tasks stop
    // before managed draining terminates the instances they run on.
    if (platform.autoScalingGroup) this.service.node.addDependency(platform.autoScalingGroup);
    // Deleted before the capacity teardown runs, which force-deletes the group and deregisters the instances.
    if (platform.ec2CapacityTeardown) this.service.node.addDependency(platform.ec2CapacityTeardown);
    Annotations.of(this.service).acknowledgeWarning(
      '@aws-cdk/aws-ecs:shouldUseCircuitBreaker',
      'The deployment circuit breaker counts failures against a desired count; a DAEMON service has none (aws/aws-cdk#38102).',
    );

    this.publishedPorts = portMappings.map((pm) => (pm.protocol === ecs.Protocol.UDP ? ec2.Port.udp(pm.containerPort) : ec2.Port.tcp(pm.containerPort)));
    if (serviceConnectServer && networkMode === ecs.NetworkMode.BRIDGE) this.publishedPorts.push(EPHEMERAL_HOST_PORTS);

    this.acknowledgeFindings(networkMode, spec.user, privileged);
  }

  /**
   * Lets `other` reach every port the daemon listens on (`container.port` and
   * `additionalPortMappings`). In bridge and host mode this opens the ports on the instances'
   * security group (a caller in another stack is placed as for `FargateWebService.allowFrom`, with
   * no dependency cycle); a bridge-mode Service Connect server also opens the ephemeral host ports
   * its proxy listens on.
   */
  public allowFrom(other: ec2.IConnectable): void {
    if (this.publishedPorts.length === 0) {
      fail(this, 'allowFrom', 'the daemon listens on no port.', 'Set container.port or additionalPortMappings first.');
    }
    for (const port of this.publishedPorts) {
      linkWorkloads(this, other, port, `to the daemon ${this.node.path}`);
    }
  }

  private portMappings(
    spec: ContainerSpec,
    additional: ecs.PortMapping[],
    networkMode: ecs.NetworkMode,
    appProtocol?: ecs.AppProtocol,
  ): { portMappings: ecs.PortMapping[]; hostPorts: PublishedHostPort[] } {
    checkPort(this, 'container.port', spec.port);
    const requested: Array<{ mapping: ecs.PortMapping; prop: string }> = [];
    if (spec.port !== undefined) {
      requested.push({ mapping: { containerPort: spec.port, protocol: ecs.Protocol.TCP, appProtocol }, prop: 'container.port' });
    }
    additional.forEach((mapping, i) => requested.push({ mapping, prop: `additionalPortMappings[${i}]` }));

    const published: PublishedHostPort[] = [];
    const mappings = requested.map(({ mapping, prop }) => {
      checkPort(this, `${prop}.containerPort`, mapping.containerPort);
      checkPort(this, `${prop}.hostPort`, mapping.hostPort);
      if (mapping.containerPortRange !== undefined) {
        fail(this, prop, 'port ranges are not supported for a daemon.', 'List each port as its own mapping.');
      }
      if (networkMode !== ecs.NetworkMode.BRIDGE && mapping.hostPort !== undefined && mapping.hostPort !== mapping.containerPort) {
        fail(
          this,
          `${prop}.hostPort`,
          `(${mapping.hostPort}) must equal containerPort (${mapping.containerPort}) in ${networkMode} mode.`,
          'Leave hostPort unset.',
        );
      }
      const protocol = mapping.protocol ?? ecs.Protocol.TCP;
      // A daemon is reached at a fixed port of its instance, so bridge mode publishes a static host
      // port; host and awsvpc mode require hostPort == containerPort.
      const hostPort = mapping.hostPort ?? mapping.containerPort;
      published.push({ port: hostPort, protocol, prop });
      const defaultName = `${DEFAULT_CONTAINER_NAME}-${mapping.containerPort}${protocol === ecs.Protocol.UDP ? '-udp' : ''}`;
      return {
        ...mapping,
        hostPort,
        protocol,
        // Port mapping names (for Service Connect) are only allowed in bridge and awsvpc mode.
        name: networkMode === ecs.NetworkMode.HOST ? undefined : mapping.name ?? defaultName,
      };
    });

    if (networkMode === ecs.NetworkMode.AWS_VPC) {
      // Each awsvpc task has its own network interface: nothing is bound on the instance.
      checkUnique(this, 'port', published.map((p) => ({ value: `${p.port}/${p.protocol}`, prop: p.prop })), 'Remove the duplicate port mapping.');
      return { portMappings: mappings, hostPorts: [] };
    }
    checkHostPortsDoNotClash(this, published, networkMode);
    return { portMappings: mappings, hostPorts: published };
  }

  private hostVolumes(hostVolumes: HostVolume[]): Array<Required<HostVolume>> {
    const volumes = hostVolumes.map((volume, i) => {
      const prop = `hostVolumes[${i}]`;
      checkAbsolutePath(this, `${prop}.hostPath`, volume.hostPath);
      checkAbsolutePath(this, `${prop}.containerPath`, volume.containerPath);
      if (volume.containerPath === '/') {
        fail(this, `${prop}.containerPath`, "'/' would hide the container's own root file system.", "Mount under a directory, e.g. '/host'.");
      }
      // A deploy-time host path has no text to derive a name from: the name follows its position.
      const name = volume.name ?? (isDeployTimeValue(volume.hostPath) ? `host-volume-${i + 1}` : volumeNameFor(volume.hostPath));
      checkVolumeName(this, `${prop}.name`, name);
      return { name, hostPath: volume.hostPath, containerPath: volume.containerPath, readOnly: volume.readOnly ?? true, prop };
    });
    checkUnique(
      this,
      'volume name',
      [{ value: `${DEFAULT_CONTAINER_NAME}-tmp`, prop: 'the /tmp scratch volume' }, ...volumes.map((v) => ({ value: v.name, prop: `${v.prop}.name` }))],
      'Give each host volume its own name (set name when two host paths derive the same one).',
    );
    checkUnique(
      this,
      'container path',
      [{ value: '/tmp', prop: 'the /tmp scratch volume' }, ...volumes.map((v) => ({ value: v.containerPath, prop: `${v.prop}.containerPath` }))],
      'Mount each host volume at its own container path.',
    );
    return volumes.map(({ prop: _prop, ...volume }) => volume);
  }

  private capabilities(options: DaemonLinuxCapabilities | undefined): { add: ecs.Capability[]; drop: ecs.Capability[] } {
    const add = options?.add ?? [];
    const drop = options?.drop ?? [ecs.Capability.NET_RAW].filter((cap) => !add.includes(cap));
    checkCapabilitiesDoNotOverlap(this, add, drop);
    return { add, drop };
  }

  private acknowledgeFindings(networkMode: ecs.NetworkMode, user: string | undefined, privileged: boolean): void {
    // The task and execution role policies are acknowledged by addContainerFromSpec.
    if (networkMode === ecs.NetworkMode.AWS_VPC) {
      acknowledgeRule(
        this.taskDefinition,
        'ECS2',
        'aws-cdk-lib sets AWS_REGION (the stack\'s region, not a secret) on awsvpc tasks on EC2, which cannot reach the instance metadata service to look it up; secrets go through ECS secrets.',
        [NagPack.AWS_SOLUTIONS],
      );
    }
    if (privileged) {
      acknowledgeGuardRule(
        this.taskDefinition,
        'ecs_containers_nonprivileged_check',
        `privileged: true was set explicitly on ${this.node.path}: the agent needs the instance's devices and all capabilities.`,
      );
    }
    if (networkMode === ecs.NetworkMode.HOST && user !== undefined && !isRootUser(user) && !privileged) {
      acknowledgeRule(
        this.taskDefinition,
        'ECSTaskDefinitionUserForHostMode',
        `The host-networked container runs as the non-root user '${user}' and is not privileged. The AWS Config rule this check implements (ecs-task-definition-user-for-host-mode-check) is met; cdk-nag additionally requires privileged: true, which would grant more, not less.`,
        COMPLIANCE_PACKS,
      );
    }
  }
}

/**
 * Host networking gives the container the instance's network stack, including the instance
 * metadata service: it must say which user it runs as.
 */
function checkHostModeUser(scope: Construct, networkMode: ecs.NetworkMode, user: string | undefined): void {
  if (networkMode !== ecs.NetworkMode.HOST || user !== undefined) return;
  fail(
    scope,
    'container.user',
    "is required with networkMode HOST: a host-networked container shares the instance's network stack, and the image's default user may be root.",
    "Set a non-root UID[:GID] the image supports (e.g. '10001'), or 'root' if the agent must run as root (the NIST, HIPAA and PCI packs then report ECSTaskDefinitionUserForHostMode until you acknowledge it on the daemon's taskDefinition).",
  );
}

/** The soft reservation a daemon's container gets by default, in MiB. */
const DEFAULT_MEMORY_RESERVATION_MIB = 256;

/** How many times its reservation a daemon's container may use by default before it is killed. */
const DEFAULT_MEMORY_LIMIT_FACTOR = 2;

/**
 * A daemon's memory reservation and hard limit, with the defaults applied and checked. Every
 * daemon gets a hard limit (Control Tower CT.ECS.PR.7): by default twice its reservation, room for
 * an agent's bursts while a leaking agent cannot take the memory of the tasks beside it. A value
 * only known at deploy time cannot be doubled or compared, so it is used for both.
 */
function daemonMemory(scope: Construct, reservation: number | undefined, limit: number | undefined): { memoryReservationMiB: number; memoryLimitMiB: number } {
  checkMemoryMiB(scope, 'memoryReservationMiB', reservation);
  checkMemoryMiB(scope, 'memoryLimitMiB', limit);
  let memoryReservationMiB: number;
  let memoryLimitMiB: number;
  if (reservation !== undefined && limit !== undefined) {
    memoryReservationMiB = reservation;
    memoryLimitMiB = limit;
  } else if (limit !== undefined) {
    memoryLimitMiB = limit;
    memoryReservationMiB = isDeployTimeValue(limit) ? limit : Math.min(DEFAULT_MEMORY_RESERVATION_MIB, limit);
  } else {
    memoryReservationMiB = reservation ?? DEFAULT_MEMORY_RESERVATION_MIB;
    memoryLimitMiB = isDeployTimeValue(memoryReservationMiB) ? memoryReservationMiB : memoryReservationMiB * DEFAULT_MEMORY_LIMIT_FACTOR;
  }
  checkMemoryLimitNotBelowReservation(scope, memoryLimitMiB, memoryReservationMiB);
  return { memoryReservationMiB, memoryLimitMiB };
}

/** A volume name derived from a host path: '/var/log' → 'host-var-log', '/' → 'host-root'. */
function volumeNameFor(hostPath: string): string {
  const slug = hostPath.replace(/[^A-Za-z0-9_]+/g, '-').replace(/^-+|-+$/g, '');
  return `host-${slug || 'root'}`.slice(0, 255);
}

/** vpcSubnets places awsvpc network interfaces; bridge and host tasks use their instance's. */
function checkVpcSubnetsNeedAwsVpc(scope: Construct, networkMode: ecs.NetworkMode, vpcSubnets: ec2.SubnetSelection | undefined): void {
  if (vpcSubnets === undefined || networkMode === ecs.NetworkMode.AWS_VPC) return;
  fail(scope, 'vpcSubnets', `only applies in awsvpc mode; in ${networkMode} mode the daemon's tasks use the network of the instance they run on.`, 'Remove vpcSubnets, or use networkMode AWS_VPC.');
}
