/**
 * Least privilege, checked by policy evaluation (ARCHITECTURE.md principle 3): for the examples, the
 * reference app and an app with an explicit env, the documented requests each principal makes are
 * evaluated over the SYNTHESIZED identity, resource and key policies (test/support/policy.ts), and
 * negative controls show the evaluator says no.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { buildReferenceApp } from '../bin/app';
import { BatchTaskSchedule, EcsPlatform, FargateWebService, WebDeployment, WebIngress } from '../packages/cdk-ecs-kit/lib';
import { EXAMPLE_APPS, exampleStackClass } from './support/examples';
import { Decision, evaluate, OTHER_ACCOUNT, PolicyRequest, PolicyWorld, WorldResource } from './support/policy';
import { newApp, newAppInContext } from './support/synth';

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';
const EXPLICIT_ENV = { account: '123456789012', region: 'eu-west-1' };

/** One request and what it must come to, with the AWS page that says the principal makes it. */
interface Expectation extends PolicyRequest {
  readonly expect: Decision | 'Denied';
  readonly why: string;
}

/** Evaluates each expectation and returns the ones that did not hold, one line each. */
async function failing(world: PolicyWorld, expectations: Expectation[]): Promise<string[]> {
  const problems: string[] = [];
  for (const e of expectations) {
    const decision = await evaluate(e, world);
    const held = e.expect === 'Denied' ? decision !== 'Allowed' : decision === e.expect;
    if (!held) problems.push(`${e.why}: ${e.principal} ${e.action} on ${e.resource} ${JSON.stringify(e.context ?? {})} was ${decision}, expected ${e.expect}`);
  }
  return problems;
}

/** The role a `RoleArn`-like property points to, when it is a role of the app. */
function roleOf(world: PolicyWorld, stack: string, ref: unknown): WorldResource | undefined {
  const target = world.target(stack, ref);
  return target?.resource.Type === 'AWS::IAM::Role' ? target : undefined;
}

function asRole(world: PolicyWorld, role: WorldResource) {
  return { principal: world.roleArn(role), identityPolicies: world.identityPoliciesOf(role) };
}

// ---------------------------------------------------------------------------------------------
// The requests, derived from the synthesized templates
// ---------------------------------------------------------------------------------------------

/**
 * ECS "Amazon ECS task execution IAM role": the execution role pulls ECR images (none for public
 * registries), writes to the container's awslogs group, and reads Secrets Manager secrets,
 * decrypting them with their KMS key through Secrets Manager.
 */
