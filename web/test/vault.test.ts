/// <reference types="node" />
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe as group, expect, it } from "vitest";
import { describe, VAULT_HINTS, variantDocs, withHints } from "../src/errors";
import { healthFactor, UNBOUNDED } from "../src/format";
import { price, shares } from "../src/vault";

const ARTIFACTS = process.env.COMPUTE_RWA_ARTIFACTS ?? resolve(__dirname, "../../target/ink");
const metadata = JSON.parse(readFileSync(`${ARTIFACTS}/credit_vault/credit_vault.json`, "utf8"));

/** The variants of the vault's `Error` enum, from its metadata. */
function vaultErrors(): string[] {
  const entry = metadata.types.find((t: any) => (t.type.path ?? []).join("::") === "credit_vault::vault::Error");
  return entry.type.def.variant.variants.map((v: any) => v.name);
}

group("credit vault", () => {
  it("shows health factors rounded down, ∞ without debt", () => {
    expect(healthFactor(222_257n)).toBe("22.22×");
    expect(healthFactor(10_000n)).toBe("1.00×");
    expect(healthFactor(9_999n)).toBe("0.99×");
    expect(healthFactor(123_456_789n)).toBe("12,345.67×");
    expect(healthFactor(UNBOUNDED)).toBe("∞");
  });

  it("shows a share price with all six decimals and shares in units of 10^6", () => {
    expect(price(1_000_000n)).toBe("1.000000");
    expect(price(1_000_056n)).toBe("1.000056");
    expect(price(12_345_600_000n)).toBe("12,345.600000");
    expect(shares(500_999_999n)).toBe("500.999999 shares");
  });

  it("explains every refusal of the vault: its doc comment, then what to do about it", () => {
    const docs = withHints(variantDocs(metadata), VAULT_HINTS);
    for (const variant of vaultErrors()) expect(docs.get(variant), variant).toBeTruthy();
    for (const variant of Object.keys(VAULT_HINTS)) expect(vaultErrors(), `hint for an unknown variant ${variant}`).toContain(variant);
    const refused = describe("ExceedsBorrowLimit", docs);
    expect(refused.message).toBe(
      "The debt would exceed the loan-to-value limit of the collateral. Borrow less, lock more collateral, or repay first: the debt must stay within the borrow limit shown above. (ExceedsBorrowLimit)",
    );
    expect(describe("StaleFeed", docs).plain).toMatch(/^The oracle's feed is stale or unknown: nothing can be valued, so no new risk\. The vault lends nothing new/);
    // Variants without a hint keep their doc alone.
    expect(describe("InvalidParams", docs).plain).toBe("Parameters out of their bounds.");
  });

  it("adds hints without touching other contracts' docs", () => {
    const docs = new Map([["Paused", "Transfers are paused."]]);
    expect(withHints(docs, { Paused: "Wait." }).get("Paused")).toBe("Transfers are paused. Wait.");
    expect(docs.get("Paused")).toBe("Transfers are paused.");
    expect(withHints(new Map(), { Gone: "Try later." }).get("Gone")).toBe("Try later.");
  });
});
