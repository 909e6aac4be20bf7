import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildReferenceApp } from '../../bin/app';
import { EXAMPLE_APPS, exampleStackClass } from './examples';
import { CDK_CONTEXT } from './synth';

/** Where the templates of the last released version are kept (written by scripts/upgrade-fixtures.ts). */
export const UPGRADE_FIXTURES_DIR = path.join(__dirname, '..', 'fixtures', 'upgrade');

/** The templates of one app, by stack name. */
export type AppTemplates = { [stackName: string]: any };

/** Replaces asset hashes, so a fixture only differs when the template does. */
export function normalizeAssetHashes<T>(template: T): T {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}(\.zip|\.json)?/g, 'ASSET_HASH$1'));
}

function synthTemplates(build: (app: App) => void): AppTemplates {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ecs-kit-upgrade-')), context: CDK_CONTEXT });
  build(app);
  const assembly = app.synth();
  const templates: AppTemplates = {};
  for (const stack of assembly.stacks) templates[stack.stackName] = normalizeAssetHashes(stack.template);
  return templates;
}

/**
 * The apps whose templates an upgrade must keep safe: each example app (as the examples test
 * builds it, stack id `Example`) and the reference app (bin/app.ts), plain synth with the
 * repository's cdk.json context. Keys are file-name safe labels.
 */
export const UPGRADE_APPS: { [label: string]: () => AppTemplates } = {
  ...Object.fromEntries(EXAMPLE_APPS.map(({ label, name, file }) => [
    `example-${label.replace(/\//g, '-').replace(/\.ts$/, '')}`,
    () => synthTemplates((app) => { new (exampleStackClass(name, file))(app, 'Example'); }),
  ])),
  'reference-app': () => synthTemplates((app) => { buildReferenceApp(app); }),
};

/** The fixture file of one app. */
export function upgradeFixturePath(label: string): string {
  return path.join(UPGRADE_FIXTURES_DIR, `${label}.json`);
}
