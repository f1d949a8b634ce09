import { describe, expect, it } from 'vitest';
import { findingMessage } from '../../../blocks/finding-message.js';
import { checkMessageLimits, describeViolation } from '../../../blocks/limits.js';
import { normalizeAsffFinding } from '../../../src/aws/asff-finding.js';
import { alertRelevance } from '../../../src/domain/alert-relevance.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { findingViewOf } from '../../../src/slack/finding-view.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import { QuarantineRepository } from '../../../src/store/quarantine-repository.js';
import type { FindingRecord } from '../../../src/store/finding-repository.js';
import type { IngestDeps, IngestItem } from '../../../src/usecases/ingest-findings.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import type { FindingMessenger } from '../../../src/usecases/ports.js';
import type { AsffJson } from '../../fixtures/asff.js';
import { allSampleFindings } from '../../fixtures/asff.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';

/** Rerun a failure with FUZZ_SEED=<the seed in the failure message>. */
const SEED = Number(process.env['FUZZ_SEED'] ?? 20_261_130);
/** Mutations applied in all (1 to 3 per mutated finding, so about 1,000 mutated findings). */
const MUTATIONS_WANTED = 2000;
const MUTATED_PER_BATCH = 20;
const VALID_PER_BATCH = 3;
const THRESHOLD = 'MEDIUM';

const dynamo = useEmbeddedDynamoDb();

/** mulberry32: small, fast, deterministic for a seed. */
function randomFrom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (below: number) => Math.floor(next() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}
type Random = ReturnType<typeof randomFrom>;

type Path = (string | number)[];

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

/** Every path below the root, depth first (ASFF fixtures are small: a few hundred paths). */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (!isContainer(value)) return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  return entries.flatMap(([key, inner]) => [[...prefix, key], ...pathsOf(inner, [...prefix, key])]);
}

function parentOf(root: unknown, path: Path): Record<string | number, unknown> | undefined {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (!isContainer(node)) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return isContainer(node) ? (node as Record<string | number, unknown>) : undefined;
}

function setAt(root: unknown, path: Path, value: unknown): void {
  const parent = parentOf(root, path);
  if (parent) parent[path.at(-1)!] = value;
}

function deleteAt(root: unknown, path: Path): void {
  const parent = parentOf(root, path);
  if (!parent) return;
  if (Array.isArray(parent)) parent.splice(Number(path.at(-1)), 1);
  else delete parent[path.at(-1)!];
}

/** A random path in the finding; the finding's own `Id` when nothing is left to pick. */
function anyPath(finding: AsffJson, random: Random): Path {
  const paths = pathsOf(finding);
  return paths.length === 0 ? ['Id'] : random.pick(paths);
}

const LONE_SURROGATES = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF'];

const hugeStrings = new Map<string, string>();

/** Up to 450,000 units of one kind of text; built once per kind and length (the run would not fit in memory otherwise). */
function hugeString(random: Random): string {
  const length = random.pick([3_000, 70_000, 450_000]);
  const unit = random.pick(['x', '€', '🔒', `a${random.pick(LONE_SURROGATES)}`, '\u0000\n']);
  const key = `${unit}:${length}`;
  if (!hugeStrings.has(key)) hugeStrings.set(key, unit.repeat(Math.ceil(length / unit.length)));
  return hugeStrings.get(key)!;
}

function withLoneSurrogate(text: string, random: Random): string {
  const at = random.int(text.length + 1);
  return `${text.slice(0, at)}${random.pick(LONE_SURROGATES)}${text.slice(at)}`;
}

const WRONG_TYPES: readonly unknown[] = [
  42,
  -1,
  0,
  true,
  false,
  [],
  {},
  'text',
  '',
  1e308,
  [null],
  { Label: 7 },
];
const BAD_IDS: readonly unknown[] = [
  '',
  '   ',
  'x'.repeat(513),
  'finding\n1',
  'finding\u0007',
  `finding-\uD800`,
  12345,
  null,
  ['id'],
  'x'.repeat(300_000),
];
const IDENTITY_FIELDS = ['Id', 'ProductArn', 'GeneratorId', 'AwsAccountId'] as const;

