//! `audit`: read a pool's books from chain state and check that they add up.
//!
//! [`gather`] only reads (dry runs and storage); [`reconcile`] is pure, so every check's
//! PASS and FAIL paths are unit-tested without a node.
use crate::chain::{AccountId, Chain};
use crate::deployment::{ContractName, Deployment};
use crate::ops::{format_units, UNITS_PER_GPU_HOUR};
use crate::value::{self, field, option, seq, uint, uint_field, ContractError, Value};
use anyhow::Result;
use serde::Serialize;

const DECIMALS: u32 = 6;

/// One known account's position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Deserialize, serde::Serialize))]
pub struct Holder {
    pub account: String,
    pub balance: u128,
    pub claimable: u128,
    pub verified: bool,
    /// The token's pushed credential equals the registry's record.
    pub in_sync: bool,
}

/// The escrow's pooled ledger (`totals()`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Deserialize, serde::Serialize))]
pub struct EscrowBooks {
    pub deposited: u128,
    pub released: u128,
    pub fees: u128,
    pub refunded: u128,
    pub held: u128,
    pub withdrawn: u128,
    pub fees_withdrawn: u128,
    /// Holders' yield the token refused, kept owed by the escrow.
    pub unpaid_yield: u128,
    /// Holders' share of the epochs under dispute, at the oracle's figures: part of `held`, and
    /// what a credit vault counts as earned while the arbiter decides.
    pub disputed: u128,
}

impl EscrowBooks {
    /// (held, refunds owed, fees owed, unpaid yield); `None` when more was withdrawn than owed.
    fn owed(&self) -> Option<(u128, u128, u128, u128)> {
        Some((self.held, self.refunded.checked_sub(self.withdrawn)?, self.fees.checked_sub(self.fees_withdrawn)?, self.unpaid_yield))
    }
}

/// An epoch schedule: (genesis, epoch length ms, GPUs, report window ms), as `EpochSchedule` has it.
pub type Schedule = (u128, u128, u128, u128);

/// Where the escrow settles: its oracle, feed and the schedule it read, next to the deployment's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Deserialize, serde::Serialize))]
pub struct EscrowFeed {
    pub oracle: String,
    pub expected_oracle: String,
    pub feed: u128,
    pub expected_feed: u128,
    /// The escrow's `schedule()`.
    pub schedule: Schedule,
    /// The same fields of the feed's config in the oracle.
    pub feed_schedule: Schedule,
}

/// The credit vault's books and links (`state()`), next to its balances and the deployment's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Deserialize, serde::Serialize))]
pub struct VaultBooks {
    /// The vault's stablecoin balance.
    pub stablecoin: u128,
    /// Lenders' cash, claimed yield not yet settled into positions, borrowers' credit.
    pub cash: u128,
    pub unsettled_yield: u128,
    pub credit: u128,
    /// The vault's GPU-hour token balance, the collateral its positions hold, and the units
    /// written off after the period that it keeps for its lenders.
    pub tokens: u128,
    pub collateral: u128,
    pub recovered: u128,
    /// (token, stablecoin, oracle, escrow, feed) the vault reads and moves, and the deployment's.
    pub links: Vec<String>,
    pub expected_links: Vec<String>,
}

/// Everything the checks compare, as read from chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Deserialize, serde::Serialize))]
pub struct Figures {
    /// (contract, code hash in deployment.json, code hash on chain).
    pub code_hashes: Vec<(String, String, String)>,
    pub expected_capacity: u128,
    pub expected_attestation: String,
    pub capacity: u128,
    pub attestation: String,
    pub supply: u128,
    pub redeemed: u128,
    pub holder_count: u128,
    pub holders: Vec<Holder>,
    pub distributed: u128,
    pub claimed: u128,
    pub undistributed: u128,
    /// Distributed yield not yet released to holders (as of the block read).
    pub streaming: u128,
    pub token_stablecoin: u128,
    pub escrow: EscrowBooks,
    pub escrow_stablecoin: u128,
    pub escrow_feed: EscrowFeed,
    pub finalized_epochs: u128,
    pub latest_epoch: Option<u128>,
    /// `None` when `latest` answers, else its refusal (`Stale`, `NotFinalized`).
    pub feed_refusal: Option<String>,
    pub epochs_checked: u32,
    /// (reporter, epoch) of reports farther from the median than the feed's tolerance.
    pub flagged: Vec<(String, u64)>,
    /// The registry pushes identity changes to the token.
    pub token_bound: bool,
    /// The token's admin account, and the pool admin deployment.json records.
    pub token_admin: String,
    /// An admin the token's admin proposed and that has not accepted (a hand-over under way).
    pub token_pending_admin: Option<String>,
    pub expected_admin: String,
    /// The token the pool admin drives.
    pub admin_token: String,
    pub expected_token: String,
    /// Capacity and document of the pool admin's latest attestation (`None`: none recorded).
    pub latest_attested: Option<(u128, String)>,
    /// Σ amounts of the pool admin's redemption records.
    pub recorded_redeemed: u128,
    /// The credit vault's books (`None`: the pool has no vault).
    #[cfg_attr(test, serde(default))]
    pub vault: Option<VaultBooks>,
}

