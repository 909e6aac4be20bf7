import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Environment, IPolicyValidationPlugin, Lazy, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchTaskSchedule, ComplianceReport, Ec2DaemonService, EcsPlatform, FargateWebService, WebIngress } from '../packages/cdk-ecs-kit/lib';
import { newApp, newStack } from './support/synth';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');

/** A batch job on a new platform, with `schedule` and `image`. */
function jobWithSchedule(schedule: scheduler.ScheduleExpression, image: ecs.ContainerImage | ((stack: Stack) => ecs.ContainerImage) = IMAGE): BatchTaskSchedule {
  const stack = newStack();
  const platform = new EcsPlatform(stack, 'Platform');
  return new BatchTaskSchedule(stack, 'Nightly', {
    platform,
    container: { image: typeof image === 'function' ? image(stack) : image },
    schedule,
  });
}

/**
 * EventBridge Scheduler accepts rate(value unit), cron(six fields) and at(yyyy-mm-ddThh:mm:ss)
 * ("Schedule types on EventBridge Scheduler",
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html). Anything else is
 * rejected by CloudFormation at deploy time; a five-field Unix cron never runs.
 */
describe('BatchTaskSchedule schedule (EventBridge Scheduler schedule types)', () => {
  test('rejects a five-field cron, naming the prop, the value and the six-field fix', () => {
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.expression('cron(0 2 * * *)')))
      .toThrow(/\[TestStack\/Nightly\] schedule: 'cron\(0 2 \* \* \*\)' has 5 fields.*six.*ScheduleExpression\.cron\(\{ minute: '0', hour: '2' \}\).*'cron\(0 2 \* \* \? \*\)'/);
  });

  test('rejects a Unix cron line without the cron(...) wrapper, with the fix', () => {
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.expression('0 2 * * *')))
      .toThrow(/schedule: '0 2 \* \* \*' is not an EventBridge Scheduler expression.*cron\(0 2 \* \* \? \*\)/);
  });

  test('rejects a cron with both day-of-month and day-of-week set', () => {
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.expression('cron(0 2 * * MON *)')))
      .toThrow(/schedule: .*day-of-month.*day-of-week.*'\?'/);
  });

  test.each([
    ['rate(0 minutes)'],
    ['rate(5 weeks)'],
    ['rate(1.5 hours)'],
    ['rate(minutes)'],
  ])('rejects %s', (expression) => {
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.expression(expression))).toThrow(/schedule: .*rate\(value unit\).*minute/);
  });

  test.each([
    ['cron(0 2 * * ? *)'],
    ['cron(0/15 8-17 ? * MON-FRI *)'],
    ['rate(1 hour)'],
    ['rate(5 minutes)'],
    ['at(2030-01-01T02:00:00)'],
  ])('accepts %s', (expression) => {
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.expression(expression))).not.toThrow();
  });

  test('accepts the factories of aws-cdk-lib', () => {
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }))).not.toThrow();
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.rate(Duration.hours(6)))).not.toThrow();
  });

  test('accepts a token', () => {
    expect(() => jobWithSchedule(scheduler.ScheduleExpression.expression(Lazy.string({ produce: () => 'rate(1 hour)' })))).not.toThrow();
  });
});

/** The warnings about a mutable image tag on a job running `image`. */
function imageWarnings(image: ecs.ContainerImage | ((stack: Stack) => ecs.ContainerImage)) {
  const job = jobWithSchedule(scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }), image);
  return Annotations.fromStack(Stack.of(job)).findWarning('*', Match.stringLikeRegexp('@cdk-ecs-kit/mutable-image-tag'));
}

describe('container image without a pinned version', () => {
  test.each([
    ['nginx', /'nginx' has no tag/],
    ['public.ecr.aws/nginx/nginx:latest', /':latest'/],
    ['registry.example.com:5000/team/app', /has no tag/],
  ])('warns for %s: deployments are not reproducible and a rollback does not roll back the image', (name, problem) => {
    const warnings = imageWarnings(ecs.ContainerImage.fromRegistry(name));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].id).toBe('/TestStack/Nightly');
    const text = String(warnings[0].entry.data);
    expect(text).toMatch(problem);
    expect(text).toMatch(/\[TestStack\/Nightly\] container\.image:.*not reproducible.*rollback.*does not roll back the image.*@sha256:/);
  });

  test('warns for an ECR repository image on its default tag, latest', () => {
    const warnings = imageWarnings((stack) => ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Repo', 'app')));
    expect(warnings).toHaveLength(1);
  });

  test.each([
    ['a version tag', () => ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27.3')],
    ['a digest', () => ecs.ContainerImage.fromRegistry(`public.ecr.aws/nginx/nginx@sha256:${'a'.repeat(64)}`)],
    ['a registry port and a tag', () => ecs.ContainerImage.fromRegistry('registry.example.com:5000/team/app:v2')],
    ['an ECR repository image with a tag', (stack: Stack) => ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Repo', 'app'), 'v1.2.3')],
    ['an image asset', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ecs-kit-image-'));
      fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM public.ecr.aws/docker/library/busybox:stable\n');
      return ecs.ContainerImage.fromAsset(dir);
    }],
    ['a tag given as a token', () => ecs.ContainerImage.fromRegistry(`nginx:${Lazy.string({ produce: () => 'latest' })}`)],
  ])('does not warn for %s', (_, image) => {
    expect(imageWarnings(image)).toEqual([]);
  });
});