function executionRoleRequests(world: PolicyWorld): Expectation[] {
  const out: Expectation[] = [];
  for (const { stack, resource } of world.resourcesOfType('AWS::ECS::TaskDefinition')) {
    const { account, region, partition } = world.envOf(stack);
    const role = roleOf(world, stack, resource.Properties.ExecutionRoleArn);
    if (!role) continue;
    const who = asRole(world, role);
    for (const container of world.resolve(stack, resource.Properties.ContainerDefinitions) as any[]) {
      const group = container.LogConfiguration?.LogDriver === 'awslogs' ? container.LogConfiguration.Options['awslogs-group'] : undefined;
      if (group) {
        const stream = `arn:${partition}:logs:${region}:${account}:log-group:${group}:log-stream:${container.Name}/task-1`;
        const why = `ECS "Amazon ECS task execution IAM role" (awslogs) for ${container.Name}`;
        out.push({ ...who, action: 'logs:CreateLogStream', resource: stream, expect: 'Allowed', why });
        out.push({ ...who, action: 'logs:PutLogEvents', resource: stream, expect: 'Allowed', why });
        out.push({ ...who, action: 'logs:PutLogEvents', resource: `arn:${partition}:logs:${region}:${account}:log-group:another-group:log-stream:s`, expect: 'Denied', why: 'negative control: another log group' });
      }
      const ecr = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)/.exec(String(container.Image));
      if (ecr) {
        const repository = `arn:${partition}:ecr:${ecr[2]}:${ecr[1]}:repository/${ecr[3]}`;
        const why = `ECS "Amazon ECS task execution IAM role" (private registry image) for ${container.Name}`;
        out.push({ ...who, action: 'ecr:GetAuthorizationToken', resource: '*', expect: 'Allowed', why });
        for (const action of ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']) {
          out.push({ ...who, action, resource: repository, resourceAccount: ecr[1], expect: 'Allowed', why });
        }
      }
      for (const secret of container.Secrets ?? []) {
        const valueFrom = String(secret.ValueFrom);
        if (!valueFrom.startsWith(`arn:${partition}:secretsmanager:`)) continue;
        const secretArn = valueFrom.split(':').slice(0, 7).join(':');
        const why = `ECS "Pass Secrets Manager secrets through Amazon ECS environment variables" for ${secret.Name}`;
        out.push({ ...who, action: 'secretsmanager:GetSecretValue', resource: secretArn, expect: 'Allowed', why });
        const secretResource = world.resourcesOfType('AWS::SecretsManager::Secret').find((s) => world.resolve(s.stack, { Ref: s.logicalId }) === secretArn);
        const keyArn = secretResource && world.keyArnOf(secretResource.stack, secretResource.resource.Properties.KmsKeyId);
        if (keyArn) {
          out.push({
            ...who,
            action: 'kms:Decrypt',
            resource: keyArn,
            resourcePolicy: world.keyPolicyOf(keyArn),
            context: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com`, 'kms:EncryptionContext:SecretARN': secretArn },
            expect: 'Allowed',
            why: `Secrets Manager "Secret encryption and decryption in AWS Secrets Manager" for ${secret.Name}`,
          });
        }
      }
    }
  }
  return out;
}

/**
 * CloudWatch Logs "Encrypt log data in CloudWatch Logs using AWS KMS": the regional logs service
 * principal uses the key with the log group's ARN as encryption context.
 */
function logGroupKeyRequests(world: PolicyWorld): Expectation[] {
  const out: Expectation[] = [];
  for (const { stack, logicalId, resource } of world.resourcesOfType('AWS::Logs::LogGroup')) {
    const keyArn = world.keyArnOf(stack, resource.Properties?.KmsKeyId);
    const keyPolicy = keyArn && world.keyPolicyOf(keyArn);
    if (!keyPolicy) continue;
    const { account, region, partition } = world.envOf(stack);
    const name = world.resolve(stack, { Ref: logicalId });
    const why = `CloudWatch Logs "Encrypt log data in CloudWatch Logs using AWS KMS" for ${stack}/${logicalId}`;
    const context = (groupAccount: string) => ({ 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${groupAccount}:log-group:${name}` });
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt']) {
      out.push({ principal: `logs.${region}.amazonaws.com`, action, resource: keyArn, resourcePolicy: keyPolicy, context: context(account), expect: 'Allowed', why });
    }
    out.push({ principal: `logs.${region}.amazonaws.com`, action: 'kms:GenerateDataKey', resource: keyArn, resourcePolicy: keyPolicy, context: context(OTHER_ACCOUNT), expect: 'Denied', why: 'negative control: a log group of another account' });
  }
  return out;
}

/** The topic resource with ARN `arn`, when it is in the app. */
function topicByArn(world: PolicyWorld, arn: string): WorldResource | undefined {
  return world.resourcesOfType('AWS::SNS::Topic').find((t) => world.resolve(t.stack, { Ref: t.logicalId }) === arn);
}

/** A service publishing to a topic of the app: the topic policy, then the key policy of its key. */
function publishRequests(world: PolicyWorld, service: string, topicArn: string, sourceArn: string, why: string): Expectation[] {
  const topic = topicByArn(world, topicArn);
  if (!topic) return [];
  const { account } = world.envOf(topic.stack);
  const out: Expectation[] = [];
  const topicPolicy = world.topicPolicyOf(topicArn);
  const context = (sourceAccount: string, secure = 'true') => ({ 'aws:SourceAccount': sourceAccount, 'aws:SourceArn': sourceArn, 'aws:SecureTransport': secure });
  if (topicPolicy) {
    out.push({ principal: service, action: 'sns:Publish', resource: topicArn, resourcePolicy: topicPolicy, context: context(account), expect: 'Allowed', why });
    out.push({ principal: service, action: 'sns:Publish', resource: topicArn, resourcePolicy: topicPolicy, context: context(OTHER_ACCOUNT), expect: 'Denied', why: 'negative control: a source in another account' });
    const enforcesSsl = JSON.stringify(topicPolicy).includes('"aws:SecureTransport":"false"');
    if (enforcesSsl) {
      out.push({ principal: service, action: 'sns:Publish', resource: topicArn, resourcePolicy: topicPolicy, context: context(account, 'false'), expect: 'ExplicitlyDenied', why: 'negative control: plain HTTP to an enforceSSL topic' });
    }
  }
  const keyArn = world.keyArnOf(topic.stack, topic.resource.Properties?.KmsMasterKeyId);
  const keyPolicy = keyArn && world.keyPolicyOf(keyArn);
  if (keyArn && keyPolicy) {
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      out.push({ principal: service, action, resource: keyArn, resourcePolicy: keyPolicy, context: { 'aws:SourceAccount': account, 'aws:SourceArn': sourceArn }, expect: 'Allowed', why: `${why} (the topic's KMS key)` });
    }
  }
  return out;
}

