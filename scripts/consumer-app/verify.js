// The programmatic side of cdk-ecs-kit-verify, as an npm user calls it: plain CommonJS, the packed
// package installed next to aws-cdk-lib. scripts/consumer-test.sh copies it into the fresh
// consumer project and runs `node verify.js`. No AWS account is needed: the one verify() runs with
// no credentials reachable and must come back as a report with exit code 2, not an exception.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Duration } = require('aws-cdk-lib');

const sdkModulesLoaded = () => Object.keys(require.cache).filter((file) => file.includes(`${path.sep}@aws-sdk${path.sep}`));

const { StackVerifier } = require('cdk-ecs-kit-verify');
let failed = false;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failed = true;
}

check(sdkModulesLoaded().length === 0, 'importing cdk-ecs-kit-verify loads no @aws-sdk module');
check(typeof StackVerifier === 'function', 'cdk-ecs-kit-verify exports StackVerifier');
let rejected;
try {
  new StackVerifier({ stackName: 'ConsumerStack', maxAttempts: 0 });
} catch (e) {
  rejected = e;
}
check(rejected && /maxAttempts must be a whole number/.test(rejected.message), 'StackVerifier rejects maxAttempts: 0');

// No credentials anywhere: no keys, no profile, empty config files, no instance metadata.
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-home-'));
for (const name of Object.keys(process.env).filter((n) => n.startsWith('AWS_'))) delete process.env[name];
Object.assign(process.env, {
  HOME: home,
  AWS_CONFIG_FILE: path.join(home, 'config'),
  AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
});

const started = Date.now();
new StackVerifier({ stackName: 'ConsumerStack', region: 'eu-west-1', wait: Duration.seconds(0), maxAttempts: 1 }).verify().then(
  (report) => {
    check(sdkModulesLoaded().length > 0, 'verify() loads the AWS SDK clients on first use');
    check(report.exitCode === 2 && report.error?.kind === 'NO_CREDENTIALS',
      `verify() without credentials reports exit code 2, NO_CREDENTIALS (got ${report.exitCode}, ${report.error?.kind}) in ${Date.now() - started} ms`);
    const json = JSON.parse(StackVerifier.formatJson(report));
    check(json.stack === 'ConsumerStack' && json.error?.kind === 'NO_CREDENTIALS' && Array.isArray(json.checks), 'StackVerifier.formatJson gives the documented JSON report');
    check(/^ERROR NO_CREDENTIALS: /m.test(StackVerifier.formatText(report)), 'StackVerifier.formatText names the problem');
  },
  (error) => check(false, `verify() rejected: ${error && error.stack}`),
).finally(() => {
  fs.rmSync(home, { recursive: true, force: true });
  process.exitCode = failed ? 1 : 0;
});