const EU = { account: '123456789012', region: 'eu-west-1' };
const US = { account: '123456789012', region: 'us-east-1' };
const WEB_IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');

/** A platform (and an ingress) in a stack of `platformEnv`, and a stack of `serviceEnv` in the same app. */
function twoStacks(platformEnv: Environment | undefined, serviceEnv: Environment | undefined) {
  const app: App = newApp();
  const platformStack = new Stack(app, 'PlatformStack', { env: platformEnv });
  const platform = new EcsPlatform(platformStack, 'Platform', { ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large') } });
  const certificate = acm.Certificate.fromCertificateArn(platformStack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555');
  const ingress = new WebIngress(platformStack, 'Ingress', { platform, certificate });
  const serviceStack = new Stack(app, 'ServiceStack', { env: serviceEnv });
  return { platform, ingress, serviceStack };
}

/** The message `create` throws with (fails the test when it throws nothing). */
function errorMessage(create: () => unknown): string {
  try {
    create();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, but nothing was thrown');
}

describe('a workload in another environment than its platform', () => {
  test.each([
    ['platform with env, service without', EU, undefined, /account 123456789012, region eu-west-1.*environment-agnostic/],
    ['platform without env, service with', undefined, EU, /environment-agnostic.*account 123456789012, region eu-west-1/],
    ['different regions', EU, US, /region eu-west-1.*region us-east-1/],
  ])('%s: fails in our voice with both environments and the fix', (_, platformEnv, serviceEnv, envs) => {
    const { platform, serviceStack } = twoStacks(platformEnv, serviceEnv);
    const message = errorMessage(() => new FargateWebService(serviceStack, 'Api', { platform, container: { image: WEB_IMAGE, port: 8080 } }));
    expect(message).toMatch(/^\[ServiceStack\/Api\] platform: PlatformStack\/Platform is in stack PlatformStack/);
    expect(message).toMatch(envs);
    expect(message).toMatch(/same env.*EcsPlatform\.fromAttributes.*EcsPlatform\.fromPlatformName/);
  });

  test('names the ingress when only the ingress is elsewhere', () => {
    const { ingress, serviceStack } = twoStacks(EU, undefined);
    const localPlatform = new EcsPlatform(serviceStack, 'LocalPlatform');
    expect(() => new FargateWebService(serviceStack, 'Api', { platform: localPlatform, ingress, hostHeaders: ['api.example.com'], container: { image: WEB_IMAGE, port: 8080 } }))
      .toThrow(/\[ServiceStack\/Api\] ingress: PlatformStack\/Ingress is in stack PlatformStack.*WebIngress\.fromAttributes.*WebIngress\.fromIngressName/);
  });

  test('checks the daemon, the batch job and the ingress too', () => {
    const { platform, serviceStack } = twoStacks(EU, undefined);
    expect(() => new Ec2DaemonService(serviceStack, 'Agent', { platform, container: { image: WEB_IMAGE } })).toThrow(/\[ServiceStack\/Agent\] platform: .*environment-agnostic/);
    expect(() => new BatchTaskSchedule(serviceStack, 'Job', { platform, container: { image: IMAGE }, schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }) }))
      .toThrow(/\[ServiceStack\/Job\] platform: .*environment-agnostic/);
    expect(() => new WebIngress(serviceStack, 'Ingress', { platform, allowPlainHttp: true })).toThrow(/\[ServiceStack\/Ingress\] platform: .*environment-agnostic/);
  });

  test('accepts two stacks of the same environment, and two environment-agnostic stacks', () => {
    for (const env of [EU, undefined]) {
      const { platform, ingress, serviceStack } = twoStacks(env, env);
      expect(() => new FargateWebService(serviceStack, 'Api', { platform, ingress, hostHeaders: ['api.example.com'], container: { image: WEB_IMAGE, port: 8080 } })).not.toThrow();
    }
  });
});

describe('a daemon on a platform imported without EC2 capacity', () => {
  test('fromPlatformName without ec2Capacity: the error says to pass { ec2Capacity: true }', () => {
    const stack = newStack();
    const platform = EcsPlatform.fromPlatformName(stack, 'Platform', 'shop');
    expect(() => new Ec2DaemonService(stack, 'Agent', { platform, container: { image: WEB_IMAGE } }))
      .toThrow(/\[TestStack\/Agent\] platform: .*imported.*EcsPlatform\.fromPlatformName\(scope, id, name, \{ ec2Capacity: true \}\).*ec2CapacityProviderName and ec2SecurityGroupId to EcsPlatform\.fromAttributes/);
  });

  test('a platform of this app without ec2Capacity: the error says to add ec2Capacity', () => {
    const stack = newStack();
    const platform = new EcsPlatform(stack, 'Platform');
    expect(() => new Ec2DaemonService(stack, 'Agent', { platform, container: { image: WEB_IMAGE } }))
      .toThrow(/Add ec2Capacity to the platform/);
  });
});

/** A validation plugin that reports `rules` (warnings) on every queue, like a nag pack would. */
function plugin(name: string, rules: string[]): IPolicyValidationPlugin {
  return {
    name,
    validate: (context) => {
      const violations = rules.map((ruleName) => ({
        ruleName,
        description: `${ruleName} is broken`,
        severity: 'warning',
        violatingResources: context.templatePaths.flatMap((templatePath) => {
          const template = JSON.parse(fs.readFileSync(templatePath, 'utf-8'));
          return Object.entries(template.Resources ?? {})
            .filter(([, resource]) => (resource as { Type: string }).Type === 'AWS::SQS::Queue')
            .map(([resourceLogicalId]) => ({ resourceLogicalId, templatePath, locations: [] }));
        }),
      }));
      return { success: true, violations };
    },
  };
}

describe('ComplianceReport', () => {
  test('prints one line per validation plugin, with findings and acknowledgments, and where the report is', () => {
    const app = newApp();
    Validations.of(app).addPlugins(plugin('CleanPack', []), plugin('NoisyPack', ['Rule1', 'Rule2']));
    const stack = new Stack(app, 'Queues');
    const acknowledged = new sqs.Queue(stack, 'Acknowledged', { enforceSSL: true });
    new sqs.Queue(stack, 'Plain', { enforceSSL: true });
    Validations.of(acknowledged).acknowledge({ id: 'NoisyPack::Rule1', reason: 'test' }, { id: 'NoisyPack::Rule2', reason: 'test' });
    app.synth();

    const lines = ComplianceReport.summarize(app, { pluginNames: ['CleanPack', 'NoisyPack'] });
    expect(lines).toEqual([
      expect.stringMatching(/^Validation: CleanPack\s+0 findings, 0 acknowledged$/),
      expect.stringMatching(/^Validation: NoisyPack\s+2 findings \(2 warnings\), 2 acknowledged$/),
      expect.stringMatching(/^Validation: CloudFormation Validate\s+0 findings, 0 acknowledged$/),
      `Validation report: ${path.join(app.outdir, 'validation-report.json')}`,
    ]);
  });

  test('printSummary writes the lines to stderr', () => {
    const app = newApp();
    Validations.of(app).addPlugins(plugin('CleanPack', []));
    new sqs.Queue(new Stack(app, 'Queues'), 'Queue', { enforceSSL: true });
    app.synth();
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let written: string[];
    try {
      ComplianceReport.printSummary(app, { pluginNames: ['CleanPack'] });
      written = write.mock.calls.map((call) => String(call[0]));
    } finally {
      write.mockRestore();
    }
    expect(written).toEqual(ComplianceReport.summarize(app, { pluginNames: ['CleanPack'] }).map((line) => `${line}\n`));
  });

  test('says so when no plugin ran', () => {
    const app = newApp();
    expect(ComplianceReport.summarize(app)).toEqual([expect.stringMatching(/no validation-report\.json .*no validation plugin ran/)]);
  });
});

describe('supported Node.js versions', () => {
  // semver is not a dependency of ours; npm's lockfile format and every jest install carry it.
  const semver: { minVersion(range: string): { version: string; major: number; minor: number } | null; satisfies(version: string, range: string): boolean } = require('semver');
  const root = path.join(__dirname, '..');
  const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf-8'));
  const lock: { packages: { [path: string]: { version?: string; engines?: { node?: string } | string[] } } } = readJson('package-lock.json');

  test.each([['package.json'], ['packages/cdk-ecs-kit/package.json'], ['packages/verify/package.json']])(
    'the oldest Node.js %s declares is one every installed package supports',
    (file) => {
      const oldest = semver.minVersion(readJson(file).engines.node)!.version;
      const unsupported = Object.entries(lock.packages)
        .filter(([, info]) => info.engines && !Array.isArray(info.engines) && info.engines.node && !semver.satisfies(oldest, info.engines.node))
        .map(([name, info]) => `${name}@${info.version} needs Node.js ${(info.engines as { node: string }).node}`);
      expect(unsupported).toEqual([]);
    },
  );

  test.each([['README.md'], ['packages/cdk-ecs-kit/README.md'], ['packages/verify/README.md']])('%s states the version package.json declares', (file) => {
    const oldest = semver.minVersion(readJson('package.json').engines.node)!;
    expect(fs.readFileSync(path.join(root, file), 'utf-8')).toContain(`Requires Node.js ${oldest.major}.${oldest.minor} or later`);
  });
});

describe('the npm README (packages/cdk-ecs-kit/README.md)', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'packages', 'cdk-ecs-kit', 'README.md'), 'utf-8');

  test.each(fs.readdirSync(path.join(__dirname, '..', 'examples'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => [e.name]))(
    'names the example %s',
    (example) => expect(readme).toContain(`\`${example}\``),
  );
});
