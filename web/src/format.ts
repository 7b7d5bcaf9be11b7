// Units shown to people. Token and stablecoin both have 6 decimals; ratios are basis points.

export const DECIMALS = 6;

/** Base units as a decimal string with thousands separators, trailing zeros dropped. */
export function formatUnits(units: bigint, decimals = DECIMALS): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const scale = 10n ** BigInt(decimals);
  const whole = (abs / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = (abs % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? "." + fraction : ""}`;
}

/** GPU-hours from token units (1 GPU-hour = 10^6 units). */
export function gpuHours(units: bigint): string {
  return `${formatUnits(units)} GPU-h`;
}

/** Stablecoin units as USDC. */
export function usdc(units: bigint): string {
  return `${formatUnits(units)} USDC`;
}

/** Basis points as a percentage: 9990 → "99.9%". */
export function bps(value: number | bigint): string {
  const n = Number(value);
  return `${(n / 100).toFixed(2).replace(/\.?0+$/, "")}%`;
}

/** Milli-GPU-hours (the oracle's unit) as GPU-hours. */
export function milliGpuHours(milli: number | bigint): string {
  return `${formatUnits(BigInt(milli), 3)} GPU-h`;
}

/** A decimal amount typed by a person ("1,500.25") in base units; null when it is not one. */
export function parseUnits(text: string, decimals = DECIMALS): bigint | null {
  const clean = text.trim().replace(/,/g, "");
  const match = /^(\d*)(?:\.(\d*))?$/.exec(clean);
  if (!match || clean === "" || clean === "." || (match[2] ?? "").length > decimals) return null;
  const whole = BigInt(match[1] || "0");
  const fraction = BigInt((match[2] ?? "").padEnd(decimals, "0") || "0");
  return whole * 10n ** BigInt(decimals) + fraction;
}

/** A time in ms since the Unix epoch as a UTC date, or "never" for 0. */
export function date(ms: number | bigint): string {
  const n = Number(ms);
  return n === 0 ? "never" : new Date(n).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** A long address shortened for tables: 5Grwva…utQY. */
export function short(address: string): string {
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}
