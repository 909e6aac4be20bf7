import { Aws, Duration, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ContainerSpec } from '../workload/container-spec';
import { allowCloudWatchAlarmsToPublish } from '../workload/alarm-topic';
import { acknowledgeGuardRule, acknowledgeRule, COMPLIANCE_PACKS, NagPack, renderedForNag } from '../core/compliance';
import {
  checkCapacityBounds,
  checkDesiredCount,
  checkDnsLabel,
  checkDurationSeconds,
  checkIntegerInRange,
  isDeployTimeValue,
  requireSynthTimeValue,
  checkPercent,
  fail,
} from '../core/validation';
import { dependOnCapacityProviderAssociation } from '../workload/capacity';
import { checkWebDeployment } from './deployment-checks';
import { linkWorkloads } from '../workload/links';
import { checkConditionValueCount, checkHostHeaders, checkPathPatterns, checkRulePriority } from '../ingress/web-checks';
import { checkSameEnvironment } from '../core/validation';
import type { IEcsPlatform } from '../platform/ecs-platform';
import type { IWebIngress } from '../ingress/web-ingress';
import { checkWorkloadSubnets, defaultTaskSubnets } from '../core/subnets';
import { createWorkloadCore, resolveTaskSize } from '../workload/workload-core';
import { checkServiceConnectTaskSize, enableServiceConnect, PROXY_MEMORY_MIB, resolveServiceConnectServer } from '../workload/service-connect-wiring';
import { DEFAULT_CONTAINER_NAME } from '../core/defaults';
import type { ServiceConnectOptions } from '../workload/service-connect';
import type { TaskSizeProps } from '../workload/task-size';
import { WebDeployment } from './web-deployment';

/**
 * Target-tracking auto scaling of a FargateWebService. Each target (CPU, memory, requests per
 * target) becomes its own policy when given; the service scales out when any is above target
 * and in when all are below.
 */
export interface AutoScalingOptions {
  /**
   * The fewest tasks the service runs.
   *
   * @default - the service's `desiredCount` (2 unless set)
   */
  readonly minCapacity?: number;

  /** The most tasks the service may run. */
  readonly maxCapacity: number;

  /**
   * The average CPU utilization, in percent (0-100], to keep the service at.
   *
   * @default - no CPU scaling
   */
  readonly targetCpuPercent?: number;

  /**
   * The average memory utilization, in percent (0-100], to keep the service at.
   *
   * @default - no memory scaling
   */
  readonly targetMemoryPercent?: number;

  /**
   * The load balancer requests per task per minute to keep the service at. Needs an `ingress`.
   * With a traffic-shifting `deployment` it tracks the sum of both target groups'
   * RequestCountPerTarget (metric math), so it keeps working after ECS swaps them.
   *
   * @default - no request-count scaling
   */
  readonly requestsPerTarget?: number;

  /**
   * How long after a scale-in another scale-in may start.
   *
   * @default Duration.seconds(300) - scale in slowly, so a short lull does not drop capacity
   * a returning peak needs
   */
  readonly scaleInCooldown?: Duration;

  /**
   * How long after a scale-out another scale-out may start.
   *
   * @default Duration.seconds(60) - Application Auto Scaling's default is 300 s, too slow to
   * follow a rising peak
   */
  readonly scaleOutCooldown?: Duration;
}

/**
 * Properties of a FargateWebService.
 */
export interface FargateWebServiceProps extends TaskSizeProps {
  /** The platform (VPC, cluster, Cloud Map namespace, KMS key) the service runs on. */
  readonly platform: IEcsPlatform;

  /** The container the service runs. `port` is required: it is what the service serves on. */
  readonly container: ContainerSpec;

  /**
   * How many tasks run when the service has no `autoScaling` (and the default `minCapacity`
   * when it has).
   *
   * @default 2 - one task can fail or be replaced while another serves
   */
  readonly desiredCount?: number;

  /**
   * The shared load balancer to serve through. Without one the service is reachable only
   * inside the VPC, through `discoveryName` and `allowFrom`.
   *
   * @default - no load balancer
   */
  readonly ingress?: IWebIngress;

  /**
   * Host names (host-header condition) the ingress routes to this service, e.g.
   * ['api.example.com']. Together with `pathPatterns` at most 5 values.
   *
   * @default - any host
   */
  readonly hostHeaders?: string[];

  /**
   * URL paths (path-pattern condition) the ingress routes to this service, e.g. ['/api/*'].
   * Together with `hostHeaders` at most 5 values.
   *
   * @default - any path; with no `hostHeaders` either, the service takes every request no
   * other service matches (one such service per ingress)
   */
  readonly pathPatterns?: string[];

  /**
   * The listener rule priority, 1 to 49999; lower numbers are evaluated first. Set it when
   * another service's conditions overlap this one's (e.g. '/api/*' and '/*').
   *
   * @default - derived from a hash of the construct path: stable, between 1000 and 49999,
   * unaffected by other services; 50000 for a service without host or path conditions
   */
  readonly priority?: number;

