/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // TypeScript first: after `npm run build`, compiled .js files sit next to the sources.
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleNameMapper: { '^cdk-ecs-kit$': '<rootDir>/lib/index.ts' },
};