/**
 * SNS "Amazon SNS topic policy for CloudWatch alarms" / CloudWatch "Using Amazon CloudWatch alarms"
 * (encrypted topics), and EventBridge "Amazon SNS permissions" for rule targets.
 */
function topicPublishRequests(world: PolicyWorld): Expectation[] {
  const out: Expectation[] = [];
  for (const { stack, logicalId, resource } of world.resourcesOfType('AWS::CloudWatch::Alarm')) {
    const alarmArn = world.resolve(stack, { 'Fn::GetAtt': [logicalId, 'Arn'] });
    const actions: string[] = world.resolve(stack, [...(resource.Properties.AlarmActions ?? []), ...(resource.Properties.OKActions ?? [])]);
    for (const topicArn of new Set(actions)) {
      out.push(...publishRequests(world, 'cloudwatch.amazonaws.com', topicArn, alarmArn, `SNS "Amazon SNS topic policy for CloudWatch alarms" for ${stack}/${logicalId}`));
    }
  }
  for (const { stack, logicalId, resource } of world.resourcesOfType('AWS::Events::Rule')) {
    const ruleArn = world.resolve(stack, { 'Fn::GetAtt': [logicalId, 'Arn'] });
    for (const target of world.resolve(stack, resource.Properties.Targets ?? []) as any[]) {
      out.push(...publishRequests(world, 'events.amazonaws.com', target.Arn, ruleArn, `EventBridge "Amazon SNS permissions" for ${stack}/${logicalId}`));
    }
  }
  return out;
}

/** The states of a state machine definition, Parallel branches included. */
function statesOf(definition: any): any[] {
  const states: any[] = [];
  for (const state of Object.values<any>(definition.States ?? {})) {
    states.push(state);
    for (const branch of state.Branches ?? []) states.push(...statesOf(branch));
  }
  return states;
}

/**
 * EventBridge Scheduler "Set up the execution role" (states:StartExecution on the target), and
 * Step Functions "IAM policies for Amazon ECS/Fargate tasks" (RunTask .sync: ecs:RunTask,
 * ecs:StopTask, ecs:DescribeTasks, iam:PassRole, and the managed rule
 * StepFunctionsGetEventsForECSTaskRule) plus its alarm topic.
 */
