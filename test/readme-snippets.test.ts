import * as fs from 'fs';
import * as path from 'path';
import { CfnResource, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ts from 'typescript';
import * as kit from '../packages/cdk-ecs-kit/lib';
import { FLAG_CONTEXTS, formatFindings, newAppInContext, synthWithCompliance } from './support/synth';

// The README promises that its constructs' output passes the four nag packs, Control Tower's
// controls and the CloudFormation validator. This holds the promise to the README's own snippets:
// each TypeScript snippet runs in a stack of its own, with the README's validation setup
// (bin/compliance.ts registers the same plugins), and none may leave an unacknowledged finding.
// The values a snippet assumes (rosetta/*.ts-fixture declares them for compiling) are made here
// under construct ids starting with 'Fixture', whose own findings are not the snippet's.

const README = path.join(__dirname, '..', 'README.md');

interface Snippet { readonly line: number; readonly fixture: string; readonly code: string }

function snippets(): Snippet[] {
  const found: Snippet[] = [];
  const lines = fs.readFileSync(README, 'utf-8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```ts\b(.*)$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const body: string[] = [];
    let j = i + 1;
    for (; !/^\s*```\s*$/.test(lines[j]); j++) body.push(lines[j].slice(indent));
    found.push({ line: i + 1, fixture: /fixture=([\w-]+)/.exec(open[2])?.[1] ?? 'default', code: body.join('\n') });
    i = j;
  }
  return found;
}

/** Snippets that build constructs in the fixture's stack (not whole programs, not the plugin setup). */
const STACK_SNIPPETS = snippets().filter((s) => s.fixture !== 'program' && !/new App\(/.test(s.code));

/** Turns a snippet into a function of (stack, fixture values), its imports resolved here. */
function compile(snippet: Snippet): (stack: Stack, values: Record<string, unknown>) => void {
  const importPattern = /^import[\s\S]*?from\s+'[^']+';\s*$/gm;
  const imports = snippet.code.match(importPattern) ?? [];
  const body = snippet.code.replace(importPattern, '');
  // The snippet's body in a block of its own: a name it declares shadows the fixture's.
  const source = `${imports.join('\n')}\nexport function run(stack: any, values: any) {\n  const { ${DECLARED.join(', ')} } = values;\n  {\n${body}\n  }\n}\n`;
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const exports: { run?: (stack: Stack, values: Record<string, unknown>) => void } = {};
  const requireHere = (name: string) => (name === 'cdk-ecs-kit' ? kit : require(name));
  try {
    new Function('exports', 'require', js)(exports, requireHere);
  } catch (e) {
    throw new Error(`README.md line ${snippet.line}: ${(e as Error).message}\n${js}`);
  }
  return exports.run!;
}

/** The names rosetta/default.ts-fixture and with-platform.ts-fixture declare. */
const DECLARED = ['app', 'certificateArn', 'certificate', 'dbSecret', 'topic', 'image', 'agentImage', 'container', 'orders',
  'otherService', 'vpcId', 'availabilityZones', 'privateSubnetIds', 'namespaceArn', 'encryptionKeyArn', 'listenerArn',
  'securityGroupId', 'platform', 'ingress'];

function fixtureValues(stack: Stack, snippet: Snippet): Record<string, unknown> {
  const certificateArn = 'arn:aws:acm:eu-west-1:111122223333:certificate/11111111-2222-3333-4444-555555555555';
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27');
  const certificate = acm.Certificate.fromCertificateArn(stack, 'FixtureCertificate', certificateArn);
  const values: Record<string, unknown> = {
    certificateArn, certificate, image,
    agentImage: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0'),
    container: { image, user: '101', port: 8080 },
    dbSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'FixtureDbSecret', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf'),
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    namespaceArn: 'arn:aws:servicediscovery:eu-west-1:111122223333:namespace/ns-0123456789abcdef',
    encryptionKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
    securityGroupId: 'sg-0123456789abcdef0',
  };
  const uses = (name: string) => new RegExp(`\\b${name}\\b`).test(snippet.code);
  let platform: kit.EcsPlatform | undefined;
  const fixturePlatform = () => platform ??= new kit.EcsPlatform(stack, 'FixturePlatform', { ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') } });
  if (snippet.fixture === 'with-platform') {
    values.platform = fixturePlatform();
    values.ingress = new kit.WebIngress(stack, 'FixtureIngress', { platform: values.platform as kit.EcsPlatform, certificate });
  }
  for (const name of ['orders', 'otherService']) {
    if (uses(name)) values[name] = new kit.FargateWebService(stack, `Fixture${name}`, { platform: fixturePlatform(), container: { image, user: '101', port: 8080 } });
  }
  if (uses('topic')) values.topic = new sns.Topic(stack, 'FixtureTopic', { enforceSSL: true });
  return values;
}

test('the README has snippets that build stacks', () => {
  expect(STACK_SNIPPETS.length).toBeGreaterThanOrEqual(10);
});

test("every README snippet passes the README's own validation setup (4 nag packs, Control Tower, validator)", () => {
  const app = newAppInContext(FLAG_CONTEXTS['no feature flags']);
  for (const snippet of STACK_SNIPPETS) {
    const stack = new Stack(app, `Snippet${snippet.line}`);
    compile(snippet)(stack, fixtureValues(stack, snippet));
    // A snippet that only imports or declares leaves an empty template, which CloudFormation refuses.
    if (!stack.node.findAll().some((c) => CfnResource.isCfnResource(c))) new CfnWaitConditionHandle(stack, 'FixtureNothingElse');
  }
  const result = synthWithCompliance(app);
  expect(result.error).toBeUndefined();
  const ofSnippets = result.findings.filter((f) => f.paths.some((p) => !/\/Fixture/.test(p)));
  // Open (issue 19 item 2): a service app from fromPlatformName that uses no Cloud Map name still
  // reads the namespace id parameter. Listed exactly, so the test fails once it is fixed.
  const knownGap = (f: { rule: string; paths: string[] }) => f.rule === 'W2001' && f.paths.every((p) => /^Snippet\d+$/.test(p)) && /SsmParameterValuecdkecskitshopnamespaceid/.test(JSON.stringify(f));
  expect(ofSnippets.filter(knownGap)).toHaveLength(1);
  expect(formatFindings(ofSnippets.filter((f) => !knownGap(f)))).toEqual([]);
});
