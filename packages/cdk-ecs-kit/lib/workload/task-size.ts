import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import { fail, isDeployTimeValue } from '../core/validation';

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

/**
 * Checks the task size of a task that runs on EC2 capacity: CPU units from 128 to 196608 (0.125
 * to 192 vCPU, the range ECS accepts at task level) and a whole number of MiB of at least 6
 * (Docker's minimum).
 */
export function checkEc2TaskSize(scope: IConstruct, cpu: number, memoryMiB: number): void {
  if (!isDeployTimeValue(cpu) && (!Number.isInteger(cpu) || cpu < 128 || cpu > 196608)) {
    fail(scope, 'cpu', `${cpu} is not a valid task CPU size on EC2.`, 'Use a whole number of CPU units from 128 to 196608 (1024 = 1 vCPU) that fits your instance type.');
  }
  if (!isDeployTimeValue(memoryMiB) && (!Number.isInteger(memoryMiB) || memoryMiB < 6)) {
    fail(scope, 'memoryMiB', `${memoryMiB} is not a valid task memory size on EC2.`, 'Use a whole number of MiB, at least 6, that fits your instance type.');
  }
}