function batchRequests(world: PolicyWorld): Expectation[] {
  const out: Expectation[] = [];
  for (const { stack, resource } of world.resourcesOfType('AWS::Scheduler::Schedule')) {
    const { account, region, partition } = world.envOf(stack);
    const role = roleOf(world, stack, resource.Properties.Target.RoleArn);
    if (!role) continue;
    const target = world.resolve(stack, resource.Properties.Target.Arn);
    const why = 'EventBridge Scheduler "Set up the execution role"';
    out.push({ ...asRole(world, role), action: 'states:StartExecution', resource: target, expect: 'Allowed', why });
    out.push({ ...asRole(world, role), action: 'states:StartExecution', resource: `arn:${partition}:states:${region}:${account}:stateMachine:another`, expect: 'Denied', why: 'negative control: another state machine' });
    const trust = world.trustPolicyOf(role);
    const context = (sourceAccount: string) => ({ 'aws:SourceAccount': sourceAccount, 'aws:SourceArn': `arn:${partition}:scheduler:${region}:${sourceAccount}:schedule-group/default` });
    out.push({ principal: 'scheduler.amazonaws.com', action: 'sts:AssumeRole', resource: world.roleArn(role), resourcePolicy: trust, context: context(account), expect: 'Allowed', why: `${why} (trust policy)` });
    out.push({ principal: 'scheduler.amazonaws.com', action: 'sts:AssumeRole', resource: world.roleArn(role), resourcePolicy: trust, context: context(OTHER_ACCOUNT), expect: 'Denied', why: 'negative control: a schedule of another account' });
  }
  for (const { stack, resource } of world.resourcesOfType('AWS::StepFunctions::StateMachine')) {
    const { account, region, partition } = world.envOf(stack);
    const role = roleOf(world, stack, resource.Properties.RoleArn);
    if (!role) continue;
    const who = asRole(world, role);
    const definition = JSON.parse(world.resolve(stack, resource.Properties.DefinitionString));
    for (const state of statesOf(definition)) {
      if (typeof state.Resource !== 'string' || !/:states:::ecs:runTask/.test(state.Resource)) continue;
      const why = 'Step Functions "IAM policies for Amazon ECS/Fargate tasks"';
      const clusterArn = state.Parameters.Cluster;
      const clusterName = clusterArn.split('/').pop();
      const otherCluster = `arn:${partition}:ecs:${region}:${account}:cluster/another-cluster`;
      // The family, a family ARN or a revision ARN: RunTask is authorized on the revision's ARN.
      const family = String(state.Parameters.TaskDefinition).split('/').pop()!.replace(/:\d+$/, '');
      const taskDefinitionArn = `arn:${partition}:ecs:${region}:${account}:task-definition/${family}:1`;
      out.push({ ...who, action: 'ecs:RunTask', resource: taskDefinitionArn, context: { 'ecs:cluster': clusterArn }, expect: 'Allowed', why });
      out.push({ ...who, action: 'ecs:RunTask', resource: `arn:${partition}:ecs:${region}:${account}:task-definition/another:1`, context: { 'ecs:cluster': clusterArn }, expect: 'Denied', why: 'negative control: another task definition' });
      const task = `arn:${partition}:ecs:${region}:${account}:task/${clusterName}/0123456789abcdef0123456789abcdef`;
      for (const action of ['ecs:StopTask', 'ecs:DescribeTasks']) {
        out.push({ ...who, action, resource: task, context: { 'ecs:cluster': clusterArn }, expect: 'Allowed', why });
      }
      out.push({ ...who, action: 'ecs:StopTask', resource: `arn:${partition}:ecs:${region}:${account}:task/another-cluster/0123456789abcdef0123456789abcdef`, context: { 'ecs:cluster': otherCluster }, expect: 'Denied', why: 'negative control: another cluster' });
      const rule = `arn:${partition}:events:${region}:${account}:rule/StepFunctionsGetEventsForECSTaskRule`;
      for (const action of ['events:PutTargets', 'events:PutRule', 'events:DescribeRule']) out.push({ ...who, action, resource: rule, expect: 'Allowed', why });
      const taskDefinition = world.resourcesOfType('AWS::ECS::TaskDefinition').find((t) => world.resolve(t.stack, { Ref: t.logicalId }) === taskDefinitionArn);
      for (const prop of ['TaskRoleArn', 'ExecutionRoleArn']) {
        const passed = taskDefinition && world.resolve(taskDefinition.stack, taskDefinition.resource.Properties[prop]);
        if (passed) out.push({ ...who, action: 'iam:PassRole', resource: passed, context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }, expect: 'Allowed', why });
      }
    }
    for (const state of statesOf(definition)) {
      if (typeof state.Resource !== 'string' || !/:states:::sns:publish/.test(state.Resource)) continue;
      const topicArn = state.Parameters.TopicArn;
      const why = 'Step Functions "Publish messages to an Amazon SNS topic"';
      out.push({ ...who, action: 'sns:Publish', resource: topicArn, resourcePolicy: world.topicPolicyOf(topicArn), context: { 'aws:SecureTransport': 'true' }, expect: 'Allowed', why });
      const topic = topicByArn(world, topicArn);
      const keyArn = topic && world.keyArnOf(topic.stack, topic.resource.Properties?.KmsMasterKeyId);
      if (keyArn) {
        for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
          out.push({ ...who, action, resource: keyArn, resourcePolicy: world.keyPolicyOf(keyArn), context: { 'kms:ViaService': `sns.${region}.amazonaws.com` }, expect: 'Allowed', why: `${why} (the topic's KMS key)` });
        }
      }
    }
  }
  return out;
}

/**
 * ECS "Amazon ECS infrastructure IAM role for load balancers": ECS shifts the production (and
 * test) rule's weights (elasticloadbalancing:ModifyRule; ModifyListener only changes a listener's
 * default action, which a rule-based deployment never touches) and registers tasks in both
 * target groups.
 */
