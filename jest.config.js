// ESM TypeScript through @swc/jest: @kubernetes/client-node is ESM-only, so jest runs in
// native ESM mode (node --experimental-vm-modules, see the test:jest script).
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
        module: { type: 'es6' },
      },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 60_000,
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
  maxWorkers: 2,
  // Jest 30's default 'soft' cleanup of globals between test files recurses forever when a soft-deleted global is
  // written again ("RangeError: Maximum call stack size exceeded" in jest-util before a suite starts: jestjs/jest
  // #16044, #16443, unfixed in 30.5.2). Each file has its own context anyway; the cleanup only saves memory.
  testEnvironmentOptions: { globalsCleanup: 'off' },
};
