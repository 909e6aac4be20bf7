import * as crypto from 'crypto';
import { IConstruct } from 'constructs';
import { fail, isDeployTimeValue } from '../core/validation';

/**
 * Synth-time checks for the web ingress and web services: listener rule conditions, rule
 * priorities and CIDR ranges. Same voice as validation.ts: construct path, prop, value given,
 * what is allowed, how to fix. Unresolved tokens are skipped.
 */

/** ALB quota: condition values per listener rule, summed over host-header and path-pattern. */
export const MAX_CONDITION_VALUES_PER_RULE = 5;

/** ALB listener rule priorities run from 1 (evaluated first) to 50000. */
export const MAX_RULE_PRIORITY = 50000;

/** The priority of a service's catch-all rule (no host or path condition): evaluated last. */
export const CATCH_ALL_PRIORITY = MAX_RULE_PRIORITY;

/**
 * Derived priorities live in [DERIVED_PRIORITY_MIN, DERIVED_PRIORITY_MAX]; 1-999 stay free for
 * explicit priorities that must win over every derived one.
 */
export const DERIVED_PRIORITY_MIN = 1000;
export const DERIVED_PRIORITY_MAX = 49999;

const HOST_HEADER = /^[A-Za-z0-9\-.*?]{1,128}$/;
const PATH_PATTERN = /^\/[A-Za-z0-9_\-.$/~"'@:+&*?]{0,127}$/;

/** Checks host-header values: 1-128 characters of letters, digits, '-', '.', '*' and '?'. */
export function checkHostHeaders(scope: IConstruct, prop: string, values: readonly string[] | undefined): void {
  checkConditionValues(scope, prop, values, HOST_HEADER, 'host-header',
    "Use 1-128 letters, digits, '-', '.', and the wildcards '*' and '?' (e.g. 'api.example.com' or '*.example.com').");
}

/** Checks path-pattern values: start with '/', at most 128 characters, ALB's allowed characters. */
export function checkPathPatterns(scope: IConstruct, prop: string, values: readonly string[] | undefined): void {
  checkConditionValues(scope, prop, values, PATH_PATTERN, 'path-pattern',
    "Start it with '/', use at most 128 characters of letters, digits, _ - . $ / ~ \" ' @ : + & and the wildcards '*' and '?' (e.g. '/api/*').");
}

function checkConditionValues(scope: IConstruct, prop: string, values: readonly string[] | undefined, allowed: RegExp, condition: string, fix: string): void {
  for (const value of values ?? []) {
    if (isDeployTimeValue(value)) continue;
    if (!allowed.test(value)) fail(scope, prop, `'${value}' is not a valid ${condition} condition value.`, fix);
  }
}

/** Checks ALB's limit of condition values per listener rule, across host headers and path patterns. */
export function checkConditionValueCount(scope: IConstruct, hostHeaders: readonly string[], pathPatterns: readonly string[]): void {
  const total = hostHeaders.length + pathPatterns.length;
  if (total > MAX_CONDITION_VALUES_PER_RULE) {
    fail(
      scope,
      'hostHeaders/pathPatterns',
      `${hostHeaders.length} host headers and ${pathPatterns.length} path patterns make ${total} condition values; an ALB listener rule allows at most ${MAX_CONDITION_VALUES_PER_RULE}.`,
      'Split the service across hosts with a wildcard (e.g. \'*.example.com\'), or use fewer, broader path patterns (e.g. \'/api/*\').',
    );
  }
}

/** Checks an explicit listener rule priority: an integer from 1 to 49999 (50000 is the catch-all's). */
export function checkRulePriority(scope: IConstruct, prop: string, value: number | undefined): void {
  if (value === undefined || isDeployTimeValue(value)) return;
  if (!Number.isInteger(value) || value < 1 || value >= CATCH_ALL_PRIORITY) {
    fail(
      scope,
      prop,
      `must be an integer from 1 to ${CATCH_ALL_PRIORITY - 1}, got ${value}.`,
      `Lower numbers are evaluated first; ${CATCH_ALL_PRIORITY} is reserved for a service without host or path conditions.`,
    );
  }
}

/**
 * A listener rule priority derived from a construct path: stable across synths and machines,
 * independent of construction order and of the other services, in
 * [DERIVED_PRIORITY_MIN, DERIVED_PRIORITY_MAX].
 */
export function derivedRulePriority(constructPath: string): number {
  const digest = crypto.createHash('sha256').update(constructPath).digest();
  const span = DERIVED_PRIORITY_MAX - DERIVED_PRIORITY_MIN + 1;
  return DERIVED_PRIORITY_MIN + (digest.readUInt32BE(0) % span);
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Checks IPv4 CIDR ranges such as '203.0.113.0/24'. */
export function checkIpv4Cidrs(scope: IConstruct, prop: string, values: readonly string[] | undefined): void {
  if (values !== undefined && values.length === 0) {
    fail(scope, prop, 'must not be empty.', "Give at least one IPv4 CIDR range (e.g. '203.0.113.0/24'), or leave it unset for the default.");
  }
  for (const value of values ?? []) {
    if (isDeployTimeValue(value)) continue;
    const match = IPV4_CIDR.exec(value);
    const valid = match !== null
      && match.slice(1, 5).every((octet) => Number(octet) <= 255)
      && Number(match[5]) <= 32;
    if (!valid) {
      fail(scope, prop, `'${value}' is not an IPv4 CIDR range.`, "Use the form 'a.b.c.d/n' with n from 0 to 32 (e.g. '203.0.113.0/24').");
    }
  }
}
