/**
 * Deploy rules: documented AWS rules that a synthesized template must obey, checked over the
 * templates because we cannot deploy here (ARCHITECTURE.md principle 3).
 *
 * Like cdk-nag, each rule is a small pure function. It sees every template of an app's cloud
 * assembly at once (`SynthesizedApp`), so rules that span stacks (cross-stack references,
 * names unique in a namespace, priorities unique on a listener) work. A rule returns its
 * violations, each naming the stack and logical id, and names the AWS page it comes from.
 *
 * The helpers read CloudFormation JSON as CDK writes it: `Ref` / `Fn::GetAtt` to a logical id,
 * `Fn::Join` of strings and tokens, `Fn::ImportValue` and `Fn::GetStackOutput` across stacks.
 */
import * as cxapi from 'aws-cdk-lib/cx-api';

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

/** A CloudFormation template as parsed JSON: only what the rules read is typed. */
export interface CfnTemplate {
  readonly Resources?: { readonly [logicalId: string]: CfnResource };
  readonly Outputs?: { readonly [name: string]: CfnOutput };
  readonly [key: string]: unknown;
}

/** A resource of a template. Properties stay untyped JSON: rules read what they need. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: any;
  readonly DependsOn?: string | string[];
  readonly [key: string]: unknown;
}

/** An output of a template. */
export interface CfnOutput {
  readonly Value: unknown;
  readonly Export?: { readonly Name: unknown };
}

/** Every template of an app's cloud assembly, and which stack deploys after which. */
export interface SynthesizedApp {
  /** Stack name -> parsed template. */
  readonly templates: { readonly [stackName: string]: CfnTemplate };
  /** Stack name -> names of the stacks it depends on directly (the assembly manifest). */
  readonly dependencies: { readonly [stackName: string]: readonly string[] };
}

/** A documented AWS rule over the templates of an app. */
export interface DeployRule {
  /** Short kebab-case id, stable: tests are named after it. */
  readonly id: string;
  /** What must hold, in one sentence. */
  readonly description: string;
  /** 'AWS page title — URL' of each page the rule comes from, separated by '; '. */
  readonly docs: string;
  /** The violations, each naming the stack and the logical id; [] when the rule holds. */
  check(app: SynthesizedApp): string[];
}

/** The templates and stack dependencies of a synthesized cloud assembly (nested stages included). */
export function synthesizedAppFromAssembly(assembly: cxapi.CloudAssembly): SynthesizedApp {
  const templates: { [stackName: string]: CfnTemplate } = {};
  const dependencies: { [stackName: string]: string[] } = {};
  for (const stack of assembly.stacksRecursively) {
    templates[stack.stackName] = stack.template;
    dependencies[stack.stackName] = stack.dependencies
      .filter((d): d is cxapi.CloudFormationStackArtifact => cxapi.CloudFormationStackArtifact.isCloudFormationStackArtifact(d))
      .map((d) => d.stackName);
  }
  return { templates, dependencies };
}

/** A hand-made app, for rule tests: stack name -> template. */
export function appOf(templates: { [stackName: string]: CfnTemplate }, dependencies: { [stackName: string]: string[] } = {}): SynthesizedApp {
  return { templates, dependencies };
}

/** A hand-made app of one stack named 'Stack' with these resources. */
export function stackOf(resources: { [logicalId: string]: CfnResource }, outputs?: { [name: string]: CfnOutput }): SynthesizedApp {
  return appOf({ Stack: { Resources: resources, ...(outputs ? { Outputs: outputs } : {}) } });
}

// ---------------------------------------------------------------------------------------------
// Reading templates
// ---------------------------------------------------------------------------------------------

/** A resource with the stack and logical id it is found at. */
export interface Located {
  readonly stack: string;
  readonly logicalId: string;
  readonly resource: CfnResource;
}

function isObject(value: unknown): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as an array: undefined -> [], a single value -> [value]. */
export function asArray<T = any>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** `stack/logicalId`, the prefix of every violation. */
export function at(stack: string, logicalId: string): string {
  return `${stack}/${logicalId}`;
}

/** The resources of one type in one template, as [logicalId, resource] pairs. */
export function resourcesIn(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === type);
}

/** The resources of one type across every template of the app. */
export function resourcesOfType(app: SynthesizedApp, type: string): Located[] {
  const found: Located[] = [];
  for (const [stack, template] of Object.entries(app.templates)) {
    for (const [logicalId, resource] of resourcesIn(template, type)) found.push({ stack, logicalId, resource });
  }
  return found;
}

/** The resource of a template with this logical id and (optionally) type. */
export function resourceOf(template: CfnTemplate, logicalId: string | undefined, type?: string): CfnResource | undefined {
  if (logicalId === undefined) return undefined;
  const resource = template.Resources?.[logicalId];
  return resource && (type === undefined || resource.Type === type) ? resource : undefined;
}

/**
 * The logical id a `Ref` or `Fn::GetAtt` points to (pseudo parameters such as AWS::Region are
 * not resources: undefined), or undefined for anything else.
 */
export function refTarget(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref.startsWith('AWS::') ? undefined : value.Ref;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** Every logical id referenced anywhere in a value: Ref, Fn::GetAtt and ${...} in Fn::Sub. */
export function referencedIds(value: unknown): string[] {
  const ids = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    if (!isObject(v)) return;
    const target = refTarget(v);
    if (target) ids.add(target);
    const sub = v['Fn::Sub'];
    const subString = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
    if (subString) {
      for (const m of subString.matchAll(/\$\{([^}!][^}]*)\}/g)) {
        const name = m[1].split('.')[0];
        if (!name.startsWith('AWS::')) ids.add(name);
      }
    }
    Object.values(v).forEach(visit);
  };
  visit(value);
  return [...ids];
}

/**
 * A value rendered to a string for matching: literals as they are, pseudo parameters as
 * `${AWS::Region}`, references as `${LogicalId}` / `${LogicalId.Attr}`, imports as
 * `${Import:name}`, anything else as `${?}`.
 */
export function renderString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (!isObject(value)) return '${?}';
  if (typeof value.Ref === 'string') return `\${${value.Ref}}`;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return `\${${getAtt.join('.')}}`;
  if (typeof getAtt === 'string') return `\${${getAtt}}`;
  const join = value['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map(renderString).join(join[0]);
  }
  const sub = value['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  if (Array.isArray(sub) && typeof sub[0] === 'string') return sub[0];
  if (value['Fn::ImportValue'] !== undefined) return `\${Import:${renderString(value['Fn::ImportValue'])}}`;
  return '${?}';
}

/** True when the rendered string has no token left in it. */
export function isLiteral(rendered: string): boolean {
  return !rendered.includes('${');
}

/** The logical ids a resource lists in DependsOn. */
export function dependsOn(resource: CfnResource): string[] {
  return asArray(resource.DependsOn);
}

/** Names of the stacks this stack depends on, directly or through others. */
export function stackDependenciesOf(app: SynthesizedApp, stack: string): Set<string> {
  const seen = new Set<string>();
  const visit = (s: string): void => {
    for (const d of app.dependencies[s] ?? []) {
      if (!seen.has(d)) {
        seen.add(d);
        visit(d);
      }
    }
  };
  visit(stack);
  return seen;
}

/** The output of another stack a value reads through Fn::ImportValue or Fn::GetStackOutput. */
export interface CrossStackSource {
  /** The stack whose output is read. */
  readonly stack: string;
  /** The output's name in that stack. */
  readonly outputName: string;
  readonly output: CfnOutput;
  /** 'Fn::ImportValue' or 'Fn::GetStackOutput'. */
  readonly via: string;
}

/**
 * Where a cross-stack value comes from, when its producer is a stack of this app; undefined
 * for anything else (a same-stack value, or a platform deployed by another app).
 */
export function crossStackSource(app: SynthesizedApp, value: unknown): CrossStackSource | undefined {
  if (!isObject(value)) return undefined;
  if (value['Fn::ImportValue'] !== undefined) {
    const exportName = renderString(value['Fn::ImportValue']);
    for (const [stack, template] of Object.entries(app.templates)) {
      for (const [outputName, output] of Object.entries(template.Outputs ?? {})) {
        if (output.Export && renderString(output.Export.Name) === exportName) return { stack, outputName, output, via: 'Fn::ImportValue' };
      }
    }
    return undefined;
  }
  const getStackOutput = value['Fn::GetStackOutput'];
  if (isObject(getStackOutput) && typeof getStackOutput.StackName === 'string' && typeof getStackOutput.OutputName === 'string') {
    const output = app.templates[getStackOutput.StackName]?.Outputs?.[getStackOutput.OutputName];
    if (output) return { stack: getStackOutput.StackName, outputName: getStackOutput.OutputName, output, via: 'Fn::GetStackOutput' };
  }
  return undefined;
}

/** A resource of the app a value points to: in the same stack (Ref / GetAtt) or through another stack's output. */
export function resolveResource(app: SynthesizedApp, stack: string, value: unknown): Located | undefined {
  const localId = refTarget(value);
  const local = resourceOf(app.templates[stack] ?? {}, localId);
  if (localId && local) return { stack, logicalId: localId, resource: local };
  const source = crossStackSource(app, value);
  if (!source) return undefined;
  const remoteId = refTarget(source.output.Value);
  const remote = resourceOf(app.templates[source.stack] ?? {}, remoteId);
  return remoteId && remote ? { stack: source.stack, logicalId: remoteId, resource: remote } : undefined;
}

/**
 * A key naming what a reference points to, equal for equal targets across stacks: the
 * resource (`stack/logicalId`), else an unresolved import or a literal value.
 */
export function targetKey(app: SynthesizedApp, stack: string, value: unknown): string {
  const resource = resolveResource(app, stack, value);
  if (resource) return at(resource.stack, resource.logicalId);
  return `value:${renderString(value)}`;
}

/** A number from a number or a numeric string; undefined for tokens. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------

/** One statement of an IAM, key, topic or trust policy. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Principal?: any;
  readonly NotPrincipal?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: { readonly [operator: string]: { readonly [key: string]: unknown } };
}

/** The statements of a policy document. */
export function statementsOf(document: unknown): PolicyStatement[] {
  if (!isObject(document)) return [];
  return asArray(document.Statement).filter(isObject) as PolicyStatement[];
}

