/**
 * Policy evaluation over synthesized templates (ARCHITECTURE.md principle 3: "every permission a
 * principal needs is a policy-evaluation test").
 *
 * A template's policies are full of `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub` and cross-stack
 * imports. `PolicyWorld` resolves them into concrete fake ARNs for one account, region and
 * partition (each resource gets a name derived from its stack and logical id), then collects what
 * IAM evaluates for a request: the principal's identity policies, the resource's policy (topic
 * policy, key policy, trust policy). `evaluate` runs a request through @cloud-copilot/iam-simulate.
 *
 * The simulator's validated entry point (`runSimulation`) drops context keys it does not know for
 * the action, and it does not match variable keys without a slash: `kms:EncryptionContext:aws:logs:arn`
 * is dropped, and a key policy conditioned on it is then wrongly denied. `evaluate` therefore runs
 * the validated entry point first (it checks the policies, the action and the resource type, and
 * reports the keys it ignored); when the only ignored keys are `kms:EncryptionContext:*` keys, the
 * decision is taken by `runUnsafeSimulation`, which keeps every key, on the same (validated)
 * policies. Any other ignored key is an error: a request's context never silently vanishes.
 */
import { createValidatedPolicy, validateIdentityPolicy, validateResourcePolicy } from '@cloud-copilot/iam-policy';
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import type { Simulation } from '@cloud-copilot/iam-simulate';
import type { App } from 'aws-cdk-lib';
import type { CfnResource, CfnTemplate } from './deploy-rules';

/** The account, region and partition the fake ARNs are made for. */
export interface PolicyEnv {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}

export const DEFAULT_POLICY_ENV: PolicyEnv = { account: '111111111111', region: 'eu-west-1', partition: 'aws' };

/** Another account, for negative controls. */
export const OTHER_ACCOUNT = '999999999999';

/** A resource of the app, with where it is. */
export interface WorldResource {
  readonly stack: string;
  readonly logicalId: string;
  readonly resource: CfnResource;
}

/** A request to evaluate. */
export interface PolicyRequest {
  /** The principal: a role ARN, a service principal ('logs.eu-west-1.amazonaws.com'), an account's root. */
  readonly principal: string;
  readonly action: string;
  /** A concrete resource ARN, or '*' for actions that support no resource. */
  readonly resource: string;
  /** The account that owns the resource. @default the account in the resource ARN, else the principal's */
  readonly resourceAccount?: string;
  readonly context?: Record<string, string | string[]>;
  /** The identity policies of the principal (none for a service principal). */
  readonly identityPolicies?: unknown[];
  /** The resource's policy (topic, key or trust policy). */
  readonly resourcePolicy?: unknown;
}

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** A short hex id derived from a string: stable fake ids for load balancers, target groups and rules. */
function hexOf(text: string, length = 16): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    h1 = Math.imul(h1 ^ text.charCodeAt(i), 16777619) >>> 0;
    h2 = Math.imul(h2 ^ text.charCodeAt(i), 2246822519) >>> 0;
  }
  return (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).slice(0, length);
}

/** The templates of a synthesized app, with resolved intrinsics and the policies around each resource. */
export class PolicyWorld {
  /** Synthesizes `app` (it must not have been synthesized with other stacks since) and reads every template. */
  public static fromApp(app: App, env: PolicyEnv = DEFAULT_POLICY_ENV): PolicyWorld {
    const assembly = app.synth();
    const templates: { [stack: string]: CfnTemplate } = {};
    const envs: { [stack: string]: Partial<PolicyEnv> } = {};
    for (const stack of assembly.stacksRecursively) {
      templates[stack.stackName] = stack.template;
      const account = /^\d{12}$/.test(stack.environment.account) ? stack.environment.account : undefined;
      const region = stack.environment.region.startsWith('unknown') ? undefined : stack.environment.region;
      envs[stack.stackName] = { account, region };
    }
    return new PolicyWorld(templates, env, envs);
  }

  private readonly cache = new Map<string, unknown>();

  constructor(
    public readonly templates: { readonly [stack: string]: CfnTemplate },
    public readonly env: PolicyEnv,
    private readonly stackEnvs: { readonly [stack: string]: Partial<PolicyEnv> } = {},
  ) {}

