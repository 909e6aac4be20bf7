import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnResource, CloudFormationValidatePlugin, IPolicyValidationContext, PolicyValidationPluginReport, Stack, Stage, Validations } from 'aws-cdk-lib';
import { formatFindings, GUARD_PLUGIN, synthWithCompliance } from './synth';
import { buildWorld, describeWorld, DIMENSIONS, generateWorlds, isPossible, World, WORLD_APPS } from './worlds';

// The compliance matrix: each generated world is synthesized once with the four nag packs and the
// CloudFormation validator; Control Tower's rules (cfn-guard, seconds per run) then run once over
// the templates of all worlds, with the acknowledgments each world made applied as aws-cdk-lib
// applies them (the closest acknowledging construct on the path of the violating resource).

/**
 * Findings the matrix sees in areas other changes are fixing. The integrator empties this list
 * after merging them: each entry is the rule, the construct path it is seen at, and who fixes it.
 * Nothing else is skipped.
 */
export const KNOWN_GAPS: Array<{ app?: RegExp; shape?: string; rule: RegExp; path: RegExp; why: string }> = [
  {
    // Seen with an explicit region or account: the rendered ARN has the literal value.
    rule: /^AwsSolutions-IAM5\[Resource::arn:.*:autoscaling:/,
    path: /\/Ec2CapacityTeardown\/OnEventHandlerRole\/DefaultPolicy\/Resource$/,
    why: 'ec2-capacity-teardown.ts builds its IAM5 acknowledgment id with <AWS::Region>/<AWS::AccountId>/<AWS::Partition> literals (the EC2 teardown change fixes it)',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::arn:.*:states:/,
    path: /\/DefaultPolicy\/Resource$/,
    why: "batch-task-schedule.ts builds its IAM5 acknowledgment id with env-shaped literals (the batch job's ack-id change fixes it)",
  },
  {
    // The platform key's policy names the Orders execution role of the nested stack (its secret's
    // grant); the nested stack waits for the EC2 capacity teardown (the daemon's dependency), whose
    // log group is encrypted with that key: key -> nested stack -> teardown -> log group -> key.
    // The nested stack also takes the secret's ARN as a parameter, which the validator flags (W2509,
    // not a resource: no path), and cdk-validator-cfnguard 0.0.62 crashes on the nested template.
    app: /^the reference app/,
    shape: 'services in NestedStacks',
    rule: /^(F3004|W2509|cfn-guard crashed)$/,
    path: /^(EcsKitPlatform\/|$)/,
    why: 'a dependency cycle through the platform key, a NestedStack and the EC2 capacity teardown (EC2 teardown / IAM policy changes; not fixed here)',
  },
  {
    // The same grant across two top-level stacks: aws-cdk-lib throws DependencyCycle at synth
    // ('EcsKitPlatform -> EcsKitWorkloads/Orders/TaskDefinition/ExecutionRole/Resource.Arn').
    app: /^the reference app/,
    shape: 'platform + services stacks',
    rule: /^DependencyCycle$/,
    path: /^$/,
    why: "the platform key's policy names a workload stack's execution role (Secret.grantRead of a secret encrypted with platform.encryptionKey), while the workloads depend on the platform: a cycle (IAM policy changes; not fixed here)",
  },
];

/** The known gap a world's synth error is, if any: such a world must fail exactly so. */
export function knownSynthError(world: World, error: Error | undefined): boolean {
  return error !== undefined && isKnownGap(world, error.name === 'DependencyCycle' || /would create a cyclic reference/.test(error.message) ? 'DependencyCycle' : error.name, ['']);
}

function isKnownGap(world: World, rule: string, paths: string[]): boolean {
  return KNOWN_GAPS.some((gap) => (gap.app?.test(world.app) ?? true) && (gap.shape ?? world.shape) === world.shape
    && gap.rule.test(rule) && paths.some((p) => gap.path.test(p)));
}

/**
 * The worlds of the matrix: one per app in its usual world (cdk.json flags, agnostic, its first
 * shape, no aspects: what examples.test.ts once checked), then all pairs of app, flags,
 * environment, shape and aspects.
 */
export const MATRIX_WORLDS: World[] = generateWorlds(DIMENSIONS, isPossible, WORLD_APPS.map((app) => ({
  app: app.name,
  flags: DIMENSIONS.flags.find((f) => f.includes('cdk.json')) ?? DIMENSIONS.flags[0],
  env: 'agnostic',
  shape: app.layouts[0],
  aspects: 'none',
})));

/** A world once synthesized: its findings and what cfn-guard needs later. */
export interface SynthesizedWorld {
  readonly world: World;
  readonly error?: Error;
  /** Unacknowledged findings of the nag packs and the validator on our constructs. */
  readonly findings: string[];
  /** Templates of our stacks (nested ones included): file -> logical id -> construct path. */
  readonly templates: Map<string, Map<string, string>>;
  /** Control Tower rules acknowledged in this world: rule -> acknowledging construct paths. */
  readonly guardAcks: Map<string, Set<string>>;
  readonly millis: number;
}

/** Synthesizes `world` with the nag packs and the validator (not cfn-guard). */
export function synthesizeWorld(world: World): SynthesizedWorld {
  const started = Date.now();
  const { app, ownPrefix } = buildWorld(world);
  let result: ReturnType<typeof synthWithCompliance>;
  try {
    result = synthWithCompliance(app, { controlTower: false });
  } catch (error) {
    return { world, error: error as Error, findings: [], templates: new Map(), guardAcks: new Map(), millis: Date.now() - started };
  }
  const ours = (paths: string[]) => paths.length === 0 || paths.some((p) => p.startsWith(ownPrefix));
  const findings = formatFindings(result.findings.filter((f) => ours(f.paths) && !isKnownGap(world, f.rule, f.paths)));
  return { world, error: result.error, findings, templates: templatesOf(app, ownPrefix), guardAcks: guardAcksOf(app), millis: Date.now() - started };
}

function templatesOf(app: App, ownPrefix: string): Map<string, Map<string, string>> {
  const templates = new Map<string, Map<string, string>>();
  const stacks = app.node.findAll().filter((c): c is Stack => Stack.isStack(c) && c.node.path.startsWith(ownPrefix));
  for (const stack of stacks) {
    const logicalIds = new Map<string, string>();
    for (const resource of stack.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && Stack.of(c) === stack)) {
      logicalIds.set(stack.resolve(resource.logicalId), resource.node.path);
    }
    templates.set(path.join(Stage.of(stack)!.outdir, stack.templateFile), logicalIds);
  }
  return templates;
}

