import { Annotations, Aws, Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeGrantPolicy, acknowledgeGuardRule, acknowledgeLogRetentionOptOut, acknowledgePlatformKeyElsewhere, acknowledgeRule, NagPack } from '../core/compliance';
import { DEFAULT_CONTAINER_NAME } from '../core/defaults';
import {
  checkDurationSeconds,
  checkHttpPath,
  checkNoSecretEnvironmentClash,
  checkPort,
  fail,
  isDeployTimeValue,
} from '../core/validation';
import type { IEcsPlatform } from '../platform/ecs-platform';

/**
 * The container a workload runs, and how it is hardened.
 */
export interface ContainerSpec {
  /**
   * The container image, e.g. `ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable')`
   * or `ecs.ContainerImage.fromEcrRepository(repo, 'v1.2.3')`.
   */
  readonly image: ecs.ContainerImage;

  /**
   * The TCP port the container listens on.
   *
   * @default - no port is exposed (required for web services)
   */
  readonly port?: number;

  /**
   * Plain environment variables. Put anything secret in `secrets` instead: the same name in
   * both is an error.
   *
   * @default - none
   */
  readonly environment?: { [name: string]: string };

  /**
   * Secrets injected as environment variables at task start, e.g.
   * `ecs.Secret.fromSecretsManager(dbSecret, 'password')`. Only the execution role can read
   * them, and only these.
   *
   * @default - none
   */
  readonly secrets?: { [name: string]: ecs.Secret };

  /**
   * The customer managed KMS keys that encrypt `secrets` (Secrets Manager secrets or SSM
   * SecureString parameters). The execution role may use each for `kms:Decrypt`, only through
   * Secrets Manager and SSM; without it ECS cannot read such a secret and the task does not
   * start. Needed for secrets imported by ARN or name: aws-cdk-lib grants the key of a secret
   * created in the same app, but not the key given to `Secret.fromSecretAttributes`.
   *
   * @default - none: the secrets use AWS managed keys, or keys aws-cdk-lib already grants
   */
  readonly secretsEncryptionKeys?: kms.IKey[];

  /**
   * The command passed to the entry point.
   *
   * @default - the image's CMD
   */
  readonly command?: string[];

  /**
   * The entry point of the container.
   *
   * @default - the image's ENTRYPOINT
   */
  readonly entryPoint?: string[];

  /**
   * The HTTP path the load balancer's health check requests, e.g. '/healthz'.
   *
   * @default '/' where a load balancer checks the container; unused otherwise
   */
  readonly healthCheckPath?: string;

  /**
   * A container health check that ECS runs inside the container, e.g.
   * `{ command: ['CMD-SHELL', 'wget -qO- localhost:8080/healthz || exit 1'] }`.
   *
   * @default - no container health check (the load balancer's health check decides)
   */
  readonly healthCheck?: ecs.HealthCheck;

  /**
   * The user (name or UID[:GID]) the container runs as. Set a non-root user when the image
   * supports it.
   *
   * @default - the image's USER
   */
  readonly user?: string;

  /**
   * Whether the root file system is read-only. A writable, task-scoped volume is mounted at
   * /tmp either way.
   *
   * @default true - an attacker who gets in cannot change the container's binaries
   */
  readonly readonlyRootFilesystem?: boolean;

  /**
   * How long ECS waits after SIGTERM before it kills the container, so it can drain
   * in-flight work. At most 120 seconds on Fargate.
   *
   * @default Duration.seconds(30)
   */
  readonly stopTimeout?: Duration;

  /**
   * How long the container's log group keeps events.
   *
   * @default - the platform's `logRetention` (one year unless changed)
   */
  readonly logRetention?: logs.RetentionDays;
}

/** How `addContainerFromSpec` adds a container. Not exported from the package. */
export interface AddContainerOptions {
  /** The platform whose key encrypts the log group. */
  readonly platform: IEcsPlatform;
  /** The container to add. */
  readonly spec: ContainerSpec;
  /** Extra container definition options (memory, privileges, ...) from the workload. */
  readonly extraOptions?: Partial<ecs.ContainerDefinitionOptions>;
  /**
   * The application protocol of `spec.port`'s mapping, for a Service Connect server.
   *
   * @default - none (TCP to Service Connect)
   */
  readonly appProtocol?: ecs.AppProtocol;
}

/** What `addContainerFromSpec` created. Not exported from the package. */
export interface AddedContainer {
  readonly container: ecs.ContainerDefinition;
  readonly logGroup: logs.LogGroup;
  /** The container's Linux parameters (init process on); add capabilities here. */
  readonly linuxParameters: ecs.LinuxParameters;
}

