import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';

export const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples');

/** The app files of an example: app.ts, or several NAME-app.ts (apps that deploy apart). */
export function appFiles(name: string): string[] {
  const files = fs.readdirSync(path.join(EXAMPLES_DIR, name));
  return files.includes('app.ts') ? ['app.ts'] : files.filter((file) => file.endsWith('-app.ts')).sort();
}

/** The examples: each folder of examples/ with an app.ts or NAME-app.ts files. */
export const EXAMPLES = fs.readdirSync(EXAMPLES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && appFiles(entry.name).length > 0)
  .map((entry) => entry.name)
  .sort();

/** Each app to synthesize; an example with one app.ts keeps its name as the label (and snapshot key). */
export const EXAMPLE_APPS = EXAMPLES.flatMap((name) => appFiles(name).map((file) => ({
  label: file === 'app.ts' ? name : `${name}/${file}`,
  name,
  file,
})));

/** The Stack subclass an example's app file exports. */
export function exampleStackClass(name: string, file: string = 'app.ts'): new (scope: any, id: string) => Stack {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(EXAMPLES_DIR, name, file));
  const classes = Object.values(mod).filter((v): v is new (scope: any, id: string) => Stack =>
    typeof v === 'function' && v.prototype instanceof Stack);
  if (classes.length !== 1) throw new Error(`examples/${name}/${file} must export exactly one Stack subclass, found ${classes.length}`);
  return classes[0];
}
