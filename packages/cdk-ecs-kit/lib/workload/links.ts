import { Aspects, DefaultTokenResolver, IAspect, IPostProcessor, IResolvable, IResolveContext, Reference, Stack, Stage, StringConcat, Token, Tokenization } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { fail } from '../core/validation';

/**
 * East-west links between workloads ("the callee accepts the caller on a port") placed so that the
 * stack dependency graph never gets a cycle. Not exported from the package.
 *
 * A link is one `AWS::EC2::SecurityGroupIngress` on the callee's group with the caller's group as
 * source (and an `AWS::EC2::SecurityGroupEgress` when the caller's group restricts egress). The
 * rule references both groups, so the stack it lives in depends on the other group's stack.
 * aws-cdk-lib always puts it in the callee's stack; two stacks that call each other both ways
 * then depend on each other, a cycle.
 *
 * Same stack, or a caller group given by a literal id: aws-cdk-lib's `connections.allowFrom`,
 * unchanged (no new stack edge is possible). Across stacks, the rule is placed at synth, when
 * every link and every other stack dependency is known (an Aspect on the Stage, acting once on
 * the Stage itself, before the Stage's children are visited), link by link in the order they
 * were made:
 *
 * 1. the callee's stack already (transitively) depends on the caller's: the callee's stack;
 * 2. else the caller's stack already depends on the callee's: the caller's stack;
 * 3. else (neither depends on the other): the callee's stack, and the edge callee -> caller is
 *    added to the graph the later links are placed on.
 *
 * Cases 1 and 2 add no new path; case 3 adds an edge between two stacks with no path either way,
 * which cannot close a cycle. So if the app's graph without links is acyclic, it stays acyclic
 * for any set of links. "Stack" here is one of the two stacks below the closest common ancestor
 * of the callee's and the caller's stacks: two top-level stacks, or two nested stacks of one parent
 * (whose template orders them); a stack holding the other adds no edge. The graph is read from explicit stack dependencies, construct
 * dependencies across stacks and every cross-stack reference in the Stage's templates.
 *
 * A moved rule deploys safely: the stack it moves to is always the one that deploys after the
 * other, so the old rule is deleted before the identical new one is created (EC2 rejects
 * duplicate rules). The construct ids are the ones aws-cdk-lib gives the same rule, so a link
 * that already synthesized keeps its logical id.
 */

/**
 * Lets `caller` reach `callee` on `port`: ingress on each of the callee's security groups from each
 * of the caller's, placed as described above. Throws, naming both, for a link CloudFormation
 * cannot express (another region, account, Stage or app).
 */
export function linkWorkloads(callee: IConstruct & ec2.IConnectable, caller: ec2.IConnectable, port: ec2.Port, description: string): void {
  const callerGroups = caller.connections.securityGroups;
  const calleeGroups = callee.connections.securityGroups;
  const crossStack = callerGroups.some((from) => calleeGroups.some((to) => needsPlacement(to, from)));
  if (!crossStack) {
    callee.connections.allowFrom(caller, port, description);
    return;
  }
  const callerName = (caller as unknown as IConstruct).node?.path ?? 'the caller';
  for (const to of calleeGroups) {
    for (const from of callerGroups) {
      if (!needsPlacement(to, from)) {
        to.connections.allowFrom(from, port, description);
        continue;
      }
      checkLinkable(callee, callerName, to, from);
      LinkRegistry.of(Stage.of(to)!).add({ callee: to, caller: from, port, description });
    }
  }
}

/** A link waiting for its stack. */
interface PendingLink {
  readonly callee: ec2.ISecurityGroup;
  readonly caller: ec2.ISecurityGroup;
  readonly port: ec2.Port;
  readonly description: string;
}

/**
 * True when aws-cdk-lib's rule (in the callee's stack) would add a stack edge: the groups are in
 * two stacks and the caller's id is a token (a literal id, e.g. a group imported by id from
 * another app, is no reference).
 */
function needsPlacement(callee: ec2.ISecurityGroup, caller: ec2.ISecurityGroup): boolean {
  return Stack.of(callee) !== Stack.of(caller) && Token.isUnresolved(caller.securityGroupId);
}