/** The largest stop timeout ECS accepts on Fargate, in seconds. */
const MAX_STOP_TIMEOUT_SECONDS = 120;

/** Validates a container spec, naming its props under `container.`. */
function validateContainerSpec(scope: Construct, spec: ContainerSpec): void {
  const specProp = 'container';
  checkPort(scope, `${specProp}.port`, spec.port);
  checkHttpPath(scope, `${specProp}.healthCheckPath`, spec.healthCheckPath);
  checkNoSecretEnvironmentClash(scope, spec.environment, spec.secrets);
  checkDurationSeconds(scope, `${specProp}.stopTimeout`, spec.stopTimeout, 1, MAX_STOP_TIMEOUT_SECONDS);
  for (const name of [...Object.keys(spec.environment ?? {}), ...Object.keys(spec.secrets ?? {})]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      fail(scope, `${specProp}.environment/secrets`, `'${name}' is not a valid environment variable name.`, 'Use letters, digits and underscores, not starting with a digit.');
    }
  }
}

/**
 * Adds a hardened container to a task definition: awslogs to a dedicated KMS-encrypted log
 * group that is retained on stack deletion, an init process, a read-only root file system
 * with a writable /tmp volume, secrets through ECS secrets, and a stop timeout.
 *
 * The log group is created in `scope` with the id 'LogGroup'.
 * Not exported from the package.
 */
export function addContainerFromSpec(scope: Construct, taskDefinition: ecs.TaskDefinition, options: AddContainerOptions): AddedContainer {
  const { spec, platform } = options;
  validateContainerSpec(scope, spec);
  const containerName = DEFAULT_CONTAINER_NAME;

  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    encryptionKey: platform.encryptionKey,
    retention: spec.logRetention ?? platform.logRetention,
    // Retained: logs are evidence, and a stack rollback must not erase why it rolled back.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgePlatformKeyElsewhere(logGroup, platform);
  acknowledgeLogRetentionOptOut(logGroup, spec.logRetention ?? platform.logRetention,
    spec.logRetention !== undefined ? `container.logRetention on ${scope.node.path}` : `logRetention on ${platform.node.path}`);

  const readonlyRootFilesystem = spec.readonlyRootFilesystem ?? true;
  const linuxParameters = new ecs.LinuxParameters(scope, 'LinuxParameters', {
    // PID 1 that forwards signals and reaps zombies, so SIGTERM reaches the app and it can drain.
    initProcessEnabled: true,
  });
  const container = taskDefinition.addContainer(containerName, {
    ...options.extraOptions,
    image: spec.image,
    environment: spec.environment,
    secrets: spec.secrets,
    command: spec.command,
    entryPoint: spec.entryPoint,
    healthCheck: spec.healthCheck,
    user: spec.user,
    readonlyRootFilesystem,
    stopTimeout: spec.stopTimeout ?? Duration.seconds(30),
    essential: true,
    linuxParameters,
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: containerName }),
    portMappings: spec.port === undefined ? undefined : [{
      containerPort: spec.port,
      protocol: ecs.Protocol.TCP,
      // ECS accepts port mapping names only in bridge and awsvpc mode.
      name: taskDefinition.networkMode === ecs.NetworkMode.HOST ? undefined : `${containerName}-${spec.port}`,
      appProtocol: options.appProtocol,
    }],
  });

  warnMutableImageTag(scope, container.imageName);

  // A task-scoped scratch volume: writable /tmp even with a read-only root file system.
  const scratchVolume = `${containerName}-tmp`;
  taskDefinition.addVolume({ name: scratchVolume });
  container.addMountPoints({ sourceVolume: scratchVolume, containerPath: '/tmp', readOnly: false });

  grantSecretsKeys(scope, taskDefinition, spec);

  // The execution role's policy holds exactly the log group and secrets grants made above.
  if (taskDefinition.executionRole) {
    acknowledgeGrantPolicy(taskDefinition.executionRole);
    acknowledgeEcrAuthorization(taskDefinition.executionRole);
  }
  acknowledgeGrantPolicy(taskDefinition.taskRole);

  if (isDeployTimeValue(options.extraOptions?.memoryLimitMiB)) {
    acknowledgeGuardRule(
      taskDefinition,
      'ecs_task_definition_memory_hard_limit_check',
      "The container has a hard memory limit (Memory), given as a value only known at deploy time (a parameter or another token); the rule compares it with its 4 MiB minimum at synth and cannot resolve it.",
    );
  }
  if (spec.readonlyRootFilesystem === false) {
    acknowledgeGuardRule(taskDefinition, 'ecs_containers_readonly_access_check', 'The root file system was made writable explicitly with container.readonlyRootFilesystem: false.');
  }
  if (spec.environment && Object.keys(spec.environment).length > 0) {
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions::AwsSolutions-ECS2',
      reason: 'Plain environment variables carry non-secret configuration only; secrets are injected through ECS secrets, and a name set in both is rejected at synth.',
    });
  }
  return { container, logGroup, linuxParameters };
}

