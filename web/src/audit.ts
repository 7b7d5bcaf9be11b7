// The CLI's `audit` checks, in the browser: gather figures from chain, reconcile them purely.
import type { Codec } from "@polkadot/types/types";
import { big, FRONTS, get, some, type Pool } from "./chain";
import { DECIMALS, formatUnits } from "./format";

export interface Holder {
  account: string;
  balance: bigint;
  claimable: bigint;
  verified: boolean;
  /** The token's pushed credential equals the registry's record. */
  inSync: boolean;
}

/** One oracle report's figures (the oracle's `Report`). */
export interface Report {
  gpuMilliHours: bigint;
  utilizationBps: bigint;
  uptimeBps: bigint;
  energyWh: bigint;
  avgPowerW: bigint;
}

export interface Figures {
  /** [contract, code hash in deployment.json, code hash on chain] */
  codeHashes: [string, string, string][];
  expectedCapacity: bigint;
  capacity: bigint;
  expectedAttestation: string;
  attestation: string;
  supply: bigint;
  redeemed: bigint;
  holderCount: bigint;
  holders: Holder[];
  distributed: bigint;
  claimed: bigint;
  undistributed: bigint;
  /** Distributed yield not yet released to holders (as of the block read). */
  streaming: bigint;
  tokenStablecoin: bigint;
  escrow: { deposited: bigint; released: bigint; fees: bigint; refunded: bigint; held: bigint; withdrawn: bigint; feesWithdrawn: bigint; unpaidYield: bigint; disputed: bigint };
  escrowStablecoin: bigint;
  /** Where the escrow settles (its oracle, feed and `schedule()`), next to the deployment's and the feed's. */
  escrowFeed: { oracle: string; expectedOracle: string; feed: bigint; expectedFeed: bigint; schedule: Schedule; feedSchedule: Schedule };
  finalizedEpochs: bigint;
  latestEpoch?: bigint;
  feedRefusal?: string;
  epochsChecked: number;
  /** [reporter, epoch] of reports outside the tolerance. */
  flagged: [string, bigint][];
  /** The registry pushes identity changes to the token. */
  tokenBound: boolean;
  /** The token's admin account and the pool admin deployment.json records; the admin's token and the recorded token. */
  tokenAdmin: string;
  /** An admin the token's admin proposed and that has not accepted (a hand-over under way). */
  tokenPendingAdmin?: string;
  expectedAdmin: string;
  adminToken: string;
  expectedToken: string;
  /** Capacity and document of the pool admin's latest attestation (undefined: none recorded). */
  latestAttested?: [bigint, string];
  /** Σ amounts of the pool admin's redemption records. */
  recordedRedeemed: bigint;
  /** The credit vault's books (undefined: the pool has no vault). */
  vault?: VaultBooks;
}

/** The credit vault's books and links (`state()`), next to its balances and the deployment's. */
export interface VaultBooks {
  /** The vault's stablecoin balance. */
  stablecoin: bigint;
  /** Lenders' cash, claimed yield not yet settled into positions, borrowers' credit. */
  cash: bigint;
  unsettledYield: bigint;
  credit: bigint;
  /** The vault's GPU-hour token balance, the collateral its positions hold, and the units
   * written off after the period that it keeps for its lenders. */
  tokens: bigint;
  collateral: bigint;
  recovered: bigint;
  /** (token, stablecoin, oracle, escrow, feed) the vault reads and moves, and the deployment's. */
  links: string[];
  expectedLinks: string[];
}

/** [genesis, epoch length ms, GPUs, report window ms], as the escrow's `EpochSchedule` has it. */
export type Schedule = [bigint, bigint, bigint, bigint];

export interface Check {
  area: string;
  check: string;
  pass: boolean;
  figures: string;
}

const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);

// Figures are written exactly as `compute-rwa audit` writes them (no thousands separators,
// 8…4 shortening, tuples in parentheses), so the two reports can be compared line by line.
const gpuH = (units: bigint) => `${formatUnits(units, DECIMALS, false)} GPU-h`;
const usd = (units: bigint) => `${formatUnits(units, DECIMALS, false)} USDC`;
const shortened = (text: string) => (text.length > 14 ? `${text.slice(0, 8)}…${text.slice(-4)}` : text);
const tuple = (values: bigint[]) => `(${values.join(", ")})`;
/** The CLI adds u128s with `checked_add`: a sum past this is an overflow there. */
const U128_MAX = (1n << 128n) - 1n;

