/** `/cspm digest`: the week's report over the stored estate, its chart rendered and uploaded, posted to Slack. */
import { performance } from 'node:perf_hooks';
import type { Config } from '../../src/config/config.js';
import { slackAccess } from '../../src/runtime/slack-access.js';
import { commandDeps } from '../../src/runtime/slack-wiring.js';
import { createSlackWebClient } from '../../src/runtime/slack-web-client.js';
import type { Store } from '../../src/runtime/store.js';
import { systemClock } from '../../src/runtime/system-clock.js';
import { postDigestNow } from '../../src/usecases/post-digest.js';
import { recordingLog } from '../support/recording-log.js';
import type { BenchRow } from './bench-table.js';
import { ms, NONE } from './bench-table.js';
import { median } from './percentiles.js';

export async function measureDigestTime(input: {
  config: Config;
  store: Store;
  runs: number;
  estate: string;
}): Promise<BenchRow[]> {
  const { config, store } = input;
  const slack = createSlackWebClient('xoxb-bench-token', config.slackApiUrl);
  const surface = { ...slackAccess(config, slack), client: slack, clock: systemClock, log: recordingLog() };
  const { digest } = commandDeps(config, store, surface);
  if (!digest) throw new Error('the bench configuration names no digest channel');
  const samples: number[] = [];
  for (let i = 0; i < input.runs; i += 1) {
    const started = performance.now();
    await postDigestNow(digest);
    samples.push(performance.now() - started);
  }
  return [
    {
      figure: `digest posted (${input.estate}; median of ${input.runs})`,
      goal: 'informational',
      measured: ms(median(samples)),
      baseline: NONE,
      ratio: NONE,
    },
  ];
}