  /**
   * The port of the service's target groups. ECS registers each task at `container.port`
   * whatever this is (Elastic Load Balancing's RegisterTargets takes a port per target that
   * overrides the group's, and ECS passes the container port), and the health check goes to the
   * port a target is registered at. But the group's port cannot change in place: a new port
   * replaces the target group, and the listener then forwards to a new, empty group.
   *
   * So when you change `container.port` of a deployed service, set this to the port it had
   * (the port the target groups were created with): the groups are kept, and the rolling or
   * traffic-shifting deployment registers the new tasks at the new port.
   *
   * @default - `container.port`
   */
  readonly targetGroupPort?: number;

  /**
   * How long the load balancer waits for in-flight requests before it removes a stopping task.
   *
   * @default Duration.seconds(30) - aws-cdk-lib's 300 s holds every rolling deploy step for
   * five minutes
   */
  readonly deregistrationDelay?: Duration;

  /**
   * How long ECS ignores failing load balancer health checks of a new task, for slow starts.
   *
   * @default Duration.seconds(60) when attached to an ingress
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * Target-tracking auto scaling.
   *
   * @default - a fixed `desiredCount` of tasks
   */
  readonly autoScaling?: AutoScalingOptions;

  /**
   * The name the service registers in the platform's Cloud Map namespace (an A record per
   * task), e.g. 'orders' for orders.internal.
   *
   * @default - not registered
   */
  readonly discoveryName?: string;

  /**
   * The weight of Fargate Spot in the capacity provider strategy, against Fargate's weight 1
   * (e.g. 3: of the tasks beyond the first, three in four run on Spot). The first task always
   * runs on on-demand Fargate. With ARM64 see the README: AWS documents Fargate Spot for ARM64 both ways.
   *
   * @default 0 - no Spot; Spot tasks can be stopped with two minutes' notice
   */
  readonly fargateSpotWeight?: number;

  /**
   * Whether `aws ecs execute-command` can open a shell in the service's tasks. ECS Exec needs
   * `container.readonlyRootFilesystem: false`.
   *
   * @default false
   */
  readonly enableExecuteCommand?: boolean;

  /**
   * An SNS topic for the service's alarms: target 5xx responses and unhealthy targets (both
   * also roll a deployment back), and high CPU. A topic of this app (`sns.Topic`) gets a topic
   * policy statement that lets `cloudwatch.amazonaws.com` publish this service's alarms, and, when
   * a key of this app encrypts it, a key policy statement that lets CloudWatch use the key. An
   * imported topic must already allow both (see the README, "Permissions").
   *
   * @default - no alarms
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * How a new version rolls out: `WebDeployment.rolling()`, or a traffic-shifting
   * `WebDeployment.canary()`, `.linear()` or `.blueGreen()` on two target groups of the
   * `ingress` (required for those), rolled back automatically on the 5xx and unhealthy-target
   * alarms of both target groups.
   *
   * @default WebDeployment.rolling() - ECS's rolling update, with the circuit breaker
   */
  readonly deployment?: WebDeployment;

  /**
   * The subnets the tasks run in. Tasks never get a public IP, so these subnets need a route
   * to a NAT gateway (or VPC endpoints) for image pulls and AWS APIs.
   *
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Serve through Service Connect under a name, e.g. `{ name: 'orders' }`: tasks of the other
   * services on the platform call http://orders:PORT through their proxy. Needs a platform with
   * `serviceConnect: true`; on such a platform every service is a client anyway. Callers still
   * need `allowFrom`.
   *
   * @default - not a Service Connect server (a client only, on a Service Connect platform)
   */
  readonly serviceConnect?: ServiceConnectOptions;
}

/**
 * A Fargate service that serves HTTP: private subnets, no public IP, a circuit breaker that
 * rolls failed deployments back, optional routing through a shared WebIngress, Cloud Map
 * name, target-tracking scaling and alarms.
 */
export class FargateWebService extends Construct implements ec2.IConnectable {
  /** The ECS service. */
  public readonly service: ecs.FargateService;

  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;

  /** The service's container. */
  public readonly container: ecs.ContainerDefinition;

  /** The port the container serves on. */
  public readonly port: number;

  /**
   * The service's own security group: accepts nothing until `allowFrom` opens the container
   * port. Behind an ingress the tasks also carry the ingress's `targetSecurityGroup`, which lets
   * the load balancer in.
   */
  public readonly securityGroup: ec2.SecurityGroup;

  /** The connections of the service's own security group; the default port is the container port. */
  public readonly connections: ec2.Connections;

  /** The role the application in the container runs as; grant it what the app calls. */
  public readonly taskRole: iam.IRole;

  /** The role ECS uses to pull the image, write logs and read the container's secrets. */
  public readonly executionRole: iam.IRole;

  /** The container's log group, KMS-encrypted and retained. */
  public readonly logGroup: logs.LogGroup;

  /**
   * The target group the ingress forwards to.
   *
   * @default - undefined without an ingress
   */
  public readonly targetGroup?: elbv2.ApplicationTargetGroup;

  /**
   * The ingress listener rule that routes to the service.
   *
   * @default - undefined without an ingress
   */
  public readonly listenerRule?: elbv2.ApplicationListenerRule;

  /**
   * The listener rule's priority.
   *
   * @default - undefined without an ingress
   */
  public readonly listenerPriority?: number;

