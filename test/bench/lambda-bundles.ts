/**
 * Bundle size and module init of each Lambda, built with esbuild exactly as infra/bot-function.ts has CDK build
 * them (the options come from infra/lambda-bundling.ts), next to a bare Bolt Lambda built the same way.
 * Run alone: `npx tsx test/bench/lambda-bundles.ts`.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { LAMBDA_BUNDLE, RUNTIME_SDK_MODULES, SOURCE_MAP_ENVIRONMENT } from '../../infra/lambda-bundling.js';
import { PROJECT_ROOT } from '../../infra/bot-function.js';
import type { BenchRow } from './bench-table.js';
import { mb, ms, ratio } from './bench-table.js';
import { median } from './percentiles.js';

const run = promisify(execFile);

/** The stack's four handlers (infra/cspm-bot-stack.ts) and the baseline. */
export const LAMBDA_ENTRIES = [
  { name: 'Slack handler', entry: 'src/runtime/lambda-slack.ts' },
  { name: 'Ingest', entry: 'src/runtime/lambda-ingest.ts' },
  { name: 'Sync', entry: 'src/runtime/lambda-sync.ts' },
  { name: 'Worker', entry: 'src/runtime/lambda-worker.ts' },
] as const;
export const BARE_BOLT_ENTRY = { name: 'bare Bolt Lambda', entry: 'test/bench/bare-bolt-lambda.ts' } as const;

export interface LambdaBundleFigure {
  readonly name: string;
  readonly entry: string;
  /** Every code file the build emits (index.mjs, and any chunk it could import), source maps not counted. */
  readonly bytes: number;
  readonly sourceMapBytes: number;
  /** Median time to import the bundle in a fresh Node process (module init, no handler call). */
  readonly initMs: number;
  /** The same entry built with the other AWS SDK choice (bundled ↔ from the runtime), for comparison. */
  readonly otherSdkChoice: { readonly label: string; readonly bytes: number; readonly initMs: number };
}

/** Whether the configured bundling takes the SDK from the runtime, and the other choice's external modules. */
const SDK_FROM_RUNTIME = LAMBDA_BUNDLE.externalModules.some((pattern) => pattern.startsWith('@aws-sdk'));
const OTHER_SDK_CHOICE = SDK_FROM_RUNTIME
  ? { label: 'SDK bundled', externalModules: [] as readonly string[] }
  : { label: 'SDK from the runtime', externalModules: RUNTIME_SDK_MODULES };

/** Inside the project, so that modules left external resolve from node_modules as they would from the runtime. */
const OUT_DIR = join(PROJECT_ROOT, 'node_modules', '.cache', 'lambda-bundles');

/** The esbuild options CDK's NodejsFunction derives from the bundling settings (see its esbuild command line). */
export function esbuildOptionsFor(
  entry: string,
  outfile: string,
  externalModules: readonly string[],
): BuildOptions {
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: LAMBDA_BUNDLE.target,
    format: LAMBDA_BUNDLE.format,
    outfile,
    minify: LAMBDA_BUNDLE.minify,
    sourcemap: LAMBDA_BUNDLE.sourceMap,
    sourcesContent: LAMBDA_BUNDLE.sourcesContent,
    external: [...externalModules],
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    banner: { js: LAMBDA_BUNDLE.banner },
    logLevel: 'warning',
  };
}

interface BuiltBundle {
  /** The file Lambda imports. */
  readonly outfile: string;
  /** Everything else the build wrote beside it that a deploy ships; maps are counted apart. */
  readonly codeBytes: number;
  readonly sourceMapBytes: number;
}

async function bundle(
  entry: string,
  folder: string,
  externalModules: readonly string[],
): Promise<BuiltBundle> {
  const outfile = join(OUT_DIR, folder, 'index.mjs');
  const { metafile } = await build({ ...esbuildOptionsFor(entry, outfile, externalModules), metafile: true });
  // Every emitted file, not only index.mjs: a lazy import() split into its own chunk would still be shipped.
  const outputs = Object.entries(metafile.outputs);
  const sum = (files: typeof outputs): number => files.reduce((total, [, output]) => total + output.bytes, 0);
  return {
    outfile,
    codeBytes: sum(outputs.filter(([file]) => !file.endsWith('.map'))),
    sourceMapBytes: sum(outputs.filter(([file]) => file.endsWith('.map'))),
  };
}

