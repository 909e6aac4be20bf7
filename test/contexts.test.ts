import { App } from 'aws-cdk-lib';
import { buildReferenceApp } from '../bin/app';
import { EXAMPLE_APPS, exampleStackClass } from './support/examples';
import { FLAG_CONTEXTS, formatFindings, newAppInContext, synthWithCompliance } from './support/synth';

// DESIGN.md principle 2: the output passes in ANY consumer app, whatever its feature flags.
// Each app is synthesized once per flag state with the four nag packs, Control Tower's
// proactive controls and the CloudFormation validator (cfn-guard takes seconds per app).

const APPS: Array<[string, (app: App) => void]> = [
  ...EXAMPLE_APPS.map(({ label, name, file }): [string, (app: App) => void] => [`examples/${label}`, (app) => { new (exampleStackClass(name, file))(app, 'Example'); }]),
  ['the reference app (bin/app.ts)', (app) => { buildReferenceApp(app); }],
];

describe.each(Object.keys(FLAG_CONTEXTS))('with %s', (contextName) => {
  test.each(APPS)('%s has no unacknowledged finding of any severity', (_name, build) => {
    const app = newAppInContext(FLAG_CONTEXTS[contextName]);
    build(app);
    const result = synthWithCompliance(app);
    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
  });
});

test("the no-flags state sets only the validator flag; cdk init's flags come from the installed aws-cdk-lib", () => {
  expect(Object.keys(FLAG_CONTEXTS['no feature flags'])).toEqual(['@aws-cdk/core:validateAgainstDefaultRules']);
  expect(FLAG_CONTEXTS['cdk init']['@aws-cdk/aws-ec2:restrictDefaultSecurityGroup']).toBe(true);
});
