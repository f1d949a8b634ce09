import { defineConfig } from 'vitest/config';

/** `npm run test:e2e`: the local workspace in a real browser (headless Chromium) against the running bot. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'SILENT',
    },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
