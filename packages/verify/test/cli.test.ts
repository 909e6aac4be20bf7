import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { runCli } from '../src/cli';
import { VerifyClients, VerifyOptions } from '../src/verify';
import { awsError, healthyService, mockHealthyStack, REGION, resourceId, rollingOutService, STACK } from './fixtures';

/** Runs the CLI in-process with mocked AWS clients, capturing its output. */
async function run(argv: string[], clients?: VerifyClients) {
  let stdout = '';
  let stderr = '';
  const seen: VerifyOptions[] = [];
  const code = await runCli(argv, {
    stdout: t => { stdout += t; },
    stderr: t => { stderr += t; },
    clients: options => { seen.push(options); return clients ?? mockHealthyStack().clients; },
    pollIntervalMs: 1,
  });
  return { code, stdout, stderr, options: seen[0] };
}

describe('cdk-ecs-kit verify (text output)', () => {
  test('prints one PASS line per check and a summary, and exits 0', async () => {
    const { code, stdout } = await run(['verify', '--stack', STACK]);

    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Verifying stack ${STACK} in ${REGION}`);
    expect(lines.slice(1, -1)).toHaveLength(18);
    expect(lines.slice(1, -1).every(l => l.startsWith('PASS  '))).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^PASS {2}service\/\S+\/api +tasks-running +2 running of 2 desired$/));
    expect(lines[lines.length - 1]).toBe('OK: all 18 checks passed (exit 0)');
    expect(code).toBe(0);
  });

  test('prints FAIL with the observed and expected values, and exits 1', async () => {
    const mocks = mockHealthyStack(['api']);
    mocks.ecsMock.on(DescribeServicesCommand).resolves({ services: [healthyService('api', { runningCount: 1 })] });

    const { code, stdout } = await run(['verify', '--stack', STACK], mocks.clients);

    expect(stdout).toMatch(/^FAIL {2}service\/\S+\/api +tasks-running +1 running of 2 desired \(expected 2 running\)$/m);
    expect(stdout.trimEnd().split('\n').pop()).toBe('FAILED: 1 of 10 checks failed, 9 passed (exit 1)');
    expect(code).toBe(1);
  });

  test('says which problem stopped it and what to do, and exits 2', async () => {
    const mocks = mockHealthyStack(['api']);
    mocks.cfnMock.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'not authorized', { httpStatusCode: 403 }));

    const { code, stdout } = await run(['verify', '--stack', STACK], mocks.clients);

    expect(stdout).toMatch(/^ERROR ACCESS_DENIED: Access denied \(cloudformation:DescribeStacks\): not authorized\. The identity running verify needs read access: /m);
    expect(code).toBe(2);
  });

  test('passes --region, --profile and --wait to the verification', async () => {
    const { options } = await run(['verify', '--stack', STACK, '--region', 'us-east-2', '--profile', 'deploy', '--wait', '600']);

    expect(options).toMatchObject({ stackName: STACK, region: 'us-east-2', profile: 'deploy', waitMs: 600_000 });
  });

  test('with --wait, reports progress on stderr while a rollout is in progress', async () => {
    const mocks = mockHealthyStack(['api']);
    mocks.ecsMock.on(DescribeServicesCommand)
      .resolvesOnce({ services: [rollingOutService('api')] })
      .resolves({ services: [healthyService('api')] });

    const { code, stderr } = await run(['verify', '--stack', STACK, '--wait', '30'], mocks.clients);

    expect(stderr).toBe(`waiting for 1 of 1 services: ${resourceId('api')} IN_PROGRESS, 1/2 running\n`);
    expect(code).toBe(0);
  });
});

describe('cdk-ecs-kit verify --json', () => {
  test('prints only the JSON report, every key present', async () => {
    const mocks = mockHealthyStack(['api']);
    mocks.ecsMock.on(DescribeServicesCommand).resolves({ services: [healthyService('api', { runningCount: 1 })] });

    const { code, stdout } = await run(['verify', '--stack', STACK, '--json'], mocks.clients);

    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(['stack', 'region', 'ok', 'exitCode', 'checks', 'summary', 'error']);
    expect(report).toMatchObject({ stack: STACK, region: REGION, ok: false, exitCode: 1, summary: { passed: 9, failed: 1 }, error: null });
    expect(report.checks[0]).toEqual({
      resource: `stack/${STACK}`,
      logicalId: null,
      check: 'stack-status',
      ok: true,
      observed: 'UPDATE_COMPLETE',
      expected: 'CREATE_COMPLETE or UPDATE_COMPLETE or IMPORT_COMPLETE',
    });
    expect(report.checks).toContainEqual({
      resource: resourceId('api'),
      logicalId: 'ApiService',
      check: 'tasks-running',
      ok: false,
      observed: '1 running of 2 desired',
      expected: '2 running',
    });
    expect(code).toBe(1);
  });

  test('reports a problem as error { kind, message } with exit code 2, and repeats it on stderr', async () => {
    const mocks = mockHealthyStack(['api']);
    mocks.cfnMock.on(DescribeStacksCommand).rejects(awsError('ValidationError', `Stack with id ${STACK} does not exist`));

    const { code, stdout, stderr } = await run(['verify', '--stack', STACK, '--json'], mocks.clients);

    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ ok: false, exitCode: 2, checks: [], summary: { passed: 0, failed: 0 }, error: { kind: 'STACK_NOT_FOUND' } });
    expect(stderr).toMatch(/^STACK_NOT_FOUND: Stack 'WebStack' does not exist in eu-west-1/);
    expect(code).toBe(2);
  });
});

describe('cdk-ecs-kit command line', () => {
  test('--help prints the commands and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(stdout).toContain('Usage: cdk-ecs-kit <command> [options]');
    expect(code).toBe(0);
  });

  test('verify --help prints the verify usage and exits 0', async () => {
    const { code, stdout } = await run(['verify', '--help']);
    expect(stdout).toContain('Usage: cdk-ecs-kit verify --stack NAME [--region REGION] [--profile PROFILE] [--wait SECONDS] [--json]');
    expect(code).toBe(0);
  });

  test.each([
    [['verify', '--stack', STACK, '--colour'], "Unknown option '--colour'"],
    [['verify'], 'Missing --stack NAME.'],
    [['verify', '--stack'], "Option '--stack <value>' argument missing"],
    [['verify', '--stack', STACK, '--wait', '10m'], "--wait takes a whole number of seconds, got '10m'."],
    [['verify', STACK], "Unexpected argument 'WebStack'"],
  ])('rejects %j with usage and exit 2', async (argv, message) => {
    const { code, stdout, stderr } = await run(argv);
    expect(stderr).toContain(message);
    expect(stderr).toContain('Usage: cdk-ecs-kit verify');
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  test('rejects an unknown command with exit 2', async () => {
    const { code, stderr } = await run(['check']);
    expect(stderr).toContain('Unknown command: check');
    expect(code).toBe(2);
  });
});
