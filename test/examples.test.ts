import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { CDK_CONTEXT, formatFindings, newApp, synthWithCompliance } from './support/synth';

const EXAMPLES_DIR = path.join(__dirname, '..', 'examples');
const examples = fs.readdirSync(EXAMPLES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(EXAMPLES_DIR, entry.name, 'app.ts')))
  .map((entry) => entry.name)
  .sort();

/** The Stack subclass an example's app.ts exports. */
function exampleStackClass(name: string): new (scope: any, id: string) => Stack {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(EXAMPLES_DIR, name, 'app.ts'));
  const classes = Object.values(mod).filter((v): v is new (scope: any, id: string) => Stack =>
    typeof v === 'function' && v.prototype instanceof Stack);
  if (classes.length !== 1) throw new Error(`examples/${name}/app.ts must export exactly one Stack subclass, found ${classes.length}`);
  return classes[0];
}

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

  test('synthesizes with no finding from the four nag packs and no CloudFormation-validator error or warning, and matches its snapshot', () => {
    const app = newApp();
    const StackClass = exampleStackClass(name);
    const stack = new StackClass(app, 'Example');
    const result = synthWithCompliance(app);
    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
    const template = JSON.parse(fs.readFileSync(path.join(app.outdir, stack.templateFile), 'utf-8'));
    expect(normalizeAssetHashes(template)).toMatchSnapshot();
  });
});
