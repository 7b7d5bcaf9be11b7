// The web app in headless Chromium against a local node with scripts/sample-pool.sh's pool
// (scripts/web-test.sh prepares both and serves the app). Figures are compared with what the
// compute-rwa CLI reads from chain; screenshots go to docs/img/.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const APP = process.env.WEB_URL ?? "http://127.0.0.1:5173/";
const CLI = process.env.COMPUTE_RWA_CLI;
const DEPLOYMENT = process.env.WEB_DEPLOYMENT;
const SHOTS = process.env.WEB_SCREENSHOTS ?? "../docs/img";
const SCRIPTS = fileURLToPath(new URL("../../scripts", import.meta.url));
const BOB = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
const CHARLIE = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";
const DAVE = "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy";

/** A value read from chain by the CLI, e.g. read("token", "PSP22::balance_of", BOB). */
const read = (...args) => execFileSync(CLI, ["read", "--deployment", DEPLOYMENT, ...args], { encoding: "utf8" }).trim();
/** One numeric field of a struct the CLI read, e.g. field(read("token", "state"), "capacity"). */
const field = (text, name) => text.match(new RegExp(`\\b${name}: (\\d+)`))[1];
/** A transaction by the issuer (//Alice on the dev chain) through the CLI. */
const call = (...args) => execFileSync(CLI, ["call", "--deployment", DEPLOYMENT, ...args], { encoding: "utf8" });
const units = (locator) => locator.getAttribute("data-units").then(BigInt);
/** The two numbers of a pair the CLI read, e.g. pair(read("vault", "lender", CHARLIE)) → [shares, worth]. */
const pair = (text) => text.match(/^\((\d+), (\d+)/).slice(1, 3).map(BigInt);
/** Every number of a tuple the CLI read, e.g. previews → [shares, assets, shares, assets]. */
const numbers = (text) => text.match(/\d+/g).map(BigInt);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until the wall clock passes `ms`, then has the issuer send a no-op so a block carries
 * the time (the dev chain seals a block per transaction; dry runs see the last block's time). */
async function moveClockPast(ms) {
  while (Date.now() <= ms) await sleep(250);
  call("coin", "PSP22::approve", BOB, "0");
}
/** Runs steps of scripts/pool-story.sh (the ones the demo and the sample pool share) in the
 * deployment's directory, e.g. story("story_distribute 30000000"). */
const story = (steps) =>
  execFileSync("bash", ["-c", `source "${SCRIPTS}/env.sh" && source "${SCRIPTS}/pool-story.sh" && ${steps}`], { cwd: dirname(DEPLOYMENT), encoding: "utf8" });
/** The first of `names` the CLI printed a number for, e.g. fieldOf(valuation, "current", "pool_value"). */
const fieldOf = (text, ...names) => field(text, names.find((name) => new RegExp(`\\b${name}: \\d`).test(text)) ?? names[0]);
/** What the vault values Bob's collateral at now (0: it cannot value the pool). */
const bobValue = () => BigInt(field(read("vault", "health", BOB), "value"));
/** Prices the pool for the vault as the sample pool does before Bob's loan: fresh rent to holders,
 * between the vault's checkpoints where it takes them (story_checkpoints), else alone. */
function priceThePool() {
  // 0.3 USDC: enough to price the pool, too little for the vault's share of it to repay Bob's loan.
  story("if type story_checkpoints >/dev/null 2>&1; then story_checkpoints 300000; else story_distribute 300000; fi");
  assert.ok(bobValue() > 0n, "the vault values the pool after fresh rent");
}
/** Lets time pass, a block every 3 s, until the vault values Bob's collateral at nothing. */
async function untilUnpriced() {
  const deadline = Date.now() + 150_000;
  while (bobValue() > 0n) {
    assert.ok(Date.now() < deadline, "the vault still values the pool 150 s on");
    await moveClockPast(Date.now() + 3_000);
  }
}

let browser;
let page;

before(async () => {
  assert.ok(CLI && DEPLOYMENT, "COMPUTE_RWA_CLI and WEB_DEPLOYMENT must be set (scripts/web-test.sh)");
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on("pageerror", (e) => console.error("page error:", e.message));
});

after(async () => browser?.close());

test("the pool view shows capacity, supply and charts as on chain", async () => {
  await page.goto(`${APP}#pool`);
  const capacity = page.getByTestId("capacity");
  await capacity.waitFor({ timeout: 30_000 });
  assert.equal(await capacity.textContent(), `${Number(BigInt(field(read("token", "state"), "capacity")) / 1_000_000n).toLocaleString("en-US")} GPU-h`);
  assert.match(await page.getByTestId("supply").textContent(), new RegExp(`^supply ${Number(BigInt(read("token", "PSP22::total_supply")) / 1_000_000n).toLocaleString("en-US")} GPU-h`));
  assert.equal(await page.getByTestId("holders").textContent(), field(read("token", "state"), "holders"));
  const finalized = read("oracle", "feed", "0").match(/finalized_count: (\d+)/)[1];
  for (const chart of ["chart-delivered", "chart-utilization", "chart-uptime", "chart-energy"]) {
    assert.equal(await page.getByTestId(chart).getAttribute("data-points"), finalized, chart);
    assert.equal(await page.getByTestId(chart).locator("rect").count(), Number(finalized), chart);
  }
  assert.match(await page.getByTestId("offer").textContent(), /from 2\.5 USDC \/ GPU-h/);
  // pool.toml's demand curve: 2.5 USDC + 0.1 per GPU booked up to 6 + 0.5 above: the eighth GPU 3.6.
  assert.equal(await page.getByTestId("curve").textContent(), "demand curve: +0.1 USDC per GPU booked up to 6, +0.5 USDC above · the last GPU 3.6 USDC");
  assert.match(await page.getByTestId("offer").textContent(), /cancellation fee 5% \(also before the start with under 7\.2 s notice\)/);
  await page.screenshot({ path: `${SHOTS}/pool.png`, fullPage: true });
});

test("an investor sees the chain's figures, claims exactly the claimable yield, and is told why a transfer fails", async () => {
  // The sample pool's last distribution (it priced the vault's collateral for Bob's loan) still
  // streams to holders: move the chain's clock past the stream's end first.
  await moveClockPast(Number(field(read("token", "state"), "stream_end")) + 500);
  await page.goto(`${APP}#investor`);
  await page.getByTestId("account").selectOption(BOB);
  const claimable = page.getByTestId("claimable");
  await claimable.waitFor({ timeout: 30_000 });
  const owed = await units(claimable);
  assert.ok(owed > 0n, "the sample pool leaves Bob unclaimed yield");
  assert.equal(owed, BigInt(field(read("token", "holding", BOB), "claimable")));
  assert.equal(await units(page.getByTestId("balance")), BigInt(read("token", "PSP22::balance_of", BOB)));
  const cashBefore = await units(page.getByTestId("stablecoin"));
  assert.equal(cashBefore, BigInt(read("coin", "PSP22::balance_of", BOB)));
  assert.match(await page.getByTestId("kyc").textContent(), /verified · country 276/);
  assert.equal(await page.getByTestId("token-view").textContent(), "the token holds this record");
  // The sample pool's transfer limit (1,500 GPU-h a day): locking collateral in the vault was a send.
  const sent = BigInt(field(read("token", "holding", BOB), "sent"));
  assert.ok(sent >= 1_000_000_000n, `Bob's lock of 1,000 GPU-h counts against his limit (sent ${sent})`);
  assert.match(
    await page.getByTestId("sender-limit").textContent(),
    new RegExp(`^sent ${(sent / 1_000_000n).toLocaleString("en-US")} GPU-h of 1,500 GPU-h allowed per 86,400 s \\(window ends `),
  );
  // The sample pool waited past the yield period: everything distributed is released.
  assert.equal(await page.getByTestId("stream").textContent(), "all distributed yield is released");

  await page.getByTestId("claim-button").click();
  await page.getByTestId("status").getByText("claim: done").waitFor({ timeout: 60_000 });
  assert.equal(await units(page.getByTestId("stablecoin")), cashBefore + owed);
  assert.equal(await units(page.getByTestId("claimable")), 0n);
  assert.equal(BigInt(read("coin", "PSP22::balance_of", BOB)), cashBefore + owed, "the chain agrees");

  await page.getByTestId("transfer-to").fill(DAVE);
  await page.getByTestId("transfer-amount").fill("1");
  await page.getByTestId("transfer-check").click();
  const refusal = page.getByTestId("status").getByText("RecipientNotVerified");
  await refusal.waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId("status").textContent(), /compliance check: The recipient is not verified in the identity registry\. \(RecipientNotVerified\)/);
  await page.getByTestId("transfer-send").click();
  await page.getByTestId("status").getByText("transfer refused").waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId("status").textContent(), /transfer refused: The recipient is not verified in the identity registry\. \(Custom\(RecipientNotVerified\)\)/);
  assert.equal(await units(page.getByTestId("balance")), BigInt(read("token", "PSP22::balance_of", BOB)), "nothing moved");

  // The issuer pays 3 USDC of rent to holders (Bob holds 1,000 of 3,000 GPU-h: his other 1,000
  // are locked in the credit vault, which holds them and earns their yield). It streams over
  // the yield period; the page follows it without a reload, and claimable is the chain's figure.
  const deployment = JSON.parse(readFileSync(DEPLOYMENT, "utf8"));
  call("coin", "mint", deployment.deployer, "3000000");
  call("coin", "PSP22::approve", deployment.contracts.gpu_hour_token.address, "3000000");
  call("token", "YieldDistributor::distribute", "3000000");
  const stream = page.locator('[data-testid="stream"]', { hasText: "3 USDC still streaming to holders until" });
  await stream.waitFor({ timeout: 30_000 });
  // Bob holds 960 of the 3,000 GPU-hours (1,000 in the vault, 40 sold on the market): 0.96 USDC.
  assert.match(await stream.textContent(), /about 0\.96 USDC of it to this balance$/);
  assert.equal(await units(page.getByTestId("claimable")), BigInt(field(read("token", "holding", BOB), "claimable")));
  assert.match(await page.getByTestId("status").textContent(), /transfer refused/, "the refusal is still shown: nothing was re-rendered");
  await page.screenshot({ path: `${SHOTS}/investor.png`, fullPage: true });
});

