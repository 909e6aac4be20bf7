import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { JobRunTask } from './job-run-task';
import type { ContainerSpec } from '../workload/container-spec';
import { checkFargateOnlyProp, checkScheduleExpression, checkTaskTimeout } from './batch-checks';
import { acknowledgeGrantPolicy, acknowledgeLogRetentionOptOut, acknowledgePlatformKeyElsewhere, acknowledgeRule, COMPLIANCE_PACKS, NagPack } from '../core/compliance';
import { checkWorkloadSubnets, defaultTaskSubnets } from '../core/subnets';
import { checkIntegerInRange, checkSameEnvironment, fail } from '../core/validation';
import { createWorkloadCore, resolveTaskSize } from '../workload/workload-core';
import type { IEcsPlatform } from '../platform/ecs-platform';
import type { TaskSizeProps } from '../workload/task-size';

/**
 * Properties of a BatchTaskSchedule.
 */
export interface BatchTaskScheduleProps extends TaskSizeProps {
  /** The platform whose cluster, VPC and encryption key the job uses. */
  readonly platform: IEcsPlatform;

  /** The container the job runs; the task succeeds when it exits with code 0. */
  readonly container: ContainerSpec;

  /**
   * When the job starts, e.g. `scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' })`.
   * Give the time zone through the expression (`cron({ ..., timeZone })`).
   */
  readonly schedule: scheduler.ScheduleExpression;

  /**
   * How many times a failed run is started again, with exponential backoff (1, 2, 4, ...
   * minutes). A run fails when its container exits with a non-zero code, the task fails to
   * start, or the task stops for any other reason (e.g. a Fargate Spot interruption). A run
   * that times out is not retried. From 0 to 10.
   *
   * @default 2 - rides out a transient failure (a failed image pull, a Spot interruption, a
   * flaky dependency) without hiding a job that fails every time
   */
  readonly retries?: number;

  /**
   * How long one run of the task may take, from RunTask until the task stops. When it is
   * exceeded the run fails with `States.Timeout` and is reported, not retried. Whole seconds;
   * all attempts together must fit in Step Functions' one-year execution limit.
   *
   * @default Duration.hours(1) - ECS itself never stops a task that hangs
   */
  readonly timeout?: Duration;

  /**
   * Whether the task runs on Fargate Spot. Spot costs up to 70 % less, and an interrupted run
   * counts as failed and is retried. Fargate only. With ARM64 see the README: AWS documents
   * Fargate Spot for ARM64 both ways, so the combination is a synth warning.
   *
   * @default false - on-demand Fargate: a Spot interruption near the end of a long job costs
   * a whole rerun
   */
  readonly fargateSpot?: boolean;

  /**
   * Whether the task runs on Fargate Spot.
   *
   * @deprecated use `fargateSpot`, the name FargateWebService's `fargateSpotWeight` shares
   * @default false
   */
  readonly useSpot?: boolean;

  /**
   * Whether the task runs on the platform's EC2 capacity (through its capacity provider)
   * instead of Fargate. The platform must have `ec2Capacity`.
   *
   * @default false - Fargate needs no instances to be running at 2 a.m.
   */
  readonly launchOnEc2?: boolean;

  /**
   * Whether the schedule starts runs. A disabled schedule can still be run by hand through
   * `grantRun` and the state machine.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The SNS topic this job's alarm and failure messages go to: the state machine publishes
   * each failure and timeout with its error and cause, and the failure alarm notifies it.
   * Subscribe your on-call there. A topic of your own needs a topic policy that lets
   * `cloudwatch.amazonaws.com` publish (or no topic policy at all), and, if it is encrypted
   * with a KMS key, a key policy that lets `cloudwatch.amazonaws.com` use `kms:Decrypt` and
   * `kms:GenerateDataKey*`; the state machine role is granted publish (and the key) here.
   *
   * @default - a new topic, encrypted with the platform's key and accepting only TLS
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * The subnets the task runs in. It never gets a public IP, so they need a NAT gateway or VPC
   * endpoints for the image pull and AWS APIs.
   *
   * @default - the VPC's private subnets with egress (isolated subnets in a VPC without them)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
}

/** Error name of a run whose task stopped without a clean exit; retried like a failed task. */
const TASK_FAILED_ERROR = 'BatchTask.Failed';



/**
 * A scheduled batch job on ECS: an EventBridge Scheduler schedule starts a Step Functions state
 * machine that runs one ECS task with RunTask `.sync`, waits for it to stop, re-runs a failed
 * task with backoff, gives each run a timeout, and reports failures and timeouts to an SNS topic
 * and through a CloudWatch alarm.
 *
 * Unlike aws-ecs-patterns' ScheduledFargateTask (an EventBridge rule that calls RunTask and
 * forgets), a task that exits non-zero is retried, a hung task is stopped, and someone is told.
 */
export class BatchTaskSchedule extends Construct implements ec2.IConnectable {
  /** The EventBridge Scheduler schedule that starts the state machine. */
  public readonly schedule: scheduler.Schedule;

