import type { SyncCursorRepository } from '../store/sync-cursor-repository.js';
import type { IngestDeps, IngestOutcome } from './ingest-findings.js';
import { ingestFindings, noIngestCounts } from './ingest-findings.js';
import type { FindingSource } from './ports.js';

export interface SyncDeps extends IngestDeps {
  readonly cursors: SyncCursorRepository;
  readonly source: FindingSource;
}

/**
 * What a sync reads: Security Hub CSPM's findings (`asff`, GetFindings), the newer Security Hub's compliance
 * findings (`ocsf`, GetFindingsV2) or its exposure findings (`exposure`, GetFindingsV2); each keeps its own cursor.
 */
export type SyncedFindings = 'asff' | 'ocsf' | 'exposure';

export interface SyncReport {
  readonly region: string;
  readonly format: SyncedFindings;
  readonly resumedFrom?: string;
  readonly pages: number;
  readonly counts: Readonly<Record<IngestOutcome['kind'], number>>;
}

/**
 * Page through Security Hub and ingest each page. The cursor moves after every page to the newest `UpdatedAt`
 * read (stored, dropped or quarantined), so a sync cut short (Lambda timeout, crash) resumes where it stopped. Findings updated exactly at the
 * cursor are read again and recognised as known: resuming never re-posts.
 */
export async function syncFindings(
  deps: SyncDeps,
  input: {
    region: string;
    /** Default `asff`; the newer Security Hub's cursors are kept apart (`<region>#ocsf`, `<region>#exposure`). */
    format?: SyncedFindings;
    onPage?: (pageNumber: number, counts: SyncReport['counts']) => void;
  },
): Promise<SyncReport> {
  const format = input.format ?? 'asff';
  // The ASFF cursor keeps its key from before both Security Hubs were read, so an upgrade resumes where it was.
  const cursorKey = format === 'asff' ? input.region : `${input.region}#${format}`;
  const cursor = await deps.cursors.get(cursorKey);
  const counts = noIngestCounts();
  let pages = 0;
  let newest = cursor?.updatedSince;
  for await (const items of deps.source.pages(cursor?.updatedSince)) {
    const report = await ingestFindings(deps, items);
    for (const [kind, count] of Object.entries(report.counts)) counts[kind as IngestOutcome['kind']] += count;
    // Failed findings count too: they are quarantined (visible in /cspm status), so the cursor never stalls on one.
    for (const item of items) {
      const updatedAt = !item.ok
        ? undefined
        : 'finding' in item
          ? item.finding.updatedAt
          : item.exposure.updatedAt;
      if (updatedAt && (!newest || updatedAt > newest)) newest = updatedAt;
    }
    pages += 1;
    if (newest)
      await deps.cursors.save({
        region: cursorKey,
        updatedSince: newest,
        lastRunAt: deps.clock.now().toISO()!,
      });
    input.onPage?.(pages, counts);
  }
  return {
    region: input.region,
    format,
    ...(cursor && { resumedFrom: cursor.updatedSince }),
    pages,
    counts,
  };
}
