import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  CHART_COLORS,
  ChartOptionsError,
  type ChartPoint,
  axisMaximum,
  openFindingsChartPng,
} from '../../../blocks/digest-chart.js';
import { forEachTextPixel, textHeight, textWidth } from '../../../blocks/pixel-font.js';

type Rgb = readonly [number, number, number];
type Image = { width: number; height: number; data: Buffer };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const LAST_DAY = Date.UTC(2026, 10, 22);

/** `count` consecutive days ending 2026-11-22, with the open counts `openOn(index)`. */
function series(count: number, openOn: (index: number) => number): ChartPoint[] {
  return Array.from({ length: count }, (_, index) => ({
    day: new Date(LAST_DAY - (count - 1 - index) * 86_400_000).toISOString().slice(0, 10),
    open: openOn(index),
  }));
}

/** Eight weeks shaped like a real team's: a burst of new findings, then a remediation sprint. */
const EIGHT_WEEKS = series(
  56,
  (index) => 40 + Math.round(12 * Math.sin(index / 6)) + (index > 20 && index < 38 ? 25 : 0),
);

function decode(png: Buffer): Image {
  return PNG.sync.read(png);
}

function colorAt(image: Image, x: number, y: number): Rgb {
  const offset = (y * image.width + x) * 4;
  return [image.data[offset]!, image.data[offset + 1]!, image.data[offset + 2]!];
}

function isColor(image: Image, x: number, y: number, [red, green, blue]: Rgb): boolean {
  const offset = (y * image.width + x) * 4;
  return image.data[offset] === red && image.data[offset + 1] === green && image.data[offset + 2] === blue;
}

function countColor(image: Image, color: Rgb): number {
  let count = 0;
  for (let y = 0; y < image.height; y += 1) {
    for (let x = 0; x < image.width; x += 1) if (isColor(image, x, y, color)) count += 1;
  }
  return count;
}

/**
 * Whether `text` is drawn in `color` somewhere, at any font size: every lit pixel of the glyphs has the colour and
 * no unlit pixel inside the text's box has it. This reads labels back from the picture, like a very strict OCR.
 */
function hasText(image: Image, text: string, color: Rgb): boolean {
  const colored: [number, number][] = [];
  for (let y = 0; y < image.height; y += 1) {
    for (let x = 0; x < image.width; x += 1) if (isColor(image, x, y, color)) colored.push([x, y]);
  }
  for (let scale = 1; scale <= 4; scale += 1) {
    const [width, height] = [textWidth(text, scale), textHeight(scale)];
    const lit: boolean[] = Array<boolean>(width * height).fill(false);
    forEachTextPixel(text, scale, (x, y) => (lit[y * width + x] = true));
    const first = lit.indexOf(true);
    const [firstX, firstY] = [first % width, Math.floor(first / width)];
    // Anchor candidates on pixels of the colour: the text's first lit pixel must be one of them.
    const found = colored.some(([x, y]) => {
      const [left, top] = [x - firstX, y - firstY];
      if (left < 0 || top < 0 || left + width > image.width || top + height > image.height) return false;
      return lit.every(
        (on, index) => isColor(image, left + (index % width), top + Math.floor(index / width), color) === on,
      );
    });
    if (found) return true;
  }
  return false;
}

/** Horizontal runs of bar colour on the lowest row that has any: one run per day with open findings. */
function barRunsOnBaseline(image: Image): { left: number; right: number; color: Rgb }[] {
  const isBar = (x: number, y: number) =>
    isColor(image, x, y, CHART_COLORS.bar) || isColor(image, x, y, CHART_COLORS.lastBar);
  let baseline = -1;
  for (let y = image.height - 1; y >= 0 && baseline < 0; y -= 1) {
    for (let x = 0; x < image.width; x += 1) if (isBar(x, y)) baseline = y;
  }
  const runs: { left: number; right: number; color: Rgb }[] = [];
  for (let x = 0; x < image.width; x += 1) {
    if (!isBar(x, baseline)) continue;
    const previous = runs.at(-1);
    if (previous && previous.right === x) previous.right = x + 1;
    else runs.push({ left: x, right: x + 1, color: colorAt(image, x, baseline) });
  }
  return runs;
}

