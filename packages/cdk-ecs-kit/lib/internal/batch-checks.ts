import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkPositiveSeconds, fail, isDeployTimeValue } from './validation';

/**
 * Synth-time checks of BatchTaskSchedule props, in the voice of validation.ts: each names the
 * construct path, the prop, the value given, what is allowed and how to fix it. Unresolved
 * tokens are skipped.
 */

/** The longest a Step Functions standard execution may run: one year (365 days), in seconds. */
export const MAX_EXECUTION_SECONDS = Duration.days(365).toSeconds();

/**
 * Checks a batch task timeout: a whole number of seconds, greater than 0, and short enough that
 * every attempt (the first run plus `retries`) fits in Step Functions' one-year execution limit.
 */
export function checkTaskTimeout(scope: IConstruct, prop: string, timeout: Duration, attempts: number): void {
  if (isDeployTimeValue(timeout) || isDeployTimeValue(attempts)) return;
  const seconds = timeout.toSeconds({ integral: false });
  checkPositiveSeconds(scope, prop, seconds, 'Give the longest one run of the task may take, e.g. Duration.hours(1).');
  if (!Number.isInteger(seconds)) {
    fail(scope, prop, `must be a whole number of seconds, got ${seconds} seconds.`, 'Step Functions counts task timeouts in whole seconds; round it, e.g. Duration.seconds(90).');
  }
  if (seconds * attempts > MAX_EXECUTION_SECONDS) {
    fail(
      scope,
      prop,
      `(${seconds} seconds) times ${attempts} attempt(s) is ${seconds * attempts} seconds, longer than the one-year limit of a Step Functions execution (${MAX_EXECUTION_SECONDS} seconds).`,
      'Shorten timeout or lower retries.',
    );
  }
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

/**
 * Checks that a prop that only applies to Fargate is not combined with `launchOnEc2`.
 */
export function checkFargateOnlyProp(scope: IConstruct, prop: string, given: boolean, why: string): void {
  if (given) {
    fail(scope, prop, `cannot be combined with launchOnEc2: ${why}`, `Remove ${prop}, or remove launchOnEc2 to run on Fargate.`);
  }
}
