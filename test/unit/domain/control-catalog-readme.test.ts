import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTROL_CATALOG } from '../../../src/domain/control-catalog.js';

// The README lists the controls in two places people read first; both must name exactly the catalog's controls.

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const CATALOG_IDS = Object.keys(CONTROL_CATALOG).sort();
/** `EC2.13`, `AutoScaling.3`: the shape of a consolidated control id (CIS rule numbers such as `4.1` do not match). */
const CONTROL_ID = /\b[A-Z][A-Za-z0-9]*\.\d+\b/g;

const idsIn = (text: string): string[] => [...new Set(text.match(CONTROL_ID) ?? [])].sort();

/** The first cell of every body row of the table that follows `heading`. */
function firstColumnAfter(heading: string): string[] {
  const lines = README.split('\n');
  if (!lines.includes(heading)) return [];
  const section = lines.slice(lines.indexOf(heading) + 1);
  const table = section.slice(section.findIndex((line) => line.startsWith('|')));
  const rows = table.slice(
    0,
    table.findIndex((line) => !line.startsWith('|')),
  );
  return rows.slice(2).map((row) => row.split('|')[1]?.trim() ?? '');
}

describe('the README', () => {
  it('has one "What each remediation changes" row or more for every catalog control, and no other control', () => {
    const cells = firstColumnAfter('### What each remediation changes');

    expect(cells.length, 'no table under "### What each remediation changes"').toBeGreaterThan(0);
    expect(idsIn(cells.join('\n'))).toEqual(CATALOG_IDS);
  });

  it('names exactly the catalog controls in the Triage bullet', () => {
    const bullet = /^- \*\*Triage\*\* for ([^(:]*)/m.exec(README)?.[1];

    expect(bullet, 'no "- **Triage** for …" bullet').toBeDefined();
    expect(idsIn(bullet ?? '')).toEqual(CATALOG_IDS);
  });
});
