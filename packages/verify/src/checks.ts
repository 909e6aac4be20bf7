import { ScalableTarget, ScalingPolicy } from '@aws-sdk/client-application-auto-scaling';
import { Deployment, Service, ServiceEvent } from '@aws-sdk/client-ecs';
import { VerifyCheck } from './report';
import { StackInventory, StackScalableTarget, StackScalingPolicy, StackService } from './stack-inventory';

/** Stack statuses after a deploy that went through. */
export const HEALTHY_STACK_STATUSES = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE'];

/**
 * Service event messages that report a failed deployment or its circuit-breaker rollback:
 * `(service S) (deployment D) deployment failed: tasks failed to start.`,
 * `(service S) (deployment D) deployment failed: alarm detected.`,
 * `(service S) rolling back to deployment D.`
 */
export const ROLLBACK_EVENT_PATTERNS: RegExp[] = [/deployment failed/i, /rolling back/i, /rolled back/i];

/**
 * Service event messages that report tasks failing to start:
 * `(service S) was unable to place a task because no container instance met all of its requirements.`,
 * `(service S) is unable to place a task in Availability Zone ...`,
 * `(service S) failed to launch a task with (error ...).`,
 * `(service S) is unable to consistently start tasks successfully.`,
 * and the task errors that ECS quotes in them (`CannotPullContainerError`,
 * `ResourceInitializationError`, `CannotStartContainerError`).
 */
export const TASK_START_FAILURE_EVENT_PATTERNS: RegExp[] = [
  /unable to place a task/i,
  /failed to launch a task/i,
  /unable to consistently start tasks/i,
  /CannotPullContainerError/,
  /ResourceInitializationError/,
  /CannotStartContainerError/,
];

/**
 * How long before the PRIMARY deployment's creation an event still counts as recent.
 * The events announcing a failed deployment and its rollback can be written just before
 * the rollback deployment (which then is PRIMARY) is created.
 */
export const EVENT_GRACE_MS = 60_000;

/** The resource name checks report for a stack. */
export function stackResource(stackName: string): string {
  return `stack/${stackName}`;
}

/** The resource name checks report for a service: `service/CLUSTER/NAME`, like Application Auto Scaling. */
export function serviceResource(service: StackService): string {
  return service.cluster && service.serviceName
    ? `service/${service.cluster}/${service.serviceName}`
    : service.physicalId ?? service.logicalId;
}

/** The stack is in a completed, not rolled back, state. */
export function checkStackStatus(stackName: string, inventory: StackInventory): VerifyCheck {
  const ok = HEALTHY_STACK_STATUSES.includes(inventory.stackStatus);
  return {
    resource: stackResource(stackName),
    check: 'stack-status',
    ok,
    observed: inventory.stackStatus + (!ok && inventory.stackStatusReason ? `: ${inventory.stackStatusReason}` : ''),
    expected: HEALTHY_STACK_STATUSES.join(' or '),
  };
}

/** The stack has something to verify; a stack without ECS services is most likely the wrong stack. */
export function checkServicesFound(stackName: string, inventory: StackInventory): VerifyCheck {
  const targets = inventory.scalableTargets.filter(isEcsTarget).length;
  return {
    resource: stackResource(stackName),
    check: 'ecs-services-found',
    ok: inventory.services.length > 0,
    observed: `${plural(inventory.services.length, 'ECS service')}, ${plural(targets, 'ECS scalable target')}`,
    expected: 'at least 1 ECS service',
  };
}

/** The service exists and is ACTIVE. */
export function checkServiceActive(stackService: StackService, service: Service | undefined, missingReason?: string): VerifyCheck {
  const observed = service?.status
    ?? (stackService.physicalId ? (missingReason ?? 'MISSING') : `no physical id (resource ${stackService.resourceStatus ?? 'status unknown'})`);
  return serviceCheck(stackService, 'service-active', service?.status === 'ACTIVE', observed, 'ACTIVE');
}

/** The PRIMARY deployment finished rolling out. */
export function checkRolloutCompleted(stackService: StackService, service: Service): VerifyCheck {
  const rollout = rolloutOf(service);
  return serviceCheck(stackService, 'rollout-completed', rollout.state === 'COMPLETED', rollout.observed, 'COMPLETED');
}

/** As many tasks run as the service wants. */
export function checkTasksRunning(stackService: StackService, service: Service): VerifyCheck {
  const running = service.runningCount ?? 0;
  const desired = service.desiredCount ?? 0;
  const pending = service.pendingCount ?? 0;
  return serviceCheck(
    stackService,
    'tasks-running',
    running === desired,
    `${running} running of ${desired} desired` + (pending ? `, ${pending} pending` : ''),
    `${desired} running`,
  );
}

/** No event since the PRIMARY deployment started reports a rollback or tasks failing to start. */
export function checkNoFailureEvents(stackService: StackService, service: Service): VerifyCheck {
  const since = primaryStart(service);
  const failures = failureEvents(service);
  const latest = failures[0];
  return serviceCheck(
    stackService,
    'no-failure-events',
    failures.length === 0,
    latest
      ? `${plural(failures.length, 'failure event')}, latest ${latest.createdAt?.toISOString() ?? ''}: ${latest.message}`
      : 'none',
    `no rollback or task start failure event${since ? ` since ${since.toISOString()}` : ''}`,
  );
}

/** The service's scalable target is registered with Application Auto Scaling. */
export function checkTargetRegistered(target: StackScalableTarget, registered: ScalableTarget | undefined): VerifyCheck {
  return targetCheck(
    target,
    'target-registered',
    registered !== undefined,
    registered ? `registered, min ${registered.MinCapacity}, max ${registered.MaxCapacity}` : 'not registered',
    `registered (${target.scalableDimension ?? 'unknown dimension'})`,
  );
}

