import * as fs from 'fs';
import * as path from 'path';
import { appFiles, EXAMPLE_APPS, EXAMPLES, EXAMPLES_DIR, exampleStackClass } from './support/examples';
import { CDK_CONTEXT, newApp } from './support/synth';

const examples = EXAMPLES;
const apps = EXAMPLE_APPS;

/** Replaces asset hashes so a snapshot only changes when the template does. */
function normalizeAssetHashes(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}(\.zip|\.json)?/g, 'ASSET_HASH$1'));
}

test('there are examples to check', () => {
  expect(examples.length).toBeGreaterThan(0);
});

describe.each(examples)('examples/%s', (name) => {
  const dir = path.join(EXAMPLES_DIR, name);

  test('is a complete app: app.ts, README.md and a cdk.json with the repository feature flags', () => {
    expect(fs.existsSync(path.join(dir, 'README.md'))).toBe(true);
    const cdkJson = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.json'), 'utf-8'));
    expect(cdkJson.app).toMatch(/app\.ts/);
    expect(cdkJson.context).toEqual(CDK_CONTEXT);
  });

  test('names every app file in cdk.json or, with the cdk --app command that runs it, in README.md', () => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.json'), 'utf-8'));
    const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf-8');
    for (const file of appFiles(name)) {
      if (!String(cdkJson.app).includes(file)) expect(readme).toContain(`--app 'npx tsx ${file}'`);
    }
  });
});

describe.each(apps)('examples/$label', ({ name, file }) => {
  // Its compliance (nag packs, validator, Control Tower) is checked by the matrix (contexts.test.ts),
  // in this same world (cdk.json flags, environment-agnostic, one stack) and others.
  test('synthesizes and matches its snapshot', () => {
    const app = newApp();
    const StackClass = exampleStackClass(name, file);
    const stack = new StackClass(app, 'Example');
    app.synth();
    const template = JSON.parse(fs.readFileSync(path.join(app.outdir, stack.templateFile), 'utf-8'));
    expect(normalizeAssetHashes(template)).toMatchSnapshot();
  });
});
