import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';

/** The name aws-cdk-lib gives its built-in CloudFormation validator in the validation report. */
const CLOUDFORMATION_VALIDATOR = 'CloudFormation Validate';

/** Options of `ComplianceReport.summarize` and `ComplianceReport.printSummary`. */
export interface ComplianceSummaryOptions {
  /**
   * The names of the validation plugins registered on the app (`plugin.name` of each plugin given
   * to `Validations.of(app).addPlugins`), so that a plugin that found nothing gets its line too:
   * validation-report.json lists only the plugins with a finding or an acknowledgment.
   *
   * @default - only the plugins named in the report, and the CloudFormation validator
   */
  readonly pluginNames?: string[];

  /**
   * Whether aws-cdk-lib's built-in CloudFormation validator ran (it does unless the app was created
   * with `builtinCloudFormationValidation: false`, or `CDK_VALIDATION=false` / `cdk synth
   * --no-validation`).
   *
   * @default - true unless the environment variable CDK_VALIDATION is 'false'
   */
  readonly cloudFormationValidator?: boolean;
}

interface ReportedViolation {
  readonly severity?: string;
  readonly violatingConstructs?: unknown[];
}

interface PluginReport {
  readonly pluginName: string;
  readonly violations?: ReportedViolation[];
  readonly suppressedViolations?: ReportedViolation[];
}

/**
 * A summary of what the validation plugins found at synth, read from the app's
 * validation-report.json: `cdk synth` says nothing when every plugin passes, so nothing tells
 * the user that four nag packs, Control Tower's rules and the CloudFormation validator ran.
 *
 * @example
 * import { Validations } from 'aws-cdk-lib';
 * import { AwsSolutionsChecks } from 'cdk-nag';
 * import { ComplianceReport } from 'cdk-ecs-kit';
 *
 * Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
 * // ... stacks ...
 * app.synth();
 * ComplianceReport.printSummary(app, { pluginNames: ['AwsSolutions'] });
 */
export class ComplianceReport {
  /** The file aws-cdk-lib writes the validation report to, in the app's output directory. */
  public static readonly FILE_NAME = 'validation-report.json';

  /**
   * One line per validation plugin (findings by severity, acknowledged findings) and a last line
   * with the report's path. Call it after `app.synth()`. A finding is one construct that breaks one
   * rule.
   */
  public static summarize(app: App, options: ComplianceSummaryOptions = {}): string[] {
    const reportPath = path.join(app.outdir, ComplianceReport.FILE_NAME);
    if (!fs.existsSync(reportPath)) {
      return [`Validation: no ${ComplianceReport.FILE_NAME} in ${relative(app.outdir)}: no validation plugin ran (or app.synth() was not called yet).`];
    }
    const report = JSON.parse(fs.readFileSync(reportPath, 'utf-8')) as { pluginReports?: PluginReport[] };
    const reported = new Map((report.pluginReports ?? []).map((plugin) => [plugin.pluginName, plugin]));
    const names = [...(options.pluginNames ?? [])];
    if (options.cloudFormationValidator ?? process.env.CDK_VALIDATION !== 'false') names.push(CLOUDFORMATION_VALIDATOR);
    for (const name of reported.keys()) if (!names.includes(name)) names.push(name);
    const width = Math.max(...names.map((name) => name.length));
    const lines = names.map((name) => `Validation: ${name.padEnd(width)}  ${describe(reported.get(name))}`);
    lines.push(`Validation report: ${relative(reportPath)}`);
    return lines;
  }

  /** Prints `summarize(app, options)` to stderr (stdout may carry a template). Call it after `app.synth()`. */
  public static printSummary(app: App, options: ComplianceSummaryOptions = {}): void {
    for (const line of ComplianceReport.summarize(app, options)) process.stderr.write(`${line}\n`);
  }

  private constructor() {}
}

/** "0 findings, 12 acknowledged" or "3 findings (1 error, 2 warnings), 0 acknowledged". */
function describe(plugin: PluginReport | undefined): string {
  const count = (violations: ReportedViolation[] | undefined, severity?: string) => (violations ?? [])
    .filter((v) => severity === undefined || (v.severity ?? 'error') === severity)
    .reduce((sum, v) => sum + Math.max(1, v.violatingConstructs?.length ?? 0), 0);
  const findings = count(plugin?.violations);
  const bySeverity = [...new Set((plugin?.violations ?? []).map((v) => v.severity ?? 'error'))].sort()
    .map((severity) => plural(count(plugin?.violations, severity), severity));
  return `${plural(findings, 'finding')}${findings > 0 ? ` (${bySeverity.join(', ')})` : ''}, ${count(plugin?.suppressedViolations)} acknowledged`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function relative(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}
