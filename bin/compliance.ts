import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';

/**
 * Registers the validations cdk-ecs-kit is held to on an app: the four cdk-nag packs and AWS
 * Control Tower's proactive controls (cfn-guard rules). Together with the
 * `@aws-cdk/core:validateAgainstDefaultRules` context flag (cdk.json), any unacknowledged
 * finding fails `cdk synth`.
 */
export function addCompliancePacks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
    new CfnGuardValidator({ controlTowerRulesEnabled: true }),
  );
}
