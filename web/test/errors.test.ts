import { describe as group, expect, it } from "vitest";
import { describe, innermost, variantDocs, variantPath } from "../src/errors";

// The shape of cargo-contract metadata's `types`, as our contracts' .json files hold them.
const metadata = {
  types: [
    { id: 1, type: { def: { variant: { variants: [
      { index: 7, name: "RecipientNotVerified", docs: ["The recipient is not verified in the identity registry."] },
      { index: 2, name: "Paused", docs: ["Transfers are paused."] },
    ] } } } },
    { id: 2, type: { def: { composite: { fields: [] } } } },
    { id: 3, type: { def: { variant: { variants: [{ index: 0, name: "Custom", fields: [{ type: 4 }] }] } } } },
  ],
};

group("contract errors", () => {
  it("names the variant path of decoded errors", () => {
    expect(variantPath({ Token: "RecipientNotVerified" })).toBe("Token(RecipientNotVerified)");
    expect(variantPath({ Access: { NotAgent: null } })).toBe("Access(NotAgent)");
    expect(variantPath({ Custom: "RecipientNotVerified" })).toBe("Custom(RecipientNotVerified)");
    expect(variantPath("Paused")).toBe("Paused");
    expect(innermost("Token(Reward(NothingToClaim))")).toBe("NothingToClaim");
  });

  it("explains a refusal with the variant's own documentation", () => {
    const docs = variantDocs(metadata);
    expect(docs.size).toBe(2);
    const error = describe({ Custom: "RecipientNotVerified" }, docs);
    expect(error.variant).toBe("Custom(RecipientNotVerified)");
    expect(error.plain).toBe("The recipient is not verified in the identity registry.");
    expect(error.message).toBe("The recipient is not verified in the identity registry. (Custom(RecipientNotVerified))");
    expect(describe({ Escrow: "Disputed" }, docs).plain).toBe("The contract refused the call.");
    // A missing role is explained by the error, then the role (not by the role's doc alone).
    const roles = variantDocs({ types: [{ id: 5, type: { def: { variant: { variants: [
      { index: 2, name: "MissingRole", docs: ["The caller does not hold this role."] },
      { index: 0, name: "Agent", docs: ["Operates the registry day to day."] },
    ] } } } }] });
    expect(describe({ MissingRole: "Agent" }, roles).message).toBe("The caller does not hold this role. Agent: Operates the registry day to day. (MissingRole(Agent))");
  });
});