/** Every check, PASS or FAIL with its figures (the same rules, names and figures as `compute-rwa audit`). */
export function reconcile(f: Figures): Check[] {
  const issued = f.supply + f.redeemed;
  const known = sum(f.holders.map((h) => h.balance));
  const knownHolders = BigInt(f.holders.filter((h) => h.balance > 0n).length);
  const unverified = f.holders.filter((h) => h.balance > 0n && !h.verified).map((h) => h.account);
  const claimable = sum(f.holders.map((h) => h.claimable));
  // What holders can claim, what waits for holders, and what is still being released.
  const owed = claimable + f.undistributed + f.streaming;
  const dust = f.distributed - f.claimed - owed;
  const dustBound = BigInt(f.holders.length) + 1n;
  const e = f.escrow;
  const [refundsOwed, feesOwed] = [e.refunded - e.withdrawn, e.fees - e.feesWithdrawn];
  const overWithdrawn = refundsOwed < 0n || feesOwed < 0n;
  const obligations = e.held + refundsOwed + feesOwed + e.unpaidYield;
  const w = f.escrowFeed;
  const sameSchedule = w.schedule.every((value, i) => value === w.feedSchedule[i]);
  const outOfSync = f.holders.filter((h) => !h.inSync).map((h) => h.account);
  const differing = f.codeHashes.filter(([, expected, actual]) => expected !== actual).map(([name]) => name);
  return [
    { area: "code", check: "code hashes match deployment.json", pass: differing.length === 0, figures: differing.length ? `different code at: ${differing.join(", ")}` : `${f.codeHashes.length} of ${f.codeHashes.length} contracts run the recorded code` },
    { area: "token", check: "capacity is the attested one", pass: f.capacity === f.expectedCapacity && f.attestation === f.expectedAttestation, figures: `capacity ${gpuH(f.capacity)} (recorded ${gpuH(f.expectedCapacity)}), document ${shortened(f.attestation)} (recorded ${shortened(f.expectedAttestation)})` },
    { area: "token", check: "supply ≤ attested capacity", pass: issued <= f.capacity, figures: `supply ${gpuH(f.supply)} + redeemed ${gpuH(f.redeemed)} = ${gpuH(issued)} ≤ ${gpuH(f.capacity)}` },
    { area: "token", check: "Σ balances of known holders = supply", pass: known === f.supply && knownHolders === f.holderCount, figures: `${gpuH(known)} held by ${knownHolders} known of ${f.holderCount} holders; supply ${gpuH(f.supply)}` },
    { area: "token", check: "holders are verified", pass: unverified.length === 0, figures: unverified.length ? `unverified: ${unverified.join(", ")}` : `${knownHolders} of ${knownHolders}` },
    {
      area: "yield",
      check: "distributed = claimed + claimable + undistributed + streaming + dust",
      pass: dust >= 0n && dust < dustBound,
      figures: `${usd(f.distributed)} = ${usd(f.claimed)} + ${usd(claimable)} + ${usd(f.undistributed)} + ${usd(f.streaming)} + dust ${dust >= 0n ? dust : "negative"} (< ${dustBound} units)`,
    },
    {
      area: "yield",
      check: "stablecoin held ≥ claimable + undistributed + streaming",
      pass: f.tokenStablecoin >= owed,
      figures: `token holds ${usd(f.tokenStablecoin)} ≥ ${usd(claimable)} + ${usd(f.undistributed)} + ${usd(f.streaming)} = ${usd(owed)}`,
    },
    { area: "escrow", check: "deposited = released + fees + refunded + held", pass: e.deposited === e.released + e.fees + e.refunded + e.held, figures: `${usd(e.deposited)} = ${usd(e.released)} + ${usd(e.fees)} + ${usd(e.refunded)} + ${usd(e.held)}` },
    {
      area: "escrow",
      check: "stablecoin balance ≥ obligations",
      pass: !overWithdrawn && f.escrowStablecoin >= obligations,
      figures: overWithdrawn
        ? `escrow holds ${usd(f.escrowStablecoin)}; withdrawn more than owed`
        : `escrow holds ${usd(f.escrowStablecoin)} ≥ held ${usd(e.held)} + refunds owed ${usd(refundsOwed)} + fees owed ${usd(feesOwed)} + unpaid yield ${usd(e.unpaidYield)} = ${usd(obligations)}`,
    },
    { area: "escrow", check: "disputed ≤ held", pass: e.disputed <= e.held, figures: `holders' share under dispute ${usd(e.disputed)} ≤ held ${usd(e.held)}` },
    {
      area: "escrow",
      check: "escrow reads the pool's feed",
      pass: w.oracle === w.expectedOracle && w.feed === w.expectedFeed && sameSchedule,
      figures: `oracle ${shortened(w.oracle)} feed ${w.feed} (recorded ${shortened(w.expectedOracle)} feed ${w.expectedFeed}); schedule (genesis, epoch ms, GPUs, report window ms) ${tuple(w.schedule)}, feed's ${tuple(w.feedSchedule)}`,
    },
    { area: "oracle", check: "feed is fresh", pass: f.feedRefusal === undefined, figures: `${f.finalizedEpochs} finalized epochs, latest ${f.latestEpoch ?? "none"}${f.feedRefusal ? `: ${f.feedRefusal}` : ""}` },
    { area: "oracle", check: "reports within tolerance of the median", pass: f.flagged.length === 0, figures: f.flagged.length ? `flagged: ${f.flagged.map(([r, e]) => `${shortened(r)} at epoch ${e}`).join(", ")}` : `${f.epochsChecked} recent epochs, no reporter flagged` },
    {
      area: "registry",
      check: "token's identities = the registry's",
      pass: f.tokenBound && outOfSync.length === 0,
      figures: !f.tokenBound
        ? "the registry does not push to the token (bind_token)"
        : outOfSync.length
          ? `the token differs from the registry for: ${outOfSync.join(", ")} (sync them)`
          : `registry pushes to the token; ${f.holders.length} of ${f.holders.length} known investors agree`,
    },
    {
      area: "admin",
      check: "the token answers only to its pool admin",
      pass:
        f.tokenAdmin === f.expectedAdmin &&
        f.tokenPendingAdmin === undefined &&
        f.adminToken === f.expectedToken &&
        f.latestAttested?.[0] === f.capacity &&
        f.latestAttested?.[1] === f.attestation &&
        f.recordedRedeemed === f.redeemed,
      figures: `token's admin ${shortened(f.tokenAdmin)} (recorded ${shortened(f.expectedAdmin)}), hand-over pending to ${f.tokenPendingAdmin === undefined ? "none" : shortened(f.tokenPendingAdmin)}, admin's token ${shortened(f.adminToken)} (recorded ${shortened(f.expectedToken)}); latest attestation ${f.latestAttested === undefined ? "none" : `${gpuH(f.latestAttested[0])} ${shortened(f.latestAttested[1])}`}, token's ${gpuH(f.capacity)} ${shortened(f.attestation)}; redemption records ${gpuH(f.recordedRedeemed)}, redeemed ${gpuH(f.redeemed)}`,
    },
    ...(f.vault ? vaultChecks(f.vault) : []),
  ];
}

