import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const PACKAGE = path.join(__dirname, '..');
const BIN = path.join(PACKAGE, 'dist', 'bin', 'cdk-ecs-kit.js');

describe('npm run build', () => {
  // One tsc run of this package (about 5 s): the build is what npm packs and what `npx cdk-ecs-kit` runs.
  beforeAll(() => {
    execFileSync('npm', ['run', 'build'], { cwd: PACKAGE, stdio: 'pipe' });
  });

  test('leaves the command executable, so `npx cdk-ecs-kit` runs it', () => {
    expect(fs.statSync(BIN).mode & 0o111).toBe(0o111);
    // Run as npm's bin link runs it: the file itself, through its #! line.
    expect(execFileSync(BIN, ['--help'], { encoding: 'utf-8' })).toContain('Usage: cdk-ecs-kit <command> [options]');
  });
});
