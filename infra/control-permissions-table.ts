import type { ControlSpec, RemediationSpec } from '../src/domain/control-catalog.js';
import { CONTROL_CATALOG, remediationsInUse } from '../src/domain/control-catalog.js';

/** The README section this table fills, between these two lines (`npm run docs:controls` rewrites it). */
export const TABLE_START = '<!-- control-permissions:start (npm run docs:controls) -->';
export const TABLE_END = '<!-- control-permissions:end -->';

const HEADER = ['controls', 'runbook (`ssm`)', 'reads', '`direct` writes', 'the runbook role calls'];

const code = (values: readonly string[]): string =>
  values.length === 0 ? '—' : values.map((value) => `\`${value}\``).join(', ');

/** The actions, and what AWS checks inside them (Auto Scaling: launching from the template a group is moved to). */
function withChecked(actions: readonly string[], checked: readonly string[] | undefined): string {
  return checked && checked.length > 0
    ? `${code(actions)}; checked by Auto Scaling when a group moves: ${code(checked)}`
    : code(actions);
}

/** The controls a remediation serves, as its main fix or (`accountFix`) as an offered account-wide one. */
function controlsOf(remediation: RemediationSpec): string {
  const controls: readonly ControlSpec[] = Object.values(CONTROL_CATALOG);
  const main = controls.filter((control) => control.remediation === remediation.kind).map((c) => c.id);
  const offered = controls
    .filter((control) => control.accountFix === remediation.kind)
    .map((control) => control.id);
  return [...main, ...offered.map((id) => `${id} (account-wide fix)`)].join(', ');
}

/** One row per remediation in use: the exact IAM actions the CDK stacks grant for it, read from the catalog. */
export function controlPermissionRows(): string[][] {
  return remediationsInUse().map((remediation) => [
    controlsOf(remediation),
    `\`${remediation.runbook}\``,
    code(remediation.permissions.read),
    withChecked(remediation.permissions.directWrite, remediation.permissions.checkedOnCall?.directWrite),
    withChecked(remediation.permissions.automation, remediation.permissions.checkedOnCall?.automation),
  ]);
}

/** The Markdown table (Prettier pads it when the README is formatted; the cells stay the same). */
export function controlPermissionsTable(): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(HEADER), line(HEADER.map(() => '---')), ...controlPermissionRows().map(line)].join('\n');
}

/** `readme` with the text between the markers replaced by the table generated from the catalog. */
export function withControlPermissionsTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start) throw new Error(`README.md lacks the lines ${TABLE_START} … ${TABLE_END}`);
  return `${readme.slice(0, start + TABLE_START.length)}\n\n${controlPermissionsTable()}\n\n${readme.slice(end)}`;
}