/** The vault holds what it owes (lenders' cash, unsettled yield, borrowers' credit) and the
 * collateral it records, and lends against this pool's token, stablecoin, oracle feed and escrow. */
function vaultChecks(v: VaultBooks): Check[] {
  const total = v.cash + v.unsettledYield + v.credit;
  const owed = total > U128_MAX ? undefined : total;
  const sameLinks = v.links.length === v.expectedLinks.length && v.links.every((link, i) => link === v.expectedLinks[i]);
  return [
    {
      area: "vault",
      check: "stablecoin held ≥ cash + unsettled yield + credit",
      pass: owed !== undefined && v.stablecoin >= owed,
      figures: `vault holds ${usd(v.stablecoin)} ≥ ${usd(v.cash)} + ${usd(v.unsettledYield)} + ${usd(v.credit)} = ${owed === undefined ? "overflow" : usd(owed)}`,
    },
    {
      area: "vault",
      check: "tokens held ≥ collateral locked + recovered",
      pass: v.tokens >= v.collateral + v.recovered,
      figures: `vault holds ${gpuH(v.tokens)} ≥ collateral ${gpuH(v.collateral)} + recovered ${gpuH(v.recovered)}`,
    },
    {
      area: "vault",
      check: "vault lends against this pool",
      pass: sameLinks,
      figures: `token, stablecoin, oracle, escrow, feed: ${v.links.map(shortened).join(", ")} (recorded ${v.expectedLinks.map(shortened).join(", ")})`,
    },
  ];
}