  /** How new versions roll out. */
  public readonly deployment: WebDeployment;

  /**
   * The second target group of a traffic-shifting deployment: ECS starts the new version in
   * whichever of `targetGroup` and this one is idle, then shifts the production rule's weights.
   * A rolling deployment with `keepAlternateTargetGroup` keeps it and registers every task in both.
   *
   * @default - undefined for a rolling deployment
   */
  public readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;

  /**
   * The test listener rule of a deployment with a `testHeader`.
   *
   * @default - undefined without a test header
   */
  public readonly testListenerRule?: elbv2.ApplicationListenerRule;

  /**
   * The role ECS assumes to shift traffic: scoped to this service's listener rules and target
   * groups.
   *
   * @default - undefined for a rolling deployment
   */
  public readonly deploymentRole?: iam.IRole;

  /**
   * The scalable task count; add step or scheduled scaling to it.
   *
   * @default - undefined without `autoScaling`
   */
  public readonly scalableTarget?: ecs.ScalableTaskCount;

  /**
   * The Cloud Map service the tasks register in.
   *
   * @default - undefined without `discoveryName`
   */
  public readonly cloudMapService?: servicediscovery.IService;

  /** The alarms created for `alarmTopic` (empty without one). */
  public readonly alarms: cloudwatch.Alarm[];

  /**
   * The log group of the Service Connect proxy's logs and access logs, KMS-encrypted and retained.
   *
   * @default - undefined unless the platform has Service Connect
   */
  public readonly serviceConnectLogGroup?: logs.LogGroup;

  /**
   * The role ECS uses to issue the Service Connect TLS certificates.
   *
   * @default - undefined without `serviceConnect.tls`
   */
  public readonly serviceConnectTlsRole?: iam.IRole;