/** The plain Allow statements of a policy document (NotAction / NotPrincipal / NotResource ones are not counted as grants). */
export function allowStatements(document: unknown): PolicyStatement[] {
  return statementsOf(document).filter((s) => s.Effect === 'Allow' && s.NotAction === undefined && s.NotPrincipal === undefined && s.NotResource === undefined);
}

/** IAM-style wildcard match, case-insensitive: `*` any run of characters, `?` one character. */
export function globMatch(pattern: string, text: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(text);
}

/**
 * True when the statement's actions cover the required action. The required action may
 * itself be a pattern (`kms:Encrypt*`): it is covered by `kms:Encrypt*`, `kms:*` or `*`.
 */
export function actionCovered(statement: PolicyStatement, required: string): boolean {
  return asArray(statement.Action).some((a) => typeof a === 'string' && globMatch(a, required));
}

/** The service principals of a statement, rendered (`logs.${AWS::Region}.amazonaws.com`). */
export function servicePrincipals(statement: PolicyStatement): string[] {
  const principal = statement.Principal;
  if (!isObject(principal)) return [];
  return asArray(principal.Service).map(renderString);
}

/** The AWS principals of a statement, as written (ARNs, GetAtt role Arn, ...). */
export function awsPrincipals(statement: PolicyStatement): unknown[] {
  const principal = statement.Principal;
  if (principal === '*') return ['*'];
  if (!isObject(principal)) return [];
  return asArray(principal.AWS);
}

/** True when the statement names this service principal. */
export function hasServicePrincipal(statement: PolicyStatement, service: string): boolean {
  return servicePrincipals(statement).includes(service);
}

/** The condition keys of a statement, lower-cased, whatever the operator. */
export function conditionKeys(statement: PolicyStatement): string[] {
  return Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block ?? {}).map((k) => k.toLowerCase()));
}

/** The [operator, value] pairs a statement's condition gives a key (case-insensitive). */
export function conditionValues(statement: PolicyStatement, key: string): Array<[string, unknown]> {
  const found: Array<[string, unknown]> = [];
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    for (const [k, v] of Object.entries(block ?? {})) {
      if (k.toLowerCase() === key.toLowerCase()) for (const value of asArray(v)) found.push([operator, value]);
    }
  }
  return found;
}

/** True when the statement's Resource is `*` or references this logical id (its Ref, its Arn, or a Join built on it). */
export function resourceCovers(statement: PolicyStatement, logicalId: string): boolean {
  return asArray(statement.Resource).some((r) => r === '*' || referencedIds(r).includes(logicalId));
}

/**
 * The identity-policy statements of a role of the template: its inline Policies, and every
 * AWS::IAM::Policy / AWS::IAM::ManagedPolicy of the template attached to it through Roles
 * (or through the role's ManagedPolicyArns).
 */
export function rolePolicyStatements(template: CfnTemplate, roleId: string): PolicyStatement[] {
  const role = resourceOf(template, roleId, 'AWS::IAM::Role');
  const statements: PolicyStatement[] = [];
  for (const inline of asArray(role?.Properties?.Policies)) statements.push(...statementsOf(inline?.PolicyDocument));
  const managedIds = new Set(asArray(role?.Properties?.ManagedPolicyArns).map(refTarget).filter((id): id is string => id !== undefined));
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [policyId, policy] of resourcesIn(template, type)) {
      const attached = asArray(policy.Properties?.Roles).some((r) => refTarget(r) === roleId) || managedIds.has(policyId);
      if (attached) statements.push(...statementsOf(policy.Properties?.PolicyDocument));
    }
  }
  return statements;
}

/** True when an identity policy of the role allows the action on the resource. */
export function roleAllows(template: CfnTemplate, roleId: string, action: string, resourceId: string): boolean {
  return rolePolicyStatements(template, roleId)
    .filter((s) => s.Effect === 'Allow' && s.NotAction === undefined && s.NotResource === undefined)
    .some((s) => actionCovered(s, action) && resourceCovers(s, resourceId));
}

/** True when the key policy of a key of the template grants the action to the role by name (its Arn). */
export function keyPolicyGrantsRole(template: CfnTemplate, keyId: string, action: string, roleId: string): boolean {
  const key = resourceOf(template, keyId, 'AWS::KMS::Key');
  return allowStatements(key?.Properties?.KeyPolicy)
    .some((s) => actionCovered(s, action) && awsPrincipals(s).some((p) => referencedIds(p).includes(roleId)));
}

// ---------------------------------------------------------------------------------------------
// Step Functions definitions
// ---------------------------------------------------------------------------------------------

/** A state machine definition parsed from its DefinitionString, with the tokens it was joined from. */
export interface ParsedDefinition {
  readonly definition: any;
  /** Placeholder -> the CloudFormation value it stands for. */
  readonly tokens: ReadonlyMap<string, unknown>;
}

const PLACEHOLDER = /@@TOKEN(\d+)@@/g;

/**
 * Parses a state machine's definition: `Definition` (an object), or `DefinitionString`, either a
 * string or an `Fn::Join` of strings and tokens. Tokens are replaced by placeholders (quoted
 * when they stand outside a JSON string) so the text parses; `tokenOf` gives them back.
 * `${name}` DefinitionSubstitutions are kept as tokens too.
 */
