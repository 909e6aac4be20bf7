// Integration test of BatchTaskSchedule: deploys a platform and two jobs on Fargate, one whose
// container exits 0 and one whose container exits 1, starts a run of each through its state
// machine, and asserts, through the AWS APIs, that the first run succeeds and that the second
// fails with a task failure (after its retry) rather than a timeout, a start failure or an error
// in the state machine.
//
// Snapshot check (no AWS):         npm run integ:check
// Snapshot update (no AWS):        npm run integ:snapshot -- integ.batch-task-schedule.ts
// Deploy, assert, update snapshot: npm run integ -- integ.batch-task-schedule.ts  (AWS credentials)
import { App, Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { AwsApiCall, ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { BatchTaskSchedule, BatchTaskScheduleProps, EcsPlatform } from '../../packages/cdk-ecs-kit/lib';
import { integStack } from './support';

const app = new App();
const stack = integStack(app, 'EcsKitIntegBatch');

const platform = new EcsPlatform(stack, 'Platform');

const busybox = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');
const common: Omit<BatchTaskScheduleProps, 'container'> = {
  platform,
  // Disabled: the assertions start the runs, and a scheduled run during the test would race them.
  // The schedule itself is still deployed, so its role and target are created and validated.
  schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
  enabled: false,
  // One retry keeps the failing job's test short: two runs and one minute of backoff.
  retries: 1,
  // Room to pull the image and start on Fargate; the runs themselves take a second.
  timeout: Duration.minutes(5),
};

const succeeds = new BatchTaskSchedule(stack, 'Succeeds', {
  ...common,
  // `echo` writes to stdout only: fits the read-only root file system.
  container: { image: busybox, command: ['sh', '-c', 'echo ok'], user: '65534:65534' },
});

const fails = new BatchTaskSchedule(stack, 'Fails', {
  ...common,
  container: { image: busybox, command: ['sh', '-c', 'echo failing on purpose; exit 1'], user: '65534:65534' },
});

const integ = new IntegTest(app, 'BatchTaskScheduleInteg', {
  testCases: [stack],
  // No stack-update workflow: the test is about fresh jobs.
  stackUpdateWorkflow: false,
});

// A run of the job whose container exits 0 succeeds.
const startSucceeding = integ.assertions.awsApiCall('SFN', 'startExecution', {
  stateMachineArn: succeeds.stateMachine.stateMachineArn,
});
const succeeded = integ.assertions.awsApiCall('SFN', 'describeExecution', {
  executionArn: startSucceeding.getAttString('executionArn'),
}).expect(ExpectedResult.objectLike({
  status: 'SUCCEEDED',
})).waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) }) as AwsApiCall;
succeeded.waiterProvider?.addToRolePolicy({ Effect: 'Allow', Action: ['states:DescribeExecution'], Resource: ['*'] });

// A run of the job whose container exits 1 fails after its retry, and the execution reports the
// task failure (the Catch passes the run's error name to the final Fail state). A timeout
// (States.Timeout), a task that could not start (ECS.AmazonECSException), a broken exit code
// check (States.Runtime) or a failed SNS notification would report another error name.
const startFailing = integ.assertions.awsApiCall('SFN', 'startExecution', {
  stateMachineArn: fails.stateMachine.stateMachineArn,
});
const failed = integ.assertions.awsApiCall('SFN', 'describeExecution', {
  executionArn: startFailing.getAttString('executionArn'),
}).expect(ExpectedResult.objectLike({
  status: 'FAILED',
  error: Match.stringLikeRegexp('^(States\\.TaskFailed|BatchTask\\.Failed|States\\.BranchFailed)$'),
})).waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) }) as AwsApiCall;
failed.waiterProvider?.addToRolePolicy({ Effect: 'Allow', Action: ['states:DescribeExecution'], Resource: ['*'] });