/// One reconciliation line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub area: &'static str,
    pub check: &'static str,
    pub pass: bool,
    pub figures: String,
}

fn check(area: &'static str, name: &'static str, pass: bool, figures: String) -> Check {
    Check { area, check: name, pass, figures }
}

pub fn gpu_h(units: u128) -> String {
    format!("{} GPU-h", format_units(units, DECIMALS))
}

pub fn usd(units: u128) -> String {
    format!("{} USDC", format_units(units, DECIMALS))
}

/// Every check, PASS or FAIL with its figures.
pub fn reconcile(f: &Figures) -> Vec<Check> {
    let mut checks = vec![code_check(f)];
    checks.extend(token_checks(f));
    checks.extend(yield_checks(f));
    checks.extend(escrow_checks(f));
    checks.extend(oracle_checks(f));
    checks.push(identity_check(f));
    checks.push(admin_check(f));
    if let Some(vault) = &f.vault {
        checks.extend(vault_checks(vault));
    }
    checks
}

/// The vault holds what it owes (lenders' cash, unsettled yield, borrowers' credit) and the
/// collateral it records, and lends against this pool's token, stablecoin, oracle feed and escrow.
fn vault_checks(v: &VaultBooks) -> Vec<Check> {
    let owed = v.cash.checked_add(v.unsettled_yield).and_then(|sum| sum.checked_add(v.credit));
    vec![
        check(
            "vault",
            "stablecoin held ≥ cash + unsettled yield + credit",
            owed.is_some_and(|owed| v.stablecoin >= owed),
            format!(
                "vault holds {} ≥ {} + {} + {} = {}",
                usd(v.stablecoin),
                usd(v.cash),
                usd(v.unsettled_yield),
                usd(v.credit),
                owed.map_or("overflow".into(), usd)
            ),
        ),
        check(
            "vault",
            "tokens held ≥ collateral locked + recovered",
            v.collateral.checked_add(v.recovered).is_some_and(|books| v.tokens >= books),
            format!("vault holds {} ≥ collateral {} + recovered {}", gpu_h(v.tokens), gpu_h(v.collateral), gpu_h(v.recovered)),
        ),
        check(
            "vault",
            "vault lends against this pool",
            v.links == v.expected_links,
            format!(
                "token, stablecoin, oracle, escrow, feed: {} (recorded {})",
                v.links.iter().map(|l| short(l)).collect::<Vec<_>>().join(", "),
                v.expected_links.iter().map(|l| short(l)).collect::<Vec<_>>().join(", ")
            ),
        ),
    ]
}

/// Only the pool admin drives the token (so every mint, freeze and redemption goes through its
/// role checks and records), and its attestation history ends at the token's capacity.
fn admin_check(f: &Figures) -> Check {
    let latest = f.latest_attested.as_ref().map_or("none".into(), |(capacity, document)| format!("{} {}", gpu_h(*capacity), short(document)));
    check(
        "admin",
        "the token answers only to its pool admin",
        f.token_admin == f.expected_admin
            && f.token_pending_admin.is_none()
            && f.admin_token == f.expected_token
            && f.latest_attested == Some((f.capacity, f.attestation.clone()))
            && f.recorded_redeemed == f.redeemed,
        format!(
            "token's admin {} (recorded {}), hand-over pending to {}, admin's token {} (recorded {}); latest attestation {latest}, token's {} {}; redemption records {}, redeemed {}",
            short(&f.token_admin),
            short(&f.expected_admin),
            f.token_pending_admin.as_deref().map_or("none".into(), short),
            short(&f.admin_token),
            short(&f.expected_token),
            gpu_h(f.capacity),
            short(&f.attestation),
            gpu_h(f.recorded_redeemed),
            gpu_h(f.redeemed)
        ),
    )
}

