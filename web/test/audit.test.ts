import { describe as group, expect, it } from "vitest";
import { deviates, reconcile, type Figures } from "../src/audit";

const ORACLE = "5FZ54AV4iVheKit3PE4Ba2Uu2fy3giZdMg7Yz4PbTXLYMxW1";
const ADMIN = "5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY";
const TOKEN = "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy";
const ANSWERS = "the token answers only to its pool admin";
const IDENTITY = "distributed = claimed + claimable + undistributed + streaming + dust";
const SOLVENCY = "stablecoin held ≥ claimable + undistributed + streaming";

// The books of a pool mid-stream (the CLI's unit-test fixture): a settlement's yield still
// streaming to holders, and one the token refused kept owed by the escrow. Everything adds up.
function balanced(): Figures {
  return {
    codeHashes: [["gpu_hour_token", "0x01", "0x01"]],
    expectedCapacity: 5_760_000_000n,
    capacity: 5_760_000_000n,
    expectedAttestation: `0x${"ab".repeat(32)}`,
    attestation: `0x${"ab".repeat(32)}`,
    supply: 2_990_000_000n,
    redeemed: 10_000_000n,
    holderCount: 2n,
    holders: [
      { account: "bob", balance: 2_000_000_000n, claimable: 600_000n, verified: true, inSync: true },
      { account: "charlie", balance: 990_000_000n, claimable: 299_998n, verified: true, inSync: true },
    ],
    distributed: 3_000_000n,
    claimed: 2_000_000n,
    undistributed: 0n,
    streaming: 100_000n,
    tokenStablecoin: 1_000_000n,
    escrow: { deposited: 60_000n, released: 48_150n, fees: 5_350n, refunded: 6_500n, held: 0n, withdrawn: 6_500n, feesWithdrawn: 5_350n, unpaidYield: 1_000n },
    escrowStablecoin: 1_000n,
    escrowFeed: { oracle: ORACLE, expectedOracle: ORACLE, feed: 0n, expectedFeed: 0n, schedule: [1n, 3_600n, 8n, 60_000n], feedSchedule: [1n, 3_600n, 8n, 60_000n] },
    finalizedEpochs: 2n,
    latestEpoch: 4n,
    epochsChecked: 2,
    flagged: [],
    tokenBound: true,
    tokenAdmin: ADMIN,
    expectedAdmin: ADMIN,
    adminToken: TOKEN,
    expectedToken: TOKEN,
    latestAttested: [5_760_000_000n, `0x${"ab".repeat(32)}`],
    recordedRedeemed: 10_000_000n,
  };
}

const failing = (f: Figures) => reconcile(f).filter((c) => !c.pass).map((c) => c.check);

group("audit", () => {
  it("passes balanced books, with the CLI's fourteen checks and figures", () => {
    const checks = reconcile(balanced());
    expect(checks).toHaveLength(14);
    expect(failing(balanced())).toEqual([]);
    // The same text as the CLI's unit test for the same figures (cli/src/audit.rs).
    expect(checks[2].figures).toBe("supply 2990 GPU-h + redeemed 10 GPU-h = 3000 GPU-h ≤ 5760 GPU-h");
    expect(checks[5].figures).toBe("3 USDC = 2 USDC + 0.899998 USDC + 0 USDC + 0.1 USDC + dust 2 (< 3 units)");
    expect(checks[6].figures).toBe("token holds 1 USDC ≥ 0.899998 USDC + 0 USDC + 0.1 USDC = 0.999998 USDC");
    expect(checks[8].figures).toBe("escrow holds 0.001 USDC ≥ held 0 USDC + refunds owed 0 USDC + fees owed 0 USDC + unpaid yield 0.001 USDC = 0.001 USDC");
    expect(checks[9].figures).toBe(
      "oracle 5FZ54AV4…MxW1 feed 0 (recorded 5FZ54AV4…MxW1 feed 0); schedule (genesis, epoch ms, GPUs, report window ms) (1, 3600, 8, 60000), feed's (1, 3600, 8, 60000)",
    );
    expect(checks[10].figures).toBe("2 finalized epochs, latest 4");
    expect(checks[12].figures).toBe("registry pushes to the token; 2 of 2 known investors agree");
    expect(checks[13].figures).toBe(
      "token's admin 5GNJqTPy…xiZY (recorded 5GNJqTPy…xiZY), admin's token 5DAAnrj7…TXFy (recorded 5DAAnrj7…TXFy); latest attestation 5760 GPU-h 0xababab…abab, token's 5760 GPU-h 0xababab…abab; redemption records 10 GPU-h, redeemed 10 GPU-h",
    );
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

  it("flags reports by the oracle's deviation rule", () => {
    const median = { gpuMilliHours: 8000n, utilizationBps: 9000n, uptimeBps: 9990n, energyWh: 5n, avgPowerW: 700n };
    expect(deviates(median, median, 500n)).toBe(false);
    expect(deviates({ ...median, gpuMilliHours: 8400n }, median, 500n)).toBe(false); // exactly 5%
    expect(deviates({ ...median, gpuMilliHours: 8401n }, median, 500n)).toBe(true);
    expect(deviates({ ...median, energyWh: 6n }, median, 500n)).toBe(true);
  });
});