function deploymentRoleRequests(world: PolicyWorld): Expectation[] {
  const out: Expectation[] = [];
  for (const { stack, resource } of world.resourcesOfType('AWS::ECS::Service')) {
    const { account } = world.envOf(stack);
    for (const lb of resource.Properties.LoadBalancers ?? []) {
      const advanced = lb.AdvancedConfiguration;
      const role = advanced && roleOf(world, stack, advanced.RoleArn);
      if (!role) continue;
      const who = asRole(world, role);
      const why = 'ECS "Amazon ECS infrastructure IAM role for load balancers"';
      for (const rule of [advanced.ProductionListenerRule, advanced.TestListenerRule].filter((r) => r !== undefined)) {
        out.push({ ...who, action: 'elasticloadbalancing:ModifyRule', resource: world.resolve(stack, rule), expect: 'Allowed', why });
      }
      for (const group of [lb.TargetGroupArn, advanced.AlternateTargetGroupArn]) {
        for (const action of ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets']) {
          out.push({ ...who, action, resource: world.resolve(stack, group), expect: 'Allowed', why });
        }
      }
      for (const action of ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth']) {
        out.push({ ...who, action, resource: '*', expect: 'Allowed', why });
      }
      // The shared listener: its default action and certificates serve every service of the ingress.
      const productionRule = world.target(stack, advanced.ProductionListenerRule);
      const listenerArn = productionRule && world.resolve(productionRule.stack, productionRule.resource.Properties.ListenerArn);
      if (listenerArn) out.push({ ...who, action: 'elasticloadbalancing:ModifyListener', resource: listenerArn, expect: 'Denied', why: 'negative control: the shared listener is not needed for rule-based shifting' });
      const trust = world.trustPolicyOf(role);
      out.push({ principal: 'ecs.amazonaws.com', action: 'sts:AssumeRole', resource: world.roleArn(role), resourcePolicy: trust, context: { 'aws:SourceAccount': account }, expect: 'Allowed', why: `${why} (trust policy)` });
      out.push({ principal: 'ecs.amazonaws.com', action: 'sts:AssumeRole', resource: world.roleArn(role), resourcePolicy: trust, context: { 'aws:SourceAccount': OTHER_ACCOUNT }, expect: 'Denied', why: 'negative control: ECS acting for another account' });
    }
  }
  return out;
}

/**
 * The EC2 capacity teardown: each function may make the calls its code makes (Auto Scaling
 * "DeleteAutoScalingGroup", ECS "ListContainerInstances" / "DeregisterContainerInstance", and,
 * when the function calls it or its role has a statement for it, CloudFormation "DescribeStacks").
 */
function teardownRequests(world: PolicyWorld): Expectation[] {
  const out: Expectation[] = [];
  for (const { stack, resource } of world.resourcesOfType('AWS::Lambda::Function')) {
    const source = String(resource.Properties.Code?.ZipFile ?? '');
    if (!source.includes('cdk-ecs-kit:lambda-runtime-code')) continue;
    // The code of the function's own handler export (several functions may share one source).
    const handler = String(resource.Properties.Handler).split('.').pop();
    const code = source.split(/(?=exports\.)/).find((part) => part.startsWith(`exports.${handler} `) || part.startsWith(`exports.${handler}=`)) ?? source;
    const role = roleOf(world, stack, resource.Properties.Role);
    if (!role) continue;
    const who = asRole(world, role);
    const { account, region, partition } = world.envOf(stack);
    const clusters = world.resourcesOfType('AWS::ECS::Cluster').filter((c) => c.stack === stack).map((c) => world.resolve(stack, { 'Fn::GetAtt': [c.logicalId, 'Arn'] }));
    const groups = world.resourcesOfType('AWS::AutoScaling::AutoScalingGroup').filter((g) => g.stack === stack).map((g) => world.resolve(stack, { Ref: g.logicalId }));
    if (code.includes('DeleteAutoScalingGroupCommand')) {
      for (const group of groups) {
        out.push({ ...who, action: 'autoscaling:DeleteAutoScalingGroup', resource: `arn:${partition}:autoscaling:${region}:${account}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/${group}`, expect: 'Allowed', why: 'Auto Scaling "DeleteAutoScalingGroup" (teardown)' });
      }
      out.push({ ...who, action: 'autoscaling:DeleteAutoScalingGroup', resource: `arn:${partition}:autoscaling:${region}:${account}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/another-group`, expect: 'Denied', why: 'negative control: another Auto Scaling group' });
    }
    for (const [command, action] of [['ListContainerInstancesCommand', 'ecs:ListContainerInstances'], ['DeregisterContainerInstanceCommand', 'ecs:DeregisterContainerInstance']]) {
      if (!code.includes(command)) continue;
      for (const cluster of clusters) out.push({ ...who, action, resource: cluster, expect: 'Allowed', why: `ECS "${action.split(':')[1]}" (teardown)` });
      out.push({ ...who, action, resource: `arn:${partition}:ecs:${region}:${account}:cluster/another-cluster`, expect: 'Denied', why: 'negative control: another cluster' });
    }
    const describesStacks = code.includes('DescribeStacksCommand') || JSON.stringify(who.identityPolicies).includes('cloudformation:DescribeStacks');
    if (describesStacks) {
      out.push({ ...who, action: 'cloudformation:DescribeStacks', resource: `arn:${partition}:cloudformation:${region}:${account}:stack/${stack}/00000000-0000-0000-0000-000000000000`, expect: 'Allowed', why: 'CloudFormation "DescribeStacks" (teardown, its own stack)' });
    }
  }
  return out;
}