/// The token decides transfers from credentials its registry pushed: they must be the registry's.
fn identity_check(f: &Figures) -> Check {
    let differing: Vec<_> = f.holders.iter().filter(|h| !h.in_sync).map(|h| h.account.as_str()).collect();
    let figures = match (f.token_bound, differing.is_empty()) {
        (true, true) => format!("registry pushes to the token; {} of {} known investors agree", f.holders.len(), f.holders.len()),
        (false, _) => "the registry does not push to the token (bind_token)".into(),
        (true, false) => format!("the token differs from the registry for: {} (sync them)", differing.join(", ")),
    };
    check("registry", "token's identities = the registry's", f.token_bound && differing.is_empty(), figures)
}

fn code_check(f: &Figures) -> Check {
    let differing: Vec<_> = f.code_hashes.iter().filter(|(_, expected, actual)| expected != actual).map(|(name, ..)| name.as_str()).collect();
    let figures = if differing.is_empty() {
        format!("{} of {} contracts run the recorded code", f.code_hashes.len(), f.code_hashes.len())
    } else {
        format!("different code at: {}", differing.join(", "))
    };
    check("code", "code hashes match deployment.json", differing.is_empty(), figures)
}

fn token_checks(f: &Figures) -> Vec<Check> {
    let issued = f.supply.saturating_add(f.redeemed);
    let known_balance: u128 = f.holders.iter().map(|h| h.balance).sum();
    let known_holders = u128::try_from(f.holders.iter().filter(|h| h.balance > 0).count()).unwrap_or(u128::MAX);
    let unverified: Vec<_> = f.holders.iter().filter(|h| h.balance > 0 && !h.verified).map(|h| h.account.as_str()).collect();
    vec![
        check(
            "token",
            "capacity is the attested one",
            f.capacity == f.expected_capacity && f.attestation == f.expected_attestation,
            format!("capacity {} (recorded {}), document {} (recorded {})", gpu_h(f.capacity), gpu_h(f.expected_capacity), short(&f.attestation), short(&f.expected_attestation)),
        ),
        check(
            "token",
            "supply ≤ attested capacity",
            issued <= f.capacity,
            format!("supply {} + redeemed {} = {} ≤ {}", gpu_h(f.supply), gpu_h(f.redeemed), gpu_h(issued), gpu_h(f.capacity)),
        ),
        check(
            "token",
            "Σ balances of known holders = supply",
            known_balance == f.supply && known_holders == f.holder_count,
            format!("{} held by {known_holders} known of {} holders; supply {}", gpu_h(known_balance), f.holder_count, gpu_h(f.supply)),
        ),
        check(
            "token",
            "holders are verified",
            unverified.is_empty(),
            if unverified.is_empty() { format!("{known_holders} of {known_holders}") } else { format!("unverified: {}", unverified.join(", ")) },
        ),
    ]
}

fn yield_checks(f: &Figures) -> Vec<Check> {
    let claimable: u128 = f.holders.iter().map(|h| h.claimable).sum();
    // What holders can claim, what waits for holders, and what is still being released.
    let owed = claimable.saturating_add(f.undistributed).saturating_add(f.streaming);
    // Each account keeps a sub-unit fraction, and the carried remainder is under one unit.
    let dust_bound = u128::try_from(f.holders.len()).unwrap_or(u128::MAX).saturating_add(1);
    let dust = f.distributed.checked_sub(f.claimed.saturating_add(owed));
    vec![
        check(
            "yield",
            "distributed = claimed + claimable + undistributed + streaming + dust",
            dust.is_some_and(|d| d < dust_bound),
            format!(
                "{} = {} + {} + {} + {} + dust {} (< {dust_bound} units)",
                usd(f.distributed),
                usd(f.claimed),
                usd(claimable),
                usd(f.undistributed),
                usd(f.streaming),
                dust.map_or("negative".into(), |d| d.to_string())
            ),
        ),
        check(
            "yield",
            "stablecoin held ≥ claimable + undistributed + streaming",
            f.token_stablecoin >= owed,
            format!("token holds {} ≥ {} + {} + {} = {}", usd(f.token_stablecoin), usd(claimable), usd(f.undistributed), usd(f.streaming), usd(owed)),
        ),
    ]
}

