import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';

export const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples');

/** The examples: each folder of examples/ with an app.ts. */
export const EXAMPLES = fs.readdirSync(EXAMPLES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(EXAMPLES_DIR, entry.name, 'app.ts')))
  .map((entry) => entry.name)
  .sort();

/** The Stack subclass an example's app.ts exports. */
export function exampleStackClass(name: string): new (scope: any, id: string) => Stack {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(EXAMPLES_DIR, name, 'app.ts'));
  const classes = Object.values(mod).filter((v): v is new (scope: any, id: string) => Stack =>
    typeof v === 'function' && v.prototype instanceof Stack);
  if (classes.length !== 1) throw new Error(`examples/${name}/app.ts must export exactly one Stack subclass, found ${classes.length}`);
  return classes[0];
}
