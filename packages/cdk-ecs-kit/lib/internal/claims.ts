import { IConstruct } from 'constructs';
import { fail } from './validation';

/**
 * Platform-wide names and numbers that only one workload may hold (a Cloud Map name in a
 * namespace, a host port on the EC2 instances, a listener rule priority). Each platform and
 * ingress object keeps its own registry, so two apps or two platforms never share state.
 */
export class ClaimRegistry {
  private readonly holders = new Map<string, string>();

  /**
   * @param verb how a holder holds a key, e.g. 'registered'
   * @param where where, e.g. 'in the namespace of Stack/Platform'
   */
  constructor(private readonly verb: string, private readonly where: string) {}

  /**
   * Claims `key` for `owner`; a key another construct holds is a synth error that names both.
   * Claiming a key the owner already holds is a no-op.
   */
  public claim(owner: IConstruct, prop: string, key: string, display: string, fix: string): void {
    const holder = this.holders.get(key);
    if (holder !== undefined && holder !== owner.node.path) {
      fail(owner, prop, `${display} is already ${this.verb} by ${holder} ${this.where}.`, fix);
    }
    this.holders.set(key, owner.node.path);
  }
}

/** How to resolve a host port clash between two daemons on one platform. */
export const HOST_PORT_CLASH_FIX = 'Use another port for one of the two daemons, or run one of them in awsvpc mode.';
