import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // End-to-end tests share 2 cores with the emulators; several take 15-30 s there, so the
    // limit leaves room for a loaded machine (none asserts a time: speed is the bench's job).
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // expect.poll waits for a browser or a stack to catch up (1 s by default): on a loaded
    // 2-core machine a console screen's API call took longer. A wait, not a timed assertion.
    expect: { poll: { timeout: 20_000 } },
    pool: 'forks',
    // CI machines have 2 cores: more workers only add contention.
    maxWorkers: process.env.CI ? 2 : 4,
  },
});
