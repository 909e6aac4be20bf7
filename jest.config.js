/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // TypeScript first: after `npm run build`, compiled .js files sit next to the sources.
  // A compliance synth takes 1-10 s on 2 busy cores; jest's 5 s default would make them flaky.
  testTimeout: 60_000,
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleNameMapper: { '^cdk-ecs-kit$': '<rootDir>/lib/index.ts' },
};
