import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeGrantPolicy, acknowledgeLogRetentionOptOut, acknowledgePlatformKeyElsewhere, acknowledgeRule, NagPack, renderedForNag } from '../core/compliance';
import { checkPort, fail } from '../core/validation';
import type { IEcsPlatform } from '../platform/ecs-platform';
import type { ServiceConnectOptions, ServiceConnectTlsOptions } from './service-connect';

/**
 * Service Connect wiring shared by FargateWebService and Ec2DaemonService: the checks of
 * `serviceConnect`, the proxy's log group and the service's ServiceConnectConfiguration.
 * Not exported from the package.
 */

/**
 * What AWS recommends adding to a task for the Service Connect proxy ("Amazon ECS Service Connect
 * components", task definition section): "We recommend adding an additional 256 CPU units and at
 * least 64 MiB of memory to your task CPU and memory for the Service Connect proxy container."
 */
export const PROXY_CPU_UNITS = 256;
export const PROXY_MEMORY_MIB = 64;

/** The smallest Fargate task (256 CPU units, 512 MiB): the least an app gets without the proxy. */
const SMALLEST_APP = { cpu: 256, memoryMiB: 512 };

/** The managed policy AWS documents for the Service Connect TLS infrastructure role. */
export const TLS_MANAGED_POLICY = 'service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity';

/** Suffix of the Cloud Map service Service Connect registers a server in (distinct from `discoveryName`'s DNS service). */
export const SERVICE_CONNECT_DISCOVERY_SUFFIX = '-sc';

const SERVICE_CONNECT_NAME = /^[a-z]([a-z0-9-]{0,58}[a-z0-9])?$/;

/**
 * Checks that a task with the Service Connect proxy still leaves the app at least the smallest
 * Fargate task: task CPU - 256 >= 256 and task memory - 64 >= 512, so on Fargate's table at
 * least cpu 512 with memoryMiB 1024.
 */
export function checkServiceConnectTaskSize(scope: IConstruct, cpu: number, memoryMiB: number): void {
  if (Token.isUnresolved(cpu) || Token.isUnresolved(memoryMiB)) return;
  const needCpu = SMALLEST_APP.cpu + PROXY_CPU_UNITS;
  const needMemory = SMALLEST_APP.memoryMiB + PROXY_MEMORY_MIB;
  if (cpu >= needCpu && memoryMiB >= needMemory) return;
  fail(
    scope,
    cpu < needCpu ? 'cpu' : 'memoryMiB',
    `a task of ${cpu} CPU units and ${memoryMiB} MiB on a Service Connect platform leaves the app ${cpu - PROXY_CPU_UNITS} CPU units and ${memoryMiB - PROXY_MEMORY_MIB} MiB `
    + `once the proxy has the ${PROXY_CPU_UNITS} CPU units and ${PROXY_MEMORY_MIB} MiB AWS recommends adding for it ("Amazon ECS Service Connect components"); `
    + `the app needs at least ${SMALLEST_APP.cpu} CPU units and ${SMALLEST_APP.memoryMiB} MiB (the smallest Fargate task), so the task needs at least ${needCpu} CPU units and ${needMemory} MiB.`,
    'Use cpu: 512 with memoryMiB: 1024 or larger.',
  );
}

/** What a Service Connect server registers, resolved from `serviceConnect` and the service's props. */
export interface ServiceConnectServer {
  /** The client alias, e.g. 'orders'. */
  readonly name: string;
  /** The port clients call. */
  readonly port: number;
  /** The name of the container port mapping the proxy forwards to. */
  readonly portMappingName: string;
  readonly appProtocol?: ecs.AppProtocol;
  readonly timeout?: Duration;
  readonly idleTimeout?: Duration;
  readonly tls?: ServiceConnectTlsOptions;
}