  /** The state machine that runs the task, retries it and reports failures. */
  public readonly stateMachine: sfn.StateMachine;

  /** The task definition of the job. */
  public readonly taskDefinition: ecs.TaskDefinition;

  /** The job's container. */
  public readonly container: ecs.ContainerDefinition;

  /** The role the job's container runs as. */
  public readonly taskRole: iam.IRole;

  /** The role ECS uses to pull the image, write logs and read secrets. */
  public readonly executionRole: iam.IRole;

  /** The container's log group (KMS-encrypted, retained). */
  public readonly logGroup: logs.LogGroup;

  /** The state machine's execution log group (KMS-encrypted, retained). */
  public readonly stateMachineLogGroup: logs.LogGroup;

  /** The topic failures and timeouts are published to. */
  public readonly alarmTopic: sns.ITopic;

  /** The security group of the task: no ingress, all egress. */
  public readonly securityGroup: ec2.SecurityGroup;

  /** The alarm on failed and timed-out executions; its action publishes to `alarmTopic`. */
  public readonly failureAlarm: cloudwatch.Alarm;

  /** The role EventBridge Scheduler assumes to start the state machine. */
  public readonly schedulerRole: iam.Role;

  /** Network connections of the task (no ingress is allowed by default). */
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: BatchTaskScheduleProps) {
    super(scope, id);
    const { platform } = props;
    checkSameEnvironment(this, 'platform', platform, 'EcsPlatform.fromAttributes(...) or EcsPlatform.fromPlatformName(...)');

    const retries = props.retries ?? 2;
    checkIntegerInRange(this, 'retries', retries, 0, 10);
    const timeout = props.timeout ?? Duration.hours(1);
    checkTaskTimeout(this, 'timeout', timeout, retries + 1);
    checkScheduleExpression(this, 'schedule', props.schedule);

    const launchOnEc2 = props.launchOnEc2 ?? false;
    const fargateSpot = props.fargateSpot ?? props.useSpot ?? false;
    const spotProp = props.fargateSpot !== undefined ? 'fargateSpot' : 'useSpot';
    if (launchOnEc2) {
      if (!platform.hasEc2Capacity || !platform.ec2CapacityProviderName) {
        fail(this, 'launchOnEc2', `is true, but the platform ${platform.node.path} has no EC2 capacity.`, 'Give the EcsPlatform ec2Capacity, or remove launchOnEc2 to run on Fargate.');
      }
      checkFargateOnlyProp(this, spotProp, fargateSpot, 'Fargate Spot is a Fargate capacity provider.');
      checkFargateOnlyProp(this, 'architecture', props.architecture !== undefined, "on EC2 the task runs on the architecture of the platform's instances.");
    }
    const size = resolveTaskSize(this, props, launchOnEc2 ? 'ec2' : 'fargate');
    checkWorkloadSubnets(this, platform.vpc, props.vpcSubnets);

    this.alarmTopic = props.alarmTopic ?? new sns.Topic(this, 'AlarmTopic', {
      displayName: `Failures of the batch job ${this.node.path}`.slice(0, 100),
      masterKey: platform.encryptionKey,
      enforceSSL: true,
    });

    const core = createWorkloadCore(this, {
      platform,
      taskDefinition: { kind: 'fargate-or-ec2', onEc2: launchOnEc2, size },
      container: props.container,
      securityGroupDescription: `Batch job ${this.node.path}: no ingress`,
      // The task's only container: its hard limit is the task's memory (Control Tower CT.ECS.PR.7).
      containerOptions: { memoryLimitMiB: size.memoryMiB },
    });
    this.taskDefinition = core.taskDefinition;
    this.container = core.container;
    this.logGroup = core.logGroup;
    this.taskRole = core.taskRole;
    this.executionRole = core.executionRole;
    this.securityGroup = core.securityGroup!;
    this.connections = core.connections;

    const runTask = new JobRunTask(this, 'RunTask', {
      stateName: 'RunTask',
      comment: 'Runs the task and waits until it stops',
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      cluster: platform.cluster,
      taskDefinition: this.taskDefinition,
      launchTarget: this.launchTarget(platform, launchOnEc2, fargateSpot),
      subnets: props.vpcSubnets ?? defaultTaskSubnets(platform.vpc),
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      taskTimeout: sfn.Timeout.duration(timeout),
    });

    // The Step Functions docs do not say what RunTask .sync does with a non-zero exit code (it is
    // observed to fail with States.TaskFailed). This check makes it certain: a run succeeds only
    // when the container reported exit code 0 and the task stopped because that container exited
    // (not, e.g., a Spot interruption it shut down cleanly from). Rules are checked in order, so
    // each path they read is known to exist by then; a missing path would be a States.Runtime error.
    const taskFailed = new sfn.Fail(this, 'TaskFailed', {
      stateName: 'TaskFailed',
      error: TASK_FAILED_ERROR,
      cause: 'The task stopped without its container exiting with code 0.',
    });
    const taskSucceeded = new sfn.Succeed(this, 'TaskSucceeded', { stateName: 'TaskSucceeded' });
    const checkResult = new sfn.Choice(this, 'CheckExitCode', {
      stateName: 'CheckExitCode',
      comment: 'A run succeeds only when the container exited with code 0',
    })
      .when(sfn.Condition.isNotPresent('$.Containers[0].ExitCode'), taskFailed)
      .when(sfn.Condition.not(sfn.Condition.numberEquals('$.Containers[0].ExitCode', 0)), taskFailed)
      .when(sfn.Condition.isNotPresent('$.StopCode'), taskSucceeded)
      .when(sfn.Condition.stringEquals('$.StopCode', 'EssentialContainerExited'), taskSucceeded)
      .otherwise(taskFailed);

    // The run is a Parallel state of one branch so that Retry re-runs the whole branch, task and
    // exit code check together: a non-zero exit starts a new task, not just a new API call.
    const runWithRetries = new sfn.Parallel(this, 'RunJob', {
      stateName: 'RunJob',
      comment: `Runs the task, retrying a failed run up to ${retries} time(s)`,
      resultPath: sfn.JsonPath.DISCARD,
    }).branch(runTask.next(checkResult));
    // A timed-out run is not retried: a hung job tends to hang again, for timeout x retries.
    runWithRetries.addRetry({ errors: [sfn.Errors.TIMEOUT], maxAttempts: 0 });
    runWithRetries.addRetry({
      // States.TaskFailed matches every task error but States.Timeout (ECS.AmazonECSException
      // when the task failed to start, AmazonECS.Unknown for RunTask failures); the others are
      // listed because a Parallel state reports them by name.
      errors: [sfn.Errors.TASKS_FAILED, 'ECS.AmazonECSException', 'AmazonECS.Unknown', TASK_FAILED_ERROR, sfn.Errors.BRANCH_FAILED],
      maxAttempts: retries,
      interval: Duration.minutes(1),
      backoffRate: 2,
    });

    const notifyFailure = new tasks.SnsPublish(this, 'NotifyFailure', {
      stateName: 'NotifyFailure',
      comment: 'Tells the alarm topic why the job failed',
      topic: this.alarmTopic,
      subject: 'cdk-ecs-kit batch job failed',
      message: sfn.TaskInput.fromObject({
        job: this.node.path,
        stateMachine: sfn.JsonPath.stringAt('$$.StateMachine.Name'),
        execution: sfn.JsonPath.executionId,
        error: sfn.JsonPath.objectAt('$.error'),
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const jobFailed = new sfn.Fail(this, 'JobFailed', {
      stateName: 'JobFailed',
      errorPath: '$.error.Error',
      cause: 'The batch job failed or timed out; see the alarm topic message and the execution history.',
    });
    const reportFailure = notifyFailure.next(jobFailed);
    // No AWS documentation says a .sync ECS state stops its task when the state times out ("Run
    // Amazon ECS or Fargate tasks with Step Functions", "Discover service integration patterns"
    // only say it waits), and ECS never stops a task by itself: a timed-out run stops its own task.
    runWithRetries.addCatch(this.stopTimedOutTask(platform, reportFailure), { errors: [sfn.Errors.TIMEOUT], resultPath: '$.error' });
    runWithRetries.addCatch(reportFailure, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    this.stateMachineLogGroup = new logs.LogGroup(this, 'StateMachineLogGroup', {
      encryptionKey: platform.encryptionKey,
      retention: platform.logRetention,
      // Retained: the execution history is the record of what the job did and why it failed.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgePlatformKeyElsewhere(this.stateMachineLogGroup, platform);
    acknowledgeLogRetentionOptOut(this.stateMachineLogGroup, platform.logRetention, `logRetention on ${platform.node.path}`);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: `Runs the batch job ${this.node.path}`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      // No custom name: CloudFormation generates one, so a change that replaces the state machine
      // never fails on a name that already exists.
      definitionBody: sfn.DefinitionBody.fromChainable(runWithRetries.next(new sfn.Succeed(this, 'JobSucceeded', { stateName: 'JobSucceeded' }))),
      logs: { destination: this.stateMachineLogGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    this.alarmTopic.grantPublish(this.stateMachine);
    // A timed-out run reads its own execution history to find its task. In a policy of its own:
    // the state machine waits for its role's default policy, and a reference to its generated
    // name there would be a cycle. The schedule waits for this one instead.
    const ownExecutions = `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${this.stateMachine.stateMachineName}:*`;
    const readOwnHistory = new iam.Policy(this, 'StateMachineHistoryPolicy', {
      roles: [this.stateMachine.role],
      statements: [new iam.PolicyStatement({ actions: ['states:GetExecutionHistory'], resources: [ownExecutions] })],
    });
    this.acknowledgeStateMachineRole(this.stateMachine.role);
    this.acknowledgeHistoryPolicy(readOwnHistory);

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: `Lets EventBridge Scheduler start the batch job ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        // Only schedules of this account's default schedule group may assume it (confused deputy).
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Stack.of(this).account,
            'aws:SourceArn': Stack.of(this).formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
          },
        },
      }),
    });
    acknowledgeGrantPolicy(this.schedulerRole);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Starts the batch job ${this.node.path}`,
      schedule: props.schedule,
      enabled: props.enabled ?? true,
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, { role: this.schedulerRole }),
    });
    this.schedule.node.addDependency(readOwnHistory);

    this.failureAlarm = new cloudwatch.Alarm(this, 'FailureAlarm', {
      alarmDescription: `The batch job ${this.node.path} failed or timed out (after its retries).`,
      metric: new cloudwatch.MathExpression({
        // FILL: a period with a failure but no timeout (or the reverse) still adds up.
        expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ statistic: cloudwatch.Stats.SUM }),
          timedOut: this.stateMachine.metricTimedOut({ statistic: cloudwatch.Stats.SUM }),
        },
        label: 'Failed and timed-out executions',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.failureAlarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    if (!props.alarmTopic) {
      // A topic policy replaces SNS's default policy, and enforceSSL gave this topic one: without
      // this statement CloudWatch may not publish the alarm ("Amazon SNS topic policy for
      // CloudWatch alarms"). Scoped to this account and this job's alarm (confused deputy).
      this.alarmTopic.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisJob',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnLike: { 'aws:SourceArn': this.failureAlarm.alarmArn },
        },
      }));
    }
  }

  /**
   * Grants `grantee` permission to start a run by hand (states:StartExecution on this job's
   * state machine).
   */
  public grantRun(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  private launchTarget(platform: IEcsPlatform, launchOnEc2: boolean, useSpot: boolean): tasks.IEcsLaunchTarget {
    if (launchOnEc2) {
      return new tasks.EcsEc2LaunchTarget({
        // Through the capacity provider, so managed scaling adds an instance when none has room.
        capacityProviderOptions: tasks.CapacityProviderOptions.custom([
          { capacityProvider: platform.ec2CapacityProviderName!, weight: 1 },
        ]),
      });
    }
    return new tasks.EcsFargateLaunchTarget({
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      capacityProviderOptions: useSpot
        ? tasks.CapacityProviderOptions.custom([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }])
        : undefined,
    });
  }

  /**
   * The states a timed-out run goes through before it is reported: read the execution's own
   * history for the newest RunTask submission (its output holds the task ARN, and retries never
   * overlap, so it is the task that timed out), and stop that task. Stopping an already stopped
   * task succeeds, so this is safe whatever Step Functions did itself.
   */
  private stopTimedOutTask(platform: IEcsPlatform, reportFailure: sfn.IChainable): sfn.IChainable {
    const partition = Stack.of(this).partition;
    const findTask = new sfn.CustomState(this, 'FindTimedOutTask', {
      stateJson: {
        Type: 'Task',
        Comment: 'Reads the newest RunTask submission of this execution',
        Resource: `arn:${partition}:states:::aws-sdk:sfn:getExecutionHistory`,
        Parameters: { 'ExecutionArn.$': '$$.Execution.Id', ReverseOrder: true, IncludeExecutionData: true, MaxResults: 100 },
        ResultSelector: { 'submissions.$': "$.Events[?(@.Type == 'TaskSubmitted')].TaskSubmittedEventDetails.Output" },
        ResultPath: '$.timedOut',
      },
    });
    const readTask = new sfn.Pass(this, 'ReadTimedOutTask', {
      stateName: 'ReadTimedOutTask',
      comment: 'Parses the RunTask response of the newest submission',
      parameters: { 'runTask.$': 'States.StringToJson($.timedOut.submissions[0])' },
      resultPath: '$.timedOut',
    });
    const stopTask = new sfn.CustomState(this, 'StopTimedOutTask', {
      stateJson: {
        Type: 'Task',
        Comment: 'Stops the task of the timed-out run',
        Resource: `arn:${partition}:states:::aws-sdk:ecs:stopTask`,
        Parameters: {
          Cluster: platform.cluster.clusterArn,
          'Task.$': '$.timedOut.runTask.Tasks[0].TaskArn',
          Reason: 'The batch job run timed out',
        },
        ResultPath: sfn.JsonPath.DISCARD,
      },
    });
    // Stopping is best effort: whatever happens, the timeout is still reported.
    for (const state of [findTask, stopTask]) {
      state.addRetry({ errors: [sfn.Errors.ALL], maxAttempts: 3, interval: Duration.seconds(5), backoffRate: 2 });
      state.addCatch(reportFailure, { errors: [sfn.Errors.ALL], resultPath: '$.stopError' });
    }
    // (A Pass state cannot catch; should the parse ever fail, the execution fails, and the failure
    // alarm still reports it.)
    const taskFound = new sfn.Choice(this, 'TimedOutTaskFound', { stateName: 'TimedOutTaskFound' })
      .when(sfn.Condition.isPresent('$.timedOut.submissions[0]'), readTask.next(stopTask).next(reportFailure))
      .otherwise(reportFailure);
    return findTask.next(taskFound);
  }

  private acknowledgeStateMachineRole(role: iam.IRole): void {
    acknowledgeGrantPolicy(role);
    Validations.of(role).acknowledge({
      id: `${NagPack.AWS_SOLUTIONS}-IAM5[Resource::*]`,
      reason: 'Resource "*" is limited to ECS task actions conditioned on the platform cluster (ecs:StopTask and ecs:DescribeTasks for RunTask .sync and for stopping a timed-out run, whose task ids are only known at run time), '
        + 'X-Ray trace segments, and the CloudWatch Logs log-delivery actions Step Functions logging needs, which support no resource-level permissions.',
    }, {
      id: `${NagPack.AWS_SOLUTIONS}-IAM5[Action::kms:GenerateDataKey*]`,
      reason: 'kms:GenerateDataKey* comes from granting publish on the KMS-encrypted alarm topic; it is scoped to the one key that encrypts the topic.',
    });
  }

  private acknowledgeHistoryPolicy(policy: iam.Policy): void {
    // The id as cdk-nag renders the resource: pseudo parameters (never literal, whatever the
    // stack's env) and the state machine's Name attribute.
    const stateMachineId = Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as sfn.CfnStateMachine);
    Validations.of(policy).acknowledge({
      id: `${NagPack.AWS_SOLUTIONS}-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${stateMachineId}.Name>:*]`,
      reason: 'states:GetExecutionHistory on the executions of this state machine only (execution names are only known at run time): a timed-out run reads its own history to find the ECS task to stop.',
    });
    acknowledgeRule(
      policy,
      'IAMNoInlinePolicy',
      'One least-privilege statement (read the execution history of this state machine), attached to its one role; apart from the role\'s default policy only because the state machine waits for that one and this one names the state machine.',
      COMPLIANCE_PACKS,
    );
  }
}
