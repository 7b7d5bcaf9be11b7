// Gas for a transaction: what its dry run needed and half as much again, as the CLI does.

/** A weight's two parts. */
export interface Parts {
  refTime: bigint;
  proofSize: bigint;
}

/**
 * The dry run executes at the last block's time, the transaction in a later block, where
 * clock-driven work costs more (the token releasing its yield stream since its last update).
 * Unused gas is refunded, so the margin costs nothing; it stays within 90% of `most` (the
 * chain's largest normal transaction) and never below what the dry run needed.
 */
export function withMargin(required: Parts, most: Parts): Parts {
  const halfAgain = (part: bigint, cap: bigint) => {
    const wanted = part + part / 2n;
    const limit = (cap * 9n) / 10n;
    const capped = wanted < limit ? wanted : limit;
    return capped > part ? capped : part;
  };
  return { refTime: halfAgain(required.refTime, most.refTime), proofSize: halfAgain(required.proofSize, most.proofSize) };
}
