/// <reference types="node" />
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe as group, expect, it } from "vitest";
import { reconcile, type Figures } from "../src/audit";

// The golden fixture the CLI's audit (the source of truth) writes and checks: the same figures
// must give the same checks, verdicts and figures text here.
const GOLDEN = JSON.parse(readFileSync(resolve(__dirname, "../../cli/tests/fixtures/audit-golden.json"), "utf8"));

/** The fixture's figures (the CLI's field names, plain JSON numbers) as the web app's `Figures`. */
// The fixture is untyped JSON; this function is where its shape is checked (by the comparisons below).
function fromGolden(g: any): Figures {
  const n = (value: number) => BigInt(value);
  const schedule = (s: number[]) => s.map(n) as [bigint, bigint, bigint, bigint];
  return {
    codeHashes: g.code_hashes.map((row: string[]) => [...row]),
    expectedCapacity: n(g.expected_capacity),
    capacity: n(g.capacity),
    expectedAttestation: g.expected_attestation,
    attestation: g.attestation,
    supply: n(g.supply),
    redeemed: n(g.redeemed),
    holderCount: n(g.holder_count),
    holders: g.holders.map((h: any) => ({ account: h.account, balance: n(h.balance), claimable: n(h.claimable), verified: h.verified, inSync: h.in_sync })),
    distributed: n(g.distributed),
    claimed: n(g.claimed),
    undistributed: n(g.undistributed),
    streaming: n(g.streaming),
    tokenStablecoin: n(g.token_stablecoin),
    escrow: {
      deposited: n(g.escrow.deposited),
      released: n(g.escrow.released),
      fees: n(g.escrow.fees),
      refunded: n(g.escrow.refunded),
      held: n(g.escrow.held),
      withdrawn: n(g.escrow.withdrawn),
      feesWithdrawn: n(g.escrow.fees_withdrawn),
      unpaidYield: n(g.escrow.unpaid_yield),
    },
    escrowStablecoin: n(g.escrow_stablecoin),
    escrowFeed: {
      oracle: g.escrow_feed.oracle,
      expectedOracle: g.escrow_feed.expected_oracle,
      feed: n(g.escrow_feed.feed),
      expectedFeed: n(g.escrow_feed.expected_feed),
      schedule: schedule(g.escrow_feed.schedule),
      feedSchedule: schedule(g.escrow_feed.feed_schedule),
    },
    finalizedEpochs: n(g.finalized_epochs),
    latestEpoch: g.latest_epoch === null ? undefined : n(g.latest_epoch),
    feedRefusal: g.feed_refusal ?? undefined,
    epochsChecked: g.epochs_checked,
    flagged: g.flagged.map(([reporter, epoch]: [string, number]) => [reporter, n(epoch)]),
    tokenBound: g.token_bound,
    tokenAdmin: g.token_admin,
    tokenPendingAdmin: g.token_pending_admin ?? undefined,
    expectedAdmin: g.expected_admin,
    adminToken: g.admin_token,
    expectedToken: g.expected_token,
    latestAttested: g.latest_attested === null ? undefined : [n(g.latest_attested[0]), g.latest_attested[1]],
    recordedRedeemed: n(g.recorded_redeemed),
  };
}

const ORACLE = "5FZ54AV4iVheKit3PE4Ba2Uu2fy3giZdMg7Yz4PbTXLYMxW1";
const ANSWERS = "the token answers only to its pool admin";
const IDENTITY = "distributed = claimed + claimable + undistributed + streaming + dust";
const SOLVENCY = "stablecoin held ≥ claimable + undistributed + streaming";

// The books of a pool mid-stream (the golden fixture's first case): a settlement's yield still
// streaming to holders, and one the token refused kept owed by the escrow. Everything adds up.
const balanced = (): Figures => fromGolden(GOLDEN.cases[0].figures);

const failing = (f: Figures) => reconcile(f).filter((c) => !c.pass).map((c) => c.check);

