import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeGrantPolicy, acknowledgeGuardRule, acknowledgeRule, COMPLIANCE_PACKS, NagPack } from '../core/compliance';

/**
 * On Delete: force-deletes the Auto Scaling group (its instances terminate), then force-deregisters
 * every container instance still listed in the cluster until none is left. Create and Update do
 * nothing. AWS SDK v3 comes with the Node.js Lambda runtime.
 */
const HANDLER_CODE = `// cdk-ecs-kit:lambda-runtime-code (runs in the Lambda runtime, which provides these modules)
const { AutoScalingClient, DeleteAutoScalingGroupCommand } = require('@aws-sdk/client-auto-scaling');
const { ECSClient, ListContainerInstancesCommand, DeregisterContainerInstanceCommand } = require('@aws-sdk/client-ecs');

exports.onEvent = async (event) => {
  const physicalResourceId = event.PhysicalResourceId || 'ec2-capacity-teardown';
  if (event.RequestType !== 'Delete') return { PhysicalResourceId: physicalResourceId };
  const name = event.ResourceProperties.AutoScalingGroupName;
  try {
    await new AutoScalingClient({}).send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name, ForceDelete: true }));
    console.log('Force-deleting Auto Scaling group', name);
  } catch (e) {
    // Already gone, or already being deleted: the instances terminate either way.
    if (!/not found|does not exist|pending delete|in progress/i.test(String(e && e.message))) throw e;
    console.log('Auto Scaling group', name, e.message);
  }
  return { PhysicalResourceId: physicalResourceId };
};

exports.isComplete = async (event) => {
  if (event.RequestType !== 'Delete') return { IsComplete: true };
  const cluster = event.ResourceProperties.ClusterName;
  const ecs = new ECSClient({});
  const arns = [];
  let nextToken;
  try {
    do {
      const page = await ecs.send(new ListContainerInstancesCommand({ cluster, nextToken }));
      arns.push(...(page.containerInstanceArns || []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (e) {
    if (e && e.name === 'ClusterNotFoundException') return { IsComplete: true };
    throw e;
  }
  for (const containerInstance of arns) {
    console.log('Deregistering container instance', containerInstance);
    await ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance, force: true }));
  }
  return { IsComplete: arns.length === 0 };
};
// cdk-ecs-kit:end-lambda-runtime-code
`;