/**
 * ECS "Amazon ECS container instance IAM role": the agent registers with its cluster, polls and
 * submits state changes. It writes no logs (every task has an execution role for awslogs), so a
 * host-network daemon reaching the instance credentials cannot write to any log group.
 */
function instanceRoleRequests(world: PolicyWorld): Expectation[] {
  const out: Expectation[] = [];
  for (const { stack, resource } of world.resourcesOfType('AWS::EC2::LaunchTemplate')) {
    const profileArn = resource.Properties.LaunchTemplateData?.IamInstanceProfile?.Arn;
    const profile = profileArn && world.target(stack, profileArn);
    const role = profile && roleOf(world, stack, profile.resource.Properties.Roles[0]);
    if (!role) continue;
    const who = asRole(world, role);
    const { account, region, partition } = world.envOf(stack);
    const why = 'ECS "Amazon ECS container instance IAM role"';
    for (const cluster of world.resourcesOfType('AWS::ECS::Cluster').filter((c) => c.stack === stack)) {
      const clusterArn = world.resolve(stack, { 'Fn::GetAtt': [cluster.logicalId, 'Arn'] });
      const clusterName = world.resolve(stack, { Ref: cluster.logicalId });
      const instance = `arn:${partition}:ecs:${region}:${account}:container-instance/${clusterName}/0123456789abcdef0123456789abcdef`;
      for (const action of ['ecs:RegisterContainerInstance', 'ecs:DeregisterContainerInstance', 'ecs:SubmitTaskStateChange', 'ecs:SubmitContainerStateChange']) {
        out.push({ ...who, action, resource: clusterArn, expect: 'Allowed', why });
      }
      for (const action of ['ecs:Poll', 'ecs:StartTelemetrySession']) out.push({ ...who, action, resource: instance, context: { 'ecs:cluster': clusterArn }, expect: 'Allowed', why });
      out.push({ ...who, action: 'ecs:DiscoverPollEndpoint', resource: '*', expect: 'Allowed', why });
      out.push({ ...who, action: 'ecs:RegisterContainerInstance', resource: `arn:${partition}:ecs:${region}:${account}:cluster/another-cluster`, expect: 'Denied', why: 'negative control: another cluster' });
    }
    for (const group of world.resourcesOfType('AWS::Logs::LogGroup').filter((g) => g.stack === stack)) {
      const name = world.resolve(stack, { Ref: group.logicalId });
      const stream = `arn:${partition}:logs:${region}:${account}:log-group:${name}:log-stream:from-the-instance`;
      out.push({ ...who, action: 'logs:PutLogEvents', resource: stream, expect: 'Denied', why: 'negative control: the instance role writes no logs' });
    }
  }
  return out;
}

/**
 * VPC "IAM role for publishing flow logs to CloudWatch Logs": the service assumes the role only
 * for flow logs of this account (aws:SourceAccount, aws:SourceArn: "confused deputy"), and writes
 * only to the flow log group.
 */
function flowLogRequests(world: PolicyWorld): Expectation[] {
  const out: Expectation[] = [];
  for (const { stack, resource } of world.resourcesOfType('AWS::EC2::FlowLog')) {
    const role = roleOf(world, stack, resource.Properties.DeliverLogsPermissionArn);
    if (!role) continue;
    const { account, region, partition } = world.envOf(stack);
    const why = 'VPC "IAM role for publishing flow logs to CloudWatch Logs"';
    const trust = world.trustPolicyOf(role);
    const context = (sourceAccount: string) => ({ 'aws:SourceAccount': sourceAccount, 'aws:SourceArn': `arn:${partition}:ec2:${region}:${sourceAccount}:vpc-flow-log/fl-0123456789abcdef0` });
    out.push({ principal: 'vpc-flow-logs.amazonaws.com', action: 'sts:AssumeRole', resource: world.roleArn(role), resourcePolicy: trust, context: context(account), expect: 'Allowed', why });
    out.push({ principal: 'vpc-flow-logs.amazonaws.com', action: 'sts:AssumeRole', resource: world.roleArn(role), resourcePolicy: trust, context: context(OTHER_ACCOUNT), expect: 'Denied', why: 'negative control: a flow log of another account (confused deputy)' });
    const group = world.resolve(stack, resource.Properties.LogGroupName);
    const who = asRole(world, role);
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
      out.push({ ...who, action, resource: `arn:${partition}:logs:${region}:${account}:log-group:${group}:log-stream:eni-0123-all`, expect: 'Allowed', why });
    }
    out.push({ ...who, action: 'logs:PutLogEvents', resource: `arn:${partition}:logs:${region}:${account}:log-group:another-group:log-stream:s`, expect: 'Denied', why: 'negative control: another log group' });
  }
  return out;
}