function checkLinkable(callee: IConstruct, callerName: string, to: ec2.ISecurityGroup, from: ec2.ISecurityGroup): void {
  const toStack = Stack.of(to);
  const fromStack = Stack.of(from);
  const between = `${callee.node.path} (stack ${toStack.node.path}) and ${callerName} (stack ${fromStack.node.path})`;
  if (toStack.node.root !== fromStack.node.root) {
    fail(callee, 'allowFrom', `cannot link ${between}: they are in two CDK apps, and a stack can only reference groups of its own app.`,
      "Import the caller's security group by id in this app (ec2.SecurityGroup.fromSecurityGroupId(this, 'CallerGroup', 'sg-...')) and pass that.");
  }
  if (Stage.of(toStack) !== Stage.of(fromStack)) {
    fail(callee, 'allowFrom', `cannot link ${between}: they are in two Stages, which deploy as separate cloud assemblies.`,
      "Import the caller's security group by id in the callee's Stage and pass that.");
  }
  const envOf = (stack: Stack, key: 'region' | 'account') => (Token.isUnresolved(stack[key]) ? 'an unresolved (environment-agnostic)' : stack[key]);
  for (const key of ['region', 'account'] as const) {
    if (envOf(toStack, key) !== envOf(fromStack, key)) {
      fail(callee, 'allowFrom', `cannot link ${between}: they are in different ${key}s (${envOf(toStack, key)} and ${envOf(fromStack, key)} ${key}), and a security group rule can only name a source group of its own ${key === 'region' ? 'region' : 'account (without VPC peering)'}.`,
        `Deploy both stacks to one ${key} with the same env, or open the port to the caller's CIDR with allowFrom(ec2.Peer.ipv4(...)) where the networks are connected.`);
    }
  }
}

const REGISTRY = Symbol.for('cdk-ecs-kit.LinkRegistry');

/** The links of one Stage, and the Aspect that places them. */
class LinkRegistry implements IAspect {
  public static of(stage: Stage): LinkRegistry {
    const holder = stage as unknown as { [REGISTRY]?: LinkRegistry };
    if (!holder[REGISTRY]) {
      holder[REGISTRY] = new LinkRegistry(stage);
      Aspects.of(stage).add(holder[REGISTRY]);
    }
    return holder[REGISTRY];
  }

  private readonly pending: PendingLink[] = [];
  private readonly seen = new Set<string>();

  private constructor(private readonly stage: Stage) {}

