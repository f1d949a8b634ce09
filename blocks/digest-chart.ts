import { PNG } from 'pngjs';
import { AppError } from '../src/domain/app-error.js';
import { forEachTextPixel, textHeight, textWidth } from './pixel-font.js';

/** Open findings at the end of one local day. */
export interface ChartPoint {
  /** ISO date, e.g. `2026-11-22`. */
  readonly day: string;
  readonly open: number;
}

export interface ChartOptions {
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
}

type Rgb = readonly [number, number, number];

/** Exported so tests can read the picture back by colour. */
export const CHART_COLORS = {
  background: [255, 255, 255],
  grid: [229, 231, 235],
  axis: [107, 114, 128],
  title: [17, 24, 39],
  label: [75, 85, 99],
  bar: [147, 197, 253],
  lastBar: [29, 78, 216],
  lastValue: [30, 58, 138],
} as const satisfies Record<string, Rgb>;

export const CHART_DEFAULTS = { width: 800, height: 300, title: 'Open findings per day' } as const;
const SIZE_LIMITS = { minWidth: 160, maxWidth: 4000, minHeight: 100, maxHeight: 4000 } as const;
const GRID_DIVISIONS = 4;
const DAYS_PER_WEEK = 7;

/** A chart size the renderer refuses: too small to hold its labels, or large enough to be a mistake. */
export class ChartOptionsError extends AppError {
  readonly code = 'CHART_OPTIONS_INVALID';
}

/**
 * The digest's picture: one bar per day of open findings, the last day (the digest's) in a darker colour with its
 * value above it, y labels at 0 and a round maximum, x labels at the start of each digest week. Weeks are counted
 * back from the last point, because the series always ends on the digest's last day. Pure and deterministic:
 * the same points give the same bytes.
 */
export function openFindingsChartPng(points: readonly ChartPoint[], options: ChartOptions = {}): Buffer {
  const width = options.width ?? CHART_DEFAULTS.width;
  const height = options.height ?? CHART_DEFAULTS.height;
  checkSize(width, height);
  const canvas = new Canvas(width, height);
  const layout = layoutFor(width, height, points);

  canvas.text(
    layout.pad,
    layout.pad,
    fitText(options.title ?? CHART_DEFAULTS.title, layout.titleScale, width - 2 * layout.pad),
    layout.titleScale,
    CHART_COLORS.title,
  );

  if (points.length === 0) {
    drawAxes(canvas, layout);
    const message = 'no data yet';
    canvas.text(
      layout.plot.left + Math.floor((layout.plot.width - textWidth(message, layout.scale)) / 2),
      layout.plot.top + Math.floor((layout.plot.height - textHeight(layout.scale)) / 2),
      message,
      layout.scale,
      CHART_COLORS.label,
    );
    return encode(canvas);
  }

  drawGrid(canvas, layout);
  drawBars(canvas, layout, points);
  drawAxes(canvas, layout);
  drawYLabels(canvas, layout);
  drawXLabels(canvas, layout, points);
  drawLastValue(canvas, layout, points);
  return encode(canvas);
}

/** The y axis' top: the smallest "round" number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ⁿ) ≥ max, at least 1. */
export function axisMaximum(max: number): number {
  if (!(max > 1)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    const candidate = Number((step * magnitude).toPrecision(12));
    if (candidate >= max) return candidate;
  }
  return 10 * magnitude;
}

interface Layout {
  /** Font pixel size of labels; the title is one size up when it fits. */
  readonly scale: number;
  readonly titleScale: number;
  readonly pad: number;
  readonly axisMax: number;
  readonly plot: {
    readonly left: number;
    readonly top: number;
    readonly width: number;
    readonly height: number;
    readonly bottom: number;
    readonly right: number;
  };
}