  constructor(scope: Construct, id: string, props: FargateWebServiceProps) {
    super(scope, id);
    const { platform, ingress } = props;
    checkSameEnvironment(this, 'platform', platform, 'EcsPlatform.fromAttributes(...) or EcsPlatform.fromPlatformName(...)');
    if (ingress) checkSameEnvironment(this, 'ingress', ingress, 'WebIngress.fromAttributes(...) or WebIngress.fromIngressName(...)');
    this.deployment = props.deployment ?? WebDeployment.rolling();
    const shifting = this.deployment.shiftsTraffic;

    if (props.container.port === undefined) {
      fail(this, 'container.port', 'is required for a web service: it is the port the load balancer and other services connect to.', 'Set container.port to the TCP port the app listens on (e.g. 8080).');
    }
    this.port = props.container.port;
    const size = resolveTaskSize(this, props);
    const desiredCount = props.desiredCount ?? 2;
    checkDesiredCount(this, 'desiredCount', desiredCount);
    checkIntegerInRange(this, 'fargateSpotWeight', props.fargateSpotWeight, 0, 1000);
    checkDnsLabel(this, 'discoveryName', props.discoveryName);
    checkWorkloadSubnets(this, platform.vpc, props.vpcSubnets);
    checkDurationSeconds(this, 'deregistrationDelay', props.deregistrationDelay, 0, 3600);
    checkDurationSeconds(this, 'healthCheckGracePeriod', props.healthCheckGracePeriod, 0, 2147483647);
    const hostHeaders = props.hostHeaders ?? [];
    const pathPatterns = props.pathPatterns ?? [];
    checkHostHeaders(this, 'hostHeaders', hostHeaders);
    checkPathPatterns(this, 'pathPatterns', pathPatterns);
    checkConditionValueCount(this, hostHeaders, pathPatterns);
    checkRulePriority(this, 'priority', props.priority);
    checkIntegerInRange(this, 'targetGroupPort', props.targetGroupPort, 1, 65535);
    if (!ingress) {
      const routed = ['hostHeaders', 'pathPatterns', 'priority', 'targetGroupPort', 'deregistrationDelay', 'healthCheckGracePeriod']
        .filter((prop) => (props as unknown as Record<string, unknown>)[prop] !== undefined);
      if (props.autoScaling?.requestsPerTarget !== undefined) routed.push('autoScaling.requestsPerTarget');
      if (routed.length > 0) {
        const others = routed.length > 1 ? ` (nor do ${routed.slice(1).join(', ')})` : '';
        fail(this, routed[0], `only applies to a service behind an ingress, and no ingress was given${others}.`, 'Pass ingress, or remove these props.');
      }
    }
    if (props.enableExecuteCommand && props.container.readonlyRootFilesystem !== false) {
      fail(
        this,
        'enableExecuteCommand',
        'needs a writable root file system: the SSM agent ECS Exec runs in the container writes to it, and container.readonlyRootFilesystem is true (the default).',
        'Set container.readonlyRootFilesystem: false together with enableExecuteCommand, or leave ECS Exec off.',
      );
    }
    checkWebDeployment(this, this.deployment, ingress !== undefined);
    if (this.deployment.keepAlternateTargetGroup && !ingress) {
      fail(this, 'deployment', 'is WebDeployment.rolling({ keepAlternateTargetGroup: true }), which keeps the second target group of a load balancer, and no ingress was given.',
        'Remove keepAlternateTargetGroup: a service without an ingress has no target groups.');
    }
    if (shifting && this.deployment.testHeader) {
      requireSynthTimeValue(this, 'priority', props.priority,
        'and the test rule of deployment.testHeader needs the priority just before it (priority - 1), which CloudFormation cannot compute.',
        'Give a literal priority (2 to 49999), or leave priority unset for a derived one.');
    }
    if (shifting && props.priority === 1 && this.deployment.testHeader) {
      fail(this, 'priority', 'is 1, and the test rule of deployment.testHeader needs the priority just before the production rule.', 'Use a priority of 2 or more.');
    }
    const scaling = props.autoScaling ? this.validateAutoScaling(props.autoScaling, desiredCount) : undefined;
    if (props.discoveryName) platform.claimDiscoveryName(this, props.discoveryName);
    // On a Service Connect platform every task runs the proxy, as a client at least.
    if (platform.serviceConnectEnabled) checkServiceConnectTaskSize(this, size.cpu, size.memoryMiB);
    const serviceConnectServer = props.serviceConnect === undefined ? undefined : resolveServiceConnectServer(this, props.serviceConnect, {
      platform,
      discoveryName: props.discoveryName,
      containerPort: this.port,
      portMappingName: `${DEFAULT_CONTAINER_NAME}-${this.port}`,
      networkMode: ecs.NetworkMode.AWS_VPC,
      defaultAppProtocol: ecs.AppProtocol.http,
    });

    // The task's only container: its hard limit is the task's memory (Control Tower CT.ECS.PR.7),
    // less the Service Connect proxy's share when the task runs one. CloudFormation cannot
    // subtract, so with a deploy-time memoryMiB on a Service Connect platform the container has no
    // limit of its own and shares the task's memory with the proxy.
    const proxyMemoryMiB = platform.serviceConnectEnabled ? PROXY_MEMORY_MIB : 0;
    const appMemoryLimitMiB = proxyMemoryMiB === 0 ? size.memoryMiB
      : isDeployTimeValue(size.memoryMiB) ? undefined : size.memoryMiB - proxyMemoryMiB;
    const core = createWorkloadCore(this, {
      platform,
      taskDefinition: { kind: 'fargate', size },
      container: props.container,
      securityGroupDescription: `Tasks of ${this.node.path}`,
      containerOptions: { memoryLimitMiB: appMemoryLimitMiB },
      appProtocol: serviceConnectServer?.appProtocol,
      defaultPort: this.port,
    });
    this.taskDefinition = core.taskDefinition;
    this.container = core.container;
    this.logGroup = core.logGroup;
    this.taskRole = core.taskRole;
    this.executionRole = core.executionRole;
    this.securityGroup = core.securityGroup!;
    this.connections = core.connections;
    if (appMemoryLimitMiB === undefined) {
      acknowledgeGuardRule(
        this.taskDefinition,
        'ecs_task_definition_memory_hard_limit_check',
        'memoryMiB is only known at deploy time and the task runs the Service Connect proxy: the app container\'s limit would be memoryMiB less the proxy\'s 64 MiB, which CloudFormation cannot compute, so the task memory (Memory of the task definition) is the hard limit of both containers together.',
      );
    }

    const spotWeight = props.fargateSpotWeight ?? 0;
    // A deploy-time weight may be 0 or more: the Spot provider is always listed then.
    const useSpot = isDeployTimeValue(spotWeight) || spotWeight > 0;
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: platform.cluster,
      taskDefinition: this.taskDefinition,
      // With auto scaling the count is left to Application Auto Scaling (registering the target
      // raises it to minCapacity): a count in the template would reset it on every deploy.
      desiredCount: scaling ? undefined : desiredCount,
      assignPublicIp: false,
      vpcSubnets: props.vpcSubnets ?? defaultTaskSubnets(platform.vpc),
      // Behind an ingress of this app the tasks also carry its target security group, which the
      // load balancer may reach (rules once per port, with the ingress); an imported ingress opens
      // this service's own group instead.
      securityGroups: [this.securityGroup, ...(ingress?.connectTargets(this, this.securityGroup, this.port) ?? [])],
      // Always a strategy, never a launch type: switching between the two replaces the service.
      capacityProviderStrategies: useSpot
        ? [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: spotWeight }]
        : [{ capacityProvider: 'FARGATE', weight: 1 }],
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: ingress ? props.healthCheckGracePeriod ?? Duration.seconds(60) : undefined,
      enableExecuteCommand: props.enableExecuteCommand ?? false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
      // Leaving a traffic-shifting strategy: ROLLING stated, not left to the default of a removed property.
      ...(this.deployment.keepAlternateTargetGroup && !shifting ? { deploymentStrategy: ecs.DeploymentStrategy.ROLLING } : {}),
      // Only for traffic-shifting deployments: a rolling service's template stays as it was.
      ...(shifting ? {
        deploymentStrategy: this.deployment.strategy,
        bakeTime: this.deployment.bakeTime,
        canaryConfiguration: this.deployment.strategy === ecs.DeploymentStrategy.CANARY
          ? { stepPercent: this.deployment.stepPercent, stepBakeTime: this.deployment.stepBakeTime } : undefined,
        linearConfiguration: this.deployment.strategy === ecs.DeploymentStrategy.LINEAR
          ? { stepPercent: this.deployment.stepPercent, stepBakeTime: this.deployment.stepBakeTime } : undefined,
        lifecycleHooks: this.deployment.lifecycleHooks,
      } : {}),
      cloudMapOptions: props.discoveryName === undefined ? undefined : {
        cloudMapNamespace: platform.namespace,
        name: props.discoveryName,
        dnsRecordType: servicediscovery.DnsRecordType.A,
        // 10 s: the 60 s default keeps stopped tasks' addresses in caches for a minute.
        dnsTtl: Duration.seconds(10),
      },
    });
    this.cloudMapService = this.service.cloudMapService;
    dependOnCapacityProviderAssociation(this.service, platform.cluster);
    if (platform.serviceConnectEnabled) {
      const serviceConnect = enableServiceConnect(this, platform, this.service, serviceConnectServer);
      this.serviceConnectLogGroup = serviceConnect.logGroup;
      this.serviceConnectTlsRole = serviceConnect.tlsRole;
      const testHeader = this.deployment.shiftsTraffic ? this.deployment.testHeader : undefined;
      if (serviceConnectServer && testHeader) {
        // Service Connect clients send requests carrying the test header to the new version during
        // the test stage, like the ingress's test rule (ECS "Service Connect resources for blue/green
        // deployments"; the default header would be x-amzn-ecs-blue-green-test). A client alias property
        // in CloudFormation, L1 only: aws-cdk-lib 2.276 has no prop for it.
        (this.service.node.defaultChild as ecs.CfnService).addPropertyOverride('ServiceConnectConfiguration.Services.0.ClientAliases.0.TestTrafficRules', {
          Header: { Name: testHeader.name, Value: { Exact: testHeader.value } },
        });
      }
    }
    if (props.enableExecuteCommand) {
      // An EcsPlatform's cluster names its exec log group, so the task role may write only there;
      // an imported cluster names none, and aws-cdk-lib then grants the session log writes on '*'
      // (unless @aws-cdk/aws-ecs:reduceEc2FargateCloudWatchPermissions is on).
      const execLogGroup = platform.cluster.executeCommandConfiguration?.logConfiguration?.cloudWatchLogGroup;
      if (execLogGroup) {
        // The ARN aws-cdk-lib writes for the session logs; ':*' stands for the log streams.
        const streams = `arn:${Stack.of(this).partition}:logs:${this.service.env.region}:${this.service.env.account}:log-group:${execLogGroup.logGroupRef.logGroupName}:*`;
        acknowledgeRule(
          this.taskRole,
          `IAM5[Resource::${renderedForNag(this, streams)}]`,
          'ECS Exec writes the session logs to log streams it creates in the platform\'s ECS Exec log group; the wildcard stands for those streams only.',
          [NagPack.AWS_SOLUTIONS],
        );
      }
      const execLogs = execLogGroup
        ? 'logs:DescribeLogGroups (a list action; the session log writes are scoped to the platform\'s ECS Exec log group)'
        : 'the session log writes aws-cdk-lib grants on \'*\' because the imported cluster names no ECS Exec log group (the sessions log to the container\'s awslogs group)';
      acknowledgeRule(
        this.taskRole,
        'IAM5[Resource::*]',
        `ECS Exec needs ssmmessages channel actions, which support no resource-level permissions, and ${execLogs}; it was turned on explicitly with enableExecuteCommand.`,
        [NagPack.AWS_SOLUTIONS],
      );
    }

    if (ingress) {
      const attached = this.attachToIngress(ingress, hostHeaders, pathPatterns, props);
      this.targetGroup = attached.targetGroup;
      this.listenerRule = attached.listenerRule;
      this.listenerPriority = attached.priority;
      this.alternateTargetGroup = attached.alternateTargetGroup;
      this.testListenerRule = attached.testListenerRule;
      this.deploymentRole = attached.deploymentRole;
    }

    if (scaling) {
      this.scalableTarget = this.service.autoScaleTaskCount({ minCapacity: scaling.minCapacity, maxCapacity: scaling.maxCapacity });
      const cooldowns = {
        scaleInCooldown: scaling.scaleInCooldown ?? Duration.seconds(300),
        scaleOutCooldown: scaling.scaleOutCooldown ?? Duration.seconds(60),
      };
      if (scaling.targetCpuPercent !== undefined) {
        this.scalableTarget.scaleOnCpuUtilization('CpuScaling', { targetUtilizationPercent: scaling.targetCpuPercent, ...cooldowns });
      }
      if (scaling.targetMemoryPercent !== undefined) {
        this.scalableTarget.scaleOnMemoryUtilization('MemoryScaling', { targetUtilizationPercent: scaling.targetMemoryPercent, ...cooldowns });
      }
      if (scaling.requestsPerTarget !== undefined && this.targetGroup && this.alternateTargetGroup && ingress) {
        this.scaleOnRequestsOfBothTargetGroups(ingress, scaling.requestsPerTarget, cooldowns);
      } else if (scaling.requestsPerTarget !== undefined && this.targetGroup) {
        this.scalableTarget.scaleOnRequestCount('RequestScaling', { requestsPerTarget: scaling.requestsPerTarget, targetGroup: this.targetGroup, ...cooldowns });
      }
    }

    // A traffic-shifting deployment always gets its deployment alarms: they are how ECS rolls it back.
    this.alarms = props.alarmTopic || (shifting && ingress) ? this.createAlarms(props.alarmTopic, ingress) : [];
  }

  /**
   * Opens the container port to `other` (another service, a security group, a peer).
   *
   * `other` may be in another stack: the rule is placed in whichever of the two stacks already
   * depends on the other (the service's stack when neither does), so links between stacks in both
   * directions never make a dependency cycle. A caller in another region, account, Stage or app
   * is a synth error; pass its security group imported by id instead.
   */
  public allowFrom(other: ec2.IConnectable, description?: string): void {
    linkWorkloads(this, other, ec2.Port.tcp(this.port), description ?? `to ${this.node.path} on ${this.port}`);
  }

  private validateAutoScaling(options: AutoScalingOptions, desiredCount: number): AutoScalingOptions & { minCapacity: number } {
    const minCapacity = options.minCapacity ?? desiredCount;
    checkCapacityBounds(this, 'autoScaling.minCapacity', minCapacity, 'autoScaling.maxCapacity', options.maxCapacity);
    checkIntegerInRange(this, 'autoScaling.maxCapacity', options.maxCapacity, 1, 5000);
    checkPercent(this, 'autoScaling.targetCpuPercent', options.targetCpuPercent);
    checkPercent(this, 'autoScaling.targetMemoryPercent', options.targetMemoryPercent);
    checkIntegerInRange(this, 'autoScaling.requestsPerTarget', options.requestsPerTarget, 1, 1_000_000);
    checkDurationSeconds(this, 'autoScaling.scaleInCooldown', options.scaleInCooldown, 0, 86400);
    checkDurationSeconds(this, 'autoScaling.scaleOutCooldown', options.scaleOutCooldown, 0, 86400);
    return { ...options, minCapacity };
  }

  private attachToIngress(ingress: IWebIngress, hostHeaders: string[], pathPatterns: string[], props: FargateWebServiceProps) {
    const priority = ingress.claimRoute(this, { hostHeaders, pathPatterns, priority: props.priority });
    const shifting = this.deployment.shiftsTraffic;

    // Two groups while traffic shifts, and while a rolling service keeps the alternate one.
    const twoGroups = this.deployment.hasAlternateTargetGroup;

    const newTargetGroup = (id: string) => new elbv2.ApplicationTargetGroup(this, id, {
      vpc: props.platform.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      // Only the group's default: ECS registers each task at the container port (see targetGroupPort).
      port: props.targetGroupPort ?? this.port,
      deregistrationDelay: props.deregistrationDelay ?? Duration.seconds(30),
      // Healthy after 2 checks 10 s apart: a new task takes traffic about 20 s after it starts.
      healthCheck: {
        path: props.container.healthCheckPath ?? '/',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
        healthyHttpCodes: '200-399',
      },
    });
    const targetGroup = newTargetGroup('TargetGroup');
    const alternateTargetGroup = twoGroups ? newTargetGroup('AlternateTargetGroup') : undefined;

    const conditions: elbv2.ListenerCondition[] = [];
    if (hostHeaders.length > 0) conditions.push(elbv2.ListenerCondition.hostHeaders(hostHeaders));
    if (pathPatterns.length > 0) conditions.push(elbv2.ListenerCondition.pathPatterns(pathPatterns));
    // A rule needs a condition: a catch-all service matches every path, at the last priority.
    if (conditions.length === 0) conditions.push(elbv2.ListenerCondition.pathPatterns(['/*']));
    // Both target groups in every rule, production at weight 100: ECS rewrites the weights during
    // a deployment. Nothing here depends on the image, task size or scaling, so a stack update
    // that changes only those never rewrites (and so never resets) the weights. A rolling service
    // keeping the alternate group renders the same action, so leaving a traffic-shifting strategy
    // leaves the rule (and the weights ECS last set) alone.
    const action = alternateTargetGroup
      ? elbv2.ListenerAction.weightedForward([{ targetGroup, weight: 100 }, { targetGroup: alternateTargetGroup, weight: 0 }])
      : elbv2.ListenerAction.forward([targetGroup]);
    // In this construct's scope, so it lives in the service's stack, not the ingress's.
    const listenerRule = new elbv2.ApplicationListenerRule(this, 'ListenerRule', {
      listener: ingress.listener,
      priority,
      conditions,
      action,
    });

    let testListenerRule: elbv2.ApplicationListenerRule | undefined;
    const testHeader = this.deployment.testHeader;
    if (shifting && alternateTargetGroup && testHeader) {
      // Just before the production rule: evaluated first for the same requests, and after every
      // rule that already came before the production rule.
      const testPriority = ingress.claimRoute(this, { hostHeaders, pathPatterns, priority: priority - 1, httpHeader: testHeader });
      testListenerRule = new elbv2.ApplicationListenerRule(this, 'TestListenerRule', {
        listener: ingress.listener,
        priority: testPriority,
        conditions: [...conditions, elbv2.ListenerCondition.httpHeader(testHeader.name, [testHeader.value])],
        action: elbv2.ListenerAction.weightedForward([{ targetGroup, weight: 100 }, { targetGroup: alternateTargetGroup, weight: 0 }]),
      });
    }

    const deploymentRole = shifting && alternateTargetGroup
      ? this.createDeploymentRole([listenerRule, ...(testListenerRule ? [testListenerRule] : [])], [targetGroup, alternateTargetGroup])
      : undefined;

    // Registered through `loadBalancers` rather than attachToApplicationTargetGroup: that method
    // also opens this service's security group to the load balancer, placing rules that
    // reference it in the ingress's stack (a cross-stack cycle for a service in another stack).
    // The same goes for ecs.AlternateTarget, which without a role attaches the AWS managed policy.
    const registration = (group: elbv2.ApplicationTargetGroup): ecs.CfnService.LoadBalancerProperty => ({
      targetGroupArn: group.targetGroupArn,
      containerName: this.container.containerName,
      containerPort: this.port,
    });
    this.service.loadBalancers = [...this.service.loadBalancers, {
      ...registration(targetGroup),
      ...(alternateTargetGroup && deploymentRole ? {
        advancedConfiguration: {
          alternateTargetGroupArn: alternateTargetGroup.targetGroupArn,
          productionListenerRule: listenerRule.listenerRuleArn,
          testListenerRule: testListenerRule?.listenerRuleArn,
          roleArn: deploymentRole.roleArn,
        },
      } : {}),
    },
    // Rolling, keeping the alternate group: every task in both groups ("Registering multiple target
    // groups with an Amazon ECS service"), so whichever one the rule's weights favour has them all.
    ...(alternateTargetGroup && !shifting ? [registration(alternateTargetGroup)] : [])];
    this.service.node.addDependency(targetGroup.loadBalancerAttached);
    if (alternateTargetGroup) this.service.node.addDependency(alternateTargetGroup.loadBalancerAttached);
    // No DependsOn on deploymentRole: roleArn references it, and its permissions are inline (cfn-lint W3005).

    return { targetGroup, listenerRule, priority, alternateTargetGroup, testListenerRule, deploymentRole };
  }

  /**
   * The role ECS assumes to shift traffic ("Amazon ECS infrastructure IAM role for load
   * balancers"): instead of the AWS managed policy, which may modify any rule, listener and target
   * group of the account, an inline policy that may modify only this service's rules and register
   * targets only in its two target groups. No elasticloadbalancing:ModifyListener: the production
   * and test routes of an ALB are listener rules, whose weights ECS shifts with ModifyRule
   * (ECS API "AdvancedConfiguration"); ModifyListener changes a listener's default action
   * (ELB "Edit a listener rule"), here the shared listener of every service on the ingress.
   */
  private createDeploymentRole(rules: elbv2.ApplicationListenerRule[], targetGroups: elbv2.ApplicationTargetGroup[]): iam.Role {
    const role = new iam.Role(this, 'DeploymentRole', {
      description: `ECS shifts traffic between the target groups of ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } }),
      inlinePolicies: {
        ShiftTraffic: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'DescribeLoadBalancing',
              actions: [
                'elasticloadbalancing:DescribeListeners',
                'elasticloadbalancing:DescribeRules',
                'elasticloadbalancing:DescribeTargetGroups',
                'elasticloadbalancing:DescribeTargetHealth',
              ],
              // Describe actions of Elastic Load Balancing support no resource-level permissions.
              resources: ['*'],
            }),
            new iam.PolicyStatement({
              sid: 'ShiftWeights',
              actions: ['elasticloadbalancing:ModifyRule'],
              resources: rules.map((rule) => rule.listenerRuleArn),
            }),
            new iam.PolicyStatement({
              sid: 'RegisterTasks',
              actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
              resources: targetGroups.map((group) => group.targetGroupArn),
            }),
          ],
        }),
      },
    });
    const describeReason = 'Elastic Load Balancing Describe actions (listeners, rules, target groups, target health) support no resource-level permissions; every modifying action is scoped to this service\'s listener rules and target groups.';
    acknowledgeRule(role, 'IAM5[Resource::*]', describeReason, [NagPack.AWS_SOLUTIONS]);
    acknowledgeRule(
      role,
      'IAMNoInlinePolicy',
      'The inline policy holds only what ECS needs to shift this service\'s traffic, scoped to its own listener rules and target groups; it lives and is reviewed with this one role (the alternative, the AWS managed policy, is account-wide).',
      COMPLIANCE_PACKS,
    );
    return role;
  }

  /**
   * Target tracking on requests per task over both target groups (metric math). ECS swaps the
   * target groups on every traffic-shifting deployment; the predefined ALBRequestCountPerTarget
   * metric follows one of them and would see no requests after a swap. Both groups hold the full
   * task count while traffic shifts, so the sum of their RequestCountPerTarget is the requests
   * per task at every moment.
   */
  private scaleOnRequestsOfBothTargetGroups(ingress: IWebIngress, requestsPerTarget: number, cooldowns: { scaleInCooldown: Duration; scaleOutCooldown: Duration }): void {
    const metric = (id: string, group: elbv2.ApplicationTargetGroup) => ({
      Id: id,
      ReturnData: false,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'RequestCountPerTarget',
          Dimensions: [
            { Name: 'LoadBalancer', Value: ingress.loadBalancerFullName },
            { Name: 'TargetGroup', Value: group.targetGroupFullName },
          ],
        },
        Stat: 'Sum',
      },
    });
    // The L2 takes a single metric, not metric math: the query list is set on the L1.
    this.scalableTarget!.scaleToTrackCustomMetric('RequestScaling', {
      targetValue: requestsPerTarget,
      metric: this.service.metricCpuUtilization(),
      ...cooldowns,
    });
    // The policy is a child of the ScalableTarget inside the ScalableTaskCount.
    const policy = this.scalableTarget!.node.findAll().find((c) => c.node.id === 'RequestScaling')!;
    const cfnPolicy = policy.node.defaultChild as appscaling.CfnScalingPolicy;
    const path = 'TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification';
    for (const field of ['MetricName', 'Namespace', 'Dimensions', 'Statistic', 'Unit']) cfnPolicy.addPropertyDeletionOverride(`${path}.${field}`);
    cfnPolicy.addPropertyOverride(`${path}.Metrics`, [
      metric('primary', this.targetGroup!),
      metric('alternate', this.alternateTargetGroup!),
      { Id: 'requestsPerTask', Expression: 'FILL(primary, 0) + FILL(alternate, 0)', Label: 'Requests per task, both target groups', ReturnData: true },
    ]);
  }

  private createAlarms(topic: sns.ITopic | undefined, ingress: IWebIngress | undefined): cloudwatch.Alarm[] {
    const action = topic ? new cloudwatchActions.SnsAction(topic) : undefined;
    const alarms: cloudwatch.Alarm[] = [];
    const deploymentAlarms: cloudwatch.Alarm[] = [];

    if (ingress && this.targetGroup) {
      const dimensionsMap = {
        LoadBalancer: ingress.loadBalancerFullName,
        TargetGroup: this.targetGroup.targetGroupFullName,
      };
      deploymentAlarms.push(new cloudwatch.Alarm(this, 'Target5xxAlarm', {
        alarmDescription: `More than 10 HTTP 5xx responses a minute from the tasks of ${this.node.path}`,
        metric: this.overBothTargetGroups('HTTPCode_Target_5XX_Count', cloudwatch.Stats.SUM, dimensionsMap),
        threshold: 10,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
      deploymentAlarms.push(new cloudwatch.Alarm(this, 'UnhealthyTargetsAlarm', {
        alarmDescription: `Tasks of ${this.node.path} fail the load balancer health check`,
        metric: this.overBothTargetGroups('UnHealthyHostCount', cloudwatch.Stats.MAXIMUM, dimensionsMap),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
      alarms.push(...deploymentAlarms);
    }
    if (!action) {
      // A traffic-shifting deployment without alarmTopic: the alarms exist for ECS's rollback only.
      for (const alarm of deploymentAlarms) {
        const reason = 'A deployment alarm: ECS reads its state and rolls a traffic-shifting deployment back when it fires. No alarmTopic was given to notify anyone; pass one to add alarm and OK actions.';
        acknowledgeRule(alarm, 'CloudWatchAlarmAction', reason, COMPLIANCE_PACKS);
        acknowledgeGuardRule(alarm, 'cloudwatch_alarm_action_check', reason);
      }
      this.service.enableDeploymentAlarms(deploymentAlarms.map((alarm) => alarm.alarmName), { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
      return deploymentAlarms;
    }
    // Not a deployment alarm: high CPU under real load is a reason to scale, not to roll back.
    alarms.push(new cloudwatch.Alarm(this, 'CpuHighAlarm', {
      alarmDescription: `Average CPU of ${this.node.path} above 90 % for 5 minutes`,
      metric: this.service.metricCpuUtilization({ period: Duration.minutes(1) }),
      threshold: 90,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    allowCloudWatchAlarmsToPublish(this, topic!, alarms);
    if (deploymentAlarms.length > 0) {
      this.service.enableDeploymentAlarms(deploymentAlarms.map((alarm) => alarm.alarmName), {
        behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
      });
    }
    return alarms;
  }

  /**
   * An ALB target group metric of this service: of its target group for a rolling deployment;
   * for a traffic-shifting one, metric math over both target groups (the new version may be in
   * either), missing data filled with 0.
   */
  private overBothTargetGroups(metricName: string, statistic: string, dimensionsMap: { [name: string]: string }): cloudwatch.IMetric {
    const metricOf = (targetGroup: elbv2.ApplicationTargetGroup) => new cloudwatch.Metric({
      namespace: 'AWS/ApplicationELB',
      metricName,
      dimensionsMap: { ...dimensionsMap, TargetGroup: targetGroup.targetGroupFullName },
      statistic,
      period: Duration.minutes(1),
    });
    if (!this.alternateTargetGroup) return metricOf(this.targetGroup!);
    return new cloudwatch.MathExpression({
      expression: 'FILL(primary, 0) + FILL(alternate, 0)',
      usingMetrics: { primary: metricOf(this.targetGroup!), alternate: metricOf(this.alternateTargetGroup) },
      label: `${metricName} of both target groups`,
      period: Duration.minutes(1),
    });
  }
}