export function parseStateMachineDefinition(properties: any): ParsedDefinition | undefined {
  const tokens = new Map<string, unknown>();
  for (const [name, value] of Object.entries(properties?.DefinitionSubstitutions ?? {})) tokens.set(`\${${name}}`, value);
  if (isObject(properties?.Definition)) return { definition: properties.Definition, tokens };
  const source = properties?.DefinitionString;
  if (typeof source === 'string') return { definition: JSON.parse(source), tokens };
  const join = isObject(source) ? source['Fn::Join'] : undefined;
  if (!Array.isArray(join) || typeof join[0] !== 'string' || !Array.isArray(join[1])) return undefined;
  let text = '';
  let inString = false;
  const append = (literal: string): void => {
    for (let i = 0; i < literal.length; i++) {
      const c = literal[i];
      if (c === '\\' && inString) {
        text += c + (literal[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === '"') inString = !inString;
      text += c;
    }
  };
  join[1].forEach((part: unknown, index: number) => {
    if (index > 0) append(join[0]);
    if (typeof part === 'string') {
      append(part);
    } else {
      const placeholder = `@@TOKEN${tokens.size}@@`;
      tokens.set(placeholder, part);
      text += inString ? placeholder : `"${placeholder}"`;
    }
  });
  return { definition: JSON.parse(text), tokens };
}

/** The CloudFormation value a definition string stands for when it is exactly one token; else undefined. */
export function tokenOf(parsed: ParsedDefinition, value: unknown): unknown {
  return typeof value === 'string' ? parsed.tokens.get(value) : undefined;
}

/** A definition string with its tokens rendered (`arn:${AWS::Partition}:states:::sns:publish`). */
export function renderDefinitionString(parsed: ParsedDefinition, value: unknown): string {
  if (typeof value !== 'string') return renderString(value);
  return value.replace(PLACEHOLDER, (placeholder) => renderString(parsed.tokens.get(placeholder)));
}

/** Every state of a definition, nested ones (Parallel branches, Map iterators) included. */
export function allStates(definition: any): Array<[string, any]> {
  const found: Array<[string, any]> = [];
  const visit = (machine: any): void => {
    for (const [name, state] of Object.entries(machine?.States ?? {})) {
      found.push([name, state]);
      for (const branch of asArray((state as any).Branches)) visit(branch);
      if ((state as any).Iterator) visit((state as any).Iterator);
      if ((state as any).ItemProcessor) visit((state as any).ItemProcessor);
    }
  };
  visit(definition);
  return found;
}

/** A Task state of a state machine that calls a service integration. */
export interface IntegrationState {
  readonly stack: string;
  readonly stateMachineId: string;
  readonly stateName: string;
  /** The rendered Resource, e.g. `arn:${AWS::Partition}:states:::ecs:runTask.sync`. */
  readonly resource: string;
  /** Parameters (JSONPath) or Arguments (JSONata). */
  readonly parameters: any;
  readonly parsed: ParsedDefinition;
  readonly stateMachine: CfnResource;
}

/** Task states, across the app, whose Resource is the integration (`ecs:runTask`, `sns:publish`, ...). */
export function integrationStates(app: SynthesizedApp, integration: string): IntegrationState[] {
  const found: IntegrationState[] = [];
  for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::StepFunctions::StateMachine')) {
    const parsed = parseStateMachineDefinition(resource.Properties);
    if (!parsed) continue;
    for (const [stateName, state] of allStates(parsed.definition)) {
      if (state?.Type !== 'Task') continue;
      const rendered = renderDefinitionString(parsed, state.Resource);
      const service = /:states:::([^.]+?)(\.sync(:2)?|\.waitForTaskToken)?$/.exec(rendered)?.[1];
      if (service !== integration) continue;
      found.push({ stack, stateMachineId: logicalId, stateName, resource: rendered, parameters: state.Parameters ?? state.Arguments ?? {}, parsed, stateMachine: resource });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// ECS helpers
// ---------------------------------------------------------------------------------------------

/**
 * The task definition of a template a value names: a Ref, or a family / family:revision / ARN
 * string (Step Functions RunTask writes the family).
 */
export function taskDefinitionOf(template: CfnTemplate, value: unknown): [string, CfnResource] | undefined {
  const id = refTarget(value);
  const byRef = resourceOf(template, id, 'AWS::ECS::TaskDefinition');
  if (id && byRef) return [id, byRef];
  if (typeof value !== 'string') return undefined;
  const family = (/task-definition\/([^:]+)/.exec(value)?.[1]) ?? value.split(':')[0];
  return resourcesIn(template, 'AWS::ECS::TaskDefinition').find(([, td]) => td.Properties?.Family === family);
}

/** True when a task definition is for Fargate. */
export function isFargate(taskDefinition: CfnResource): boolean {
  return asArray(taskDefinition.Properties?.RequiresCompatibilities).includes('FARGATE');
}

/** The network mode of a task definition, with ECS's defaults (awsvpc on Fargate, bridge on EC2 Linux). */
export function networkModeOf(taskDefinition: CfnResource): string {
  return taskDefinition.Properties?.NetworkMode ?? (isFargate(taskDefinition) ? 'awsvpc' : 'bridge');
}

/** Where a capacity provider strategy is used: an ECS service, or a RunTask state. */
export interface StrategyUse {
  readonly stack: string;
  /** `stack/ServiceId` or `stack/StateMachineId (state Name)`. */
  readonly where: string;
  readonly strategy: any[];
  readonly cluster: unknown;
  readonly taskDefinition: unknown;
  readonly launchType: unknown;
  /** The pinned platform version, if any. */
  readonly platformVersion?: unknown;
}

/** Every capacity provider strategy of the app: services and ecs:runTask states. */
export function strategyUses(app: SynthesizedApp): StrategyUse[] {
  const uses: StrategyUse[] = [];
  for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::ECS::Service')) {
    const p = resource.Properties ?? {};
    uses.push({ stack, where: at(stack, logicalId), strategy: asArray(p.CapacityProviderStrategy), cluster: p.Cluster, taskDefinition: p.TaskDefinition, launchType: p.LaunchType, platformVersion: p.PlatformVersion });
  }
  for (const state of integrationStates(app, 'ecs:runTask')) {
    const p = state.parameters;
    const resolve = (v: unknown): unknown => tokenOf(state.parsed, v) ?? v;
    const strategy = asArray(p.CapacityProviderStrategy).map((item: any) => ({ ...item, CapacityProvider: resolve(item?.CapacityProvider) }));
    uses.push({
      stack: state.stack,
      where: `${at(state.stack, state.stateMachineId)} (state ${state.stateName})`,
      strategy,
      cluster: resolve(p.Cluster),
      taskDefinition: resolve(p.TaskDefinition),
      launchType: p.LaunchType,
      platformVersion: p.PlatformVersion,
    });
  }
  return uses;
}

const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'];

/** The capacity providers a strategy item names, rendered for messages. */
function providerName(item: any): string {
  return renderString(item?.CapacityProvider);
}

// ---------------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------------

/**
 * R1. A CloudWatch alarm can publish to its SNS topic.
 * - "Amazon SNS access control case examples" (a topic policy replaces the default policy; grant
 *   the service principal with aws:SourceAccount): https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
 * - "Notifying users on alarm changes" (CloudWatch; topic policy for alarms):
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html
 * - "Managing Amazon SNS encryption keys and costs" (compatibility between event sources and
 *   encrypted topics: the source needs kms:GenerateDataKey* and kms:Decrypt in the key policy;
 *   the AWS managed key alias/aws/sns cannot be used):
 *   https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export const alarmTopicAcceptsCloudWatch: DeployRule = {
  id: 'alarm-topic-accepts-cloudwatch',
  description: 'An SNS topic that alarms notify lets cloudwatch.amazonaws.com publish (topic policy with aws:SourceAccount, key policy kms:Decrypt + kms:GenerateDataKey*); a state machine publishing to a topic has sns:Publish and the key permissions.',
  docs: [
    'Amazon SNS access control case examples — https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html',
    'Notifying users on alarm changes (Amazon CloudWatch) — https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html',
    'Managing Amazon SNS encryption keys and costs — https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services',
  ].join('; '),
  check(app) {
    const violations: string[] = [];
    for (const [stack, template] of Object.entries(app.templates)) {
      const alarmsOfTopic = new Map<string, string[]>();
      for (const [alarmId, alarm] of resourcesIn(template, 'AWS::CloudWatch::Alarm')) {
        const p = alarm.Properties ?? {};
        for (const action of [...asArray(p.AlarmActions), ...asArray(p.OKActions), ...asArray(p.InsufficientDataActions)]) {
          const topicId = refTarget(action);
          if (topicId && resourceOf(template, topicId, 'AWS::SNS::Topic')) alarmsOfTopic.set(topicId, [...(alarmsOfTopic.get(topicId) ?? []), alarmId]);
        }
      }
      for (const [topicId, alarmIds] of alarmsOfTopic) {
        const alarms = [...new Set(alarmIds)].join(', ');
        const policies = resourcesIn(template, 'AWS::SNS::TopicPolicy').filter(([, p]) => asArray(p.Properties?.Topics).some((t) => refTarget(t) === topicId));
        if (policies.length > 1) {
          violations.push(`${at(stack, topicId)}: ${policies.length} AWS::SNS::TopicPolicy resources (${policies.map(([id]) => id).join(', ')}) set the policy of this alarm topic; each replaces the others`);
        }
        for (const [policyId, policy] of policies) {
          const grants = allowStatements(policy.Properties?.PolicyDocument).some((s) => hasServicePrincipal(s, 'cloudwatch.amazonaws.com')
            && actionCovered(s, 'sns:Publish') && resourceCovers(s, topicId) && conditionKeys(s).includes('aws:sourceaccount'));
          if (!grants) {
            violations.push(`${at(stack, policyId)}: the topic policy of ${topicId} (notified by alarm ${alarms}) replaces the default policy but has no Allow statement for service principal cloudwatch.amazonaws.com with sns:Publish on the topic and an aws:SourceAccount condition`);
          }
        }
        const keyValue = resourceOf(template, topicId)?.Properties?.KmsMasterKeyId;
        if (typeof keyValue === 'string' && keyValue.includes('alias/aws/sns')) {
          violations.push(`${at(stack, topicId)}: the alarm topic (notified by alarm ${alarms}) is encrypted with the AWS managed key alias/aws/sns, whose policy cannot let CloudWatch use it`);
        }
        const keyId = refTarget(keyValue);
        const key = resourceOf(template, keyId, 'AWS::KMS::Key');
        if (keyId && key) {
          const missing = ['kms:Decrypt', 'kms:GenerateDataKey'].filter((action) => !allowStatements(key.Properties?.KeyPolicy)
            .some((s) => hasServicePrincipal(s, 'cloudwatch.amazonaws.com') && actionCovered(s, action)));
          if (missing.length > 0) {
            violations.push(`${at(stack, keyId)}: encrypts alarm topic ${topicId} (notified by alarm ${alarms}) but its key policy does not allow cloudwatch.amazonaws.com ${missing.join(' and ')}`);
          }
        }
      }
    }
    for (const state of integrationStates(app, 'sns:publish')) {
      const template = app.templates[state.stack];
      const topicId = refTarget(tokenOf(state.parsed, state.parameters.TopicArn));
      const topic = resourceOf(template, topicId, 'AWS::SNS::Topic');
      const roleId = refTarget(state.stateMachine.Properties?.RoleArn);
      if (!topicId || !topic || !roleId || !resourceOf(template, roleId, 'AWS::IAM::Role')) continue;
      const where = `${at(state.stack, state.stateMachineId)} (state ${state.stateName})`;
      if (!roleAllows(template, roleId, 'sns:Publish', topicId)) {
        violations.push(`${where}: publishes to topic ${topicId} but role ${roleId} has no sns:Publish on it`);
      }
      const keyId = refTarget(topic.Properties?.KmsMasterKeyId);
      if (keyId && resourceOf(template, keyId, 'AWS::KMS::Key')) {
        const missing = ['kms:GenerateDataKey', 'kms:Decrypt'].filter((action) => !roleAllows(template, roleId, action, keyId) && !keyPolicyGrantsRole(template, keyId, action, roleId));
        if (missing.length > 0) violations.push(`${where}: publishes to topic ${topicId} encrypted with ${keyId} but role ${roleId} is not allowed ${missing.join(' and ')} on the key`);
      }
    }
    return violations;
  },
};

/**
 * R2. A task on Fargate Spot runs on a platform version that supports its architecture.
 * AWS documents ARM64 on Fargate Spot both ways:
 * - "CapacityProviderStrategyItem" (ECS API Reference): "FARGATE_SPOT supports Linux tasks with
 *   the X86_64 architecture on platform version 1.3.0 or later. FARGATE_SPOT supports Linux tasks
 *   with the ARM64 architecture on platform version 1.4.0 or later."
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
 * - "AWS Fargate capacity providers" (ECS Developer Guide): "Linux tasks with the ARM64
 *   architecture don't support the Fargate Spot capacity provider."
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
 * The API reference is the newer page, so the library allows the combination; what this rule
 * checks is the platform version the API reference asks for: never pinned below 1.4.0 for ARM64 (1.3.0
 * for X86_64) on FARGATE_SPOT. Unset or LATEST is 1.4.0.
 */
export const fargateSpotPlatformVersion: DeployRule = {
  id: 'fargate-spot-platform-version',
  description: 'A service or RunTask state on FARGATE_SPOT (weight or base > 0) does not pin a platform version below 1.4.0 for ARM64 or 1.3.0 for X86_64.',
  docs: [
    'CapacityProviderStrategyItem (Amazon ECS API Reference) — https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html',
    'AWS Fargate capacity providers (Amazon ECS Developer Guide) — https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html',
  ].join('; '),
  check(app) {
    const violations: string[] = [];
    for (const use of strategyUses(app)) {
      const spot = use.strategy.find((item) => item?.CapacityProvider === 'FARGATE_SPOT' && ((numberOf(item.Weight) ?? 0) > 0 || (numberOf(item.Base) ?? 0) > 0));
      if (!spot) continue;
      const taskDefinition = taskDefinitionOf(app.templates[use.stack], use.taskDefinition);
      const arm = taskDefinition?.[1].Properties?.RuntimePlatform?.CpuArchitecture === 'ARM64';
      const version = use.platformVersion;
      if (typeof version !== 'string' || version === 'LATEST') continue;
      const [major, minor] = version.split('.').map(Number);
      const needed = arm ? [1, 4] : [1, 3];
      if (major < needed[0] || (major === needed[0] && minor < needed[1])) {
        violations.push(`${use.where}: runs ${arm ? 'ARM64' : 'X86_64'} task definition ${taskDefinition?.[0]} on FARGATE_SPOT with platform version ${version}; it needs ${needed.join('.')}.0 or later`);
      }
    }
    return violations;
  },
};

/**
 * R3. A service with a capacity provider strategy is created after its cluster's capacity
 * providers are associated.
 * - "AWS::ECS::ClusterCapacityProviderAssociations" (CloudFormation):
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-clustercapacityproviderassociations.html
 * - "CapacityProviderStrategyItem" (only providers already associated with the cluster can be used):
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
 * - aws/containers-roadmap#631, the ECS team's advice to make every AWS::ECS::Service DependsOn
 *   the association: https://github.com/aws/containers-roadmap/issues/631#issuecomment-816354807
 *   (proposed as a note for the CloudFormation page in awsdocs/aws-cloudformation-user-guide#1248).
 */
export const serviceDependsOnCapacityProviderAssociation: DeployRule = {
  id: 'service-depends-on-capacity-provider-association',
  description: 'Every ECS service with a CapacityProviderStrategy DependsOn the ClusterCapacityProviderAssociations of its cluster (same stack), or its stack depends on the stack of the cluster (cross-stack).',
  docs: [
    'AWS::ECS::ClusterCapacityProviderAssociations (CloudFormation Template Reference) — https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-clustercapacityproviderassociations.html',
    'CapacityProviderStrategyItem (Amazon ECS API Reference) — https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html',
    '[ECS] Full support for Capacity Providers in CloudFormation (aws/containers-roadmap#631) — https://github.com/aws/containers-roadmap/issues/631#issuecomment-816354807',
  ].join('; '),
  check(app) {
    const violations: string[] = [];
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::ECS::Service')) {
      const strategy = asArray(resource.Properties?.CapacityProviderStrategy);
      if (strategy.length === 0) continue;
      const template = app.templates[stack];
      const clusterValue = resource.Properties?.Cluster;
      const providers = strategy.map(providerName).join(', ');
      const clusterId = refTarget(clusterValue);
      if (clusterId && resourceOf(template, clusterId)) {
        const associations = resourcesIn(template, 'AWS::ECS::ClusterCapacityProviderAssociations').filter(([, a]) => refTarget(a.Properties?.Cluster) === clusterId);
        for (const [associationId] of associations) {
          if (!dependsOn(resource).includes(associationId)) {
            violations.push(`${at(stack, logicalId)}: uses capacity providers [${providers}] of cluster ${clusterId} but does not DependsOn ${associationId} (AWS::ECS::ClusterCapacityProviderAssociations); CloudFormation may create the service before the providers are associated`);
          }
        }
        continue;
      }
      const source = crossStackSource(app, clusterValue);
      if (source && !stackDependenciesOf(app, stack).has(source.stack)) {
        violations.push(`${at(stack, logicalId)}: uses capacity providers [${providers}] of a cluster of stack ${source.stack} (${source.via} ${source.outputName}) but stack ${stack} does not depend on stack ${source.stack}`);
      }
    }
    return violations;
  },
};

/**
 * R4. Cloud Map service names are unique in their namespace, across every stack of the app.
 * - "CreateService" (AWS Cloud Map API Reference; ServiceAlreadyExists):
 *   https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateService.html
 * - "Creating an AWS Cloud Map service" (DNS names differing only by case collide):
 *   https://docs.aws.amazon.com/cloud-map/latest/dg/creating-services.html
 */
export const uniqueDiscoveryNames: DeployRule = {
  id: 'unique-discovery-names',
  description: 'No two AWS::ServiceDiscovery::Service of the app have the same Name in the same namespace (case-insensitive in DNS namespaces).',
  docs: [
    'CreateService (AWS Cloud Map API Reference) — https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateService.html',
    'Creating an AWS Cloud Map service for an application component — https://docs.aws.amazon.com/cloud-map/latest/dg/creating-services.html',
  ].join('; '),
  check(app) {
    const byKey = new Map<string, string[]>();
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::ServiceDiscovery::Service')) {
      const name = resource.Properties?.Name;
      if (typeof name !== 'string') continue;
      const namespaceValue = resource.Properties?.NamespaceId ?? resource.Properties?.DnsConfig?.NamespaceId;
      const namespace = resolveResource(app, stack, namespaceValue);
      const caseSensitive = namespace?.resource.Type === 'AWS::ServiceDiscovery::HttpNamespace';
      const key = `${targetKey(app, stack, namespaceValue)}|${caseSensitive ? name : name.toLowerCase()}`;
      byKey.set(key, [...(byKey.get(key) ?? []), at(stack, logicalId)]);
    }
    const violations: string[] = [];
    for (const [key, services] of byKey) {
      if (services.length < 2) continue;
      const [namespace, name] = key.split('|');
      violations.push(`${services.join(' and ')}: ${services.length} Cloud Map services named '${name}' in namespace ${namespace}; a name must be unique in its namespace`);
    }
    return violations;
  },
};

/** The number of condition values of an ALB listener rule, as the quota counts them. */
function conditionValueCount(conditions: unknown): number {
  let count = 0;
  for (const condition of asArray(conditions)) {
    if (!isObject(condition)) continue;
    count += asArray(condition.Values).length;
    for (const config of ['HostHeaderConfig', 'PathPatternConfig', 'HttpHeaderConfig', 'HttpRequestMethodConfig', 'QueryStringConfig', 'SourceIpConfig']) {
      count += asArray(condition[config]?.Values).length;
    }
  }
  return count;
}

/**
 * R5. Listener rule priorities are unique on a listener, in 1..50000, and a rule has at most 5
 * condition values.
 * - "Quotas for your Application Load Balancers" (condition values per rule: 5):
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
 * - "AWS::ElasticLoadBalancingV2::ListenerRule" (Priority 1-50000, unique per listener):
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-listenerrule.html
 */
export const uniqueListenerRulePriorities: DeployRule = {
  id: 'unique-listener-rule-priorities',
  description: 'No two listener rules of the app on the same listener share a Priority; priorities are 1..50000; each rule has at most 5 condition values.',
  docs: [
    'Quotas for your Application Load Balancers — https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html',
    'AWS::ElasticLoadBalancingV2::ListenerRule (CloudFormation Template Reference) — https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-listenerrule.html',
  ].join('; '),
  check(app) {
    const violations: string[] = [];
    const byPriority = new Map<string, string[]>();
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::ElasticLoadBalancingV2::ListenerRule')) {
      const p = resource.Properties ?? {};
      const priority = numberOf(p.Priority);
      if (priority !== undefined) {
        if (!Number.isInteger(priority) || priority < 1 || priority > 50000) violations.push(`${at(stack, logicalId)}: Priority ${priority} is outside 1..50000`);
        const key = `${targetKey(app, stack, p.ListenerArn)}|${priority}`;
        byPriority.set(key, [...(byPriority.get(key) ?? []), at(stack, logicalId)]);
      }
      const values = conditionValueCount(p.Conditions);
      if (values > 5) violations.push(`${at(stack, logicalId)}: ${values} condition values; a rule allows at most 5`);
    }
    for (const [key, rules] of byPriority) {
      if (rules.length < 2) continue;
      const [listener, priority] = key.split('|');
      violations.push(`${rules.join(' and ')}: share Priority ${priority} on listener ${listener}`);
    }
    return violations;
  },
};

