// The credit vault's lender and borrower views. Every figure is the vault's own answer (dry runs
// of `state`, `lender`, `previews`, `health` and `valuation`); the health chart is `health`
// dry-run at each recent block, so the app never values the pool itself. Actions go through
// `Pool.send`, as the investor view's do, after approving the vault for what it pulls.
import type { Codec } from "@polkadot/types/types";
import { amountForm, approve, onSubmit, type Signer } from "./actions";
import { big, get, maybe, type Pool, some } from "./chain";
import { healthChart, type HealthPoint } from "./charts";
import { ContractError, describe } from "./errors";
import { bps, formatUnits, gpuHours, healthFactor, parseUnits, UNBOUNDED, usdc } from "./format";
import { card, escape, status } from "./ui";

/** One share in share units: shares have the stablecoin's 6 decimals (a first deposit issues a unit per unit). */
export const ONE_SHARE = 1_000_000n;
/** Recent blocks the health chart covers. */
export const HISTORY_BLOCKS = 24;
/** Blocks asked about at once. */
const HISTORY_BATCH = 4;

/** Stablecoin units per share with all 6 decimals shown (a price moves in its last digits): 1000000 → "1.000000". */
export function price(units: bigint): string {
  const [whole, fraction = ""] = formatUnits(units).split(".");
  return `${whole}.${fraction.padEnd(6, "0")}`;
}

/** Share units as shares (6 decimals). */
export function shares(units: bigint): string {
  return `${formatUnits(units)} shares`;
}

/** The elements of a tuple answer, e.g. `lender` → (shares, worth). */
const items = (codec: Codec) => codec as unknown as Codec[];

/** A read that may be refused: the vault's refusal is an answer (shown), anything else an error. */
async function answer<T>(read: Promise<T>): Promise<T | ContractError> {
  try {
    return await read;
  } catch (e) {
    if (e instanceof ContractError) return e;
    throw e;
  }
}

/** Why the vault cannot value `health`'s position, or undefined when it can: its refusal (StaleFeed),
 * or collateral it values at nothing (Unpriced: no recent rent, so no loan can open or close). */
function unvalued(pool: Pool, health: Codec | ContractError): ContractError | undefined {
  if (health instanceof ContractError) return health;
  const collateral = big(get(health, "position"), "collateral");
  return collateral > 0n && big(health, "value") === 0n ? describe("Unpriced", pool.docs.credit_vault ?? new Map()) : undefined;
}

/** One block of the health chart, from the vault's `health` answer at that block. */
function healthPoint(block: { number: number; time: number }, health: Codec | ContractError, pool: Pool): HealthPoint {
  const at = { block: block.number, time: block.time };
  if (health instanceof ContractError) return { ...at, kind: "unvalued", reason: health.variant };
  if (big(health, "healthFactorBps") >= UNBOUNDED) return { ...at, kind: "no-debt" };
  const refusal = unvalued(pool, health);
  if (refusal) return { ...at, kind: "unvalued", reason: refusal.variant };
  return { ...at, kind: "factor", factorBps: Number(big(health, "healthFactorBps")) };
}

/** `borrower`'s health factor as the vault computed it at each of the last `count` blocks
 * (blocks before the vault existed are left out). */
export async function healthHistory(pool: Pool, borrower: string, count = HISTORY_BLOCKS): Promise<HealthPoint[]> {
  const blocks = await pool.recentBlocks(count);
  const points: HealthPoint[] = [];
  // A few blocks at a time: each dry run takes one of the node's runtime instances.
  for (let i = 0; i < blocks.length; i += HISTORY_BATCH) {
    const batch = await Promise.all(
      blocks.slice(i, i + HISTORY_BATCH).map(async (block) => {
        const health = await answer(pool.readAt(block.hash, "credit_vault", "health", [borrower]));
        return health === undefined ? undefined : healthPoint(block, health, pool);
      }),
    );
    points.push(...batch.filter((p): p is HealthPoint => p !== undefined));
  }
  return points;
}

/** The pool's value now, as the vault's `valuation` names it (`current`; `pool_value` in its first version). */
function poolValue(valuation: Codec): bigint {
  const value = maybe(valuation, "current") ?? maybe(valuation, "poolValue");
  if (!value) throw new Error("the vault's valuation has no pool value");
  return big(value);
}

/** The pool value card: the value now, how the vault reached it and, where the vault keeps
 * checkpoints, the earlier epoch's value it weighs against it. */