/** Properties of an Ec2CapacityTeardown. */
export interface Ec2CapacityTeardownProps {
  /** The cluster the group's instances register with. */
  readonly cluster: ecs.ICluster;
  /** The Auto Scaling group of the EC2 capacity. */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /** Encrypts the handlers' log group. */
  readonly encryptionKey: kms.IKey;
  /** Retention of the handlers' log group. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * Lets CloudFormation delete a cluster with EC2 capacity: before the cluster (and the group) are
 * deleted, it force-deletes the Auto Scaling group and deregisters the container instances, since
 * DeleteCluster fails while container instances are active or draining (aws/aws-cdk#18179,
 * aws/containers-roadmap#631). Its properties name the group and the cluster, so CloudFormation
 * deletes it before both; every daemon on the capacity depends on it, so it runs after them.
 */
export class Ec2CapacityTeardown extends Construct {
  /** The custom resource; depend on it to be deleted before the capacity is torn down. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: Ec2CapacityTeardownProps) {
    super(scope, id);

    // Retained: it records the teardown of the stack that deleted it.
    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const onEventHandler = this.handler('OnEventHandler', 'index.onEvent', logGroup, 'Force-deletes the Auto Scaling group of the EC2 capacity on stack deletion');
    onEventHandler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['autoscaling:DeleteAutoScalingGroup'],
      resources: [props.autoScalingGroup.autoScalingGroupArn],
    }));
    Validations.of(onEventHandler.role!).acknowledge({
      id: `${NagPack.AWS_SOLUTIONS}-IAM5[Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/<${Stack.of(this).resolve(props.autoScalingGroup.autoScalingGroupName).Ref}>]`,
      reason: 'The wildcard stands only for the group id Auto Scaling generates at creation; the group name pins the ARN to this one group.',
    });
    const isCompleteHandler = this.handler('IsCompleteHandler', 'index.isComplete', logGroup, 'Deregisters the remaining container instances of the cluster on stack deletion');
    isCompleteHandler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ecs:ListContainerInstances', 'ecs:DeregisterContainerInstance'],
      resources: [props.cluster.clusterArn],
    }));

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler,
      isCompleteHandler,
      queryInterval: Duration.seconds(15),
      // Terminating instances and deregistering them takes a few minutes; 15 minutes bounds a stuck delete.
      totalTimeout: Duration.minutes(15),
      logGroup,
      frameworkOnEventRole: this.role('FrameworkOnEventRole', logGroup),
      frameworkCompleteAndTimeoutRole: this.role('FrameworkCompleteAndTimeoutRole', logGroup),
    });
    this.acknowledgeProvider(provider);

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::Ec2CapacityTeardown',
      properties: {
        AutoScalingGroupName: props.autoScalingGroup.autoScalingGroupName,
        ClusterName: props.cluster.clusterName,
      },
    });
  }

  private handler(id: string, handler: string, logGroup: logs.ILogGroup, description: string): lambda.Function {
    const fn = new lambda.Function(this, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      code: lambda.Code.fromInline(HANDLER_CODE),
      handler,
      description,
      timeout: Duration.minutes(1),
      logGroup,
      role: this.role(`${id}Role`, logGroup),
    });
    acknowledgeHandlerFunction(fn);
    return fn;
  }

  /** A role for one function of the teardown that may write only to its log group (no AWS managed policy). */
  private role(id: string, logGroup: logs.ILogGroup): iam.Role {
    const role = new iam.Role(this, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    acknowledgeGrantPolicy(role);
    return role;
  }

  /**
   * The provider framework's findings: its functions' (like the handlers'), its roles' inline
   * policies, and invoke grants on the functions with their `:*` qualifier.
   */
  private acknowledgeProvider(provider: cr.Provider): void {
    const functions = this.node.findAll().filter((c): c is lambda.Function => c instanceof lambda.Function);
    for (const fn of functions) if (provider.node.findAll().includes(fn)) acknowledgeHandlerFunction(fn);
    const invokeReason = 'The provider framework may invoke only the functions of this teardown; the :* suffix covers their versions and aliases, as lambda:InvokeFunction requires.';
    for (const role of this.node.findAll().filter((c): c is iam.Role => c instanceof iam.Role)) {
      acknowledgeGrantPolicy(role);
      for (const fn of functions) {
        Validations.of(role).acknowledge({
          id: `${NagPack.AWS_SOLUTIONS}-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
          reason: invokeReason,
        });
      }
    }
    const waiter = provider.node.tryFindChild('waiter-state-machine');
    if (waiter) {
      acknowledgeRule(waiter, 'SF1', 'The waiter state machine only re-invokes isComplete every 15 seconds during stack deletion; every action of the teardown is logged by its handlers to the encrypted log group, and the execution history is kept by Step Functions.', [NagPack.AWS_SOLUTIONS]);
      const loggingReason = 'The waiter state machine only re-invokes isComplete every 15 seconds during stack deletion; every action of the teardown is logged by its handlers to the encrypted log group, and the execution history is kept by Step Functions.';
      const tracingReason = 'The waiter state machine only re-invokes isComplete during stack deletion; a trace of that loop adds nothing to the handlers\' logs and would need xray:Put* on every resource.';
      acknowledgeRule(waiter, 'SF2', tracingReason, [NagPack.AWS_SOLUTIONS]);
      acknowledgeGuardRule(waiter, 'step_functions_state_machine_logging_enabled_check', loggingReason);
      acknowledgeGuardRule(waiter, 'step_functions_state_machine_tracing_enabled_check', tracingReason);
    }
  }
}

/** The findings every function of the teardown raises, each with why it stays. */
function acknowledgeHandlerFunction(fn: IConstruct): void {
  const outsideVpcReason = 'The function runs only on stack deletion and calls only AWS APIs; in the VPC its Lambda-managed network interfaces would block deleting the subnets and security groups of the very stack it tears down.';
  acknowledgeRule(fn, 'LambdaInsideVPC', outsideVpcReason, COMPLIANCE_PACKS);
  acknowledgeGuardRule(fn, 'lambda_inside_vpc_check', outsideVpcReason);
  acknowledgeRule(
    fn,
    'LambdaConcurrency',
    'Invoked only by CloudFormation for the one teardown resource, at most a few times a minute on stack deletion; reserving concurrency would fail in accounts whose unreserved concurrency is at its minimum.',
    [NagPack.NIST_800_53_R5, NagPack.HIPAA_SECURITY],
  );
  acknowledgeRule(
    fn,
    'LambdaDLQ',
    'Failures go back to CloudFormation, which fails the stack deletion and reports the error; a dead-letter queue would hold nothing to act on.',
    [NagPack.NIST_800_53_R5, NagPack.HIPAA_SECURITY],
  );
}