/**
 * R6. ALB target group health check timing is within the documented ranges.
 * "Health checks for Application Load Balancer target groups":
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
 */
export const targetGroupHealthCheckTiming: DeployRule = {
  id: 'target-group-health-check-timing',
  description: 'ALB target groups: HealthCheckTimeoutSeconds (2-120) < HealthCheckIntervalSeconds (5-300); healthy and unhealthy thresholds 2-10 (defaults filled in).',
  docs: 'Health checks for Application Load Balancer target groups — https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html',
  check(app) {
    const violations: string[] = [];
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::ElasticLoadBalancingV2::TargetGroup')) {
      const p = resource.Properties ?? {};
      const lambda = p.TargetType === 'lambda';
      if (!lambda && !['HTTP', 'HTTPS'].includes(p.Protocol)) continue; // NLB/GWLB target groups have their own table
      if (p.HealthCheckEnabled === false) continue;
      const interval = numberOf(p.HealthCheckIntervalSeconds) ?? (lambda ? 35 : 30);
      const timeout = numberOf(p.HealthCheckTimeoutSeconds) ?? (lambda ? 30 : 5);
      const healthy = numberOf(p.HealthyThresholdCount) ?? 5;
      const unhealthy = numberOf(p.UnhealthyThresholdCount) ?? 2;
      const where = at(stack, logicalId);
      if (interval < 5 || interval > 300) violations.push(`${where}: HealthCheckIntervalSeconds ${interval} is outside 5..300`);
      if (timeout < 2 || timeout > 120) violations.push(`${where}: HealthCheckTimeoutSeconds ${timeout} is outside 2..120`);
      if (timeout >= interval) violations.push(`${where}: HealthCheckTimeoutSeconds ${timeout} must be less than HealthCheckIntervalSeconds ${interval}`);
      if (healthy < 2 || healthy > 10) violations.push(`${where}: HealthyThresholdCount ${healthy} is outside 2..10`);
      if (unhealthy < 2 || unhealthy > 10) violations.push(`${where}: UnhealthyThresholdCount ${unhealthy} is outside 2..10`);
    }
    return violations;
  },
};

/**
 * R7. A container of a Fargate task stops within 120 s.
 * "Amazon ECS task definition parameters" (stopTimeout: "For tasks using the Fargate launch
 * type ... the max stop timeout value is 120 seconds"):
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_timeout
 */
export const fargateStopTimeout: DeployRule = {
  id: 'fargate-stop-timeout',
  description: 'Every container of a Fargate task definition has StopTimeout <= 120 seconds.',
  docs: 'Amazon ECS task definition parameters — Container timeouts — https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_timeout',
  check(app) {
    const violations: string[] = [];
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::ECS::TaskDefinition')) {
      if (!isFargate(resource)) continue;
      for (const container of asArray(resource.Properties?.ContainerDefinitions)) {
        const stopTimeout = numberOf(container?.StopTimeout);
        if (stopTimeout !== undefined && stopTimeout > 120) {
          violations.push(`${at(stack, logicalId)}: container '${container.Name}' has StopTimeout ${stopTimeout} s; Fargate allows at most 120 s`);
        }
      }
    }
    return violations;
  },
};

/** Fargate's CPU units -> allowed memory in MiB (Linux). */
const FARGATE_SIZES: ReadonlyArray<[number, number[]]> = [
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
];

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

/** CPU units of a task definition's Cpu ('512', 512, '0.5 vCPU'); undefined for tokens. */
function cpuUnits(value: unknown): number | undefined {
  const plain = numberOf(value);
  if (plain !== undefined) return plain;
  const vcpu = typeof value === 'string' ? /^\s*(\d+(\.\d+)?)\s*vcpu\s*$/i.exec(value) : null;
  return vcpu ? Number(vcpu[1]) * 1024 : undefined;
}

