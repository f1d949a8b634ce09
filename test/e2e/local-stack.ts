import { loadConfig } from '../../src/config/config.js';
import { bundledSampleFindings } from '../../src/runtime/bundled-samples.js';
import type { LocalBotWithWorkspace } from '../../src/runtime/local-workspace.js';
import { startLocalBotWithWorkspace } from '../../src/runtime/local-workspace.js';
import { createStore } from '../../src/runtime/store.js';
import { systemClock } from '../../src/runtime/system-clock.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../src/store/embedded-dynamodb.js';
import { ingestFindings } from '../../src/usecases/ingest-findings.js';
import { recordingLog } from '../support/recording-log.js';

export interface LocalStack {
  readonly bot: LocalBotWithWorkspace;
  /** How many sample findings the bot posted to the workspace. */
  readonly alerted: number;
  stop(): Promise<void>;
}

/**
 * What `npm start` runs without Slack tokens or AWS: embedded DynamoDB (in memory), the bot on a free loopback port
 * answering the local workspace on another, and the bundled sample findings ingested and posted.
 */
export async function startLocalStack(): Promise<LocalStack> {
  const dynamo = await startEmbeddedDynamoDb();
  const tableName = 'cspm-e2e';
  await ensureTable(dynamo.client, tableName);
  const store = createStore(dynamo.client, tableName);
  const config = loadConfig({
    CSPM_TABLE_NAME: tableName,
    CSPM_TIMEZONE: 'UTC',
    CSPM_SEVERITY_THRESHOLD: 'HIGH',
  });
  const bot = await startLocalBotWithWorkspace({
    config,
    store,
    log: recordingLog(),
    clock: systemClock,
    workspacePort: 0,
  });
  await ingestFindings(bot.ingest, await bundledSampleFindings());
  await bot.queue.idle();
  const alerted = bot.workspace.api.messagesIn(config.routing.defaultChannel).length;
  return {
    bot,
    alerted,
    stop: async () => {
      await bot.stop();
      await dynamo.close();
    },
  };
}
