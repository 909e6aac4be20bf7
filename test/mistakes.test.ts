import { Duration, Lazy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchTaskSchedule, EcsPlatform } from '../packages/cdk-ecs-kit/lib';
import { newStack } from './support/synth';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');

/** A batch job on a new platform, with `schedule`. */
function jobWithSchedule(schedule: scheduler.ScheduleExpression): BatchTaskSchedule {
  const stack = newStack();
  const platform = new EcsPlatform(stack, 'Platform');
  return new BatchTaskSchedule(stack, 'Nightly', { platform, container: { image: IMAGE }, schedule });
}

/**
 * EventBridge Scheduler accepts rate(value unit), cron(six fields) and at(yyyy-mm-ddThh:mm:ss)
 * ("Schedule types on EventBridge Scheduler",
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html). Anything else is
 * rejected by CloudFormation at deploy time; a five-field Unix cron never runs.
 */
describe('BatchTaskSchedule schedule (EventBridge Scheduler schedule types)', () => {
  test('rejects a five-field cron, naming the prop, the value and the six-field fix', () => {
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.expression('cron(0 2 * * *)')))
      .toThrow(/\[TestStack\/Nightly\] schedule: 'cron\(0 2 \* \* \*\)' has 5 fields.*six.*ScheduleExpression\.cron\(\{ minute: '0', hour: '2' \}\).*'cron\(0 2 \* \* \? \*\)'/);
  });

  test('rejects a Unix cron line without the cron(...) wrapper, with the fix', () => {
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.expression('0 2 * * *')))
      .toThrow(/schedule: '0 2 \* \* \*' is not an EventBridge Scheduler expression.*cron\(0 2 \* \* \? \*\)/);
  });

  test('rejects a cron with both day-of-month and day-of-week set', () => {
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.expression('cron(0 2 * * MON *)')))
      .toThrow(/schedule: .*day-of-month.*day-of-week.*'\?'/);
  });

  test.each([
    ['rate(0 minutes)'],
    ['rate(5 weeks)'],
    ['rate(1.5 hours)'],
    ['rate(minutes)'],
  ])('rejects %s', (expression) => {
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.expression(expression))).toThrow(/schedule: .*rate\(value unit\).*minute/);
  });

  test.each([
    ['cron(0 2 * * ? *)'],
    ['cron(0/15 8-17 ? * MON-FRI *)'],
    ['rate(1 hour)'],
    ['rate(5 minutes)'],
    ['at(2030-01-01T02:00:00)'],
  ])('accepts %s', (expression) => {
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.expression(expression))).not.toThrow();
  });

  test('accepts the factories of aws-cdk-lib', () => {
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }))).not.toThrow();
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.rate(Duration.hours(6)))).not.toThrow();
  });

  test('accepts a token', () => {
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.expression(Lazy.string({ produce: () => 'rate(1 hour)' })))).not.toThrow();
  });
});