/**
 * The registered min/max capacity equal the template's. Returns nothing when the template
 * does not state them as literals (nothing to compare with).
 */
export function checkCapacityMatchesTemplate(target: StackScalableTarget, registered: ScalableTarget): VerifyCheck | undefined {
  if (target.templateMinCapacity === undefined || target.templateMaxCapacity === undefined) return undefined;
  return targetCheck(
    target,
    'capacity-matches-template',
    registered.MinCapacity === target.templateMinCapacity && registered.MaxCapacity === target.templateMaxCapacity,
    `min ${registered.MinCapacity}, max ${registered.MaxCapacity}`,
    `min ${target.templateMinCapacity}, max ${target.templateMaxCapacity}`,
  );
}

/** A target-tracking policy of the stack exists in Application Auto Scaling, as target tracking. */
export function checkTargetTrackingPolicy(policy: StackScalingPolicy, found: ScalingPolicy | undefined): VerifyCheck {
  const name = policy.policyName ?? policy.logicalId;
  return {
    resource: policy.resourceId ?? policy.policyArn ?? policy.logicalId,
    logicalId: policy.logicalId,
    check: 'target-tracking-policy',
    ok: found?.PolicyType === 'TargetTrackingScaling',
    observed: found ? `${found.PolicyName}: ${found.PolicyType}` : `${name}: missing`,
    expected: `${name}: TargetTrackingScaling`,
  };
}

/** Whether the stack's policy is one verify checks: target tracking (or of unknown type) on an ECS service. */
export function isCheckedPolicy(policy: StackScalingPolicy): boolean {
  const ecs = policy.resourceId?.startsWith('service/') || policy.policyArn?.includes(':resource/ecs/');
  return Boolean(ecs) && (policy.policyType === undefined || policy.policyType === 'TargetTrackingScaling');
}

/** Whether a scalable target scales an ECS service. */
export function isEcsTarget(target: StackScalableTarget): boolean {
  return target.serviceNamespace === 'ecs' || Boolean(target.resourceId?.startsWith('service/'));
}

/** The deployment ECS is rolling out to, or the service has settled on. */
export function primaryDeployment(service: Service): Deployment | undefined {
  return service.deployments?.find(d => d.status === 'PRIMARY');
}

/**
 * The service's rollout state: COMPLETED, FAILED or IN_PROGRESS, with words for the report.
 * Services without a rolloutState (task-set based controllers, or ECS not reporting one)
 * are judged like the ECS `services-stable` waiter: one deployment, running == desired.
 */
export function rolloutOf(service: Service): { state: 'COMPLETED' | 'FAILED' | 'IN_PROGRESS'; observed: string } {
  const controller = service.deploymentController?.type ?? 'ECS';
  if (controller !== 'ECS') {
    const primarySet = service.taskSets?.find(t => t.status === 'PRIMARY');
    const steady = primarySet?.stabilityStatus === 'STEADY_STATE' && (service.taskSets?.length ?? 0) === 1;
    return {
      state: steady ? 'COMPLETED' : 'IN_PROGRESS',
      observed: `${controller} controller: ${plural(service.taskSets?.length ?? 0, 'task set')}, primary ${primarySet?.stabilityStatus ?? 'missing'}`,
    };
  }
  const primary = primaryDeployment(service);
  if (!primary) return { state: 'IN_PROGRESS', observed: 'no PRIMARY deployment' };
  if (primary.rolloutState) {
    const reason = primary.rolloutStateReason ? `: ${primary.rolloutStateReason}` : '';
    return { state: primary.rolloutState, observed: `${primary.rolloutState}${primary.rolloutState === 'COMPLETED' ? '' : reason}` };
  }
  const deployments = service.deployments?.length ?? 0;
  const steady = deployments === 1 && primary.runningCount === primary.desiredCount;
  return {
    state: steady ? 'COMPLETED' : 'IN_PROGRESS',
    observed: `no rolloutState; ${plural(deployments, 'deployment')}, primary ${primary.runningCount ?? 0} running of ${primary.desiredCount ?? 0}`,
  };
}

/** Whether waiting longer could change the outcome: a rollout in progress, or tasks still starting. */
export function isSettling(service: Service | undefined): boolean {
  if (!service || service.status !== 'ACTIVE') return false;
  const state = rolloutOf(service).state;
  return state === 'IN_PROGRESS' || (state === 'COMPLETED' && service.runningCount !== service.desiredCount);
}

/** Events since the PRIMARY deployment started (less the grace) that match a failure pattern, newest first. */
export function failureEvents(service: Service): ServiceEvent[] {
  const since = primaryStart(service)?.getTime();
  const patterns = [...ROLLBACK_EVENT_PATTERNS, ...TASK_START_FAILURE_EVENT_PATTERNS];
  return (service.events ?? [])
    .filter(e => since === undefined || (e.createdAt?.getTime() ?? 0) >= since - EVENT_GRACE_MS)
    .filter(e => patterns.some(p => p.test(e.message ?? '')))
    .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
}

/** When the PRIMARY deployment (or, for task-set controllers, the PRIMARY task set) was created. */
function primaryStart(service: Service): Date | undefined {
  return primaryDeployment(service)?.createdAt ?? service.taskSets?.find(t => t.status === 'PRIMARY')?.createdAt;
}

function serviceCheck(service: StackService, check: string, ok: boolean, observed: string, expected: string): VerifyCheck {
  return { resource: serviceResource(service), logicalId: service.logicalId, check, ok, observed, expected };
}

function targetCheck(target: StackScalableTarget, check: string, ok: boolean, observed: string, expected: string): VerifyCheck {
  return { resource: target.resourceId ?? target.physicalId ?? target.logicalId, logicalId: target.logicalId, check, ok, observed, expected };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