  /** The env a stack resolves in: its own account and region when it has them. */
  public envOf(stack: string): PolicyEnv {
    return { ...this.env, ...Object.fromEntries(Object.entries(this.stackEnvs[stack] ?? {}).filter(([, v]) => v !== undefined)) };
  }

  /** Every resource of the app of `type`. */
  public resourcesOfType(type: string): WorldResource[] {
    const found: WorldResource[] = [];
    for (const [stack, template] of Object.entries(this.templates)) {
      for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
        if (resource.Type === type) found.push({ stack, logicalId, resource });
      }
    }
    return found;
  }

  /** The resource `logicalId` of `stack`. */
  public resource(stack: string, logicalId: string): CfnResource {
    const resource = this.templates[stack]?.Resources?.[logicalId];
    if (!resource) throw new Error(`No resource ${logicalId} in stack ${stack}`);
    return resource;
  }

  /** Resolves every intrinsic in `value` (a template fragment of `stack`) to concrete values. */
  public resolve(stack: string, value: unknown): any {
    if (Array.isArray(value)) return value.map((v) => this.resolve(stack, v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
      return this.intrinsic(stack, entries[0][0], entries[0][1]);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const resolved = this.resolve(stack, v);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }

  /** Resolves a reference to a resource of `stack` (`{ Ref }`, `{ Fn::GetAtt }`, an import) to where it points. */
  public target(stack: string, value: unknown): WorldResource | undefined {
    if (value && typeof value === 'object') {
      const v = value as Record<string, any>;
      if (typeof v.Ref === 'string' && this.templates[stack].Resources?.[v.Ref]) return { stack, logicalId: v.Ref, resource: this.resource(stack, v.Ref) };
      if (Array.isArray(v['Fn::GetAtt'])) return { stack, logicalId: v['Fn::GetAtt'][0], resource: this.resource(stack, v['Fn::GetAtt'][0]) };
      if (v['Fn::ImportValue'] !== undefined) {
        const exported = this.exportOf(this.resolve(stack, v['Fn::ImportValue']));
        return exported ? this.target(exported.stack, exported.value) : undefined;
      }
    }
    return undefined;
  }

  /** The role ARN of an IAM role resource. */
  public roleArn(role: WorldResource): string {
    return this.intrinsic(role.stack, 'Fn::GetAtt', [role.logicalId, 'Arn']);
  }

  /** The identity policies of a role (inline policies, AWS::IAM::Policy and customer managed policies attached to it). */
  public identityPoliciesOf(role: WorldResource): unknown[] {
    const roleName = this.intrinsic(role.stack, 'Ref', role.logicalId);
    const policies: unknown[] = (this.resolve(role.stack, role.resource.Properties?.Policies) ?? []).map((p: any) => p.PolicyDocument);
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
      for (const policy of this.resourcesOfType(type)) {
        const roles: string[] = this.resolve(policy.stack, policy.resource.Properties?.Roles) ?? [];
        if (roles.includes(roleName)) policies.push(this.resolve(policy.stack, policy.resource.Properties.PolicyDocument));
      }
    }
    return policies;
  }

  /** The trust policy of a role. */
  public trustPolicyOf(role: WorldResource): unknown {
    return this.resolve(role.stack, role.resource.Properties.AssumeRolePolicyDocument);
  }

  /** The topic policy of a topic, undefined when it has none (SNS's default policy then applies). */
  public topicPolicyOf(topicArn: string): unknown | undefined {
    const statements: unknown[] = [];
    for (const policy of this.resourcesOfType('AWS::SNS::TopicPolicy')) {
      const topics: string[] = this.resolve(policy.stack, policy.resource.Properties.Topics);
      if (topics.includes(topicArn)) statements.push(...this.resolve(policy.stack, policy.resource.Properties.PolicyDocument).Statement);
    }
    return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
  }

  /** The key policy of the KMS key with ARN `keyArn`, when the key is in the app. */
  public keyPolicyOf(keyArn: string): unknown | undefined {
    for (const key of this.resourcesOfType('AWS::KMS::Key')) {
      if (this.intrinsic(key.stack, 'Fn::GetAtt', [key.logicalId, 'Arn']) === keyArn) return this.resolve(key.stack, key.resource.Properties.KeyPolicy);
    }
    return undefined;
  }

  /** The ARN of the KMS key a `KmsKeyId` / `KmsMasterKeyId` property names (an ARN, a key id or an alias of the app). */
  public keyArnOf(stack: string, keyId: unknown): string | undefined {
    if (keyId === undefined) return undefined;
    const resolved: string = this.resolve(stack, keyId);
    if (resolved.startsWith('arn:')) return resolved;
    for (const key of this.resourcesOfType('AWS::KMS::Key')) {
      if (this.intrinsic(key.stack, 'Ref', key.logicalId) === resolved) return this.intrinsic(key.stack, 'Fn::GetAtt', [key.logicalId, 'Arn']);
    }
    return undefined;
  }

  private exportOf(name: string): { stack: string; value: unknown } | undefined {
    for (const [stack, template] of Object.entries(this.templates)) {
      for (const output of Object.values(template.Outputs ?? {})) {
        if (output.Export && this.resolve(stack, output.Export.Name) === name) return { stack, value: output.Value };
      }
    }
    return undefined;
  }

  private intrinsic(stack: string, fn: string, arg: any): any {
    const { account, region, partition } = this.envOf(stack);
    switch (fn) {
      case 'Ref': {
        const pseudo: { [name: string]: unknown } = {
          'AWS::AccountId': account,
          'AWS::Region': region,
          'AWS::Partition': partition,
          'AWS::URLSuffix': 'amazonaws.com',
          'AWS::StackName': stack,
          'AWS::StackId': `arn:${partition}:cloudformation:${region}:${account}:stack/${stack}/00000000-0000-0000-0000-000000000000`,
          'AWS::NoValue': NO_VALUE,
        };
        if (arg in pseudo) return pseudo[arg];
        const parameter = (this.templates[stack] as any).Parameters?.[arg];
        if (parameter) return this.parameterValue(stack, arg, parameter);
        return this.attribute(stack, arg, 'Ref');
      }
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
        return this.attribute(stack, logicalId, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = arg;
        return this.resolve(stack, parts).join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
        const vars = this.resolve(stack, variables ?? {});
        return String(text).replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
          if (name in vars) return String(vars[name]);
          if (name.includes('.')) return String(this.intrinsic(stack, 'Fn::GetAtt', name.split('.')));
          return String(this.intrinsic(stack, 'Ref', name));
        });
      }
      case 'Fn::Select': {
        const [index, list] = arg;
        return this.resolve(stack, list)[Number(this.resolve(stack, index))];
      }
      case 'Fn::Split': {
        const [separator, text] = arg;
        return String(this.resolve(stack, text)).split(separator);
      }
      case 'Fn::GetAZs':
        return [`${region}a`, `${region}b`, `${region}c`];
      case 'Fn::ImportValue': {
        const name = this.resolve(stack, arg);
        const exported = this.exportOf(name);
        if (!exported) throw new Error(`Fn::ImportValue of ${name} in ${stack}: no stack exports it`);
        return this.resolve(exported.stack, exported.value);
      }
      case 'Fn::If': {
        // Conditions are not evaluated: the value if true (the one CDK writes for the usual case).
        return this.resolve(stack, arg[1]);
      }
      case 'Fn::Base64':
      case 'Fn::ToJsonString':
        return JSON.stringify(this.resolve(stack, arg));
      default:
        throw new Error(`Unsupported intrinsic ${fn} in stack ${stack}`);
    }
  }

  private parameterValue(stack: string, name: string, parameter: any): string {
    // SSM parameters (a platform published by another app): a fake value named after the parameter.
    if (String(parameter.Type).startsWith('AWS::SSM::Parameter::Value')) return `ssm:${parameter.Default}`;
    return parameter.Default ?? `parameter-${stack}-${name}`;
  }

  /** A resource's Ref or attribute as a concrete fake value. */
  private attribute(stack: string, logicalId: string, attribute: string): any {
    const key = `${stack}/${logicalId}/${attribute}`;
    if (this.cache.has(key)) return this.cache.get(key);
    const value = this.computeAttribute(stack, logicalId, attribute);
    this.cache.set(key, value);
    return value;
  }

  private computeAttribute(stack: string, logicalId: string, attribute: string): any {
    const { account, region, partition } = this.envOf(stack);
    const resource = this.resource(stack, logicalId);
    const props = resource.Properties ?? {};
    const named = (prop: string, max = 64) => (props[prop] !== undefined ? String(this.resolve(stack, props[prop])) : `${stack}-${logicalId}`.slice(0, max));
    const arn = (service: string, rest: string, withRegion = true) => `arn:${partition}:${service}:${withRegion ? region : ''}:${account}:${rest}`;
    const hex = hexOf(`${stack}/${logicalId}`);
    switch (resource.Type) {
      case 'AWS::IAM::Role': {
        const name = named('RoleName');
        return attribute === 'Ref' ? name : attribute === 'RoleId' ? `AROA${hex.toUpperCase()}` : `arn:${partition}:iam::${account}:role/${name}`;
      }
      case 'AWS::Logs::LogGroup': {
        const name = named('LogGroupName', 512);
        return attribute === 'Ref' ? name : arn('logs', `log-group:${name}:*`);
      }
      case 'AWS::KMS::Key':
        return attribute === 'Ref' || attribute === 'KeyId' ? `key-${hex}` : arn('kms', `key/key-${hex}`);
      case 'AWS::SNS::Topic': {
        const name = named('TopicName', 256);
        return attribute === 'TopicName' ? name : arn('sns', name);
      }
      case 'AWS::SecretsManager::Secret': {
        const name = named('Name', 256);
        return attribute === 'Id' || attribute === 'Ref' ? arn('secretsmanager', `secret:${name}-AbCdEf`) : name;
      }
      case 'AWS::ECS::Cluster': {
        const name = named('ClusterName', 255);
        return attribute === 'Ref' ? name : arn('ecs', `cluster/${name}`);
      }
      case 'AWS::ECS::TaskDefinition':
        return arn('ecs', `task-definition/${named('Family', 255)}:1`);
      case 'AWS::ECS::Service': {
        const name = named('ServiceName', 255);
        return attribute === 'Name' ? name : arn('ecs', `service/${stack}/${name}`);
      }
      case 'AWS::ECS::CapacityProvider':
        return named('Name', 255);
      case 'AWS::StepFunctions::StateMachine': {
        const name = named('StateMachineName', 80);
        return attribute === 'Name' ? name : arn('states', `stateMachine:${name}`);
      }
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer': {
        const name = named('Name', 32);
        if (attribute === 'LoadBalancerFullName') return `app/${name}/${hex}`;
        if (attribute === 'LoadBalancerName') return name;
        if (attribute === 'DNSName') return `${name}-1234567890.${region}.elb.amazonaws.com`;
        if (attribute === 'CanonicalHostedZoneID') return 'Z32O12XQLNTSW2';
        if (attribute === 'SecurityGroups') return [`sg-${hex}`];
        return arn('elasticloadbalancing', `loadbalancer/app/${name}/${hex}`);
      }
      case 'AWS::ElasticLoadBalancingV2::Listener':
        return arn('elasticloadbalancing', `listener/app/lb/0123456789abcdef/${hex}`);
      case 'AWS::ElasticLoadBalancingV2::ListenerRule':
        return arn('elasticloadbalancing', `listener-rule/app/lb/0123456789abcdef/fedcba9876543210/${hex}`);
      case 'AWS::ElasticLoadBalancingV2::TargetGroup': {
        const name = named('Name', 32);
        if (attribute === 'TargetGroupFullName') return `targetgroup/${name}/${hex}`;
        if (attribute === 'TargetGroupName') return name;
        if (attribute === 'LoadBalancerArns') return [arn('elasticloadbalancing', 'loadbalancer/app/lb/0123456789abcdef')];
        return arn('elasticloadbalancing', `targetgroup/${name}/${hex}`);
      }
      case 'AWS::AutoScaling::AutoScalingGroup':
        return named('AutoScalingGroupName', 255);
      case 'AWS::CloudWatch::Alarm': {
        const name = named('AlarmName', 255);
        return attribute === 'Ref' ? name : arn('cloudwatch', `alarm:${name}`);
      }
      case 'AWS::Events::Rule': {
        const name = named('Name', 64);
        return attribute === 'Ref' ? name : arn('events', `rule/${name}`);
      }
      case 'AWS::Lambda::Function': {
        const name = named('FunctionName', 64);
        return attribute === 'Ref' ? name : arn('lambda', `function:${name}`);
      }
      case 'AWS::Scheduler::Schedule':
        return arn('scheduler', `schedule/default/${named('Name', 64)}`);
      case 'AWS::ServiceDiscovery::PrivateDnsNamespace':
        return attribute === 'Arn' ? arn('servicediscovery', `namespace/ns-${hex}`) : `ns-${hex}`;
      case 'AWS::ServiceDiscovery::Service':
        return attribute === 'Arn' ? arn('servicediscovery', `service/srv-${hex}`) : `srv-${hex}`;
      case 'AWS::EC2::SecurityGroup':
        return attribute === 'VpcId' ? `vpc-${hex}` : `sg-${hex}`;
      case 'AWS::SSM::Parameter':
        return attribute === 'Ref' ? named('Name', 2048) : `${logicalId}.${attribute}`;
      default:
        return attribute === 'Ref' ? `${logicalId.toLowerCase()}-${hex}` : `${logicalId}.${attribute}`;
    }
  }
}

