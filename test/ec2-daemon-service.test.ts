import { CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Ec2DaemonService, Ec2DaemonServiceProps, EcsPlatform } from '../packages/cdk-ecs-kit/lib';
import { DaemonAgentStack } from '../examples/daemon-agent/app';
import { formatFindings, newApp, newStack, synthWithCompliance } from './support/synth';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0');

function platformWithEc2(stack: Stack): EcsPlatform {
  return new EcsPlatform(stack, 'Platform', { ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') } });
}

interface Built {
  readonly stack: Stack;
  readonly platform: EcsPlatform;
  readonly agent: Ec2DaemonService;
  readonly template: () => Template;
}

/** A stack with a platform with EC2 capacity and one daemon built from `props`. */
function daemon(props: Partial<Ec2DaemonServiceProps> = {}): Built {
  const stack = newStack();
  const platform = platformWithEc2(stack);
  const agent = new Ec2DaemonService(stack, 'Agent', { platform, container: { image }, ...props });
  return { stack, platform, agent, template: () => Template.fromStack(stack) };
}

let defaultDaemon: Built & { readonly synthesized: Template } | undefined;
/** The daemon with every default, synthesized once and shared by the tests that only read it. */
function withDefaults(): Built & { readonly synthesized: Template } {
  if (!defaultDaemon) {
    const built = daemon();
    defaultDaemon = { ...built, synthesized: built.template() };
  }
  return defaultDaemon;
}

/** Builds a daemon in a fresh stack; for the bad-input tests. */
function build(props: Partial<Ec2DaemonServiceProps>): () => void {
  return () => daemon(props);
}

const hostAgent: Partial<Ec2DaemonServiceProps> = {
  networkMode: ecs.NetworkMode.HOST,
  container: { image, user: '10001', port: 4317 },
};

describe('Ec2DaemonService', () => {
  test('runs one task on every EC2 instance with the DAEMON strategy and the EC2 launch type', () => {
    withDefaults().synthesized.hasResourceProperties('AWS::ECS::Service', {
      SchedulingStrategy: 'DAEMON',
      LaunchType: 'EC2',
      CapacityProviderStrategy: Match.absent(),
      DesiredCount: Match.absent(),
      PlacementStrategies: Match.absent(),
    });
  });

  test('replaces tasks in place during a deployment (0 % min healthy, 100 % max)', () => {
    withDefaults().synthesized.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: { MinimumHealthyPercent: 0, MaximumPercent: 100 },
    });
  });

  test('deploys on the EC2 launch type even when the cluster defaults to Fargate capacity providers', () => {
    const stack = newStack();
    const platform = platformWithEc2(stack);
    (platform.cluster as ecs.Cluster).addDefaultCapacityProviderStrategy([{ capacityProvider: 'FARGATE', weight: 1 }]);
    new Ec2DaemonService(stack, 'Agent', { platform, container: { image } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      DefaultCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
    });
    template.hasResourceProperties('AWS::ECS::Service', { LaunchType: 'EC2', CapacityProviderStrategy: Match.absent() });
  });

  test('is created after the EC2 instances and deleted before them', () => {
    const { stack, platform, synthesized } = withDefaults();
    const asgId = stack.getLogicalId(platform.autoScalingGroup!.node.defaultChild as CfnResource);
    synthesized.hasResource('AWS::ECS::Service', { DependsOn: Match.arrayWith([asgId]) });
  });

  test('uses bridge networking by default and publishes the port at the same number on every instance', () => {
    const { agent, template } = daemon({ container: { image, port: 4317 } });
    expect(agent.networkMode).toBe(ecs.NetworkMode.BRIDGE);
    template().hasResourceProperties('AWS::ECS::TaskDefinition', {
      NetworkMode: 'bridge',
      RequiresCompatibilities: ['EC2'],
      ContainerDefinitions: [Match.objectLike({ PortMappings: [{ ContainerPort: 4317, HostPort: 4317, Protocol: 'tcp', Name: 'app-4317' }] })],
    });
  });

  test('uses host networking when asked, with host port equal to container port and no port mapping name', () => {
    daemon({ ...hostAgent, additionalPortMappings: [{ containerPort: 8125, protocol: ecs.Protocol.UDP }] }).template().hasResourceProperties('AWS::ECS::TaskDefinition', {
      NetworkMode: 'host',
      ContainerDefinitions: [Match.objectLike({
        User: '10001',
        PortMappings: [
          { ContainerPort: 4317, HostPort: 4317, Protocol: 'tcp' },
          { ContainerPort: 8125, HostPort: 8125, Protocol: 'udp' },
        ],
      })],
    });
  });

  test('mounts host volumes read-only by default, named after the host path', () => {
    daemon({ hostVolumes: [{ hostPath: '/var/log', containerPath: '/host/var/log' }] }).template().hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: Match.arrayWith([{ Name: 'host-var-log', Host: { SourcePath: '/var/log' } }]),
      ContainerDefinitions: [Match.objectLike({
        MountPoints: Match.arrayWith([{ SourceVolume: 'host-var-log', ContainerPath: '/host/var/log', ReadOnly: true }]),
      })],
    });
  });

  test('mounts a host volume writable only when asked', () => {
    daemon({ hostVolumes: [{ name: 'state', hostPath: '/var/lib/agent', containerPath: '/state', readOnly: false }] }).template().hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: Match.arrayWith([{ Name: 'state', Host: { SourcePath: '/var/lib/agent' } }]),
      ContainerDefinitions: [Match.objectLike({
        MountPoints: Match.arrayWith([{ SourceVolume: 'state', ContainerPath: '/state', ReadOnly: false }]),
      })],
    });
  });

  test('reserves 128 CPU units and 256 MiB by default, with a hard memory limit of twice that', () => {
    withDefaults().synthesized.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Cpu: 128, MemoryReservation: 256, Memory: 512 })],
    });
  });

  test('a memory reservation alone gets a hard limit of twice the reservation (Control Tower CT.ECS.PR.7)', () => {
    daemon({ memoryReservationMiB: 300 }).template().hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ MemoryReservation: 300, Memory: 600 })],
    });
  });

  test('a memory limit alone keeps the default reservation, or the limit when that is lower', () => {
    daemon({ memoryLimitMiB: 1024 }).template().hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ MemoryReservation: 256, Memory: 1024 })],
    });
    daemon({ memoryLimitMiB: 128 }).template().hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ MemoryReservation: 128, Memory: 128 })],
    });
  });

  test('sets the CPU units, memory reservation and memory limit asked for', () => {
    daemon({ cpu: 256, memoryReservationMiB: 128, memoryLimitMiB: 512 }).template().hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Cpu: 256, MemoryReservation: 128, Memory: 512 })],
    });
  });

  test('runs unprivileged and without NET_RAW by default', () => {
    withDefaults().synthesized.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Privileged: false,
        LinuxParameters: { InitProcessEnabled: true, Capabilities: { Drop: ['NET_RAW'] } },
      })],
    });
  });

  test('runs privileged only when asked', () => {
    daemon({ privileged: true }).template().hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Privileged: true })],
    });
  });

  test('adds and drops the Linux capabilities asked for', () => {
    daemon({ linuxCapabilities: { add: [ecs.Capability.SYS_PTRACE], drop: [ecs.Capability.NET_RAW, ecs.Capability.MKNOD] } }).template().hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        LinuxParameters: Match.objectLike({ Capabilities: { Add: ['SYS_PTRACE'], Drop: ['NET_RAW', 'MKNOD'] } }),
      })],
    });
  });

  test('hardens the container: read-only root file system, encrypted retained log group', () => {
    const { synthesized } = withDefaults();
    synthesized.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        ReadonlyRootFilesystem: true,
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
      })],
    });
    synthesized.hasResource('AWS::Logs::LogGroup', {
      Properties: { KmsKeyId: Match.anyValue(), RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
  });

  test('passes placement constraints to the service', () => {
    daemon({ placementConstraints: [ecs.PlacementConstraint.memberOf('attribute:ecs.instance-type =~ m7g.*')] }).template().hasResourceProperties('AWS::ECS::Service', {
      PlacementConstraints: [{ Type: 'memberOf', Expression: 'attribute:ecs.instance-type =~ m7g.*' }],
    });
  });

  test('registers SRV records with the container port in bridge and host mode', () => {
    const { template } = daemon({ ...hostAgent, discoveryName: 'otel' });
    template().hasResourceProperties('AWS::ServiceDiscovery::Service', {
      Name: 'otel',
      DnsConfig: Match.objectLike({ DnsRecords: [{ Type: 'SRV', TTL: 60 }] }),
    });
    template().hasResourceProperties('AWS::ECS::Service', {
      ServiceRegistries: [{ RegistryArn: Match.anyValue(), ContainerName: 'app', ContainerPort: 4317 }],
    });
  });

  test('registers A records in awsvpc mode', () => {
    const { template } = daemon({ networkMode: ecs.NetworkMode.AWS_VPC, discoveryName: 'otel' });
    template().hasResourceProperties('AWS::ServiceDiscovery::Service', {
      DnsConfig: Match.objectLike({ DnsRecords: [{ Type: 'A', TTL: 60 }] }),
    });
  });

  test('runs awsvpc tasks in the private subnets with their own security group', () => {
    const { agent, template } = daemon({ networkMode: ecs.NetworkMode.AWS_VPC });
    expect(agent.securityGroup).toBeDefined();
    template().hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('AgentSecurityGroup'), 'GroupId'] }],
          Subnets: [{ Ref: Match.stringLikeRegexp('PrivateSubnet1') }, { Ref: Match.stringLikeRegexp('PrivateSubnet2') }],
        },
      },
    });
  });

  test('exposes the instances\' security group as connections in bridge and host mode', () => {
    const { agent, platform } = withDefaults();
    expect(agent.securityGroup).toBeUndefined();
    expect(agent.connections.securityGroups).toEqual([platform.ec2SecurityGroup]);
  });

  test('allowFrom opens every port the daemon listens on', () => {
    const { stack, platform, agent } = daemon({ ...hostAgent, additionalPortMappings: [{ containerPort: 8125, protocol: ecs.Protocol.UDP }] });
    const client = new ec2.SecurityGroup(stack, 'Client', { vpc: platform.vpc });
    agent.allowFrom(client);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: 'tcp', FromPort: 4317, ToPort: 4317 });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: 'udp', FromPort: 8125, ToPort: 8125 });
  });

  describe('rejects bad input', () => {
    test('a platform without EC2 capacity', () => {
      const stack = newStack();
      const platform = new EcsPlatform(stack, 'Platform');
      expect(() => new Ec2DaemonService(stack, 'Agent', { platform, container: { image } }))
        .toThrow(/\[TestStack\/Agent\] platform: TestStack\/Platform has no EC2 capacity.*Add ec2Capacity to the platform/);
    });

    test('a relative host path', () => {
      expect(build({ hostVolumes: [{ hostPath: 'var/log', containerPath: '/host/var/log' }] }))
        .toThrow(/hostVolumes\[0\]\.hostPath: 'var\/log' must be an absolute path starting with '\/'/);
    });

    test('a relative container path', () => {
      expect(build({ hostVolumes: [{ hostPath: '/var/log', containerPath: 'logs' }] }))
        .toThrow(/hostVolumes\[0\]\.containerPath: 'logs' must be an absolute path/);
    });

    test('two host volumes with the same name', () => {
      expect(build({
        hostVolumes: [
          { name: 'logs', hostPath: '/var/log', containerPath: '/host/var/log' },
          { name: 'logs', hostPath: '/var/lib/docker/containers', containerPath: '/host/containers' },
        ],
      })).toThrow(/hostVolumes\[1\]\.name: volume name 'logs' is already used by hostVolumes\[0\]\.name\. Give each host volume its own name/);
    });

    test('two host paths that derive the same volume name', () => {
      expect(build({
        hostVolumes: [
          { hostPath: '/var/log', containerPath: '/a' },
          { hostPath: '/var-log', containerPath: '/b' },
        ],
      })).toThrow(/hostVolumes\[1\]\.name: volume name 'host-var-log' is already used by hostVolumes\[0\]\.name/);
    });

    test('two host volumes mounted at the same container path', () => {
      expect(build({
        hostVolumes: [
          { hostPath: '/var/log', containerPath: '/host' },
          { hostPath: '/proc', containerPath: '/host' },
        ],
      })).toThrow(/hostVolumes\[1\]\.containerPath: container path '\/host' is already used by hostVolumes\[0\]\.containerPath/);
    });

    test('a port published twice in host mode', () => {
      expect(build({ ...hostAgent, additionalPortMappings: [{ containerPort: 4317 }] }))
        .toThrow(/additionalPortMappings\[0\]: host port 4317\/tcp is already published by container\.port; in host mode/);
    });

    test('a host port the ECS agent reserves', () => {
      expect(build({ ...hostAgent, container: { image, user: '10001', port: 51678 } }))
        .toThrow(/container\.port: host port 51678 is reserved by the ECS container agent on every instance \(22, 2375, 2376, 51678, 51679\)/);
    });

    test('a host port another daemon already publishes on the same platform', () => {
      const stack = newStack();
      const platform = platformWithEc2(stack);
      new Ec2DaemonService(stack, 'Collector', { platform, container: { image, port: 4317 } });
      expect(() => new Ec2DaemonService(stack, 'Agent', { platform, ...hostAgent, container: { image, user: '10001', port: 4317 } }))
        .toThrow(/\[TestStack\/Agent\] container\.port: host port 4317\/tcp is already published by TestStack\/Collector on every EC2 instance of TestStack\/Platform/);
    });

    test('a host port different from the container port in host mode', () => {
      expect(build({ ...hostAgent, additionalPortMappings: [{ containerPort: 4318, hostPort: 14318 }] }))
        .toThrow(/additionalPortMappings\[0\]\.hostPort: \(14318\) must equal containerPort \(4318\) in host mode/);
    });

    test('host networking without an explicit container user', () => {
      expect(build({ networkMode: ecs.NetworkMode.HOST }))
        .toThrow(/container\.user: is required with networkMode HOST.*Set a non-root UID\[:GID\]/);
    });

    test('a network mode other than bridge, host or awsvpc', () => {
      expect(build({ networkMode: ecs.NetworkMode.NONE }))
        .toThrow(/networkMode: 'none' is not supported for a daemon\. Use ecs\.NetworkMode\.BRIDGE, HOST or AWS_VPC/);
    });

    test('a discovery name that is not a DNS label', () => {
      expect(build({ container: { image, port: 4317 }, discoveryName: 'Otel_Collector' }))
        .toThrow(/discoveryName: 'Otel_Collector' is not a valid DNS label/);
    });

    test('a discovery name in bridge mode without a container port', () => {
      expect(build({ discoveryName: 'otel' }))
        .toThrow(/discoveryName: in bridge mode Cloud Map registers SRV records, which need the port.*Set container\.port/);
    });

    test('a memory limit below the memory reservation', () => {
      expect(build({ memoryReservationMiB: 256, memoryLimitMiB: 128 }))
        .toThrow(/memoryLimitMiB: \(128 MiB\) must not be less than memoryReservationMiB \(256 MiB\)/);
    });

    test('a memory reservation below Docker\'s 6 MiB minimum', () => {
      expect(build({ memoryReservationMiB: 4 })).toThrow(/memoryReservationMiB: must be a whole number of MiB, at least 6/);
    });

    test('a capability both added and dropped', () => {
      expect(build({ linuxCapabilities: { add: [ecs.Capability.NET_ADMIN], drop: [ecs.Capability.NET_ADMIN] } }))
        .toThrow(/linuxCapabilities: NET_ADMIN is both added and dropped/);
    });
  });

  describe('compliance', () => {
    test('bridge and awsvpc daemons with a user and no memory limit given have no unacknowledged finding', () => {
      const app = newApp();
      const stack = new Stack(app, 'DaemonStack');
      const platform = platformWithEc2(stack);
      // The user is the user's to set (Control Tower CT.ECS.PR.3); every daemon gets a hard memory
      // limit (CT.ECS.PR.7), also with only a reservation given or none.
      const agent = { container: { image, user: '10001', port: 4317 } };
      new Ec2DaemonService(stack, 'Bridge', { platform, ...agent, memoryReservationMiB: 128, discoveryName: 'bridge-agent' });
      new Ec2DaemonService(stack, 'AwsVpc', { platform, ...agent, networkMode: ecs.NetworkMode.AWS_VPC, discoveryName: 'vpc-agent' });
      const result = synthWithCompliance(app);
      expect(result.error).toBeUndefined();
      expect(formatFindings(result.findings)).toEqual([]);
    });

    test('a root user on host networking stays reported until the user acknowledges it', () => {
      const app = newApp();
      const stack = new Stack(app, 'DaemonStack');
      const platform = platformWithEc2(stack);
      new Ec2DaemonService(stack, 'Agent', { platform, networkMode: ecs.NetworkMode.HOST, container: { image, user: 'root' } });
      const result = synthWithCompliance(app);
      expect(result.nagErrors.map((f) => f.rule).sort()).toEqual([
        'HIPAA.Security-ECSTaskDefinitionUserForHostMode',
        'NIST.800.53.R5-ECSTaskDefinitionUserForHostMode',
        'PCI.DSS.321-ECSTaskDefinitionUserForHostMode',
      ]);
      expect(result.validatorFindings).toEqual([]);
    });

    test('the daemon-agent example synthesizes with no nag error and no validator finding', () => {
      const app = newApp();
      new DaemonAgentStack(app, 'DaemonAgentExample');
      const result = synthWithCompliance(app);
      expect(result.error).toBeUndefined();
      expect(formatFindings(result.nagErrors)).toEqual([]);
      expect(formatFindings(result.validatorFindings)).toEqual([]);
      expect(result.acknowledged).toEqual(expect.arrayContaining([
        expect.objectContaining({ rule: 'NIST.800.53.R5-ECSTaskDefinitionUserForHostMode', reason: expect.stringMatching(/non-root user '10001'/) }),
      ]));
    });
  });
});