/** MiB of a task definition's Memory ('1024', 1024, '1 GB'); undefined for tokens. */
function memoryMiB(value: unknown): number | undefined {
  const plain = numberOf(value);
  if (plain !== undefined) return plain;
  const gb = typeof value === 'string' ? /^\s*(\d+(\.\d+)?)\s*gb\s*$/i.exec(value) : null;
  return gb ? Number(gb[1]) * 1024 : undefined;
}

/**
 * R8. A Fargate task's CPU and memory are a pair of Fargate's table.
 * "Amazon ECS task definition parameters" — Task size (the Fargate CPU/memory table):
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_size
 */
export const fargateTaskSize: DeployRule = {
  id: 'fargate-task-size',
  description: 'Every Fargate task definition has task-level Cpu and Memory forming a pair of the Fargate table (Windows: at least 1 vCPU).',
  docs: 'Amazon ECS task definition parameters — Task size — https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_size',
  check(app) {
    const violations: string[] = [];
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::ECS::TaskDefinition')) {
      if (!isFargate(resource)) continue;
      const p = resource.Properties ?? {};
      const where = at(stack, logicalId);
      if (p.Cpu === undefined || p.Memory === undefined) {
        violations.push(`${where}: a Fargate task definition needs task-level Cpu and Memory (has Cpu ${renderString(p.Cpu)}, Memory ${renderString(p.Memory)})`);
        continue;
      }
      const cpu = cpuUnits(p.Cpu);
      const memory = memoryMiB(p.Memory);
      if (cpu === undefined || memory === undefined) continue;
      const allowed = FARGATE_SIZES.find(([c]) => c === cpu)?.[1];
      if (!allowed) {
        violations.push(`${where}: Cpu ${cpu} is not a Fargate size (${FARGATE_SIZES.map(([c]) => c).join(', ')})`);
      } else if (!allowed.includes(memory)) {
        violations.push(`${where}: Memory ${memory} MiB is not allowed with Cpu ${cpu} on Fargate (allowed: ${allowed[0]}..${allowed[allowed.length - 1]} MiB in steps of ${allowed.length > 1 ? allowed[1] - allowed[0] : 0})`);
      }
      if (String(p.RuntimePlatform?.OperatingSystemFamily ?? '').startsWith('WINDOWS') && cpu < 1024) {
        violations.push(`${where}: Windows tasks on Fargate need at least 1 vCPU (Cpu 1024), has ${cpu}`);
      }
    }
    return violations;
  },
};

/** True when a rendered principal is CloudWatch Logs' regional service principal. */
function isLogsPrincipal(rendered: string): boolean {
  return /^logs\.[^.]+\.(amazonaws\.com(\.cn)?|\$\{AWS::URLSuffix\})$/.test(rendered);
}

/**
 * R9. CloudWatch Logs may use the KMS key of an encrypted log group.
 * "Encrypt log data in CloudWatch Logs using AWS Key Management Service" (key policy for
 * logs.<region>.amazonaws.com with the kms:EncryptionContext:aws:logs:arn condition):
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export const logGroupKeyAllowsLogs: DeployRule = {
  id: 'log-group-key-allows-logs',
  description: 'The key of every KMS-encrypted log group allows logs.<region>.amazonaws.com kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe* under a kms:EncryptionContext:aws:logs:arn condition.',
  docs: 'Encrypt log data in CloudWatch Logs using AWS Key Management Service — https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html',
  check(app) {
    const required = ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'];
    const violations: string[] = [];
    for (const [stack, template] of Object.entries(app.templates)) {
      for (const [logGroupId, logGroup] of resourcesIn(template, 'AWS::Logs::LogGroup')) {
        const keyId = refTarget(logGroup.Properties?.KmsKeyId);
        const key = resourceOf(template, keyId, 'AWS::KMS::Key');
        if (!keyId || !key) continue;
        const logsStatements = allowStatements(key.Properties?.KeyPolicy)
          .filter((s) => servicePrincipals(s).some(isLogsPrincipal) && conditionKeys(s).includes('kms:encryptioncontext:aws:logs:arn'));
        const missing = required.filter((action) => !logsStatements.some((s) => actionCovered(s, action)));
        if (missing.length > 0) {
          violations.push(`${at(stack, keyId)}: encrypts log group ${logGroupId} but its key policy does not allow logs.<region>.amazonaws.com ${missing.join(', ')} with a kms:EncryptionContext:aws:logs:arn condition`);
        }
      }
    }
    return violations;
  },
};

/**
 * R10. A WAF logging destination log group is named aws-waf-logs-*.
 * "Sending web ACL traffic logs to an Amazon CloudWatch Logs log group" (AWS WAF; naming):
 * https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html#logging-cw-logs-naming
 */
export const wafLogGroupName: DeployRule = {
  id: 'waf-log-group-name',
  description: 'Every CloudWatch Logs destination of an AWS::WAFv2::LoggingConfiguration is a log group whose name starts with aws-waf-logs-.',
  docs: 'Sending web ACL traffic logs to an Amazon CloudWatch Logs log group (AWS WAF Developer Guide) — https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html#logging-cw-logs-naming',
  check(app) {
    const violations: string[] = [];
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::WAFv2::LoggingConfiguration')) {
      const template = app.templates[stack];
      for (const destination of asArray(resource.Properties?.LogDestinationConfigs)) {
        const logGroupId = referencedIds(destination).find((id) => resourceOf(template, id, 'AWS::Logs::LogGroup'));
        if (logGroupId) {
          const name = resourceOf(template, logGroupId)?.Properties?.LogGroupName;
          if (name === undefined) {
            violations.push(`${at(stack, logicalId)}: logs to log group ${logGroupId}, which has no LogGroupName (a generated name never starts with aws-waf-logs-)`);
          } else if (!renderString(name).startsWith('aws-waf-logs-')) {
            violations.push(`${at(stack, logicalId)}: logs to log group ${logGroupId} named '${renderString(name)}'; WAF needs a name starting with aws-waf-logs-`);
          }
          continue;
        }
        const rendered = renderString(destination);
        const name = /:log-group:([^:]+)/.exec(rendered)?.[1];
        if (name !== undefined && isLiteral(name) && !name.startsWith('aws-waf-logs-')) {
          violations.push(`${at(stack, logicalId)}: logs to log group '${name}'; WAF needs a name starting with aws-waf-logs-`);
        }
      }
    }
    return violations;
  },
};

/** The Secrets Manager secrets of the template a container secret's ValueFrom references. */
function secretsOf(template: CfnTemplate, valueFrom: unknown): string[] {
  return referencedIds(valueFrom).filter((id) => resourceOf(template, id, 'AWS::SecretsManager::Secret'));
}

/**
 * R11. The execution role can read every container secret, and decrypt it.
 * - "Pass Secrets Manager secrets through Amazon ECS environment variables":
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
 * - "Amazon ECS task execution IAM role" — Required IAM permissions for Amazon ECS secrets
 *   (secretsmanager:GetSecretValue, and kms:Decrypt when the secret uses a customer managed key):
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html#task-execution-secrets
 */
export const executionRoleCanDecryptSecretKeys: DeployRule = {
  id: 'execution-role-can-decrypt-secret-keys',
  description: 'For every container secret from a Secrets Manager secret of the template, the execution role may secretsmanager:GetSecretValue it and kms:Decrypt its key (role policy or key policy).',
  docs: [
    'Pass Secrets Manager secrets through Amazon ECS environment variables — https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html',
    'Amazon ECS task execution IAM role — Required IAM permissions for Amazon ECS secrets — https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html#task-execution-secrets',
  ].join('; '),
  check(app) {
    const violations: string[] = [];
    for (const [stack, template] of Object.entries(app.templates)) {
      for (const [taskDefinitionId, taskDefinition] of resourcesIn(template, 'AWS::ECS::TaskDefinition')) {
        const roleId = refTarget(taskDefinition.Properties?.ExecutionRoleArn);
        for (const container of asArray(taskDefinition.Properties?.ContainerDefinitions)) {
          for (const secret of asArray(container?.Secrets)) {
            for (const secretId of secretsOf(template, secret?.ValueFrom)) {
              const where = `${at(stack, taskDefinitionId)}: container '${container.Name}' secret ${secret.Name} (${secretId})`;
              if (!roleId || !resourceOf(template, roleId, 'AWS::IAM::Role')) {
                if (taskDefinition.Properties?.ExecutionRoleArn === undefined) violations.push(`${where} needs an execution role, and the task definition has none`);
                continue;
              }
              if (!roleAllows(template, roleId, 'secretsmanager:GetSecretValue', secretId)) {
                violations.push(`${where}: execution role ${roleId} has no secretsmanager:GetSecretValue on the secret`);
              }
              const keyId = refTarget(resourceOf(template, secretId)?.Properties?.KmsKeyId);
              if (keyId && resourceOf(template, keyId, 'AWS::KMS::Key')
                && !roleAllows(template, roleId, 'kms:Decrypt', keyId) && !keyPolicyGrantsRole(template, keyId, 'kms:Decrypt', roleId)) {
                violations.push(`${where}: execution role ${roleId} may not kms:Decrypt the secret's key ${keyId} (neither its policy nor the key policy allows it)`);
              }
            }
          }
        }
      }
    }
    return violations;
  },
};

/** The schedule group a SourceArn value names (schedule-group/NAME or schedule/NAME/...), or undefined. */
function scheduleGroupOf(sourceArn: string): string | undefined {
  return /:schedule-group\/([^/]+)$/.exec(sourceArn)?.[1] ?? /:schedule\/([^/]+)\//.exec(sourceArn)?.[1];
}

/**
 * R12. EventBridge Scheduler can assume the role of a schedule's target.
 * "Setting up Amazon EventBridge Scheduler" — Set up the execution role (trust
 * scheduler.amazonaws.com; aws:SourceArn is the schedule group ARN):
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
 */