test("the audit view passes every check, as the CLI does", async () => {
  await page.goto(`${APP}#audit`);
  const summary = page.getByTestId("audit-summary");
  await summary.waitFor({ timeout: 60_000 });
  assert.equal(await summary.textContent(), "18 checks, 18 PASS, 0 FAIL");
  // The same checks, verdicts and figures as `compute-rwa audit` on the same block (the yield
  // distributed above is still streaming there).
  const cli = JSON.parse(execFileSync(CLI, ["--output", "json", "audit", "--deployment", DEPLOYMENT], { encoding: "utf8" }));
  const rows = await page.$$eval('[data-testid="audit"] tr', (trs) => trs.slice(1).map((tr) => [...tr.cells].map((td) => td.textContent)));
  assert.deepEqual(rows, cli.map((c) => [c.area, c.check, c.pass ? "PASS" : "FAIL", c.figures]));
  assert.ok(rows.some(([, check, , figures]) => check.includes("streaming") && / \+ 3 USDC \+ dust/.test(figures)), "the stream is counted");
  await page.screenshot({ path: `${SHOTS}/audit.png`, fullPage: true });
});

test("the lender view shows the vault's books and Charlie's shares as on chain; a deposit moves exactly its amount", async () => {
  // Charlie lent all his stablecoin in the sample pool: the issuer mints him 1 USDC to lend.
  call("coin", "mint", CHARLIE, "1000000");
  await page.goto(`${APP}#lender`);
  await page.getByTestId("account").selectOption(CHARLIE);
  const shares = page.locator(`[data-testid="lender-shares"][data-account="${CHARLIE}"]`);
  await shares.waitFor({ timeout: 30_000 });
  const state = read("vault", "state");
  assert.equal(await units(page.getByTestId("vault-assets")), BigInt(field(state, "total_assets")));
  assert.equal(await units(page.getByTestId("vault-cash")), BigInt(field(state, "cash")));
  assert.equal(await page.getByTestId("utilization").getAttribute("data-bps"), field(state, "utilization_bps"));
  assert.equal(await page.getByTestId("borrow-rate").getAttribute("data-bps"), field(state, "borrow_rate_bps"));
  assert.equal(field(state, "utilization_bps"), "40", "Bob borrowed 2 of the 500 USDC Charlie lent: 0.4%");
  // The share price is what one share (10^6 units) redeems for: the vault's own preview.
  assert.equal(await units(page.getByTestId("share-price")), numbers(read("vault", "previews", "1000000"))[3]);
  const [lentShares, worth] = pair(read("vault", "lender", CHARLIE));
  assert.equal(await units(shares), lentShares);
  assert.equal(lentShares, 500_000_000n, "500 USDC bought 500 shares");
  assert.equal(await units(page.getByTestId("lender-worth")), worth);
  const cashBefore = await units(page.getByTestId("lender-stablecoin"));
  assert.equal(cashBefore, BigInt(read("coin", "PSP22::balance_of", CHARLIE)));
  const vaultCashBefore = BigInt(field(state, "cash"));
  const issuedBefore = BigInt(field(state, "shares"));

  await page.getByTestId("deposit-amount").fill("1");
  const preview = page.getByTestId("deposit-preview");
  await preview.getByText("buys").waitFor({ timeout: 30_000 });
  assert.match(await preview.textContent(), /^buys [\d.,]+ shares now$/);
  await page.getByTestId("deposit-send").click();
  await page.getByTestId("status").getByText("deposit: done").waitFor({ timeout: 60_000 });
  // Exactly 1 USDC left Charlie for the vault's cash; the shares are the vault's for it.
  assert.equal(await units(page.getByTestId("lender-stablecoin")), cashBefore - 1_000_000n);
  assert.equal(BigInt(read("coin", "PSP22::balance_of", CHARLIE)), cashBefore - 1_000_000n, "the chain agrees");
  const after = read("vault", "state");
  assert.equal(await units(page.getByTestId("vault-cash")), vaultCashBefore + 1_000_000n);
  assert.equal(BigInt(field(after, "cash")), vaultCashBefore + 1_000_000n, "the chain agrees");
  const minted = (await units(shares)) - lentShares;
  assert.equal(await units(shares), pair(read("vault", "lender", CHARLIE))[0]);
  assert.equal(BigInt(field(after, "shares")), issuedBefore + minted);
  // ERC-4626 rounding down at the deposit's block: assets × (shares + 1) ÷ (total assets + 1),
  // with the total assets before the deposit (those after it, less the deposit).
  assert.equal(minted, (1_000_000n * (issuedBefore + 1n)) / (BigInt(field(after, "total_assets")) - 1_000_000n + 1n));
  await page.screenshot({ path: `${SHOTS}/web-vault-lender.png`, fullPage: true });
});

