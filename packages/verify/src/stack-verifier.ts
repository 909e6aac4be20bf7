import { formatJson, formatText } from './format';
import { VerifyReport } from './report';

/**
 * A length of time. aws-cdk-lib's `Duration` satisfies it, so `Duration.minutes(10)` can be
 * passed as is; this package does not depend on aws-cdk-lib.
 */
export interface VerifyDuration {
  /**
   * The length of time in milliseconds.
   */
  toMilliseconds(): number;
}

/**
 * What to verify and how to reach AWS. Credentials always come from the AWS SDK's
 * default chain (environment, shared config and credentials files, SSO, web identity,
 * container and instance roles).
 */
export interface StackVerifierProps {
  /**
   * The deployed CloudFormation stack, by name or ARN.
   */
  readonly stackName: string;

  /**
   * The region the stack is deployed in.
   *
   * @default - the SDK's resolution: AWS_REGION, then the profile's region
   */
  readonly region?: string;

  /**
   * A named profile from the shared AWS config and credentials files.
   *
   * @default - the SDK's default chain (AWS_PROFILE, then the `default` profile and
   * the other providers)
   */
  readonly profile?: string;

  /**
   * How long to keep polling while a service's rollout is in progress or its running
   * count differs from its desired count, before the checks are made.
   *
   * @default - 0: check once, right away
   */
  readonly wait?: VerifyDuration;

  /**
   * How often to poll while waiting.
   *
   * @default - 15 seconds, the interval of the ECS `services-stable` waiter
   */
  readonly pollInterval?: VerifyDuration;

  /**
   * Attempts per AWS request, the first included, for the SDK's standard retry mode.
   *
   * @default - AWS_MAX_ATTEMPTS when set, else 8: rides out about half a minute of
   * throttling, where the SDK default of 3 gives up after about a second
   */
  readonly maxAttempts?: number;
}

/**
 * Checks a deployed stack after `cdk deploy`: the stack is CREATE/UPDATE/IMPORT_COMPLETE;
 * every ECS service is ACTIVE, its PRIMARY deployment's rollout is COMPLETED, its running
 * count equals its desired count and no recent service event reports a rollback or tasks
 * failing to start; every ECS scalable target is registered with the template's min/max
 * capacity and its target-tracking policies are present.
 *
 * This is what the `cdk-ecs-kit verify` command runs.
 *
 * @example
 * import { Duration } from 'aws-cdk-lib'; // or any { toMilliseconds(): number }
 * const report = await new StackVerifier({ stackName: 'WebStack', wait: Duration.minutes(10) }).verify();
 * process.stdout.write(StackVerifier.formatText(report));
 * process.exitCode = report.exitCode;
 */
export class StackVerifier {
  /**
   * The report for people: one PASS/FAIL line per check, then a summary line.
   */
  public static formatText(report: VerifyReport): string {
    return formatText(report);
  }

  /**
   * The report as JSON: `{ stack, region, ok, exitCode, checks: [{ resource, logicalId,
   * check, ok, observed, expected }], summary: { passed, failed }, error }`.
   */
  public static formatJson(report: VerifyReport): string {
    return formatJson(report);
  }

  private readonly props: StackVerifierProps;

  constructor(props: StackVerifierProps) {
    if (!props.stackName) {
      throw new Error('StackVerifier: stackName is required (the CloudFormation stack name or ARN).');
    }
    if (props.maxAttempts !== undefined && (!Number.isInteger(props.maxAttempts) || props.maxAttempts < 1)) {
      throw new Error(`StackVerifier: maxAttempts must be a whole number of at least 1, got ${props.maxAttempts}.`);
    }
    this.props = props;
  }

  /**
   * Runs the checks. Resolves to a report, also when AWS could not be asked (its
   * `exitCode` is then 2 and `error` says why and what to do); never rejects for AWS errors.
   */
  public async verify(): Promise<VerifyReport> {
    // Loaded on first use: the AWS SDK clients would add about 0.3 s to every synth of an app
    // that imports this library, and only a verify needs them.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DEFAULT_POLL_INTERVAL_MS, verifyStack }: typeof import('./verify') = require('./verify');
    return verifyStack({
      stackName: this.props.stackName,
      region: this.props.region,
      profile: this.props.profile,
      waitMs: this.props.wait?.toMilliseconds() ?? 0,
      pollIntervalMs: this.props.pollInterval?.toMilliseconds() ?? DEFAULT_POLL_INTERVAL_MS,
      maxAttempts: this.props.maxAttempts,
    });
  }
}
