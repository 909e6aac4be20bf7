import { Stack } from 'aws-cdk-lib';

/** The image every benchmark container runs (never pulled: the benchmark only synthesizes). */
export const IMAGE = 'public.ecr.aws/nginx/nginx:stable';

/** An example certificate ARN; synthesis does not resolve it. */
export const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';

/** What to build. */
export interface WorkloadOptions {
  /** How many web services (0.5 vCPU / 1 GiB, 2..10 tasks, CPU 60 % + requests per target, Cloud Map name). */
  readonly webServices: number;
  /** Add the reference workload's EC2 daemon and nightly batch job. */
  readonly withDaemonAndBatch: boolean;
  /** Put web services into service stacks of this many each; undefined = all in the platform stack. */
  readonly servicesPerStack?: number;
  /** cdk-ecs-kit only: a Service Connect platform, each web service a server under its Cloud Map name. */
  readonly serviceConnect?: boolean;
}

/** The stacks a workload was built into. */
export interface WorkloadStacks {
  readonly platformStack: Stack;
  readonly serviceStacks: Stack[];
  /** Lets web service `caller` reach web service `callee` on its port, the way a user of that side would. */
  readonly link: (callee: number, caller: number) => void;
}

/**
 * `count` distinct east-west links (callee, caller) between `services` web services, none to itself,
 * from a seeded generator (mulberry32), so every run and the tests make the same links.
 */
export function seededLinks(services: number, count: number, seed = 14): Array<[number, number]> {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const links: Array<[number, number]> = [];
  const made = new Set<string>();
  while (links.length < count) {
    const callee = Math.floor(random() * services);
    const caller = Math.floor(random() * services);
    if (callee === caller || made.has(`${callee}<-${caller}`)) continue;
    made.add(`${callee}<-${caller}`);
    links.push([callee, caller]);
  }
  return links;
}
