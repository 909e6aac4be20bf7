import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeGuardRule, acknowledgeRule, COMPLIANCE_PACKS, NagPack } from '../core/compliance';

/**
 * One function that CloudFormation invokes directly and that answers on the request's pre-signed
 * ResponseURL. Create and Update do nothing. A Delete acts only when the stack itself goes away
 * (DescribeStacks on the request's own StackId): it force-deletes the Auto Scaling group (its
 * instances terminate), then force-deregisters every container instance still listed in the
 * cluster, every 15 seconds, until none is left or the function's time is nearly up; then it
 * answers SUCCESS or FAILED with the reason. AWS SDK v3 comes with the Node.js Lambda runtime.
 */
const HANDLER_CODE = `// cdk-ecs-kit:lambda-runtime-code (runs in the Lambda runtime, which provides these modules)
const https = require('https');
const { CloudFormationClient, DescribeStacksCommand } = require('@aws-sdk/client-cloudformation');
const { AutoScalingClient, DeleteAutoScalingGroupCommand } = require('@aws-sdk/client-auto-scaling');
const { ECSClient, ListContainerInstancesCommand, DeregisterContainerInstanceCommand } = require('@aws-sdk/client-ecs');

const PHYSICAL_RESOURCE_ID = 'ec2-capacity-teardown';
// The stack statuses in which a Delete means the whole stack goes away, with the group and the
// cluster: its deletion, and the rollback of a failed first create (which deletes every resource).
// Any other Delete (an update rollback, the cleanup after a replacement or removal) leaves them be.
const STACK_GOING_AWAY = ['DELETE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'];
const POLL_MS = 15000;
// Time kept back to answer CloudFormation before Lambda stops the function.
const ANSWER_MS = 30000;

exports.handler = async (event, context) => {
  console.log(event.RequestType, event.LogicalResourceId, 'of stack', event.StackId);
  let answer;
  try {
    answer = await handle(event, context);
  } catch (e) {
    console.log('Teardown failed:', e);
    answer = { Status: 'FAILED', Reason: 'The EC2 capacity teardown failed: ' + errorText(e) };
  }
  if (answer.Reason) answer.Reason = (answer.Reason + ' See log stream ' + context.logStreamName + ' of ' + context.logGroupName + '.').slice(0, 2000);
  console.log(answer.Status, answer.Reason || '');
  await respond(event, { ...answer, PhysicalResourceId: event.PhysicalResourceId || PHYSICAL_RESOURCE_ID });
};

async function handle(event, context) {
  if (event.RequestType !== 'Delete') return { Status: 'SUCCESS' };
  const group = event.ResourceProperties.AutoScalingGroupName;
  const cluster = event.ResourceProperties.ClusterName;
  let status;
  try {
    // The request's own StackId: in a nested stack, the nested stack, which holds the group.
    const out = await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: event.StackId }));
    status = out.Stacks && out.Stacks[0] && out.Stacks[0].StackStatus;
  } catch (e) {
    return { Status: 'FAILED', Reason: 'Could not read the status of stack ' + event.StackId + ' (' + errorText(e) + '), so the Auto Scaling group ' + group + ' was left alone: it is torn down only when the stack itself is deleted. Allow cloudformation:DescribeStacks and retry.' };
  }
  if (!STACK_GOING_AWAY.includes(status)) {
    console.log('Stack is ' + status + ', not being deleted: this Delete comes from an update, its rollback or cleanup, so the Auto Scaling group ' + group + ' and its container instances are left alone.');
    return { Status: 'SUCCESS' };
  }
  console.log('Stack is ' + status + ': force-deleting Auto Scaling group ' + group);
  try {
    await new AutoScalingClient({}).send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: group, ForceDelete: true }));
  } catch (e) {
    // Already gone, or already being deleted: the instances terminate either way.
    if (!/not found|does not exist|pending delete|in progress/i.test(String(e && e.message))) throw e;
    console.log('Auto Scaling group', group, e.message);
  }
  const ecs = new ECSClient({});
  const startMs = context.getRemainingTimeInMillis();
  for (;;) {
    const arns = await containerInstances(ecs, cluster);
    if (arns.length === 0) return { Status: 'SUCCESS' };
    for (const containerInstance of arns) {
      console.log('Deregistering container instance', containerInstance);
      try {
        await ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance, force: true }));
      } catch (e) {
        if (!/not found|does not exist|inactive/i.test(String(e && e.message))) throw e;
      }
    }
    if (context.getRemainingTimeInMillis() < POLL_MS + ANSWER_MS) {
      const minutes = Math.round((startMs - context.getRemainingTimeInMillis()) / 60000);
      return { Status: 'FAILED', Reason: arns.length + ' container instance(s) of cluster ' + cluster + ' still registered after ' + minutes + ' minutes of force-deregistering, so CloudFormation cannot delete the cluster yet. Check them in the ECS console, then delete the stack again: ' + arns.join(', ') };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function containerInstances(ecs, cluster) {
  const arns = [];
  let nextToken;
  try {
    do {
      const page = await ecs.send(new ListContainerInstancesCommand({ cluster, nextToken }));
      arns.push(...(page.containerInstanceArns || []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (e) {
    if (e && e.name === 'ClusterNotFoundException') return [];
    throw e;
  }
  return arns;
}

function errorText(e) {
  return (e && e.name ? e.name + ': ' : '') + String(e && e.message ? e.message : e);
}

// Answers CloudFormation on the pre-signed S3 URL of the request.
function respond(event, answer) {
  const body = JSON.stringify({ ...answer, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  return new Promise((resolve, reject) => {
    const request = https.request(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode < 300 ? resolve() : reject(new Error('CloudFormation answered the response with HTTP ' + response.statusCode))));
    });
    request.on('error', reject);
    request.end(body);
  });
}
// cdk-ecs-kit:end-lambda-runtime-code
`;