test("the market view shows both books, the forward curve and the volume as the contracts read them; a fill moves exactly both legs", async () => {
  // Dave books 6 GPUs for 4 epochs 8 epochs (29 s) ahead at the escrow's quote: the forward
  // curve shows those epochs at the seventh GPU's price (3.1 USDC), the rest at the base (2.5).
  call("coin", "mint", DAVE, "1000000");
  const start = Number(read("oracle", "current_epoch", "0")) + 8;
  execFileSync(CLI, ["rent", "book", "--deployment", DEPLOYMENT, "--suri", "//Dave", "6", String(start), "4"], { encoding: "utf8" });
  await page.goto(`${APP}#market`);
  await page.getByTestId("account").selectOption(CHARLIE);
  const ask = page.locator('[data-testid="asks"] tr[data-order="1"]');
  await ask.waitFor({ timeout: 30_000 });
  // Bob offered 100 GPU-hours at 2.4 USDC; the sample pool's Charlie took 40.
  const order = read("market", "order", "1");
  assert.equal(field(order, "amount"), "60000000");
  assert.equal(await units(ask.locator("td").nth(1)), BigInt(field(order, "price")));
  assert.equal(await units(ask.locator("td").nth(2)), 60_000_000n);
  // The fee it pays (and the most the app's fill accepts): posted at the market's 1%.
  assert.equal(await ask.locator("td").nth(5).getAttribute("data-bps"), field(order, "fee_bps"));
  assert.equal(field(order, "fee_bps"), "100");
  assert.equal(await page.getByTestId("best-ask").textContent(), "2.4 USDC");
  assert.equal(await page.locator('[data-testid="bids"] tr[data-order]').count(), 0, "no buy orders");
  assert.ok(Number(await page.getByTestId("chart-market-volume").getAttribute("data-points")) > 0);
  const forward = page.getByTestId("forward");
  const from = await forward.getAttribute("data-from");
  // The CLI prints `Some(x)` as x and `None` as None.
  const onChain = read("escrow", "forward_curve", from, "12").match(/\d+|None/g).map((p) => (p === "None" ? "full" : p));
  assert.equal(await forward.getAttribute("data-prices"), onChain.join(","), "the chart is the escrow's forward curve");
  assert.equal(onChain.length, 12);
  const first = Number(from);
  assert.deepEqual(onChain, onChain.map((_, i) => (first + i >= start && first + i < start + 4 ? "3100000" : "2500000")), "Dave's epochs cost more");
  const before = [read("coin", "PSP22::balance_of", CHARLIE), read("token", "PSP22::balance_of", CHARLIE), read("coin", "PSP22::balance_of", BOB)].map(BigInt);

  // Charlie takes 10 more: 24 USDC from him, 23.76 to Bob (1% to the operator), 10 GPU-hours to him.
  await page.getByTestId("fill-amount").fill("10");
  await page.getByTestId("fill-order").fill("1");
  await page.getByTestId("fill-send").click();
  await page.getByTestId("status").getByText("fill: done").waitFor({ timeout: 60_000 });
  const after = [read("coin", "PSP22::balance_of", CHARLIE), read("token", "PSP22::balance_of", CHARLIE), read("coin", "PSP22::balance_of", BOB)].map(BigInt);
  assert.deepEqual(after, [before[0] - 24_000_000n, before[1] + 10_000_000n, before[2] + 23_760_000n]);
  assert.equal(await units(page.locator('[data-testid="asks"] tr[data-order="1"] td').nth(2)), 50_000_000n);
  // The fill is the newest of the market's recent fills (its Filled event): 10 GPU-h at 2.4 USDC for 24 USDC.
  const latest = page.locator('[data-testid="fills"] tr[data-fill]').first();
  assert.equal(await latest.getAttribute("data-fill"), "1");
  const cells = await Promise.all([3, 4, 5].map((i) => units(latest.locator("td").nth(i))));
  assert.deepEqual(cells, [2_400_000n, 10_000_000n, 24_000_000n]);
  await page.screenshot({ path: `${SHOTS}/market.png`, fullPage: true });

  // The owner raises the fee to 2% after the page showed 1%: Charlie's bid, posted at the 1% he
  // saw, is refused and nothing is recorded; the view re-reads the fee, and posted at the 2% now
  // shown, the bid records 2% (the book's fee column) and commits exactly 2 USDC.
  const state = read("market", "state");
  assert.equal(await page.getByTestId("market-fee").getAttribute("data-bps"), field(state, "fee_bps"));
  const recipient = state.match(/\bfee_recipient: (\w+)/)[1];
  call("market", "set_fee", "200", recipient);
  const postBid = async () => {
    await page.getByTestId("post-side").selectOption("Buy");
    await page.locator("#post-price").fill("2");
    await page.getByTestId("post-amount").fill("1");
    await page.getByTestId("post-send").click();
  };
  await postBid();
  await page.getByTestId("status").getByText(/post refused: .*FeeAboveLimit/).waitFor({ timeout: 60_000 });
  assert.equal(field(read("market", "state"), "last_id"), "1", "nothing posted");
  assert.equal(await page.getByTestId("market-fee").getAttribute("data-bps"), "200", "the refusal re-read the fee");
  await postBid();
  await page.getByTestId("status").getByText("post: done").waitFor({ timeout: 60_000 });
  const bid = page.locator('[data-testid="bids"] tr[data-order="2"]');
  assert.equal(await bid.locator("td").nth(5).getAttribute("data-bps"), "200");
  assert.equal(field(read("market", "order", "2"), "fee_bps"), "200");
  assert.equal(read("market", "open", CHARLIE, "Buy"), "2000000");
  // He cancels it from the book; the fee goes back to 1%.
  await bid.locator("button[data-cancel]").click();
  await page.getByTestId("status").getByText("cancel: done").waitFor({ timeout: 60_000 });
  assert.equal(read("market", "open", CHARLIE, "Buy"), "0");
  call("market", "set_fee", "100", recipient);
});

