/**
 * Four suites as separate projects: `unit` (pure, no I/O), `infra` (CDK assertions), `integration` (handlers and processor with
 * the real AWS SDK against DynamoDB Local and fauxqs, or LocalStack when AWS_ENDPOINT_URL is set) and
 * `e2e` (HTTP against a running local stack). TypeScript is compiled by swc as ESM.
 */
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The ESM build imports its JSON metadata without an import attribute, which jest warns about on
    // every import; the CommonJS build is the same code and metadata.
    '^libphonenumber-js/(max|min)$': '<rootDir>/node_modules/libphonenumber-js/$1/index.cjs',
  },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022', experimental: { keepImportAttributes: true } }, module: { type: 'es6' } },
    ],
  },
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/emulators.setup.mjs',
      globalTeardown: '<rootDir>/test/support/emulators.teardown.mjs',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/local-stack.setup.mjs',
      globalTeardown: '<rootDir>/test/support/local-stack.teardown.mjs',
    },
  ],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.mjs'],
  testTimeout: 60_000,
};
