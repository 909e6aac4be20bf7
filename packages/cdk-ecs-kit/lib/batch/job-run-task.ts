import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/**
 * ECS RunTask `.sync` for a BatchTaskSchedule run. It differs from aws-cdk-lib's EcsRunTask in
 * its IAM statements, which do not depend on feature flags: RunTask is allowed on this task
 *   definition's ARN in this cluster only (without `@aws-cdk/aws-stepfunctions-tasks:fixRunEcsTaskPolicy`
 *   aws-cdk-lib grants `family:*`), and StopTask/DescribeTasks on tasks of this cluster (aws-cdk-lib: any task in any cluster).
 *
 * Not exported from the package.
 */
export class JobRunTask extends tasks.EcsRunTask {
  protected readonly taskPolicies: iam.PolicyStatement[];

  constructor(scope: Construct, id: string, props: tasks.EcsRunTaskProps) {
    super(scope, id, props);
    const stack = Stack.of(this);
    const onCluster = { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } };
    const roles = [props.taskDefinition.taskRole, props.taskDefinition.executionRole].filter((r): r is iam.IRole => r !== undefined);
    this.taskPolicies = [
      new iam.PolicyStatement({ actions: ['ecs:RunTask'], resources: [props.taskDefinition.taskDefinitionArn], conditions: onCluster }),
      // Task ids are only known at run time: any task, but only in this cluster.
      new iam.PolicyStatement({ actions: ['ecs:StopTask', 'ecs:DescribeTasks'], resources: ['*'], conditions: onCluster }),
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: roles.map((role) => role.roleArn),
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
      // RunTask .sync learns that the task stopped from this EventBridge rule, which Step Functions manages.
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForECSTaskRule' })],
      }),
    ];
  }

}