fn escrow_checks(f: &Figures) -> Vec<Check> {
    let e = &f.escrow;
    let parts = [e.released, e.fees, e.refunded, e.held].iter().try_fold(0u128, |sum, part| sum.checked_add(*part));
    let owed = e.owed();
    let obligations = owed.and_then(|(held, refunds, fees, unpaid)| held.checked_add(refunds)?.checked_add(fees)?.checked_add(unpaid));
    let w = &f.escrow_feed;
    vec![
        check(
            "escrow",
            "deposited = released + fees + refunded + held",
            parts == Some(e.deposited),
            format!("{} = {} + {} + {} + {}", usd(e.deposited), usd(e.released), usd(e.fees), usd(e.refunded), usd(e.held)),
        ),
        check(
            "escrow",
            "stablecoin balance ≥ obligations",
            obligations.is_some_and(|owed| f.escrow_stablecoin >= owed),
            match (owed, obligations) {
                (Some((held, refunds, fees, unpaid)), Some(total)) => format!(
                    "escrow holds {} ≥ held {} + refunds owed {} + fees owed {} + unpaid yield {} = {}",
                    usd(f.escrow_stablecoin),
                    usd(held),
                    usd(refunds),
                    usd(fees),
                    usd(unpaid),
                    usd(total)
                ),
                _ => format!("escrow holds {}; withdrawn more than owed", usd(f.escrow_stablecoin)),
            },
        ),
        // A credit vault values the pool's tokens with the disputed share counted as earned: more
        // than the escrow holds would be rent that cannot be paid.
        check(
            "escrow",
            "disputed ≤ held",
            e.disputed <= e.held,
            format!("holders' share under dispute {} ≤ held {}", usd(e.disputed), usd(e.held)),
        ),
        check(
            "escrow",
            "escrow reads the pool's feed",
            w.oracle == w.expected_oracle && w.feed == w.expected_feed && w.schedule == w.feed_schedule,
            format!(
                "oracle {} feed {} (recorded {} feed {}); schedule (genesis, epoch ms, GPUs, report window ms) {:?}, feed's {:?}",
                short(&w.oracle),
                w.feed,
                short(&w.expected_oracle),
                w.expected_feed,
                w.schedule,
                w.feed_schedule
            ),
        ),
    ]
}

fn oracle_checks(f: &Figures) -> Vec<Check> {
    let latest = f.latest_epoch.map_or("none".into(), |e| e.to_string());
    let flagged: Vec<_> = f.flagged.iter().map(|(reporter, epoch)| format!("{} at epoch {epoch}", short(reporter))).collect();
    vec![
        check(
            "oracle",
            "feed is fresh",
            f.feed_refusal.is_none(),
            format!("{} finalized epochs, latest {latest}{}", f.finalized_epochs, f.feed_refusal.as_ref().map_or(String::new(), |r| format!(": {r}"))),
        ),
        check(
            "oracle",
            "reports within tolerance of the median",
            flagged.is_empty(),
            if flagged.is_empty() { format!("{} recent epochs, no reporter flagged", f.epochs_checked) } else { format!("flagged: {}", flagged.join(", ")) },
        ),
    ]
}

fn short(text: &str) -> String {
    if text.len() > 14 {
        format!("{}…{}", &text[..8], &text[text.len() - 4..])
    } else {
        text.to_string()
    }
}

