import { describe, expect, it } from 'vitest';
import { byUrgency, planMessageGrouping } from '../../../src/domain/message-grouping.js';
import type { GroupingCandidate, RankedMember } from '../../../src/domain/message-grouping.js';

const SETTINGS = { threshold: 5, windowSeconds: 60 };
const T0 = Date.parse('2026-11-22T10:00:00.000Z');

function candidate(
  index: number,
  overrides: Partial<GroupingCandidate> & { secondsAfter?: number } = {},
): GroupingCandidate {
  const { secondsAfter = 0, ...rest } = overrides;
  return {
    findingId: `finding-${index}`,
    channel: 'C0FINDINGS',
    controlId: 'EC2.13',
    firstIngestedAt: new Date(T0 + secondsAfter * 1000).toISOString(),
    ...rest,
  };
}

const many = (
  count: number,
  overrides: Partial<GroupingCandidate> & { secondsAfter?: number } = {},
  from = 0,
) => Array.from({ length: count }, (_, index) => candidate(from + index, overrides));

describe('planMessageGrouping', () => {
  it('groups a burst of one control in one channel, however large', () => {
    const plan = planMessageGrouping({ candidates: many(500), existingGroups: [], settings: SETTINGS });

    expect(plan.create).toHaveLength(1);
    expect(plan.create[0]).toMatchObject({
      channel: 'C0FINDINGS',
      controlId: 'EC2.13',
      windowStart: '2026-11-22T10:00:00.000Z',
      windowEnd: '2026-11-22T10:01:00.000Z',
    });
    expect(plan.create[0]!.findingIds).toHaveLength(500);
    expect(plan.alone).toEqual([]);
  });

  it('posts fewer than the threshold alone, and groups exactly the threshold', () => {
    expect(planMessageGrouping({ candidates: many(4), existingGroups: [], settings: SETTINGS })).toEqual({
      join: [],
      create: [],
      alone: ['finding-0', 'finding-1', 'finding-2', 'finding-3'],
    });
    expect(
      planMessageGrouping({ candidates: many(5), existingGroups: [], settings: SETTINGS }).create,
    ).toHaveLength(1);
  });

  it('groups per control and per channel, never across them', () => {
    const candidates = [
      ...many(5),
      ...many(5, { controlId: 'EC2.19' }, 10),
      ...many(3, { channel: 'C0OTHER001' }, 20),
      ...many(2, { controlId: undefined }, 30),
    ];

    const plan = planMessageGrouping({ candidates, existingGroups: [], settings: SETTINGS });

    expect(plan.create.map((group) => [group.channel, group.controlId, group.findingIds.length])).toEqual([
      ['C0FINDINGS', 'EC2.13', 5],
      ['C0FINDINGS', 'EC2.19', 5],
    ]);
    expect([...plan.alone].sort()).toEqual([
      'finding-20',
      'finding-21',
      'finding-22',
      'finding-30',
      'finding-31',
    ]);
  });

  it('only counts findings first ingested within the window of the oldest', () => {
    // Four at 10:00, five more 90 s later: the first four are not enough, the later five are
    const candidates = [...many(4), ...many(5, { secondsAfter: 90 }, 10)];

    const plan = planMessageGrouping({ candidates, existingGroups: [], settings: SETTINGS });

    expect(plan.alone).toEqual(['finding-0', 'finding-1', 'finding-2', 'finding-3']);
    expect(plan.create).toHaveLength(1);
    expect(plan.create[0]).toMatchObject({
      windowStart: '2026-11-22T10:01:30.000Z',
      findingIds: ['finding-10', 'finding-11', 'finding-12', 'finding-13', 'finding-14'],
    });
  });

  it('lets late findings join the group whose window holds their first ingest, even one at a time', () => {
    const existing = {
      groupId: 'g-1',
      channel: 'C0FINDINGS',
      controlId: 'EC2.13',
      windowStart: '2026-11-22T10:00:00.000Z',
      windowEnd: '2026-11-22T10:01:00.000Z',
    };

    const plan = planMessageGrouping({
      candidates: [
        candidate(1, { secondsAfter: 30 }),
        candidate(2, { controlId: 'EC2.19' }),
        candidate(3, { secondsAfter: 60 }),
        candidate(4, { channel: 'C0OTHER001' }),
      ],
      existingGroups: [existing],
      settings: SETTINGS,
    });

    expect(plan.join).toEqual([{ groupId: 'g-1', findingIds: ['finding-1'] }]);
    expect([...plan.alone].sort()).toEqual(['finding-2', 'finding-3', 'finding-4']);
    expect(plan.create).toEqual([]);
  });

  it('follows the configured threshold and window', () => {
    const candidates = [...many(3), ...many(3, { secondsAfter: 200 }, 10)];

    expect(
      planMessageGrouping({ candidates, existingGroups: [], settings: { threshold: 3, windowSeconds: 60 } })
        .create,
    ).toHaveLength(2);
    expect(
      planMessageGrouping({ candidates, existingGroups: [], settings: { threshold: 6, windowSeconds: 300 } })
        .create,
    ).toHaveLength(1);
    expect(
      planMessageGrouping({ candidates, existingGroups: [], settings: { threshold: 6, windowSeconds: 60 } })
        .create,
    ).toHaveLength(0);
  });
});

describe('byUrgency', () => {
  const member = (
    urgency: RankedMember['urgency'],
    severity: RankedMember['severity'],
    firstObservedAt: string,
  ) => ({ urgency, severity, firstObservedAt });

  it('puts act-now first, then higher severity, then the oldest', () => {
    const members = [
      member('normal', 'CRITICAL', '2026-01-01T00:00:00Z'),
      member('high', 'HIGH', '2026-03-01T00:00:00Z'),
      member('act-now', 'HIGH', '2026-02-01T00:00:00Z'),
      member('high', 'CRITICAL', '2026-05-01T00:00:00Z'),
      member('act-now', 'HIGH', '2026-01-15T00:00:00Z'),
      member('high', 'HIGH', '2026-02-01T00:00:00Z'),
    ];

    expect([...members].sort(byUrgency)).toEqual([
      member('act-now', 'HIGH', '2026-01-15T00:00:00Z'),
      member('act-now', 'HIGH', '2026-02-01T00:00:00Z'),
      member('high', 'CRITICAL', '2026-05-01T00:00:00Z'),
      member('high', 'HIGH', '2026-02-01T00:00:00Z'),
      member('high', 'HIGH', '2026-03-01T00:00:00Z'),
      member('normal', 'CRITICAL', '2026-01-01T00:00:00Z'),
    ]);
  });
});