/** Properties of an Ec2CapacityTeardown. */
export interface Ec2CapacityTeardownProps {
  /** The cluster the group's instances register with. */
  readonly cluster: ecs.ICluster;
  /** The Auto Scaling group of the EC2 capacity. */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /** Encrypts the handler's log group. */
  readonly encryptionKey: kms.IKey;
  /** Retention of the handler's log group. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * Lets CloudFormation delete a cluster with EC2 capacity: before the cluster (and the group) are
 * deleted, it force-deletes the Auto Scaling group and deregisters the container instances, since
 * DeleteCluster fails while container instances are active or draining (aws/aws-cdk#18179,
 * aws/containers-roadmap#631). Its properties name the group and the cluster, so CloudFormation
 * deletes it before both; every daemon on the capacity depends on it, so it runs after them.
 *
 * It acts only when the stack itself is deleted (or a failed first create rolls back): a Delete
 * sent by an update rollback, a replacement or a removal leaves the group alone.
 *
 * Five resources: the custom resource, one function (CloudFormation invokes it directly; it waits
 * within its own 15-minute limit), its role with an inline policy, and its log group.
 */
export class Ec2CapacityTeardown extends Construct {
  /** The custom resource; depend on it to be deleted before the capacity is torn down. */
  public readonly resource: CustomResource;
  /** The function that CloudFormation invokes for the custom resource. */
  public readonly handler: lambda.Function;

