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
      disputed: n(g.escrow.disputed),
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
    vault:
      g.vault === null || g.vault === undefined
        ? undefined
        : {
            stablecoin: n(g.vault.stablecoin),
            cash: n(g.vault.cash),
            unsettledYield: n(g.vault.unsettled_yield),
            credit: n(g.vault.credit),
            tokens: n(g.vault.tokens),
            collateral: n(g.vault.collateral),
            recovered: n(g.vault.recovered),
            links: [...g.vault.links],
            expectedLinks: [...g.vault.expected_links],
          },
  };
}


// The books of a pool mid-stream (the golden fixture's first case): a settlement's yield still
// streaming to holders, and one the token refused kept owed by the escrow. Everything adds up.
const balanced = (): Figures => fromGolden(GOLDEN.cases[0].figures);

const failing = (f: Figures) => reconcile(f).filter((c) => !c.pass).map((c) => c.check);

group("audit", () => {
  for (const golden of GOLDEN.cases) {
    it(`gives the CLI's checks for the golden case "${golden.name}"`, () => {
      expect(golden.checks).toHaveLength(golden.figures.vault ? 18 : 15);
      expect(reconcile(fromGolden(golden.figures))).toEqual(golden.checks);
    });
  }

  it("covers the vault in the balanced case and every single break", () => {
    expect(GOLDEN.cases.length).toBeGreaterThanOrEqual(40);
    expect(GOLDEN.cases.filter((c: any) => c.figures.vault).length).toBe(GOLDEN.cases.length);
    expect(GOLDEN.cases.filter((c: any) => c.checks.some((check: any) => check.area === "vault" && !check.pass)).map((c: any) => c.name)).toHaveLength(7);
  });

  it("passes balanced books, with the CLI's eighteen checks; a pool without a vault has the fifteen others", () => {
    const checks = reconcile(balanced());
    expect(checks).toHaveLength(18);
    expect(failing(balanced())).toEqual([]);
    const withoutVault = reconcile({ ...balanced(), vault: undefined });
    expect(withoutVault).toEqual(checks.slice(0, 15));
    expect(withoutVault.some((c) => c.area === "vault")).toBe(false);
  });

  it("fails the vault's solvency when its obligations overflow a u128, as the CLI's checked sum does", () => {
    const books = balanced();
    books.vault = { ...books.vault!, cash: (1n << 128n) - 1n, stablecoin: (1n << 128n) - 1n };
    const solvency = reconcile(books).find((c) => c.check === "stablecoin held ≥ cash + unsettled yield + credit")!;
    expect(solvency.pass).toBe(false);
    expect(solvency.figures).toMatch(/ = overflow$/);
  });
});
