import * as path from 'path';
import { Duration, Size, SizeRoundingBehavior, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Synth-time checks shared by every construct.
 *
 * Each check is a small function that throws a `ValidationError` naming the construct
 * path, the prop, the value given and what is allowed. Unresolved tokens are skipped:
 * their value is only known at deploy time.
 */

/** This library's own code, whose stack frames an error leaves out (lib/ in the repository, build/lib/ when installed). */
const LIBRARY_DIR = path.resolve(__dirname, '..') + path.sep;

/** The most stack frames of the user's own code an error shows. */
const MAX_USER_FRAMES = 5;

/**
 * The error every cdk-ecs-kit check throws, rendered like aws-cdk-lib's own validation errors:
 * the error name, the construct path, the message, then only the frames of the user's code
 * ("at new MyStack (bin/app.ts:12:5)"). Node.js would otherwise print this library's throw site
 * as a code frame and a dozen of its frames, which read like a crash in cdk-ecs-kit.
 *
 * `stack` is set here, so Node.js never formats the captured one: with source maps on (tsx,
 * --enable-source-maps) that formatting is what prints the `throw` line of the library.
 */
export class ValidationError extends Error {
  constructor(scope: IConstruct, prop: string, problem: string, fix?: string) {
    super(`[${scope.node.path}] ${prop}: ${problem}${fix ? ` ${fix}` : ''}`);
    this.name = 'ValidationError';
    this.stack = [`${this.name}: ${this.message}`, ...userFrames()].join('\n');
  }
}

/** The stack frames of the code that called into this library (none of this library's, Node's or node_modules'). */
function userFrames(): string[] {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, ValidationError);
  const frames = (holder.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  const outside = frames.filter((line) => !line.includes(LIBRARY_DIR) && !/\(node:|\bat node:|[\\/]node_modules[\\/]/.test(line));
  return outside.slice(0, MAX_USER_FRAMES);
}

/** Throws a validation error for `prop` on `scope`. */
export function fail(scope: IConstruct, prop: string, problem: string, fix?: string): never {
  const error = new ValidationError(scope, prop, problem, fix);
  // Node.js prints the line of an uncaught throw above the error: this is that line.
  throw error; // cdk-ecs-kit: a prop is invalid. The ValidationError below names the construct, the prop, what was given and how to fix it.
}

/**
 * Whether `value` is only known at deploy time: an unresolved token (a number, a string, a list
 * such as `CfnParameter.valueAsList`), or a `Duration` or `Size` made from one. Such a value is
 * never validated (aws-cdk-lib does the same), only passed on to the template.
 */
export function isDeployTimeValue(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (value instanceof Duration || value instanceof Size) return value.isUnresolved();
  if (typeof value === 'object' && typeof (value as { isUnresolved?: unknown }).isUnresolved === 'function') {
    // A Duration or Size of another copy of aws-cdk-lib.
    return (value as { isUnresolved(): boolean }).isUnresolved();
  }
  return Token.isUnresolved(value);
}

/** A stack's environment in words: 'account 123456789012, region eu-west-1' or environment-agnostic. */
function describeEnvironment(stack: Stack): string {
  const account = Token.isUnresolved(stack.account) ? 'any account' : `account ${stack.account}`;
  const region = Token.isUnresolved(stack.region) ? 'any region' : `region ${stack.region}`;
  if (Token.isUnresolved(stack.account) && Token.isUnresolved(stack.region)) return 'environment-agnostic: no env, account and region known only at deploy time';
  return `${account}, ${region}`;
}

/**
 * Checks that `target` (a platform or an ingress given as `prop`) is in a stack of the same
 * environment (account and region) as `scope`. aws-cdk-lib would otherwise fail later with
 * CannotUseCrossEnvironment, naming one of the platform's resources and neither the workload nor
 * the fix: a reference across environments needs a physical name, and a service cannot join a
 * cluster in another account or region anyway.
 */
export function checkSameEnvironment(scope: IConstruct, prop: string, target: IConstruct, attachWith: string): void {
  const here = Stack.of(scope);
  const there = Stack.of(target);
  if (here === there || (here.account === there.account && here.region === there.region)) return;
  fail(
    scope,
    prop,
    `${target.node.path} is in stack ${there.node.path} (${describeEnvironment(there)}), and this construct is in stack ${here.node.path} (${describeEnvironment(here)}). `
    + 'A workload and its platform must be deployed to the same environment: CDK cannot reference resources across environments.',
    `Give both stacks the same env (e.g. env: { account: '123456789012', region: 'eu-west-1' } on each, or on neither), or, for a service app deployed apart from the platform, attach with ${attachWith} in the service's own stack.`,
  );
}

function isUnresolved(value: unknown): boolean {
  return isDeployTimeValue(value);
}

/** The limits `checkNumber` holds a value to. */
export interface NumberLimits {
  /** The smallest value allowed. */
  readonly min: number;
  /** The largest value allowed. */
  readonly max: number;
  /** Whether only whole numbers are allowed (default true). */
  readonly integer?: boolean;
  /** How to fix a value outside the limits, appended to the message. */
  readonly fix?: string;
}

/**
 * Checks a number prop against `limits`; returns early for a value only known at deploy time.
 * The one place synth-time number checks go through, so every one of them skips tokens.
 */
export function checkNumber(scope: IConstruct, prop: string, value: number | undefined, limits: NumberLimits): void {
  if (value === undefined || isUnresolved(value)) return;
  const integer = limits.integer ?? true;
  if ((integer && !Number.isInteger(value)) || !(value >= limits.min && value <= limits.max)) {
    fail(scope, prop, `must be ${integer ? 'an integer' : 'a number'} from ${limits.min} to ${limits.max}, got ${value}.`, limits.fix);
  }
}

/** Checks that `value` is an integer in [min, max]. */
export function checkIntegerInRange(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number): void {
  checkNumber(scope, prop, value, { min, max });
}

/**
 * Checks a `Duration` prop as a whole number of seconds in [minSeconds, maxSeconds] (the message
 * names the prop as 'PROP (seconds)'); returns early for a duration only known at deploy time,
 * such as `Duration.seconds(parameter.valueAsNumber)`.
 */
export function checkDurationSeconds(scope: IConstruct, prop: string, value: Duration | undefined, minSeconds: number, maxSeconds: number, fix?: string): void {
  if (value === undefined || isUnresolved(value)) return;
  checkNumber(scope, `${prop} (seconds)`, value.toSeconds({ integral: false }), { min: minSeconds, max: maxSeconds, fix });
}

/**
 * Checks a `Size` prop as a whole number of GiB in [minGiB, maxGiB]; returns early for a size only
 * known at deploy time.
 */
export function checkSizeGibibytes(scope: IConstruct, prop: string, value: Size | undefined, minGiB: number, maxGiB: number): void {
  if (value === undefined || isUnresolved(value)) return;
  checkNumber(scope, prop, value.toGibibytes({ rounding: SizeRoundingBehavior.NONE }), { min: minGiB, max: maxGiB });
}

/**
 * Fails when `value` is only known at deploy time although the construct needs it at synth: it
 * decides what is created (`why`), which no deploy-time value can. `fix` says what to give instead.
 */
export function requireSynthTimeValue(scope: IConstruct, prop: string, value: unknown, why: string, fix: string): void {
  if (!isUnresolved(value)) return;
  fail(scope, prop, `is only known at deploy time, ${why}`, fix);
}

/** Checks a container or host port (1-65535). */
export function checkPort(scope: IConstruct, prop: string, port: number | undefined): void {
  checkIntegerInRange(scope, prop, port, 1, 65535);
}

/** Checks a desired task count (0 or more; at most ECS's 5000 tasks per service). */
export function checkDesiredCount(scope: IConstruct, prop: string, count: number | undefined): void {
  checkIntegerInRange(scope, prop, count, 0, 5000);
}

/** Checks that min <= max for a pair of capacity bounds, and that both are non-negative integers. */
export function checkCapacityBounds(
  scope: IConstruct,
  minProp: string,
  min: number | undefined,
  maxProp: string,
  max: number | undefined,
  upperLimit = 5000,
): void {
  checkIntegerInRange(scope, minProp, min, 0, upperLimit);
  checkIntegerInRange(scope, maxProp, max, 0, upperLimit);
  if (min === undefined || max === undefined || isUnresolved(min) || isUnresolved(max)) return;
  if (min > max) {
    fail(scope, minProp, `(${min}) must not be greater than ${maxProp} (${max}).`, `Raise ${maxProp} or lower ${minProp}.`);
  }
}

/** Checks a percentage in (0, 100]. */
export function checkPercent(scope: IConstruct, prop: string, value: number | undefined): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!(value > 0 && value <= 100)) {
    fail(scope, prop, `must be greater than 0 and at most 100, got ${value}.`);
  }
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Checks a single DNS label (RFC 1123): 1-63 characters, lower-case letters, digits and
 * hyphens, starting and ending with a letter or digit.
 */
export function checkDnsLabel(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!DNS_LABEL.test(value)) {
    fail(
      scope,
      prop,
      `'${value}' is not a valid DNS label.`,
      'Use 1-63 lower-case letters, digits or hyphens, starting and ending with a letter or digit (e.g. \'orders-api\').',
    );
  }
}

