/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/packages/verify/test'],
  testMatch: ['**/*.test.ts'],
  // A compliance synth takes 1-10 s on 2 busy cores; jest's 5 s default would make them flaky.
  testTimeout: 60_000,
  // Two workers on two cores: most of a suite's time is synth and the cfn-guard binary, and jest's
  // default (cores - 1) ran the suites one after another (measured: 386 s vs 200 s).
  maxWorkers: 2,
  // TypeScript first, so a stray compiled .js next to a source is never tested instead of it.
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleNameMapper: {
    '^cdk-ecs-kit$': '<rootDir>/packages/cdk-ecs-kit/lib/index.ts',
    '^cdk-ecs-kit-verify$': '<rootDir>/packages/verify/src/index.ts',
  },
};
