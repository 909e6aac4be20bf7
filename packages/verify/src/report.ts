/**
 * Why a verification could not ask AWS. Every kind ends the CLI with exit code 2.
 */
export enum VerifyProblemKind {
  /** No credentials could be found by the AWS SDK's default chain (or the named profile). */
  NO_CREDENTIALS = 'NO_CREDENTIALS',
  /** No region was given and none is configured in the environment or the profile. */
  NO_REGION = 'NO_REGION',
  /** AWS rejected the credentials: expired, revoked or malformed. */
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  /** The credentials work but lack a permission the checks need. */
  ACCESS_DENIED = 'ACCESS_DENIED',
  /** AWS kept throttling a request after the SDK's retries. */
  THROTTLED = 'THROTTLED',
  /** The stack does not exist in the account and region asked. */
  STACK_NOT_FOUND = 'STACK_NOT_FOUND',
  /** The AWS endpoint could not be reached (DNS, connection, proxy, timeout). */
  NETWORK = 'NETWORK',
  /** Any other error while asking AWS. */
  AWS_ERROR = 'AWS_ERROR',
}

/**
 * Why a verification could not be completed, and what to do about it.
 */
export interface VerifyProblem {
  /**
   * What went wrong, as a stable value scripts can branch on.
   */
  readonly kind: VerifyProblemKind;

  /**
   * What went wrong and what to do, in one or two sentences for a human.
   */
  readonly message: string;
}

/**
 * The outcome of one check on one resource.
 */
export interface VerifyCheck {
  /**
   * The resource the check looked at: `stack/NAME`, or an ECS service as
   * `service/CLUSTER/NAME` (also used for the service's scalable target and policies).
   */
  readonly resource: string;

  /**
   * The CloudFormation logical id of the resource, prefixed with the nested stack's
   * logical id when it lives in a nested stack.
   *
   * @default - the check is about the stack itself
   */
  readonly logicalId?: string;

  /**
   * The check's stable id, e.g. `rollout-completed` or `tasks-running`.
   */
  readonly check: string;

  /**
   * Whether the check passed.
   */
  readonly ok: boolean;

  /**
   * What AWS reported, in words.
   */
  readonly observed: string;

  /**
   * What the check wanted to see.
   *
   * @default - the check has no single expected value
   */
  readonly expected?: string;
}

/**
 * How many checks passed and failed.
 */
export interface VerifySummary {
  /** Number of checks that passed. */
  readonly passed: number;
  /** Number of checks that failed. */
  readonly failed: number;
}

/**
 * The result of verifying a deployed stack.
 */
export interface VerifyReport {
  /**
   * The stack name (or ARN) that was verified.
   */
  readonly stack: string;

  /**
   * The region the stack was looked up in.
   *
   * @default - the region could not be resolved
   */
  readonly region?: string;

  /**
   * True when every check passed and AWS could be asked.
   */
  readonly ok: boolean;

  /**
   * The CLI's exit code for this report: 0 every check passed, 1 a check failed,
   * 2 AWS could not be asked.
   */
  readonly exitCode: number;

  /**
   * Every check made, in the order made. When AWS could not be asked part way, holds
   * the checks made before that.
   */
  readonly checks: VerifyCheck[];

  /**
   * Counts of passed and failed checks.
   */
  readonly summary: VerifySummary;

  /**
   * Why AWS could not be asked.
   *
   * @default - AWS answered every request
   * @jsii suppress reserved-word Go bindings name it Error (not reserved)
   */
  readonly error?: VerifyProblem;
}