/** Where the server runs, for the checks that depend on it. */
export interface ServiceConnectServerContext {
  readonly platform: IEcsPlatform;
  /** The service's Cloud Map DNS name, the default `name`. */
  readonly discoveryName?: string;
  /** The container port the proxy forwards to. */
  readonly containerPort?: number;
  /** The name of that port's mapping. */
  readonly portMappingName?: string;
  readonly networkMode: ecs.NetworkMode;
  readonly defaultAppProtocol?: ecs.AppProtocol;
}

/** Checks `serviceConnect` and resolves it; also claims the name on the platform. */
export function resolveServiceConnectServer(
  scope: IConstruct,
  options: ServiceConnectOptions,
  context: ServiceConnectServerContext,
): ServiceConnectServer {
  const { platform, networkMode } = context;
  if (!platform.serviceConnectEnabled) {
    fail(
      scope,
      'serviceConnect',
      `${platform.node.path} has no Service Connect namespace, so the service cannot serve through Service Connect.`,
      'Create the platform with serviceConnect: true (or import it with serviceConnect: true), or remove serviceConnect.',
    );
  }
  if (networkMode !== ecs.NetworkMode.AWS_VPC && networkMode !== ecs.NetworkMode.BRIDGE) {
    fail(scope, 'serviceConnect', `ECS supports Service Connect only in awsvpc and bridge mode, and the network mode is ${networkMode}.`, 'Use networkMode AWS_VPC or BRIDGE, or remove serviceConnect.');
  }
  if (context.containerPort === undefined || context.portMappingName === undefined) {
    fail(scope, 'serviceConnect', 'needs the port the container listens on.', 'Set container.port.');
  }
  const name = options.name ?? context.discoveryName;
  if (name === undefined) {
    fail(scope, 'serviceConnect.name', 'is required when the service has no discoveryName: it is the name clients call.', "Set serviceConnect.name (e.g. 'orders'), or discoveryName.");
  }
  if (!Token.isUnresolved(name) && !SERVICE_CONNECT_NAME.test(name)) {
    fail(
      scope,
      options.name === undefined ? 'serviceConnect.name (from discoveryName)' : 'serviceConnect.name',
      `'${name}' is not a valid Service Connect name.`,
      "Use 1-60 lower-case letters, digits or hyphens, starting with a letter and ending with a letter or digit (e.g. 'orders').",
    );
  }
  checkPort(scope, 'serviceConnect.port', options.port);
  const appProtocol = options.appProtocol ?? context.defaultAppProtocol;
  checkTimeout(scope, 'serviceConnect.timeout', options.timeout);
  checkTimeout(scope, 'serviceConnect.idleTimeout', options.idleTimeout);
  if (options.timeout !== undefined && appProtocol === undefined) {
    fail(
      scope,
      'serviceConnect.timeout',
      'applies to HTTP, HTTP/2 and gRPC only, and the port has no appProtocol (TCP).',
      'Set serviceConnect.appProtocol (e.g. ecs.AppProtocol.http), or use idleTimeout for TCP.',
    );
  }
  if (options.tls) {
    if (networkMode !== ecs.NetworkMode.AWS_VPC) {
      fail(scope, 'serviceConnect.tls', `ECS supports Service Connect TLS only in awsvpc mode, and the network mode is ${networkMode}.`, 'Use networkMode AWS_VPC, or remove tls.');
    }
    const arn = options.tls.certificateAuthorityArn;
    if (!Token.isUnresolved(arn) && !/^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[A-Za-z0-9-]+$/.test(arn)) {
      fail(scope, 'serviceConnect.tls.certificateAuthorityArn', `'${arn}' is not an AWS Private CA certificate authority ARN.`, "Use 'arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/ID'.");
    }
  }
  platform.claimServiceConnectName(scope, name);
  return {
    name,
    port: options.port ?? context.containerPort,
    portMappingName: context.portMappingName,
    appProtocol,
    timeout: options.timeout,
    idleTimeout: options.idleTimeout,
    tls: options.tls,
  };
}

function checkTimeout(scope: IConstruct, prop: string, value: Duration | undefined): void {
  if (value === undefined || value.isUnresolved()) return;
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 2147483647) {
    fail(scope, prop, `must be a whole number of seconds from 0 (off) to 2147483647, got ${seconds} seconds.`);
  }
}