describe('openFindingsChartPng', () => {
  it('writes a PNG: signature, IHDR with the size, and pngjs reads it back pixel for pixel', () => {
    const png = openFindingsChartPng(EIGHT_WEEKS);

    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([800, 300]);
    const image = PNG.sync.read(png);
    const again = PNG.sync.read(PNG.sync.write(image));
    expect(again.data.equals(image.data)).toBe(true);
  });

  it.each([
    [{}, 800, 300],
    [{ width: 640, height: 240 }, 640, 240],
    [{ width: 1200, height: 450 }, 1200, 450],
    [{ width: 160, height: 100 }, 160, 100],
  ])('honours the size %o', (options, width, height) => {
    const image = decode(openFindingsChartPng(EIGHT_WEEKS, options));

    expect([image.width, image.height]).toEqual([width, height]);
  });

  it.each([[{ width: 0 }], [{ width: 640.5 }], [{ height: 50 }], [{ width: 100_000 }]])(
    'refuses the size %o with CHART_OPTIONS_INVALID',
    (options) => {
      expect(() => openFindingsChartPng(EIGHT_WEEKS, options)).toThrow(ChartOptionsError);
    },
  );

  it('gives the same bytes for the same points, and different bytes for different points', () => {
    const first = openFindingsChartPng(EIGHT_WEEKS, { title: 'Open findings' });
    const second = openFindingsChartPng(structuredClone(EIGHT_WEEKS), { title: 'Open findings' });
    const other = openFindingsChartPng(
      series(56, () => 3),
      { title: 'Open findings' },
    );

    expect(first.equals(second)).toBe(true);
    expect(first.equals(other)).toBe(false);
  });

  it('paints a taller last bar for a higher last value', () => {
    const lastBarPixels = (lastOpen: number) =>
      countColor(
        decode(openFindingsChartPng(series(56, (index) => (index === 55 ? lastOpen : 40)))),
        CHART_COLORS.lastBar,
      );

    expect(lastBarPixels(60)).toBeGreaterThan(lastBarPixels(30));
    expect(lastBarPixels(30)).toBeGreaterThan(lastBarPixels(5));
    expect(lastBarPixels(5)).toBeGreaterThan(0);
  });

  it('gives each of 56 days its own bar, the last one emphasised and rightmost', () => {
    for (const width of [800, 400]) {
      const image = decode(openFindingsChartPng(EIGHT_WEEKS, { width, height: 300 }));

      const runs = barRunsOnBaseline(image);

      expect(runs).toHaveLength(56);
      expect(runs.slice(0, 55).every((run) => run.color.join() === CHART_COLORS.bar.join())).toBe(true);
      expect(runs.at(-1)!.color).toEqual(CHART_COLORS.lastBar);
      expect(runs.at(-1)!.right).toBeLessThanOrEqual(width);
    }
  });

  it('draws bars in proportion to their values', () => {
    const image = decode(openFindingsChartPng(series(14, (index) => (index % 2 === 0 ? 10 : 20))));
    const heightAt = (x: number) => {
      let pixels = 0;
      for (let y = 0; y < image.height; y += 1) if (isColor(image, x, y, CHART_COLORS.bar)) pixels += 1;
      return pixels;
    };
    const runs = barRunsOnBaseline(image);

    const [ten, twenty] = [heightAt(runs[0]!.left), heightAt(runs[1]!.left)];

    expect(Math.abs(twenty - 2 * ten)).toBeLessThanOrEqual(1);
  });

  it('writes the title, the last value, 0 and a round maximum on the y axis', () => {
    const image = decode(
      openFindingsChartPng(
        series(56, (index) => (index === 30 ? 82 : index === 55 ? 47 : 20)),
        { title: 'Digest 2026-W47' },
      ),
    );

    expect(hasText(image, 'DIGEST 2026-W47', CHART_COLORS.title)).toBe(true);
    expect(hasText(image, '47', CHART_COLORS.lastValue)).toBe(true);
    expect(hasText(image, '100', CHART_COLORS.label)).toBe(true);
    expect(hasText(image, '0', CHART_COLORS.label)).toBe(true);
    expect(hasText(image, '82', CHART_COLORS.label)).toBe(false);
  });

  it.each([
    [56, ['09-28', '10-05', '10-12', '10-19', '10-26', '11-02', '11-09', '11-16'], ['09-29', '11-22']],
    // 52 days start on Friday 10-02: that partial week gets no label, weeks still start on 11-16, 11-09, …
    [52, ['10-05', '10-12', '10-19', '10-26', '11-02', '11-09', '11-16'], ['10-02', '11-22']],
  ])(
    'labels the start of each week (MM-DD) of %i days, counted back from the last day',
    (days, labelled, unlabelled) => {
      const image = decode(openFindingsChartPng(series(days, (index) => 30 + (index % 5))));

      for (const weekStart of labelled)
        expect(hasText(image, weekStart, CHART_COLORS.label), weekStart).toBe(true);
      for (const day of unlabelled) expect(hasText(image, day, CHART_COLORS.label), day).toBe(false);
    },
  );

  it('says "no data yet" for no points, with no bars', () => {
    const image = decode(openFindingsChartPng([]));

    expect([image.width, image.height]).toEqual([800, 300]);
    expect(hasText(image, 'NO DATA YET', CHART_COLORS.label)).toBe(true);
    expect(countColor(image, CHART_COLORS.bar) + countColor(image, CHART_COLORS.lastBar)).toBe(0);
  });

  it('draws all-zero days as an empty chart whose last value reads 0', () => {
    const image = decode(openFindingsChartPng(series(56, () => 0)));

    expect(countColor(image, CHART_COLORS.bar) + countColor(image, CHART_COLORS.lastBar)).toBe(0);
    expect(hasText(image, '0', CHART_COLORS.lastValue)).toBe(true);
    expect(hasText(image, '1', CHART_COLORS.label)).toBe(true);
  });

  it('draws a single day and nonsense counts without throwing', () => {
    expect(decode(openFindingsChartPng(series(1, () => 3))).width).toBe(800);
    expect(decode(openFindingsChartPng(series(3, (index) => [Number.NaN, -4, Infinity][index]!))).width).toBe(
      800,
    );
  });

  it('shortens a title too long for the width', () => {
    const image = decode(
      openFindingsChartPng(EIGHT_WEEKS, {
        width: 400,
        height: 150,
        title: 'Open HIGH and CRITICAL findings per day over the last eight weeks',
      }),
    );

    expect(hasText(image, '...', CHART_COLORS.title)).toBe(true);
    expect(hasText(image, 'OPEN HIGH', CHART_COLORS.title)).toBe(true);
  });
});

describe('axisMaximum', () => {
  it.each([
    [0, 1],
    [1, 1],
    [2, 2],
    [7, 8],
    [9, 10],
    [10, 10],
    [11, 15],
    [37, 40],
    [82, 100],
    [101, 150],
    [1234, 1500],
  ])('rounds %i up to %i', (max, expected) => {
    expect(axisMaximum(max)).toBe(expected);
  });
});
