import { App, Aws, Duration, Environment, NestedStack, Stack, StackProps, Stage, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { buildReferenceApp } from '../../bin/app';
import { BatchTaskSchedule, Ec2DaemonService, EcsPlatform, FargateWebService, WebDeployment, WebIngress } from '../../packages/cdk-ecs-kit/lib';
import { EXAMPLE_APPS, exampleStackClass } from './examples';
import { FLAG_CONTEXTS, newAppInContext } from './synth';

// ARCHITECTURE.md principle 1: "any consumer app" means generated combinations of flags, environment,
// stack shape and app-wide aspects. This file names the values of each dimension, the apps and
// the shapes each can take, and generates a covering subset of worlds (all pairs), so the
// compliance matrix (test/contexts.test.ts) stays fast.

/** One value of every dimension of a consumer app. */
export interface World {
  readonly app: string;
  readonly flags: string;
  readonly env: string;
  readonly shape: string;
  readonly aspects: string;
}

export type Dimension = keyof World;

/** The environments: agnostic, region only, account and region, and two other partitions. */
export const ENVIRONMENTS: { [name: string]: Environment | undefined } = {
  'agnostic': undefined,
  'eu-west-1': { region: 'eu-west-1' },
  '123456789012/eu-west-1': { account: '123456789012', region: 'eu-west-1' },
  '123456789012/cn-north-1 (aws-cn)': { account: '123456789012', region: 'cn-north-1' },
  '123456789012/us-gov-west-1 (aws-us-gov)': { account: '123456789012', region: 'us-gov-west-1' },
};

/**
 * The stack shapes. The first three are how an app lays out its own stacks; the last two wrap
 * the app's default layout in a Stage, or in a Stage deployed by a CDK Pipelines pipeline.
 */
export const SHAPES = ['one stack', 'platform + services stacks', 'services in NestedStacks', 'in a Stage', 'in a CDK Pipelines stage'] as const;
export type Shape = typeof SHAPES[number];
type Layout = 'one stack' | 'platform + services stacks' | 'services in NestedStacks';

/** App-wide aspects a consumer may add. */
export const ASPECTS: { [name: string]: (app: App) => void } = {
  'none': () => {},
  'permissions boundary + tags': (app) => {
    // A boundary of the account the stack deploys to; ManagedPolicy.fromManagedPolicyName needs a stack as scope, an app has none.
    const boundary = { managedPolicyArn: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:policy/workload-boundary` } as unknown as iam.IManagedPolicy;
    iam.PermissionsBoundary.of(app).apply(boundary);
    Tags.of(app).add('team', 'platform');
    Tags.of(app).add('cost-center', '1234');
  },
};

/** Flag states with identical contexts (today cdk.json and cdk init's) are one value, named by both. */
export const FLAG_STATES: { [name: string]: { [key: string]: unknown } } = (() => {
  const canonical = (context: { [key: string]: unknown }) => JSON.stringify(Object.keys(context).sort().map((key) => [key, context[key]]));
  const groups = new Map<string, string[]>();
  for (const name of Object.keys(FLAG_CONTEXTS)) {
    const key = canonical(FLAG_CONTEXTS[name]);
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  return Object.fromEntries([...groups.values()].map((names) => [names.join(' = '), FLAG_CONTEXTS[names[0]]]));
})();

/** An app of the matrix: the layouts it can take, and how to build it in one. */
export interface WorldApp {
  readonly name: string;
  readonly layouts: readonly Layout[];
  build(scope: Construct, layout: Layout, env: Environment | undefined): void;
}

export const WORLD_APPS: WorldApp[] = [
  ...EXAMPLE_APPS.map(({ label, name, file }): WorldApp => ({
    name: `examples/${label}`,
    layouts: ['one stack'],
    build: (scope, _layout, env) => {
      const StackClass = exampleStackClass(name, file) as new (scope: Construct, id: string, props?: StackProps) => Stack;
      new StackClass(scope, 'Example', { env });
    },
  })),
  {
    name: 'the reference app (bin/app.ts)',
    layouts: ['one stack', 'platform + services stacks', 'services in NestedStacks'],
    build: (scope, layout, env) => {
      buildReferenceApp(scope, { env, workloadsIn: layout === 'one stack' ? 'platform' : layout === 'services in NestedStacks' ? 'nested' : 'stack' });
    },
  },
  {
    name: 'a platform stack and two service stacks that call each other both ways',
    layouts: ['platform + services stacks', 'services in NestedStacks'],
    build: (scope, layout, env) => buildSplitApp(scope, layout === 'services in NestedStacks', env),
  },
];

/** The shapes `app` can take: its layouts, then a Stage and a pipeline stage around its first one. */
export function shapesOf(app: WorldApp): Shape[] {
  return [...app.layouts, 'in a Stage', 'in a CDK Pipelines stage'];
}

/**
 * What the README recommends for many services: the platform and ingress in one stack, workloads
 * in others (keys, listener and cluster then reach them by cross-stack references), here two
 * service stacks (or two NestedStacks of one parent) whose services call each other both ways.
 */
export function buildSplitApp(scope: Construct, nested: boolean, env?: Environment): void {
  const platformStack = new Stack(scope, 'Platform', { env });
  const platform = new EcsPlatform(platformStack, 'Platform', { serviceConnect: true, ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') } });
  const ingress = new WebIngress(platformStack, 'Ingress', { platform, allowPlainHttp: true, internetFacing: false });
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');
  const web = (stack: Stack, id: string, extra: object = {}) => new FargateWebService(stack, id, {
    platform, ingress, hostHeaders: [`${id.toLowerCase()}.example.com`], cpu: 512, memoryMiB: 1024,
    container: { image, user: '101', port: 8080 }, serviceConnect: { name: id.toLowerCase() }, ...extra,
  });
  const parent = nested ? new Stack(scope, 'Services', { env }) : undefined;
  const left = parent ? new NestedStack(parent, 'Left') : new Stack(scope, 'Left', { env });
  const right = parent ? new NestedStack(parent, 'Right') : new Stack(scope, 'Right', { env });
  const orders = web(left, 'Orders', {
    deployment: WebDeployment.canary({ percent: 10, stepBakeTime: Duration.minutes(5), bakeTime: Duration.minutes(10), testHeader: { name: 'x-canary', value: '1' } }),
  });
  const billing = web(right, 'Billing');
  orders.allowFrom(billing);
  billing.allowFrom(orders);
  new Ec2DaemonService(right, 'Agent', {
    platform, container: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0'), user: '10001', port: 4317 },
    memoryLimitMiB: 512,
  }).allowFrom(orders);
  new BatchTaskSchedule(left, 'Nightly', {
    platform, container: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'), user: '1000:1000' },
    schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
  });
}

/** A built world: the app, and the construct path under which our constructs live ('' = all). */
export interface BuiltWorld {
  readonly app: App;
  readonly ownPrefix: string;
}

/** Builds `world` in a new app with its flag state, environment, shape and aspects. */
export function buildWorld(world: World): BuiltWorld {
  const worldApp = WORLD_APPS.find((a) => a.name === world.app);
  if (!worldApp) throw new Error(`No app named ${world.app}`);
  const app = newAppInContext(FLAG_STATES[world.flags]);
  const env = ENVIRONMENTS[world.env];
  const shape = world.shape as Shape;
  let ownPrefix = '';
  if (shape === 'in a Stage') {
    worldApp.build(new Stage(app, 'Deploy', { env }), worldApp.layouts[0], env);
    ownPrefix = 'Deploy/';
  } else if (shape === 'in a CDK Pipelines stage') {
    // Only the stage's constructs are ours: the pipeline's own findings are aws-cdk-lib's.
    const pipelineStack = new Stack(app, 'Pipeline', { env });
    const source = s3.Bucket.fromBucketName(pipelineStack, 'SourceBucket', 'my-source-bucket');
    const pipeline = new pipelines.CodePipeline(pipelineStack, 'Pipeline', {
      synth: new pipelines.ShellStep('Synth', {
        input: pipelines.CodePipelineSource.s3(source, 'source.zip'),
        commands: ['npm ci', 'npx cdk synth'],
      }),
    });
    const stage = new Stage(pipelineStack, 'Deploy', { env });
    worldApp.build(stage, worldApp.layouts[0], env);
    pipeline.addStage(stage);
    ownPrefix = 'Pipeline/Deploy/';
  } else {
    if (!worldApp.layouts.includes(shape)) throw new Error(`${world.app} cannot take the shape ${shape}`);
    worldApp.build(app, shape, env);
  }
  ASPECTS[world.aspects](app);
  return { app, ownPrefix };
}

/** The dimensions of the matrix and their values. */
export const DIMENSIONS: { [D in Dimension]: string[] } = {
  app: WORLD_APPS.map((a) => a.name),
  flags: Object.keys(FLAG_STATES),
  env: Object.keys(ENVIRONMENTS),
  shape: [...SHAPES],
  aspects: Object.keys(ASPECTS),
};

/** True when a (partial) world can exist: the app can take the shape. */
export function isPossible(partial: Partial<World>): boolean {
  if (partial.app === undefined || partial.shape === undefined) return true;
  const app = WORLD_APPS.find((a) => a.name === partial.app);
  return app !== undefined && shapesOf(app).includes(partial.shape as Shape);
}

/** Every pair of values of two dimensions that some possible world has, as `dim=value|dim=value`. */
export function possiblePairs(dimensions: { [D in Dimension]: string[] }, possible: (partial: Partial<World>) => boolean): Set<string> {
  const names = Object.keys(dimensions) as Dimension[];
  const pairs = new Set<string>();
  names.forEach((a, i) => names.slice(i + 1).forEach((b) => {
    for (const va of dimensions[a]) for (const vb of dimensions[b]) {
      if (possible({ [a]: va, [b]: vb })) pairs.add(pairKey(a, va, b, vb));
    }
  }));
  return pairs;
}

function pairKey(a: Dimension, va: string, b: Dimension, vb: string): string {
  return `${a}=${va}|${b}=${vb}`;
}

/** The pairs a world covers, in `possiblePairs`' form. */
export function pairsOf(world: World, dimensions: { [D in Dimension]: string[] }): string[] {
  const names = Object.keys(dimensions) as Dimension[];
  return names.flatMap((a, i) => names.slice(i + 1).map((b) => pairKey(a, world[a], b, world[b])));
}

/**
 * A small deterministic all-pairs generator: each seed (a partial world that must appear) is
 * completed, dimension by dimension, with the possible value that covers most pairs not yet
 * covered (the first such value on a tie); then, while a possible pair is uncovered, the first
 * one seeds a new world. Every possible pair ends up in some world; worlds are distinct.
 */
export function generateWorlds(
  dimensions: { [D in Dimension]: string[] },
  possible: (partial: Partial<World>) => boolean,
  seeds: Array<Partial<World>> = [],
): World[] {
  const names = Object.keys(dimensions) as Dimension[];
  const uncovered = possiblePairs(dimensions, possible);
  const worlds = new Map<string, World>();
  const complete = (seed: Partial<World>): World => {
    const world: { -readonly [D in Dimension]?: string } = { ...seed };
    for (const dim of names) {
      if (world[dim] !== undefined) continue;
      let best: string | undefined;
      let bestGain = -1;
      for (const value of dimensions[dim]) {
        const candidate = { ...world, [dim]: value };
        if (!possible(candidate)) continue;
        const gain = names.filter((other) => other !== dim && world[other] !== undefined).filter((other) => {
          const [a, b] = names.indexOf(dim) < names.indexOf(other) ? [dim, other] : [other, dim];
          return uncovered.has(pairKey(a, candidate[a]!, b, candidate[b]!));
        }).length;
        if (gain > bestGain) { best = value; bestGain = gain; }
      }
      if (best === undefined) throw new Error(`No possible value of ${dim} for ${JSON.stringify(world)}`);
      world[dim] = best;
    }
    return world as World;
  };
  const add = (world: World) => {
    worlds.set(JSON.stringify(names.map((n) => world[n])), world);
    for (const pair of pairsOf(world, dimensions)) uncovered.delete(pair);
  };
  for (const seed of seeds) add(complete(seed));
  while (uncovered.size > 0) {
    const [first] = uncovered;
    const [[a, va], [b, vb]] = first.split('|').map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]);
    add(complete({ [a]: va, [b]: vb }));
  }
  return [...worlds.values()];
}

/** A short name of a world, for test titles. */
export function describeWorld(world: World): string {
  return `${world.app} | ${world.flags} | ${world.env} | ${world.shape} | aspects: ${world.aspects}`;
}
