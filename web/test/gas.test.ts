import { describe as group, expect, it } from "vitest";
import { withMargin } from "../src/gas";

group("gas", () => {
  it("gives a transaction half again its dry run's gas, within the chain's largest transaction", () => {
    const roomy = { refTime: 10n ** 18n, proofSize: 10n ** 18n };
    expect(withMargin({ refTime: 1_000n, proofSize: 64n }, roomy)).toEqual({ refTime: 1_500n, proofSize: 96n });
    expect(withMargin({ refTime: 800n, proofSize: 800n }, { refTime: 1_000n, proofSize: 10_000n })).toEqual({ refTime: 900n, proofSize: 1_200n });
    expect(withMargin({ refTime: 950n, proofSize: 10n }, { refTime: 1_000n, proofSize: 10_000n })).toEqual({ refTime: 950n, proofSize: 15n });
  });
});