/** One mutation of the kinds Security Hub, a third-party product or a broken export could send. */
const MUTATIONS: Record<string, (finding: AsffJson, random: Random) => void> = {
  drop: (finding, random) => deleteAt(finding, anyPath(finding, random)),
  null: (finding, random) => setAt(finding, anyPath(finding, random), null),
  retype: (finding, random) =>
    setAt(finding, anyPath(finding, random), structuredClone(random.pick(WRONG_TYPES))),
  hugeString: (finding, random) => setAt(finding, anyPath(finding, random), hugeString(random)),
  hugeText: (finding, random) => {
    finding[random.pick(['Title', 'Description', 'GeneratorId'])] = hugeString(random);
  },
  loneSurrogate: (finding, random) => {
    const strings = pathsOf(finding).filter(
      (path) => typeof parentOf(finding, path)?.[path.at(-1)!] === 'string',
    );
    if (strings.length === 0) return;
    const path = random.pick(strings);
    setAt(finding, path, withLoneSurrogate(String(parentOf(finding, path)?.[path.at(-1)!]), random));
  },
  badId: (finding, random) => {
    finding[random.pick(IDENTITY_FIELDS)] = structuredClone(random.pick(BAD_IDS));
  },
  hugeRules: (finding, random) => {
    const resources = finding['Resources'];
    if (!Array.isArray(resources) || !isContainer(resources[0])) return;
    // At most 3,000 rules in all: far past any limit, small enough to run 2,000 times.
    const [permissions, ranges] = random.pick([
      [3000, 1],
      [100, 3],
      [10, 300],
    ] as const);
    const permission = {
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      IpRanges: Array.from({ length: ranges }, (_, index) => ({ CidrIp: `10.${index % 256}.0.0/16` })),
    };
    (resources[0] as AsffJson)['Details'] = {
      AwsEc2SecurityGroup: {
        GroupId: 'sg-0abc1234def567890',
        GroupName: hugeString(random),
        IpPermissions: Array.from({ length: permissions }, () => permission),
      },
    };
    (resources[0] as AsffJson)['Type'] = 'AwsEc2SecurityGroup';
  },
  hugeTags: (finding, random) => {
    const resources = finding['Resources'];
    if (!Array.isArray(resources) || !isContainer(resources[0])) return;
    const text = hugeString(random);
    (resources[0] as AsffJson)['Tags'] = Object.fromEntries(
      Array.from({ length: random.pick([60, 3000]) }, (_, index) => [
        `${index}${text.slice(0, 200)}`,
        text.slice(0, 5000),
      ]),
    );
  },
  nestedNulls: (finding, random) => {
    const containers = pathsOf(finding).filter((path) =>
      isContainer(parentOf(finding, path)?.[path.at(-1)!]),
    );
    if (containers.length === 0) return;
    const root = parentOf(finding, random.pick(containers));
    for (const path of pathsOf(root))
      if (!isContainer(parentOf(root, path)?.[path.at(-1)!])) setAt(root, path, null);
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);
/** Mutations that make a finding big run after those that walk it, so no walk covers thousands of rules. */
const GROWING = new Set(['hugeString', 'hugeText', 'hugeRules', 'hugeTags']);
const growingLast = (a: string, b: string) => Number(GROWING.has(a)) - Number(GROWING.has(b));

/** A fresh copy of a sample with an id no other item of the run has (the fuzz tests ingest, not dedupe). */
function uniqueCopy(sample: AsffJson, label: string): AsffJson {
  const copy = structuredClone(sample);
  copy['Id'] = `${String(sample['Id'])}-${label}`;
  return copy;
}

/** Posts and updates in memory, each one rendered and held to Slack's limits as the real messenger would. */
function renderingMessenger() {
  const posts = new Map<string, number>();
  const violations: string[] = [];
  const render = (record: FindingRecord) => {
    const found = checkMessageLimits(findingMessage(findingViewOf(record)));
    if (found.length > 0)
      violations.push(`${record.finding.id.slice(0, 80)}: ${found.map(describeViolation).join('; ')}`);
  };
  let ts = 0;
  const messenger: FindingMessenger = {
    async post(channel, record) {
      render(record);
      posts.set(record.findingId, (posts.get(record.findingId) ?? 0) + 1);
      ts += 1;
      return { channel, ts: `1763805600.${String(ts).padStart(6, '0')}` };
    },
    async update(_channel, _ts, record) {
      render(record);
    },
    async findPosted() {
      return { kind: 'not-found', complete: true };
    },
    async retire() {},
    async notify() {},
  };
  return { messenger, posts, violations };
}

describe(`ingest fuzz (seed ${SEED}; rerun with FUZZ_SEED=${SEED})`, () => {
  it(
    `survives ${MUTATIONS_WANTED} mutations mixed with valid findings: nothing lost, every bad one counted`,
    { timeout: 120_000 },
    async () => {
      const random = randomFrom(SEED);
      const samples = allSampleFindings();
      const table = await dynamo.freshTable();
      const { messenger, posts, violations } = renderingMessenger();
      const deps: IngestDeps = {
        findings: new FindingRepository(table),
        quarantine: new QuarantineRepository(table),
        messenger,
        routing: { rules: [], defaultChannel: 'C0FINDINGS' },
        severityThreshold: THRESHOLD,
        clock: fixedClock('2026-11-22T10:00:00.000Z'),
        log: recordingLog(),
      };
      const expectedAlerts: string[] = [];
      let refused = 0;
      let mutated = 0;
      let applied = 0;
      const failures: string[] = [];

      for (let batch = 0; applied < MUTATIONS_WANTED; batch += 1) {
        const raws: { raw: AsffJson; valid: boolean; mutations: string[] }[] = [];
        for (let index = 0; index < MUTATED_PER_BATCH; index += 1) {
          const raw = uniqueCopy(random.pick(samples), `m${batch}-${index}`);
          const mutations = Array.from({ length: 1 + random.int(3) }, () => random.pick(MUTATION_NAMES)).sort(
            growingLast,
          );
          for (const mutation of mutations) MUTATIONS[mutation]!(raw, random);
          applied += mutations.length;
          mutated += 1;
          raws.push({ raw, valid: false, mutations });
        }
        for (let index = 0; index < VALID_PER_BATCH; index += 1) {
          raws.splice(random.int(raws.length + 1), 0, {
            raw: uniqueCopy(random.pick(samples), `v${batch}-${index}`),
            valid: true,
            mutations: [],
          });
        }
        const items: IngestItem[] = raws.map(({ raw }) => normalizeAsffFinding(raw));

        let report;
        try {
          report = await ingestFindings(deps, items);
        } catch (error) {
          throw new Error(`seed ${SEED}, batch ${batch}: the batch threw: ${String(error)}`, {
            cause: error,
          });
        }

        expect(report.outcomes, `seed ${SEED}, batch ${batch}`).toHaveLength(items.length);
        items.forEach((item, index) => {
          const outcome = report.outcomes[index]!;
          const { valid, mutations } = raws[index]!;
          const where = `seed ${SEED}, batch ${batch}, item ${index} (${valid ? 'valid' : mutations.join('+')})`;
          if (!item.ok) {
            refused += 1;
            if (outcome.kind !== 'malformed')
              failures.push(`${where}: refused by the normalizer but counted ${outcome.kind}`);
            if (valid) failures.push(`${where}: a valid sample was refused: ${item.reason}`);
            return;
          }
          if (!('finding' in item)) throw new Error(`${where}: the ASFF normalizer gave an exposure`);
          // Whatever the normalizer accepts is bounded, so DynamoDB takes it: nothing may fail.
          if (outcome.kind === 'failed' || outcome.kind === 'malformed')
            failures.push(`${where}: ${outcome.kind}: ${outcome.reason}`);
          if (valid && alertRelevance(item.finding, THRESHOLD).alert) {
            expectedAlerts.push(findingKeyOf(item.finding));
            if (outcome.kind !== 'alerted')
              failures.push(`${where}: a valid finding was ${outcome.kind}, not alerted`);
          }
        });
      }

      expect(failures, `seed ${SEED}`).toEqual([]);
      expect(violations, `seed ${SEED}: messages over Slack's limits`).toEqual([]);
      // Every valid finding was stored and posted exactly once.
      for (const key of expectedAlerts) {
        expect(posts.get(key), `seed ${SEED}: posts of ${key}`).toBe(1);
        expect(await deps.findings.get(key), `seed ${SEED}: stored ${key}`).toBeDefined();
      }
      // The run means something: most mutations were refused, and many still made it through bounded.
      expect(expectedAlerts.length).toBeGreaterThan(100);
      expect(refused).toBeGreaterThan(mutated / 4);
      expect(refused).toBeLessThan(mutated);
      expect(await deps.quarantine!.quarantined(1)).toMatchObject({ total: 0 });
    },
  );
});
