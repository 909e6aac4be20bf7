import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkPositiveSeconds, fail, isDeployTimeValue } from '../core/validation';

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
 * Checks that a prop that only applies to Fargate is not combined with `launchOnEc2`.
 */
export function checkFargateOnlyProp(scope: IConstruct, prop: string, given: boolean, why: string): void {
  if (given) {
    fail(scope, prop, `cannot be combined with launchOnEc2: ${why}`, `Remove ${prop}, or remove launchOnEc2 to run on Fargate.`);
  }
}

const SCHEDULE_TYPES_PAGE = 'EventBridge Scheduler accepts rate(value unit), cron(minutes hours day-of-month month day-of-week year) and at(yyyy-mm-ddThh:mm:ss) ("Schedule types on EventBridge Scheduler").';
const RATE_UNITS = ['minute', 'minutes', 'hour', 'hours', 'day', 'days'];

/**
 * Checks a schedule expression against EventBridge Scheduler's schedule types ("Schedule types on
 * EventBridge Scheduler"): rate() with a positive whole number and a minute/hour/day unit, cron()
 * with six fields and '?' in day-of-month or day-of-week, or at(). A five-field Unix cron line,
 * with or without the cron(...) wrapper, is the usual mistake: CloudFormation rejects it at deploy
 * time, after the rest of the stack was created.
 */
export function checkScheduleExpression(scope: IConstruct, prop: string, schedule: { readonly expressionString: string }): void {
  const expression = schedule.expressionString;
  if (Token.isUnresolved(expression)) return;
  const trimmed = expression.trim();
  const wrapped = /^(rate|cron|at)\((.*)\)$/.exec(trimmed);
  if (!wrapped) {
    const fields = trimmed.split(/\s+/);
    const fix = fields.length === 5 ? cronFix(fields) : 'Use scheduler.ScheduleExpression.cron({ ... }), .rate(Duration) or .at(date).';
    fail(scope, prop, `'${expression}' is not an EventBridge Scheduler expression. ${SCHEDULE_TYPES_PAGE}`, fix);
  }
  const [, type, body] = wrapped;
  if (type === 'rate') {
    const rate = /^(\d+)\s+(\w+)$/.exec(body.trim());
    if (!rate || Number(rate[1]) < 1 || !RATE_UNITS.includes(rate[2])) {
      fail(scope, prop, `'${expression}' is not a valid rate: use rate(value unit) with a whole number of at least 1 and a unit of ${RATE_UNITS.join(', ')}.`, "E.g. 'rate(5 minutes)', or scheduler.ScheduleExpression.rate(Duration.minutes(5)).");
    }
  } else if (type === 'cron') {
    const fields = body.trim().split(/\s+/);
    if (fields.length !== 6) {
      fail(
        scope,
        prop,
        `'${expression}' has ${fields.length} fields; EventBridge Scheduler's cron() takes six: minutes hours day-of-month month day-of-week year ("Schedule types on EventBridge Scheduler").`,
        fields.length === 5 ? cronFix(fields) : 'Use scheduler.ScheduleExpression.cron({ minute, hour, ... }), which writes all six fields.',
      );
    }
    if (fields[2] !== '?' && fields[4] !== '?') {
      fail(
        scope,
        prop,
        `'${expression}' sets both day-of-month (${fields[2]}) and day-of-week (${fields[4]}); EventBridge Scheduler needs '?' in one of them ("Schedule types on EventBridge Scheduler").`,
        `E.g. 'cron(${[fields[0], fields[1], fields[2], fields[3], '?', fields[5]].join(' ')})' for every day, or scheduler.ScheduleExpression.cron({ ... }), which writes the '?'.`,
      );
    }
  } else if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(body.trim())) {
    fail(scope, prop, `'${expression}' is not a valid one-time schedule: use at(yyyy-mm-ddThh:mm:ss).`, 'Or scheduler.ScheduleExpression.at(new Date(...)).');
  }
}

/** The fix for a five-field Unix cron line (minute hour day-of-month month day-of-week). */
function cronFix(fields: string[]): string {
  const [minute, hour, day, month, weekDay] = fields;
  const everyDay = weekDay === '*';
  const sixFields = [minute, hour, everyDay ? day : '?', month, everyDay ? '?' : weekDay, '*'].join(' ');
  const options = [['minute', minute], ['hour', hour], ['day', day], ['month', month], ['weekDay', weekDay]]
    .filter(([, value]) => value !== '*')
    .map(([name, value]) => `${name}: '${value}'`)
    .join(', ');
  const weekDayNote = !everyDay && /\d/.test(weekDay) ? ' Day-of-week numbers differ: Unix cron counts Sunday as 0, EventBridge Scheduler as 1 (or use SUN-SAT).' : '';
  return `Use scheduler.ScheduleExpression.cron({ ${options} }), or the six-field form 'cron(${sixFields})'.${weekDayNote}`;
}