/** What `enableServiceConnect` made. */
export interface ServiceConnectResources {
  /** The log group of the proxy's logs and access logs. */
  readonly logGroup: logs.LogGroup;
  /** The role ECS uses for TLS certificates, when the server has `tls`. */
  readonly tlsRole?: iam.IRole;
}

/**
 * Makes `service` a Service Connect client on the platform's namespace and, with `server`, a
 * server under `server.name`. The proxy's logs and JSON access logs go to a log group
 * ('ServiceConnectLogGroup' in `scope`) encrypted with the platform key and retained.
 */
export function enableServiceConnect(
  scope: Construct,
  platform: IEcsPlatform,
  service: ecs.BaseService,
  server?: ServiceConnectServer,
): ServiceConnectResources {
  const logGroup = new logs.LogGroup(scope, 'ServiceConnectLogGroup', {
    encryptionKey: platform.encryptionKey,
    retention: platform.logRetention,
    // Retained, like the container's logs: the proxy's access logs show who called whom.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgePlatformKeyElsewhere(logGroup, platform);
  acknowledgeLogRetentionOptOut(logGroup, platform.logRetention, `logRetention on ${platform.node.path}`);
  const tlsRole = server?.tls ? tlsRoleFor(scope, server.tls) : undefined;
  service.enableServiceConnect({
    // The ARN, not the name: ECS creates a new namespace for a name it does not find
    // (aws/aws-cdk#25616), and the ARN also works for platforms imported from another app.
    namespace: platform.namespace.namespaceArn,
    logDriver: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'service-connect' }),
    // Query strings stay out of the logs: they may carry tokens.
    accessLogConfiguration: { format: ecs.ServiceConnectAccessLogFormat.JSON, includeQueryParameters: false },
    services: server ? [{
      portMappingName: server.portMappingName,
      // Its own Cloud Map service: `discoveryName` keeps its DNS records for clients without a proxy.
      discoveryName: `${server.name}${SERVICE_CONNECT_DISCOVERY_SUFFIX}`,
      dnsName: server.name,
      port: server.port,
      perRequestTimeout: server.timeout,
      idleTimeout: server.idleTimeout,
      tls: server.tls ? {
        awsPcaAuthorityArn: server.tls.certificateAuthorityArn,
        kmsKey: server.tls.kmsKey,
        role: tlsRole,
      } : undefined,
    }] : undefined,
  });
  // Created after the namespace (and deleted before it), also when the ARN is not a reference.
  service.node.addDependency(platform.namespace);
  return { logGroup, tlsRole };
}

function tlsRoleFor(scope: Construct, tls: ServiceConnectTlsOptions): iam.IRole {
  const tlsPolicy = iam.ManagedPolicy.fromAwsManagedPolicyName(TLS_MANAGED_POLICY);
  const role = tls.role ?? new iam.Role(scope, 'ServiceConnectTlsRole', {
    assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
    description: `Service Connect TLS certificates of ${scope.node.path}`,
    managedPolicies: [tlsPolicy],
  });
  if (!tls.role) {
    acknowledgeTlsManagedPolicy(role, tlsPolicy);
  }
  if (tls.kmsKey) {
    tls.kmsKey.grant(role, 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair', 'kms:DescribeKey');
    if (!tls.role) acknowledgeGrantPolicy(role);
  }
  return role;
}

function acknowledgeTlsManagedPolicy(role: IConstruct, policy: iam.IManagedPolicy): void {
  acknowledgeRule(
    role,
    // The ARN as rendered in the role's stack (a literal partition where aws-cdk-lib knows it).
    `IAM4[Policy::${renderedForNag(role, policy.managedPolicyArn)}]`,
    'The AWS managed policy AWS documents for the Service Connect TLS infrastructure role: it lets ECS issue and rotate certificates only from Private CA authorities tagged AmazonECSManaged=true, and AWS keeps it in step with what the feature needs.',
    [NagPack.AWS_SOLUTIONS],
  );
}
