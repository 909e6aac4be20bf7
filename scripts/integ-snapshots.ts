// Integration-test runner for cdk-ecs-kit: snapshot check, snapshot update and deploy-and-assert.
//
// Why not integ-runner: @aws-cdk/integ-runner 2.197.10 (the latest release) bundles a toolkit that
// reads cloud assembly schema 53 at most, and aws-cdk-lib 2.276 writes schema 55, so integ-runner
// fails with "Cloud assembly schema version mismatch" before it compares anything. This script keeps
// integ-runner's conventions: test/integ/integ.NAME.ts apps built with @aws-cdk/integ-tests-alpha,
// snapshots in integ.NAME.ts.snapshot/ (assets left out), templates compared with asset hashes
// normalized, integ-runner's CDK_INTEG_* environment and metadata settings. Feature flags come from
// this repository's cdk.json. When an integ-runner release reads schema 55, point the integ scripts
// in package.json back at it and re-create the snapshots once.
//
//   tsx scripts/integ-snapshots.ts [TEST...]            compare fresh synths with the committed snapshots (no AWS)
//   tsx scripts/integ-snapshots.ts --update [TEST...]   rewrite the snapshots from a fresh synth (no AWS)
//   tsx scripts/integ-snapshots.ts --deploy [TEST...]   deploy with the AWS CDK CLI, check every assertion,
//                                                       destroy, then write the snapshot (AWS credentials and
//                                                       a bootstrapped account/region required)
//
// TEST is a file name such as integ.ecs-platform.ts; default: every test/integ/integ.*.ts.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const ROOT = path.resolve(__dirname, '..');
const INTEG_DIR = path.join(ROOT, 'test', 'integ');
const TEST_FILE = /^integ\..+(?<!\.d)\.ts$/;
const BIN = path.join(ROOT, 'node_modules', '.bin');
/** Synths are CPU-bound node processes; more than two at once only slows a 2-core CI runner down. */
const CONCURRENCY = Math.max(1, Math.min(2, os.cpus().length));
const MAX_DIFF_LINES_PER_STACK = 40;

/** The environment integ-runner synthesizes with, so tests never depend on the caller's account. */
const INTEG_ENV = {
  CDK_INTEG_ACCOUNT: '12345678',
  CDK_INTEG_REGION: 'test-region',
  CDK_INTEG_HOSTED_ZONE_ID: 'Z23ABC4XYZL05B',
  CDK_INTEG_HOSTED_ZONE_NAME: 'example.com',
  CDK_INTEG_DOMAIN_NAME: '*.example.com',
  CDK_INTEG_CERT_ARN: 'arn:aws:acm:test-region:12345678:certificate/86468209-a272-595d-b831-0efb6421265z',
  CDK_INTEG_SUBNET_ID: 'subnet-0dff1a399d8f6f92c',
};

/**
 * The synth context: the feature flags of the repository's cdk.json (what the library is tested
 * and documented with), and the toolkit settings integ-runner uses for snapshots (no version
 * reporting, path or asset metadata, no stack traces: no absolute paths, nothing machine-specific).
 */
function synthContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf-8'));
  return {
    ...cdkJson.context,
    'aws:cdk:version-reporting': false,
    'aws:cdk:enable-path-metadata': false,
    'aws:cdk:enable-asset-metadata': false,
    'aws:cdk:disable-stack-trace': true,
  };
}

type Mode = 'check' | 'update' | 'deploy';

interface Outcome {
  readonly test: string;
  readonly ok: boolean;
  readonly lines: string[];
}