export const schedulerRoleTrust: DeployRule = {
  id: 'scheduler-role-trust',
  description: 'The role of every AWS::Scheduler::Schedule target trusts scheduler.amazonaws.com; an aws:SourceArn condition is a schedule-group/NAME (or schedule/NAME/*) ARN that matches the schedule\'s group.',
  docs: 'Setting up Amazon EventBridge Scheduler — Set up the execution role — https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role',
  check(app) {
    const violations: string[] = [];
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::Scheduler::Schedule')) {
      const template = app.templates[stack];
      const roleId = refTarget(resource.Properties?.Target?.RoleArn);
      const role = resourceOf(template, roleId, 'AWS::IAM::Role');
      if (!roleId || !role) continue;
      const trust = allowStatements(role.Properties?.AssumeRolePolicyDocument)
        .filter((s) => actionCovered(s, 'sts:AssumeRole') && hasServicePrincipal(s, 'scheduler.amazonaws.com'));
      if (trust.length === 0) {
        violations.push(`${at(stack, logicalId)}: target role ${roleId} does not trust scheduler.amazonaws.com (sts:AssumeRole)`);
        continue;
      }
      const group = typeof resource.Properties?.GroupName === 'string' ? resource.Properties.GroupName : resource.Properties?.GroupName === undefined ? 'default' : undefined;
      for (const statement of trust) {
        for (const [operator, value] of conditionValues(statement, 'aws:SourceArn')) {
          const rendered = renderString(value);
          const shape = rendered.replace(/\$\{[^}]*\}/g, 'TOKEN');
          if (!/^arn:[^:]+:scheduler:[^:]+:[^:]+:(schedule-group\/[^/:]+|schedule\/[^/:]+\/[^/:]+)$/.test(shape)) {
            violations.push(`${at(stack, roleId)}: trust policy aws:SourceArn '${rendered}' is not arn:...:scheduler:REGION:ACCOUNT:schedule-group/NAME or schedule/NAME/* (schedule ${logicalId})`);
            continue;
          }
          const allowedGroup = scheduleGroupOf(rendered);
          if (group === undefined || allowedGroup === undefined || !isLiteral(allowedGroup)) continue;
          const matches = /like/i.test(operator) ? globMatch(allowedGroup, group) : allowedGroup === group;
          if (!matches) violations.push(`${at(stack, roleId)}: trust policy aws:SourceArn allows schedule group '${allowedGroup}' but schedule ${logicalId} is in group '${group}'`);
        }
      }
    }
    return violations;
  },
};

/**
 * R13. Every deployment alarm of a service exists.
 * "How CloudWatch alarms detect Amazon ECS deployment failures":
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
 */
export const deploymentAlarmsExist: DeployRule = {
  id: 'deployment-alarms-exist',
  description: 'Every name in an ECS service\'s DeploymentConfiguration.Alarms.AlarmNames is a Ref to (or the AlarmName of) an AWS::CloudWatch::Alarm of the same template.',
  docs: 'How CloudWatch alarms detect Amazon ECS deployment failures — https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html',
  check(app) {
    const violations: string[] = [];
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::ECS::Service')) {
      const template = app.templates[stack];
      const alarmNames = new Set(resourcesIn(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties?.AlarmName).filter((n) => typeof n === 'string'));
      for (const name of asArray(resource.Properties?.DeploymentConfiguration?.Alarms?.AlarmNames)) {
        const id = refTarget(name);
        if (id && resourceOf(template, id, 'AWS::CloudWatch::Alarm')) continue;
        if (typeof name === 'string' && alarmNames.has(name)) continue;
        violations.push(`${at(stack, logicalId)}: deployment alarm ${renderString(name)} is not an AWS::CloudWatch::Alarm of this template`);
      }
    }
    return violations;
  },
};

/**
 * R14. A cluster with EC2 capacity can be deleted: a custom resource that references both the
 * Auto Scaling group and the cluster (so CloudFormation deletes it before both) tears the
 * instances down, after every EC2 service on the cluster.
 * - "DeleteCluster" (Amazon ECS API Reference): "You must deregister all container instances
 *   from this cluster before you may delete it":
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteCluster.html
 * - aws/aws-cdk#18179, "The Cluster cannot be deleted while Container Instances are active or
 *   draining" on cdk destroy: https://github.com/aws/aws-cdk/issues/18179
 * - aws/containers-roadmap#631: https://github.com/aws/containers-roadmap/issues/631
 */
export const ec2CapacityDeletesInOrder: DeployRule = {
  id: 'ec2-capacity-deletes-in-order',
  description: 'For every Auto Scaling group whose launch template user data names an ECS cluster of the same template, a custom resource references both the group and the cluster, and every ECS service with LaunchType EC2 on that cluster DependsOn it (directly or through Ref/GetAtt).',
  docs: [
    'DeleteCluster (Amazon ECS API Reference) — https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteCluster.html',
    'ECS cluster with ASG capacity provider cannot be deleted (aws/aws-cdk#18179) — https://github.com/aws/aws-cdk/issues/18179',
    '[ECS] Full support for Capacity Providers in CloudFormation (aws/containers-roadmap#631) — https://github.com/aws/containers-roadmap/issues/631',
  ].join('; '),
  check(app) {
    const violations: string[] = [];
    for (const [stack, template] of Object.entries(app.templates)) {
      const resources = template.Resources ?? {};
      const customResources = Object.entries(resources).filter(([, r]) => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource');
      for (const [groupId, group] of resourcesIn(template, 'AWS::AutoScaling::AutoScalingGroup')) {
        const launchTemplate = resourceOf(template, refTarget(group.Properties?.LaunchTemplate?.LaunchTemplateId), 'AWS::EC2::LaunchTemplate');
        if (!launchTemplate) continue;
        const userDataIds = referencedIds(launchTemplate.Properties?.LaunchTemplateData?.UserData);
        for (const clusterId of userDataIds.filter((id) => resourceOf(template, id, 'AWS::ECS::Cluster'))) {
          const teardowns = customResources.filter(([, r]) => {
            const ids = referencedIds(r.Properties);
            return ids.includes(groupId) && ids.includes(clusterId);
          }).map(([id]) => id);
          if (teardowns.length === 0) {
            violations.push(`${at(stack, groupId)}: its instances register with cluster ${clusterId}, but no custom resource references both; CloudFormation may delete the cluster while container instances are still registered`);
            continue;
          }
          for (const [serviceId, service] of resourcesIn(template, 'AWS::ECS::Service')) {
            if (service.Properties?.LaunchType !== 'EC2' || refTarget(service.Properties?.Cluster) !== clusterId) continue;
            const direct = new Set([...dependsOn(service), ...referencedIds(service.Properties)]);
            if (!teardowns.some((t) => direct.has(t))) {
              violations.push(`${at(stack, serviceId)}: runs on the EC2 capacity of cluster ${clusterId} but does not depend on ${teardowns.join(' or ')}; the teardown may deregister its instances while the service still runs`);
            }
          }
        }
      }
    }
    return violations;
  },
};

/**
 * R15. A RunTask `.sync` state with a timeout stops its ECS task when the timeout fires.
 * - "Run Amazon ECS or Fargate tasks with Step Functions" and "Discover service integration
 *   patterns" (Run a Job, .sync) document waiting for the task, not stopping it when the state
 *   times out: https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html,
 *   https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html
 * - "Amazon ECS task lifecycle": ECS itself never stops a task that runs too long.
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html
 * So the first catcher that takes States.Timeout (on the state or on a Parallel around it) must lead,
 * through Next/Choices/Default, to an `aws-sdk:ecs:stopTask` state.
 */
export const batchTimeoutStopsTask: DeployRule = {
  id: 'batch-timeout-stops-task',
  description: 'The first catcher of States.Timeout around a RunTask .sync state with a timeout reaches an ecs:stopTask state.',
  docs: [
    'Run Amazon ECS or Fargate tasks with Step Functions — https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html',
    'Discover service integration patterns in Step Functions — https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html',
    'Amazon ECS task lifecycle — https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html',
  ].join('; '),
  check(app) {
    const violations: string[] = [];
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::StepFunctions::StateMachine')) {
      const parsed = parseStateMachineDefinition(resource.Properties);
      if (!parsed) continue;
      const resourceOfState = (state: any) => renderDefinitionString(parsed, state?.Resource);
      // Every RunTask .sync state with a timeout, with the states that enclose it (outermost first)
      // and the state machine level whose States its catchers' targets live in.
      const visit = (machine: any, enclosing: Array<{ state: any; level: any }>): void => {
        for (const [name, state] of Object.entries<any>(machine?.States ?? {})) {
          if (state?.Type === 'Task' && /:states:::ecs:runTask\.sync$/.test(resourceOfState(state))
            && (state.TimeoutSeconds !== undefined || state.TimeoutSecondsPath !== undefined)) {
            const candidates = [{ state, level: machine }, ...[...enclosing].reverse()];
            const catcher = candidates.flatMap(({ state: s, level }) => asArray(s.Catch).map((c: any) => ({ c, level })))
              .find(({ c }) => asArray(c.ErrorEquals).some((e: string) => e === 'States.Timeout' || e === 'States.ALL'));
            const where = `${at(stack, logicalId)} (state ${name})`;
            if (!catcher) {
              violations.push(`${where}: times out after ${state.TimeoutSeconds ?? state.TimeoutSecondsPath} but nothing catches States.Timeout, so the ECS task keeps running`);
              continue;
            }
            if (!reachesStopTask(catcher.level, catcher.c.Next, resourceOfState)) {
              violations.push(`${where}: the States.Timeout catcher goes to ${catcher.c.Next}, which never reaches an aws-sdk:ecs:stopTask state, so the ECS task keeps running`);
            }
          }
          for (const branch of asArray(state?.Branches)) visit(branch, [...enclosing, { state, level: machine }]);
          for (const inner of [state?.Iterator, state?.ItemProcessor]) if (inner) visit(inner, [...enclosing, { state, level: machine }]);
        }
      };
      visit(parsed.definition, []);
    }
    return violations;
  },
};

/** Whether `start` in `level` reaches, through Next, Default and Choices, an aws-sdk:ecs:stopTask state. */
function reachesStopTask(level: any, start: string, resourceOfState: (state: any) => string): boolean {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const state = level?.States?.[name];
    if (!state) continue;
    if (state.Type === 'Task' && /:states:::aws-sdk:ecs:stopTask$/.test(resourceOfState(state))) return true;
    for (const next of [state.Next, state.Default, ...asArray(state.Choices).map((c: any) => c.Next)]) if (typeof next === 'string') queue.push(next);
  }
  return false;
}

