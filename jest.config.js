// Two projects: `unit` (the *.spec.ts files under src) runs without a database;
// `e2e` (the *.e2e-spec.ts files under test) runs against a real MongoDB-wire server
// found or started by test/harness (see docs/database.md). `npm test` runs both;
// `npx jest --selectProjects unit` starts no database.
const shared = {
  rootDir: '.',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/src'], testRegex: '\\.spec\\.ts$' },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testRegex: '\\.e2e-spec\\.ts$',
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
      setupFiles: ['<rootDir>/test/harness/env.ts'],
    },
  ],
  testTimeout: 30000,
  maxWorkers: 2,
};
