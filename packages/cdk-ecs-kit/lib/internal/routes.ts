import { IConstruct } from 'constructs';
import { fail } from './validation';
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
 */
export class RouteTable {
  private readonly byPriority = new Map<number, string>();
  private readonly byConditions = new Map<string, string>();

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
    this.byPriority.set(priority, service.node.path);
    this.byConditions.set(conditionsKey, service.node.path);
    return priority;
  }
}