function valuationCard(valuation: Codec): string {
  const inputs = get(valuation, "inputs");
  const value = poolValue(valuation);
  // The window's extremes per token unit (×10^18), shown per GPU-hour (10^6 units): a change
  // of unit, not a valuation.
  const perGpuHour = (unit: Codec) => (big(unit) * 1_000_000n) / 10n ** 18n;
  const low = maybe(valuation, "low");
  const high = maybe(valuation, "high");
  const [lowest, highest] = [low === undefined ? undefined : some(low), high === undefined ? undefined : some(high)];
  const previous =
    low === undefined
      ? ""
      : `<div class="muted" data-testid="previous-value"${highest ? ` data-units="${perGpuHour(highest)}"` : ""}>checkpoints of the trailing epochs: ${
          lowest && highest ? `${usdc(perGpuHour(lowest))} to ${usdc(perGpuHour(highest))} per GPU-hour` : "none yet"
        } (borrowing counts the lowest and now, liquidation the highest and now)</div>`;
  return card(
    "Pool value",
    `<div class="big" data-testid="pool-value" data-units="${value}">${usdc(value)}</div><div class="muted">for the whole supply of ${gpuHours(big(inputs, "supply"))}: the lower of the rent ahead at ${bps(big(inputs, "utilizationBps"))} median utilization (${usdc(big(valuation, "byUtilization"))}) and at the recent distributions' pace (${usdc(big(valuation, "byDistributions"))}${big(inputs, "pendingRent") > 0n ? `, counting ${usdc(big(inputs, "pendingRent"))} of rent pending in the escrow (disputed or unpaid) as earned` : ""}), less the haircut</div>${previous}`,
  );
}

/** Bumped by every render, so a slow one that started earlier never draws over a newer one. */
let generation = 0;

/** The vault's books now (`state()`), read once for the whole panel. */
async function vaultState(pool: Pool) {
  const state = await pool.read("credit_vault", "state");
  const totals = get(state, "totals");
  const params = get(state, "params");
  return {
    assets: big(state, "totalAssets"),
    debt: big(state, "totalDebt"),
    utilization: big(state, "utilizationBps"),
    rate: big(state, "borrowRateBps"),
    cash: big(totals, "cash"),
    shares: big(totals, "shares"),
    badDebt: big(totals, "badDebt"),
    collateral: big(totals, "collateral"),
    recovered: big(totals, "recovered"),
    paused: get(totals, "paused").toString() === "true",
    ltv: big(params, "ltvBps"),
    threshold: big(params, "liquidationThresholdBps"),
  };
}

const pausedWarning = '<div class="warning" data-testid="vault-paused">The vault is paused: no deposits, mints or borrowing; locking collateral, repaying, withdrawing, redeeming and unlocking stay open.</div>';

// ---- lenders -------------------------------------------------------------------------------------

/** The lender view: the vault's share price, assets, cash, utilization and rate; `account`'s shares,
 * their worth and its stablecoin; deposit, withdraw and redeem. */
