// Contract errors as people read them: the decoded variant path plus one plain sentence.

/** A refusal decoded from a message's `Err(…)`: e.g. variant "RecipientNotVerified" or "MissingRole(Agent)". */
export class ContractError extends Error {
  constructor(readonly variant: string, readonly plain: string) {
    super(`${plain} (${variant})`);
  }
}

/** Variant name → its doc comment, gathered from a contract's metadata (`.json` from cargo-contract). */
export type VariantDocs = Map<string, string>;

/** Every enum variant documented in ink! metadata, so refusals read as the contract's own docs. */
export function variantDocs(metadata: { types?: unknown[] }): VariantDocs {
  const docs: VariantDocs = new Map();
  for (const entry of metadata.types ?? []) {
    const variants = (entry as { type?: { def?: { variant?: { variants?: { name: string; docs?: string[] }[] } } } }).type?.def?.variant?.variants;
    for (const v of variants ?? []) {
      const text = (v.docs ?? []).join(" ").trim();
      if (text && !docs.has(v.name)) docs.set(v.name, text);
    }
  }
  return docs;
}

/** The variant path of a decoded (human-form) error value: {Token: "X"} → "Token(X)". */
export function variantPath(value: unknown): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [name, inner] = entries[0];
      return inner === null || inner === undefined ? name : `${name}(${variantPath(inner)})`;
    }
  }
  return JSON.stringify(value);
}

/** The innermost variant name of a path: "Token(RecipientNotVerified)" → "RecipientNotVerified". */
export function innermost(path: string): string {
  const parts = path.replace(/\)+$/, "").split("(");
  return parts[parts.length - 1].replace(/^"|"$/g, "");
}

/** A decoded error value as a ContractError explained by the variant's documentation: the
 * innermost variant's (the token's reason inside the pool admin's `Token(…)`), except for
 * `MissingRole(role)`, whose inner variant is the role: the error's doc, then the role's. */
export function describe(value: unknown, docs: VariantDocs): ContractError {
  const variant = variantPath(value);
  const refused = "The contract refused the call.";
  const role = /^MissingRole\((\w+)\)$/.exec(variant)?.[1];
  const plain = role ? `${docs.get("MissingRole") ?? refused} ${role}: ${docs.get(role) ?? ""}`.trim() : (docs.get(innermost(variant)) ?? refused);
  return new ContractError(variant, plain);
}

/**
 * What a person can do about each refusal of the credit vault, said after the contract's own
 * doc comment (which says what went wrong). Variants without an entry are explained by their
 * doc alone.
 */
export const VAULT_HINTS: Readonly<Record<string, string>> = {
  Paused: "Locking collateral, repaying, withdrawing, redeeming and unlocking stay open meanwhile.",
  ZeroAmount: "Enter an amount above zero.",
  ZeroShares: "The amount is below one share unit at the current share price: enter a larger one.",
  InsufficientShares: "Redeem at most the shares this account holds (shown above).",
  InsufficientLiquidity: "Borrowers hold the rest of the lenders' stablecoin: take at most the vault's cash not lent out (shown above), or wait for repayments.",
  InsufficientCollateral: "Unlock at most the collateral this position holds (shown above).",
  ExceedsBorrowLimit: "Borrow less, lock more collateral, or repay first: the debt must stay within the borrow limit shown above.",
  Healthy: "Only a position whose health factor is below 1 can be liquidated.",
  NoDebt: "Nothing is owed on this position.",
  StaleFeed: "The vault lends nothing new, and keeps collateral locked behind a debt, until the oracle finalizes fresh epochs.",
  Unpriced: "The vault measures holders' rent between its checkpoints (one an epoch, taken by a borrow, an unlock, a liquidation or anyone's refresh) over its trailing epochs: once rent is paid again and a later epoch's checkpoint follows, the pool is priced again.",
  YieldPending: "The write-off waits until the period's last rent has settled and streamed to holders (the valuation's yield_until); until then that yield still repays the debt.",
  NothingToClaim: "Credit builds up only once the collateral's yield has repaid the whole debt.",
  TokenRefused: "The token's compliance decides: the account must be verified and not frozen and the token not paused (to borrow, the vault must also be able to send the collateral back).",
  PaymentRefused: "Check the account's stablecoin balance (the app approves the vault for the amount before the vault pulls it).",
  CallFailed: "Nothing changed; try again.",
};

/** `docs` with each variant's hint (when it has one) said after its doc comment. */
export function withHints(docs: VariantDocs, hints: Readonly<Record<string, string>>): VariantDocs {
  const explained: VariantDocs = new Map(docs);
  for (const [variant, hint] of Object.entries(hints)) {
    const doc = docs.get(variant);
    explained.set(variant, doc ? `${doc.replace(/\.?$/, ".")} ${hint}` : hint);
  }
  return explained;
}
