import { DateTime } from 'luxon';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type DigestSchedule,
  type DigestWeek,
  DigestScheduleError,
  daysBetween,
  dueDigest,
  previousWeek,
  shouldPostDigest,
} from '../../../src/domain/digest-schedule.js';

const MONDAY_9_PARIS: DigestSchedule = { weekday: 1, hour: 9, timeZone: 'Europe/Paris' };

function utc(iso: string): DateTime {
  return DateTime.fromISO(iso, { zone: 'utc' });
}

/** A wall-clock time in a zone, read by luxon (only for unambiguous times). */
function local(iso: string, timeZone: string): DateTime {
  return DateTime.fromISO(iso, { zone: timeZone });
}

function hoursOf(week: DigestWeek): number {
  return week.end.diff(week.start, 'hours').hours;
}

/** A scheduler that wakes every `stepMinutes` and remembers the last week it posted. */
function simulatePosts(
  schedule: DigestSchedule,
  from: DateTime,
  to: DateTime,
  stepMinutes: number,
  lastPostedBefore?: string,
): { at: string; weekId: string }[] {
  const posts: { at: string; weekId: string }[] = [];
  let lastPosted = lastPostedBefore;
  for (let now = from; now < to; now = now.plus({ minutes: stepMinutes })) {
    const decision = shouldPostDigest(now, schedule, lastPosted);
    if (decision.post) {
      posts.push({ at: now.toUTC().toISO()!, weekId: decision.week.weekId });
      lastPosted = decision.week.weekId;
    }
  }
  return posts;
}

