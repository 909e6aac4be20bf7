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
}
