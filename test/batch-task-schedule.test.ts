import { CfnElement, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { JSONPath } from 'jsonpath-plus';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { NightlyBatchStack } from '../examples/nightly-batch/app';
import { BatchTaskSchedule, BatchTaskScheduleProps, EcsPlatform } from '../packages/cdk-ecs-kit/lib';
import { formatFindings, newApp, newStack, synthWithCompliance } from './support/synth';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');
const NIGHTLY = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });

type JobOptions = Omit<BatchTaskScheduleProps, 'platform' | 'container' | 'schedule'> & { schedule?: scheduler.ScheduleExpression };

function jobStack(options: JobOptions = {}, platformProps: ConstructorParameters<typeof EcsPlatform>[2] = {}) {
  const stack = newStack();
  const platform = new EcsPlatform(stack, 'Platform', platformProps);
  const job = new BatchTaskSchedule(stack, 'Nightly', {
    platform,
    container: { image: IMAGE, command: ['sh', '-c', 'echo report'] },
    schedule: NIGHTLY,
    ...options,
  });
  return { stack, platform, job, template: Template.fromStack(stack) };
}

const EC2_CAPACITY = { ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') } };

/** A token inside the definition, as text without quotes: {Ref:Id} or {GetAtt:Id.Attr}. */
function tokenText(part: unknown): string {
  if (typeof part === 'string') return part;
  const token = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
  if (token.Ref) return `{Ref:${token.Ref}}`;
  if (token['Fn::GetAtt']) return `{GetAtt:${token['Fn::GetAtt'].join('.')}}`;
  return '{Token}';
}

/**
 * The state machine's definition, parsed, with CloudFormation tokens turned into text: the only
 * state machine of the template, or the one of `job`.
 */
function definitionOf(template: Template, job?: BatchTaskSchedule): any {
  const machines = template.findResources('AWS::StepFunctions::StateMachine');
  const id = job ? Stack.of(job).getLogicalId(job.stateMachine.node.defaultChild as CfnElement) : Object.keys(machines)[0];
  if (!job) expect(Object.keys(machines)).toHaveLength(1);
  const definition = machines[id].Properties.DefinitionString;
  const text = typeof definition === 'string' ? definition : definition['Fn::Join'][1].map(tokenText).join('');
  return JSON.parse(text);
}

/** The statements of the default policy of the role whose logical id matches `rolePattern`. */
/** The statements of every policy attached to the role (the state machine role has two: its default policy and the history policy). */
function statementsOfRole(template: Template, rolePattern: RegExp): any[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => rolePattern.test(r.Ref)));
  expect(policies.length).toBeGreaterThan(0);
  return policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