/** Reads every figure the checks need. */
export async function gather(pool: Pool): Promise<Figures> {
  const d = pool.deployment;
  const token = (label: string, args: unknown[] = []) => pool.read("gpu_hour_token", label, args);
  const balanceOf = async (who: string) => big(await pool.read("stablecoin", "PSP22::balance_of", [who]));
  // One read of the token's state: capacity, document, totals and yield as of the same block.
  const state = await token("state");
  const holders = await Promise.all(
    d.investors.map(async (account) => {
      const holding = await token("holding", [account]);
      return {
        account,
        balance: big(await token("PSP22::balance_of", [account])),
        claimable: big(holding, "claimable"),
        verified: (await pool.read("identity_registry", "IdentityCheck::is_verified", [account])).toString() === "true",
        // Both sides decode the same `Option<Credential>` type from the shared interface.
        inSync: JSON.stringify(get(holding, "credential").toJSON()) === JSON.stringify((await pool.read("identity_registry", "IdentityCheck::credential", [account])).toJSON()),
      };
    }),
  );
  const admin = (label: string, args: unknown[] = []) => pool.read("pool_admin", label, args);
  const attestations = Number(big(await admin("attestation_count")));
  const latestAttestation = attestations > 0 ? some(await admin("attestation", [attestations - 1])) : undefined;
  let recordedRedeemed = 0n;
  for (let id = 0n; id < big(await admin("redemption_count")); id++) {
    const record = some(await admin("redemption", [id]));
    recordedRedeemed += record ? big(record, "amount") : 0n;
  }
  const bound = (await pool.read("identity_registry", "bound_tokens")) as unknown as Codec[];
  const tokenBound = bound.some((t) => t.toString() === d.contracts.gpu_hour_token.address);
  // As of the block read, like the claimable figures above: both release the stream up to its time.
  const rewards = get(state, "rewards");
  const totals = await pool.read("rental_escrow", "totals");
  const ledger = get(totals, "ledger");
  const feed = await pool.read("utilization_oracle", "feed", [d.feed]);
  const feedConfig = get(feed, "config");
  const schedule = (c: Codec, gpus: string): Schedule => [big(c, "genesis"), big(c, "epochLength"), big(c, gpus), big(c, "reportWindow")];
  // (stablecoin, token, oracle, operator, arbiter)
  const parties = (await pool.read("rental_escrow", "parties")) as unknown as Codec[];
  const latest = some(get(feed, "latest"));
  let feedRefusal: string | undefined;
  await pool.read("utilization_oracle", "latest", [d.feed]).catch((e: Error & { variant?: string }) => (feedRefusal = e.variant ?? e.message));
  const { epochsChecked, flagged } = await flaggedReports(pool, feed);
  const codeHashes = (
    await Promise.all(
      pool.names.map(async (name): Promise<[string, string, string][]> => {
        const record = d.contracts[name]!;
        const onChain = some(await pool.api.query.contracts.contractInfoOf(record.address));
        const own: [string, string, string] = [name, record.code_hash, onChain ? get(onChain, "codeHash").toHex() : "none"];
        if (!FRONTS.includes(name)) return [own];
        // A front runs this code by delegate call for the messages it hands on (a record without
        // it fails the check).
        // An older record kept the token's in `token_logic`.
        const recorded = record.logic ?? (name === "gpu_hour_token" ? d.token_logic : undefined);
        return [own, [`${name} (logic)`, recorded ?? "none", (await pool.read(name, "logic")).toHex()]];
      }),
    )
  ).flat();
  const vault = pool.hasVault ? await vaultBooks(pool) : undefined;
  return {
    codeHashes,
    epochsChecked,
    flagged,
    tokenBound,
    tokenAdmin: get(state, "admin").toString(),
    tokenPendingAdmin: some(get(state, "pendingAdmin"))?.toString(),
    expectedAdmin: d.contracts.pool_admin.address,
    adminToken: (await admin("token")).toString(),
    expectedToken: d.contracts.gpu_hour_token.address,
    latestAttested: latestAttestation ? [big(latestAttestation, "capacity"), get(latestAttestation, "documentHash").toHex()] : undefined,
    recordedRedeemed,
    expectedCapacity: BigInt(d.attested_gpu_hours) * 1_000_000n,
    capacity: big(state, "capacity"),
    expectedAttestation: d.attestation_hash,
    attestation: get(get(state, "pool"), "attestationHash").toHex(),
    supply: big(await token("PSP22::total_supply")),
    redeemed: big(state, "redeemed"),
    holderCount: big(state, "holders"),
    holders,
    distributed: big(rewards, "distributed"),
    claimed: big(rewards, "claimed"),
    undistributed: big(rewards, "undistributed"),
    streaming: big(rewards, "streaming"),
    tokenStablecoin: await balanceOf(d.contracts.gpu_hour_token.address),
    escrow: {
      deposited: big(ledger, "deposited"),
      released: big(ledger, "released"),
      fees: big(ledger, "fees"),
      refunded: big(ledger, "refunded"),
      held: big(ledger, "held"),
      withdrawn: big(totals, "withdrawn"),
      feesWithdrawn: big(totals, "feesWithdrawn"),
      unpaidYield: big(totals, "unpaidYield"),
      disputed: big(totals, "disputed"),
    },
    escrowStablecoin: await balanceOf(d.contracts.rental_escrow.address),
    escrowFeed: {
      oracle: parties[2].toString(),
      expectedOracle: d.contracts.utilization_oracle.address,
      feed: big(await pool.read("rental_escrow", "config"), "feed"),
      expectedFeed: BigInt(d.feed),
      schedule: schedule(await pool.read("rental_escrow", "schedule"), "gpus"),
      feedSchedule: schedule(feedConfig, "gpuCount"),
    },
    finalizedEpochs: big(feed, "finalizedCount"),
    latestEpoch: latest ? big(latest) : undefined,
    feedRefusal,
    vault,
  };
}

