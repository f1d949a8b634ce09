import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotFunction } from '../../../infra/bot-function.js';
import { appForSynthesis, removeSynthesis } from './template-reading.js';

// One BotFunction over a tiny entry, bundled for real: what the deployed asset holds, not what the props say.
describe('a bot Lambda bundle', () => {
  const app = appForSynthesis('cspm-bot-function-');
  let template: Template;
  let assetFiles: Map<string, string>;

  beforeAll(() => {
    const stack = new Stack(app, 'BundleProbe');
    new BotFunction(stack, 'Probe', {
      entry: 'test/fixtures/lambda-entry/sts-caller.ts',
      description: 'bundling probe',
      timeout: Duration.seconds(10),
      memorySize: 256,
      environment: { CSPM_TABLE_NAME: 'probe' },
    });
    const assembly = app.synth();
    template = Template.fromStack(stack);
    const assetDir = readdirSync(assembly.directory).find((name) => name.startsWith('asset.'));
    if (!assetDir) throw new Error('the synthesis holds no Lambda asset');
    const dir = join(assembly.directory, assetDir);
    assetFiles = new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
  });
  afterAll(() => removeSynthesis(app));

  it('ships the source map as its own file, referenced from the code rather than inlined', () => {
    expect([...assetFiles.keys()].sort()).toEqual(['index.mjs', 'index.mjs.map']);
    const code = assetFiles.get('index.mjs')!;
    expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    expect(code).not.toContain('sourceMappingURL=data:');
    const map = JSON.parse(assetFiles.get('index.mjs.map')!) as {
      sources: string[];
      sourcesContent?: unknown;
    };
    expect(map.sources.some((source) => source.endsWith('sts-caller.ts'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
  });

  it('turns source maps on for stack traces, keeping the function its own environment', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(1);
    expect(functions[0]?.Properties.Environment.Variables).toMatchObject({
      NODE_OPTIONS: '--enable-source-maps',
      CSPM_TABLE_NAME: 'probe',
    });
  });

  it('bundles the AWS SDK at the pinned version instead of importing whatever the Lambda runtime ships', () => {
    const code = assetFiles.get('index.mjs')!;
    expect(code).not.toMatch(/from\s*"@aws-sdk\//);
    expect(code).toContain('GetCallerIdentity');
    const map = JSON.parse(assetFiles.get('index.mjs.map')!) as { sources: string[] };
    expect(map.sources.some((source) => source.includes('node_modules/@aws-sdk/client-sts/'))).toBe(true);
  });
});