function logicalIdOf(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('BatchTaskSchedule', () => {
  describe('defaults', () => {
    const { job, template } = jobStack();
    const definition = definitionOf(template);
    const runJob = definition.States.RunJob;
    const branch = runJob.Branches[0];
    const stateMachineId = logicalIdOf(template, 'AWS::StepFunctions::StateMachine');
    const topicId = logicalIdOf(template, 'AWS::SNS::Topic');
    const taskDefinitionId = logicalIdOf(template, 'AWS::ECS::TaskDefinition');

    test('starts the state machine on the schedule expression, in UTC, enabled', () => {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'cron(0 2 * * ? *)',
        ScheduleExpressionTimezone: 'Etc/UTC',
        State: 'ENABLED',
        Target: Match.objectLike({ Arn: { Ref: stateMachineId } }),
      });
    });

    test('runs the task with ECS RunTask .sync, so the state machine waits for the task to stop', () => {
      expect(definition.StartAt).toBe('RunJob');
      expect(branch.StartAt).toBe('RunTask');
      expect(branch.States.RunTask.Resource).toMatch(/:states:::ecs:runTask\.sync$/);
      expect(branch.States.RunTask.Parameters.TaskDefinition).toBe(job.taskDefinition.family);
    });

    test('stops a run after 1 hour', () => {
      expect(branch.States.RunTask.TimeoutSeconds).toBe(3600);
    });

    // No AWS documentation says a .sync ECS state stops its task when the state times out
    // ("Run Amazon ECS or Fargate tasks with Step Functions"), and ECS never stops a task itself.
    test('a timed-out run finds its task in the execution history, stops it, then is reported', () => {
      expect(runJob.Catch[0]).toEqual({ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'FindTimedOutTask' });
      const find = definition.States.FindTimedOutTask;
      expect(find.Resource).toMatch(/:states:::aws-sdk:sfn:getExecutionHistory$/);
      expect(find.Parameters).toEqual({ 'ExecutionArn.$': '$$.Execution.Id', ReverseOrder: true, IncludeExecutionData: true, MaxResults: 100 });
      expect(find.Next).toBe('TimedOutTaskFound');
      const found = definition.States.TimedOutTaskFound;
      expect(found.Choices).toEqual([{ Variable: '$.timedOut.submissions[0]', IsPresent: true, Next: 'ReadTimedOutTask' }]);
      expect(found.Default).toBe('NotifyFailure');
      expect(definition.States.ReadTimedOutTask.Next).toBe('StopTimedOutTask');
      const stop = definition.States.StopTimedOutTask;
      expect(stop.Resource).toMatch(/:states:::aws-sdk:ecs:stopTask$/);
      expect(stop.Parameters).toMatchObject({ Cluster: expect.stringMatching(/PlatformCluster.*Arn/), 'Task.$': '$.timedOut.runTask.Tasks[0].TaskArn' });
      expect(stop.Next).toBe('NotifyFailure');
      // Stopping is best effort: a failure to find or stop the task still reports the timeout.
      for (const state of [find, stop]) {
        expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.stopError', Next: 'NotifyFailure' }]);
      }
    });

    test('the history selectors pick the newest RunTask submission of an execution history', () => {
      // GetExecutionHistory with ReverseOrder: newest first; each retry submitted its own task.
      const history = {
        Events: [
          { Type: 'TaskStateEntered', StateEnteredEventDetails: { Name: 'FindTimedOutTask' } },
          { Type: 'TaskTimedOut', TaskTimedOutEventDetails: { ResourceType: 'ecs', Resource: 'runTask.sync' } },
          { Type: 'TaskSubmitted', TaskSubmittedEventDetails: { ResourceType: 'ecs', Resource: 'runTask.sync', Output: JSON.stringify({ Tasks: [{ TaskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/c/second' }], Failures: [] }) } },
          { Type: 'TaskStarted', TaskStartedEventDetails: { ResourceType: 'ecs', Resource: 'runTask.sync' } },
          { Type: 'TaskSubmitted', TaskSubmittedEventDetails: { ResourceType: 'ecs', Resource: 'runTask.sync', Output: JSON.stringify({ Tasks: [{ TaskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/c/first' }], Failures: [] }) } },
        ],
      };
      const find = definition.States.FindTimedOutTask;
      const selected = { submissions: JSONPath({ path: find.ResultSelector['submissions.$'], json: history }) as string[] };
      expect(selected.submissions).toHaveLength(2);
      // ReadTimedOutTask: States.StringToJson($.timedOut.submissions[0]); StopTimedOutTask reads Tasks[0].TaskArn.
      expect(definition.States.ReadTimedOutTask.Parameters).toEqual({ 'runTask.$': 'States.StringToJson($.timedOut.submissions[0])' });
      const runTask = JSON.parse(selected.submissions[0]);
      expect(JSONPath({ path: '$.Tasks[0].TaskArn', json: runTask, wrap: false })).toBe('arn:aws:ecs:eu-west-1:111122223333:task/c/second');
    });

    test('lets the state machine read only its own execution history, under the name CloudFormation generates', () => {
      expect(template.toJSON().Resources[stateMachineId].Properties.StateMachineName).toBeUndefined();
      expect(statementsOfRole(template, /StateMachineRole/)).toContainEqual({
        Action: 'states:GetExecutionHistory',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':execution:', { 'Fn::GetAtt': [stateMachineId, 'Name'] }, ':*']] },
      });
    });

    test('counts a run as failed unless its container exited with code 0', () => {
      const check = branch.States.CheckExitCode;
      expect(branch.States.RunTask.Next).toBe('CheckExitCode');
      expect(check.Choices).toEqual([
        { Variable: '$.Containers[0].ExitCode', IsPresent: false, Next: 'TaskFailed' },
        { Not: { Variable: '$.Containers[0].ExitCode', NumericEquals: 0 }, Next: 'TaskFailed' },
        { Variable: '$.StopCode', IsPresent: false, Next: 'TaskSucceeded' },
        { Variable: '$.StopCode', StringEquals: 'EssentialContainerExited', Next: 'TaskSucceeded' },
      ]);
      expect(check.Default).toBe('TaskFailed');
      expect(branch.States.TaskFailed).toMatchObject({ Type: 'Fail', Error: 'BatchTask.Failed' });
    });

    test('publishes a failure or timeout to the alarm topic, then fails the execution', () => {
      expect(runJob.Catch[1]).toEqual({ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'NotifyFailure' });
      const notify = definition.States.NotifyFailure;
      expect(notify.Resource).toMatch(/:states:::sns:publish$/);
      expect(notify.Parameters.TopicArn).toBe(`{Ref:${topicId}}`);
      expect(notify.Parameters.Message).toMatchObject({ 'error.$': '$.error', 'execution.$': '$$.Execution.Id' });
      expect(definition.States[notify.Next]).toEqual(expect.objectContaining({ Type: 'Fail', ErrorPath: '$.error.Error' }));
    });

    test('creates an alarm topic encrypted with the platform key that only accepts TLS', () => {
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('PlatformEncryptionKey'), 'Arn'] },
      });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          })]),
        },
      });
    });

    // A topic policy replaces SNS's default one: without an Allow for CloudWatch the alarm's
    // publish is refused (CloudWatch User Guide, "Using Amazon SNS notifications", topic policy).
    test('lets CloudWatch publish this job\'s alarm to the alarm topic, scoped to this account and alarm', () => {
      const alarmId = logicalIdOf(template, 'AWS::CloudWatch::Alarm');
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId }],
        PolicyDocument: {
          Statement: Match.arrayWith([{
            Sid: 'AllowCloudWatchAlarmsOfThisJob',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: topicId },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [alarmId, 'Arn'] } },
            },
          }]),
        },
      });
    });

    test('raises an alarm on failed or timed-out executions that notifies the alarm topic', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmActions: [{ Ref: topicId }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'FILL(failed, 0) + FILL(timedOut, 0)' }),
          Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ExecutionsFailed', Namespace: 'AWS/States' }) }) }),
          Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ExecutionsTimedOut', Namespace: 'AWS/States' }) }) }),
        ]),
      });
    });

    test('runs the task in the private subnets without a public IP', () => {
      const network = branch.States.RunTask.Parameters.NetworkConfiguration.AwsvpcConfiguration;
      expect(network.Subnets).toEqual([expect.stringMatching(/^\{Ref:PlatformVpcPrivateSubnet1/), expect.stringMatching(/^\{Ref:PlatformVpcPrivateSubnet2/)]);
      // RunTask's default is DISABLED; ENABLED is never rendered.
      expect(network.AssignPublicIp ?? 'DISABLED').toBe('DISABLED');
    });

    test('gives the task its own security group that allows no ingress', () => {
      const network = branch.States.RunTask.Parameters.NetworkConfiguration.AwsvpcConfiguration;
      expect(network.SecurityGroups).toEqual([`{GetAtt:${logicalIdOf(template, 'AWS::EC2::SecurityGroup')}.GroupId}`]);
      template.hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupIngress: Match.absent() });
      template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
      expect(job.connections.securityGroups).toEqual([job.securityGroup]);
    });

    test('runs on on-demand Fargate with 256 CPU units, 512 MiB and x86_64', () => {
      expect(branch.States.RunTask.Parameters).toMatchObject({ LaunchType: 'FARGATE' });
      expect(branch.States.RunTask.Parameters.CapacityProviderStrategy).toBeUndefined();
      template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        Cpu: '256',
        Memory: '512',
        RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      });
    });

    test("caps the container's memory at the task's, a hard limit Control Tower expects (CT.ECS.PR.7)", () => {
      template.hasResourceProperties('AWS::ECS::TaskDefinition', { Memory: '512', ContainerDefinitions: [Match.objectLike({ Memory: 512 })] });
    });

    test('logs every state machine event to an encrypted, retained log group and traces with X-Ray', () => {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
        TracingConfiguration: { Enabled: true },
      });
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: { KmsKeyId: Match.anyValue(), RetentionInDays: 365 },
        DeletionPolicy: 'Retain',
      });
    });

    test('lets only this account\'s schedules assume the scheduler role, and only to start this state machine', () => {
      expect(statementsOfRole(template, /SchedulerRole/)).toEqual([
        { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: stateMachineId } },
      ]);
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': Match.anyValue() } },
          })],
        },
      });
    });

    test('lets the state machine run only this task definition, in the platform cluster, and pass only its task and execution roles to ECS tasks', () => {
      const statements = statementsOfRole(template, /StateMachineRole/);
      expect(statements).toContainEqual({
        Action: 'ecs:RunTask',
        Effect: 'Allow',
        Resource: { Ref: taskDefinitionId },
        Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [expect.stringMatching(/^PlatformCluster/), 'Arn'] } } },
      });
      const passRole = statements.filter((s) => s.Action === 'iam:PassRole');
      expect(passRole).toHaveLength(1);
      expect(passRole[0].Resource).toEqual(expect.arrayContaining([
        { 'Fn::GetAtt': [expect.stringMatching(/TaskDefinitionExecutionRole/), 'Arn'] },
        { 'Fn::GetAtt': [expect.stringMatching(/TaskDefinitionTaskRole/), 'Arn'] },
      ]));
      expect(passRole[0].Resource).toHaveLength(2);
      expect(passRole[0].Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    });

    test('lets the state machine watch and stop tasks of the platform cluster only, and manage the .sync events rule', () => {
      const statements = statementsOfRole(template, /StateMachineRole/);
      const onCluster = { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [expect.stringMatching(/^PlatformCluster/), 'Arn'] } } };
      const ecsActions = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('ecs:')));
      expect(ecsActions.flatMap((s) => [s.Action].flat()).sort()).toEqual(['ecs:DescribeTasks', 'ecs:RunTask', 'ecs:StopTask']);
      for (const statement of ecsActions) expect(statement.Condition).toEqual(onCluster);
      // Beyond those cluster-scoped ECS actions, '*' only holds X-Ray and log-delivery actions.
      const wildcardActions = statements.filter((s) => s.Resource === '*' && !s.Condition).flatMap((s) => [s.Action].flat());
      expect(wildcardActions.filter((a: string) => !/^(xray:.*|logs:.*)$/.test(a))).toEqual([]);
      expect(statements).toContainEqual(expect.objectContaining({
        Action: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
        Resource: { 'Fn::Join': ['', expect.arrayContaining([':rule/StepFunctionsGetEventsForECSTaskRule'])] },
      }));
    });

    test('lets the state machine publish to the alarm topic and use the key that encrypts it', () => {
      const statements = statementsOfRole(template, /StateMachineRole/);
      expect(statements).toContainEqual({ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: topicId } });
      expect(statements).toContainEqual({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PlatformEncryptionKey/), 'Arn'] },
      });
    });

    test('exposes what it creates', () => {
      expect(job.taskRole).toBe(job.taskDefinition.taskRole);
      expect(job.executionRole).toBe(job.taskDefinition.executionRole);
      expect(job.container.containerName).toBe('app');
      expect(job.alarmTopic).toBeInstanceOf(sns.Topic);
      expect(job.failureAlarm.alarmArn).toBeDefined();
      expect(job.logGroup).not.toBe(job.stateMachineLogGroup);
    });
  });

  describe('options', () => {
    // One stack for all options (one synth): a platform with EC2 capacity and one job per option.
    const stack = newStack();
    const platform = new EcsPlatform(stack, 'Platform', EC2_CAPACITY);
    const job = (id: string, options: JobOptions = {}) =>
      new BatchTaskSchedule(stack, id, { platform, container: { image: IMAGE }, schedule: NIGHTLY, ...options });
    const berlin = job('Berlin', { schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: TimeZone.EUROPE_BERLIN }) });
    const tuned = job('Tuned', { retries: 5, timeout: Duration.minutes(30) });
    const noRetries = job('NoRetries', { retries: 0 });
    const spot = job('Spot', { fargateSpot: true });
    const legacySpot = job('LegacySpot', { useSpot: true });
    const arm = job('Arm', { architecture: ecs.CpuArchitecture.ARM64, cpu: 1024, memoryMiB: 2048 });
    const disabled = job('Disabled', { enabled: false });
    const onCallTopic = new sns.Topic(stack, 'OnCall', { enforceSSL: true });
    const onCall = job('OnCallJob', { alarmTopic: onCallTopic });
    const onEc2 = job('OnEc2', { launchOnEc2: true, cpu: 512, memoryMiB: 768 });
    const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    onEc2.grantRun(operator);
    const template = Template.fromStack(stack);

    const idOf = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
    const runJobOf = (j: BatchTaskSchedule) => definitionOf(template, j).States.RunJob;
    const runTaskOf = (j: BatchTaskSchedule) => runJobOf(j).Branches[0].States.RunTask;

    test('carries the time zone of the schedule expression', () => {
      expect(template.toJSON().Resources[idOf(berlin.schedule)].Properties).toMatchObject({
        ScheduleExpression: 'cron(0 2 * * ? *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
      });
    });

    test("caps the container's memory at the task's on EC2 too", () => {
      expect(template.toJSON().Resources[idOf(onEc2.taskDefinition)].Properties).toMatchObject({
        Memory: '768',
        ContainerDefinitions: [expect.objectContaining({ Memory: 768 })],
      });
    });

    test('retries and timeout set the attempts and the run timeout', () => {
      expect(runJobOf(tuned).Retry[1].MaxAttempts).toBe(5);
      expect(runTaskOf(tuned).TimeoutSeconds).toBe(1800);
    });

    test('retries: 0 never re-runs a failed task', () => {
      expect(runJobOf(noRetries).Retry[1].MaxAttempts).toBe(0);
    });

    test('fargateSpot (and the deprecated useSpot) runs the task on Fargate Spot', () => {
      expect(runTaskOf(legacySpot).Parameters.CapacityProviderStrategy).toEqual([{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }]);
      expect(runTaskOf(spot).Parameters.CapacityProviderStrategy).toEqual([{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }]);
      expect(runTaskOf(spot).Parameters.LaunchType).toBeUndefined();
    });

    test('architecture ARM64 runs the task on Graviton', () => {
      expect(template.toJSON().Resources[idOf(arm.taskDefinition)].Properties).toMatchObject({
        Cpu: '1024',
        Memory: '2048',
        RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      });
    });

    test('enabled: false creates the schedule disabled', () => {
      expect(template.toJSON().Resources[idOf(disabled.schedule)].Properties.State).toBe('DISABLED');
    });

    test('a given alarmTopic receives the failure messages and the alarm, and no topic is created', () => {
      expect(onCall.alarmTopic).toBe(onCallTopic);
      expect(onCall.node.tryFindChild('AlarmTopic')).toBeUndefined();
      expect(definitionOf(template, onCall).States.NotifyFailure.Parameters.TopicArn).toBe(`{Ref:${idOf(onCallTopic)}}`);
      expect(template.toJSON().Resources[idOf(onCall.failureAlarm)].Properties.AlarmActions).toEqual([{ Ref: idOf(onCallTopic) }]);
    });

    test('launchOnEc2 runs an EC2 task definition through the platform\'s EC2 capacity provider', () => {
      const taskDefinition = template.toJSON().Resources[idOf(onEc2.taskDefinition)].Properties;
      expect(taskDefinition).toMatchObject({ RequiresCompatibilities: ['EC2'], NetworkMode: 'awsvpc', Cpu: '512', Memory: '768' });
      expect(taskDefinition.RuntimePlatform).toBeUndefined();
      const providerName = stack.resolve(platform.ec2CapacityProvider!.capacityProviderName);
      expect(runTaskOf(onEc2).Parameters.CapacityProviderStrategy).toEqual([{ CapacityProvider: tokenText(providerName), Weight: 1 }]);
      expect(runTaskOf(onEc2).Parameters.LaunchType).toBeUndefined();
    });

    test('grantRun lets a principal start this state machine, and nothing else', () => {
      expect(statementsOfRole(template, /^Operator/)).toEqual([
        { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: idOf(onEc2.stateMachine) } },
      ]);
    });
  });

  describe('rejects bad input', () => {
    function build(options: JobOptions, platformProps: ConstructorParameters<typeof EcsPlatform>[2] = {}) {
      const stack = newStack();
      const platform = new EcsPlatform(stack, 'Platform', platformProps);
      return () => new BatchTaskSchedule(stack, 'Nightly', { platform, container: { image: IMAGE }, schedule: NIGHTLY, ...options });
    }

    test.each([-1, 11, 1.5])('rejects retries %s, naming the allowed range', (retries) => {
      expect(build({ retries })).toThrow(new RegExp(`\\[TestStack/Nightly\\] retries: must be an integer from 0 to 10, got ${retries}\\.`));
    });

    test('rejects a zero timeout', () => {
      expect(build({ timeout: Duration.seconds(0) })).toThrow(/\[TestStack\/Nightly\] timeout: must be longer than 0 seconds, got 0 seconds\./);
    });

    test('a negative timeout cannot even be built: Duration rejects it', () => {
      expect(() => build({ timeout: Duration.seconds(-1) })).toThrow(/Duration amounts cannot be negative/);
    });

    test('rejects a timeout that is not a whole number of seconds', () => {
      expect(build({ timeout: Duration.millis(1500) })).toThrow(/timeout: must be a whole number of seconds, got 1\.5 seconds/);
    });

    test('rejects a timeout whose attempts do not fit in the one-year execution limit', () => {
      expect(build({ timeout: Duration.days(200), retries: 1 })).toThrow(/timeout: \(17280000 seconds\) times 2 attempt\(s\) .* longer than the one-year limit .* Shorten timeout or lower retries/);
    });

    test('rejects a CPU size Fargate does not offer, listing the sizes it does', () => {
      expect(build({ cpu: 300, memoryMiB: 512 })).toThrow(/\[TestStack\/Nightly\] cpu: 300 is not a Fargate CPU size\. Use one of 256, 512, 1024, 2048, 4096, 8192, 16384/);
    });

    test('rejects a memory size that does not pair with the CPU size on Fargate', () => {
      expect(build({ cpu: 256, memoryMiB: 4096 })).toThrow(/memoryMiB: 4096 MiB is not allowed with cpu 256 on Fargate\. With cpu 256, use 512, 1024 or 2048 MiB/);
    });

    test('rejects launchOnEc2 on a platform without EC2 capacity', () => {
      expect(build({ launchOnEc2: true })).toThrow(/\[TestStack\/Nightly\] launchOnEc2: is true, but the platform TestStack\/Platform has no EC2 capacity\. Give the EcsPlatform ec2Capacity, or remove launchOnEc2/);
    });

    test('rejects fargateSpot, useSpot or architecture together with launchOnEc2', () => {
      expect(build({ launchOnEc2: true, fargateSpot: true }, EC2_CAPACITY)).toThrow(/fargateSpot: cannot be combined with launchOnEc2/);
      expect(build({ launchOnEc2: true, useSpot: true }, EC2_CAPACITY)).toThrow(/useSpot: cannot be combined with launchOnEc2/);
      expect(build({ launchOnEc2: true, architecture: ecs.CpuArchitecture.ARM64 }, EC2_CAPACITY)).toThrow(/architecture: cannot be combined with launchOnEc2/);
    });

    // ECS API reference, CapacityProviderStrategyItem: "FARGATE_SPOT supports Linux tasks with the
    // ARM64 architecture on platform version 1.4.0 or later" (newer than the Developer Guide page
    // that still says no). The job runs on LATEST (1.4.0), so ARM64 on Spot is plain and silent.
    test('runs ARM64 on Fargate Spot without a warning, on the latest platform version', () => {
      const stack = newStack();
      const platform = new EcsPlatform(stack, 'Platform');
      new BatchTaskSchedule(stack, 'Arm', { platform, container: { image: IMAGE }, schedule: NIGHTLY, architecture: ecs.CpuArchitecture.ARM64, fargateSpot: true });
      expect(Annotations.fromStack(stack).findWarning('/TestStack/Arm*', Match.anyValue())).toEqual([]);
      Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64' } });
      const definition = JSON.stringify(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'));
      expect(definition).toContain('FARGATE_SPOT');
      expect(definition).not.toMatch(/PlatformVersion\\?":\\?"1\.[0-3]/);
    });

    test('rejects an EC2 task size ECS does not accept', () => {
      expect(build({ launchOnEc2: true, cpu: 64 }, EC2_CAPACITY)).toThrow(/cpu: 64 is not a valid task CPU size on EC2\. Use a whole number of CPU units from 128 to 196608/);
    });
  });

  describe('compliance', () => {
    test('the default job (with a non-root user) passes the nag packs, Control Tower and the CloudFormation validator with no finding', () => {
      const app = newApp();
      const stack = new Stack(app, 'BatchStack');
      new BatchTaskSchedule(stack, 'Nightly', { platform: new EcsPlatform(stack, 'Platform'), container: { image: IMAGE, user: '1000' }, schedule: NIGHTLY });
      const result = synthWithCompliance(app);
      expect(result.error).toBeUndefined();
      expect(formatFindings(result.nagErrors)).toEqual([]);
      expect(formatFindings(result.validatorFindings)).toEqual([]);
      expect(formatFindings(result.findings)).toEqual([]);
      // What the job acknowledges: grant-only inline policies and the state machine role's documented wildcards.
      const jobAcknowledged = result.acknowledged.filter((a) => a.paths.some((p) => p.startsWith('BatchStack/Nightly/')));
      expect([...new Set(jobAcknowledged.map((a) => a.rule))].sort()).toEqual([
        'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        'AwsSolutions-IAM5[Resource::*]',
        expect.stringMatching(/^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<NightlyStateMachine[0-9A-F]{8}\.Name>:\*\]$/),
        'HIPAA.Security-IAMNoInlinePolicy',
        'NIST.800.53.R5-IAMNoInlinePolicy',
        'PCI.DSS.321-IAMNoInlinePolicy',
      ]);
      expect(jobAcknowledged.every((a) => a.reason.length > 40)).toBe(true);
    });

    test('a job on EC2 capacity (with a non-root user) passes the nag packs, Control Tower and the CloudFormation validator with no finding', () => {
      const app = newApp();
      const stack = new Stack(app, 'BatchStack');
      const platform = new EcsPlatform(stack, 'Platform', EC2_CAPACITY);
      new BatchTaskSchedule(stack, 'Nightly', { platform, container: { image: IMAGE, user: '1000' }, schedule: NIGHTLY, launchOnEc2: true, cpu: 512, memoryMiB: 1024 });
      const result = synthWithCompliance(app);
      expect(result.error).toBeUndefined();
      expect(formatFindings(result.findings)).toEqual([]);
    });

    test('the nightly-batch example synthesizes with no nag error and no validator finding', () => {
      const app = newApp();
      const stack = new NightlyBatchStack(app, 'NightlyBatchExample');
      const result = synthWithCompliance(app);
      expect(result.error).toBeUndefined();
      expect(formatFindings(result.nagErrors)).toEqual([]);
      expect(formatFindings(result.validatorFindings)).toEqual([]);
      expect(formatFindings(result.findings)).toEqual([]);
      const runJob = definitionOf(Template.fromStack(stack)).States.RunJob;
      expect(runJob.Retry[1].MaxAttempts).toBe(2);
      expect(runJob.Branches[0].States.RunTask.TimeoutSeconds).toBe(3600);
    });
  });
});
