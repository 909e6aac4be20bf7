import * as ecs from 'aws-cdk-lib/aws-ecs';

/**
 * The size and CPU architecture of a workload's task, shared by FargateWebService and
 * BatchTaskSchedule.
 */
export interface TaskSizeProps {
  /**
   * The task's CPU units (1024 = 1 vCPU). On Fargate 256, 512, 1024, 2048, 4096, 8192 or 16384,
   * paired with `memoryMiB` as Fargate's size table allows.
   *
   * @default 256 - the smallest Fargate size; raise it for heavier work
   */
  readonly cpu?: number;

  /**
   * The task's memory, in MiB. On Fargate it must pair with `cpu` as Fargate's size table
   * allows.
   *
   * @default 512 - the smallest Fargate size for 256 CPU units
   */
  readonly memoryMiB?: number;

  /**
   * The CPU architecture the task runs on; the image must be built for it. Fargate only: a task
   * on EC2 capacity runs on the architecture of the platform's instances.
   *
   * @default ecs.CpuArchitecture.X86_64 - what most images are built for; ARM64 is about 20 %
   * cheaper on Fargate when the image supports it
   */
  readonly architecture?: ecs.CpuArchitecture;
}
