import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';

/** Which validations to register. */
export interface CompliancePacksOptions {
  /**
   * Whether to register AWS Control Tower's proactive controls (the cfn-guard binary, seconds per
   * synth). The compliance matrix turns them off and runs cfn-guard once over all its templates.
   * @default true
   */
  readonly controlTower?: boolean;
}

/**
 * Registers the validations cdk-ecs-kit is held to on an app: the four cdk-nag packs and AWS
 * Control Tower's proactive controls (cfn-guard rules). Together with the
 * `@aws-cdk/core:validateAgainstDefaultRules` context flag (cdk.json), any unacknowledged
 * finding fails `cdk synth`. Registered on the app, they also check the stacks of its Stages
 * (a pipeline's stages included). Returns the names of the plugins, for ComplianceReport.
 */
export function addCompliancePacks(app: App, options: CompliancePacksOptions = {}): string[] {
  const plugins = [
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
    ...(options.controlTower ?? true ? [new CfnGuardValidator({ controlTowerRulesEnabled: true })] : []),
  ];
  Validations.of(app).addPlugins(...plugins);
  return plugins.map((plugin) => plugin.name);
}
