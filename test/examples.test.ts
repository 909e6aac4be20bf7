import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { CDK_CONTEXT, formatFindings, newApp, synthWithCompliance } from './support/synth';

const EXAMPLES_DIR = path.join(__dirname, '..', 'examples');
/** The app files of an example: app.ts, or several NAME-app.ts (apps that deploy apart). */
function appFiles(name: string): string[] {
  const files = fs.readdirSync(path.join(EXAMPLES_DIR, name));
  return files.includes('app.ts') ? ['app.ts'] : files.filter((file) => file.endsWith('-app.ts')).sort();
}

const examples = fs.readdirSync(EXAMPLES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && appFiles(entry.name).length > 0)
  .map((entry) => entry.name)
  .sort();

/** Each app to synthesize; an example with one app.ts keeps its name as the label (and snapshot key). */
const apps = examples.flatMap((name) => appFiles(name).map((file) => ({
  label: file === 'app.ts' ? name : `${name}/${file}`,
  name,
  file,
})));

/** The Stack subclass an example's app file exports. */
function exampleStackClass(name: string, file: string): new (scope: any, id: string) => Stack {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(EXAMPLES_DIR, name, file));
  const classes = Object.values(mod).filter((v): v is new (scope: any, id: string) => Stack =>
    typeof v === 'function' && v.prototype instanceof Stack);
  if (classes.length !== 1) throw new Error(`examples/${name}/${file} must export exactly one Stack subclass, found ${classes.length}`);
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

  test('names every app file in cdk.json or, with the cdk --app command that runs it, in README.md', () => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.json'), 'utf-8'));
    const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf-8');
    for (const file of appFiles(name)) {
      if (!String(cdkJson.app).includes(file)) expect(readme).toContain(`--app 'npx tsx ${file}'`);
    }
  });
});

describe.each(apps)('examples/$label', ({ name, file }) => {
  test('synthesizes with no finding from the four nag packs and no CloudFormation-validator error or warning, and matches its snapshot', () => {
    const app = newApp();
    const StackClass = exampleStackClass(name, file);
    const stack = new StackClass(app, 'Example');
    const result = synthWithCompliance(app);
    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
    const template = JSON.parse(fs.readFileSync(path.join(app.outdir, stack.templateFile), 'utf-8'));
    expect(normalizeAssetHashes(template)).toMatchSnapshot();
  });
});