/** The capacity providers associated with a cluster: its associations' and its own CapacityProviders, by key. */
function associatedProviders(app: SynthesizedApp, cluster: Located): Set<string> {
  const template = app.templates[cluster.stack];
  const values = [
    ...asArray(cluster.resource.Properties?.CapacityProviders),
    ...resourcesIn(template, 'AWS::ECS::ClusterCapacityProviderAssociations')
      .filter(([, a]) => refTarget(a.Properties?.Cluster) === cluster.logicalId)
      .flatMap(([, a]) => asArray(a.Properties?.CapacityProviders)),
  ];
  return new Set(values.map((v) => targetKey(app, cluster.stack, v)));
}

/**
 * R16. A capacity provider strategy is one ECS accepts.
 * - "CapacityProviderStrategyItem" (providers already associated with the cluster; only one
 *   with a base; at least one weight > 0 when several):
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
 * - "CreateService" (launchType must be omitted with a capacityProviderStrategy):
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
 * - "Amazon ECS capacity providers" (a strategy holds only Fargate or only Auto Scaling group providers):
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-capacity-providers.html
 */
export const capacityProviderStrategyValid: DeployRule = {
  id: 'capacity-provider-strategy-valid',
  description: 'Services and RunTask states: no LaunchType with a strategy; at most one base; some weight > 0; not Fargate and Auto Scaling group providers together; every provider associated with the cluster.',
  docs: [
    'CapacityProviderStrategyItem (Amazon ECS API Reference) — https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html',
    'CreateService (Amazon ECS API Reference) — https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html',
    'Amazon ECS capacity providers — https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-capacity-providers.html',
  ].join('; '),
  check(app) {
    const violations: string[] = [];
    for (const use of strategyUses(app)) {
      if (use.strategy.length === 0) continue;
      const names = use.strategy.map(providerName);
      if (use.launchType !== undefined) violations.push(`${use.where}: has both LaunchType ${renderString(use.launchType)} and a CapacityProviderStrategy; ECS accepts one or the other`);
      const withBase = use.strategy.filter((item) => (numberOf(item?.Base) ?? 0) > 0);
      if (withBase.length > 1) violations.push(`${use.where}: ${withBase.length} capacity providers (${withBase.map(providerName).join(', ')}) have a base; only one may`);
      if (use.strategy.length > 1 && !use.strategy.some((item) => (numberOf(item?.Weight) ?? 0) > 0)) violations.push(`${use.where}: no capacity provider of [${names.join(', ')}] has a weight > 0`);
      const fargate = names.filter((n) => FARGATE_PROVIDERS.includes(n));
      if (fargate.length > 0 && fargate.length < names.length) violations.push(`${use.where}: mixes Fargate and Auto Scaling group capacity providers [${names.join(', ')}] in one strategy`);
      const cluster = resolveResource(app, use.stack, use.cluster);
      if (!cluster || cluster.resource.Type !== 'AWS::ECS::Cluster') continue;
      const associated = associatedProviders(app, cluster);
      for (const item of use.strategy) {
        const key = targetKey(app, use.stack, item?.CapacityProvider);
        if (!associated.has(key)) violations.push(`${use.where}: capacity provider ${providerName(item)} is not associated with cluster ${at(cluster.stack, cluster.logicalId)}`);
      }
    }
    return violations;
  },
};

/**
 * R17. Service discovery registration matches the task's network mode.
 * - "ServiceRegistry" (Amazon ECS API Reference: bridge/host need containerName + containerPort;
 *   awsvpc with SRV needs containerName + containerPort or port, not both):
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceRegistry.html
 * - "Use service discovery to connect Amazon ECS services with DNS names" (bridge and host
 *   network modes support SRV records only):
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-discovery.html
 */
export const serviceRegistryMatchesNetworkMode: DeployRule = {
  id: 'service-registry-matches-network-mode',
  description: 'A Cloud Map registration of a bridge/host task uses SRV records and names a container port of the task definition; an awsvpc SRV registration names a container port or a port, not both.',
  docs: [
    'ServiceRegistry (Amazon ECS API Reference) — https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceRegistry.html',
    'Use service discovery to connect Amazon ECS services with DNS names — https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-discovery.html',
  ].join('; '),
  check(app) {
    const violations: string[] = [];
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::ECS::Service')) {
      const template = app.templates[stack];
      const taskDefinition = taskDefinitionOf(template, resource.Properties?.TaskDefinition);
      if (!taskDefinition) continue;
      const mode = networkModeOf(taskDefinition[1]);
      const containers = asArray(taskDefinition[1].Properties?.ContainerDefinitions);
      for (const registry of asArray(resource.Properties?.ServiceRegistries)) {
        const where = `${at(stack, logicalId)}: service registry ${renderString(registry?.RegistryArn)}`;
        const discovery = resourceOf(template, refTarget(registry?.RegistryArn), 'AWS::ServiceDiscovery::Service');
        const recordTypes = asArray(discovery?.Properties?.DnsConfig?.DnsRecords).map((r: any) => r?.Type);
        const named = registry?.ContainerName !== undefined && registry?.ContainerPort !== undefined;
        if (mode === 'bridge' || mode === 'host') {
          if (!named) violations.push(`${where}: a ${mode}-mode task needs ContainerName and ContainerPort`);
          const other = recordTypes.filter((t) => t !== 'SRV');
          if (other.length > 0) violations.push(`${where}: a ${mode}-mode task supports only SRV records, the Cloud Map service has ${other.join(', ')}`);
        } else if (mode === 'awsvpc' && recordTypes.includes('SRV')) {
          if (named === (registry?.Port !== undefined)) violations.push(`${where}: an awsvpc task with an SRV record needs either ContainerName and ContainerPort, or Port, not both or neither`);
        }
        if (named) {
          const container = containers.find((c: any) => c?.Name === registry.ContainerName);
          const port = numberOf(registry.ContainerPort);
          if (!container) violations.push(`${where}: ContainerName '${registry.ContainerName}' is not a container of ${taskDefinition[0]}`);
          else if (port !== undefined && !asArray(container.PortMappings).some((m: any) => numberOf(m?.ContainerPort) === port)) {
            violations.push(`${where}: container '${registry.ContainerName}' of ${taskDefinition[0]} has no port mapping for ContainerPort ${port}`);
          }
        }
      }
    }
    return violations;
  },
};

/**
 * R18. awsvpc networking is complete: Fargate tasks use awsvpc, awsvpc services and RunTask
 * states give a NetworkConfiguration, awsvpc/host port mappings have HostPort = ContainerPort.
 * - "Amazon ECS task definition parameters" — Network mode and Port mappings:
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#network_mode
 * - "CreateService" (networkConfiguration is required for awsvpc task definitions):
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
 */
export const awsvpcNetworking: DeployRule = {
  id: 'awsvpc-networking',
  description: 'Fargate task definitions use awsvpc; services and RunTask states of awsvpc task definitions have NetworkConfiguration.AwsvpcConfiguration; in awsvpc and host mode a HostPort equals its ContainerPort.',
  docs: [
    'Amazon ECS task definition parameters — Network mode — https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#network_mode',
    'CreateService (Amazon ECS API Reference) — https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html',
  ].join('; '),
  check(app) {
    const violations: string[] = [];
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::ECS::TaskDefinition')) {
      const mode = networkModeOf(resource);
      if (isFargate(resource) && mode !== 'awsvpc') violations.push(`${at(stack, logicalId)}: a Fargate task definition must use NetworkMode awsvpc, has ${mode}`);
      if (mode !== 'awsvpc' && mode !== 'host') continue;
      for (const container of asArray(resource.Properties?.ContainerDefinitions)) {
        for (const mapping of asArray(container?.PortMappings)) {
          if (mapping?.HostPort !== undefined && numberOf(mapping.HostPort) !== numberOf(mapping.ContainerPort)) {
            violations.push(`${at(stack, logicalId)}: container '${container.Name}' maps HostPort ${mapping.HostPort} to ContainerPort ${mapping.ContainerPort}; in ${mode} mode they must be equal (or HostPort omitted)`);
          }
        }
      }
    }
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::ECS::Service')) {
      const taskDefinition = taskDefinitionOf(app.templates[stack], resource.Properties?.TaskDefinition);
      if (taskDefinition && networkModeOf(taskDefinition[1]) === 'awsvpc' && !resource.Properties?.NetworkConfiguration?.AwsvpcConfiguration) {
        violations.push(`${at(stack, logicalId)}: task definition ${taskDefinition[0]} uses awsvpc but the service has no NetworkConfiguration.AwsvpcConfiguration`);
      }
    }
    for (const state of integrationStates(app, 'ecs:runTask')) {
      const taskDefinition = taskDefinitionOf(app.templates[state.stack], tokenOf(state.parsed, state.parameters.TaskDefinition) ?? state.parameters.TaskDefinition);
      if (taskDefinition && networkModeOf(taskDefinition[1]) === 'awsvpc' && !state.parameters.NetworkConfiguration?.AwsvpcConfiguration) {
        violations.push(`${at(state.stack, state.stateMachineId)} (state ${state.stateName}): task definition ${taskDefinition[0]} uses awsvpc but RunTask has no NetworkConfiguration.AwsvpcConfiguration`);
      }
    }
    return violations;
  },
};

/**
 * R19. A load-balanced service's target group fits its tasks: target type ip for awsvpc tasks,
 * and the container name and port exist in the task definition.
 * "AWS::ECS::Service LoadBalancer" (CloudFormation: "you must choose ip as the target type, not
 * instance" for awsvpc; ContainerName/ContainerPort as in the container definition):
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-loadbalancer.html
 */
export const loadBalancerTargetsMatchTasks: DeployRule = {
  id: 'load-balancer-targets-match-tasks',
  description: 'Target groups of services with awsvpc tasks have TargetType ip; every LoadBalancers entry names a container and a mapped container port of the task definition.',
  docs: 'AWS::ECS::Service LoadBalancer (CloudFormation Template Reference) — https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-loadbalancer.html',
  check(app) {
    const violations: string[] = [];
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::ECS::Service')) {
      const template = app.templates[stack];
      const taskDefinition = taskDefinitionOf(template, resource.Properties?.TaskDefinition);
      if (!taskDefinition) continue;
      const containers = asArray(taskDefinition[1].Properties?.ContainerDefinitions);
      for (const lb of asArray(resource.Properties?.LoadBalancers)) {
        const targetGroup = resolveResource(app, stack, lb?.TargetGroupArn);
        if (targetGroup && networkModeOf(taskDefinition[1]) === 'awsvpc' && (targetGroup.resource.Properties?.TargetType ?? 'instance') !== 'ip') {
          violations.push(`${at(stack, logicalId)}: awsvpc tasks need target type ip, target group ${at(targetGroup.stack, targetGroup.logicalId)} has ${targetGroup.resource.Properties?.TargetType ?? 'instance (default)'}`);
        }
        const container = containers.find((c: any) => c?.Name === lb?.ContainerName);
        if (lb?.ContainerName !== undefined && !container) {
          violations.push(`${at(stack, logicalId)}: load balancer ContainerName '${lb.ContainerName}' is not a container of ${taskDefinition[0]}`);
        } else if (container && !asArray(container.PortMappings).some((m: any) => numberOf(m?.ContainerPort) === numberOf(lb.ContainerPort))) {
          violations.push(`${at(stack, logicalId)}: load balancer ContainerPort ${lb.ContainerPort} is not a port mapping of container '${lb.ContainerName}'`);
        }
      }
    }
    return violations;
  },
};

