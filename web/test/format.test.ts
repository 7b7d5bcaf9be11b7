import { describe as group, expect, it } from "vitest";
import { bps, date, formatUnits, gpuHours, milliGpuHours, parseUnits, senderLimits, short, streamLine, usdc } from "../src/format";

group("units", () => {
  it("formats token and stablecoin units with 6 decimals", () => {
    expect(gpuHours(5_760_000_000n)).toBe("5,760 GPU-h");
    expect(gpuHours(2_990_500_000n)).toBe("2,990.5 GPU-h");
    expect(usdc(48_150n)).toBe("0.04815 USDC");
    expect(usdc(1n)).toBe("0.000001 USDC");
    expect(formatUnits(0n)).toBe("0");
    expect(formatUnits(-1_500_000n)).toBe("-1.5");
    expect(formatUnits(5_760_000_000n, 6, false)).toBe("5760");
  });

  it("describes the yield stream as a holder's share of it", () => {
    expect(streamLine(0n, 4_102_444_800_000n, 2n, 3n)).toBe("all distributed yield is released");
    expect(streamLine(3_000_000n, 4_102_444_800_000n, 2_000_000_000n, 3_000_000_000n)).toBe(
      "3 USDC still streaming to holders until 2100-01-01 00:00:00 UTC; about 2 USDC of it to this balance",
    );
    expect(streamLine(5n, 0n, 1n, 0n)).toContain("about 0 USDC");
  });

  it("formats basis points and milli-GPU-hours", () => {
    expect(bps(9990)).toBe("99.9%");
    expect(bps(10_000)).toBe("100%");
    expect(bps(950)).toBe("9.5%");
    expect(milliGpuHours(8)).toBe("0.008 GPU-h");
    expect(milliGpuHours(8000)).toBe("8 GPU-h");
  });

  it("parses what people type, and refuses what is not an amount", () => {
    expect(parseUnits("1,500.25")).toBe(1_500_250_000n);
    expect(parseUnits(".5")).toBe(500_000n);
    expect(parseUnits("10")).toBe(10_000_000n);
    expect(parseUnits("1.0000001")).toBeNull();
    expect(parseUnits("-1")).toBeNull();
    expect(parseUnits("abc")).toBeNull();
    expect(parseUnits("")).toBeNull();
  });

  it("shows dates and addresses compactly", () => {
    expect(date(4_102_444_800_000)).toBe("2100-01-01 00:00:00 UTC");
    expect(date(0)).toBe("never");
    expect(short("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")).toBe("5Grwva…utQY");
  });
});

import { barChart } from "../src/charts";

group("charts", () => {
  it("draws one bar per epoch, scaled to the largest, with its epoch and value", () => {
    const svg = barChart("chart-x", "Uptime", "%", [{ label: "3", value: 99.9 }, { label: "4", value: 97 }], 100);
    expect(svg).toContain('data-points="2"');
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain("<title>epoch 4: 97 %</title>");
    expect(svg).toContain("(latest: 97 %)");
    expect(barChart("chart-y", "Energy", "Wh", [])).toContain("no data");
  });
});

group("compliance modules a holder meets", () => {
  const rules = { transferLimit: 300_000_000n, transferWindow: 3_600_000n, lockup: 86_400_000n };
  const record = { windowStart: 4_102_444_800_000n, sent: 100_000_000n, locked: 2_000_000_000n, lockedUntil: 4_102_531_200_000n };
  it("shows the lockup and the running window", () => {
    expect(senderLimits(rules, record, 4_102_444_800_001n)).toEqual([
      "2,000 GPU-h minted to this account locked until 2100-01-02 00:00:00 UTC",
      "sent 100 GPU-h of 300 GPU-h allowed per 3,600 s (window ends 2100-01-01 01:00:00 UTC)",
    ]);
  });
  it("drops what has ended and what is off", () => {
    expect(senderLimits(rules, record, 4_102_531_200_000n)).toEqual(["sent 0 GPU-h of 300 GPU-h allowed per 3,600 s"]);
    expect(senderLimits({ transferLimit: 0n, transferWindow: 0n, lockup: 0n }, record, 0n)).toEqual([]);
  });
});
