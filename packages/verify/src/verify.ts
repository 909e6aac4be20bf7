import {
  ApplicationAutoScalingClient,
  paginateDescribeScalableTargets,
  paginateDescribeScalingPolicies,
  ScalableTarget,
  ScalingPolicy,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, ECSClient, Service, ServiceDeployment } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsCall, AwsCallError, classifyAwsError } from './aws-errors';
import {
  checkCapacityMatchesTemplate,
  checkNoFailureEvents,
  checkRolloutCompleted,
  checkServiceActive,
  checkServicesFound,
  checkStackStatus,
  checkTargetRegistered,
  checkTargetTrackingPolicy,
  checkTasksRunning,
  isCheckedPolicy,
  isEcsTarget,
  isSettling,
  rolloutOf,
  serviceResource,
} from './checks';
import { VerifyCheck, VerifyProblem, VerifyReport } from './report';
import { readStackInventory, StackInventory, StackService } from './stack-inventory';
import {
  checkProductionRulesHealthy,
  checkTrafficShiftCompleted,
  describeShift,
  isShiftSettling,
  isTrafficShifting,
  latestServiceDeployment,
  trafficShiftStateOf,
} from './traffic-shifting';

/** Exit code: every check passed. */
export const EXIT_OK = 0;
/** Exit code: at least one check failed. */
export const EXIT_CHECK_FAILED = 1;
/** Exit code: AWS could not be asked, or the command line was wrong. */
export const EXIT_CANNOT_VERIFY = 2;

/**
 * SDK attempts per request (the first try included). The SDK's standard retry mode backs
 * off exponentially with jitter, longer for throttling; 8 rides out a throttled account
 * for about half a minute, where the SDK default of 3 gives up after about a second.
 */
export const DEFAULT_MAX_ATTEMPTS = 8;

/** 15 s, like the ECS `services-stable` waiter. */
export const DEFAULT_POLL_INTERVAL_MS = 15_000;

/** What to verify, and how to reach AWS. */
export interface VerifyOptions {
  /** The CloudFormation stack name or ARN. */
  readonly stackName: string;
  /** The region; when absent the SDK resolves it (AWS_REGION, the profile, ...). */
  readonly region?: string;
  /** A named profile; when absent the SDK's default chain applies (AWS_PROFILE, ...). */
  readonly profile?: string;
  /** How long to keep polling while a rollout is in progress; 0 checks once. */
  readonly waitMs?: number;
  /** How often to poll while waiting. */
  readonly pollIntervalMs?: number;
  /** SDK attempts per request. When absent: AWS_MAX_ATTEMPTS if set, else DEFAULT_MAX_ATTEMPTS. */
  readonly maxAttempts?: number;
  /** Told about progress while waiting (the CLI writes it to stderr). */
  readonly onProgress?: (message: string) => void;
}

/** The AWS SDK clients verify uses; inject mocked ones in tests. */
export interface VerifyClients {
  readonly cloudFormation: CloudFormationClient;
  readonly ecs: ECSClient;
  readonly applicationAutoScaling: ApplicationAutoScalingClient;
  /**
   * For the production listener rules of traffic-shifting services; without it those rules
   * are not checked (a caller written before they were).
   */
  readonly elasticLoadBalancing?: ElasticLoadBalancingV2Client;
}

/**
 * The client configuration: region and profile only when given, so the SDK's own
 * resolution (environment, shared config, credentials chain, AWS_ENDPOINT_URL) applies.
 */
export function clientConfig(options: Pick<VerifyOptions, 'region' | 'profile' | 'maxAttempts'>): {
  region?: string; profile?: string; maxAttempts?: number;
} {
  const maxAttempts = options.maxAttempts ?? (process.env.AWS_MAX_ATTEMPTS ? undefined : DEFAULT_MAX_ATTEMPTS);
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(maxAttempts !== undefined ? { maxAttempts } : {}),
  };
}

/** New SDK clients for the options. */
export function createClients(options: Pick<VerifyOptions, 'region' | 'profile' | 'maxAttempts'>): VerifyClients {
  const config = clientConfig(options);
  return {
    cloudFormation: new CloudFormationClient(config),
    ecs: new ECSClient(config),
    applicationAutoScaling: new ApplicationAutoScalingClient(config),
    elasticLoadBalancing: new ElasticLoadBalancingV2Client(config),
  };
}

/**
 * Verifies a deployed stack: its status, every ECS service (ACTIVE, rollout COMPLETED,
 * running == desired, no failure events) and every ECS scalable target (registered with
 * the template's min/max, target-tracking policies present).
 *
 * Never throws for AWS errors: the report then has exit code 2 and says why.
 */