/// Reads every figure the checks need; `epochs` bounds how many recent epochs' reports are
/// compared (at most the oracle's page, `MAX_PAGE`: a longer `history` would start further back
/// and miss the newest epochs).
pub async fn gather(chain: &Chain, deployment: &Deployment, epochs: u32) -> Result<Figures> {
    let epochs = epochs.min(utilization_oracle::utilization_oracle::MAX_PAGE);
    let c = &deployment.contracts;
    let (coin, registry, token, oracle, escrow) =
        (c.stablecoin.account()?, c.identity_registry.account()?, c.gpu_hour_token.account()?, c.utilization_oracle.account()?, c.rental_escrow.account()?);
    let read = |contract: ContractName, address: &AccountId, message: &'static str, args: Vec<String>| {
        let address = address.clone();
        async move { chain.read(contract, &address, message, &args).await }
    };
    let mut f = Figures::default();
    for (name, record) in c.all() {
        let actual = chain.code_hash_at(&record.account()?).await?;
        f.code_hashes.push((name.to_string(), record.code_hash.clone(), value::hex0x(&actual)));
        // A front runs this code by delegate call for the messages it hands on (a record without
        // it fails the check).
        if name.has_front() {
            let logic = bytes_hex(&read(name, &record.account()?, "logic", vec![]).await?)?;
            f.code_hashes.push((format!("{name} (logic)"), deployment.logic_of(name, record).unwrap_or_else(|| "none".into()), logic));
        }
    }
    f.expected_capacity = u128::from(deployment.attested_gpu_hours).saturating_mul(UNITS_PER_GPU_HOUR);
    f.expected_attestation = deployment.attestation_hash.clone();
    // One read of the token's state: capacity, document, totals and yield as of the same block.
    let state = read(ContractName::Token, &token, "state", vec![]).await?;
    f.capacity = uint_field(&state, "capacity")?;
    f.attestation = bytes_hex(field(field(&state, "pool")?, "attestation_hash")?)?;
    f.supply = uint(&read(ContractName::Token, &token, "PSP22::total_supply", vec![]).await?)?;
    f.redeemed = uint_field(&state, "redeemed")?;
    f.holder_count = uint_field(&state, "holders")?;
    for investor in &deployment.investors {
        let arg = vec![investor.clone()];
        let holding = read(ContractName::Token, &token, "holding", arg.clone()).await?;
        f.holders.push(Holder {
            account: investor.clone(),
            balance: uint(&read(ContractName::Token, &token, "PSP22::balance_of", arg.clone()).await?)?,
            claimable: uint_field(&holding, "claimable")?,
            verified: matches!(read(ContractName::Registry, &registry, "IdentityCheck::is_verified", arg.clone()).await?, Value::Bool(true)),
            // Both sides render the same `Option<Credential>` type from the shared interface.
            in_sync: field(&holding, "credential")?.to_string() == read(ContractName::Registry, &registry, "IdentityCheck::credential", arg).await?.to_string(),
        });
    }
    let admin = c.pool_admin.account()?;
    f.token_admin = value::account(field(&state, "admin")?)?;
    f.token_pending_admin = option(field(&state, "pending_admin")?).map(value::account).transpose()?;
    f.expected_admin = admin.to_string();
    f.admin_token = value::account(&read(ContractName::Admin, &admin, "token", vec![]).await?)?;
    f.expected_token = token.to_string();
    let attestations = uint(&read(ContractName::Admin, &admin, "attestation_count", vec![]).await?)?;
    if let Some(last) = attestations.checked_sub(1) {
        let latest = read(ContractName::Admin, &admin, "attestation", vec![last.to_string()]).await?;
        f.latest_attested = option(&latest).map(|a| Ok::<_, anyhow::Error>((uint_field(a, "capacity")?, bytes_hex(field(a, "document_hash")?)?))).transpose()?;
    }
    for id in 0..uint(&read(ContractName::Admin, &admin, "redemption_count", vec![]).await?)? {
        let record = read(ContractName::Admin, &admin, "redemption", vec![id.to_string()]).await?;
        f.recorded_redeemed = f.recorded_redeemed.saturating_add(option(&record).map(|r| uint_field(r, "amount")).transpose()?.unwrap_or_default());
    }
    let bound = read(ContractName::Registry, &registry, "bound_tokens", vec![]).await?;
    f.token_bound = seq(&bound)?.iter().any(|t| value::account(t).is_ok_and(|a| a == token.to_string()));
    // As of the block read, like the claimable figures above: both release the stream up to its time.
    let rewards = field(&state, "rewards")?;
    (f.distributed, f.claimed, f.undistributed, f.streaming) = (
        uint_field(rewards, "distributed")?,
        uint_field(rewards, "claimed")?,
        uint_field(rewards, "undistributed")?,
        uint_field(rewards, "streaming")?,
    );
    f.token_stablecoin = uint(&read(ContractName::Stablecoin, &coin, "PSP22::balance_of", vec![token.to_string()]).await?)?;
    f.escrow_stablecoin = uint(&read(ContractName::Stablecoin, &coin, "PSP22::balance_of", vec![escrow.to_string()]).await?)?;
    f.escrow = escrow_books(&read(ContractName::Escrow, &escrow, "totals", vec![]).await?)?;
    let feed_id = deployment.feed.to_string();
    let feed = read(ContractName::Oracle, &oracle, "feed", vec![feed_id.clone()]).await?;
    let feed_config = field(&feed, "config")?;
    let parties = read(ContractName::Escrow, &escrow, "parties", vec![]).await?;
    f.escrow_feed = EscrowFeed {
        // (stablecoin, token, oracle, operator, arbiter)
        oracle: value::account(value::tuple(&parties)?.get(2).ok_or_else(|| anyhow::anyhow!("escrow parties without an oracle"))?)?,
        expected_oracle: oracle.to_string(),
        feed: uint_field(&read(ContractName::Escrow, &escrow, "config", vec![]).await?, "feed")?,
        expected_feed: u128::from(deployment.feed),
        schedule: schedule(&read(ContractName::Escrow, &escrow, "schedule", vec![]).await?, "gpus")?,
        feed_schedule: schedule(feed_config, "gpu_count")?,
    };
    f.finalized_epochs = uint_field(&feed, "finalized_count")?;
    f.latest_epoch = option(field(&feed, "latest")?).map(uint).transpose()?;
    f.feed_refusal = read(ContractName::Oracle, &oracle, "latest", vec![feed_id.clone()])
        .await
        .err()
        .map(|e| e.downcast_ref::<ContractError>().map_or_else(|| e.to_string(), |refused| refused.0.clone()));
    if let Some(latest) = f.latest_epoch {
        let latest = u64::try_from(latest)?;
        let from = latest.saturating_sub(u64::from(epochs.saturating_sub(1)));
        let history = read(ContractName::Oracle, &oracle, "history", vec![feed_id.clone(), from.to_string(), epochs.to_string()]).await?;
        for finalized in seq(&history)? {
            let epoch = u64::try_from(uint_field(finalized, "epoch")?)?;
            f.epochs_checked = f.epochs_checked.saturating_add(1);
            // The oracle's own verdict, recorded when the epoch finalized (its rule lives there only).
            let decided = read(ContractName::Oracle, &oracle, "eligible", vec![feed_id.clone(), epoch.to_string()]).await?;
            for reporter in seq(field(&decided, "flagged")?)? {
                f.flagged.push((value::account(reporter)?, epoch));
            }
        }
    }
    if let Some(record) = &c.credit_vault {
        let vault = record.account()?;
        let state = read(ContractName::Vault, &vault, "state", vec![]).await?;
        let (totals, links) = (field(&state, "totals")?, field(&state, "links")?);
        let linked = |name: &str| field(links, name).and_then(value::account);
        f.vault = Some(VaultBooks {
            stablecoin: uint(&read(ContractName::Stablecoin, &coin, "PSP22::balance_of", vec![vault.to_string()]).await?)?,
            cash: uint_field(totals, "cash")?,
            unsettled_yield: uint_field(totals, "unsettled_yield")?,
            credit: uint_field(totals, "credit")?,
            tokens: uint(&read(ContractName::Token, &token, "PSP22::balance_of", vec![vault.to_string()]).await?)?,
            collateral: uint_field(totals, "collateral")?,
            recovered: uint_field(totals, "recovered")?,
            links: vec![linked("token")?, linked("stablecoin")?, linked("oracle")?, linked("escrow")?, uint_field(links, "feed")?.to_string()],
            expected_links: vec![token.to_string(), coin.to_string(), oracle.to_string(), escrow.to_string(), deployment.feed.to_string()],
        });
    }
    Ok(f)
}

