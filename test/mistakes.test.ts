import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchTaskSchedule, EcsPlatform } from '../packages/cdk-ecs-kit/lib';
import { newStack } from './support/synth';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');

/** A batch job on a new platform, with `schedule` and `image`. */
function jobWithSchedule(schedule: scheduler.ScheduleExpression, image: ecs.ContainerImage | ((stack: Stack) => ecs.ContainerImage) = IMAGE): BatchTaskSchedule {
  const stack = newStack();
  const platform = new EcsPlatform(stack, 'Platform');
  return new BatchTaskSchedule(stack, 'Nightly', {
    platform,
    container: { image: typeof image === 'function' ? image(stack) : image },
    schedule,
  });
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

/** The warnings about a mutable image tag on a job running `image`. */
function imageWarnings(image: ecs.ContainerImage | ((stack: Stack) => ecs.ContainerImage)) {
  const job = jobWithSchedule(scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }), image);
  return Annotations.fromStack(Stack.of(job)).findWarning('*', Match.stringLikeRegexp('@cdk-ecs-kit/mutable-image-tag'));
}

describe('container image without a pinned version', () => {
  test.each([
    ['nginx', /'nginx' has no tag/],
    ['public.ecr.aws/nginx/nginx:latest', /':latest'/],
    ['registry.example.com:5000/team/app', /has no tag/],
  ])('warns for %s: deployments are not reproducible and a rollback does not roll back the image', (name, problem) => {
    const warnings = imageWarnings(ecs.ContainerImage.fromRegistry(name));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].id).toBe('/TestStack/Nightly');
    const text = String(warnings[0].entry.data);
    expect(text).toMatch(problem);
    expect(text).toMatch(/\[TestStack\/Nightly\] container\.image:.*not reproducible.*rollback.*does not roll back the image.*@sha256:/);
  });

  test('warns for an ECR repository image on its default tag, latest', () => {
    const warnings = imageWarnings((stack) => ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Repo', 'app')));
    expect(warnings).toHaveLength(1);
  });

  test.each([
    ['a version tag', () => ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27.3')],
    ['a digest', () => ecs.ContainerImage.fromRegistry(`public.ecr.aws/nginx/nginx@sha256:${'a'.repeat(64)}`)],
    ['a registry port and a tag', () => ecs.ContainerImage.fromRegistry('registry.example.com:5000/team/app:v2')],
    ['an ECR repository image with a tag', (stack: Stack) => ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Repo', 'app'), 'v1.2.3')],
    ['an image asset', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ecs-kit-image-'));
      fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM public.ecr.aws/docker/library/busybox:stable\n');
      return ecs.ContainerImage.fromAsset(dir);
    }],
    ['a tag given as a token', () => ecs.ContainerImage.fromRegistry(`nginx:${Lazy.string({ produce: () => 'latest' })}`)],
  ])('does not warn for %s', (_, image) => {
    expect(imageWarnings(image)).toEqual([]);
  });
});