group("audit", () => {
  for (const golden of GOLDEN.cases) {
    it(`gives the CLI's checks for the golden case "${golden.name}"`, () => {
      expect(golden.checks).toHaveLength(14);
      expect(reconcile(fromGolden(golden.figures))).toEqual(golden.checks);
    });
  }

  it("passes balanced books, with the CLI's fourteen checks", () => {
    const checks = reconcile(balanced());
    expect(checks).toHaveLength(14);
    expect(failing(balanced())).toEqual([]);
  });

  it("fails each broken figure in its own check", () => {
    const cases: [(f: Figures) => void, string][] = [
      [(f) => (f.codeHashes[0][2] = "0x02"), "code hashes match deployment.json"],
      [(f) => (f.expectedCapacity += 1n), "capacity is the attested one"],
      // The token and its admin agree on a document the deployment did not record.
      [(f) => ((f.attestation = `0x${"cd".repeat(32)}`), (f.latestAttested = [f.capacity, f.attestation])), "capacity is the attested one"],
      [(f) => ((f.redeemed = 2_770_000_001n), (f.recordedRedeemed = f.redeemed)), "supply ≤ attested capacity"],
      [(f) => (f.holders[1].balance -= 1n), "Σ balances of known holders = supply"],
      [(f) => (f.holderCount = 3n), "Σ balances of known holders = supply"],
      [(f) => (f.holders[0].verified = false), "holders are verified"],
      [(f) => (f.distributed += 1n), IDENTITY],
      [(f) => (f.claimed += 3n), IDENTITY],
      // Streaming counts: without it, 0.1 USDC would be unaccounted for ...
      [(f) => (f.streaming = 0n), IDENTITY],
      // ... and must be covered: 0.95 USDC pays what is claimable, not what still streams.
      [(f) => (f.tokenStablecoin = 950_000n), SOLVENCY],
      [(f) => (f.tokenStablecoin = 999_997n), SOLVENCY],
      [(f) => (f.escrow.released -= 1n), "deposited = released + fees + refunded + held"],
      [(f) => (f.escrow.withdrawn -= 1n), "stablecoin balance ≥ obligations"],
      // Unpaid yield is owed: the escrow's 0.001 USDC is exactly it.
      [(f) => (f.escrowStablecoin = 999n), "stablecoin balance ≥ obligations"],
      [(f) => (f.escrow.unpaidYield += 1n), "stablecoin balance ≥ obligations"],
      [(f) => (f.escrowFeed.oracle = "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw"), "escrow reads the pool's feed"],
      [(f) => (f.escrowFeed.feed = 1n), "escrow reads the pool's feed"],
      [(f) => (f.escrowFeed.schedule[0] = 2n), "escrow reads the pool's feed"],
      [(f) => (f.escrowFeed.schedule[3] = 30_000n), "escrow reads the pool's feed"],
      [(f) => (f.feedRefusal = "Oracle(Stale)"), "feed is fresh"],
      [(f) => f.flagged.push(["eve", 3n]), "reports within tolerance of the median"],
      [(f) => (f.tokenBound = false), "token's identities = the registry's"],
      // The issuer's own account as the token's admin would bypass the roles and records.
      [(f) => (f.tokenAdmin = ORACLE), ANSWERS],
      [(f) => (f.tokenPendingAdmin = ORACLE), ANSWERS],
      [(f) => (f.adminToken = ORACLE), ANSWERS],
      [(f) => (f.latestAttested = undefined), ANSWERS],
      [(f) => (f.latestAttested = [5_759_000_000n, `0x${"ab".repeat(32)}`]), ANSWERS],
      [(f) => (f.latestAttested = [5_760_000_000n, `0x${"cd".repeat(32)}`]), ANSWERS],
      [(f) => (f.recordedRedeemed = 9_000_000n), ANSWERS],
      [(f) => (f.holders[1].inSync = false), "token's identities = the registry's"],
    ];
    for (const [breakIt, expected] of cases) {
      const figures = balanced();
      breakIt(figures);
      expect(failing(figures)).toEqual([expected]);
    }
  });

  it("fails the obligations when more was withdrawn than owed, and names negative dust", () => {
    const figures = balanced();
    figures.escrow.withdrawn = figures.escrow.refunded + 1n;
    figures.escrowStablecoin = 10n ** 30n;
    expect(failing(figures)).toEqual(["stablecoin balance ≥ obligations"]);
    expect(reconcile(figures)[8].figures).toMatch(/withdrawn more than owed$/);
    const streaming = balanced();
    streaming.holders[0].claimable = 0n;
    streaming.streaming = 700_000n;
    expect(failing(streaming)).toEqual([]);
    streaming.streaming = 700_003n;
    expect(reconcile(streaming)[5].figures).toContain("dust negative");
  });
});