/** One fresh process per sample: what a cold start pays to load the module, with source maps enabled as deployed. */
async function importMs(file: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const result = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, NODE_OPTIONS: SOURCE_MAP_ENVIRONMENT.NODE_OPTIONS, AWS_REGION: 'eu-west-1' },
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: unknown) => {
    // A minified bundle's error quotes whole lines: keep the end, where the message and stack are.
    const stderr = String((error as { stderr?: unknown }).stderr ?? error);
    throw new Error(`importing ${file} failed: …${stderr.slice(-800)}`);
  });
  return Number(result.stdout.trim().split('\n').at(-1));
}

async function medianInitMs(file: string, runs: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) samples.push(await importMs(file));
  return median(samples);
}

async function measureEntry(name: string, entry: string, runs: number): Promise<LambdaBundleFigure> {
  const folder = name.replace(/\W+/g, '-').toLowerCase();
  const configured = await bundle(entry, folder, LAMBDA_BUNDLE.externalModules);
  const other = await bundle(entry, `${folder}-other-sdk-choice`, OTHER_SDK_CHOICE.externalModules);
  return {
    name,
    entry,
    bytes: configured.codeBytes,
    sourceMapBytes: configured.sourceMapBytes,
    initMs: await medianInitMs(configured.outfile, runs),
    otherSdkChoice: {
      label: OTHER_SDK_CHOICE.label,
      bytes: other.codeBytes,
      initMs: await medianInitMs(other.outfile, runs),
    },
  };
}

/** Every handler, then the bare Bolt baseline (last). */
export async function measureLambdaBundles(
  runs = 5,
): Promise<{ handlers: LambdaBundleFigure[]; bareBolt: LambdaBundleFigure }> {
  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });
  const handlers: LambdaBundleFigure[] = [];
  for (const { name, entry } of LAMBDA_ENTRIES) handlers.push(await measureEntry(name, entry, runs));
  const bareBolt = await measureEntry(BARE_BOLT_ENTRY.name, BARE_BOLT_ENTRY.entry, runs);
  return { handlers, bareBolt };
}

const NON_SLACK_GOAL_BYTES = 1_048_576;
const SLACK_GOAL_RATIO = 1.25;
const INIT_GOAL_MS = 400;

/** One table row per handler: its bundle against the goal and the bare Bolt bundle, and its module init. */
export function lambdaBundleRows({
  handlers,
  bareBolt,
}: {
  handlers: LambdaBundleFigure[];
  bareBolt: LambdaBundleFigure;
}): BenchRow[] {
  return handlers.map((figure) => {
    const isSlack = figure.entry === 'src/runtime/lambda-slack.ts';
    const sizeOk = isSlack
      ? figure.bytes <= SLACK_GOAL_RATIO * bareBolt.bytes
      : figure.bytes <= NON_SLACK_GOAL_BYTES;
    return {
      figure: `${figure.name} Lambda: bundle (map ${mb(figure.sourceMapBytes)} apart), module init; ${figure.otherSdkChoice.label}: ${mb(figure.otherSdkChoice.bytes)}, init ${ms(figure.otherSdkChoice.initMs)}`,
      goal: `${isSlack ? `≤ ${SLACK_GOAL_RATIO}× bare Bolt` : '≤ 1.00 MB'}, init ≤ ${INIT_GOAL_MS} ms`,
      measured: `${mb(figure.bytes)}, init ${ms(figure.initMs)}`,
      baseline: `${mb(bareBolt.bytes)}, init ${ms(bareBolt.initMs)} (bare Bolt Lambda)`,
      ratio: ratio(figure.bytes, bareBolt.bytes),
      meetsGoal: sizeOk && figure.initMs <= INIT_GOAL_MS,
    };
  });
}

// Last, after the goals above are initialised: run alone, the file measures and prints.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await measureLambdaBundles();
  for (const row of lambdaBundleRows(figures))
    console.log(`${row.figure}\n  ${row.measured} vs ${row.baseline}: ${row.ratio}`);
}
