import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser test runs on its own: `npm run test:e2e` (vitest.e2e.config.ts).
    exclude: [...configDefaults.exclude, 'test/e2e/**'],
    environment: 'node',
    // Tests that care about logs inject a recording logger; the runtimes' own Powertools loggers stay quiet.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'SILENT',
      // The handlers' EMF metric lines would flood the output; the metrics tests turn them back on.
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    // CDK synthesis with esbuild bundling (four Lambdas) is the slow part, and slower on a busy 2-core machine;
    // everything else runs in milliseconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
