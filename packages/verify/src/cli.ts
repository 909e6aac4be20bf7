import { parseArgs } from 'node:util';
import { formatJson, formatText } from './format';
import { DEFAULT_POLL_INTERVAL_MS, EXIT_CANNOT_VERIFY, VerifyClients, VerifyOptions, verifyStack } from './verify';

export const USAGE = `Usage: cdk-ecs-kit <command> [options]

Commands:
  verify    check that a deployed stack's ECS services are healthy
            (see: cdk-ecs-kit verify --help)

Options:
  -h, --help  show this help
`;

export const VERIFY_USAGE = `Usage: cdk-ecs-kit verify --stack NAME [--region REGION] [--profile PROFILE] [--wait SECONDS] [--json]

Checks a deployed CloudFormation stack (the check names of the report):
  stack-status                the stack is CREATE_COMPLETE, UPDATE_COMPLETE or IMPORT_COMPLETE
  ecs-services-found          the stack (or a nested stack) has an AWS::ECS::Service
  service-active              every ECS service is ACTIVE
  rollout-completed           its PRIMARY deployment's rollout state is COMPLETED
  tasks-running               its running task count equals its desired count
  no-failure-events           no service event since that deployment started reports a
                              rollback or tasks failing to start
  target-registered           every ECS scalable target of the template is registered
  capacity-matches-template   with the template's min/max capacity
  target-tracking-policy      every target-tracking scaling policy of the template exists
  traffic-shift-completed     BLUE_GREEN, LINEAR or CANARY services: the newest service
                              deployment is SUCCESSFUL
  production-rule-healthy     such services: every target group the live production rule
                              forwards to with weight > 0 has a healthy target

IAM permissions it needs (read-only, Resource "*"; see the README's "IAM permissions"):
  cloudformation:DescribeStacks, cloudformation:ListStackResources,
  cloudformation:GetTemplate, ecs:DescribeServices, ecs:ListServiceDeployments,
  ecs:DescribeServiceDeployments, elasticloadbalancing:DescribeRules,
  elasticloadbalancing:DescribeTargetHealth,
  application-autoscaling:DescribeScalableTargets,
  application-autoscaling:DescribeScalingPolicies

Options:
  --stack NAME        the CloudFormation stack name or ARN (required)
  --region REGION     the stack's region (default: AWS_REGION, then the profile's region)
  --profile PROFILE   a named profile from ~/.aws/config (default: AWS_PROFILE, then the
                      SDK's default credentials chain)
  --wait SECONDS      poll every 15 s, for up to SECONDS, while a rollout is IN_PROGRESS or
                      running != desired, then check (default: 0, check once)
  --json              print only a JSON report on stdout:
                      { stack, region, ok, exitCode, checks: [{ resource, logicalId, check,
                        ok, observed, expected }], summary: { passed, failed }, error }
  -h, --help          show this help

Exit codes:
  0  every check passed
  1  a check failed
  2  AWS could not be asked (no credentials, no region, invalid credentials, access
     denied, throttled after retries, stack not found, network), or bad arguments

Credentials and endpoints come from the standard AWS environment (AWS_PROFILE,
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO, web identity, instance and task roles,
AWS_ENDPOINT_URL, AWS_MAX_ATTEMPTS).
`;

/** Where the CLI writes, and what tests may replace. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Makes the AWS clients; tests inject mocked ones. */
  readonly clients?: (options: VerifyOptions) => VerifyClients;
  /** Poll interval while waiting, in milliseconds; tests make it tiny. */
  readonly pollIntervalMs?: number;
}

/** Runs `cdk-ecs-kit ARGS...` and resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '-h' || command === '--help' || command === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (command === 'verify') return runVerify(rest, io);
  io.stderr(`${command === undefined ? 'Missing command.' : `Unknown command: ${command}`}\n\n${USAGE}`);
  return EXIT_CANNOT_VERIFY;
}

async function runVerify(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: 'string' },
        region: { type: 'string' },
        profile: { type: 'string' },
        wait: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    return usageError(io, (error as Error).message);
  }

  if (values.help) {
    io.stdout(VERIFY_USAGE);
    return 0;
  }
  if (!values.stack) return usageError(io, 'Missing --stack NAME.');
  if (values.wait !== undefined && !/^\d+$/.test(values.wait)) {
    return usageError(io, `--wait takes a whole number of seconds, got '${values.wait}'.`);
  }

  const options: VerifyOptions = {
    stackName: values.stack,
    region: values.region,
    profile: values.profile,
    waitMs: Number(values.wait ?? 0) * 1000,
    pollIntervalMs: io.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    onProgress: message => io.stderr(`${message}\n`),
  };

  const report = await verifyStack(options, io.clients?.(options));
  if (values.json) {
    io.stdout(formatJson(report));
    // stdout stays pure JSON; people reading the CI log still see why.
    if (report.error) io.stderr(`${report.error.kind}: ${report.error.message}\n`);
  } else {
    io.stdout(formatText(report));
  }
  return report.exitCode;
}

function usageError(io: CliIo, message: string): number {
  io.stderr(`${message}\n\n${VERIFY_USAGE}`);
  return EXIT_CANNOT_VERIFY;
}