async function main(argv: string[]): Promise<number> {
  const mode: Mode = argv.includes('--deploy') ? 'deploy' : argv.includes('--update') ? 'update' : 'check';
  const unknown = argv.filter(a => a.startsWith('-') && a !== '--update' && a !== '--deploy');
  if (unknown.length > 0) {
    process.stderr.write(`integ-snapshots: unknown option(s) ${unknown.join(' ')}\n`);
    return 2;
  }
  const all = fs.readdirSync(INTEG_DIR).filter(f => TEST_FILE.test(f)).sort();
  const wanted = argv.filter(a => !a.startsWith('-')).map(a => path.basename(a));
  const missing = wanted.filter(w => !all.includes(w));
  if (missing.length > 0) {
    process.stderr.write(`integ-snapshots: no such test in test/integ: ${missing.join(', ')}\n`);
    return 2;
  }
  const tests = wanted.length > 0 ? wanted : all;
  if (tests.length === 0) {
    process.stderr.write('integ-snapshots: no test/integ/integ.*.ts found\n');
    return 2;
  }

  const started = Date.now();
  console.log(`${mode === 'check' ? 'Verifying' : mode === 'update' ? 'Updating' : 'Deploying'} ${tests.length} integration test snapshot(s)...`);
  // Deployments run one at a time: parallel tests would compete for account limits (VPCs, EIPs).
  const outcomes = await mapLimited(tests, mode === 'deploy' ? 1 : CONCURRENCY, test => runOne(test, mode));
  for (const o of outcomes) {
    for (const line of o.lines) console.log(line);
  }
  const failed = outcomes.filter(o => !o.ok);
  console.log(`\nTests: ${outcomes.length - failed.length} passed, ${failed.length} failed, ${outcomes.length} total (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (failed.length > 0 && mode === 'check') {
    console.log('Integration test snapshots are stale or missing. After checking the differences above are intended:');
    console.log('  npm run integ -- TEST           deploy, run the assertions, then update the snapshot (AWS credentials)');
    console.log('  npm run integ:snapshot -- TEST update the snapshot without deploying');
  }
  return failed.length > 0 ? 1 : 0;
}

async function runOne(test: string, mode: Mode): Promise<Outcome> {
  const t0 = Date.now();
  const snapshotDir = path.join(INTEG_DIR, `${test}.snapshot`);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ecs-kit-integ-'));
  const secs = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  try {
    const synthError = await synth(test, outDir);
    if (synthError) return { test, ok: false, lines: [`  ERROR      ${test} (${secs()}): synth failed`, indent(synthError, 6)] };

    if (mode === 'update') {
      writeSnapshot(outDir, snapshotDir);
      return { test, ok: true, lines: [`  UPDATED    ${test} (${secs()}) - not deployed; run npm run integ -- ${test} to verify it on AWS`] };
    }
    if (mode === 'deploy') {
      const result = await deploy(outDir);
      if (result.ok) writeSnapshot(outDir, snapshotDir);
      return { test, ok: result.ok, lines: [`  ${result.ok ? 'SUCCESS   ' : 'FAILED    '} ${test} (${secs()})`, ...result.lines.map(l => `      ${l}`)] };
    }

    if (!fs.existsSync(snapshotDir)) return { test, ok: false, lines: [`  NEW        ${test} (${secs()}): no ${path.relative(ROOT, snapshotDir)}`] };
    const differences = compareAssemblies(snapshotDir, outDir);
    if (differences.length === 0) return { test, ok: true, lines: [`  UNCHANGED  ${test} (${secs()})`] };
    return { test, ok: false, lines: [`  CHANGED    ${test} (${secs()})`, ...differences.map(d => `      ${d}`)] };
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/** Runs the test app the way integ-runner's TypeScript preset would, and returns an error text or undefined. */
async function synth(test: string, outDir: string): Promise<string | undefined> {
  try {
    await execFileAsync(path.join(BIN, 'tsx'), [path.join(INTEG_DIR, test)], {
      cwd: INTEG_DIR,
      env: { ...process.env, ...INTEG_ENV, CDK_OUTDIR: outDir, CDK_CONTEXT_JSON: JSON.stringify(synthContext()) },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    return tail(`${err.stderr ?? ''}${err.stdout ?? ''}` || err.message, 30);
  }
  if (!fs.existsSync(path.join(outDir, 'integ.json'))) {
    return 'the app wrote no integ.json: create exactly one IntegTest (@aws-cdk/integ-tests-alpha) in it';
  }
  return undefined;
}

/**
 * Copies a synthesized assembly to the snapshot directory the way integ-runner does, without the
 * asset directories (asset hashes are normalized in the comparison, and the assertion provider's
 * bundle alone is 2 MB) and without the asset cache.
 */
function writeSnapshot(outDir: string, snapshotDir: string): void {
  fs.rmSync(snapshotDir, { recursive: true, force: true });
  fs.mkdirSync(snapshotDir, { recursive: true });
  for (const entry of fs.readdirSync(outDir)) {
    if (entry.startsWith('asset.') || entry === '.cache') continue;
    fs.cpSync(path.join(outDir, entry), path.join(snapshotDir, entry), { recursive: true });
    if (entry.endsWith('.json')) stripStackTraces(path.join(snapshotDir, entry));
  }
}

/**
 * Removes construct creation stacks and metadata traces: aws-cdk-lib records them whatever the
 * context says, and they hold absolute paths of the machine that synthesized.
 */
function stripStackTraces(file: string): void {
  const text = fs.readFileSync(file, 'utf-8');
  if (!text.includes('"trace"') && !text.includes('aws:cdk:creationStack')) return;
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      return v
        .filter(e => (e as { type?: unknown })?.type !== 'aws:cdk:creationStack')
        .map(strip);
    }
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'trace').map(([k, e]) => [k, strip(e)]));
    }
    return v;
  };
  fs.writeFileSync(file, `${JSON.stringify(strip(JSON.parse(text)), undefined, 2)}\n`);
}

interface StackTemplate {
  readonly template: unknown;
  readonly assetIds: string[];
}

/** The templates of every stack in an assembly, by artifact id. */
function readStacks(dir: string): Map<string, StackTemplate> {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8'));
  const stacks = new Map<string, StackTemplate>();
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const template = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf-8'));
    const assetsFile = path.join(dir, `${id}.assets.json`);
    const assets = fs.existsSync(assetsFile) ? JSON.parse(fs.readFileSync(assetsFile, 'utf-8')) : {};
    stacks.set(id, { template, assetIds: [...Object.keys(assets.files ?? {}), ...Object.keys(assets.dockerImages ?? {})] });
  }
  return stacks;
}

/**
 * Replaces asset hashes with stable placeholders, as integ-runner does unless diffAssets is set,
 * and blanks the salt integ-tests-alpha gives every assertion (Date.now(), to re-run it on every deploy).
 */
function canonicalize(stack: StackTemplate): unknown {
  let text = JSON.stringify(stack.template);
  const ordered = stack.assetIds
    .filter(id => text.includes(id))
    .sort((a, b) => text.indexOf(a) - text.indexOf(b));
  ordered.forEach((id, i) => { text = text.split(id).join(`Asset${i + 1}`); });
  const template = JSON.parse(text);
  for (const resource of Object.values<any>(template.Resources ?? {})) {
    if (String(resource?.Type).startsWith('Custom::DeployAssert@') && resource.Properties?.salt !== undefined) {
      resource.Properties.salt = '<salt>';
    }
  }
  return template;
}

/** Human-readable differences between a committed snapshot and a fresh synth; empty when equal. */
function compareAssemblies(expectedDir: string, actualDir: string): string[] {
  const lines: string[] = [];
  const expectedCases = readTestCases(expectedDir);
  const actualCases = readTestCases(actualDir);
  if (JSON.stringify(expectedCases) !== JSON.stringify(actualCases)) {
    lines.push('integ.json test cases changed:');
    lines.push(...diffValues(expectedCases, actualCases, 'testCases').map(l => `  ${l}`));
  }
  const expected = readStacks(expectedDir);
  const actual = readStacks(actualDir);
  for (const id of new Set([...expected.keys(), ...actual.keys()])) {
    const before = expected.get(id);
    const after = actual.get(id);
    if (!before) { lines.push(`[+] stack ${id}`); continue; }
    if (!after) { lines.push(`[-] stack ${id}`); continue; }
    const diff = diffValues(canonicalize(before), canonicalize(after), '');
    if (diff.length === 0) continue;
    lines.push(`stack ${id}:`);
    lines.push(...diff.slice(0, MAX_DIFF_LINES_PER_STACK).map(l => `  ${l}`));
    if (diff.length > MAX_DIFF_LINES_PER_STACK) lines.push(`  ... and ${diff.length - MAX_DIFF_LINES_PER_STACK} more`);
  }
  return lines;
}

function readTestCases(dir: string): unknown {
  const file = path.join(dir, 'integ.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf-8')).testCases : undefined;
}

/** Leaf-level differences: '[+] path', '[-] path', '[~] path: old -> new'. */
function diffValues(a: unknown, b: unknown, at: string): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const out: string[] = [];
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const p = at ? `${at}.${key}` : key;
      if (!(key in a)) out.push(`[+] ${p}${describeType(b[key])}`);
      else if (!(key in b)) out.push(`[-] ${p}${describeType(a[key])}`);
      else out.push(...diffValues(a[key], b[key], p));
    }
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((v, i) => diffValues(v, b[i], `${at}[${i}]`));
  }
  return [`[~] ${at}: ${short(a)} -> ${short(b)}`];
}

function describeType(v: unknown): string {
  const type = (v as { Type?: unknown })?.Type;
  return typeof type === 'string' ? ` (${type})` : '';
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/**
 * Deploys a synthesized test with the AWS CDK CLI, reads the assertion results integ-tests-alpha
 * writes to the assertion stack's outputs, and destroys everything again.
 */
async function deploy(outDir: string): Promise<{ ok: boolean; lines: string[] }> {
  const cdk = path.join(BIN, 'cdk');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ecs-kit-integ-deploy-'));
  const outputsFile = path.join(work, 'outputs.json');
  const lines: string[] = [];
  const run = (args: string[]) => {
    // Inherit stdio so a long deployment shows progress; cwd outside the repo so cdk.json is not read.
    return new Promise<number>(resolve => {
      const child = spawn(cdk, args, { cwd: work, stdio: 'inherit' });
      child.on('close', code => resolve(code ?? 1));
    });
  };
  try {
    const deployed = await run(['deploy', '--app', outDir, '--all', '--require-approval', 'never', '--outputs-file', outputsFile]);
    if (deployed !== 0) {
      lines.push(`cdk deploy failed (exit ${deployed})`);
      return { ok: false, lines };
    }
    const outputs: Record<string, Record<string, string>> = fs.existsSync(outputsFile) ? JSON.parse(fs.readFileSync(outputsFile, 'utf-8')) : {};
    let assertions = 0;
    let ok = true;
    for (const [stack, values] of Object.entries(outputs)) {
      for (const [key, value] of Object.entries(values)) {
        if (!key.startsWith('AssertionResults')) continue;
        assertions++;
        let status = 'unreadable';
        let message = value;
        try { ({ status, message } = { message: '', ...JSON.parse(value) }); } catch { /* reported as unreadable */ }
        if (status !== 'success') ok = false;
        lines.push(`${status === 'success' ? 'PASS' : 'FAIL'} ${stack}.${key}${status === 'success' ? '' : `: ${message}`}`);
      }
    }
    if (assertions === 0) {
      lines.push('no assertion results found in the stack outputs');
      ok = false;
    }
    return { ok, lines };
  } finally {
    const destroyed = await run(['destroy', '--app', outDir, '--all', '--force']);
    if (destroyed !== 0) lines.push(`cdk destroy failed (exit ${destroyed}): delete the stacks by hand`);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function tail(text: string, lines: number): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

function indent(text: string, n: number): string {
  return text.split('\n').map(l => ' '.repeat(n) + l).join('\n');
}

main(process.argv.slice(2)).then(
  code => { process.exitCode = code; },
  error => {
    process.stderr.write(`integ-snapshots: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 2;
  },
);
