import { describe, expect, it } from 'vitest';
import { triage } from '../../../src/domain/triage.js';
import { DeliveryRunRepository } from '../../../src/store/delivery-run-repository.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import type { FindingMessenger } from '../../../src/usecases/ports.js';
import { leasedDeliveryTrigger, runDeliveries } from '../../../src/usecases/run-deliveries.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';

const dynamo = useEmbeddedDynamoDb();
const NOW = '2026-11-22T10:00:00.000Z';

function finding(index: number) {
  const base = makeFinding();
  return makeFinding({ id: `${base.id.slice(0, -5)}${String(index).padStart(5, '0')}` });
}

async function setup() {
  const table = await dynamo.freshTable();
  const clock = fixedClock(NOW);
  const findings = new FindingRepository(table);
  const lease = new DeliveryRunRepository(table);
  const posted: string[] = [];
  let onPost: (() => Promise<void>) | undefined;
  const messenger: FindingMessenger = {
    post: async (channel, record) => {
      posted.push(record.findingId);
      await onPost?.();
      return { channel, ts: `1763805600.${String(posted.length).padStart(6, '0')}` };
    },
    findPosted: async () => ({ kind: 'not-found', complete: true }),
    update: async () => undefined,
    retire: async () => undefined,
    notify: async () => undefined,
  };
  const store = async (index: number) =>
    findings.insertNew({
      finding: finding(index),
      triage: triage(finding(index)),
      channel: 'C0FINDINGS',
      now: clock.now().toISO()!,
    });
  const deps = { findings, messenger, clock, log: recordingLog() };
  return { deps, lease, clock, posted, store, setOnPost: (hook: () => Promise<void>) => (onPost = hook) };
}

describe('the delivery run', () => {
  it('is started once however many ingests ask at the same time', async () => {
    const { deps, lease } = await setup();
    const started: string[] = [];
    const trigger = leasedDeliveryTrigger({
      lease,
      startRun: async () => void started.push('deliver'),
      clock: deps.clock,
      log: deps.log,
    });

    await Promise.all(Array.from({ length: 20 }, () => trigger.deliveryOwed()));

    expect(started).toEqual(['deliver']);
  });

  it('goes round again for findings stored while it ran, then lets the next request start a new run', async () => {
    const { deps, lease, clock, posted, store, setOnPost } = await setup();
    const started: string[] = [];
    const trigger = leasedDeliveryTrigger({
      lease,
      startRun: async () => void started.push('deliver'),
      clock,
      log: deps.log,
    });
    await store(1);
    await trigger.deliveryOwed();
    // While the run posts the first finding, another ingest stores one and asks (the run is in flight)
    setOnPost(async () => {
      setOnPost(async () => undefined);
      clock.set('2026-11-22T10:00:01.000Z');
      await store(2);
      await trigger.deliveryOwed();
    });

    await runDeliveries(deps, { lease, budgetMs: 60_000 });

    expect(started).toEqual(['deliver']);
    expect(posted).toHaveLength(2);
    clock.set('2026-11-22T10:00:02.000Z');
    await trigger.deliveryOwed();
    expect(started).toEqual(['deliver', 'deliver']);
  });

  it('does not end a run while a request newer than its last pass is pending', async () => {
    const { lease } = await setup();

    expect(await lease.request('2026-11-22T10:00:00.000Z', '2026-11-22T10:03:00.000Z')).toBe('start');
    expect(await lease.request('2026-11-22T10:00:05.000Z', '2026-11-22T10:03:05.000Z')).toBe('running');

    // The pass began before that request: go round again; the next pass began after it: done
    expect(await lease.finish('2026-11-22T10:00:01.000Z')).toBe(false);
    expect(await lease.finish('2026-11-22T10:00:06.000Z')).toBe(true);
    expect(await lease.request('2026-11-22T10:00:07.000Z', '2026-11-22T10:03:07.000Z')).toBe('start');
    // A run that died frees the lease when it expires
    expect(await lease.request('2026-11-22T10:03:08.000Z', '2026-11-22T10:06:08.000Z')).toBe('start');
  });

  it('frees the lease when the run cannot be started, so the next request (or the sync) starts it', async () => {
    const { deps, lease } = await setup();
    let attempts = 0;
    const trigger = leasedDeliveryTrigger({
      lease,
      startRun: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('TooManyRequestsException: Rate Exceeded.');
      },
      clock: deps.clock,
      log: deps.log,
    });

    await trigger.deliveryOwed();
    await trigger.deliveryOwed();

    expect(attempts).toBe(2);
    expect(
      deps.log.entries.some((entry) => entry.level === 'warn' && entry.message.includes('stay owed')),
    ).toBe(true);
  });
});