const CATEGORIES: Array<[string, (world: PolicyWorld) => Expectation[]]> = [
  ['execution roles pull images, write their logs and read their secrets (ECS "Amazon ECS task execution IAM role")', executionRoleRequests],
  ['CloudWatch Logs may use the key of every encrypted log group, with its ARN as context (CloudWatch Logs "Encrypt log data in CloudWatch Logs using AWS KMS")', logGroupKeyRequests],
  ['CloudWatch and EventBridge may publish to every topic an alarm or rule notifies, and use its key (SNS "Amazon SNS topic policy for CloudWatch alarms")', topicPublishRequests],
  ['the scheduler starts the batch state machine, which runs, stops and reports its task (EventBridge Scheduler "Set up the execution role"; Step Functions "IAM policies for Amazon ECS/Fargate tasks")', batchRequests],
  ['the ECS infrastructure role shifts traffic on its own rules and target groups only (ECS "Amazon ECS infrastructure IAM role for load balancers")', deploymentRoleRequests],
  ['the EC2 capacity teardown may make the calls its code makes, on its own group and cluster only', teardownRequests],
  ['the instance role serves the ECS agent of its cluster and writes no logs (ECS "Amazon ECS container instance IAM role")', instanceRoleRequests],
  ['the flow log role is assumed only for flow logs of this account and writes only its log group (VPC "IAM role for publishing flow logs to CloudWatch Logs")', flowLogRequests],
];

/** An app with an explicit env: EC2 capacity, a canary service with an alarm topic, a batch job. */
function explicitEnvApp(app: App): void {
  const stack = new Stack(app, 'ExplicitEnv', { env: EXPLICIT_ENV });
  const platform = new EcsPlatform(stack, 'Platform', { ec2Capacity: { instanceType: new ec2.InstanceType('t3.medium') } });
  const ingress = new WebIngress(stack, 'Ingress', { platform, certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN) });
  const alarmTopic = new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: platform.encryptionKey });
  new FargateWebService(stack, 'Api', {
    platform, ingress, hostHeaders: ['api.example.com'], alarmTopic,
    container: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable'), user: '101', port: 8080 },
    deployment: WebDeployment.canary({ percent: 10, stepBakeTime: Duration.minutes(5), bakeTime: Duration.minutes(10), testHeader: { name: 'x-canary', value: 'true' } }),
  });
  new BatchTaskSchedule(stack, 'Nightly', {
    platform,
    container: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'), user: '1000:1000' },
    schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
  });
}

const APPS: Array<[string, () => PolicyWorld]> = [
  ...EXAMPLE_APPS.map(({ label, name, file }): [string, () => PolicyWorld] => [`examples/${label}`, () => {
    const app = newApp();
    const StackClass = exampleStackClass(name, file);
    new StackClass(app, 'Example');
    return PolicyWorld.fromApp(app);
  }]),
  ['the reference app (bin/app.ts)', () => {
    const app = newApp();
    buildReferenceApp(app);
    return PolicyWorld.fromApp(app);
  }],
  [`an app with an explicit env (${EXPLICIT_ENV.account}, ${EXPLICIT_ENV.region})`, () => {
    const app = newApp();
    explicitEnvApp(app);
    return PolicyWorld.fromApp(app);
  }],
];

describe.each(APPS)('policy evaluation: %s', (_label, build) => {
  let world: PolicyWorld;
  beforeAll(() => {
    world = build();
  });

  test.each(CATEGORIES)('%s', async (_title, requests) => {
    expect(await failing(world, requests(world))).toEqual([]);
  });
});

describe('policy evaluation: the checks reach every kind of principal', () => {
  test('the reference app and the explicit-env app give every category requests, allowed and denied', () => {
    for (const build of [APPS[APPS.length - 2][1], APPS[APPS.length - 1][1]]) {
      const world = build();
      for (const [title, requests] of CATEGORIES) {
        const made = requests(world);
        const allowed = made.filter((r) => r.expect === 'Allowed').length;
        const denied = made.filter((r) => r.expect !== 'Allowed').length;
        // The reference app's services roll (no deployment role), and it has no alarm topic.
        const optional = /infrastructure role|CloudWatch and EventBridge/.test(title) && build === APPS[APPS.length - 2][1];
        if (!optional) expect({ title, allowed: allowed > 0, denied: denied > 0 }).toEqual({ title, allowed: true, denied: true });
      }
    }
  });
});