function guardAcksOf(app: App): Map<string, Set<string>> {
  const acks = new Map<string, Set<string>>();
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const id of Object.keys(entry.data)) {
        if (!id.startsWith(`${GUARD_PLUGIN}::`)) continue;
        const rule = id.slice(GUARD_PLUGIN.length + 2);
        acks.set(rule, (acks.get(rule) ?? new Set()).add(construct.node.path));
      }
    }
  }
  return acks;
}

/** True when `constructPath` or one of its ancestors acknowledged `rule`. */
function acknowledged(acks: Map<string, Set<string>>, rule: string, constructPath: string): boolean {
  const at = acks.get(rule);
  if (!at) return false;
  for (let p = constructPath; ; p = p.slice(0, Math.max(p.lastIndexOf('/'), 0))) {
    if (at.has(p)) return true;
    if (p === '') return false;
  }
}

/** Runs a validation plugin on template files alone (no app: what the plugin sees is the files). */
function validateFiles(plugin: { validate(context: IPolicyValidationContext): PolicyValidationPluginReport }, templatePaths: string[]): PolicyValidationPluginReport {
  return plugin.validate({ templatePaths, stackTemplates: templatePaths.map((templatePath) => ({ templatePath, stackConstructPath: templatePath })) } as unknown as IPolicyValidationContext);
}

/**
 * Runs Control Tower's rules once over the templates of all `worlds` and returns, by world, the
 * violations no construct on the resource's path acknowledged.
 */
export function guardFindings(worlds: SynthesizedWorld[]): Map<World, string[]> {
  const byTemplate = new Map<string, SynthesizedWorld>();
  for (const w of worlds) for (const file of w.templates.keys()) byTemplate.set(file, w);
  const guard = new CfnGuardValidator({ controlTowerRulesEnabled: true });
  const found = new Map<World, string[]>(worlds.map((w) => [w.world, []]));
  // The plugin fails as a whole on a template it crashes on, after doing most of the work: the
  // templates of worlds known to crash it are checked one by one, all others in one run.
  const mayCrash = (file: string) => isKnownGap(byTemplate.get(file)!.world, 'cfn-guard crashed', ['']);
  const files = [...byTemplate.keys()];
  const one = (file: string): PolicyValidationPluginReport['violations'] => {
    try {
      return validateFiles(guard, [file]).violations;
    } catch (error) {
      if (!mayCrash(file)) found.get(byTemplate.get(file)!.world)!.push(`cfn-guard crashed on ${path.basename(file)}: ${String(error).slice(0, 200)}`);
      return [];
    }
  };
  const together = files.filter((file) => !mayCrash(file));
  let violations: PolicyValidationPluginReport['violations'];
  try {
    violations = together.length ? validateFiles(guard, together).violations : [];
  } catch {
    violations = together.flatMap(one);
  }
  violations = [...violations, ...files.filter(mayCrash).flatMap(one)];
  for (const violation of violations) {
    for (const resource of violation.violatingResources) {
      const templatePath = path.resolve(resource.templatePath ?? '');
      const w = byTemplate.get(templatePath);
      if (!w) throw new Error(`cfn-guard reported ${violation.ruleName} on a template of no world: ${resource.templatePath}`);
      const constructPath = w.templates.get(templatePath)!.get(resource.resourceLogicalId ?? '') ?? `${path.basename(templatePath)}#${resource.resourceLogicalId}`;
      if (acknowledged(w.guardAcks, violation.ruleName, constructPath) || isKnownGap(w.world, violation.ruleName, [constructPath])) continue;
      found.get(w.world)!.push(`error ${GUARD_PLUGIN} ${violation.ruleName} at ${constructPath}: ${violation.description.slice(0, 120)}`);
    }
  }
  return found;
}

let validator: CloudFormationValidatePlugin | undefined;

/**
 * Runs the CloudFormation validator aws-cdk-lib bundles (what `@aws-cdk/core:validateAgainstDefaultRules`
 * turns into errors) directly on the world's template files, nested stack templates included,
 * with no acknowledgment applied: every finding, of any severity.
 */
export function validatorFindingsOnFiles(w: SynthesizedWorld): string[] {
  validator ??= new CloudFormationValidatePlugin();
  const report = validateFiles(validator, [...w.templates.keys()]);
  return report.violations.flatMap((v) => v.violatingResources.filter((r) => {
    const constructPath = w.templates.get(path.resolve(r.templatePath ?? ''))?.get(r.resourceLogicalId ?? '') ?? '';
    return !isKnownGap(w.world, v.ruleName, [constructPath]);
  }).map((r) =>
    `${v.severity} ${v.ruleName} at ${path.basename(r.templatePath ?? '')}#${r.resourceLogicalId}: ${v.description.slice(0, 160)}`));
}

export { describeWorld };