export async function verifyStack(options: VerifyOptions, injectedClients?: VerifyClients): Promise<VerifyReport> {
  const checks: VerifyCheck[] = [];
  let region: string | undefined;
  let clients: VerifyClients | undefined;
  try {
    // Inside the try: the SDK validates some configuration (e.g. the profile) on construction.
    clients = injectedClients ?? createClients(options);
    region = await resolveRegion(clients.cloudFormation);
    const inventory = await readStackInventory(clients.cloudFormation, options.stackName);
    checks.push(checkStackStatus(options.stackName, inventory), checkServicesFound(options.stackName, inventory));
    checks.push(...await serviceChecks(clients.ecs, clients.elasticLoadBalancing, inventory, options));
    checks.push(...await scalingChecks(clients.applicationAutoScaling, inventory));
    return report(options.stackName, region, checks);
  } catch (error) {
    return report(options.stackName, region, checks,
      classifyAwsError(error, { stackName: options.stackName, region, profile: options.profile }));
  } finally {
    // Clients made here are closed here; injected ones belong to the caller.
    if (clients && !injectedClients) Object.values(clients).forEach(client => client?.destroy());
  }
}

function report(stack: string, region: string | undefined, checks: VerifyCheck[], error?: VerifyProblem): VerifyReport {
  const failed = checks.filter(c => !c.ok).length;
  const exitCode = error ? EXIT_CANNOT_VERIFY : failed > 0 ? EXIT_CHECK_FAILED : EXIT_OK;
  return {
    stack,
    region,
    ok: exitCode === EXIT_OK,
    exitCode,
    checks,
    summary: { passed: checks.length - failed, failed },
    error,
  };
}

async function resolveRegion(client: CloudFormationClient): Promise<string> {
  const region: unknown = client.config.region;
  return typeof region === 'function' ? await region() : String(region);
}

async function serviceChecks(
  ecs: ECSClient,
  elb: ElasticLoadBalancingV2Client | undefined,
  inventory: StackInventory,
  options: VerifyOptions,
): Promise<VerifyCheck[]> {
  const stackServices = inventory.services;
  let described = await describeServices(ecs, stackServices);
  let shifts = await describeShifts(ecs, stackServices, described);

  const waitMs = options.waitMs ?? 0;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const deadline = Date.now() + waitMs;
  // A traffic-shifting deployment is settling until its service deployment ends: through the
  // test and production shifts and the bake time, which DescribeServices does not show.
  const isServiceSettling = (s: StackService) => {
    const service = described.get(s)?.service;
    return isTrafficShifting(service) && shifts.has(s)
      ? isShiftSettling(trafficShiftStateOf(shifts.get(s)))
      : isSettling(service);
  };
  let settling = stackServices.filter(isServiceSettling);
  while (settling.length > 0 && Date.now() < deadline) {
    options.onProgress?.(`waiting for ${settling.length} of ${stackServices.length} services: `
      + settling.map(s => `${serviceResource(s)} ${progressOf(described.get(s)?.service, shifts.get(s))}`).join('; '));
    await sleep(Math.min(pollIntervalMs, Math.max(0, deadline - Date.now())));
    described = new Map([...described, ...await describeServices(ecs, settling)]);
    shifts = new Map([...shifts, ...await describeShifts(ecs, settling, described)]);
    settling = stackServices.filter(isServiceSettling);
  }

  const checks: VerifyCheck[] = [];
  for (const stackService of stackServices) {
    const { service, missingReason } = described.get(stackService) ?? {};
    checks.push(checkServiceActive(stackService, service, missingReason));
    if (service?.status !== 'ACTIVE') continue;
    checks.push(
      checkRolloutCompleted(stackService, service),
      checkTasksRunning(stackService, service),
      checkNoFailureEvents(stackService, service),
    );
    if (isTrafficShifting(service)) {
      checks.push(checkTrafficShiftCompleted(stackService, serviceResource(stackService), service, shifts.get(stackService)));
      if (elb) checks.push(...await checkProductionRulesHealthy(elb, stackService, serviceResource(stackService), service));
    }
  }
  return checks;
}

/** The newest service deployment of each traffic-shifting service. */
async function describeShifts(
  ecs: ECSClient,
  stackServices: StackService[],
  described: Map<StackService, { service?: Service }>,
): Promise<Map<StackService, ServiceDeployment | undefined>> {
  const shifts = new Map<StackService, ServiceDeployment | undefined>();
  for (const s of stackServices) {
    const service = described.get(s)?.service;
    if (service?.status !== 'ACTIVE' || !isTrafficShifting(service)) continue;
    shifts.set(s, await latestServiceDeployment(ecs, s));
  }
  return shifts;
}

