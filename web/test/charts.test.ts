import { describe as group, expect, it } from "vitest";
import { barChart, healthChart, type HealthPoint, tickLabel, ticks } from "../src/charts";

group("charts", () => {
  it("puts round ticks from 0 up to the largest value", () => {
    expect(ticks(100)).toEqual([0, 50, 100]);
    expect(ticks(8)).toEqual([0, 2, 4, 6, 8]);
    expect(ticks(22.22)).toEqual([0, 10, 20, 30]);
    expect(ticks(1.5)).toEqual([0, 0.5, 1, 1.5]);
    expect(ticks(0)).toEqual([0, 0.5, 1]);
    expect(tickLabel(2500)).toBe("2,500");
    expect(tickLabel(0.5)).toBe("0.5");
  });

  it("draws bar charts with value axes, their unit and the epoch axis", () => {
    const svg = barChart("chart-x", "Uptime", "%", [{ label: "3", value: 99.9 }, { label: "4", value: 97 }], 100);
    expect(svg).toContain('data-points="2"');
    expect(svg.match(/<rect /g)).toHaveLength(2);
    for (const tick of ["0", "50", "100"]) expect(svg).toContain(`text-anchor="end">${tick}</text>`);
    expect(svg).toContain(">epoch</text>");
    expect(svg).toContain(">%</text>");
    expect(svg).toContain("(latest: 97 %)");
  });

  it("charts the health factor by block: bars, an infinity mark without debt, a cross where the vault could not value the pool", () => {
    const points: HealthPoint[] = [
      { block: 10, time: 0, kind: "unvalued", reason: "StaleFeed" },
      { block: 11, time: 3_600, kind: "no-debt" },
      { block: 12, time: 7_200, kind: "factor", factorBps: 222_257 },
      { block: 13, time: 10_800, kind: "unvalued", reason: "Unpriced" },
      { block: 14, time: 14_400, kind: "factor", factorBps: 9_000 },
    ];
    const svg = healthChart("chart-health", points);
    expect(svg).toContain('data-points="5"');
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain('class="danger" data-block="14" data-bps="9000"');
    expect(svg).toContain('data-kind="no-debt"');
    expect(svg).toContain('data-reason="StaleFeed"');
    expect(svg).toContain("(StaleFeed: 1 block, Unpriced: 1 block)");
    expect(svg).toContain(">health factor (×)</text>");
    expect(svg).toContain(">block</text>");
    for (const tick of ["0", "10", "20", "30"]) expect(svg).toContain(`text-anchor="end">${tick}</text>`);
    expect(svg).toContain("1× liquidation");
    expect(svg).toContain("(latest: 0.90×)");
    expect(svg).toContain("block 12 (1970-01-01 00:00:07 UTC): health factor 22.22×");
    expect(healthChart("h", [points[3]])).toContain("(latest: not valued (Unpriced))");
    expect(healthChart("h", [])).toContain("(latest: no data)");
  });
});