const NO_VALUE = Symbol('AWS::NoValue');

function isEncryptionContextKey(key: string): boolean {
  return /^kms:encryptioncontext:/i.test(key);
}

/** The account in a resource ARN (none for S3 and global ARNs). */
function resourceAccountOf(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/** The account a principal belongs to, for the resource-account default. */
function accountOf(arn: string): string | undefined {
  return /^arn:[^:]+:(iam|sts)::(\d{12}):/.exec(arn)?.[2];
}

/**
 * Evaluates `request` with @cloud-copilot/iam-simulate: the validated entry point first (policies,
 * action, resource type and context keys are checked, and a problem is thrown), then, when it
 * ignored `kms:EncryptionContext:*` keys, the unsafe entry point that keeps them.
 */
export async function evaluate(request: PolicyRequest, world: { env: PolicyEnv } = { env: DEFAULT_POLICY_ENV }): Promise<Decision> {
  const identityPolicies = (request.identityPolicies ?? []).map((policy, i) => ({ name: `identity-${i}`, policy }));
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount ?? resourceAccountOf(request.resource) ?? accountOf(request.principal) ?? world.env.account },
      contextVariables: { ...(request.context ?? {}) },
    },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy,
  };
  const validated = await runSimulation(simulation, {});
  if (validated.resultType === 'error') {
    throw new Error(`iam-simulate rejected ${request.action} on ${request.resource} by ${request.principal}: ${JSON.stringify(validated.errors)}`);
  }
  if (validated.resultType !== 'single') throw new Error(`Expected a concrete resource, got a wildcard for ${request.action} on ${request.resource}`);
  const ignored = validated.result.ignoredContextKeys ?? [];
  const unexpected = ignored.filter((key) => !isEncryptionContextKey(key));
  if (unexpected.length > 0) {
    throw new Error(`Context keys ${unexpected.join(', ')} do not apply to ${request.action} on ${request.resource}: the request would be evaluated without them`);
  }
  if (ignored.length === 0) return validated.overallResult as Decision;
  // Policies are already validated above; the unsafe entry point needs them with their names.
  return runUnsafeSimulation({
    ...simulation,
    identityPolicies: identityPolicies.map(({ name, policy }) => ({ name, policy: createValidatedPolicy(policy, validateIdentityPolicy, { name }) })),
    resourcePolicy: request.resourcePolicy ? createValidatedPolicy(request.resourcePolicy, validateResourcePolicy, { name: 'ResourcePolicy' }) : undefined,
  }, {}) as Decision;
}

/** Whether `principal` is a principal of `account` (for cross-account requests). */
export function principalAccount(principal: string): string | undefined {
  return accountOf(principal);
}