function progressOf(service: Service | undefined, shift?: ServiceDeployment): string {
  if (!service) return 'missing';
  const running = `${service.runningCount ?? 0}/${service.desiredCount ?? 0} running`;
  if (isTrafficShifting(service)) return `${describeShift(service, shift)}, ${running}`;
  return `${rolloutOf(service).state}, ${running}`;
}

/** DescribeServices for the stack's services: per cluster, 10 services per call (the API's limit). */
async function describeServices(
  ecs: ECSClient,
  stackServices: StackService[],
): Promise<Map<StackService, { service?: Service; missingReason?: string }>> {
  const result = new Map<StackService, { service?: Service; missingReason?: string }>();
  const byCluster = new Map<string, StackService[]>();
  for (const s of stackServices) {
    if (!s.cluster || !s.serviceName) {
      result.set(s, { missingReason: s.physicalId ? `not a service ARN: ${s.physicalId}` : undefined });
      continue;
    }
    byCluster.set(s.cluster, [...byCluster.get(s.cluster) ?? [], s]);
  }

  for (const [cluster, services] of byCluster) {
    for (let i = 0; i < services.length; i += 10) {
      const batch = services.slice(i, i + 10);
      try {
        const answer = await awsCall('ecs:DescribeServices', () =>
          ecs.send(new DescribeServicesCommand({ cluster, services: batch.map(s => s.serviceName!) })));
        for (const s of batch) {
          const service = answer.services?.find(d => d.serviceName === s.serviceName);
          const failure = answer.failures?.find(f => f.arn?.endsWith(`/${s.serviceName}`));
          result.set(s, { service, missingReason: failure?.reason });
        }
      } catch (error) {
        // A deleted cluster means missing services (a failed check), not an unreachable AWS.
        if (!(error instanceof AwsCallError && (error.cause as Error | undefined)?.name === 'ClusterNotFoundException')) throw error;
        for (const s of batch) result.set(s, { missingReason: `cluster ${cluster} not found` });
      }
    }
  }
  return result;
}

async function scalingChecks(autoScaling: ApplicationAutoScalingClient, inventory: StackInventory): Promise<VerifyCheck[]> {
  const targets = inventory.scalableTargets.filter(isEcsTarget);
  const policies = inventory.scalingPolicies.filter(isCheckedPolicy);
  if (targets.length === 0 && policies.length === 0) return [];

  const registered = await describeScalableTargets(autoScaling, targets.flatMap(t => t.resourceId ? [t.resourceId] : []));
  const resourceIds = new Set([...targets, ...policies].flatMap(r => r.resourceId ? [r.resourceId] : []));
  const livePolicies: ScalingPolicy[] = [];
  for (const resourceId of resourceIds) {
    livePolicies.push(...await describeScalingPolicies(autoScaling, resourceId));
  }

  const checks: VerifyCheck[] = [];
  for (const target of targets) {
    const found = registered.find(r => r.ResourceId === target.resourceId
      && (!target.scalableDimension || r.ScalableDimension === target.scalableDimension));
    checks.push(checkTargetRegistered(target, found));
    const capacity = found ? checkCapacityMatchesTemplate(target, found) : undefined;
    if (capacity) checks.push(capacity);
  }
  for (const policy of policies) {
    const found = livePolicies.find(p => (policy.policyArn && p.PolicyARN === policy.policyArn)
      || (policy.policyName && p.PolicyName === policy.policyName && (!policy.resourceId || p.ResourceId === policy.resourceId)));
    checks.push(checkTargetTrackingPolicy(policy, found));
  }
  return checks;
}

async function describeScalableTargets(autoScaling: ApplicationAutoScalingClient, resourceIds: string[]): Promise<ScalableTarget[]> {
  const found: ScalableTarget[] = [];
  // ResourceIds takes at most 50 ids per request.
  for (let i = 0; i < resourceIds.length; i += 50) {
    await awsCall('application-autoscaling:DescribeScalableTargets', async () => {
      const pages = paginateDescribeScalableTargets({ client: autoScaling },
        { ServiceNamespace: 'ecs', ResourceIds: resourceIds.slice(i, i + 50) });
      for await (const page of pages) found.push(...(page.ScalableTargets ?? []));
    });
  }
  return found;
}

async function describeScalingPolicies(autoScaling: ApplicationAutoScalingClient, resourceId: string): Promise<ScalingPolicy[]> {
  const found: ScalingPolicy[] = [];
  await awsCall('application-autoscaling:DescribeScalingPolicies', async () => {
    const pages = paginateDescribeScalingPolicies({ client: autoScaling }, { ServiceNamespace: 'ecs', ResourceId: resourceId });
    for await (const page of pages) found.push(...(page.ScalingPolicies ?? []));
  });
  return found;
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
