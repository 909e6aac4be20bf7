import { Tokenization } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { checkEc2TaskSize } from './task-size';
import { checkFargateTaskSize } from '../core/validation';
import { addContainerFromSpec, ContainerSpec } from './container-spec';
import type { IEcsPlatform } from '../platform/ecs-platform';
import type { TaskSizeProps } from './task-size';

/**
 * The wiring every workload shares (task definition, container, roles, log group, security group,
 * connections), made in one place so FargateWebService, Ec2DaemonService and BatchTaskSchedule
 * only add what differs. Not exported from the package.
 */

/** `TaskSizeProps` with the library's defaults applied. */
export interface TaskSize {
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly architecture: ecs.CpuArchitecture;
}

/**
 * Applies the `TaskSizeProps` defaults and checks the size against where the task runs:
 * Fargate's CPU/memory table, or the range ECS accepts on EC2.
 */
export function resolveTaskSize(scope: Construct, props: TaskSizeProps, launch: 'fargate' | 'ec2' = 'fargate'): TaskSize {
  const size = {
    cpu: props.cpu ?? 256,
    memoryMiB: props.memoryMiB ?? 512,
    architecture: props.architecture ?? ecs.CpuArchitecture.X86_64,
  };
  if (launch === 'ec2') {
    checkEc2TaskSize(scope, size.cpu, size.memoryMiB);
  } else {
    checkFargateTaskSize(scope, size.cpu, size.memoryMiB);
  }
  return size;
}

/** Which task definition a workload runs, and what sets it apart. */
export type TaskDefinitionShape =
  /** A Fargate task of `size` (FargateWebService). */
  | { readonly kind: 'fargate'; readonly size: TaskSize }
  /** An EC2 task in `networkMode` with host volumes; sized per container (Ec2DaemonService). */
  | { readonly kind: 'ec2'; readonly networkMode: ecs.NetworkMode; readonly volumes: ecs.Volume[] }
  /** An awsvpc task of `size` on Fargate or on EC2 capacity (BatchTaskSchedule). */
  | { readonly kind: 'fargate-or-ec2'; readonly onEc2: boolean; readonly size: TaskSize };

/** The task definition class a shape makes, so each construct keeps its public field type. */
export type TaskDefinitionOf<S extends TaskDefinitionShape> =
  S extends { kind: 'fargate' } ? ecs.FargateTaskDefinition
    : S extends { kind: 'ec2' } ? ecs.Ec2TaskDefinition
      : ecs.TaskDefinition;

/** How `createWorkloadCore` wires a workload. */
export interface WorkloadCoreOptions<S extends TaskDefinitionShape> {
  /** The platform whose VPC, key and log retention the workload uses. */
  readonly platform: IEcsPlatform;
  /** The task definition to make. */
  readonly taskDefinition: S;
  /** The container to add. */
  readonly container: ContainerSpec;
  /** Container definition options of the workload's own (memory, privileges, ...). */
  readonly containerOptions?: Partial<ecs.ContainerDefinitionOptions>;
  /**
   * The application protocol of the container port's mapping (a Service Connect server's).
   *
   * @default - none
   */
  readonly appProtocol?: ecs.AppProtocol;
  /**
   * The description of the workload's own security group, for awsvpc tasks.
   *
   * @default - no security group of its own (bridge and host tasks use their instance's)
   */
  readonly securityGroupDescription?: string;
  /**
   * The security group `connections` stands for when the workload has none of its own.
   *
   * @default - none; then `securityGroupDescription` is required
   */
  readonly instanceSecurityGroup?: ec2.ISecurityGroup;
  /**
   * The default port of `connections`.
   *
   * @default - no default port
   */
  readonly defaultPort?: number;
}

/** What `createWorkloadCore` made. */
export interface WorkloadCore<T extends ecs.TaskDefinition> {
  readonly taskDefinition: T;
  readonly container: ecs.ContainerDefinition;
  readonly logGroup: logs.LogGroup;
  /** The container's Linux parameters (init process on); add capabilities here. */
  readonly linuxParameters: ecs.LinuxParameters;
  readonly taskRole: iam.IRole;
  readonly executionRole: iam.IRole;
  /** The workload's own security group; undefined without `securityGroupDescription`. */
  readonly securityGroup?: ec2.SecurityGroup;
  readonly connections: ec2.Connections;
}

/**
 * Creates a workload's task definition ('TaskDefinition'), its hardened container (with
 * 'LogGroup' and 'LinuxParameters'), and its security group ('SecurityGroup') and connections,
 * all in `scope`: the ids are logical ids in users' stacks and must not change.
 */
export function createWorkloadCore<S extends TaskDefinitionShape>(
  scope: Construct,
  options: WorkloadCoreOptions<S>,
): WorkloadCore<TaskDefinitionOf<S>> {
  const { platform } = options;
  const taskDefinition = createTaskDefinition(scope, options.taskDefinition) as TaskDefinitionOf<S>;
  const added = addContainerFromSpec(scope, taskDefinition, { platform, spec: options.container, extraOptions: options.containerOptions, appProtocol: options.appProtocol });

  const securityGroup = options.securityGroupDescription === undefined ? undefined : new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: platform.vpc,
    description: options.securityGroupDescription,
    // Tasks call out to image registries, AWS APIs and their own dependencies.
    allowAllOutbound: true,
  });
  const connectionGroup = securityGroup ?? options.instanceSecurityGroup;
  if (!connectionGroup) throw new Error('createWorkloadCore needs securityGroupDescription or instanceSecurityGroup');

  return {
    taskDefinition,
    container: added.container,
    logGroup: added.logGroup,
    linuxParameters: added.linuxParameters,
    taskRole: taskDefinition.taskRole,
    executionRole: taskDefinition.obtainExecutionRole(),
    securityGroup,
    connections: new ec2.Connections({
      securityGroups: [connectionGroup],
      defaultPort: options.defaultPort === undefined ? undefined : ec2.Port.tcp(options.defaultPort),
    }),
  };
}

function createTaskDefinition(scope: Construct, shape: TaskDefinitionShape): ecs.TaskDefinition {
  const id = 'TaskDefinition';
  switch (shape.kind) {
    case 'fargate':
      return new ecs.FargateTaskDefinition(scope, id, {
        cpu: shape.size.cpu,
        memoryLimitMiB: shape.size.memoryMiB,
        runtimePlatform: linuxOn(shape.size.architecture),
      });
    case 'ec2':
      return new ecs.Ec2TaskDefinition(scope, id, { networkMode: shape.networkMode, volumes: shape.volumes });
    case 'fargate-or-ec2':
      return new ecs.TaskDefinition(scope, id, {
        compatibility: shape.onEc2 ? ecs.Compatibility.EC2 : ecs.Compatibility.FARGATE,
        networkMode: ecs.NetworkMode.AWS_VPC,
        // stringifyNumber, not String(): a number token must stay a reference, not its placeholder digits.
        cpu: Tokenization.stringifyNumber(shape.size.cpu),
        memoryMiB: Tokenization.stringifyNumber(shape.size.memoryMiB),
        // On EC2 the task runs on the architecture of the platform's instances.
        runtimePlatform: shape.onEc2 ? undefined : linuxOn(shape.size.architecture),
      });
  }
}

function linuxOn(cpuArchitecture: ecs.CpuArchitecture): ecs.RuntimePlatform {
  return { cpuArchitecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX };
}
