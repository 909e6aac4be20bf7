import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkPositiveSeconds, fail } from '../core/validation';

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
  const seconds = timeout.toSeconds({ integral: false });
  if (Token.isUnresolved(seconds) || Token.isUnresolved(attempts)) return;
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
 * Checks that a prop that only applies to Fargate is not combined with `launchOnEc2`.
 */
export function checkFargateOnlyProp(scope: IConstruct, prop: string, given: boolean, why: string): void {
  if (given) {
    fail(scope, prop, `cannot be combined with launchOnEc2: ${why}`, `Remove ${prop}, or remove launchOnEc2 to run on Fargate.`);
  }
}
