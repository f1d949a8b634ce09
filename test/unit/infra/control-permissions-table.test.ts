import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  controlPermissionRows,
  TABLE_END,
  TABLE_START,
  withControlPermissionsTable,
} from '../../../infra/control-permissions-table.js';
import { CONTROL_CATALOG, REMEDIATION_CATALOG } from '../../../src/domain/control-catalog.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The cells of each body row of the table between the markers, whatever padding Prettier gave them. */
function rowsBetweenMarkers(readme: string): string[][] {
  const section = readme.slice(readme.indexOf(TABLE_START) + TABLE_START.length, readme.indexOf(TABLE_END));
  return section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

describe("the README's IAM table per control", () => {
  it('is what the catalog says now (run `npm run docs:controls` after changing the catalog)', () => {
    expect(rowsBetweenMarkers(README)).toEqual(controlPermissionRows());
  });

  it('names every catalog control, and each remediation with its exact runbook and actions', () => {
    const rows = controlPermissionRows();
    const named = rows.flatMap(([controls]) => controls!.split(', ').map((id) => id.split(' ')[0]));
    expect(new Set(named)).toEqual(new Set(Object.keys(CONTROL_CATALOG)));
    const revoke = REMEDIATION_CATALOG['revoke-exposed-ingress'];
    expect(rows).toContainEqual([
      'EC2.13, EC2.14, EC2.18, EC2.19, EC2.53, EC2.54',
      `\`${revoke.runbook}\``,
      revoke.permissions.read.map((action) => `\`${action}\``).join(', '),
      '`ec2:RevokeSecurityGroupIngress`',
      '`ec2:RevokeSecurityGroupIngress`, `ec2:DescribeSecurityGroupRules`',
    ]);
  });

  it('replaces only what lies between the markers, and refuses a README without them', () => {
    const readme = `intro\n${TABLE_START}\nstale\n${TABLE_END}\noutro\n`;
    const rewritten = withControlPermissionsTable(readme);
    expect(rewritten.startsWith(`intro\n${TABLE_START}\n\n| controls |`)).toBe(true);
    expect(rewritten.endsWith(`\n\n${TABLE_END}\noutro\n`)).toBe(true);
    expect(rewritten).not.toContain('stale');
    expect(() => withControlPermissionsTable('no markers')).toThrow(/lacks the lines/);
  });
});