/** The vault's books (`state()`), its balances of the stablecoin and the token, and its links next to the deployment's. */
async function vaultBooks(pool: Pool): Promise<VaultBooks> {
  const d = pool.deployment;
  const vault = pool.address("credit_vault");
  const state = await pool.read("credit_vault", "state");
  const [totals, links] = [get(state, "totals"), get(state, "links")];
  const linked = (name: string) => get(links, name).toString();
  return {
    stablecoin: big(await pool.read("stablecoin", "PSP22::balance_of", [vault])),
    cash: big(totals, "cash"),
    unsettledYield: big(totals, "unsettledYield"),
    credit: big(totals, "credit"),
    tokens: big(await pool.read("gpu_hour_token", "PSP22::balance_of", [vault])),
    collateral: big(totals, "collateral"),
    recovered: big(totals, "recovered"),
    links: [linked("token"), linked("stablecoin"), linked("oracle"), linked("escrow"), big(links, "feed").toString()],
    expectedLinks: [d.contracts.gpu_hour_token.address, d.contracts.stablecoin.address, d.contracts.utilization_oracle.address, d.contracts.rental_escrow.address, String(d.feed)],
  };
}

/** A decoded `Report` struct. */
export function report(codec: Codec): Report {
  return {
    gpuMilliHours: big(codec, "gpuMilliHours"),
    utilizationBps: big(codec, "utilizationBps"),
    uptimeBps: big(codec, "uptimeBps"),
    energyWh: big(codec, "energyWh"),
    avgPowerW: big(codec, "avgPowerW"),
  };
}

/** The feed's last finalized epochs (up to 24), oldest first, with their median figures. */
export async function recentEpochs(pool: Pool, feed: Codec): Promise<{ epoch: bigint; values: Report }[]> {
  const latest = some(get(feed, "latest"));
  if (!latest) return [];
  const last = big(latest);
  const from = last >= 23n ? last - 23n : 0n;
  const history = (await pool.read("utilization_oracle", "history", [pool.deployment.feed, from, 24])) as unknown as Codec[];
  return history.map((finalized) => ({ epoch: big(finalized, "epoch"), values: report(get(finalized, "values")) }));
}

/** Recent finalized epochs and the reports that strayed from their median: the oracle's own verdict,
 * recorded when each epoch finalized (its rule lives in the oracle only). */
async function flaggedReports(pool: Pool, feed: Codec): Promise<{ epochsChecked: number; flagged: [string, bigint][] }> {
  const epochs = await recentEpochs(pool, feed);
  const flagged: [string, bigint][] = [];
  for (const { epoch } of epochs) {
    const decided = await pool.read("utilization_oracle", "eligible", [pool.deployment.feed, epoch]);
    for (const reporter of get(decided, "flagged") as unknown as Codec[]) flagged.push([reporter.toString(), epoch]);
  }
  return { epochsChecked: epochs.length, flagged };
}
