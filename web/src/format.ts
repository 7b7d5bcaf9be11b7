// Units shown to people. Token and stablecoin both have 6 decimals; ratios are basis points.

export const DECIMALS = 6;

/** Base units as a decimal string with thousands separators (unless `grouped` is false), trailing zeros dropped. */
export function formatUnits(units: bigint, decimals = DECIMALS, grouped = true): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const scale = 10n ** BigInt(decimals);
  const digits = (abs / scale).toString();
  const whole = grouped ? digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",") : digits;
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

/** u128::MAX: the credit vault's health factor of a position without debt. */
export const UNBOUNDED = (1n << 128n) - 1n;

/** A health factor in bps (10,000 = 1×) as people read it, rounded down so never healthier than
 * the vault says: 222257 → "22.22×"; "∞" without debt. */
export function healthFactor(factorBps: bigint): string {
  if (factorBps >= UNBOUNDED) return "∞";
  const hundredths = factorBps / 100n;
  const whole = (hundredths / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${whole}.${(hundredths % 100n).toString().padStart(2, "0")}×`;
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

/**
 * The token's yield stream as a holder sees it: each distribution is released linearly until
 * `streamEnd`, to whoever holds at the time; `streaming` is what is left to release as of the
 * last block (`state().rewards`). A holder of `balance` of `supply` gets about that share of it.
 */
export function streamLine(streaming: bigint, streamEnd: bigint, balance: bigint, supply: bigint): string {
  if (streaming === 0n) return "all distributed yield is released";
  const share = supply > 0n ? (streaming * balance) / supply : 0n;
  return `${usdc(streaming)} still streaming to holders until ${date(streamEnd)}; about ${usdc(share)} of it to this balance`;
}

/** The transfer-limit and lockup modules as one holder meets them now (`state().rules` and
 * `holding().compliance`; each counts only while its module is on and its period runs, as the
 * token's `ComplianceRules::locked_at`/`sent_at` decide). Empty when neither applies. */
export function senderLimits(
  rules: { transferLimit: bigint; transferWindow: bigint; lockup: bigint },
  record: { windowStart: bigint; sent: bigint; locked: bigint; lockedUntil: bigint },
  now: bigint,
): string[] {
  const lines: string[] = [];
  if (rules.lockup > 0n && now < record.lockedUntil && record.locked > 0n) {
    lines.push(`${gpuHours(record.locked)} minted to this account locked until ${date(record.lockedUntil)}`);
  }
  if (rules.transferLimit > 0n) {
    const running = now < record.windowStart + rules.transferWindow;
    const sent = running ? record.sent : 0n;
    const until = running ? ` (window ends ${date(record.windowStart + rules.transferWindow)})` : "";
    lines.push(`sent ${gpuHours(sent)} of ${gpuHours(rules.transferLimit)} allowed per ${formatUnits(rules.transferWindow, 3)} s${until}`);
  }
  return lines;
}
