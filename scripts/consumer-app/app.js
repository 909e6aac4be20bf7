// A CDK app written the way an npm user of cdk-ecs-kit writes one: plain CommonJS, with
// aws-cdk-lib, constructs, cdk-nag, @cdklabs/cdk-validator-cfnguard and the packed cdk-ecs-kit (and
// cdk-ecs-kit-verify, which this app does not use) installed. scripts/consumer-test.sh copies it into a fresh temporary project and runs
// `node app.js`, which synthesizes it twice: with no feature flags and with the project's cdk.json.
//
// It uses every public construct. A construct the installed package does not export yet is
// reported as SKIPPED; an exported construct this app does not use fails the test, so a new
// construct must get a block below (one `use(...)` call) before it is released.
const fs = require('fs');
const path = require('path');
const { App, Duration, Stack, Validations } = require('aws-cdk-lib');
const acm = require('aws-cdk-lib/aws-certificatemanager');
const ec2 = require('aws-cdk-lib/aws-ec2');
const ecs = require('aws-cdk-lib/aws-ecs');
const scheduler = require('aws-cdk-lib/aws-scheduler');
const secretsmanager = require('aws-cdk-lib/aws-secretsmanager');
const { CfnGuardValidator } = require('@cdklabs/cdk-validator-cfnguard');
const { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } = require('cdk-nag');
const { Construct } = require('constructs');
const kit = require('cdk-ecs-kit');

const CONTEXTS = {
  'no feature flags': { '@aws-cdk/core:validateAgainstDefaultRules': true },
  'cdk.json': JSON.parse(fs.readFileSync(path.join(__dirname, 'cdk.json'), 'utf-8')).context,
};

const used = new Set();
const skipped = new Set();
/** Builds one construct if the package exports it. */
function use(name, build) {
  if (typeof kit[name] !== 'function') {
    skipped.add(name);
    return undefined;
  }
  used.add(name);
  return build(kit[name]);
}

// Listens on 8080 as its own non-root user (nginx, 101), stated as Control Tower expects.
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable');
const user = '101';

/** Builds the app in `outdir` with `context`, the four cdk-nag packs and Control Tower's rules. */
function buildApp(outdir, context) {
  const app = new App({ outdir, context });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app), new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app), new PCIDSS321Checks(app),
    new CfnGuardValidator({ controlTowerRulesEnabled: true }),
  );
  const stack = new Stack(app, 'ConsumerStack');

  const platform = use('EcsPlatform', (EcsPlatform) => new EcsPlatform(stack, 'Platform', {
    ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), minCapacity: 1, maxCapacity: 2 },
  }));

  const ingress = use('WebIngress', (WebIngress) => new WebIngress(stack, 'Ingress', {
    platform,
    certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate',
      'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000'),
  }));

  use('FargateWebService', (FargateWebService) => new FargateWebService(stack, 'Api', {
    platform,
    ingress,
    hostHeaders: ['api.example.com'],
    container: {
      image,
      user,
      port: 8080,
      healthCheckPath: '/healthz',
      environment: { LOG_LEVEL: 'info' },
      secrets: {
        DB_PASSWORD: ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(stack, 'DbSecret', 'consumer/db'), 'password'),
      },
    },
    cpu: 512,
    memoryMiB: 1024,
    autoScaling: { minCapacity: 2, maxCapacity: 10, targetCpuPercent: 60, requestsPerTarget: 500 },
    discoveryName: 'api',
  }));

  use('Ec2DaemonService', (Ec2DaemonService) => new Ec2DaemonService(stack, 'Agent', {
    platform,
    container: {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0'),
      // Host networking requires an explicit, non-root user.
      user: '10001',
    },
    networkMode: ecs.NetworkMode.HOST,
    hostVolumes: [{ hostPath: '/var/log', containerPath: '/host/var/log' }],
    memoryReservationMiB: 256,
    memoryLimitMiB: 512,
  }));

  use('BatchTaskSchedule', (BatchTaskSchedule) => new BatchTaskSchedule(stack, 'Nightly', {
    platform,
    container: { image, user, command: ['node', 'report.js'] },
    cpu: 1024,
    memoryMiB: 2048,
    schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
    retries: 2,
    timeout: Duration.hours(1),
  }));

  // TODO(new construct): add a use('NewConstruct', ...) block above for every construct the package exports.
  return app;
}

