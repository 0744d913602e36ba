import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is done once by `tsc` in `npm test`; ts-jest only transpiles, which keeps the suite fast.
    '^.+\\.ts$': ['ts-jest', { tsconfig: { rootDir: '.', types: ['node', 'jest'], isolatedModules: true } }],
  },
  testTimeout: 30000,
  // Tests that open sockets or fake the global slot must not share a process with each other.
  maxWorkers: 2,
};

export default config;
