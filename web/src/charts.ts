// Small SVG charts with value axes: no chart library needed for a handful of series.
import { healthFactor } from "./format";

export interface Point {
  label: string;
  value: number;
}

/** Round tick values from 0 to at least `max`: 0, step, 2·step, … with step 1, 2 or 5 × 10^k. */
export function ticks(max: number, count = 4): number[] {
  const top = max > 0 && Number.isFinite(max) ? max : 1;
  const rough = top / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const values: number[] = [];
  for (let v = 0; v < top + step * 1e-9; v += step) values.push(Number(v.toPrecision(12)));
  if (values[values.length - 1] < top - step * 1e-9) values.push(Number((values.length * step).toPrecision(12)));
  return values;
}

/** A tick value for an axis: up to 2 decimals, trailing zeros dropped, thousands grouped. */
export function tickLabel(value: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** A chart's size (SVG units) and the margins around its plot area. */
interface Layout {
  w: number;
  h: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const SMALL: Layout = { w: 360, h: 150, left: 44, right: 8, top: 8, bottom: 32 };
const WIDE: Layout = { w: 720, h: 240, left: 52, right: 10, top: 10, bottom: 34 };
const plotW = (l: Layout) => l.w - l.left - l.right;
const plotH = (l: Layout) => l.h - l.top - l.bottom;

/** Y axis (ticks, grid lines, values) and both axis titles around the plot area. */
function axes(l: Layout, yTicks: number[], top: number, xTitle: string, yTitle: string): string {
  const y = (v: number) => l.top + plotH(l) - (v / top) * plotH(l);
  const grid = yTicks
    .map((v) => `<line class="grid" x1="${l.left}" x2="${l.w - l.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/><text class="tick" x="${l.left - 4}" y="${(y(v) + 3).toFixed(1)}" text-anchor="end">${tickLabel(v)}</text>`)
    .join("");
  const base = l.top + plotH(l);
  const frame = `<line class="axis" x1="${l.left}" x2="${l.left}" y1="${l.top}" y2="${base}"/><line class="axis" x1="${l.left}" x2="${l.w - l.right}" y1="${base}" y2="${base}"/>`;
  const titles = `<text class="axis-title" x="${l.left + plotW(l) / 2}" y="${l.h - 2}" text-anchor="middle">${xTitle}</text><text class="axis-title" transform="translate(10 ${l.top + plotH(l) / 2}) rotate(-90)" text-anchor="middle">${yTitle}</text>`;
  return grid + frame + titles;
}

/** X labels under the slots, thinned so at most about 12 show, counted back from the latest (always labelled). */
function xLabels(l: Layout, labels: string[]): string {
  const slot = plotW(l) / Math.max(labels.length, 1);
  const every = Math.ceil(labels.length / 12);
  return labels
    .map((label, i) => ((labels.length - 1 - i) % every === 0 ? `<text class="tick" x="${(l.left + slot * (i + 0.5)).toFixed(1)}" y="${l.top + plotH(l) + 12}" text-anchor="middle">${label}</text>` : ""))
    .join("");
}

/** A bar chart per epoch with a title, the last value, value axes in `unit`, and a tooltip per bar. */
export function barChart(id: string, title: string, unit: string, points: Point[], max?: number): string {
  const yTicks = ticks(Math.max(max ?? 0, ...points.map((p) => p.value)));
  const top = yTicks[yTicks.length - 1];
  const l = SMALL;
  const slot = plotW(l) / Math.max(points.length, 1);
  const bars = points
    .map((p, i) => {
      const h = Math.max(1, (p.value / top) * plotH(l));
      const x = l.left + i * slot + slot * 0.15;
      return `<rect x="${x.toFixed(1)}" y="${(l.top + plotH(l) - h).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}"><title>epoch ${p.label}: ${p.value} ${unit}</title></rect>`;
    })
    .join("");
  const last = points.length ? `${points[points.length - 1].value} ${unit}` : "no data";
  return `<figure class="chart" data-testid="${id}" data-points="${points.length}">
    <figcaption>${title} <span class="muted">(latest: ${last})</span></figcaption>
    <svg viewBox="0 0 ${l.w} ${l.h}" role="img" aria-label="${title} by epoch">${axes(l, yTicks, top, "epoch", unit)}${bars}${xLabels(l, points.map((p) => p.label))}</svg>
  </figure>`;
}

/** One block's health factor as the vault computed it at that block. */
export type HealthPoint =
  /** Liquidation limit ÷ debt, in bps (10,000 = 1×). */
  | { block: number; time: number; kind: "factor"; factorBps: number }
  /** The position owed nothing: the factor is unbounded. */
  | { block: number; time: number; kind: "no-debt" }
  /** The vault could not value the pool then (its refusal, e.g. StaleFeed or Unpriced). */
  | { block: number; time: number; kind: "unvalued"; reason: string };

/** The health factor by block: bars in "×" (liquidation limit ÷ debt) with the liquidation line
 * at 1, "∞" where nothing was owed and "×" marks where the vault could not value the pool. */
export function healthChart(id: string, points: HealthPoint[]): string {
  const l = WIDE;
  const factors = points.flatMap((p) => (p.kind === "factor" ? [p.factorBps / 10_000] : []));
  const yTicks = ticks(Math.max(1.5, ...factors));
  const top = yTicks[yTicks.length - 1];
  const slot = plotW(l) / Math.max(points.length, 1);
  const base = l.top + plotH(l);
  const when = (t: number) => new Date(t).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  const marks = points
    .map((p, i) => {
      const x = l.left + i * slot;
      const middle = (x + slot / 2).toFixed(1);
      const tip = `block ${p.block} (${when(p.time)})`;
      if (p.kind === "factor") {
        const value = p.factorBps / 10_000;
        const h = Math.max(1, (Math.min(value, top) / top) * plotH(l));
        const cls = value < 1 ? ' class="danger"' : "";
        return `<rect${cls} data-block="${p.block}" data-bps="${p.factorBps}" x="${(x + slot * 0.15).toFixed(1)}" y="${(base - h).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}"><title>${tip}: health factor ${healthFactor(BigInt(p.factorBps))}</title></rect>`;
      }
      if (p.kind === "no-debt") return `<text class="mark" data-block="${p.block}" data-kind="no-debt" x="${middle}" y="${l.top + 12}" text-anchor="middle">∞<title>${tip}: no debt</title></text>`;
      return `<text class="mark unvalued" data-block="${p.block}" data-kind="unvalued" data-reason="${p.reason}" x="${middle}" y="${base - 4}" text-anchor="middle">×<title>${tip}: not valued (${p.reason})</title></text>`;
    })
    .join("");
  const liquidation = base - (1 / top) * plotH(l);
  const line = `<line class="limit" x1="${l.left}" x2="${l.w - l.right}" y1="${liquidation.toFixed(1)}" y2="${liquidation.toFixed(1)}"/><text class="limit-label" x="${l.left + 4}" y="${(liquidation - 3).toFixed(1)}">1× liquidation</text>`;
  const last = points[points.length - 1];
  const latest = !last ? "no data" : last.kind === "factor" ? healthFactor(BigInt(last.factorBps)) : last.kind === "no-debt" ? "∞ (no debt)" : `not valued (${last.reason})`;
  const reasons = new Map<string, number>();
  for (const p of points) if (p.kind === "unvalued") reasons.set(p.reason, (reasons.get(p.reason) ?? 0) + 1);
  const unvalued = reasons.size ? ` (${[...reasons].map(([reason, n]) => `${reason}: ${n} block${n === 1 ? "" : "s"}`).join(", ")})` : "";
  return `<figure class="chart wide" data-testid="${id}" data-points="${points.length}">
    <figcaption>Health factor by block <span class="muted">(latest: ${latest})</span></figcaption>
    <svg viewBox="0 0 ${l.w} ${l.h}" role="img" aria-label="Health factor by block">${axes(l, yTicks, top, "block", "health factor (×)")}${line}${marks}${xLabels(l, points.map((p) => String(p.block)))}</svg>
    <div class="muted legend">each bar: the vault's own <code>health</code>, dry-run at that block · ∞ no debt · × the vault could not value the pool${unvalued}</div>
  </figure>`;
}
