import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { LAMBDA_BUNDLE } from '../../../infra/lambda-bundling.js';
import { esbuildOptionsFor } from '../../bench/lambda-bundles.js';

/** The files (node_modules packages, or source paths) that put code into a bundle built as a deploy builds it. */
async function bundledModules(entry: string): Promise<Set<string>> {
  // write: false keeps the build in memory; the options are the deployed ones (infra/lambda-bundling.ts).
  const { metafile } = await build({
    ...esbuildOptionsFor(
      entry,
      'node_modules/.cache/lambda-bundling-test/index.mjs',
      LAMBDA_BUNDLE.externalModules,
    ),
    metafile: true,
    write: false,
  });
  return new Set(
    Object.entries(codeOutput(metafile).inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => moduleOf(path)),
  );
}

function codeOutput(metafile: Metafile): Metafile['outputs'][string] {
  const output = Object.entries(metafile.outputs).find(([file]) => file.endsWith('index.mjs'));
  if (!output) throw new Error(`the build emitted no index.mjs: ${Object.keys(metafile.outputs).join(', ')}`);
  return output[1];
}

/** `node_modules/@aws-sdk/client-ec2/dist-es/…` → `@aws-sdk/client-ec2`; a project file stays its own path. */
function moduleOf(path: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  return inPackage?.[1] ?? path;
}

// The remediators' own code. (A remediation module's top-level constants may stay, e.g. ssm-remediator.ts's
// 0.1 KB of sets: esbuild keeps statements it cannot prove pure.)
const REMEDIATION_ONLY = [
  '@aws-sdk/client-ssm',
  '@aws-sdk/client-auto-scaling',
  '@aws-sdk/client-s3',
  '@aws-sdk/client-s3-control',
  'src/aws/direct-remediator.ts',
  'src/aws/resource-state-reader.ts',
];
const SLACK_LISTENERS = ['@slack/bolt', 'express', '@slack/socket-mode', 'src/slack/listeners.ts'];
const MEMBER_ACCOUNT_CLIENTS = [
  '@aws-sdk/client-ec2',
  '@aws-sdk/client-ssm',
  '@aws-sdk/client-auto-scaling',
  '@aws-sdk/client-securityhub',
  '@aws-sdk/client-s3',
  '@aws-sdk/client-s3-control',
];

// Each handler bundles only what it runs: a wiring change that drags another handler's code in fails here.
describe('what each Lambda bundle leaves out', () => {
  it.each([
    {
      name: 'Ingest',
      entry: 'src/runtime/lambda-ingest.ts',
      absent: [...REMEDIATION_ONLY, ...SLACK_LISTENERS],
    },
    { name: 'Sync', entry: 'src/runtime/lambda-sync.ts', absent: SLACK_LISTENERS },
    { name: 'Worker', entry: 'src/runtime/lambda-worker.ts', absent: SLACK_LISTENERS },
    {
      name: 'Slack handler',
      entry: 'src/runtime/lambda-slack.ts',
      absent: [...MEMBER_ACCOUNT_CLIENTS, ...REMEDIATION_ONLY],
    },
  ])('the $name bundle holds none of $absent', async ({ entry, absent }) => {
    const modules = await bundledModules(entry);
    expect(absent.filter((module) => modules.has(module))).toEqual([]);
  });

  // The check above only means something if it sees packages and project files that are there.
  it('sees what a bundle does hold: the Worker carries the remediators and their SDK clients', async () => {
    const modules = await bundledModules('src/runtime/lambda-worker.ts');
    expect(REMEDIATION_ONLY.filter((module) => !modules.has(module))).toEqual([]);
  });
});
