import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import { fail, isDeployTimeValue } from '../core/validation';

/**
 * Synth-time checks of Ec2DaemonService props, in the voice of validation.ts: each names the
 * construct path, the prop, the value given, what is allowed and how to fix it. Unresolved
 * tokens are skipped.
 */

/**
 * Host ports the ECS container agent reserves on every container instance (ECS_RESERVED_PORTS
 * default): a task that maps one of them is never placed.
 */
export const ECS_RESERVED_HOST_PORTS: readonly number[] = [22, 2375, 2376, 51678, 51679];

/**
 * Checks that a daemon's platform has EC2 capacity: ECS runs a daemon's task on each EC2
 * container instance, and Fargate runs no daemons. An imported platform has EC2 capacity only
 * when the import says so, so its fix is in the import options, not in the platform app.
 */
export function checkPlatformHasEc2Capacity(scope: IConstruct, platformPath: string, hasEc2Capacity: boolean, imported: boolean): void {
  if (hasEc2Capacity) return;
  const problem = 'a daemon runs one task on each EC2 container instance (Fargate does not run daemons).';
  if (imported) {
    fail(
      scope,
      'platform',
      `${platformPath} was imported without EC2 capacity, and ${problem}`,
      'If the platform app gave its EcsPlatform ec2Capacity, say so in the import: EcsPlatform.fromPlatformName(scope, id, name, { ec2Capacity: true }), '
      + 'or give ec2CapacityProviderName and ec2SecurityGroupId to EcsPlatform.fromAttributes. Otherwise add ec2Capacity to the EcsPlatform in the platform app first.',
    );
  }
  fail(
    scope,
    'platform',
    `${platformPath} has no EC2 capacity, and ${problem}`,
    "Add ec2Capacity to the platform, e.g. ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') }.",
  );
}

/** Checks a container memory size in MiB: an integer of at least 6 MiB, Docker's minimum. */
export function checkMemoryMiB(scope: IConstruct, prop: string, value: number | undefined): void {
  if (value === undefined || isDeployTimeValue(value)) return;
  if (!Number.isInteger(value) || value < 6) {
    fail(scope, prop, `must be a whole number of MiB, at least 6 (Docker's minimum), got ${value}.`);
  }
}

/** Checks that a container's hard memory limit is not below its soft reservation (ECS rejects it). */
export function checkMemoryLimitNotBelowReservation(
  scope: IConstruct,
  limitMiB: number | undefined,
  reservationMiB: number | undefined,
): void {
  if (limitMiB === undefined || reservationMiB === undefined) return;
  if (isDeployTimeValue(limitMiB) || isDeployTimeValue(reservationMiB)) return;
  if (limitMiB < reservationMiB) {
    fail(
      scope,
      'memoryLimitMiB',
      `(${limitMiB} MiB) must not be less than memoryReservationMiB (${reservationMiB} MiB).`,
      'Raise memoryLimitMiB, lower memoryReservationMiB, or leave memoryLimitMiB unset for twice the reservation.',
    );
  }
}

/** One host port a daemon publishes on every instance, and the prop that asked for it. */
export interface PublishedHostPort {
  readonly port: number;
  readonly protocol: ecs.Protocol;
  readonly prop: string;
}

/**
 * Checks the host ports a daemon publishes on every instance (host and bridge mode): none is
 * reserved by the ECS agent, and no port/protocol pair is published twice. Either would keep ECS
 * from ever placing the task.
 */
export function checkHostPortsDoNotClash(scope: IConstruct, ports: readonly PublishedHostPort[], networkMode: string): void {
  const seen = new Map<string, string>();
  for (const { port, protocol, prop } of ports) {
    if (isDeployTimeValue(port)) continue;
    if (ECS_RESERVED_HOST_PORTS.includes(port)) {
      fail(
        scope,
        prop,
        `host port ${port} is reserved by the ECS container agent on every instance (${ECS_RESERVED_HOST_PORTS.join(', ')}), so a ${networkMode}-mode task that maps it is never placed.`,
        'Listen on another port.',
      );
    }
    const key = `${port}/${protocol}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      fail(
        scope,
        prop,
        `host port ${key} is already published by ${earlier}; in ${networkMode} mode every port is bound on the instance itself, and one port can be bound once.`,
        'Give each port mapping its own host port, or remove the duplicate.',
      );
    }
    seen.set(key, prop);
  }
}

const VOLUME_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** Checks a task definition volume name: 1-255 letters, digits, hyphens and underscores. */
export function checkVolumeName(scope: IConstruct, prop: string, name: string): void {
  if (isDeployTimeValue(name)) return;
  if (!VOLUME_NAME.test(name)) {
    fail(scope, prop, `'${name}' is not a valid volume name.`, "Use 1-255 letters, digits, hyphens or underscores (e.g. 'host-var-log').");
  }
}

/**
 * Checks that each value of `values` (e.g. volume names or mount paths) appears once, naming the
 * props that clash.
 */
export function checkUnique(
  scope: IConstruct,
  what: string,
  values: ReadonlyArray<{ readonly value: string; readonly prop: string }>,
  fix: string,
): void {
  const seen = new Map<string, string>();
  for (const { value, prop } of values) {
    if (isDeployTimeValue(value)) continue;
    const earlier = seen.get(value);
    if (earlier !== undefined) {
      fail(scope, prop, `${what} '${value}' is already used by ${earlier}.`, fix);
    }
    seen.set(value, prop);
  }
}

/** Checks that no Linux capability is both added and dropped. */
export function checkCapabilitiesDoNotOverlap(scope: IConstruct, add: readonly string[], drop: readonly string[]): void {
  const both = add.filter((cap) => drop.includes(cap));
  if (both.length > 0) {
    fail(
      scope,
      'linuxCapabilities',
      `${both.join(', ')} ${both.length === 1 ? 'is' : 'are'} both added and dropped.`,
      'List each capability in add or in drop, not in both.',
    );
  }
}

/** Whether a container user (name or UID[:GID]) is root. */
export function isRootUser(user: string): boolean {
  return user.split(':').some((part) => part.toLowerCase() === 'root' || part === '0');
}
