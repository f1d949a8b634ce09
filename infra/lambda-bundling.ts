/**
 * How every bot Lambda is bundled, in one place: the CDK stack (infra/bot-function.ts) and `npm run bench`
 * (test/bench/lambda-bundles.ts) both read these settings, so the bench measures the bundles a deploy ships.
 * Plain data, no CDK import: the bench builds with esbuild directly.
 */
export const LAMBDA_BUNDLE = {
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  // Some dependencies still call require() (CommonJS inside the ESM bundle). The alias keeps the banner from
  // colliding with a bundled module's own top-level `createRequire` import.
  banner:
    "import { createRequire as createRequireForBundle } from 'module'; const require = createRequireForBundle(import.meta.url);",
  minify: true,
  // The map is its own file (index.mjs.map), not inlined, so the code Lambda loads stays small. "linked" (CDK's
  // SourceMapMode.DEFAULT), not "external": external drops the sourceMappingURL comment, and without it
  // NODE_OPTIONS=--enable-source-maps never finds the map, so stack traces would point into minified code.
  sourceMap: 'linked',
  // Line mappings are enough for stack traces; embedding the sources would double the map.
  sourcesContent: false,
  // The AWS SDK is bundled (tree-shaken to the clients a handler imports) rather than taken from the nodejs22.x
  // runtime. Measured (`npm run bench`): bundled, each handler loads in about a third of the time (Ingest ~200 ms
  // vs ~550 ms on an idle machine) because the runtime's SDK is hundreds of CommonJS files to resolve and parse at
  // every cold start, and the tests ran against exactly the versions package-lock.json pins, not whatever SDK v3
  // the runtime ships that month. The cost is size: 1.7-1.9 MB per non-Slack handler instead of 0.5-0.6 MB.
  // A third of that is one file: the EC2 client's schemas (~550 KB) are not tree-shaken, because the generated
  // code uses computed trait keys (`{ [_e]: _c }`) that esbuild must keep (aws/aws-sdk-js-v3#7607); when an SDK
  // release emits literal keys, the handlers lose ~500 KB with no change here. Each handler names the clients it
  // runs (src/runtime/member-account-clients.ts), so Ingest carries no SSM or Auto Scaling client.
  externalModules: [] as string[],
} as const;

/** What `externalModules` would be with the SDK taken from the Lambda runtime (the bench's comparison). */
export const RUNTIME_SDK_MODULES: readonly string[] = ['@aws-sdk/*', '@smithy/*'];

/** What a Lambda's environment needs for the external source map to be used in stack traces. */
export const SOURCE_MAP_ENVIRONMENT = { NODE_OPTIONS: '--enable-source-maps' } as const;
