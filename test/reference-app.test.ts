import { buildReferenceApp } from '../bin/app';
import { formatFindings, newApp, synthWithCompliance } from './support/synth';

describe('reference app (bin/app.ts)', () => {
  test('synthesizes with no finding from the four nag packs and no CloudFormation-validator error or warning', () => {
    const app = newApp();
    buildReferenceApp(app);
    const result = synthWithCompliance(app);
    expect(result.error).toBeUndefined();
    expect(formatFindings(result.findings)).toEqual([]);
  });
});
