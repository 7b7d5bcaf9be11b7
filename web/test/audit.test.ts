import { describe as group, expect, it } from "vitest";
import { deviates, reconcile, type Figures } from "../src/audit";

// The books after the demo's story: everything adds up.
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
      { account: "bob", balance: 2_000_000_000n, claimable: 0n, verified: true },
      { account: "charlie", balance: 990_000_000n, claimable: 5n, verified: true },
    ],
    distributed: 3_000_000n,
    claimed: 2_999_993n,
    undistributed: 0n,
    tokenStablecoin: 7n,
    escrow: { deposited: 40_000n, released: 15_300n, fees: 1_700n, refunded: 23_000n, held: 0n, withdrawn: 23_000n, feesWithdrawn: 1_700n },
    escrowStablecoin: 0n,
    escrowSchedule: "genesis 1, epoch 3600 ms, 8 GPUs",
    feedSchedule: "genesis 1, epoch 3600 ms, 8 GPUs",
    finalizedEpochs: 2n,
    epochsChecked: 2,
    flagged: [],
  };
}

const failing = (f: Figures) => reconcile(f).filter((c) => !c.pass).map((c) => c.check);

group("audit", () => {
  it("passes balanced books, with the CLI's twelve checks", () => {
    expect(reconcile(balanced())).toHaveLength(12);
    expect(failing(balanced())).toEqual([]);
  });

  it("fails each broken figure in its own check", () => {
    const cases: [(f: Figures) => void, string][] = [
      [(f) => (f.codeHashes[0][2] = "0x02"), "code hashes match deployment.json"],
      [(f) => (f.expectedCapacity += 1n), "capacity is the attested one"],
      [(f) => (f.attestation = `0x${"cd".repeat(32)}`), "capacity is the attested one"],
      [(f) => (f.redeemed = 2_770_000_001n), "supply ≤ attested capacity"],
      [(f) => (f.holders[1].balance -= 1n), "Σ balances of known holders = supply"],
      [(f) => (f.holders[0].verified = false), "holders are verified"],
      [(f) => (f.distributed += 3n), "distributed = claimed + claimable + undistributed + dust"],
      [(f) => (f.tokenStablecoin = 4n), "stablecoin held ≥ claimable + undistributed"],
      [(f) => (f.escrow.released -= 1n), "deposited = released + fees + refunded + held"],
      [(f) => (f.escrow.withdrawn -= 1n), "stablecoin balance ≥ obligations"],
      [(f) => (f.escrowSchedule = "genesis 2"), "escrow settles on the feed's schedule"],
      [(f) => (f.feedRefusal = "Oracle(Stale)"), "feed is fresh"],
      [(f) => f.flagged.push(["eve", 3n]), "reports within tolerance of the median"],
    ];
    for (const [breakIt, expected] of cases) {
      const figures = balanced();
      breakIt(figures);
      expect(failing(figures)).toEqual([expected]);
    }
  });

  it("flags reports by the oracle's deviation rule", () => {
    const median = { gpuMilliHours: 8000n, utilizationBps: 9000n, uptimeBps: 9990n, energyWh: 5n, avgPowerW: 700n };
    expect(deviates(median, median, 500n)).toBe(false);
    expect(deviates({ ...median, gpuMilliHours: 8400n }, median, 500n)).toBe(false); // exactly 5%
    expect(deviates({ ...median, gpuMilliHours: 8401n }, median, 500n)).toBe(true);
    expect(deviates({ ...median, energyWh: 6n }, median, 500n)).toBe(true);
  });
});
