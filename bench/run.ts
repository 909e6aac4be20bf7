/**
 * npm run bench: cdk-ecs-kit against aws-ecs-patterns on the reference workload of ARCHITECTURE.md.
 * Every synthesis runs in a fresh process (bench/synth-once.ts). Prints a table and writes
 * BENCHMARKS.md. Offline: nothing is deployed and no AWS call is made.
 *
 * Environment: BENCH_RUNS (timing runs per side, default 5), BENCH_SPLIT_RUNS (default 1),
 * BENCH_LINK_RUNS (runs of the 100-services-with-links synth, default 3), BENCH_ONLY=links to run only that part,
 * BENCH_NO_WRITE=1 to leave BENCHMARKS.md alone, BENCH_NOTE to add a note on the run's conditions.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MONTHLY_PRICES_USD, PRICE_SOURCE } from './prices';
import { progressiveDeliveryTables } from './progressive';

type Impl = 'kit' | 'patterns';
const IMPLS: Impl[] = ['kit', 'patterns'];
const ROOT = path.join(__dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SPLIT_RUNS = Number(process.env.BENCH_SPLIT_RUNS ?? 1);
const STACK_LIMIT = 500;
const REFERENCE_WEB_SERVICES = 3;
const SERVICES_PER_STACK_IN_SPLIT = 25;
const LINK_RUNS = Number(process.env.BENCH_LINK_RUNS ?? 3);
const LINKED_SERVICES = 100;
const LINKED_SERVICES_PER_STACK = 20;
const LINKS = 150;
/** Application Load Balancers per region, the default Elastic Load Balancing quota. */
const ALB_QUOTA_PER_REGION = 50;

interface SynthResult {
  wallMs: number;
  synthMs: number;
  maxRssMiB: number;
  stacks: Array<{ name: string; resources: number; bytes: number }>;
  typeCounts: { [type: string]: number };
  targetGroups: Array<{ deregistrationDelaySeconds: number; healthyThreshold: number; intervalSeconds: number }>;
  wafRules: number;
}