function layoutFor(width: number, height: number, points: readonly ChartPoint[]): Layout {
  // 800×300 draws labels at 2× (14 px high): still legible when Slack shows the image at half size.
  const scale = Math.max(1, Math.min(4, Math.floor(Math.min(width / 400, height / 150))));
  const pad = 6 * scale;
  const title = textHeight(scale + 1) <= height / 10 ? scale + 1 : scale;
  const axisMax = axisMaximum(Math.max(0, ...points.map((point) => openOf(point))));
  const yLabelWidth = Math.max(textWidth(formatCount(axisMax), scale), textWidth('0', scale));
  const left = pad + yLabelWidth + 3 * scale;
  // Room above the plot for the last value when its bar reaches the top.
  const top = pad + textHeight(title) + pad + textHeight(scale) + 3 * scale;
  const bottom = height - pad - textHeight(scale) - 4 * scale;
  const right = width - pad;
  return {
    scale,
    titleScale: title,
    pad,
    axisMax,
    plot: { left, top, right, bottom, width: right - left, height: bottom - top },
  };
}

function drawGrid(canvas: Canvas, { plot }: Layout): void {
  for (let line = 1; line <= GRID_DIVISIONS; line += 1) {
    canvas.fillRect(
      plot.left,
      plot.bottom - Math.round((line / GRID_DIVISIONS) * plot.height),
      plot.width,
      1,
      CHART_COLORS.grid,
    );
  }
}

function drawBars(canvas: Canvas, layout: Layout, points: readonly ChartPoint[]): void {
  points.forEach((point, index) => {
    const { left, right } = barSpan(layout, points.length, index);
    const barHeight = barHeightOf(layout, openOf(point));
    const color = index === points.length - 1 ? CHART_COLORS.lastBar : CHART_COLORS.bar;
    canvas.fillRect(left, layout.plot.bottom - barHeight, right - left, barHeight, color);
  });
}

function drawAxes(canvas: Canvas, { plot, scale }: Layout): void {
  const thickness = Math.max(1, Math.floor(scale / 2));
  canvas.fillRect(plot.left - thickness, plot.top, thickness, plot.height + thickness, CHART_COLORS.axis);
  canvas.fillRect(plot.left - thickness, plot.bottom, plot.width + thickness, thickness, CHART_COLORS.axis);
}

function drawYLabels(canvas: Canvas, { plot, scale, axisMax }: Layout): void {
  const half = Math.floor(textHeight(scale) / 2);
  for (const [value, y] of [
    [0, plot.bottom],
    [axisMax, plot.top],
  ] as const) {
    const label = formatCount(value);
    canvas.text(plot.left - 3 * scale - textWidth(label, scale), y - half, label, scale, CHART_COLORS.label);
  }
}

function drawXLabels(canvas: Canvas, layout: Layout, points: readonly ChartPoint[]): void {
  const { plot, scale, pad } = layout;
  const labelTop = plot.bottom + 4 * scale;
  let previousEnd = -Infinity;
  for (const index of weekStartIndexes(points.length)) {
    const label = points[index]!.day.slice(5, 10);
    const { left } = barSpan(layout, points.length, index);
    const x = Math.min(left, canvas.width - pad - textWidth(label, scale));
    if (x < previousEnd + 2 * scale) continue; // too narrow a chart for every week: skip rather than overlap
    canvas.fillRect(left, plot.bottom, 1, 2 * scale, CHART_COLORS.axis);
    canvas.text(x, labelTop, label, scale, CHART_COLORS.label);
    previousEnd = x + textWidth(label, scale);
  }
}

function drawLastValue(canvas: Canvas, layout: Layout, points: readonly ChartPoint[]): void {
  const { plot, scale } = layout;
  const last = points.at(-1)!;
  const label = formatCount(openOf(last));
  const { left, right } = barSpan(layout, points.length, points.length - 1);
  const width = textWidth(label, scale);
  const x = Math.max(plot.left, Math.min(Math.round((left + right - width) / 2), plot.right - width));
  const y = plot.bottom - barHeightOf(layout, openOf(last)) - 2 * scale - textHeight(scale);
  canvas.text(x, y, label, scale, CHART_COLORS.lastValue);
}

