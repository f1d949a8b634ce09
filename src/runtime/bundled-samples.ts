import { readdir, readFile } from 'node:fs/promises';
import { normalizeAsffFinding } from '../aws/asff-finding.js';
import type { IngestItem } from '../usecases/ingest-findings.js';

/** The realistic ASFF findings shipped with the project (one per headline control, two accounts, three regions). */
const SAMPLES_DIR = new URL('../../test/fixtures/asff/', import.meta.url);

export async function bundledSampleFindings(): Promise<IngestItem[]> {
  const files = (await readdir(SAMPLES_DIR)).filter((file) => file.endsWith('.json') && file !== 'imported-event.json').sort();
  return Promise.all(
    files.map(async (file) => normalizeAsffFinding(JSON.parse(await readFile(new URL(file, SAMPLES_DIR), 'utf8')) as unknown)),
  );
}
