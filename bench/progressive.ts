/**
 * Progressive delivery in numbers: a model of the time to production per deployment strategy,
 * next to aws-ecs-patterns' rolling deploy, and the resources each strategy adds to a service
 * (counted by synthesizing one service per strategy in this process).
 *
 * The model counts only what the template fixes, plus one assumed constant for a task to pull
 * and start (TASK_START_SECONDS); ECS's own polling adds to every row alike. Run alone with
 * `npx tsx bench/progressive.ts` (a few seconds); `npm run bench` appends the same tables.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { EcsPlatform, FargateWebService, WebDeployment, WebIngress } from '../packages/cdk-ecs-kit/lib';
import { linearSteps } from '../packages/cdk-ecs-kit/lib/services/deployment-checks';
import { CERTIFICATE_ARN, IMAGE } from './workload';

/** Assumed: image pull and container start of a small image on Fargate. */
export const TASK_START_SECONDS = 60;

interface Timing {
  /** Target group health check: healthy threshold x interval. */
  readonly healthySeconds: number;
  /** Deregistration delay of the old tasks. */
  readonly drainSeconds: number;
}

const KIT: Timing = { healthySeconds: 2 * 10, drainSeconds: 30 };
const PATTERNS: Timing = { healthySeconds: 5 * 30, drainSeconds: 300 };

interface Strategy {
  readonly name: string;
  readonly config: string;
  readonly timing: Timing;
  readonly deployment?: WebDeployment;
}

const STRATEGIES: Strategy[] = [
  { name: 'aws-ecs-patterns rolling', config: 'CloudFormation defaults', timing: PATTERNS },
  { name: 'cdk-ecs-kit rolling (default)', config: 'WebDeployment.rolling()', timing: KIT, deployment: WebDeployment.rolling() },
  { name: 'cdk-ecs-kit blue/green', config: 'bakeTime 5 min', timing: KIT, deployment: WebDeployment.blueGreen({ bakeTime: Duration.minutes(5) }) },
  { name: 'cdk-ecs-kit canary', config: '10 %, stepBakeTime 5 min, bakeTime 10 min', timing: KIT, deployment: WebDeployment.canary({ percent: 10, stepBakeTime: Duration.minutes(5), bakeTime: Duration.minutes(10) }) },
  { name: 'cdk-ecs-kit linear', config: '25 %, stepBakeTime 2 min, bakeTime 5 min', timing: KIT, deployment: WebDeployment.linear({ stepPercent: 25, stepBakeTime: Duration.minutes(2), bakeTime: Duration.minutes(5) }) },
];

/** Seconds until all production traffic reaches the new version, and until the deployment is complete. */
export function modelSeconds(strategy: Strategy): { allTraffic: number; complete: number; shiftWait: number; bake: number } {
  const ready = TASK_START_SECONDS + strategy.timing.healthySeconds;
  const deployment = strategy.deployment;
  if (!deployment || !deployment.shiftsTraffic) {
    // min 100 % / max 200 %: all new tasks start at once; the old ones drain after.
    return { allTraffic: ready, complete: ready + strategy.timing.drainSeconds, shiftWait: 0, bake: 0 };
  }
  const step = deployment.stepBakeTime?.toSeconds() ?? 0;
  const bake = deployment.bakeTime!.toSeconds();
  // Canary: one step bake before the rest moves. Linear: a step bake after every step but the last.
  const shiftWait = deployment.strategy === ecs.DeploymentStrategy.CANARY ? step
    : deployment.strategy === ecs.DeploymentStrategy.LINEAR ? step * (linearSteps(deployment.stepPercent!) - 1) : 0;
  // After the bake the old tasks stop; they already get no traffic, so draining adds nothing.
  return { allTraffic: ready + shiftWait, complete: ready + shiftWait + bake, shiftWait, bake };
}

/** The resources of a stack with one service deployed with `deployment`, by type. */
function resourcesWith(deployment: WebDeployment | undefined, testHeader: boolean): { [type: string]: number } {
  const app = new App();
  const stack = new Stack(app, 'Bench');
  const platform = new EcsPlatform(stack, 'Platform');
  const ingress = new WebIngress(stack, 'Ingress', { platform, certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN) });
  const withHeader = deployment && testHeader
    ? WebDeployment.canary({ percent: 10, stepBakeTime: Duration.minutes(5), bakeTime: Duration.minutes(10), testHeader: { name: 'x-canary', value: 'true' } })
    : deployment;
  new FargateWebService(stack, 'Api', {
    platform, ingress, hostHeaders: ['api.example.com'],
    container: { image: ecs.ContainerImage.fromRegistry(IMAGE), user: '1000', port: 8080 },
    autoScaling: { minCapacity: 2, maxCapacity: 10, targetCpuPercent: 60, requestsPerTarget: 500 },
    deployment: withHeader,
  });
  const counts: { [type: string]: number } = {};
  for (const resource of Object.values<any>(app.synth().getStackByName('Bench').template.Resources)) {
    counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  }
  return counts;
}

function extraResources(base: { [type: string]: number }, other: { [type: string]: number }): string {
  const extra = Object.entries(other)
    .map(([type, n]) => [type.replace(/^AWS::/, ''), n - (base[type] ?? 0)] as const)
    .filter(([, n]) => n !== 0);
  const sum = extra.reduce((s, [, n]) => s + n, 0);
  return `${sum} (${extra.map(([type, n]) => `${n > 0 ? '+' : ''}${n} ${type}`).join(', ')})`;
}

const minutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min`;

/** The two markdown tables. */
export function progressiveDeliveryTables(): string {
  const timeRows = STRATEGIES.map((s) => {
    const m = modelSeconds(s);
    return `| ${s.name} | ${s.config} | ${minutes(m.allTraffic)} | ${minutes(m.complete)} |`;
  });
  const rolling = resourcesWith(undefined, false);
  const canary = resourcesWith(STRATEGIES[3].deployment, false);
  const canaryWithHeader = resourcesWith(STRATEGIES[3].deployment, true);
  return [
    `Time to production per strategy (model: ${TASK_START_SECONDS} s task start + healthy threshold × interval, then the strategy's step bakes and bake time; rolling drains the old tasks):`,
    '',
    '| Strategy | Configuration | All traffic on the new version | Deployment complete (`cdk deploy` returns) |',
    '| --- | --- | --- | --- |',
    ...timeRows,
    '',
    'Resources a traffic-shifting deployment adds to one service with CPU and request scaling (synthesized):',
    '',
    '| Deployment | Extra resources against rolling |',
    '| --- | --- |',
    `| canary, linear or blue/green | ${extraResources(rolling, canary)} |`,
    `| with a testHeader | ${extraResources(rolling, canaryWithHeader)} |`,
  ].join('\n');
}

if (require.main === module) process.stdout.write(`${progressiveDeliveryTables()}\n`);