export async function lenderPanel(pool: Pool, account: Signer | undefined, panel: HTMLElement): Promise<void> {
  const mine = ++generation;
  const v = await vaultState(pool);
  // What one share redeems for now (the vault's `previews`: deposit, mint, withdraw, redeem).
  const perShare = big(items(await pool.read("credit_vault", "previews", [ONE_SHARE]))[3]);
  const who = account?.address;
  const lent = who ? items(await pool.read("credit_vault", "lender", [who])) : undefined;
  const wallet = who ? big(await pool.read("stablecoin", "PSP22::balance_of", [who])) : undefined;
  if (mine !== generation) return;
  const rerender = () => lenderPanel(pool, account, panel);
  const utilization = Number(v.utilization) / 100;
  panel.innerHTML = `${v.paused ? pausedWarning : ""}
    <div class="grid">
      ${card("Share price", `<div class="big" data-testid="share-price" data-units="${perShare}">${price(perShare)} USDC</div><div class="muted">per share (what one share redeems for now) · ${shares(v.shares)} issued${v.badDebt > 0n ? ` · bad debt written off ${usdc(v.badDebt)}` : ""}${v.recovered > 0n ? ` · ${gpuHours(v.recovered)} of written-off collateral kept for lenders (their last yield is the lenders')` : ""}</div>`)}
      ${card("Lenders' assets", `<div class="big" data-testid="vault-assets" data-units="${v.assets}">${usdc(v.assets)}</div><div class="muted">cash not lent out <span data-testid="vault-cash" data-units="${v.cash}">${usdc(v.cash)}</span> · lent out ${usdc(v.debt)}</div>`)}
      ${card("Utilization", `<div class="big" data-testid="utilization" data-bps="${v.utilization}">${bps(v.utilization)}</div><div class="bar"><div style="width:${Math.min(utilization, 100)}%"></div></div><div class="muted">lent share of the lenders' assets</div>`)}
      ${card("Borrow rate", `<div class="big" data-testid="borrow-rate" data-bps="${v.rate}">${bps(v.rate)} a year</div><div class="muted">set by utilization; paid by borrowers to lenders</div>`)}
    </div>
    ${
      who && lent && wallet !== undefined
        ? `<h2>${escape(account!.name)}</h2>
    <div class="grid">
      ${card("Your shares", `<div class="big" data-testid="lender-shares" data-account="${who}" data-units="${big(lent[0])}">${shares(big(lent[0]))}</div><div class="muted">worth <span data-testid="lender-worth" data-units="${big(lent[1])}">${usdc(big(lent[1]))}</span> now</div>`)}
      ${card("Stablecoin", `<div class="big" data-testid="lender-stablecoin" data-units="${wallet}">${usdc(wallet)}</div><div class="muted">in this account, free to lend</div>`)}
    </div>
    <h2>Lend</h2>
    ${amountForm("deposit", "Deposit", "USDC", "Deposit", '<span class="muted" data-testid="deposit-preview"></span>')}
    ${amountForm("withdraw", "Withdraw", "USDC", "Withdraw")}
    ${amountForm("redeem-shares", "Redeem", "shares", "Redeem")}
    <p class="muted">Deposits and withdrawals move exactly the amount typed (the vault rounds the shares in its own favour); redeeming pays what the shares are worth. Only cash not lent out can leave the vault.</p>`
        : '<p class="muted">Choose an account to see its shares and lend.</p>'
    }`;
  if (!account) return;
  const preview = document.querySelector<HTMLElement>('[data-testid="deposit-preview"]')!;
  document.querySelector("#deposit-amount")!.addEventListener("input", async (e) => {
    const amount = parseUnits((e.target as HTMLInputElement).value);
    if (amount === null || amount === 0n) return void (preview.textContent = "");
    const answer = await pool.read("credit_vault", "previews", [amount]).catch((error: Error) => error);
    preview.textContent = answer instanceof Error ? answer.message : `buys ${shares(big(items(answer)[0]))} now`;
  });
  onSubmit(
    "deposit",
    "deposit",
    async (amount) => {
      await approve(pool, "stablecoin", "credit_vault", account, amount, "deposit", usdc(amount));
      await pool.send("credit_vault", "deposit", [amount], account, (s) => status(`deposit: ${s}`));
    },
    rerender,
  );
  onSubmit("withdraw", "withdraw", (amount) => pool.send("credit_vault", "withdraw", [amount], account, (s) => status(`withdraw: ${s}`)), rerender);
  onSubmit("redeem-shares", "redeem", (amount) => pool.send("credit_vault", "redeem", [amount], account, (s) => status(`redeem: ${s}`)), rerender);
}

// ---- borrowers -----------------------------------------------------------------------------------

/** The borrower view: `account`'s collateral, debt, collateral value, limits and health factor (or
 * why the vault cannot value the pool), its health over recent blocks; lock, borrow, repay,
 * unlock and claim credit. */
export async function borrowerPanel(pool: Pool, account: Signer | undefined, panel: HTMLElement): Promise<void> {
  const mine = ++generation;
  const v = await vaultState(pool);
  const valuation = await answer(pool.read("credit_vault", "valuation"));
  const who = account?.address;
  const health = who ? await answer(pool.read("credit_vault", "health", [who])) : undefined;
  const tokens = who ? big(await pool.read("gpu_hour_token", "PSP22::balance_of", [who])) : undefined;
  const wallet = who ? big(await pool.read("stablecoin", "PSP22::balance_of", [who])) : undefined;
  if (mine !== generation) return;
  const rerender = () => borrowerPanel(pool, account, panel);
  const valued =
    valuation instanceof ContractError
      ? `<div class="warning" data-testid="valuation-refused">The vault cannot value the pool: ${escape(valuation.message)}</div>`
      : valuationCard(valuation);
  const terms = card(
    "Terms",
    `<div class="big" data-testid="available" data-units="${v.cash}">${usdc(v.cash)}</div><div class="muted">available to borrow at ${bps(v.rate)} a year · borrow up to ${bps(v.ltv)} of the collateral's value; liquidatable once the debt exceeds ${bps(v.threshold)} of it</div>`,
    "vault-terms",
  );
  let position = '<p class="muted">Choose an account to see its position and borrow.</p>';
  if (who && health !== undefined && tokens !== undefined && wallet !== undefined) {
    const refusal = unvalued(pool, health);
    const reason = refusal ? `<div class="warning" data-testid="unvalued" data-account="${who}" data-variant="${escape(refusal.variant)}">The vault cannot value this position now: ${escape(refusal.message)}</div>` : "";
    let figures: string;
    if (health instanceof ContractError) {
      // No figure of the position without a valuation: the vault answers all of them or none.
      figures = "";
    } else {
      const p = get(health, "position");
      const [collateral, debt, credit] = [big(p, "collateral"), big(health, "debt"), big(p, "credit")];
      const factorBps = big(health, "healthFactorBps");
      const priced = refusal === undefined;
      const valueCard = (title: string, id: string, units: bigint, note: string) =>
        card(title, priced ? `<div class="big" data-testid="${id}" data-units="${units}">${usdc(units)}</div><div class="muted">${note}</div>` : `<div class="muted" data-testid="${id}">not valued (${escape(refusal!.variant)})</div>`);
      figures = `<div class="grid">
        ${card("Collateral locked", `<div class="big" data-testid="collateral" data-account="${who}" data-units="${collateral}">${gpuHours(collateral)}</div><div class="muted">in the wallet, free to lock: <span data-testid="wallet-tokens" data-units="${tokens}">${gpuHours(tokens)}</span></div>`)}
        ${card("Debt", `<div class="big" data-testid="debt" data-units="${debt}">${usdc(debt)}</div><div class="muted">interest included; the collateral's yield repays it · credit to claim <span data-testid="credit" data-units="${credit}">${usdc(credit)}</span></div>`)}
        ${valueCard("Collateral value", "collateral-value", big(health, "value"), "as the vault values it: its share of the pool value")}
        ${valueCard("Borrow limit", "borrow-limit", big(health, "borrowLimit"), `at ${bps(v.ltv)} loan-to-value: most the debt may reach by borrowing or unlocking`)}
        ${valueCard("Liquidation limit", "liquidation-limit", big(health, "liquidationLimit"), `${bps(v.threshold)} of the value: a debt above it can be liquidated`)}
        ${card(
          "Health factor",
          priced || factorBps >= UNBOUNDED
            ? `<div class="big${factorBps < 10_000n ? " error" : ""}" data-testid="health-factor" data-bps="${factorBps}">${healthFactor(factorBps)}</div><div class="muted">${factorBps >= UNBOUNDED ? "no debt" : "liquidation limit ÷ debt; liquidatable below 1×"}</div>`
            : `<div class="muted" data-testid="health-factor">not valued (${escape(refusal!.variant)})</div>`,
        )}
        ${card("Stablecoin", `<div class="big" data-testid="borrower-stablecoin" data-units="${wallet}">${usdc(wallet)}</div><div class="muted">in this account</div>`)}
      </div>`;
    }
    position = `<h2>${escape(account!.name)}</h2>${reason}${figures}
      <h2>Borrow</h2>
      ${amountForm("lock", "Lock", "GPU-hours", "Lock")}
      ${amountForm("borrow", "Borrow", "USDC", "Borrow")}
      ${amountForm("repay", "Repay", "USDC", "Repay")}
      ${amountForm("unlock", "Unlock", "GPU-hours", "Unlock")}
      <form><button type="button" id="claim-credit" data-testid="claim-credit">Claim credit</button></form>
      <h2>Health over recent blocks</h2><div id="health-history" data-testid="health-history"><p class="muted">Asking the vault for this position's health at each of the last ${HISTORY_BLOCKS} blocks…</p></div>`;
  }
  panel.innerHTML = `${v.paused ? pausedWarning : ""}<div class="grid">${valued}${terms}</div>${position}`;
  if (!account || !who) return;
  onSubmit(
    "lock",
    "lock",
    async (amount) => {
      await approve(pool, "gpu_hour_token", "credit_vault", account, amount, "lock", gpuHours(amount));
      await pool.send("credit_vault", "lock", [amount], account, (s) => status(`lock: ${s}`));
    },
    rerender,
  );
  onSubmit("borrow", "borrow", (amount) => pool.send("credit_vault", "borrow", [amount], account, (s) => status(`borrow: ${s}`)), rerender);
  onSubmit(
    "repay",
    "repay",
    async (amount) => {
      await approve(pool, "stablecoin", "credit_vault", account, amount, "repay", usdc(amount));
      await pool.send("credit_vault", "repay", [who, amount], account, (s) => status(`repay: ${s}`));
    },
    rerender,
  );
  onSubmit("unlock", "unlock", (amount) => pool.send("credit_vault", "unlock", [amount], account, (s) => status(`unlock: ${s}`)), rerender);
  document.querySelector("#claim-credit")!.addEventListener("click", async () => {
    try {
      await pool.send("credit_vault", "claim_credit", [], account, (s) => status(`claim credit: ${s}`));
      status("claim credit: in a block; re-reading from chain…");
      await rerender();
      status("claim credit: done; figures re-read from chain", "ok");
    } catch (error) {
      status(`claim credit refused: ${(error as Error).message}`, "error");
    }
  });
  const history = await healthHistory(pool, who).catch((error: Error) => error);
  const target = document.querySelector<HTMLElement>("#health-history");
  if (mine !== generation || !target) return;
  target.innerHTML = history instanceof Error ? `<p class="error">cannot read past blocks: ${escape(history.message)}</p>` : healthChart("chart-health", history);
}