fn escrow_books(totals: &Value) -> Result<EscrowBooks> {
    let ledger = field(totals, "ledger")?;
    Ok(EscrowBooks {
        deposited: uint_field(ledger, "deposited")?,
        released: uint_field(ledger, "released")?,
        fees: uint_field(ledger, "fees")?,
        refunded: uint_field(ledger, "refunded")?,
        held: uint_field(ledger, "held")?,
        withdrawn: uint_field(totals, "withdrawn")?,
        fees_withdrawn: uint_field(totals, "fees_withdrawn")?,
        unpaid_yield: uint_field(totals, "unpaid_yield")?,
        disputed: uint_field(totals, "disputed")?,
    })
}

/// (genesis, epoch length, GPUs, report window) of an escrow's `EpochSchedule` or a feed's `FeedConfig`.
fn schedule(config: &Value, gpus_field: &str) -> Result<Schedule> {
    Ok((uint_field(config, "genesis")?, uint_field(config, "epoch_length")?, uint_field(config, gpus_field)?, uint_field(config, "report_window")?))
}

/// A byte array as 0x-hex, whether the transcoder shows it as hex or as a sequence of numbers.
fn bytes_hex(value: &Value) -> Result<String> {
    Ok(value::hex0x(&value::bytes(value)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORACLE: &str = "5FZ54AV4iVheKit3PE4Ba2Uu2fy3giZdMg7Yz4PbTXLYMxW1";

    /// The books of a pool mid-stream (the golden fixture's first case): a settlement's yield
    /// still streaming to holders, and one the token refused kept owed by the escrow. Everything
    /// adds up.
    fn balanced() -> Figures {
        let golden: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(GOLDEN).expect("golden fixture")).expect("json");
        serde_json::from_value(golden["cases"][0]["figures"].clone()).expect("figures")
    }

    /// The golden fixture both the CLI and the web app's audit are held to: the same figures
    /// must give the same checks, verdicts and figures text in both. This audit is its source:
    /// `UPDATE_GOLDEN=1 cargo test -p compute-rwa-cli golden` rewrites the expected checks.
    const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/audit-golden.json");

    #[test]
    fn golden_fixture_checks_are_this_audits() {
        let text = std::fs::read_to_string(GOLDEN).expect("golden fixture");
        let mut golden: serde_json::Value = serde_json::from_str(&text).expect("json");
        // The balanced case and the one that breaks every check are written by hand; after them
        // come the single breaks of `each_broken_figure_fails_its_own_check`, one case each, so a
        // port that dropped one condition of a check fails at least one of them.
        let mut expected: Vec<serde_json::Value> = golden["cases"].as_array().expect("cases").iter().take(2).cloned().collect();
        for (i, (break_it, check)) in single_breaks().into_iter().enumerate() {
            let mut figures = balanced();
            break_it(&mut figures);
            let name = format!("single break {}: {check}", i + 1);
            expected.push(serde_json::json!({ "name": name, "figures": serde_json::to_value(&figures).expect("figures"), "checks": [] }));
        }
        let cases = golden["cases"].as_array_mut().expect("cases");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            *cases = expected;
        } else {
            let figures_of = |cases: &[serde_json::Value]| cases.iter().map(|c| (c["name"].clone(), c["figures"].clone())).collect::<Vec<_>>();
            assert_eq!(figures_of(cases), figures_of(&expected), "the fixture's cases differ from this audit's (UPDATE_GOLDEN=1 rewrites them)");
        }
        assert!(cases.len() >= 30, "a passing case, a failing one and every single break");
        let mut failures_seen = 0;
        for case in cases.iter_mut() {
            let figures: Figures = serde_json::from_value(case["figures"].clone()).unwrap_or_else(|e| panic!("{}: {e}", case["name"]));
            let checks = serde_json::to_value(reconcile(&figures)).expect("checks");
            failures_seen += reconcile(&figures).iter().filter(|c| !c.pass).count();
            if std::env::var_os("UPDATE_GOLDEN").is_some() {
                case["checks"] = checks;
            } else {
                assert_eq!(case["checks"], checks, "{}: the fixture's checks differ from this audit's", case["name"]);
            }
        }
        assert!(failures_seen >= 40, "the failing cases fail their checks ({failures_seen})");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(GOLDEN, serde_json::to_string_pretty(&golden).expect("json") + "\n").expect("write");
        }
    }

    fn failing(f: &Figures) -> Vec<&'static str> {
        reconcile(f).into_iter().filter(|c| !c.pass).map(|c| c.check).collect()
    }

    #[test]
    fn balanced_books_pass_every_check() {
        let checks = reconcile(&balanced());
        assert_eq!(checks.len(), 18);
        let without_vault = Figures { vault: None, ..balanced() };
        assert_eq!(reconcile(&without_vault).len(), 15, "a pool without a vault has no vault checks");
        assert_eq!(failing(&balanced()), Vec::<&str>::new(), "{checks:#?}");
    }

    /// One broken figure each, and the one check it must fail (the rest of the books balanced).
    fn single_breaks() -> Vec<(fn(&mut Figures), &'static str)> {
        let identity = "distributed = claimed + claimable + undistributed + streaming + dust";
        let solvency = "stablecoin held ≥ claimable + undistributed + streaming";
        vec![
            (|f| f.code_hashes[0].2 = "0x02".into(), "code hashes match deployment.json"),
            // The issuer's own account as the token's admin would bypass the roles and records.
            (|f| f.token_admin = ORACLE.into(), "the token answers only to its pool admin"),
            // Review: a hand-over the previous owner proposed outlives a sale of the pool.
            (|f| f.token_pending_admin = Some(ORACLE.into()), "the token answers only to its pool admin"),
            (|f| f.admin_token = ORACLE.into(), "the token answers only to its pool admin"),
            (|f| f.latest_attested = None, "the token answers only to its pool admin"),
            (|f| f.latest_attested = Some((5_759_000_000, format!("0x{}", "ab".repeat(32)))), "the token answers only to its pool admin"),
            (|f| f.latest_attested = Some((5_760_000_000, format!("0x{}", "cd".repeat(32)))), "the token answers only to its pool admin"),
            (|f| f.recorded_redeemed = 9_000_000, "the token answers only to its pool admin"),
            (|f| f.expected_capacity += 1, "capacity is the attested one"),
            // The token and its admin agree on a document the deployment did not record.
            (
                |f| {
                    f.attestation = format!("0x{}", "cd".repeat(32));
                    f.latest_attested = Some((f.capacity, f.attestation.clone()));
                },
                "capacity is the attested one",
            ),
            (
                |f| {
                    f.redeemed = 2_770_000_001;
                    f.recorded_redeemed = f.redeemed;
                },
                "supply ≤ attested capacity",
            ),
            (|f| f.holders[1].balance -= 1, "Σ balances of known holders = supply"),
            (|f| f.holder_count = 3, "Σ balances of known holders = supply"),
            (|f| f.holders[0].verified = false, "holders are verified"),
            (|f| f.distributed += 1, identity),
            (|f| f.claimed += 3, identity),
            // Streaming counts: without it, 0.1 USDC would be unaccounted for.
            (|f| f.streaming = 0, identity),
            // ... and must be covered: 0.95 USDC pays what is claimable, not what still streams.
            (|f| f.token_stablecoin = 950_000, solvency),
            (|f| f.token_stablecoin = 999_997, solvency),
            (|f| f.escrow.released -= 1, "deposited = released + fees + refunded + held"),
            (|f| f.escrow.withdrawn -= 1, "stablecoin balance ≥ obligations"),
            // More fees withdrawn than the operator earned: the escrow paid out what it owes others.
            (|f| f.escrow.fees_withdrawn += 1, "stablecoin balance ≥ obligations"),
            // Unpaid yield is owed: the escrow's 0.001 USDC is exactly it.
            (|f| f.escrow_stablecoin = 999, "stablecoin balance ≥ obligations"),
            (|f| f.escrow.unpaid_yield += 1, "stablecoin balance ≥ obligations"),
            // The vault would count as earned rent the escrow does not hold.
            (|f| f.escrow.disputed = f.escrow.held + 1, "disputed ≤ held"),
            (|f| f.escrow_feed.oracle = "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw".into(), "escrow reads the pool's feed"),
            (|f| f.escrow_feed.feed = 1, "escrow reads the pool's feed"),
            (|f| f.escrow_feed.schedule.0 = 2, "escrow reads the pool's feed"),
            (|f| f.escrow_feed.schedule.3 = 30_000, "escrow reads the pool's feed"),
            (|f| f.feed_refusal = Some("Stale".into()), "feed is fresh"),
            (|f| f.flagged.push(("eve".into(), 3)), "reports within tolerance of the median"),
            (|f| f.token_bound = false, "token's identities = the registry's"),
            (|f| f.holders[1].in_sync = false, "token's identities = the registry's"),
            // The vault paid out a unit more than its lenders' cash, yield and credit leave it.
            (|f| vault(f).stablecoin -= 1, "stablecoin held ≥ cash + unsettled yield + credit"),
            (|f| vault(f).credit += 1, "stablecoin held ≥ cash + unsettled yield + credit"),
            (|f| vault(f).collateral = vault(f).tokens + 1, "tokens held ≥ collateral locked + recovered"),
            (|f| vault(f).recovered = vault(f).tokens, "tokens held ≥ collateral locked + recovered"),
            (|f| vault(f).links[1] = ORACLE.into(), "vault lends against this pool"),
            (|f| vault(f).links[4] = "1".into(), "vault lends against this pool"),
        ]
    }

    fn vault(f: &mut Figures) -> &mut VaultBooks {
        f.vault.as_mut().expect("the balanced case has a vault")
    }

    #[test]
    fn each_broken_figure_fails_its_own_check() {
        for (break_it, expected) in single_breaks() {
            let mut figures = balanced();
            break_it(&mut figures);
            assert_eq!(failing(&figures), vec![expected]);
        }
    }

    #[test]
    fn escrow_obligations_fail_when_more_was_withdrawn_than_owed() {
        let mut figures = balanced();
        figures.escrow.withdrawn = figures.escrow.refunded + 1;
        figures.escrow_stablecoin = u128::MAX;
        assert_eq!(failing(&figures), vec!["stablecoin balance ≥ obligations"]);
        assert!(reconcile(&figures)[8].figures.ends_with("withdrawn more than owed"));
    }

    #[test]
    fn yield_still_streaming_passes_and_negative_dust_is_named() {
        let mut figures = balanced();
        figures.holders[0].claimable = 0;
        figures.streaming = 700_000;
        assert_eq!(failing(&figures), Vec::<&str>::new(), "a stream just started: nothing claimable yet");
        figures.streaming = 700_003;
        assert!(reconcile(&figures)[5].figures.contains("dust negative"));
    }
}
