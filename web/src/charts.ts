// Small SVG bar charts for per-epoch oracle figures: no chart library needed for four series.

export interface Point {
  label: string;
  value: number;
}

/** A bar chart with a title, the last value, and a tooltip per bar. */
export function barChart(id: string, title: string, unit: string, points: Point[], max?: number): string {
  const width = 320;
  const height = 120;
  const top = Math.max(max ?? 0, ...points.map((p) => p.value), 1e-9);
  const slot = width / Math.max(points.length, 1);
  const bars = points
    .map((p, i) => {
      const h = Math.max(1, (p.value / top) * (height - 10));
      const x = i * slot + slot * 0.15;
      const label = `<text x="${(x + slot * 0.35).toFixed(1)}" y="${height + 13}" text-anchor="middle">${p.label}</text>`;
      return `<rect x="${x.toFixed(1)}" y="${(height - h).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}"><title>epoch ${p.label}: ${p.value} ${unit}</title></rect>${label}`;
    })
    .join("");
  const last = points.length ? `${points[points.length - 1].value} ${unit}` : "no data";
  return `<figure class="chart" data-testid="${id}" data-points="${points.length}">
    <figcaption>${title} <span class="muted">(latest: ${last})</span></figcaption>
    <svg viewBox="0 0 ${width} ${height + 16}" role="img" aria-label="${title} by epoch">${bars}</svg>
  </figure>`;
}
