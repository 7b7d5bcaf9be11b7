// compute-rwa pool page: pool, investor and audit views over one deployment.
import { web3Accounts, web3Enable, web3FromAddress } from "@polkadot/extension-dapp";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import type { Codec } from "@polkadot/types/types";
import { gather, recentEpochs, reconcile } from "./audit";
import { barChart } from "./charts";
import { type Account, big, get, Pool, some } from "./chain";
import { ContractError } from "./errors";
import { bps, date, gpuHours, milliGpuHours, parseUnits, senderLimits, short, streamLine, usdc } from "./format";
import { card, escape, status, text } from "./ui";
import { curveLine, marketPanel } from "./market";
import { borrowerPanel, lenderPanel } from "./vault";
import "./style.css";

const DEV_ACCOUNTS = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"];
const app = document.querySelector<HTMLElement>("#app")!;
let pool: Pool;
const accounts = new Map<string, Account & { name: string }>();
let current: string | undefined;
/** Yield streams between blocks: the investor view re-reads claimable every few seconds. */
const STREAM_POLL_MS = 3_000;
let streamTimer: ReturnType<typeof setInterval> | undefined;
/** Bumped by every investor render, so a poll that started before it never writes stale figures. */
let renderGeneration = 0;

async function main() {
  const params = new URLSearchParams(location.search);
  try {
    pool = await Pool.open(params.get("pool") ?? "/pool", params.get("url") ?? undefined);
  } catch (e) {
    app.innerHTML = `<p class="error" data-testid="fatal">${escape(String((e as Error).message))}</p>`;
    return;
  }
  await cryptoWaitReady();
  if (pool.isDevChain) {
    const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
    for (const name of DEV_ACCOUNTS) {
      const pair = keyring.addFromUri(`//${name}`);
      accounts.set(pair.address, { name: `${name} (dev)`, address: pair.address, pair });
    }
  }
  const name = (await pool.read("gpu_hour_token", "PSP22Metadata::token_name")).toHuman();
  document.querySelector("#title")!.textContent = `${name ?? "compute-rwa pool"}`;
  if (!pool.hasVault) document.querySelectorAll<HTMLElement>("nav a.vault").forEach((a) => a.remove());
  if (!pool.hasMarket) document.querySelectorAll<HTMLElement>("nav a.market").forEach((a) => a.remove());
  window.addEventListener("hashchange", route);
  await route();
}

async function route() {
  stopStreamPoll();
  const view = location.hash.replace("#", "") || "pool";
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.getAttribute("data-view") === view));
  app.innerHTML = `<p class="muted">Reading chain state…</p>`;
  try {
    if (view === "investor") await investorView();
    else if (view === "lender") await vaultView(lenderPanel);
    else if (view === "borrower") await vaultView(borrowerPanel);
    else if (view === "market") await marketView();
    else if (view === "audit") await auditView();
    else await poolView();
  } catch (e) {
    app.innerHTML = `<p class="error" data-testid="fatal">${escape((e as Error).message)}</p>`;
  }
}

// ---- pool ----------------------------------------------------------------------------------------

