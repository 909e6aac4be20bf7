import { VerifyProblem, VerifyProblemKind } from './report';

/** The IAM actions the checks call, for the access-denied advice. */
export const REQUIRED_PERMISSIONS = [
  'cloudformation:DescribeStacks',
  'cloudformation:ListStackResources',
  'cloudformation:GetTemplate',
  'ecs:DescribeServices',
  'application-autoscaling:DescribeScalableTargets',
  'application-autoscaling:DescribeScalingPolicies',
];

/** An error raised by one AWS API call, remembering which call it was. */
export class AwsCallError extends Error {
  constructor(public readonly operation: string, public readonly cause: unknown) {
    super(`${operation}: ${describe(cause)}`);
    this.name = 'AwsCallError';
  }
}

/** Runs one AWS API call and tags any error with the operation's name. */
export async function awsCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof AwsCallError ? error : new AwsCallError(operation, error);
  }
}

/** What the classifier knows about the run, to make the advice specific. */
export interface ProblemContext {
  readonly stackName: string;
  readonly region?: string;
  readonly profile?: string;
}

// Error codes as the three services spell them (JSON protocols use the `...Exception`
// form, CloudFormation's query protocol the short one).
const THROTTLING_CODES = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottled',
  'RequestThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded',
]);
const ACCESS_DENIED_CODES = new Set([
  'AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'NotAuthorized',
]);
const INVALID_CREDENTIALS_CODES = new Set([
  'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException',
  'InvalidSignatureException', 'SignatureDoesNotMatch', 'IncompleteSignature',
  'InvalidAccessKeyId', 'AuthFailure', 'RequestExpired',
]);
const NETWORK_CODES = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH',
  'ENETUNREACH', 'EPIPE', 'ECONNABORTED',
]);

/**
 * Turns an error met while asking AWS into a problem kind and a message saying which
 * problem it is and what to do.
 */
export function classifyAwsError(error: unknown, context: ProblemContext): VerifyProblem {
  const operation = error instanceof AwsCallError ? error.operation : undefined;
  const cause = error instanceof AwsCallError ? error.cause : error;
  const name = errorName(cause);
  const message = errorMessage(cause);
  const where = context.region ? ` in ${context.region}` : '';
  const during = operation ? ` (${operation})` : '';

  if (name === 'CredentialsProviderError' || name === 'TokenProviderError' || /could not load credentials/i.test(message)) {
    const fix = context.profile
      ? `Check that profile '${context.profile}' exists in ~/.aws/config or ~/.aws/credentials and has credentials `
        + `(for an SSO profile run \`aws sso login --profile ${context.profile}\`), or drop --profile.`
      : 'Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, pass --profile, or run in an environment '
        + 'with a role (EC2 instance profile, ECS task role, or a CI step such as aws-actions/configure-aws-credentials).';
    return problem(VerifyProblemKind.NO_CREDENTIALS, `No AWS credentials found: ${message}. ${fix}`);
  }
  if (/region is missing/i.test(message)) {
    return problem(VerifyProblemKind.NO_REGION,
      'No AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile.');
  }
  if (INVALID_CREDENTIALS_CODES.has(name)) {
    return problem(VerifyProblemKind.INVALID_CREDENTIALS,
      `AWS rejected the credentials${during}: ${name}: ${message}. Refresh them (for example \`aws sso login\`, `
      + 'or re-run the CI step that assumes the role) and try again.');
  }
  if (ACCESS_DENIED_CODES.has(name) || httpStatus(cause) === 403) {
    return problem(VerifyProblemKind.ACCESS_DENIED,
      `Access denied${during}: ${message}. The identity running verify needs read access: `
      + `${REQUIRED_PERMISSIONS.join(', ')}.`);
  }
  if (THROTTLING_CODES.has(name) || httpStatus(cause) === 429) {
    const attempts = attemptsOf(cause);
    return problem(VerifyProblemKind.THROTTLED,
      `AWS throttled the requests${during}${attempts ? ` after ${attempts} attempts` : ''}: ${message}. `
      + 'Try again later, or allow more retries with AWS_MAX_ATTEMPTS.');
  }
  if (name === 'ValidationError' && /does not exist/i.test(message)) {
    return problem(VerifyProblemKind.STACK_NOT_FOUND,
      `Stack '${context.stackName}' does not exist${where} for these credentials' account. `
      + 'Check --stack (the CloudFormation stack name, as `cdk list` shows it), --region and the account.');
  }
  const code = errorCode(cause);
  if ((code && NETWORK_CODES.has(code)) || name === 'TimeoutError') {
    return problem(VerifyProblemKind.NETWORK,
      `Could not reach AWS${during}: ${message}. Check network access and proxy settings, `
      + 'and AWS_ENDPOINT_URL if it is set.');
  }
  return problem(VerifyProblemKind.AWS_ERROR, `AWS call failed${during}: ${name}: ${message}`);
}

function problem(kind: VerifyProblemKind, message: string): VerifyProblem {
  return { kind, message };
}

function errorName(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { name?: unknown; Code?: unknown };
    if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
    if (typeof e.Code === 'string') return e.Code;
    if (typeof e.name === 'string') return e.name;
  }
  return 'Error';
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message.replace(/\.$/, '');
  return String(error);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function attemptsOf(error: unknown): number | undefined {
  return (error as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts;
}

function describe(error: unknown): string {
  return `${errorName(error)}: ${errorMessage(error)}`;
}
