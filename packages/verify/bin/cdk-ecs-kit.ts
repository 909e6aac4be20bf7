#!/usr/bin/env node
// The cdk-ecs-kit command line. From a checkout: `npx tsx packages/verify/bin/cdk-ecs-kit.ts verify --help`;
// installed from npm (cdk-ecs-kit-verify): `npx cdk-ecs-kit verify --help` (package.json "bin" ->
// dist/bin/cdk-ecs-kit.js).
import { runCli } from '../src/cli';

runCli(process.argv.slice(2), {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
}).then(
  code => { process.exitCode = code; },
  error => {
    // verifyStack turns AWS errors into exit code 2 itself; anything here is a bug.
    process.stderr.write(`cdk-ecs-kit: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 2;
  },
);