const constructClasses = Object.entries(kit)
  .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Construct)
  .map(([name]) => name);
/** Synthesizes the app in one flag state; returns the unacknowledged findings and a synth error. */
function synthIn(contextName) {
  const outdir = path.join(__dirname, `cdk.out.${contextName.replace(/\W+/g, '-')}`);
  const app = buildApp(outdir, CONTEXTS[contextName]);
  let synthError;
  try {
    app.synth();
  } catch (e) {
    synthError = e;
  }
  const findings = [];
  const reportPath = path.join(outdir, 'validation-report.json');
  if (fs.existsSync(reportPath)) {
    const report = JSON.parse(fs.readFileSync(reportPath, 'utf-8'));
    for (const plugin of report.pluginReports || []) {
      for (const v of plugin.violations || []) {
        const paths = (v.violatingConstructs || []).map((c) => c.constructPath).join(', ');
        findings.push(`${v.severity} ${plugin.pluginName} ${v.ruleName} at ${paths}`);
      }
    }
  }
  const validationFailed = synthError && (synthError.name === 'ValidationFailed' || /Validation failed|validation-report\.json/.test(synthError.message));
  return { app, outdir, findings, synthError: validationFailed ? undefined : synthError };
}
const results = Object.keys(CONTEXTS).map((contextName) => ({ contextName, ...synthIn(contextName) }));
const unused = constructClasses.filter((name) => !used.has(name));

console.log(`exports: ${Object.keys(kit).sort().join(', ')}`);
console.log(`constructs used: ${[...used].join(', ') || 'none'}`);
if (skipped.size > 0) console.log(`SKIPPED (not exported by the installed cdk-ecs-kit): ${[...skipped].join(', ')}`);
let failed = false;
// The constructs must not need the AWS SDK, even where one is installed (cdk-ecs-kit-verify's).
const sdkModules = Object.keys(require.cache).filter((file) => file.includes(`${path.sep}@aws-sdk${path.sep}`));
if (sdkModules.length > 0) {
  console.error(`FAIL: building and synthesizing the app loaded ${sdkModules.length} @aws-sdk module(s), e.g. ${sdkModules[0]}`);
  failed = true;
}
if (unused.length > 0) {
  console.error(`FAIL: exported construct(s) not used by scripts/consumer-app/app.js: ${unused.join(', ')}`);
  failed = true;
}
for (const { app, contextName, outdir, findings, synthError } of results) {
  if (synthError) {
    console.error(`FAIL (${contextName}): synth threw: ${synthError.stack || synthError}`);
    failed = true;
  }
  if (findings.length > 0) {
    console.error(`FAIL (${contextName}): ${findings.length} unacknowledged cdk-nag / Control Tower / CloudFormation-validator finding(s):`);
    for (const f of findings) console.error(`  ${f}`);
    failed = true;
  }
  if (!synthError && findings.length === 0) {
    // What the user sees at the end of synth: one line per validation, all with 0 findings.
    if (typeof kit.ComplianceReport === 'function') {
      const lines = kit.ComplianceReport.summarize(app, { pluginNames: ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'cdk-validator-cfnguard'] });
      console.log(lines.map((line) => `  ${line}`).join('\n'));
      if (lines.length !== 7 || !lines.slice(0, 6).every((line) => /\b0 findings, \d+ acknowledged$/.test(line))) {
        console.error(`FAIL (${contextName}): ComplianceReport.summarize did not report 0 findings for six validations: ${lines.join(' | ')}`);
        failed = true;
      }
    }
    const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
    console.log(`${contextName}: synthesized ${templates.join(', ')} with the four cdk-nag packs, Control Tower's rules and the CloudFormation validator: no finding`);
  }
}
process.exitCode = failed ? 1 : 0;