describe('dueDigest', () => {
  it.each([
    // zone, weekday, hour, now (UTC), due at (local wall clock), week id of the start
    ['UTC', 1, 9, '2026-11-25T12:00:00Z', '2026-11-23T09:00', '2026-W47'],
    ['Europe/Paris', 1, 9, '2026-11-23T08:00:00Z', '2026-11-23T09:00', '2026-W47'],
    ['America/New_York', 5, 17, '2026-11-27T22:00:00Z', '2026-11-27T17:00', '2026-W47'],
    // Sunday 20:00 in New York is already Monday in UTC.
    ['America/New_York', 7, 20, '2026-11-23T01:30:00Z', '2026-11-22T20:00', '2026-W46'], // starts Sunday 11-15
    // Monday 08:00 in Tokyo is still Sunday in UTC.
    ['Asia/Tokyo', 1, 8, '2026-11-22T23:00:00Z', '2026-11-23T08:00', '2026-W47'],
    ['Australia/Sydney', 1, 9, '2026-11-22T22:00:00Z', '2026-11-23T09:00', '2026-W47'],
    // +13:45 in November: Monday 09:00 is Sunday 19:15 UTC.
    ['Pacific/Chatham', 1, 9, '2026-11-22T19:15:00Z', '2026-11-23T09:00', '2026-W47'],
    ['Asia/Kolkata', 3, 10, '2026-11-25T04:30:00Z', '2026-11-25T10:00', '2026-W47'],
  ] as const)(
    'in %s (weekday %i, %i:00) at %s is the week ending %s',
    (timeZone, weekday, hour, now, dueLocal, weekId) => {
      const schedule: DigestSchedule = { weekday, hour, timeZone };

      const { dueAt, week } = dueDigest(utc(now), schedule);

      expect(dueAt.toMillis()).toBe(local(dueLocal, timeZone).toMillis());
      expect(week.end.toMillis()).toBe(dueAt.toMillis());
      expect(week.start.toMillis()).toBe(local(dueLocal, timeZone).minus({ weeks: 1 }).toMillis());
      expect(week.weekId).toBe(weekId);
      expect(week.start.zoneName).toBe(timeZone);
    },
  );

  it.each(['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'Pacific/Chatham'])(
    'in %s becomes due exactly at the scheduled moment, not one millisecond before',
    (timeZone) => {
      const moment = local('2026-11-23T09:00', timeZone);
      const schedule: DigestSchedule = { weekday: 1, hour: 9, timeZone };

      const atMoment = dueDigest(moment, schedule);
      const justBefore = dueDigest(moment.minus({ milliseconds: 1 }), schedule);

      expect(atMoment.dueAt.toMillis()).toBe(moment.toMillis());
      expect(atMoment.week.weekId).toBe('2026-W47');
      expect(justBefore.dueAt.toMillis()).toBe(local('2026-11-16T09:00', timeZone).toMillis());
      expect(justBefore.week.weekId).toBe('2026-W46');
    },
  );

  it('accepts `now` in any zone: only the instant matters', () => {
    const instant = utc('2026-11-23T08:30:00Z');

    const fromUtc = dueDigest(instant, MONDAY_9_PARIS);
    const fromTokyo = dueDigest(instant.setZone('Asia/Tokyo'), MONDAY_9_PARIS);

    expect(fromTokyo.dueAt.toISO()).toBe(fromUtc.dueAt.toISO());
    expect(fromTokyo.week.weekId).toBe(fromUtc.week.weekId);
  });

  describe('across DST changes the week is 7 calendar days', () => {
    it.each([
      // zone, week ends (Monday 09:00 local), hours in that week
      ['Europe/Paris', '2026-03-30T09:00', 167],
      ['Europe/Paris', '2026-10-26T09:00', 169],
      ['America/New_York', '2026-03-09T09:00', 167],
      ['America/New_York', '2026-11-02T09:00', 169],
      ['Australia/Sydney', '2026-10-05T09:00', 167],
      ['Australia/Sydney', '2026-04-06T09:00', 169],
      ['Pacific/Chatham', '2026-09-28T09:00', 167],
      ['Pacific/Chatham', '2026-04-06T09:00', 169],
      ['Asia/Tokyo', '2026-03-30T09:00', 168],
    ] as const)(
      'in %s the week ending %s lasts %i hours, Monday 09:00 to Monday 09:00',
      (timeZone, endLocal, hours) => {
        const schedule: DigestSchedule = { weekday: 1, hour: 9, timeZone };

        const { week } = dueDigest(local(endLocal, timeZone), schedule);

        expect(hoursOf(week)).toBe(hours);
        for (const edge of [week.start, week.end]) {
          expect([edge.weekday, edge.hour, edge.minute]).toEqual([1, 9, 0]);
        }
        expect(week.end.diff(week.start, 'days').days).toBe(7);
      },
    );

    it.each([
      // zone, schedule (Sunday, hour), the day the hour does not exist, the instant it moves to (UTC)
      ['Europe/Paris', 2, '2026-03-29', '2026-03-29T01:00:00Z', '2026-03-29T03:00:00.000+02:00'],
      ['America/New_York', 2, '2026-03-08', '2026-03-08T07:00:00Z', '2026-03-08T03:00:00.000-04:00'],
      ['Australia/Sydney', 2, '2026-10-04', '2026-10-03T16:00:00Z', '2026-10-04T03:00:00.000+11:00'],
      // Chatham jumps from 02:45 to 03:45: 03:00 does not exist.
      ['Pacific/Chatham', 3, '2026-09-27', '2026-09-26T14:15:00Z', '2026-09-27T04:00:00.000+13:45'],
    ] as const)(
      'in %s a %i:00 that does not exist on %s moves forward by the gap and is due once',
      (timeZone, hour, day, movedToUtc, movedToLocal) => {
        const schedule: DigestSchedule = { weekday: 7, hour, timeZone };
        const movedTo = utc(movedToUtc);

        const atMoment = dueDigest(movedTo, schedule);
        const justBefore = dueDigest(movedTo.minus({ milliseconds: 1 }), schedule);
        const weekBefore = dueDigest(movedTo.minus({ milliseconds: 1 }), schedule).week.weekId;
        const posts = simulatePosts(
          schedule,
          utc(`${day}T00:00:00Z`).minus({ days: 1 }),
          utc(`${day}T00:00:00Z`).plus({ days: 1 }),
          15,
          weekBefore,
        );

        expect(atMoment.dueAt.toISO()).toBe(movedToLocal);
        expect(justBefore.dueAt < atMoment.dueAt).toBe(true);
        expect(justBefore.week.end.toMillis()).toBe(atMoment.week.start.toMillis());
        expect(posts).toEqual([{ at: movedTo.toISO(), weekId: atMoment.week.weekId }]);
      },
    );

    describe('an hour that happens twice (fall-back)', () => {
      afterEach(() => {
        vi.useRealTimers();
      });

      it.each([
        ['Europe/Paris', 2, '2026-10-25T00:00:00Z'],
        ['America/New_York', 1, '2026-11-01T05:00:00Z'],
        ['Australia/Sydney', 2, '2026-04-04T15:00:00Z'],
      ] as const)(
        'in %s is the first %i:00, whatever the real clock says',
        (timeZone, hour, firstOccurrenceUtc) => {
          const schedule: DigestSchedule = { weekday: 7, hour, timeZone };
          const later = utc(firstOccurrenceUtc).plus({ hours: 3 });
          const dueAtWithClockIn = (realNow: string): string => {
            vi.useFakeTimers().setSystemTime(new Date(realNow));
            return dueDigest(later, schedule).dueAt.toUTC().toISO()!;
          };

          // luxon's DateTime.fromObject would pick a different instant in January than in July.
          expect(dueAtWithClockIn('2026-01-15T00:00:00Z')).toBe(utc(firstOccurrenceUtc).toISO());
          expect(dueAtWithClockIn('2026-07-15T00:00:00Z')).toBe(utc(firstOccurrenceUtc).toISO());
        },
      );

      it('is due once, at the first occurrence', () => {
        const schedule: DigestSchedule = { weekday: 7, hour: 2, timeZone: 'Europe/Paris' };

        const posts = simulatePosts(
          schedule,
          utc('2026-10-24T22:00:00Z'),
          utc('2026-10-25T04:00:00Z'),
          10,
          '2026-W41',
        );

        expect(posts).toEqual([{ at: '2026-10-25T00:00:00.000Z', weekId: '2026-W42' }]);
      });
    });
  });

  describe('at a year end the week id is the ISO week of the start', () => {
    it.each([
      // schedule weekday, week ends (local 09:00 Paris), expected id
      [1, '2026-12-28', '2026-W52'],
      [1, '2027-01-04', '2026-W53'], // starts Monday 2026-12-28
      [1, '2027-01-11', '2027-W01'],
      [7, '2027-01-03', '2026-W52'], // starts Sunday 2026-12-27
      [7, '2027-01-10', '2026-W53'], // starts Sunday 2027-01-03, still ISO 2026-W53
      [5, '2027-01-01', '2026-W52'], // starts Friday 2026-12-25
      [5, '2027-01-08', '2026-W53'], // starts Friday 2027-01-01
      [1, '2026-01-05', '2026-W01'], // starts Monday 2025-12-29: ISO 2026 began in December 2025
    ] as const)('weekday %i, week ending %s is %s', (weekday, endDay, weekId) => {
      const schedule: DigestSchedule = { weekday, hour: 9, timeZone: 'Europe/Paris' };

      expect(dueDigest(local(`${endDay}T09:00`, 'Europe/Paris'), schedule).week.weekId).toBe(weekId);
    });

    it('gives every week of December 2026 to February 2027 its own id, in order', () => {
      const posts = simulatePosts(
        MONDAY_9_PARIS,
        utc('2026-12-01T00:00:00Z'),
        utc('2027-02-01T00:00:00Z'),
        180,
      );

      expect(posts.map((post) => post.weekId)).toEqual([
        '2026-W48',
        '2026-W49',
        '2026-W50',
        '2026-W51',
        '2026-W52',
        '2026-W53',
        '2027-W01',
        '2027-W02',
        '2027-W03',
      ]);
    });
  });

  it.each([
    ['an unknown zone', { weekday: 1, hour: 9, timeZone: 'Mars/Olympus_Mons' }],
    ['hour 24', { weekday: 1, hour: 24, timeZone: 'UTC' }],
    ['a fractional hour', { weekday: 1, hour: 9.5, timeZone: 'UTC' }],
    ['weekday 0', { weekday: 0, hour: 9, timeZone: 'UTC' }],
  ] as const)('refuses %s with DIGEST_SCHEDULE_INVALID', (_case, schedule) => {
    expect(() => dueDigest(utc('2026-11-23T09:00:00Z'), schedule as unknown as DigestSchedule)).toThrow(
      expect.objectContaining({ code: 'DIGEST_SCHEDULE_INVALID' }),
    );
  });
});

describe('previousWeek', () => {
  it.each([
    ['Europe/Paris', 1, 9, '2026-11-25T12:00:00Z'],
    ['Europe/Paris', 1, 9, '2026-04-01T12:00:00Z'], // previous week has 167 h
    ['Europe/Paris', 7, 2, '2026-04-01T12:00:00Z'], // this week starts at the moved 03:00
    ['Europe/Paris', 7, 2, '2026-04-06T12:00:00Z'], // previous week ends at the moved 03:00
    ['America/New_York', 7, 2, '2026-03-10T12:00:00Z'],
    ['Pacific/Chatham', 7, 3, '2026-09-29T12:00:00Z'],
    ['Australia/Sydney', 1, 9, '2026-04-08T12:00:00Z'],
    ['Asia/Tokyo', 1, 8, '2027-01-05T00:00:00Z'],
  ] as const)(
    'in %s (weekday %i, %i:00) at %s is the week that was due just before',
    (timeZone, weekday, hour, now) => {
      const schedule: DigestSchedule = { weekday, hour, timeZone };
      const { week } = dueDigest(utc(now), schedule);
      const expected = dueDigest(week.start, schedule).week;

      const previous = previousWeek(week);

      expect(previous.weekId).toBe(expected.weekId);
      expect(previous.start.toISO()).toBe(expected.start.toISO());
      expect(previous.end.toISO()).toBe(week.start.toISO());
    },
  );

  it('walks back a year of contiguous weeks, each Monday 09:00 local, across both DST changes and a W53', () => {
    let week = dueDigest(local('2027-03-01T09:00', 'Europe/Paris'), MONDAY_9_PARIS).week;
    const ids = [week.weekId];

    for (let step = 0; step < 60; step += 1) {
      const previous = previousWeek(week);
      expect(previous.end.toMillis()).toBe(week.start.toMillis());
      expect([previous.start.weekday, previous.start.hour, previous.start.minute]).toEqual([1, 9, 0]);
      expect([167, 168, 169]).toContain(hoursOf(previous));
      ids.push(previous.weekId);
      week = previous;
    }

    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('2026-W53');
    expect(ids.slice(0, 10)).toEqual([
      '2027-W08',
      '2027-W07',
      '2027-W06',
      '2027-W05',
      '2027-W04',
      '2027-W03',
      '2027-W02',
      '2027-W01',
      '2026-W53',
      '2026-W52',
    ]);
  });
});

describe('shouldPostDigest', () => {
  const monday9 = local('2026-11-23T09:00', 'Europe/Paris');

  it('posts the due week when nothing was ever posted', () => {
    expect(shouldPostDigest(monday9.plus({ hours: 2 }), MONDAY_9_PARIS, undefined)).toMatchObject({
      post: true,
      week: { weekId: '2026-W47' },
    });
  });

  it('posts the new week once the last posted one is the week before', () => {
    expect(shouldPostDigest(monday9, MONDAY_9_PARIS, '2026-W46')).toMatchObject({
      post: true,
      week: { weekId: '2026-W47' },
    });
  });

  it('refuses to post the same week twice', () => {
    expect(shouldPostDigest(monday9.plus({ days: 3 }), MONDAY_9_PARIS, '2026-W47')).toEqual({
      post: false,
      reason: 'already-posted',
    });
  });

  it('does not post the week before the due moment', () => {
    const justBefore = monday9.minus({ milliseconds: 1 });

    expect(shouldPostDigest(justBefore, MONDAY_9_PARIS, '2026-W46')).toEqual({
      post: false,
      reason: 'already-posted',
    });
  });

  it('waits when the last posted week is after the due one (the schedule moved later in the week)', () => {
    const friday9: DigestSchedule = { ...MONDAY_9_PARIS, weekday: 5 };
    const wednesday = local('2026-11-25T12:00', 'Europe/Paris');

    expect(shouldPostDigest(wednesday, friday9, '2026-W47')).toEqual({ post: false, reason: 'not-yet' });
  });

  it('posts only the latest week after missing several, without back-filling', () => {
    expect(shouldPostDigest(monday9, MONDAY_9_PARIS, '2026-W40')).toMatchObject({
      post: true,
      week: { weekId: '2026-W47' },
    });
  });

  it('compares week ids across a year end', () => {
    const firstDigestOf2027 = local('2027-01-11T09:00', 'Europe/Paris');

    expect(shouldPostDigest(firstDigestOf2027, MONDAY_9_PARIS, '2026-W53')).toMatchObject({
      post: true,
      week: { weekId: '2027-W01' },
    });
    expect(shouldPostDigest(firstDigestOf2027, MONDAY_9_PARIS, '2027-W01')).toEqual({
      post: false,
      reason: 'already-posted',
    });
    expect(shouldPostDigest(firstDigestOf2027, MONDAY_9_PARIS, '2027-W02')).toEqual({
      post: false,
      reason: 'not-yet',
    });
  });

  it('posts once a week, on Monday 09:00 local, when woken every hour across a DST change', () => {
    const posts = simulatePosts(MONDAY_9_PARIS, utc('2026-10-12T07:00:00Z'), utc('2026-11-10T00:00:00Z'), 60);

    expect(
      posts.map((post) => DateTime.fromISO(post.at, { zone: 'Europe/Paris' }).toFormat('ccc HH:mm')),
    ).toEqual(Array(posts.length).fill('Mon 09:00'));
    expect(posts).toHaveLength(5);
  });

  it('throws on a stored week id it cannot read rather than guessing', () => {
    expect(() => shouldPostDigest(monday9, MONDAY_9_PARIS, '2026-47')).toThrow(DigestScheduleError);
  });
});

describe('daysBetween', () => {
  it('lists Monday to Sunday for a week ending Monday 09:00: the days complete when the digest is posted', () => {
    const { week } = dueDigest(local('2026-11-23T09:00', 'Europe/Paris'), MONDAY_9_PARIS);

    expect(daysBetween(week.start, week.end, 'Europe/Paris')).toEqual([
      '2026-11-16',
      '2026-11-17',
      '2026-11-18',
      '2026-11-19',
      '2026-11-20',
      '2026-11-21',
      '2026-11-22',
    ]);
  });

  it.each([
    ['fall-back', 'Europe/Paris', '2026-10-19T09:00', '2026-10-26T09:00', '2026-10-25'],
    ['spring-forward', 'Europe/Paris', '2026-03-23T09:00', '2026-03-30T09:00', '2026-03-29'],
    ['fall-back', 'America/New_York', '2026-10-26T00:00', '2026-11-02T00:00', '2026-11-01'],
    ['spring-forward', 'Pacific/Chatham', '2026-09-21T09:00', '2026-09-28T09:00', '2026-09-27'],
  ] as const)(
    'lists 7 distinct days over a %s week in %s',
    (_change, timeZone, startLocal, endLocal, dstDay) => {
      const days = daysBetween(local(startLocal, timeZone), local(endLocal, timeZone), timeZone);

      expect(days).toHaveLength(7);
      expect(new Set(days).size).toBe(7);
      expect(days).toContain(dstDay);
      expect(days[0]).toBe(startLocal.slice(0, 10));
    },
  );

  it('lists the 56 days of an 8-week chart', () => {
    const { week } = dueDigest(local('2026-11-23T09:00', 'Europe/Paris'), MONDAY_9_PARIS);

    const days = daysBetween(week.end.minus({ weeks: 8 }), week.end, 'Europe/Paris');

    expect(days).toHaveLength(56);
    expect([days[0], days.at(-1)]).toEqual(['2026-09-28', '2026-11-22']);
  });

  it('reads dates in the zone it is given, not in the zone of its arguments', () => {
    const start = utc('2026-11-22T20:00:00Z');
    const end = utc('2026-11-23T20:00:00Z');

    expect(daysBetween(start, end, 'Asia/Tokyo')).toEqual(['2026-11-23']);
    expect(daysBetween(start, end, 'America/New_York')).toEqual(['2026-11-22']);
  });

  it('includes a start at local midnight and excludes an end at local midnight', () => {
    expect(
      daysBetween(
        local('2026-11-16T00:00', 'Asia/Tokyo'),
        local('2026-11-18T00:00', 'Asia/Tokyo'),
        'Asia/Tokyo',
      ),
    ).toEqual(['2026-11-16', '2026-11-17']);
  });

  it('is empty when the end is not after the start', () => {
    const moment = utc('2026-11-23T09:00:00Z');

    expect(daysBetween(moment, moment, 'UTC')).toEqual([]);
    expect(daysBetween(moment, moment.minus({ days: 3 }), 'UTC')).toEqual([]);
  });

  it('refuses an unknown zone', () => {
    expect(() =>
      daysBetween(utc('2026-11-16T00:00:00Z'), utc('2026-11-23T00:00:00Z'), 'Nowhere/Town'),
    ).toThrow(DigestScheduleError);
  });
});