async function poolView() {
  const d = pool.deployment;
  const state = await pool.read("gpu_hour_token", "state");
  const info = get(state, "pool");
  const [capacity, redeemed, holders] = ["capacity", "redeemed", "holders"].map((f) => big(state, f));
  const supply = big(await pool.read("gpu_hour_token", "PSP22::total_supply"));
  const offer = await pool.read("rental_escrow", "offer");
  const config = await pool.read("rental_escrow", "config");
  const totals = await pool.read("rental_escrow", "totals");
  const ledger = get(totals, "ledger");
  const feed = await pool.read("utilization_oracle", "feed", [d.feed]);
  const stale = await pool.read("utilization_oracle", "latest", [d.feed]).then(
    () => "",
    (e: ContractError) => `<div class="warning" data-testid="stale">Utilization feed: ${escape(e.plain ?? e.message)} (${escape(e.variant ?? "")})</div>`,
  );
  const epochs = (await recentEpochs(pool, feed)).map((e) => ({ epoch: e.epoch.toString(), values: e.values }));
  const issued = supply + redeemed;
  const share = capacity > 0n ? Number((issued * 10_000n) / capacity) / 100 : 0;
  const tiers = (get(offer, "sla") as unknown as Codec[]).map((t) => `${bps(big(t, "creditBps"))} credit below ${bps(big(t, "belowBps"))} uptime`);
  const notice = big(offer, "cancellationNoticeMs");
  const cancellation = `cancellation fee ${bps(big(offer, "cancellationFeeBps"))}${notice > 0n ? ` (also before the start with under ${hours(notice)} notice)` : ""}`;
  const unpaid = big(totals, "unpaidYield");
  const curve = { base: big(offer, "pricePerGpuHour"), kink: big(offer, "kinkGpus"), below: big(offer, "slopeBelow"), above: big(offer, "slopeAbove") };
  app.innerHTML = `${stale}
    <div class="grid">
      ${card("Hardware", `<div class="big">${big(info, "gpuCount")} × ${escape(text(get(info, "gpuModel")))}</div><div class="muted">${escape(text(get(info, "region")))}, tier ${big(info, "datacenterTier")} datacenter</div>`, "hardware")}
      ${card("Tokenization period", `<div>${date(big(info, "periodStart"))}</div><div>→ ${date(big(info, "periodEnd"))}</div>`)}
      ${card("Attested capacity vs supply", `<div class="big" data-testid="capacity">${gpuHours(capacity)}</div><div data-testid="supply">supply ${gpuHours(supply)} · redeemed ${gpuHours(redeemed)}</div><div class="bar"><div style="width:${Math.min(share, 100)}%"></div></div><div class="muted">${share}% issued · attestation <code data-testid="attestation">${short(get(info, "attestationHash").toHex())}</code></div>`)}
      ${card("Holders", `<div class="big" data-testid="holders">${holders}</div><div class="muted">${d.investors.length} known to the issuer's deployment file</div>`)}
      ${card("Rental offer", `<div class="big">from ${usdc(big(offer, "pricePerGpuHour"))} / GPU-h</div><div class="muted" data-testid="curve">demand curve: ${curveLine(curve, big(offer, "availableGpus"))}</div><div class="muted">${big(offer, "minEpochs")}–${big(offer, "maxEpochs")} epochs · ${big(offer, "availableGpus")} GPUs · operator fee ${bps(big(config, "operatorFeeBps"))}</div><div class="muted">SLA: ${tiers.join("; ") || "none"}</div><div class="muted">${cancellation}</div>`, "offer")}
      ${card("Escrow", `<div>deposited ${usdc(big(ledger, "deposited"))}</div><div>released to holders ${usdc(big(ledger, "released"))}</div><div class="muted">fees ${usdc(big(ledger, "fees"))} · refunded ${usdc(big(ledger, "refunded"))} (credits ${usdc(big(ledger, "credits"))}) · held ${usdc(big(ledger, "held"))}</div>${unpaid > 0n ? `<div class="warning">yield owed to holders, refused by the token: ${usdc(unpaid)} (anyone can push it with <code>push_yield</code>)</div>` : ""}`, "escrow")}
    </div>
    <h2>Utilization by epoch <span class="muted">(${big(feed, "finalizedCount")} finalized)</span></h2>
    <div class="charts">
      ${barChart("chart-delivered", "GPU time delivered", "milli-GPU-h", epochs.map((e) => ({ label: e.epoch, value: Number(e.values.gpuMilliHours) })))}
      ${barChart("chart-utilization", "Utilization", "%", epochs.map((e) => ({ label: e.epoch, value: Number(e.values.utilizationBps) / 100 })), 100)}
      ${barChart("chart-uptime", "Uptime", "%", epochs.map((e) => ({ label: e.epoch, value: Number(e.values.uptimeBps) / 100 })), 100)}
      ${barChart("chart-energy", "Energy per GPU-hour", "Wh", epochs.map((e) => ({ label: e.epoch, value: e.values.gpuMilliHours > 0n ? Number((e.values.energyWh * 1000n) / e.values.gpuMilliHours) : 0 })))}
    </div>
    <p class="muted">Latest epoch delivered ${epochs.length ? milliGpuHours(epochs[epochs.length - 1].values.gpuMilliHours) : "—"}.</p>`;
}

/** A duration in ms for people: "2 h", "90 s", "1.5 d". */
function hours(ms: bigint): string {
  const n = Number(ms);
  if (n >= 86_400_000) return `${+(n / 86_400_000).toFixed(2)} d`;
  if (n >= 3_600_000) return `${+(n / 3_600_000).toFixed(2)} h`;
  return `${+(n / 1_000).toFixed(2)} s`;
}

// ---- investor ------------------------------------------------------------------------------------

function stopStreamPoll() {
  if (streamTimer !== undefined) clearInterval(streamTimer);
  streamTimer = undefined;
}

/** `who`'s holding and balance, the token's state, and from them claimable yield and the
 * stream's line, as of the last block (one read of each). */
async function yieldFigures(who: string): Promise<{ holding: Codec; state: Codec; balance: bigint; claimable: bigint; line: string }> {
  const holding = await pool.read("gpu_hour_token", "holding", [who]);
  const state = await pool.read("gpu_hour_token", "state");
  const rewards = get(state, "rewards");
  const balance = big(await pool.read("gpu_hour_token", "PSP22::balance_of", [who]));
  const supply = big(await pool.read("gpu_hour_token", "PSP22::total_supply"));
  const line = streamLine(big(rewards, "streaming"), big(rewards, "streamEnd"), balance, supply);
  return { holding, state, balance, claimable: big(holding, "claimable"), line };
}

/** Re-reads claimable yield in place (the rest of the panel, and anything typed, stays). */
async function refreshYield(who: string, generation: number) {
  const figures = await yieldFigures(who);
  if (generation !== renderGeneration || who !== current) return;
  const claimable = document.querySelector<HTMLElement>('[data-testid="claimable"]');
  const stream = document.querySelector<HTMLElement>('[data-testid="stream"]');
  if (!claimable || !stream) return;
  claimable.dataset.units = figures.claimable.toString();
  claimable.textContent = usdc(figures.claimable);
  stream.textContent = figures.line;
}

async function connectExtension() {
  const extensions = await web3Enable("compute-rwa");
  if (!extensions.length) throw new Error("No wallet extension (polkadot.js, Talisman, SubWallet) allowed this page.");
  for (const a of await web3Accounts()) {
    const injector = await web3FromAddress(a.address);
    accounts.set(a.address, { name: `${a.meta.name ?? "account"} (${a.meta.source})`, address: a.address, signer: injector.signer });
  }
}

/** The account picker with a status line and `panel` under it, drawn by `show` for the chosen account. */
async function accountView(panel: string, show: () => Promise<void>, always = false) {
  const options = [...accounts.values()].map((a) => `<option value="${a.address}"${a.address === current ? " selected" : ""}>${escape(a.name)} — ${short(a.address)}</option>`);
  app.innerHTML = `<form id="pick"><label>Account <select id="account" data-testid="account"><option value="">choose…</option>${options.join("")}</select></label>
      <button type="button" class="secondary" id="extension">Connect wallet extension</button></form>
    <div id="status" data-testid="status"></div><div id="${panel}"></div>`;
  document.querySelector("#account")!.addEventListener("change", (e) => {
    current = (e.target as HTMLSelectElement).value || undefined;
    void show().catch((error: Error) => status(`error: ${error.message}`, "error"));
  });
  document.querySelector("#extension")!.addEventListener("click", () => connectExtension().then(() => accountView(panel, show, always), (e) => status(`error: ${e.message}`, "error")));
  if (current || always) await show();
}

const investorView = () => accountView("investor", showInvestor);

/** The vault's views for the chosen account (a pool without a vault has none). */
function vaultView(panel: typeof lenderPanel) {
  if (!pool.hasVault) {
    app.innerHTML = `<p class="muted" data-testid="no-vault">This pool has no credit vault (add a <code>[vault]</code> section to pool.toml and deploy the pool).</p>`;
    return Promise.resolve();
  }
  const show = () => panel(pool, current ? accounts.get(current) : undefined, document.querySelector<HTMLElement>("#vault")!);
  return accountView("vault", show, true);
}

/** The market for the chosen account (a pool without a market has none). */
function marketView() {
  if (!pool.hasMarket) {
    app.innerHTML = `<p class="muted" data-testid="no-market">This pool has no market (add a <code>[market]</code> section to pool.toml and deploy the pool).</p>`;
    return Promise.resolve();
  }
  const show = () => marketPanel(pool, current ? accounts.get(current) : undefined, document.querySelector<HTMLElement>("#market")!);
  return accountView("market", show, true);
}

async function showInvestor() {
  stopStreamPoll();
  const generation = ++renderGeneration;
  const panel = document.querySelector<HTMLElement>("#investor")!;
  if (!current) return void (panel.innerHTML = "");
  const who = current;
  const { holding, state, balance, claimable, line: stream } = await yieldFigures(who);
  const frozen = big(holding, "frozenAmount");
  const accountFrozen = get(holding, "frozen").toString() === "true";
  const cash = big(await pool.read("stablecoin", "PSP22::balance_of", [who]));
  const identity = some(await pool.read("identity_registry", "identity", [who]));
  const verified = (await pool.read("identity_registry", "IdentityCheck::is_verified", [who])).toString() === "true";
  // Transfers are decided by the record the registry pushed into the token: say whether it is there.
  const inToken = JSON.stringify(get(holding, "credential").toJSON());
  const synced = inToken === JSON.stringify((await pool.read("identity_registry", "IdentityCheck::credential", [who])).toJSON());
  const count = Number(big(state, "distributions"));
  const distributions = (await pool.read("gpu_hour_token", "distributions", [Math.max(0, count - 10), 10])) as unknown as Codec[];
  const kyc = identity
    ? `${verified ? '<span class="ok">verified</span>' : '<span class="error">not verified</span>'} · country ${big(identity, "country")} · ${escape(text(get(identity, "class")))} · KYC until ${date(big(identity, "kycExpiry"))}`
    : '<span class="error">no identity record</span>';
  const tokenView = synced
    ? '<div class="muted" data-testid="token-view">the token holds this record</div>'
    : '<div class="error" data-testid="token-view">the token does not hold this record yet: anyone can send <code>sync</code> for this account</div>';
  // The transfer-limit and lockup modules as they apply to this holder at the chain's time.
  const rules = get(state, "rules");
  const record = get(holding, "compliance");
  const [{ time }] = await pool.recentBlocks(1);
  const limits = senderLimits(
    { transferLimit: big(rules, "transferLimit"), transferWindow: big(rules, "transferWindow"), lockup: big(rules, "lockup") },
    { windowStart: big(record, "windowStart"), sent: big(record, "sent"), locked: big(record, "locked"), lockedUntil: big(record, "lockedUntil") },
    BigInt(time),
  );
  const limitLines = limits.map((l) => `<div class="muted" data-testid="sender-limit">${escape(l)}</div>`).join("");
  const rows = distributions.map((d) => `<tr><td>${big(d, "id")}</td><td>${usdc(big(d, "amount"))}</td><td>${gpuHours(big(d, "supply"))}</td><td>${date(big(d, "timestamp"))}</td></tr>`);
  // A later render (another account, a finished transaction) started meanwhile: it draws the panel.
  if (generation !== renderGeneration) return;
  panel.innerHTML = `<div class="grid">
      ${card("GPU-hour tokens", `<div class="big" data-testid="balance" data-units="${balance}">${gpuHours(balance)}</div><div class="muted">free ${gpuHours(balance - frozen > 0n ? balance - frozen : 0n)} · frozen ${gpuHours(frozen)}${accountFrozen ? " · account frozen" : ""}</div>${limitLines}`)}
      ${card("Claimable yield", `<div class="big" data-testid="claimable" data-units="${claimable}">${usdc(claimable)}</div><div class="muted" data-testid="stream">${escape(stream)}</div><form><button type="button" id="claim" data-testid="claim-button">Claim</button></form>`)}
      ${card("Stablecoin", `<div class="big" data-testid="stablecoin" data-units="${cash}">${usdc(cash)}</div>`)}
      ${card("Identity", `<div data-testid="kyc">${kyc}</div>${tokenView}`)}
    </div>
    <h2>Transfer</h2>
    <form id="transfer"><input id="to" data-testid="transfer-to" placeholder="recipient address" size="50" /><input id="amount" data-testid="transfer-amount" placeholder="GPU-hours" size="10" />
      <button type="button" class="secondary" id="check" data-testid="transfer-check">Check</button><button type="submit" data-testid="transfer-send">Send</button></form>
    <h2>Redeem GPU-hours</h2>
    <form id="redeem"><input id="redeem-amount" data-testid="redeem-amount" placeholder="GPU-hours" size="10" /><button type="submit" data-testid="redeem-send">Redeem</button></form>
    <h2>Distributions</h2>
    <table data-testid="distributions"><tr><th>#</th><th>amount</th><th>supply then</th><th>time</th></tr>${rows.join("") || '<tr><td colspan="4" class="muted">none yet</td></tr>'}</table>
    <p class="muted">Each distribution streams to holders over the token's yield period; claimable yield grows until the stream ends.</p>`;
  streamTimer = setInterval(() => void refreshYield(who, generation).catch(() => undefined), STREAM_POLL_MS);
  const account = accounts.get(who)!;
  const transact = async (label: string, run: () => Promise<void>) => {
    try {
      await run();
      status(`${label}: in a block; re-reading from chain…`);
      await showInvestor();
      status(`${label}: done; figures re-read from chain`, "ok");
    } catch (e) {
      status(`${label} refused: ${(e as Error).message}`, "error");
    }
  };
  const amount = (id: string) => {
    const units = parseUnits((document.querySelector(`#${id}`) as HTMLInputElement).value);
    if (units === null) throw new Error("enter an amount in GPU-hours (up to 6 decimals)");
    return units;
  };
  document.querySelector("#claim")!.addEventListener("click", () => transact("claim", () => pool.send("gpu_hour_token", "claim", [], account, (s) => status(`claim: ${s}`))));
  const recipient = () => (document.querySelector("#to") as HTMLInputElement).value.trim();
  document.querySelector("#check")!.addEventListener("click", async () => {
    try {
      await pool.read("gpu_hour_token", "check_transfer", [who, recipient(), amount("amount")]);
      status("compliance check: this transfer would be accepted", "ok");
    } catch (e) {
      status(`compliance check: ${(e as Error).message}`, "error");
    }
  });
  document.querySelector("#transfer")!.addEventListener("submit", (e) => {
    e.preventDefault();
    void transact("transfer", () => pool.send("gpu_hour_token", "PSP22::transfer", [recipient(), amount("amount"), []], account, (s) => status(`transfer: ${s}`)));
  });
  document.querySelector("#redeem")!.addEventListener("submit", (e) => {
    e.preventDefault();
    void transact("redeem", () => pool.send("pool_admin", "redeem", [amount("redeem-amount")], account, (s) => status(`redeem: ${s}`)));
  });
}

// ---- audit ---------------------------------------------------------------------------------------

async function auditView() {
  const checks = reconcile(await gather(pool));
  const failed = checks.filter((c) => !c.pass).length;
  const rows = checks.map((c) => `<tr><td>${c.area}</td><td>${escape(c.check)}</td><td class="${c.pass ? "pass" : "fail"}">${c.pass ? "PASS" : "FAIL"}</td><td>${escape(c.figures)}</td></tr>`);
  app.innerHTML = `<p data-testid="audit-summary" class="${failed ? "error" : "ok"}">${checks.length} checks, ${checks.length - failed} PASS, ${failed} FAIL</p>
    <table data-testid="audit"><tr><th>area</th><th>check</th><th>result</th><th>figures</th></tr>${rows.join("")}</table>
    <p class="muted">Read from chain state now; the same checks as <code>compute-rwa audit</code>.</p>`;
}

void main();