function synth(impl: Impl, webServices: number, extra: string[] = []): SynthResult {
  const started = process.hrtime.bigint();
  const out = execFileSync(TSX, ['bench/synth-once.ts', '--impl', impl, '--services', String(webServices), ...extra], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf-8',
    // aws-ecs-patterns' annotations would drown the table; a failed synth still throws with its stderr.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { wallMs, ...JSON.parse(out.trim().split('\n').pop()!) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const total = (r: SynthResult, key: 'resources' | 'bytes') => r.stacks.reduce((sum, s) => sum + s[key], 0);
const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** One synth, or why it failed (the first line of aws-cdk-lib's error). */
function trySynth(impl: Impl, webServices: number, extra: string[]): SynthResult | { error: string } {
  try {
    return synth(impl, webServices, extra);
  } catch (e) {
    const stderr = String((e as { stderr?: string }).stderr ?? e);
    const line = stderr.split('\n').find((l) => /DependencyCycle|cyclic reference|Error/.test(l)) ?? stderr.split('\n')[0];
    return { error: line.trim().slice(0, 160) };
  }
}

/** 100 web services over 5 service stacks with 150 seeded east-west links, both ways across stacks. */
function linkRows(): Array<[string, string, string]> {
  log(`${LINKED_SERVICES} web services over service stacks of ${LINKED_SERVICES_PER_STACK} with ${LINKS} links: ${LINK_RUNS} run(s) per side`);
  const extra = ['--per-stack', String(LINKED_SERVICES_PER_STACK), '--links', String(LINKS)];
  const cell = (impl: Impl) => {
    const runs = Array.from({ length: LINK_RUNS }, () => trySynth(impl, LINKED_SERVICES, extra));
    const ok = runs.filter((r): r is SynthResult => !('error' in r));
    if (ok.length === 0) return { wall: `does not synthesize: ${(runs[0] as { error: string }).error}`, rss: 'n/a' };
    return {
      wall: `${(median(ok.map((r) => r.wallMs)) / 1000).toFixed(2)} s (${ok[0].stacks.length} stacks)`,
      rss: `${median(ok.map((r) => r.maxRssMiB))} MiB`,
    };
  };
  const kit = cell('kit');
  const patterns = cell('patterns');
  const albs = `; ${LINKED_SERVICES} ALBs, over the default quota of ${ALB_QUOTA_PER_REGION} per region`;
  return [
    [`Synth wall time, ${LINKED_SERVICES} web services over ${LINKED_SERVICES / LINKED_SERVICES_PER_STACK} service stacks with ${LINKS} seeded east-west links (median of ${LINK_RUNS})`, kit.wall, patterns.wall + albs],
    ['Peak memory (max RSS), the same', kit.rss, patterns.rss],
  ];
}

function main(): void {
  const rows: Array<[string, string, string]> = [];
  const both = <T>(fn: (impl: Impl) => T): Record<Impl, T> => ({ kit: fn('kit'), patterns: fn('patterns') });
  if (process.env.BENCH_ONLY === 'links') {
    const table = ['| Measure | cdk-ecs-kit | aws-ecs-patterns |', '| --- | --- | --- |', ...linkRows().map(([w, k, p]) => `| ${w} | ${k} | ${p} |`)].join('\n');
    process.stdout.write(`\n${table}\n`);
    return;
  }

  // 1. Synth wall time and peak memory of the reference workload, alternating sides.
  log(`synth timing: ${RUNS} alternating runs per side`);
  const timing: Record<Impl, SynthResult[]> = { kit: [], patterns: [] };
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 === 0 ? IMPLS : [...IMPLS].reverse();
    for (const impl of order) timing[impl].push(synth(impl, REFERENCE_WEB_SERVICES, ['--daemon-and-batch']));
  }
  const wall = both((impl) => median(timing[impl].map((r) => r.wallMs)));
  const rss = both((impl) => median(timing[impl].map((r) => r.maxRssMiB)));
  rows.push(['Synth wall time, reference workload (median of ' + RUNS + ' fresh processes)', `${(wall.kit / 1000).toFixed(2)} s`, `${(wall.patterns / 1000).toFixed(2)} s`]);
  rows.push(['Synth time ratio kit / patterns', (wall.kit / wall.patterns).toFixed(2), '1.00']);
  rows.push(['Peak memory (max RSS, median)', `${rss.kit} MiB`, `${rss.patterns} MiB`]);

  // 2. Resources and template bytes for 1 and 20 web services, and the marginal cost of one more.
  log('stack size: 1 and 20 web services');
  const one = both((impl) => synth(impl, 1));
  const twenty = both((impl) => synth(impl, 20));
  const marginal = both((impl) => (total(twenty[impl], 'resources') - total(one[impl], 'resources')) / 19);
  const marginalBytes = both((impl) => (total(twenty[impl], 'bytes') - total(one[impl], 'bytes')) / 19);
  rows.push(['CloudFormation resources, 1 web service', `${total(one.kit, 'resources')}`, `${total(one.patterns, 'resources')}`]);
  rows.push(['CloudFormation resources, 20 web services', `${total(twenty.kit, 'resources')}`, `${total(twenty.patterns, 'resources')}`]);
  rows.push(['Template bytes, 1 web service', `${total(one.kit, 'bytes')}`, `${total(one.patterns, 'bytes')}`]);
  rows.push(['Template bytes, 20 web services', `${total(twenty.kit, 'bytes')}`, `${total(twenty.patterns, 'bytes')}`]);
  rows.push(['Marginal resources per added web service', marginal.kit.toFixed(1), marginal.patterns.toFixed(1)]);
  rows.push(['Marginal template bytes per added web service', marginalBytes.kit.toFixed(0), marginalBytes.patterns.toFixed(0)]);
  // What Service Connect adds to each web service (aws-ecs-patterns offers no Service Connect option, aws-cdk#26973).
  const connected = synth('kit', 20, ['--service-connect']);
  const serviceConnectAdded = (total(connected, 'resources') - total(twenty.kit, 'resources')) / 20;
  rows.push(['Resources added per web service by Service Connect (server and client)', serviceConnectAdded.toFixed(1), 'no Service Connect option']);

  // 3. The most web services that fit one stack, checked by synthesizing the boundary.
  log('services per stack under the 500-resource limit');
  const fitting = both((impl) => {
    const fixed = total(one[impl], 'resources') - marginal[impl];
    let n = Math.floor((STACK_LIMIT - fixed) / marginal[impl]);
    while (n > 1 && total(synth(impl, n), 'resources') > STACK_LIMIT) n--;
    while (total(synth(impl, n + 1), 'resources') <= STACK_LIMIT) n++;
    return n;
  });
  rows.push([`Most web services in one stack (${STACK_LIMIT}-resource limit)`, `${fitting.kit}`, `${fitting.patterns}`]);

  log(`100 web services over a platform stack and service stacks of ${SERVICES_PER_STACK_IN_SPLIT}`);
  const split = both((impl) => {
    const runs = Array.from({ length: SPLIT_RUNS }, () => synth(impl, 100, ['--per-stack', String(SERVICES_PER_STACK_IN_SPLIT)]));
    return { wallMs: median(runs.map((r) => r.wallMs)), stacks: runs[0].stacks.length };
  });
  rows.push([`Synth wall time, 100 web services (${split.kit.stacks} / ${split.patterns.stacks} stacks)`, `${(split.kit.wallMs / 1000).toFixed(2)} s`, `${(split.patterns.wallMs / 1000).toFixed(2)} s`]);
  rows.push(...linkRows());

  // 4. The slowest step of a rolling deploy the template fixes.
  const deployStep = both((impl) => Math.max(...timing[impl][0].targetGroups.map((tg) => tg.deregistrationDelaySeconds + tg.healthyThreshold * tg.intervalSeconds)));
  const describeStep = (impl: Impl) => {
    const tg = timing[impl][0].targetGroups[0];
    return `${deployStep[impl]} s (${tg.deregistrationDelaySeconds} + ${tg.healthyThreshold} × ${tg.intervalSeconds})`;
  };
  rows.push(['Rolling-deploy wait per step: deregistration delay + healthy threshold × interval', describeStep('kit'), describeStep('patterns')]);

  // 5. Monthly price of the fixed parts of the reference workload.
  const price = both((impl) => {
    const counts = timing[impl][0].typeCounts;
    const albs = counts['AWS::ElasticLoadBalancingV2::LoadBalancer'] ?? 0;
    const nats = counts['AWS::EC2::NatGateway'] ?? 0;
    const keys = counts['AWS::KMS::Key'] ?? 0;
    const acls = counts['AWS::WAFv2::WebACL'] ?? 0;
    const wafRules = timing[impl][0].wafRules;
    const usd = albs * MONTHLY_PRICES_USD.alb + nats * MONTHLY_PRICES_USD.natGateway + keys * MONTHLY_PRICES_USD.kmsKey
      + acls * MONTHLY_PRICES_USD.wafWebAcl + wafRules * MONTHLY_PRICES_USD.wafRule;
    return { usd, detail: `${albs} ALB, ${nats} NAT, ${keys} KMS, ${acls} WAF ACL/${wafRules} rules` };
  });
  rows.push(['Fixed monthly price, reference workload (before traffic)', `${price.kit.usd.toFixed(2)} USD (${price.kit.detail})`, `${price.patterns.usd.toFixed(2)} USD (${price.patterns.detail})`]);

  const table = [
    '| Measure | cdk-ecs-kit | aws-ecs-patterns |',
    '| --- | --- | --- |',
    ...rows.map(([what, kit, patterns]) => `| ${what} | ${kit} | ${patterns} |`),
  ].join('\n');
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node.js ${process.version}`;
  log('progressive delivery: time model and extra resources');
  const progressive = progressiveDeliveryTables();
  process.stdout.write(`\n${table}\n\nMachine: ${machine}\n\n${progressive}\n`);

  if (!process.env.BENCH_NO_WRITE) {
    const doc = fs.readFileSync(path.join(__dirname, 'BENCHMARKS.template.md'), 'utf-8')
      .replace('{{TABLE}}', table)
      .replace('{{PROGRESSIVE}}', progressive)
      .replace('{{MACHINE}}', machine)
      .replace('{{DATE}}', new Date().toISOString().slice(0, 10))
      .replace('{{RUNS}}', String(RUNS))
      .replace('{{PRICE_SOURCE}}', PRICE_SOURCE)
      .replace('{{NOTE}}', process.env.BENCH_NOTE ? `\nNote on this run: ${process.env.BENCH_NOTE}\n` : '');
    fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), doc);
    log('wrote BENCHMARKS.md');
  }
}

main();
