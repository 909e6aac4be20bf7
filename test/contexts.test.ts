import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { buildReferenceApp } from '../bin/app';
import { BatchTaskSchedule, Ec2DaemonService, EcsPlatform, FargateWebService, WebDeployment, WebIngress } from '../packages/cdk-ecs-kit/lib';
import { EXAMPLE_APPS, exampleStackClass } from './support/examples';
import { FLAG_CONTEXTS, formatFindings, newAppInContext, synthWithCompliance } from './support/synth';

// ARCHITECTURE.md principle 1: the output passes in ANY consumer app, whatever its feature flags.
// Each app is synthesized once per flag state with the four nag packs, Control Tower's
// proactive controls and the CloudFormation validator (cfn-guard takes seconds per app).

const APPS: Array<[string, (app: App) => void]> = [
  ...EXAMPLE_APPS.map(({ label, name, file }): [string, (app: App) => void] => [`examples/${label}`, (app) => { new (exampleStackClass(name, file))(app, 'Example'); }]),
  ['the reference app (bin/app.ts)', (app) => { buildReferenceApp(app); }],
  ['a platform stack and two service stacks that call each other both ways', (app) => { buildSplitApp(app); }],
];

/**
 * What the README recommends for many services: the platform and ingress in one stack, workloads
 * in others (keys, listener and cluster then reach them by cross-stack references).
 */
function buildSplitApp(app: App): void {
  const platformStack = new Stack(app, 'Platform');
  const platform = new EcsPlatform(platformStack, 'Platform', { serviceConnect: true, ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') } });
  const ingress = new WebIngress(platformStack, 'Ingress', { platform, allowPlainHttp: true, internetFacing: false });
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');
  const web = (stack: Stack, id: string, extra: object = {}) => new FargateWebService(stack, id, {
    platform, ingress, hostHeaders: [`${id.toLowerCase()}.example.com`], cpu: 512, memoryMiB: 1024,
    container: { image, user: '101', port: 8080 }, serviceConnect: { name: id.toLowerCase() }, ...extra,
  });
  const left = new Stack(app, 'Left');
  const right = new Stack(app, 'Right');
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

/** Sorted-key JSON: two contexts with the same flags and values give the same text. */
function canonical(context: { [key: string]: unknown }): string {
  return JSON.stringify(Object.keys(context).sort().map((key) => [key, context[key]]));
}

// Flag states with identical contexts (today cdk.json and cdk init's) are synthesized once, under
// both names: the check is the same, and cfn-guard takes seconds per app.
const DISTINCT_CONTEXTS = new Map<string, string[]>();
for (const name of Object.keys(FLAG_CONTEXTS)) {
  const key = canonical(FLAG_CONTEXTS[name]);
  DISTINCT_CONTEXTS.set(key, [...(DISTINCT_CONTEXTS.get(key) ?? []), name]);
}
const CONTEXT_GROUPS = [...DISTINCT_CONTEXTS.values()];

describe.each(CONTEXT_GROUPS.map((names): [string, string] => [names.join(' = '), names[0]]))('with %s', (_label, contextName) => {
  test.each(APPS)('%s has no unacknowledged finding of any severity', (_name, build) => {
    const app = newAppInContext(FLAG_CONTEXTS[contextName]);
    build(app);
    const result = synthWithCompliance(app);
    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
  });
});

test('every flag state is covered, identical ones once', () => {
  expect(CONTEXT_GROUPS.flat().sort()).toEqual(Object.keys(FLAG_CONTEXTS).sort());
  for (const names of CONTEXT_GROUPS) {
    for (const name of names) expect(canonical(FLAG_CONTEXTS[name])).toBe(canonical(FLAG_CONTEXTS[names[0]]));
  }
});

test("the no-flags state sets only the validator flag; cdk init's flags come from the installed aws-cdk-lib", () => {
  expect(Object.keys(FLAG_CONTEXTS['no feature flags'])).toEqual(['@aws-cdk/core:validateAgainstDefaultRules']);
  expect(FLAG_CONTEXTS['cdk init']['@aws-cdk/aws-ec2:restrictDefaultSecurityGroup']).toBe(true);
});