  constructor(scope: Construct, id: string, props: Ec2CapacityTeardownProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // Retained: it records the teardown of the stack that deleted it.
    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Inline, so the permissions live exactly as long as the role the function references: no
    // separate policy resource that CloudFormation could delete before the teardown runs.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the EC2 capacity teardown of a cdk-ecs-kit platform',
      inlinePolicies: {
        Teardown: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
            // The stack it is deployed in (in a nested stack, the nested stack): is it being deleted?
            new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [stack.stackId] }),
            new iam.PolicyStatement({ actions: ['autoscaling:DeleteAutoScalingGroup'], resources: [props.autoScalingGroup.autoScalingGroupArn] }),
            new iam.PolicyStatement({ actions: ['ecs:ListContainerInstances', 'ecs:DeregisterContainerInstance'], resources: [props.cluster.clusterArn] }),
          ],
        }),
      },
    });
    acknowledgeRule(
      role,
      'IAMNoInlinePolicy',
      'The inline policy grants only what the teardown does to this stack\'s own group, cluster and log group; inline, it cannot be deleted before the custom resource\'s Delete runs, as a separate policy could.',
      COMPLIANCE_PACKS,
    );
    Validations.of(role).acknowledge({
      id: `${NagPack.AWS_SOLUTIONS}-IAM5[Resource::${renderedAsCdkNag(stack.resolve(props.autoScalingGroup.autoScalingGroupArn))}]`,
      reason: 'The wildcard stands only for the group id Auto Scaling generates at creation; the group name pins the ARN to this one group.',
    });

    // Built at the construct path of the provider framework's onEvent function that earlier versions
    // used, so it keeps that logical id and its ARN: the custom resource's ServiceToken, which
    // CloudFormation does not let an update change. An upgrade thus updates this function in place
    // and removes the rest of the old provider; no Delete reaches the custom resource.
    this.handler = new lambda.Function(new Construct(this, 'Provider'), 'framework-onEvent', {
      runtime: lambda.Runtime.NODEJS_24_X,
      code: lambda.Code.fromInline(HANDLER_CODE),
      handler: 'index.handler',
      description: 'Tears down the EC2 capacity of a cdk-ecs-kit platform when its stack is deleted',
      // Lambda's limit: the handler answers CloudFormation 30 seconds before it.
      timeout: Duration.minutes(15),
      logGroup,
      role,
    });
    // lambda.Function makes itself DependsOn its role, which its Role property already references,
    // and the role's policy is inline (cfn-lint W3005: redundant DependsOn).
    (this.handler.node.defaultChild as lambda.CfnFunction).addDeletionOverride('DependsOn');
    acknowledgeHandlerFunction(this.handler);

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.handler.functionArn,
      resourceType: 'Custom::Ec2CapacityTeardown',
      // Bounds the wait should the function fail to answer at all (CloudFormation's default is an hour).
      serviceTimeout: Duration.minutes(20),
      properties: {
        AutoScalingGroupName: props.autoScalingGroup.autoScalingGroupName,
        ClusterName: props.cluster.clusterName,
      },
    });
  }
}

/**
 * A resolved CloudFormation value as cdk-nag 3 renders it in a finding id (its flattenCfnReference):
 * Fn::Join joined, `{ Ref: X }` as `<X>` (pseudo parameters too), Fn::GetAtt as `<X.Attr>`. A stack
 * with an explicit env renders its region and account as literals, an agnostic one as references.
 */
function renderedAsCdkNag(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = value as { [key: string]: any };
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'];
    return (items as unknown[]).map(renderedAsCdkNag).join(delimiter);
  }
  if (node['Fn::Sub']) return renderedAsCdkNag(node['Fn::Sub']);
  if (node['Fn::GetAtt']) return `<${renderedAsCdkNag(node['Fn::GetAtt'][0])}.${renderedAsCdkNag(node['Fn::GetAtt'][1])}>`;
  if (node['Fn::ImportValue']) return renderedAsCdkNag(node['Fn::ImportValue']);
  if (node.Ref) return `<${renderedAsCdkNag(node.Ref)}>`;
  return JSON.stringify(value);
}

/** The findings the teardown's function raises, each with why it stays. */
function acknowledgeHandlerFunction(fn: IConstruct): void {
  const outsideVpcReason = 'The function acts only on stack deletion and calls only AWS APIs; in the VPC its Lambda-managed network interfaces would block deleting the subnets and security groups of the very stack it tears down.';
  acknowledgeRule(fn, 'LambdaInsideVPC', outsideVpcReason, COMPLIANCE_PACKS);
  acknowledgeGuardRule(fn, 'lambda_inside_vpc_check', outsideVpcReason);
  acknowledgeRule(
    fn,
    'LambdaConcurrency',
    'Invoked only by CloudFormation for the one teardown resource, once per stack operation on it; reserving concurrency would fail in accounts whose unreserved concurrency is at its minimum.',
    [NagPack.NIST_800_53_R5, NagPack.HIPAA_SECURITY],
  );
  acknowledgeRule(
    fn,
    'LambdaDLQ',
    'Every outcome, failures included, is answered to CloudFormation, which fails the stack operation with the reason; a dead-letter queue would hold nothing to act on.',
    [NagPack.NIST_800_53_R5, NagPack.HIPAA_SECURITY],
  );
}
