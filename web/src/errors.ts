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