  public add(link: PendingLink): void {
    const key = `${link.callee.node.path} ${link.caller.node.path} ${link.port}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.pending.push(link);
  }

  public visit(node: IConstruct): void {
    if (node !== this.stage || this.pending.length === 0) return;
    const graph = StackGraph.read(this.stage);
    for (const link of this.pending.splice(0)) place(link, graph);
  }
}

function place(link: PendingLink, graph: StackGraph): void {
  const calleeStack = Stack.of(link.callee);
  const callerStack = Stack.of(link.caller);
  let inCallerStack = false;
  // The stacks that get the edge: the two top-level stacks, or the two nested stacks of one parent
  // (their parent's template orders them). None when one stack holds the other: the nested stack
  // then only reads a parameter from its parent, or the parent an output of its nested stack.
  const pair = siblingsBelowCommonAncestor(calleeStack, callerStack);
  if (pair) {
    const [callee, caller] = pair;
    if (!graph.reaches(callee, caller)) {
      if (graph.reaches(caller, callee)) {
        inCallerStack = true;
      } else {
        graph.addEdge(callee, caller);
      }
    }
  }
  const port = link.port;
  // The ids aws-cdk-lib's SecurityGroup gives the same rules (local and "remote" placement), so a
  // link that synthesized before keeps its logical id.
  const ingressScope = inCallerStack ? link.caller : link.callee;
  const ingressId = inCallerStack ? `${link.callee.uniqueId}:${port} to` : `from ${link.caller.uniqueId}:${port}`;
  if (!ingressScope.node.tryFindChild(ingressId)) {
    new ec2.CfnSecurityGroupIngress(ingressScope, ingressId, {
      groupId: link.callee.securityGroupId,
      sourceSecurityGroupId: link.caller.securityGroupId,
      ...port.toRuleJson(),
      description: link.description,
    });
  }
  if (link.caller.allowAllOutbound) return;
  const egressScope = inCallerStack ? link.caller : link.callee;
  const egressId = inCallerStack ? `to ${link.callee.uniqueId}:${port}` : `${link.caller.uniqueId}:${port} from`;
  if (!egressScope.node.tryFindChild(egressId)) {
    new ec2.CfnSecurityGroupEgress(egressScope, egressId, {
      groupId: link.caller.securityGroupId,
      destinationSecurityGroupId: link.callee.securityGroupId,
      ...port.toRuleJson(),
      description: link.description,
    });
  }
}

/**
 * Which stack of a Stage depends on which. An edge joins two top-level stacks or two nested stacks
 * of one parent: a reference from a stack nested anywhere in A to one nested anywhere in B (A and B
 * below their closest common ancestor) makes A depend on B.
 */
class StackGraph {
  /** Reads explicit stack dependencies, construct dependencies across stacks and cross-stack references. */
  public static read(stage: Stage): StackGraph {
    const graph = new StackGraph();
    const inStage = stage.node.findAll().filter((c) => Stage.of(c) === stage);
    const scanner = new ReferenceScanner();
    for (const construct of inStage) {
      if (Stack.isStack(construct)) {
        for (const dependency of construct.dependencies) graph.addEdge(construct, dependency);
        continue;
      }
      const consumer = stackOf(construct);
      if (!consumer) continue;
      for (const dependency of construct.node.dependencies) {
        const producer = stackOf(dependency);
        if (producer) graph.addEdge(consumer, producer);
      }
      if (isCfnElement(construct)) {
        for (const producer of scanner.producersReferencedBy(construct)) graph.addEdge(consumer, producer);
      }
    }
    scanner.restoreLazyCaches();
    return graph;
  }

  private readonly edges = new Map<Stack, Set<Stack>>();

  /** Records that `from` depends on `to`. */
  public addEdge(from: Stack, to: Stack): void {
    const pair = siblingsBelowCommonAncestor(from, to);
    if (!pair) return;
    const [a, b] = pair;
    let out = this.edges.get(a);
    if (!out) this.edges.set(a, (out = new Set()));
    out.add(b);
  }

  /** True when `from` depends on `to` (two stacks of one level, as `addEdge` records them), directly or through others. */
  public reaches(from: Stack, to: Stack): boolean {
    const target = to;
    const seen = new Set<Stack>();
    const stack = [from];
    while (stack.length > 0) {
      const current = stack.pop()!;
      if (current === target) return true;
      if (seen.has(current)) continue;
      seen.add(current);
      for (const next of this.edges.get(current) ?? []) stack.push(next);
    }
    return false;
  }
}

/** The stack `construct` is in; undefined for the Stage's own constructs (e.g. its tree metadata). */
function stackOf(construct: IConstruct): Stack | undefined {
  for (let current: IConstruct | undefined = construct; current; current = current.node.scope) {
    if (Stack.isStack(current)) return current;
    if (Stage.isStage(current)) return undefined;
  }
  return undefined;
}

/** `stack`, its parent, ..., its top-level stack, from the top down. */
function stackChain(stack: Stack): Stack[] {
  const chain: Stack[] = [];
  for (let current: Stack | undefined = stack; current; current = current.nestedStackParent) chain.unshift(current);
  return chain;
}

/**
 * The two stacks just below the closest common ancestor of `a` and `b` (two top-level stacks, or
 * two nested stacks of one parent), `a`'s first; undefined when one is or holds the other.
 */
function siblingsBelowCommonAncestor(a: Stack, b: Stack): [Stack, Stack] | undefined {
  const chainA = stackChain(a);
  const chainB = stackChain(b);
  let i = 0;
  while (i < chainA.length && i < chainB.length && chainA[i] === chainB[i]) i++;
  if (i === chainA.length || i === chainB.length) return undefined;
  return [chainA[i], chainB[i]];
}

interface CfnElementLike extends IConstruct {
  _toCloudFormation(): object;
}

function isCfnElement(construct: IConstruct): construct is CfnElementLike {
  return typeof (construct as Partial<CfnElementLike>)._toCloudFormation === 'function';
}

/** A cached Lazy's internals (aws-cdk-lib's LazyBase), read duck-typed. */
interface CachedLazy {
  cache?: boolean;
  _cached?: unknown;
}

/**
 * Finds the stacks a CfnElement references, the way aws-cdk-lib's own prepare step does
 * (resolving the element's CloudFormation and collecting `Reference` tokens). This runs during
 * the Aspect phase, before aspects that run later may still change a resource, so the caches of
 * cached Lazy values it fills are emptied again afterwards (aws-cdk-lib's prepare fills them
 * for good). Where a Lazy's internals look different, its cache is left alone.
 */
class ReferenceScanner extends DefaultTokenResolver {
  private readonly filled: CachedLazy[] = [];
  private readonly producers = new Set<Stack>();

  constructor() {
    super(new StringConcat());
  }

  public producersReferencedBy(element: CfnElementLike): Set<Stack> {
    this.producers.clear();
    try {
      Tokenization.resolve(element._toCloudFormation(), { scope: element, resolver: this, preparing: true });
    } catch {
      // Elements that cannot render yet are skipped; aws-cdk-lib reports them at synth.
    }
    return new Set(this.producers);
  }

  public resolveToken(token: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): unknown {
    if (Reference.isReference(token)) {
      const producer = stackOf(token.target);
      if (producer) this.producers.add(producer);
    }
    const lazy = ((token as unknown as { inner?: CachedLazy }).inner ?? token) as CachedLazy;
    const fills = lazy.cache === true && '_cached' in lazy && lazy._cached === undefined;
    const resolved = super.resolveToken(token, context, postProcessor);
    if (fills) this.filled.push(lazy);
    return resolved;
  }

  public restoreLazyCaches(): void {
    for (const lazy of this.filled) lazy._cached = undefined;
  }
}
