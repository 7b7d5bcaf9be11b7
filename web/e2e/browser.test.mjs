// The web app in headless Chromium against a local node with scripts/sample-pool.sh's pool
// (scripts/web-test.sh prepares both and serves the app). Figures are compared with what the
// compute-rwa CLI reads from chain; screenshots go to docs/img/.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const APP = process.env.WEB_URL ?? "http://127.0.0.1:5173/";
const CLI = process.env.COMPUTE_RWA_CLI;
const DEPLOYMENT = process.env.WEB_DEPLOYMENT;
const SHOTS = process.env.WEB_SCREENSHOTS ?? "../docs/img";
const BOB = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
const DAVE = "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy";

/** A value read from chain by the CLI, e.g. read("token", "PSP22::balance_of", BOB). */
const read = (...args) => execFileSync(CLI, ["read", "--deployment", DEPLOYMENT, ...args], { encoding: "utf8" }).trim();
/** One numeric field of a struct the CLI read, e.g. field(read("token", "state"), "capacity"). */
const field = (text, name) => text.match(new RegExp(`\\b${name}: (\\d+)`))[1];
/** A transaction by the issuer (//Alice on the dev chain) through the CLI. */
const call = (...args) => execFileSync(CLI, ["call", "--deployment", DEPLOYMENT, ...args], { encoding: "utf8" });
const units = (locator) => locator.getAttribute("data-units").then(BigInt);

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
  assert.match(await page.getByTestId("offer").textContent(), /2\.5 USDC \/ GPU-h/);
  assert.match(await page.getByTestId("offer").textContent(), /cancellation fee 0% \(also before the start with under 7\.2 s notice\)/);
  await page.screenshot({ path: `${SHOTS}/pool.png`, fullPage: true });
});

test("an investor sees the chain's figures, claims exactly the claimable yield, and is told why a transfer fails", async () => {
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

  // The issuer pays 3 USDC of rent to holders (Bob holds 2,000 of 3,000 GPU-h). It streams over
  // the yield period; the page follows it without a reload, and claimable is the chain's figure.
  const deployment = JSON.parse(readFileSync(DEPLOYMENT, "utf8"));
  call("coin", "mint", deployment.deployer, "3000000");
  call("coin", "PSP22::approve", deployment.contracts.gpu_hour_token.address, "3000000");
  call("token", "YieldDistributor::distribute", "3000000");
  const stream = page.locator('[data-testid="stream"]', { hasText: "3 USDC still streaming to holders until" });
  await stream.waitFor({ timeout: 30_000 });
  assert.match(await stream.textContent(), /about 2 USDC of it to this balance$/);
  assert.equal(await units(page.getByTestId("claimable")), BigInt(field(read("token", "holding", BOB), "claimable")));
  assert.match(await page.getByTestId("status").textContent(), /transfer refused/, "the refusal is still shown: nothing was re-rendered");
  await page.screenshot({ path: `${SHOTS}/investor.png`, fullPage: true });
});

test("the audit view passes every check, as the CLI does", async () => {
  await page.goto(`${APP}#audit`);
  const summary = page.getByTestId("audit-summary");
  await summary.waitFor({ timeout: 60_000 });
  assert.equal(await summary.textContent(), "14 checks, 14 PASS, 0 FAIL");
  // The same checks, verdicts and figures as `compute-rwa audit` on the same block (the yield
  // distributed above is still streaming there).
  const cli = JSON.parse(execFileSync(CLI, ["--output", "json", "audit", "--deployment", DEPLOYMENT], { encoding: "utf8" }));
  const rows = await page.$$eval('[data-testid="audit"] tr', (trs) => trs.slice(1).map((tr) => [...tr.cells].map((td) => td.textContent)));
  assert.deepEqual(rows, cli.map((c) => [c.area, c.check, c.pass ? "PASS" : "FAIL", c.figures]));
  assert.ok(rows.some(([, check, , figures]) => check.includes("streaming") && / \+ 3 USDC \+ dust/.test(figures)), "the stream is counted");
  await page.screenshot({ path: `${SHOTS}/audit.png`, fullPage: true });
});