/**
 * Checks a DNS domain name made of dot-separated labels (e.g. 'internal' or 'svc.example.local'),
 * at most 253 characters.
 */
export function checkDnsName(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value === undefined || isUnresolved(value)) return;
  const labels = value.split('.');
  if (value.length > 253 || labels.some((label) => !DNS_LABEL.test(label))) {
    fail(
      scope,
      prop,
      `'${value}' is not a valid DNS name.`,
      'Use dot-separated labels of 1-63 lower-case letters, digits or hyphens, 253 characters at most (e.g. \'internal\' or \'svc.example.local\').',
    );
  }
}

/** Checks that a duration-like number of seconds is positive. */
export function checkPositiveSeconds(scope: IConstruct, prop: string, seconds: number | undefined, fix?: string): void {
  if (seconds === undefined || isUnresolved(seconds)) return;
  if (!(seconds > 0)) {
    fail(scope, prop, `must be longer than 0 seconds, got ${seconds} seconds.`, fix);
  }
}

/** Fargate's supported task sizes: CPU units to the memory values (MiB) allowed with them. */
export const FARGATE_TASK_SIZES: ReadonlyArray<{ readonly cpu: number; readonly memoryMiB: readonly number[]; readonly describe: string }> = [
  { cpu: 256, memoryMiB: [512, 1024, 2048], describe: '512, 1024 or 2048' },
  { cpu: 512, memoryMiB: range(1024, 4096, 1024), describe: '1024 to 4096 in steps of 1024' },
  { cpu: 1024, memoryMiB: range(2048, 8192, 1024), describe: '2048 to 8192 in steps of 1024' },
  { cpu: 2048, memoryMiB: range(4096, 16384, 1024), describe: '4096 to 16384 in steps of 1024' },
  { cpu: 4096, memoryMiB: range(8192, 30720, 1024), describe: '8192 to 30720 in steps of 1024' },
  { cpu: 8192, memoryMiB: range(16384, 61440, 4096), describe: '16384 to 61440 in steps of 4096' },
  { cpu: 16384, memoryMiB: range(32768, 122880, 8192), describe: '32768 to 122880 in steps of 8192' },
];

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

