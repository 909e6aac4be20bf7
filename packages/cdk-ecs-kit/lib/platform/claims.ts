import { IConstruct } from 'constructs';
import { fail } from '../core/validation';

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

/**
 * The claims one platform object holds, shared by EcsPlatform and imported platforms: Cloud Map
 * names in its namespace, host ports on its EC2 instances, Service Connect names.
 */
export class PlatformClaims {
  private readonly discoveryNames: ClaimRegistry;
  private readonly hostPorts: ClaimRegistry;
  private readonly serviceConnectNames: ClaimRegistry;

  /**
   * @param platformPath the platform's construct path, named in clash messages
   * @param imported whether the platform comes from another app, whose workloads are not visible
   */
  constructor(platformPath: string, imported: boolean) {
    const invisible = imported ? " (services of the platform's own app are not visible here)" : '';
    this.discoveryNames = new ClaimRegistry('registered', `in the namespace of ${platformPath}${invisible}`);
    this.hostPorts = new ClaimRegistry('published', imported
      ? `on every EC2 instance of ${platformPath}`
      : `on every EC2 instance of ${platformPath}, so ECS could never place both daemons' tasks`);
    this.serviceConnectNames = new ClaimRegistry('served', `through Service Connect on ${platformPath}${invisible}`);
  }

  public discoveryName(owner: IConstruct, name: string): void {
    this.discoveryNames.claim(owner, 'discoveryName', name, `'${name}'`, 'Choose a name no other workload on the platform uses.');
  }

  public hostPort(owner: IConstruct, port: number, protocol: string, prop: string): void {
    this.hostPorts.claim(owner, prop, `${port}/${protocol}`, `host port ${port}/${protocol}`, HOST_PORT_CLASH_FIX);
  }

  public serviceConnectName(owner: IConstruct, name: string): void {
    this.serviceConnectNames.claim(owner, 'serviceConnect.name', name, `'${name}'`, 'Choose a Service Connect name no other service on the platform uses.');
  }
}
