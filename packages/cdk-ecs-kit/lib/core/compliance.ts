import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';

/**
 * Narrow acknowledgments of compliance findings, in one place so every construct words them
 * the same way. Each names the exact rule ids (with their pack prefix) and a reason a security
 * reviewer would accept, and is placed on the smallest construct that causes the finding.
 */

/** The prefixes cdk-nag 3 reports rule ids under, by pack. */
export const NagPack = {
  AWS_SOLUTIONS: 'AwsSolutions::AwsSolutions',
  NIST_800_53_R5: 'NIST.800.53.R5::NIST.800.53.R5',
  HIPAA_SECURITY: 'HIPAA.Security::HIPAA.Security',
  PCI_DSS_321: 'PCI.DSS.321::PCI.DSS.321',
} as const;

/**
 * The prefix cdk-validator-cfnguard (AWS Control Tower proactive controls) reports findings
 * under: its plugin name, then the Guard rule name, not the Control Tower control id.
 */
export const GUARD_PLUGIN = 'cdk-validator-cfnguard';

/**
 * Acknowledges the Control Tower Guard rule `rule` (e.g. `ecs_awsvpc_networking_enabled_check`)
 * on `scope` with `reason`.
 */
export function acknowledgeGuardRule(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${GUARD_PLUGIN}::${rule}`, reason });
}

/**
 * `value` (an ARN or name, often a token) as cdk-nag writes it into a finding id, e.g. the
 * `Resource::...` of IAM5 or the `Policy::...` of IAM4: resolved in the stack of `scope` (where
 * the acknowledgment lands), Fn::Join flattened, a Ref (pseudo parameters too) as `<LogicalId>`, a
 * GetAtt as `<LogicalId.Attr>`. An acknowledgment id built with it matches in any environment:
 * with an explicit env, aws-cdk-lib renders literal regions and accounts where it knows them.
 */
export function renderedForNag(scope: IConstruct, value: unknown): string {
  const visit = (node: unknown): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    const fn = node as { [key: string]: any };
    if (fn['Fn::Join']) return (fn['Fn::Join'][1] as unknown[]).map(visit).join(fn['Fn::Join'][0]);
    if (fn['Fn::Sub']) return visit(fn['Fn::Sub']);
    if (fn['Fn::GetAtt']) return `<${visit(fn['Fn::GetAtt'][0])}.${visit(fn['Fn::GetAtt'][1])}>`;
    if (fn['Fn::ImportValue']) return visit(fn['Fn::ImportValue']);
    if (fn.Ref) return `<${visit(fn.Ref)}>`;
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}

/** The three compliance packs that share rule names (NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1). */
export const COMPLIANCE_PACKS = [NagPack.NIST_800_53_R5, NagPack.HIPAA_SECURITY, NagPack.PCI_DSS_321];

/** Acknowledges `rule` of each of `packs` on `scope` with `reason`. */
export function acknowledgeRule(scope: IConstruct, rule: string, reason: string, packs: readonly string[]): void {
  for (const pack of packs) {
    Validations.of(scope).acknowledge({ id: `${pack}-${rule}`, reason });
  }
}

/**
 * Acknowledges the compliance packs' "inline policy" finding on a role. CDK grants write
 * least-privilege statements for exactly the resources granted into the role's own
 * AWS::IAM::Policy; a managed policy per role would grant the same and add a resource.
 */
export function acknowledgeGrantPolicy(role: IConstruct): void {
  acknowledgeRule(
    role,
    'IAMNoInlinePolicy',
    'The role policy holds only the least-privilege statements CDK grants generate for the resources this construct uses; it is attached to this one role and reviewed with it.',
    COMPLIANCE_PACKS,
  );
}

/**
 * Acknowledges Control Tower's log group encryption check (CT.CLOUDWATCH.PR.3) on a log group that
 * is encrypted with the platform's customer managed key held outside its template: a platform in
 * another stack (the key ARN is a cross-stack reference) or deployed by another app (read from its
 * published parameter). The rule only recognizes a literal ARN or a key in the same template.
 */
export function acknowledgePlatformKeyElsewhere(logGroup: IConstruct, platform: { readonly imported: boolean; readonly encryptionKey: IConstruct }): void {
  if (!platform.imported && Stack.of(platform.encryptionKey) === Stack.of(logGroup)) return;
  acknowledgeGuardRule(
    logGroup,
    'cloudwatch_log_group_encrypted_check',
    "Encrypted with the platform's customer managed KMS key, whose ARN comes from another stack or app (a cross-stack reference or the platform's published parameter), which the rule cannot resolve.",
  );
}

/** The retention Control Tower's CT.CLOUDWATCH.PR.2 asks of a log group, in days. */
const MINIMUM_GUARD_RETENTION_DAYS = 365;

/**
 * Acknowledges Control Tower's log retention check (CT.CLOUDWATCH.PR.2, at least one year) on a log
 * group whose retention was shortened explicitly, or given as a deploy-time value the rule cannot
 * compare; `setBy` names the prop that set it (e.g. "logRetention on Stack/Platform"). Nothing is
 * acknowledged for a year or more.
 */
export function acknowledgeLogRetentionOptOut(logGroup: IConstruct, retention: logs.RetentionDays, setBy: string): void {
  const rule = 'cloudwatch_log_group_retention_period_check';
  if (Token.isUnresolved(retention)) {
    acknowledgeGuardRule(logGroup, rule, `The retention comes from ${setBy}, a value only known at deploy time that the rule cannot compare with its one-year minimum at synth; choosing it is the deployer's explicit decision.`);
  } else if (retention < MINIMUM_GUARD_RETENTION_DAYS) {
    acknowledgeGuardRule(logGroup, rule, `The retention was shortened explicitly to ${retention} days with ${setBy}; the default is one year (PCI DSS 10.7).`);
  }
}
