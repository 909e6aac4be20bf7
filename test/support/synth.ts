import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps, Stack } from 'aws-cdk-lib';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { addCompliancePacks, CompliancePacksOptions } from '../../bin/compliance';

/** The context of the repository's cdk.json: recommended feature flags and the validator flag. */
export const CDK_CONTEXT: { [key: string]: unknown } = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf-8'),
).context;

/** A new app with the repository's feature flags, writing to a temporary directory. */
export function newApp(props: AppProps = {}): App {
  return new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ecs-kit-test-')),
    ...props,
    context: { ...CDK_CONTEXT, ...props.context },
  });
}

/** Turns on the CloudFormation validator bundled with aws-cdk-lib. */
export const VALIDATE_FLAG = '@aws-cdk/core:validateAgainstDefaultRules';

/**
 * The feature-flag states every construct must pass in: none at all, this repository's
 * cdk.json, and what `cdk init` writes for the aws-cdk-lib in the lockfile (read from it, so
 * it follows an upgrade). Each with the CloudFormation validator on.
 */
export const FLAG_CONTEXTS: { [name: string]: { [key: string]: unknown } } = {
  'no feature flags': { [VALIDATE_FLAG]: true },
  'cdk.json': CDK_CONTEXT,
  'cdk init': { ...CURRENTLY_RECOMMENDED_FLAGS, [VALIDATE_FLAG]: true },
};

/** A new app with exactly `context` (no repository flags merged in), writing to a temporary directory. */
export function newAppInContext(context: { [key: string]: unknown }): App {
  return new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ecs-kit-test-')), context });
}

/** A new environment-agnostic stack in a new app (synth needs no credentials or lookups). */
export function newStack(id = 'TestStack', props: AppProps = {}): Stack {
  return new Stack(newApp(props), id);
}

/** One unacknowledged finding of a nag pack, of Control Tower's rules or of the CloudFormation validator. */
export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly description: string;
  readonly paths: string[];
}

/** What a compliance synth found. */
export interface ComplianceResult {
  /** Unacknowledged findings of any severity. */
  readonly findings: Finding[];
  /** Error-level findings of the nag packs. */
  readonly nagErrors: Finding[];
  /** Findings (any severity) of the CloudFormation validator. */
  readonly validatorFindings: Finding[];
  /** Findings of AWS Control Tower's proactive controls (cdk-validator-cfnguard; all are errors). */
  readonly guardFindings: Finding[];
  /** Acknowledged findings, with the reason given. */
  readonly acknowledged: Array<{ plugin: string; rule: string; reason: string; paths: string[] }>;
  /** Set when synth threw for anything but the validation report. */
  readonly error?: Error;
}

export const VALIDATOR_PLUGIN = 'CloudFormation Validate';
export const GUARD_PLUGIN = 'cdk-validator-cfnguard';

/**
 * Synthesizes an app with the four cdk-nag packs (AwsSolutions, NIST 800-53 R5, HIPAA
 * Security, PCI DSS 3.2.1), AWS Control Tower's proactive controls (cdk-validator-cfnguard) and
 * the CloudFormation validator flag on, and returns the findings from
 * cdk.out/validation-report.json.
 */
export function synthWithCompliance(app: App, options: CompliancePacksOptions = {}): ComplianceResult {
  addCompliancePacks(app, options);
  let error: Error | undefined;
  try {
    app.synth();
  } catch (e) {
    error = e as Error;
  }
  const reportPath = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(reportPath)) {
    if (error) throw error;
    // A cached assembly is reused without running any plugin: no report means nothing was checked.
    throw new Error('No validation report was written, so the validations did not run. Was the app synthesized (e.g. by Template.fromStack) before synthWithCompliance()?');
  }
  const report = JSON.parse(fs.readFileSync(reportPath, 'utf-8'));
  const findings: Finding[] = [];
  const acknowledged: ComplianceResult['acknowledged'] = [];
  for (const plugin of report.pluginReports ?? []) {
    for (const v of plugin.violations ?? []) {
      findings.push({
        plugin: plugin.pluginName,
        rule: v.ruleName,
        severity: v.severity,
        description: v.description,
        paths: (v.violatingConstructs ?? []).map((c: { constructPath: string }) => c.constructPath),
      });
    }
    for (const v of plugin.suppressedViolations ?? []) {
      acknowledged.push({
        plugin: plugin.pluginName,
        rule: v.ruleName,
        reason: v.reason,
        paths: (v.violatingConstructs ?? []).map((c: { constructPath: string }) => c.constructPath),
      });
    }
  }
  // A plugin that crashed (e.g. "Validation plugin 'cdk-validator-cfnguard' failed: ...") checked
  // nothing: that is an error, not a validation result.
  const pluginCrashed = error !== undefined && /Validation plugin '[^']+' failed/.test(error.message);
  const validationFailed = error && !pluginCrashed && (error.name === 'ValidationFailed' || /Validation failed|validation-report\.json/.test(error.message));
  return {
    findings,
    nagErrors: findings.filter((f) => f.plugin !== VALIDATOR_PLUGIN && f.plugin !== GUARD_PLUGIN && f.severity === 'error'),
    validatorFindings: findings.filter((f) => f.plugin === VALIDATOR_PLUGIN),
    guardFindings: findings.filter((f) => f.plugin === GUARD_PLUGIN),
    acknowledged,
    error: validationFailed ? undefined : error,
  };
}

/** Formats findings one a line, for readable test failures. */
export function formatFindings(findings: Finding[]): string[] {
  return findings.map((f) => `${f.severity} ${f.plugin} ${f.rule} at ${f.paths.join(', ')}: ${f.description.slice(0, 120)}`);
}
