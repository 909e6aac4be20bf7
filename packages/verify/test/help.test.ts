import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../src/cli';

const SRC = path.join(__dirname, '..', 'src');
const sources = fs.readdirSync(SRC).filter(f => f.endsWith('.ts')).map(f => fs.readFileSync(path.join(SRC, f), 'utf-8'));

/** Every check name the verifier reports (the `check` field of its report). */
const CHECK_NAMES = [...new Set(sources.flatMap(text => [
  ...[...text.matchAll(/check: '([a-z-]+)'/g)].map(m => m[1]),
  ...[...text.matchAll(/(?:serviceCheck|targetCheck)\(\s*[^,]+,\s*'([a-z-]+)'/g)].map(m => m[1]),
]))].sort();

/** The IAM prefix of each AWS SDK client package the verifier calls. */
const IAM_PREFIX: { [sdkPackage: string]: string } = {
  'client-cloudformation': 'cloudformation',
  'client-ecs': 'ecs',
  'client-elastic-load-balancing-v2': 'elasticloadbalancing',
  'client-application-auto-scaling': 'application-autoscaling',
};

/** Every IAM action the verifier needs: one per SDK command or paginator it imports. */
const IAM_ACTIONS = [...new Set(sources.flatMap(text => [...text.matchAll(/import \{([^}]+)\} from '@aws-sdk\/([a-z0-9-]+)'/g)].flatMap(([, names, sdkPackage]) =>
  names.split(',').map(n => n.trim()).flatMap(name => {
    const operation = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
    return operation ? [`${IAM_PREFIX[sdkPackage]}:${operation}`] : [];
  }))))].sort();

async function verifyHelp(): Promise<string> {
  let stdout = '';
  const code = await runCli(['verify', '--help'], { stdout: t => { stdout += t; }, stderr: () => undefined });
  expect(code).toBe(0);
  return stdout;
}

describe('cdk-ecs-kit verify --help', () => {
  test('the sources were read (the lists below are not empty)', () => {
    expect(CHECK_NAMES.length).toBeGreaterThanOrEqual(11);
    expect(IAM_ACTIONS.length).toBeGreaterThanOrEqual(10);
  });

  test('lists every check the verifier reports', async () => {
    const help = await verifyHelp();
    for (const check of CHECK_NAMES) expect(help).toMatch(new RegExp(`^\\s+${check}\\s`, 'm'));
  });

  test('lists every IAM permission the verifier needs', async () => {
    const help = await verifyHelp();
    for (const action of IAM_ACTIONS) expect(help).toContain(action);
  });

  test('the README lists the same IAM permissions', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
    const policy = /## IAM permissions[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)![1];
    expect([...JSON.parse(policy).Statement[0].Action].sort()).toEqual(IAM_ACTIONS);
  });
});