/**
 * R20. A schedule's retry policy is within EventBridge Scheduler's ranges.
 * "RetryPolicy" (EventBridge Scheduler API Reference: MaximumRetryAttempts 0-185,
 * MaximumEventAgeInSeconds 60-86400): https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html
 */
export const schedulerRetryPolicyRange: DeployRule = {
  id: 'scheduler-retry-policy-range',
  description: 'Every schedule target RetryPolicy has MaximumRetryAttempts 0..185 and MaximumEventAgeInSeconds 60..86400.',
  docs: 'RetryPolicy (EventBridge Scheduler API Reference) — https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html',
  check(app) {
    const violations: string[] = [];
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::Scheduler::Schedule')) {
      const policy = resource.Properties?.Target?.RetryPolicy ?? {};
      const attempts = numberOf(policy.MaximumRetryAttempts);
      const age = numberOf(policy.MaximumEventAgeInSeconds);
      if (attempts !== undefined && (attempts < 0 || attempts > 185)) violations.push(`${at(stack, logicalId)}: MaximumRetryAttempts ${attempts} is outside 0..185`);
      if (age !== undefined && (age < 60 || age > 86400)) violations.push(`${at(stack, logicalId)}: MaximumEventAgeInSeconds ${age} is outside 60..86400`);
    }
    return violations;
  },
};

/**
 * R21. Containers of an EC2 task definition without task-level memory declare their memory.
 * "Amazon ECS task definition parameters" — Memory ("you must specify either a task-level
 * memory value or a container-level memory value"; memoryReservation <= memory):
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_memory
 */
export const ec2ContainerMemory: DeployRule = {
  id: 'ec2-container-memory',
  description: 'A non-Fargate task definition without task-level Memory gives every container Memory or MemoryReservation; a container\'s MemoryReservation is at most its Memory.',
  docs: 'Amazon ECS task definition parameters — Memory — https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_memory',
  check(app) {
    const violations: string[] = [];
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::ECS::TaskDefinition')) {
      const taskMemory = resource.Properties?.Memory;
      for (const container of asArray(resource.Properties?.ContainerDefinitions)) {
        const memory = numberOf(container?.Memory);
        const reservation = numberOf(container?.MemoryReservation);
        if (!isFargate(resource) && taskMemory === undefined && container?.Memory === undefined && container?.MemoryReservation === undefined) {
          violations.push(`${at(stack, logicalId)}: container '${container?.Name}' has neither Memory nor MemoryReservation, and the task definition has no task-level Memory`);
        }
        if (memory !== undefined && reservation !== undefined && reservation > memory) {
          violations.push(`${at(stack, logicalId)}: container '${container?.Name}' has MemoryReservation ${reservation} above its Memory ${memory}`);
        }
      }
    }
    return violations;
  },
};

/**
 * R22. A Secrets Manager valueFrom with a JSON key has the full suffix.
 * "Pass Secrets Manager secrets through Amazon ECS environment variables" (valueFrom is
 * arn:...:secret:secret-name:json-key:version-stage:version-id):
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
 */
export const secretValueFromFormat: DeployRule = {
  id: 'secret-value-from-format',
  description: 'A container secret built from a Secrets Manager secret ARN is the ARN alone or the ARN followed by :json-key:version-stage:version-id.',
  docs: 'Pass Secrets Manager secrets through Amazon ECS environment variables — https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html',
  check(app) {
    const violations: string[] = [];
    for (const [stack, template] of Object.entries(app.templates)) {
      for (const [taskDefinitionId, taskDefinition] of resourcesIn(template, 'AWS::ECS::TaskDefinition')) {
        for (const container of asArray(taskDefinition.Properties?.ContainerDefinitions)) {
          for (const secret of asArray(container?.Secrets)) {
            const rendered = renderString(secret?.ValueFrom);
            let suffix: string | undefined;
            const [secretId] = secretsOf(template, secret?.ValueFrom);
            if (secretId && rendered.startsWith(`\${${secretId}}`)) {
              suffix = rendered.slice(`\${${secretId}}`.length);
            } else if (isLiteral(rendered) && /^arn:[^:]+:secretsmanager:/.test(rendered)) {
              suffix = rendered.split(':').slice(7).map((part) => `:${part}`).join('');
            }
            if (suffix !== undefined && suffix !== '' && !/^:[^:]*:[^:]*:[^:]*$/.test(suffix)) {
              violations.push(`${at(stack, taskDefinitionId)}: container '${container.Name}' secret ${secret.Name} valueFrom '${rendered}' must end in :json-key:version-stage:version-id (empty fields allowed)`);
            }
          }
        }
      }
    }
    return violations;
  },
};

/**
 * R23. A traffic-shifting service's ALB rules are what ECS documents, and its bake time is
 * explicit.
 * - "Application Load Balancer resources for blue/green, linear, and canary deployments" (the
 *   production rule forwards to both target groups, one at weight 100 and one at 0; the test
 *   rule is a different rule):
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html
 * - "AWS::ECS::Service DeploymentConfiguration" (BakeTimeInMinutes: without it, these
 *   strategies bake for the CloudFormation default of 36 hours):
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-deploymentconfiguration.html
 */
export const trafficShiftingListenerRules: DeployRule = {
  id: 'traffic-shifting-listener-rules',
  description: 'An ECS service with Strategy BLUE_GREEN, LINEAR or CANARY sets BakeTimeInMinutes; each LoadBalancers[].AdvancedConfiguration names a production rule of the template that forwards to both TargetGroupArn and AlternateTargetGroupArn with exactly one non-zero weight, and a test rule (if any) that is a different rule.',
  docs: [
    'Application Load Balancer resources for blue/green, linear, and canary deployments — https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html',
    'AWS::ECS::Service DeploymentConfiguration (CloudFormation Template Reference) — https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-deploymentconfiguration.html',
  ].join('; '),
  check(app) {
    const violations: string[] = [];
    for (const { stack, logicalId, resource } of resourcesOfType(app, 'AWS::ECS::Service')) {
      const template = app.templates[stack];
      const where = at(stack, logicalId);
      const strategy = resource.Properties?.DeploymentConfiguration?.Strategy;
      if (['BLUE_GREEN', 'LINEAR', 'CANARY'].includes(strategy) && resource.Properties?.DeploymentConfiguration?.BakeTimeInMinutes === undefined) {
        violations.push(`${where}: Strategy ${strategy} without BakeTimeInMinutes bakes for CloudFormation's default of 36 hours`);
      }
      for (const lb of asArray(resource.Properties?.LoadBalancers)) {
        const advanced = lb?.AdvancedConfiguration;
        if (!advanced) continue;
        const productionId = refTarget(advanced.ProductionListenerRule);
        const production = resourceOf(template, productionId, 'AWS::ElasticLoadBalancingV2::ListenerRule');
        if (!production) {
          violations.push(`${where}: ProductionListenerRule ${renderString(advanced.ProductionListenerRule)} is not a listener rule of this template`);
          continue;
        }
        const forward = asArray(production.Properties?.Actions).find((a: any) => a?.Type === 'forward');
        const groups = asArray(forward?.ForwardConfig?.TargetGroups);
        const weightOf = (arn: unknown) => {
          const group = groups.find((g: any) => refTarget(g?.TargetGroupArn) !== undefined && refTarget(g?.TargetGroupArn) === refTarget(arn));
          return group === undefined ? undefined : numberOf(group.Weight) ?? 1;
        };
        const weights = [weightOf(lb.TargetGroupArn), weightOf(advanced.AlternateTargetGroupArn)];
        if (weights.some((w) => w === undefined)) {
          violations.push(`${at(stack, productionId!)}: the production rule of ${logicalId} must forward to both its target groups (ForwardConfig.TargetGroups), so ECS can shift the weights`);
        } else if (weights.filter((w) => w !== 0).length !== 1) {
          violations.push(`${at(stack, productionId!)}: the production rule of ${logicalId} must give exactly one of its two target groups a non-zero weight, has ${weights.join(' and ')}`);
        }
        const testId = refTarget(advanced.TestListenerRule);
        if (advanced.TestListenerRule !== undefined && testId === productionId) {
          violations.push(`${where}: TestListenerRule and ProductionListenerRule are the same rule; ECS needs two different rules`);
        }
      }
    }
    return violations;
  },
};

/** Every deploy rule, in id order (R1..R23). */
export const DEPLOY_RULES: readonly DeployRule[] = [
  alarmTopicAcceptsCloudWatch,
  fargateSpotPlatformVersion,
  serviceDependsOnCapacityProviderAssociation,
  uniqueDiscoveryNames,
  uniqueListenerRulePriorities,
  targetGroupHealthCheckTiming,
  fargateStopTimeout,
  fargateTaskSize,
  logGroupKeyAllowsLogs,
  wafLogGroupName,
  executionRoleCanDecryptSecretKeys,
  schedulerRoleTrust,
  deploymentAlarmsExist,
  ec2CapacityDeletesInOrder,
  batchTimeoutStopsTask,
  capacityProviderStrategyValid,
  serviceRegistryMatchesNetworkMode,
  awsvpcNetworking,
  loadBalancerTargetsMatchTasks,
  schedulerRetryPolicyRange,
  ec2ContainerMemory,
  secretValueFromFormat,
  trafficShiftingListenerRules,
];

/** The placeholders whose checks the maintainer fills in (their tests are test.todo). */
export const PLACEHOLDER_RULES: readonly DeployRule[] = [];
