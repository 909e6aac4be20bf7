import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.join(__dirname, '..');
const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');

/** Runs a tiny CDK app with tsx (as cdk.json's `app` does) and returns what it printed to stderr. */
function runApp(source: string): { status: number; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-ecs-kit-errors-'));
  // The app resolves aws-cdk-lib from the repository, as an app resolves it from its own node_modules.
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const file = path.join(dir, 'app.ts');
  fs.writeFileSync(file, source.replace(/LIB/g, JSON.stringify(path.join(REPO, 'packages', 'cdk-ecs-kit', 'lib'))));
  try {
    execFileSync(TSX, [file], { cwd: dir, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CDK_OUTDIR: path.join(dir, 'cdk.out') } });
    return { status: 0, stderr: '' };
  } catch (e) {
    const error = e as { status: number; stderr: string };
    return { status: error.status, stderr: error.stderr };
  }
}

/**
 * What Node.js prints above every uncaught error of an app run through its ESM loader (tsx):
 * the line in node:internal/modules/run_main that rethrows it. aws-cdk-lib's own errors get
 * the same; it is not this library's code.
 */
const NODE_RETHROW_FRAME = /^node:internal\/[^\n]*\n[^\n]*\n\s*\^\n\n/;

describe('validation errors', () => {
  test('print the error name, the construct path and the message, without the library\'s code frame or stack', () => {
    const { status, stderr } = runApp(`
      import { App, Stack } from 'aws-cdk-lib';
      import { EcsPlatform } from LIB;
      const app = new App();
      const stack = new Stack(app, 'Shop');
      new EcsPlatform(stack, 'Platform', { natGateways: -1 });
    `);
    expect(status).not.toBe(0);
    const output = stderr.replace(NODE_RETHROW_FRAME, '');
    expect(output.split('\n')[0]).toBe('ValidationError: [Shop/Platform] natGateways: must be an integer from 0 to 6, got -1.');
    expect(stderr).not.toMatch(/throw new/);
    expect(stderr).not.toContain(path.join('packages', 'cdk-ecs-kit', 'lib'));
    // The user's own line is still there, to find the call.
    expect(stderr).toMatch(/app\.ts:6:\d+/);
  });
});
