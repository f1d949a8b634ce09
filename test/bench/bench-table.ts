/** One line of the `npm run bench` table: a figure against its goal and against a baseline measured in the same run. */
export interface BenchRow {
  readonly figure: string;
  readonly goal: string;
  readonly measured: string;
  /** What the same machine does with no bot code in the way ("—" when nothing compares). */
  readonly baseline: string;
  /** measured ÷ baseline, or "—". */
  readonly ratio: string;
  /** Whether the measured value meets the goal; undefined when the goal is informational. */
  readonly meetsGoal?: boolean;
}

export const NONE = '—';

export function ms(value: number): string {
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`;
}

export function ratio(measured: number, baseline: number): string {
  return baseline > 0 && Number.isFinite(measured) ? `${(measured / baseline).toFixed(2)}×` : NONE;
}

export function mb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(2)} MB`;
}

const COLUMNS = ['Figure', 'Goal', 'Measured', 'Baseline (same run)', 'Ratio', 'Meets goal'] as const;

function cells(row: BenchRow): string[] {
  const verdict = row.meetsGoal === undefined ? NONE : row.meetsGoal ? 'yes' : '**no**';
  return [row.figure, row.goal, row.measured, row.baseline, row.ratio, verdict];
}

/** A Markdown table (also readable as plain text in a terminal). */
export function markdownTable(rows: readonly BenchRow[]): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  const lines = [
    `| ${COLUMNS.join(' | ')} |`,
    `| ${COLUMNS.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${cells(row).map(escape).join(' | ')} |`),
  ];
  return lines.join('\n');
}