/** Indexes of the first day of each 7-day week, counted back from the last day; the first day if none fits. */
function weekStartIndexes(count: number): number[] {
  const starts: number[] = [];
  for (let index = count - DAYS_PER_WEEK; index >= 0; index -= DAYS_PER_WEEK) starts.unshift(index);
  return starts.length > 0 ? starts : [0];
}

function barSpan({ plot }: Layout, count: number, index: number): { left: number; right: number } {
  const slot = plot.width / count;
  const gap = slot >= 4 ? Math.max(1, Math.round(slot * 0.2)) : 0;
  const left = plot.left + Math.round(index * slot + gap / 2);
  const right = Math.max(left + 1, plot.left + Math.round((index + 1) * slot - gap / 2));
  return { left, right };
}

function barHeightOf({ plot, axisMax }: Layout, open: number): number {
  if (open <= 0) return 0;
  // A day with one open finding stays visible however tall the axis is.
  return Math.max(1, Math.round((Math.min(open, axisMax) / axisMax) * plot.height));
}

/** Counts come from our own store; anything that is not a non-negative number draws as 0 rather than breaking the image. */
function openOf(point: ChartPoint): number {
  return Number.isFinite(point.open) && point.open > 0 ? point.open : 0;
}

function formatCount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function fitText(text: string, scale: number, maxWidth: number): string {
  if (textWidth(text, scale) <= maxWidth) return text;
  const chars = [...text];
  while (chars.length > 0 && textWidth(`${chars.join('')}...`, scale) > maxWidth) chars.pop();
  return `${chars.join('')}...`;
}

function checkSize(width: number, height: number): void {
  const fits = (value: number, min: number, max: number) =>
    Number.isInteger(value) && value >= min && value <= max;
  if (
    !fits(width, SIZE_LIMITS.minWidth, SIZE_LIMITS.maxWidth) ||
    !fits(height, SIZE_LIMITS.minHeight, SIZE_LIMITS.maxHeight)
  ) {
    throw new ChartOptionsError(
      `Chart size must be whole pixels, ${SIZE_LIMITS.minWidth}-${SIZE_LIMITS.maxWidth} wide and ${SIZE_LIMITS.minHeight}-${SIZE_LIMITS.maxHeight} high; got ${width}×${height}.`,
      { width, height },
    );
  }
}

function encode(canvas: Canvas): Buffer {
  // RGB without alpha (the chart is opaque). pngjs defaults to adaptive row filters with run-length-only deflate:
  // on flat colours, no filter and ordinary deflate are ~15× smaller (≈4 kB for 800×300) and faster.
  return PNG.sync.write(canvas.png, { colorType: 2, filterType: 0, deflateStrategy: 0 });
}

/** An RGBA raster with clipping, so that a label near an edge can never write outside the image. */
class Canvas {
  readonly png: PNG;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.png = new PNG({ width, height });
    this.fillRect(0, 0, width, height, CHART_COLORS.background);
  }

  fillRect(x: number, y: number, width: number, height: number, color: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + width));
    const y1 = Math.min(this.height, Math.round(y + height));
    for (let row = y0; row < y1; row += 1) {
      for (let column = x0; column < x1; column += 1) this.setPixel(column, row, color);
    }
  }

  text(x: number, y: number, text: string, scale: number, color: Rgb): void {
    forEachTextPixel(text, scale, (dx, dy) => {
      const column = x + dx;
      const row = y + dy;
      if (column >= 0 && column < this.width && row >= 0 && row < this.height)
        this.setPixel(column, row, color);
    });
  }

  private setPixel(column: number, row: number, [red, green, blue]: Rgb): void {
    const offset = (row * this.width + column) * 4;
    this.png.data[offset] = red;
    this.png.data[offset + 1] = green;
    this.png.data[offset + 2] = blue;
    this.png.data[offset + 3] = 255;
  }
}