describe('policy evaluation: FargateWebService alarmTopic', () => {
  function serviceWithTopic(makeTopic: (stack: Stack, platform: EcsPlatform) => sns.ITopic): PolicyWorld {
    const app = newApp();
    const stack = new Stack(app, 'Alarms');
    const platform = new EcsPlatform(stack, 'Platform');
    const ingress = new WebIngress(stack, 'Ingress', { platform, certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN) });
    new FargateWebService(stack, 'Api', {
      platform, ingress, alarmTopic: makeTopic(stack, platform),
      container: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable'), user: '101', port: 8080 },
    });
    return PolicyWorld.fromApp(app);
  }

  test('CloudWatch may publish the alarms to a topic of the app that has a topic policy (enforceSSL), over TLS only (SNS "Amazon SNS topic policy for CloudWatch alarms")', async () => {
    const world = serviceWithTopic((stack) => new sns.Topic(stack, 'Topic', { enforceSSL: true }));
    const requests = topicPublishRequests(world);
    expect(requests.filter((r) => r.expect === 'Allowed').length).toBeGreaterThanOrEqual(3);
    expect(requests.some((r) => r.context?.['aws:SecureTransport'] === 'false')).toBe(true);
    expect(await failing(world, requests)).toEqual([]);
  });

  test('CloudWatch may use the KMS key of its own that encrypts the alarm topic (CloudWatch "Using Amazon CloudWatch alarms": encrypted SNS topics)', async () => {
    const world = serviceWithTopic((stack) => new sns.Topic(stack, 'Topic', { masterKey: new kms.Key(stack, 'TopicKey', { enableKeyRotation: true }) }));
    const requests = topicPublishRequests(world);
    expect(requests.filter((r) => r.action.startsWith('kms:')).length).toBeGreaterThan(0);
    expect(await failing(world, requests)).toEqual([]);
  });

  test('CloudWatch may use the platform key of a topic the platform key encrypts', async () => {
    const world = serviceWithTopic((stack, platform) => new sns.Topic(stack, 'Topic', { masterKey: platform.encryptionKey, enforceSSL: true }));
    const requests = topicPublishRequests(world);
    expect(requests.filter((r) => r.action.startsWith('kms:')).length).toBeGreaterThan(0);
    expect(await failing(world, requests)).toEqual([]);
  });
});

describe('policy evaluation: ECS Exec', () => {
  /** ECS "Using ECS Exec": the task role writes the session logs to the cluster's exec log group. */
  async function execLogDecisions(context: { [key: string]: unknown }): Promise<{ platformGroup: Decision; otherGroup: Decision }> {
    const app = newAppInContext(context);
    const stack = new Stack(app, 'Exec');
    const platform = new EcsPlatform(stack, 'Platform');
    const api = new FargateWebService(stack, 'Api', {
      platform, enableExecuteCommand: true,
      container: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable'), user: '101', port: 8080, readonlyRootFilesystem: false },
    });
    const world = PolicyWorld.fromApp(app);
    const taskRole = world.resourcesOfType('AWS::IAM::Role').find((r) => r.logicalId === stack.getLogicalId(api.taskRole.node.defaultChild as any))!;
    const { account, region, partition } = world.env;
    const execGroup = world.resolve('Exec', platform.cluster.executeCommandConfiguration?.logConfiguration?.cloudWatchLogGroup
      ? { Ref: stack.getLogicalId(platform.cluster.executeCommandConfiguration.logConfiguration.cloudWatchLogGroup.node.defaultChild as any) }
      : 'no-exec-log-group');
    const who = asRole(world, taskRole);
    const stream = (group: string) => `arn:${partition}:logs:${region}:${account}:log-group:${group}:log-stream:ecs-execute-command-1`;
    return {
      platformGroup: await evaluate({ ...who, action: 'logs:PutLogEvents', resource: stream(execGroup) }, world),
      otherGroup: await evaluate({ ...who, action: 'logs:PutLogEvents', resource: stream('another-group') }, world),
    };
  }

  test.each([['no feature flags', {}], ['cdk.json', undefined]])('with %s, the task role writes session logs to the platform exec log group and to no other log group', async (_name, context) => {
    const decisions = await execLogDecisions(context ?? require('./support/synth').CDK_CONTEXT);
    expect(decisions).toEqual({ platformGroup: 'Allowed', otherGroup: 'ImplicitlyDenied' });
  });
});
