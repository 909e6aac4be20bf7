import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

// Runs the real command line as an installed package would: compiled to CommonJS, in a
// separate process, with a clean environment. (Compiling the few files takes
// milliseconds; starting tsx takes seconds on a busy machine.)

const ROOT = path.join(__dirname, '..');
const REPO_ROOT = path.join(ROOT, '..', '..');
const SOURCES = ['bin/cdk-ecs-kit.ts', ...fs.readdirSync(path.join(ROOT, 'src')).map(f => `src/${f}`)];
const tempDirs: string[] = [];
let cli: string;

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

afterAll(() => tempDirs.forEach(dir => fs.rmSync(dir, { recursive: true, force: true })));

beforeAll(() => {
  const out = tempDir('cdk-ecs-kit-cli-');
  for (const source of SOURCES.filter(s => s.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(fs.readFileSync(path.join(ROOT, source), 'utf-8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    fs.mkdirSync(path.join(out, path.dirname(source)), { recursive: true });
    fs.writeFileSync(path.join(out, source.replace(/\.ts$/, '.js')), outputText);
  }
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  cli = path.join(out, 'bin', 'cdk-ecs-kit.js');
});

interface Run { readonly code: number | null; readonly stdout: string; readonly stderr: string; readonly ms: number }

/** Runs `cdk-ecs-kit ARGS` with no AWS credentials reachable: no keys, no profile, an empty HOME, no instance metadata. */
function cdkEcsKit(args: string[]): Promise<Run> {
  const home = tempDir('cdk-ecs-kit-home-');
  const env = { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true' };
  const started = Date.now();
  return new Promise(resolve => {
    execFile(process.execPath, [cli, ...args], { cwd: home, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

jest.setTimeout(60_000);

describe('cdk-ecs-kit (spawned)', () => {
  // Started together: each run is mostly process start-up, and the machine is shared.
  let runs: Record<'help' | 'verifyHelp' | 'unknownFlag' | 'noCredentials', Promise<Run>>;
  beforeAll(() => {
    runs = {
      help: cdkEcsKit(['--help']),
      verifyHelp: cdkEcsKit(['verify', '--help']),
      unknownFlag: cdkEcsKit(['verify', '--stack', 'X', '--bogus']),
      noCredentials: cdkEcsKit(['verify', '--stack', 'X', '--region', 'eu-west-1']),
    };
  });

  test('--help prints usage and exits 0', async () => {
    const run = await runs.help;
    expect(run.stdout).toContain('Usage: cdk-ecs-kit <command> [options]');
    expect(run.code).toBe(0);
  });

  test('verify --help prints the verify usage and exits 0', async () => {
    const run = await runs.verifyHelp;
    expect(run.stdout).toContain('Usage: cdk-ecs-kit verify --stack NAME');
    expect(run.stdout).toContain('Exit codes:');
    expect(run.code).toBe(0);
  });

  test('an unknown flag is a usage error: exit 2', async () => {
    const run = await runs.unknownFlag;
    expect(run.stderr).toContain("Unknown option '--bogus'");
    expect(run.code).toBe(2);
  });

  test('with no credentials reachable, exits 2 within 15 seconds saying what to do', async () => {
    const run = await runs.noCredentials;
    expect(run.stdout).toContain('ERROR NO_CREDENTIALS: No AWS credentials found');
    expect(run.stdout).toContain('Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY');
    expect(run.code).toBe(2);
    expect(run.ms).toBeLessThan(15_000);
  });
});
