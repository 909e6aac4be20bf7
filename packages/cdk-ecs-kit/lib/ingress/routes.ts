import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail } from '../core/validation';
import { CATCH_ALL_PRIORITY, derivedRulePriority } from './web-checks';

/** A route a service asks an ingress for. Not exported from the package. */
export interface RouteRequest {
  readonly hostHeaders: readonly string[];
  readonly pathPatterns: readonly string[];
  readonly priority?: number;
  /** A header condition on top of host and path (a deployment's test rule). */
  readonly httpHeader?: { readonly name: string; readonly value: string };
}

/**
 * The listener rules claimed on one ingress object: priorities and condition sets.
 *
 * Priorities: an explicit one is used as given; a route without host or path condition gets
 * 50000 (evaluated last, at most one per ingress); any other route gets a number derived
 * from a hash of the service's construct path, so it never changes when other services are
 * added or removed, in any stack. A collision is a synth error that names both services.
 *
 * Shadowing: an ALB evaluates rules lowest priority first and the first match wins, so a rule
 * that matches every request of another rule and comes before it (e.g. '/*' before '/api/*', by
 * the hash of the construct paths) leaves the other without traffic. That is a synth error naming
 * both, whichever is added first; derived priorities are never moved to avoid it, because a
 * priority that depends on the other services would change when they are added, removed or
 * reordered, and CloudFormation cannot swap two rules' priorities in one update.
 */
export class RouteTable {
  private readonly byPriority = new Map<number, string>();
  private readonly byConditions = new Map<string, string>();
  private readonly claimed: ClaimedRoute[] = [];

  public claim(service: IConstruct, route: RouteRequest): number {
    const catchAll = route.hostHeaders.length === 0 && route.pathPatterns.length === 0 && route.httpHeader === undefined;
    // Header names are case-insensitive; without a header the key is what it always was.
    const header = route.httpHeader ? [[route.httpHeader.name.toLowerCase(), route.httpHeader.value]] : [];
    const conditionsKey = JSON.stringify([[...route.hostHeaders].sort(), [...route.pathPatterns].sort(), ...header]);
    const sameConditions = this.byConditions.get(conditionsKey);
    if (sameConditions !== undefined) {
      if (catchAll) {
        fail(
          service,
          'hostHeaders/pathPatterns',
          `are both empty, and ${sameConditions} on the same ingress already takes every request not routed elsewhere.`,
          "Give one of them hostHeaders (e.g. ['api.example.com']) or pathPatterns (e.g. ['/api/*']).",
        );
      }
      fail(
        service,
        'hostHeaders/pathPatterns',
        `route exactly the same requests as ${sameConditions} on the same ingress, so one of them would never get traffic.`,
        'Give them different host headers or path patterns.',
      );
    }

    const priority = route.priority ?? (catchAll ? CATCH_ALL_PRIORITY : derivedRulePriority(service.node.path));
    const holder = this.byPriority.get(priority);
    if (holder !== undefined) {
      const fix = route.priority === undefined
        ? `The number was derived from the construct path; set priority on ${service.node.path} to a free number (1-999 are never derived).`
        : 'Choose another priority (1-999 are never derived, so they never collide with a derived one).';
      fail(service, 'priority', `${priority} is already used by ${holder} on the same ingress.`, fix);
    }
    const claimed: ClaimedRoute = { path: service.node.path, priority, route };
    for (const other of this.claimed) {
      const [earlier, later] = other.priority < priority ? [other, claimed] : [claimed, other];
      if (!covers(earlier.route, later.route)) continue;
      fail(
        service,
        'hostHeaders/pathPatterns/priority',
        `make ${later.path} (priority ${later.priority}) never get traffic on the shared ingress: ${earlier.path} (priority ${earlier.priority}) is evaluated first and matches every request it routes (${describeRoute(later.route)} is within ${describeRoute(earlier.route)}).`,
        `Give ${later.path} an explicit priority below ${earlier.priority} (e.g. priority: 100; 1-999 are never derived), or narrow the hostHeaders/pathPatterns of ${earlier.path}.`,
      );
    }
    this.byPriority.set(priority, service.node.path);
    this.byConditions.set(conditionsKey, service.node.path);
    this.claimed.push(claimed);
    return priority;
  }
}

interface ClaimedRoute {
  readonly path: string;
  readonly priority: number;
  readonly route: RouteRequest;
}

/**
 * Whether rule `broad` matches every request rule `narrow` matches. Conservative: false when any
 * value is a token. No host condition is any host ('*'); no path condition is any path, and every
 * path starts with '/', so '/*' matches them all. Host headers compare case-insensitively.
 */
function covers(broad: RouteRequest, narrow: RouteRequest): boolean {
  const values = [...broad.hostHeaders, ...broad.pathPatterns, ...narrow.hostHeaders, ...narrow.pathPatterns];
  if (values.some((value) => Token.isUnresolved(value))) return false;
  if (broad.httpHeader !== undefined) {
    const same = narrow.httpHeader !== undefined
      && broad.httpHeader.name.toLowerCase() === narrow.httpHeader.name.toLowerCase()
      && broad.httpHeader.value === narrow.httpHeader.value;
    if (!same) return false;
  }
  const lower = (hosts: readonly string[]) => hosts.map((host) => host.toLowerCase());
  return conditionCovers(lower(broad.hostHeaders), lower(narrow.hostHeaders), '*')
    && conditionCovers(broad.pathPatterns, narrow.pathPatterns, '/*');
}

/** Whether condition values `broad` (OR-ed) match everything `narrow` matches; [] means `any`. */
function conditionCovers(broad: readonly string[], narrow: readonly string[], any: string): boolean {
  if (broad.length === 0) return true;
  const narrowValues = narrow.length === 0 ? [any] : narrow;
  return narrowValues.every((value) => broad.some((pattern) => globCovers(pattern, value)));
}

/**
 * Whether ALB wildcard pattern `broad` ('*' any run of characters, '?' exactly one) matches every
 * string pattern `narrow` matches. Sound, not complete: `broad`'s '*' may absorb any part of
 * `narrow`, its '?' one literal or '?' of `narrow`, its literals only the same literal.
 */
export function globCovers(broad: string, narrow: string): boolean {
  const memo = new Map<string, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === broad.length) {
      result = j === narrow.length;
    } else if (broad[i] === '*') {
      result = match(i + 1, j) || (j < narrow.length && match(i, j + 1));
    } else if (j === narrow.length) {
      result = false;
    } else if (broad[i] === '?') {
      result = narrow[j] !== '*' && match(i + 1, j + 1);
    } else {
      result = narrow[j] !== '*' && narrow[j] !== '?' && broad[i] === narrow[j] && match(i + 1, j + 1);
    }
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

function describeRoute(route: RouteRequest): string {
  const hosts = route.hostHeaders.length > 0 ? `host ${route.hostHeaders.join('|')}` : 'any host';
  const paths = route.pathPatterns.length > 0 ? `path ${route.pathPatterns.join('|')}` : 'any path';
  const header = route.httpHeader ? `, header ${route.httpHeader.name}: ${route.httpHeader.value}` : '';
  return `${hosts}, ${paths}${header}`;
}