/** Checks a Fargate task size against Fargate's CPU/memory table. */
export function checkFargateTaskSize(scope: IConstruct, cpu: number, memoryMiB: number): void {
  if (isUnresolved(cpu) || isUnresolved(memoryMiB)) return;
  const row = FARGATE_TASK_SIZES.find((size) => size.cpu === cpu);
  if (!row) {
    fail(scope, 'cpu', `${cpu} is not a Fargate CPU size.`, `Use one of ${FARGATE_TASK_SIZES.map((s) => s.cpu).join(', ')} (CPU units; 1024 = 1 vCPU).`);
  }
  if (!row.memoryMiB.includes(memoryMiB)) {
    fail(scope, 'memoryMiB', `${memoryMiB} MiB is not allowed with cpu ${cpu} on Fargate.`, `With cpu ${cpu}, use ${row.describe} MiB.`);
  }
}

/** Checks that no key appears both as an environment variable and as a secret. */
export function checkNoSecretEnvironmentClash(
  scope: IConstruct,
  environment: { [name: string]: string } | undefined,
  secrets: { [name: string]: unknown } | undefined,
): void {
  if (!environment || !secrets) return;
  const clashes = Object.keys(secrets).filter((name) => name in environment);
  if (clashes.length > 0) {
    fail(
      scope,
      'container.secrets',
      `${clashes.map((c) => `'${c}'`).join(', ')} ${clashes.length === 1 ? 'is' : 'are'} set both as a secret and in container.environment.`,
      'ECS rejects a task definition with the same name in both; keep the value in secrets only.',
    );
  }
}

/** Checks an absolute container or host path. */
export function checkAbsolutePath(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!value.startsWith('/')) {
    fail(scope, prop, `'${value}' must be an absolute path starting with '/'.`);
  }
}

/** Checks an HTTP path such as a health check path. */
export function checkHttpPath(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!value.startsWith('/') || value.length > 1024 || /\s/.test(value)) {
    fail(scope, prop, `'${value}' is not a valid HTTP path.`, "Start it with '/', use no spaces and at most 1024 characters (e.g. '/healthz').");
  }
}