test("the borrower view shows Bob's loan as the vault values it, its health by block, explains a refusal and repays exactly", async () => {
  // Priced again by fresh rent (the vault looks back 12 epochs of 3.6 s).
  priceThePool();
  await page.goto(`${APP}#borrower`);
  await page.getByTestId("account").selectOption(BOB);
  const collateral = page.locator(`[data-testid="collateral"][data-account="${BOB}"]`);
  await collateral.waitFor({ timeout: 30_000 });
  const health = read("vault", "health", BOB);
  assert.equal(await units(collateral), BigInt(field(health, "collateral")));
  assert.equal(await units(collateral), 1_000_000_000n, "Bob locked 1,000 GPU-hours");
  for (const [id, name] of [["debt", "debt"], ["collateral-value", "value"], ["borrow-limit", "borrow_limit"], ["liquidation-limit", "liquidation_limit"]]) {
    assert.equal(await units(page.getByTestId(id)), BigInt(field(health, name)), id);
  }
  assert.ok((await units(page.getByTestId("debt"))) >= 1_800_000n, "2 USDC borrowed, interest on top, less the little yield repaid");
  assert.equal(await page.getByTestId("health-factor").getAttribute("data-bps"), field(health, "health_factor_bps"));
  assert.match(await page.getByTestId("health-factor").textContent(), /^\d+\.\d\d×$/);
  assert.equal(await units(page.getByTestId("pool-value")), BigInt(fieldOf(read("vault", "valuation"), "current", "pool_value")));
  assert.equal(await page.getByTestId("unvalued").count(), 0, "the pool is priced");
  // The chart: the vault's own health at each recent block; the last bar is this block's.
  const chart = page.getByTestId("chart-health");
  await chart.waitFor({ timeout: 60_000 });
  assert.ok(Number(await chart.getAttribute("data-points")) > 1);
  assert.equal(await chart.locator("rect").last().getAttribute("data-bps"), field(health, "health_factor_bps"));
  assert.match(await chart.textContent(), /health factor \(×\)/);
  assert.ok((await chart.locator("text.tick").count()) >= 4, "axes carry values");

  // More than the vault's cash: refused, with the contract's doc and the app's hint.
  await page.getByTestId("borrow-amount").fill("1000");
  await page.getByTestId("borrow-send").click();
  await page.getByTestId("status").getByText("borrow refused").waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId("status").textContent(), /^borrow refused: Not enough stablecoin that is not lent out\. Borrowers hold the rest .* \(InsufficientLiquidity\)$/);

  const cashBefore = await units(page.getByTestId("borrower-stablecoin"));
  assert.equal(cashBefore, BigInt(read("coin", "PSP22::balance_of", BOB)));
  const debtBefore = await units(page.getByTestId("debt"));
  // 0.2 USDC: less than what is left of the loan once the yield the vault received (Bob's
  // collateral's share of the rent distributed in the tests before) has repaid its part.
  await page.getByTestId("repay-amount").fill("0.2");
  await page.getByTestId("repay-send").click();
  await page.getByTestId("status").getByText("repay: done").waitFor({ timeout: 60_000 });
  // Exactly 0.2 USDC left Bob; his debt is the vault's figure at the repayment's block (interest
  // accrued since the last read, and the collateral's yield repaid more).
  assert.equal(await units(page.getByTestId("borrower-stablecoin")), cashBefore - 200_000n);
  assert.equal(BigInt(read("coin", "PSP22::balance_of", BOB)), cashBefore - 200_000n, "the chain agrees");
  const repaid = read("vault", "health", BOB);
  assert.equal(await units(page.getByTestId("debt")), BigInt(field(repaid, "debt")));
  assert.ok((await units(page.getByTestId("debt"))) <= debtBefore - 200_000n + 100n, "the debt fell by the 0.2 USDC (less a few seconds of interest)");
  await page.getByTestId("chart-health").waitFor({ timeout: 60_000 });
  await page.screenshot({ path: `${SHOTS}/web-vault-borrower.png`, fullPage: true });
});

