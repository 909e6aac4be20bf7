/**
 * Synthesizes one workload in this fresh process and prints one JSON line with what it
 * produced. bench/run.ts starts this script once per measurement.
 *
 *   tsx bench/synth-once.ts --impl kit|patterns --services N [--per-stack K] [--daemon-and-batch] [--links L] [--service-connect]
 *
 * --links L adds L seeded east-west links between the web services (bench/workload.ts seededLinks).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { App } from 'aws-cdk-lib';
import { buildKitWorkload } from './kit-workload';
import { buildPatternsWorkload } from './patterns-workload';
import { seededLinks, WorkloadOptions, WorkloadStacks } from './workload';

const started = process.hrtime.bigint();
const { values } = parseArgs({
  options: {
    'impl': { type: 'string' },
    'services': { type: 'string' },
    'per-stack': { type: 'string' },
    'daemon-and-batch': { type: 'boolean', default: false },
    'links': { type: 'string' },
    'service-connect': { type: 'boolean', default: false },
  },
});
const options: WorkloadOptions = {
  webServices: Number(values.services ?? '3'),
  withDaemonAndBatch: values['daemon-and-batch'] ?? false,
  servicesPerStack: values['per-stack'] ? Number(values['per-stack']) : undefined,
  serviceConnect: values['service-connect'] ?? false,
};

// The repository's feature flags, with the validator reporting instead of failing:
// aws-ecs-patterns' output has findings, and both sides must do the same work.
const context = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf-8')).context;
context['@aws-cdk/core:validateAgainstDefaultRules'] = false;
// Count past CloudFormation's 500-resource limit instead of failing: the benchmark looks for it.
context['@aws-cdk/core:stackResourceLimit'] = 0;
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ecs-kit-bench-'));
const app = new App({ outdir, context });
let built: WorkloadStacks;
if (values.impl === 'kit') built = buildKitWorkload(app, options);
else if (values.impl === 'patterns') built = buildPatternsWorkload(app, options);
else throw new Error(`--impl must be kit or patterns, got ${values.impl}`);
for (const [callee, caller] of seededLinks(options.webServices, Number(values.links ?? '0'))) built.link(callee, caller);
const assembly = app.synth();

interface TargetGroupTiming { deregistrationDelaySeconds: number; healthyThreshold: number; intervalSeconds: number }
const typeCounts: { [type: string]: number } = {};
const targetGroups: TargetGroupTiming[] = [];
let wafRules = 0;
const stacks = assembly.stacks.map((stack) => {
  const body = fs.readFileSync(path.join(outdir, stack.templateFile), 'utf-8');
  const resources: { [id: string]: { Type: string; Properties?: any } } = JSON.parse(body).Resources ?? {};
  for (const resource of Object.values(resources)) {
    typeCounts[resource.Type] = (typeCounts[resource.Type] ?? 0) + 1;
    if (resource.Type === 'AWS::WAFv2::WebACL') wafRules += (resource.Properties?.Rules ?? []).length;
    if (resource.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup') {
      const props = resource.Properties ?? {};
      const delay = (props.TargetGroupAttributes ?? []).find((a: any) => a.Key === 'deregistration_delay.timeout_seconds');
      // CloudFormation's defaults when the template leaves them out.
      targetGroups.push({
        deregistrationDelaySeconds: delay ? Number(delay.Value) : 300,
        healthyThreshold: props.HealthyThresholdCount ?? 5,
        intervalSeconds: props.HealthCheckIntervalSeconds ?? 30,
      });
    }
  }
  return { name: stack.stackName, resources: Object.keys(resources).length, bytes: Buffer.byteLength(body) };
});
const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
fs.rmSync(outdir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({
  synthMs: Math.round(elapsedMs),
  maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  stacks,
  typeCounts,
  targetGroups,
  wafRules,
}) + '\n');