/** The id users acknowledge the mutable-image-tag warning with. */
export const MUTABLE_IMAGE_TAG_WARNING = '@cdk-ecs-kit/mutable-image-tag';

/**
 * Warns when the image has no tag or the tag `latest`: each deployment (and each task ECS
 * replaces) may pull a different image, and rolling the stack back restores the task definition
 * but not the image behind the tag. Images pinned by a version tag or a digest, image assets
 * (tagged by content hash) and names or tags given as tokens are left alone.
 */
function warnMutableImageTag(scope: Construct, imageName: string): void {
  if (imageName.includes('@sha256:')) return;
  // The tag follows the last ':' of the last path segment ('host:5000/team/app' has none).
  const lastSegment = imageName.slice(imageName.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  const tag = colon < 0 ? undefined : lastSegment.slice(colon + 1);
  // A token in the tag, or a whole name made of tokens (an asset, an ECR repository without a literal tag), is not checked.
  if (tag !== undefined ? tag !== 'latest' : Token.isUnresolved(imageName)) return;
  const problem = tag === undefined ? `'${imageName}' has no tag, so it runs ':latest'` : `'${Token.isUnresolved(imageName) ? 'the ECR repository image' : imageName}' uses ':latest'`;
  Annotations.of(scope).addWarningV2(
    MUTABLE_IMAGE_TAG_WARNING,
    `[${scope.node.path}] container.image: ${problem}. Deployments are not reproducible (each new task may pull a different image), `
    + 'and a rollback restores the task definition but does not roll back the image. '
    + "Pin a version tag (e.g. 'nginx:1.27.3', or fromEcrRepository(repo, 'v1.2.3')) or a digest ('name@sha256:...'). "
    + `Acknowledge this warning with '${MUTABLE_IMAGE_TAG_WARNING}' if the tag is pinned some other way.`,
  );
}

/**
 * An image from ECR makes CDK grant the execution role ecr:GetAuthorizationToken on '*': the
 * action has no resource-level permissions (the pull actions are scoped to the repository).
 */
function acknowledgeEcrAuthorization(executionRole: iam.IRole): void {
  const policy = executionRole.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  const document = policy?.document.toJSON() as { Statement?: Array<{ Action?: string | string[] }> } | undefined;
  const pullsFromEcr = (document?.Statement ?? [])
    .some((statement) => ([] as string[]).concat(statement.Action ?? []).includes('ecr:GetAuthorizationToken'));
  if (pullsFromEcr) {
    acknowledgeRule(
      executionRole,
      'IAM5[Resource::*]',
      'ecr:GetAuthorizationToken supports no resource-level permissions; the image pull actions are granted on the image repository only.',
      [NagPack.AWS_SOLUTIONS],
    );
  }
}

/**
 * Lets the execution role decrypt the secrets' customer managed keys, through Secrets Manager and
 * SSM only ("Amazon ECS task execution IAM role", required permissions for secrets).
 */
function grantSecretsKeys(scope: Construct, taskDefinition: ecs.TaskDefinition, spec: ContainerSpec): void {
  const keys = spec.secretsEncryptionKeys ?? [];
  if (keys.length === 0) return;
  if (Object.keys(spec.secrets ?? {}).length === 0) {
    fail(scope, 'container.secretsEncryptionKeys', 'is set, but container.secrets is empty: the keys would decrypt nothing.', 'Remove secretsEncryptionKeys, or add the secrets they encrypt.');
  }
  taskDefinition.obtainExecutionRole().addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['kms:Decrypt'],
    resources: keys.map((key) => key.keyArn),
    conditions: { StringEquals: { 'kms:ViaService': [`secretsmanager.${Aws.REGION}.amazonaws.com`, `ssm.${Aws.REGION}.amazonaws.com`] } },
  }));
}