test("without recent rent the borrower view shows why the vault cannot value the loan, not figures", async () => {
  // The vault counts the rent of its last 12 epochs (3.6 s each): about 43 s without rent.
  await untilUnpriced();
  await page.goto(`${APP}#borrower`);
  await page.reload();
  await page.getByTestId("account").selectOption(BOB);
  const reason = page.locator(`[data-testid="unvalued"][data-account="${BOB}"]`);
  await reason.waitFor({ timeout: 30_000 });
  assert.equal(await reason.getAttribute("data-variant"), "Unpriced");
  assert.match(await reason.textContent(), /The valuation is zero \(no rent distributed recently.*the pool is priced again\. \(Unpriced\)/);
  for (const id of ["collateral-value", "borrow-limit", "liquidation-limit", "health-factor"]) {
    assert.equal(await page.getByTestId(id).textContent(), "not valued (Unpriced)", id);
  }
  // What does not depend on a valuation is still shown, as the vault reads it.
  assert.equal(await units(page.getByTestId("debt")), BigInt(field(read("vault", "health", BOB), "debt")));
  assert.equal(await page.getByTestId("pool-value").getAttribute("data-units"), fieldOf(read("vault", "valuation"), "current", "pool_value"));
  const chart = page.getByTestId("chart-health");
  await chart.waitFor({ timeout: 60_000 });
  assert.equal(await chart.locator("text.mark.unvalued").last().getAttribute("data-reason"), "Unpriced");
});
