//! `audit`: read a pool's books from chain state and check that they add up.
//!
//! [`gather`] only reads (dry runs and storage); [`reconcile`] is pure, so every check's
//! PASS and FAIL paths are unit-tested without a node.
use crate::chain::{AccountId, Chain};
use crate::deployment::Deployment;
use crate::ops::{format_units, UNITS_PER_GPU_HOUR};
use crate::value::{self, field, option, seq, uint, uint_field, ContractError, Value};
use anyhow::{bail, Result};
use compute_rwa_common::Report;
use serde::Serialize;

const DECIMALS: u32 = 6;

/// One known account's position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holder {
    pub account: String,
    pub balance: u128,
    pub claimable: u128,
    pub verified: bool,
}

/// The escrow's pooled ledger (`totals()`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EscrowBooks {
    pub deposited: u128,
    pub released: u128,
    pub fees: u128,
    pub refunded: u128,
    pub held: u128,
    pub withdrawn: u128,
    pub fees_withdrawn: u128,
}

/// An epoch schedule as one contract holds it: (feed, genesis, epoch length, GPUs).
pub type Schedule = (u128, u128, u128, u128);

/// Everything the checks compare, as read from chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    pub token_stablecoin: u128,
    pub escrow: EscrowBooks,
    pub escrow_stablecoin: u128,
    pub escrow_schedule: Schedule,
    pub feed_schedule: Schedule,
    pub finalized_epochs: u128,
    pub latest_epoch: Option<u128>,
    /// `None` when `latest` answers, else its refusal (`Stale`, `NotFinalized`).
    pub feed_refusal: Option<String>,
    pub epochs_checked: u32,
    /// (reporter, epoch) of reports farther from the median than the feed's tolerance.
    pub flagged: Vec<(String, u64)>,
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

fn gpu_h(units: u128) -> String {
    format!("{} GPU-h", format_units(units, DECIMALS))
}

fn usd(units: u128) -> String {
    format!("{} USDC", format_units(units, DECIMALS))
}

/// Every check, PASS or FAIL with its figures.
pub fn reconcile(f: &Figures) -> Vec<Check> {
    let mut checks = vec![code_check(f)];
    checks.extend(token_checks(f));
    checks.extend(yield_checks(f));
    checks.extend(escrow_checks(f));
    checks.extend(oracle_checks(f));
    checks
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
    let accounted = f.claimed.saturating_add(claimable).saturating_add(f.undistributed);
    // Each account keeps a sub-unit fraction, and the carried remainder is under one unit.
    let dust_bound = u128::try_from(f.holders.len()).unwrap_or(u128::MAX).saturating_add(1);
    let dust = f.distributed.checked_sub(accounted);
    let owed = claimable.saturating_add(f.undistributed);
    vec![
        check(
            "yield",
            "distributed = claimed + claimable + undistributed + dust",
            dust.is_some_and(|d| d < dust_bound),
            format!(
                "{} = {} + {} + {} + dust {} (< {dust_bound} units)",
                usd(f.distributed),
                usd(f.claimed),
                usd(claimable),
                usd(f.undistributed),
                dust.map_or("negative".into(), |d| d.to_string())
            ),
        ),
        check(
            "yield",
            "stablecoin held ≥ claimable + undistributed",
            f.token_stablecoin >= owed,
            format!("token holds {} ≥ {}", usd(f.token_stablecoin), usd(owed)),
        ),
    ]
}

fn escrow_checks(f: &Figures) -> Vec<Check> {
    let e = &f.escrow;
    let parts = [e.released, e.fees, e.refunded, e.held].iter().try_fold(0u128, |sum, part| sum.checked_add(*part));
    let obligations = e
        .refunded
        .checked_sub(e.withdrawn)
        .zip(e.fees.checked_sub(e.fees_withdrawn))
        .and_then(|(refunds, fees)| e.held.checked_add(refunds)?.checked_add(fees));
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
            format!("escrow holds {} ≥ {}", usd(f.escrow_stablecoin), obligations.map_or("(withdrawn more than owed)".into(), usd)),
        ),
        check(
            "escrow",
            "escrow settles on the feed's schedule",
            f.escrow_schedule == f.feed_schedule,
            format!("escrow (feed, genesis, epoch ms, GPUs) {:?}, feed {:?}", f.escrow_schedule, f.feed_schedule),
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

/// Reads every figure the checks need; `epochs` bounds how many recent epochs' reports are compared.
pub async fn gather(chain: &Chain, deployment: &Deployment, epochs: u32) -> Result<Figures> {
    let c = &deployment.contracts;
    let (coin, registry, token, oracle, escrow) =
        (c.stablecoin.account()?, c.identity_registry.account()?, c.gpu_hour_token.account()?, c.utilization_oracle.account()?, c.rental_escrow.account()?);
    let read = |contract: &'static str, address: &AccountId, message: &'static str, args: Vec<String>| {
        let address = address.clone();
        async move { chain.read(contract, &address, message, &args).await }
    };
    let mut f = Figures::default();
    for (name, record) in c.all() {
        let actual = chain.code_hash_at(&record.account()?).await?;
        f.code_hashes.push((name.into(), record.code_hash.clone(), value::hex0x(&actual)));
    }
    f.expected_capacity = u128::from(deployment.attested_gpu_hours).saturating_mul(UNITS_PER_GPU_HOUR);
    f.expected_attestation = deployment.attestation_hash.clone();
    f.capacity = uint(&read("gpu_hour_token", &token, "capacity", vec![]).await?)?;
    f.attestation = bytes_hex(field(&read("gpu_hour_token", &token, "pool", vec![]).await?, "attestation_hash")?)?;
    f.supply = uint(&read("gpu_hour_token", &token, "PSP22::total_supply", vec![]).await?)?;
    f.redeemed = uint(&read("gpu_hour_token", &token, "redeemed", vec![]).await?)?;
    f.holder_count = uint(&read("gpu_hour_token", &token, "holder_count", vec![]).await?)?;
    for investor in &deployment.investors {
        let arg = vec![investor.clone()];
        f.holders.push(Holder {
            account: investor.clone(),
            balance: uint(&read("gpu_hour_token", &token, "PSP22::balance_of", arg.clone()).await?)?,
            claimable: uint(&read("gpu_hour_token", &token, "claimable", arg.clone()).await?)?,
            verified: matches!(read("identity_registry", &registry, "IdentityCheck::is_verified", arg).await?, Value::Bool(true)),
        });
    }
    let rewards = read("gpu_hour_token", &token, "reward_totals", vec![]).await?;
    (f.distributed, f.claimed, f.undistributed) =
        (uint_field(&rewards, "distributed")?, uint_field(&rewards, "claimed")?, uint_field(&rewards, "undistributed")?);
    f.token_stablecoin = uint(&read("stablecoin", &coin, "PSP22::balance_of", vec![token.to_string()]).await?)?;
    f.escrow_stablecoin = uint(&read("stablecoin", &coin, "PSP22::balance_of", vec![escrow.to_string()]).await?)?;
    f.escrow = escrow_books(&read("rental_escrow", &escrow, "totals", vec![]).await?)?;
    let escrow_config = read("rental_escrow", &escrow, "config", vec![]).await?;
    let feed_id = deployment.feed.to_string();
    let feed = read("utilization_oracle", &oracle, "feed", vec![feed_id.clone()]).await?;
    let feed_config = field(&feed, "config")?;
    f.escrow_schedule = schedule(&escrow_config, "pool_gpus", uint_field(&escrow_config, "feed")?)?;
    f.feed_schedule = schedule(feed_config, "gpu_count", u128::from(deployment.feed))?;
    f.finalized_epochs = uint_field(&feed, "finalized_count")?;
    f.latest_epoch = option(field(&feed, "latest")?).map(uint).transpose()?;
    f.feed_refusal = read("utilization_oracle", &oracle, "latest", vec![feed_id.clone()])
        .await
        .err()
        .map(|e| e.downcast_ref::<ContractError>().map_or_else(|| e.to_string(), |refused| refused.0.clone()));
    if let Some(latest) = f.latest_epoch {
        let latest = u64::try_from(latest)?;
        let from = latest.saturating_sub(u64::from(epochs.saturating_sub(1)));
        let tolerance = u16::try_from(uint_field(feed_config, "tolerance_bps")?)?;
        let history = read("utilization_oracle", &oracle, "history", vec![feed_id.clone(), from.to_string(), epochs.to_string()]).await?;
        for finalized in seq(&history)? {
            let epoch = u64::try_from(uint_field(finalized, "epoch")?)?;
            let median = report(field(finalized, "values")?)?;
            f.epochs_checked = f.epochs_checked.saturating_add(1);
            for reporter in &deployment.reporters {
                let args = vec![feed_id.clone(), epoch.to_string(), reporter.clone()];
                let submitted = read("utilization_oracle", &oracle, "submission", args).await?;
                if let Some(submitted) = option(&submitted) {
                    if utilization_oracle::oracle::deviates(&report(submitted)?, &median, tolerance) {
                        f.flagged.push((reporter.clone(), epoch));
                    }
                }
            }
        }
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
    })
}

fn schedule(config: &Value, gpus_field: &str, feed: u128) -> Result<Schedule> {
    Ok((feed, uint_field(config, "genesis")?, uint_field(config, "epoch_length")?, uint_field(config, gpus_field)?))
}

fn report(value: &Value) -> Result<Report> {
    let number = |name: &str| uint_field(value, name);
    Ok(Report {
        gpu_milli_hours: u64::try_from(number("gpu_milli_hours")?)?,
        utilization_bps: u16::try_from(number("utilization_bps")?)?,
        uptime_bps: u16::try_from(number("uptime_bps")?)?,
        energy_wh: u64::try_from(number("energy_wh")?)?,
        avg_power_w: u32::try_from(number("avg_power_w")?)?,
    })
}

/// A byte array as 0x-hex, whether the transcoder shows it as hex or as a sequence of numbers.
fn bytes_hex(value: &Value) -> Result<String> {
    match value {
        Value::Hex(hex) => Ok(hex.as_str().to_string()),
        Value::Seq(_) => {
            let bytes: Result<Vec<u8>> = seq(value)?.iter().map(|b| Ok(u8::try_from(uint(b)?)?)).collect();
            Ok(value::hex0x(&bytes?))
        }
        other => bail!("expected bytes, found {}", value::render(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The books after the demo's story: everything adds up.
    fn balanced() -> Figures {
        let hash = format!("0x{}", "ab".repeat(32));
        let holder = |account: &str, balance, claimable| Holder { account: account.into(), balance, claimable, verified: true };
        Figures {
            code_hashes: vec![("gpu_hour_token".into(), "0x01".into(), "0x01".into())],
            expected_capacity: 5_760_000_000,
            expected_attestation: hash.clone(),
            capacity: 5_760_000_000,
            attestation: hash,
            supply: 2_990_000_000,
            redeemed: 10_000_000,
            holder_count: 2,
            holders: vec![holder("bob", 2_000_000_000, 0), holder("charlie", 990_000_000, 5)],
            distributed: 3_000_000,
            claimed: 2_999_993,
            undistributed: 0,
            token_stablecoin: 7,
            escrow: EscrowBooks { deposited: 40_000, released: 15_300, fees: 1_700, refunded: 23_000, held: 0, withdrawn: 23_000, fees_withdrawn: 1_700 },
            escrow_stablecoin: 0,
            escrow_schedule: (0, 1, 3_600, 8),
            feed_schedule: (0, 1, 3_600, 8),
            finalized_epochs: 2,
            latest_epoch: Some(4),
            feed_refusal: None,
            epochs_checked: 2,
            flagged: vec![],
        }
    }

    fn failing(f: &Figures) -> Vec<&'static str> {
        reconcile(f).into_iter().filter(|c| !c.pass).map(|c| c.check).collect()
    }

    #[test]
    fn balanced_books_pass_every_check() {
        let checks = reconcile(&balanced());
        assert_eq!(checks.len(), 12);
        assert_eq!(failing(&balanced()), Vec::<&str>::new(), "{checks:#?}");
        assert_eq!(checks[2].figures, "supply 2990 GPU-h + redeemed 10 GPU-h = 3000 GPU-h ≤ 5760 GPU-h");
    }

    #[test]
    fn each_broken_figure_fails_its_own_check() {
        let cases: Vec<(fn(&mut Figures), &str)> = vec![
            (|f| f.code_hashes[0].2 = "0x02".into(), "code hashes match deployment.json"),
            (|f| f.expected_capacity += 1, "capacity is the attested one"),
            (|f| f.redeemed = 2_770_000_001, "supply ≤ attested capacity"),
            (|f| f.holders[1].balance -= 1, "Σ balances of known holders = supply"),
            (|f| f.holder_count = 3, "Σ balances of known holders = supply"),
            (|f| f.holders[0].verified = false, "holders are verified"),
            (|f| f.distributed += 3, "distributed = claimed + claimable + undistributed + dust"),
            (|f| f.claimed += 6, "distributed = claimed + claimable + undistributed + dust"),
            (|f| f.token_stablecoin = 4, "stablecoin held ≥ claimable + undistributed"),
            (|f| f.escrow.released -= 1, "deposited = released + fees + refunded + held"),
            (|f| f.escrow.withdrawn -= 1, "stablecoin balance ≥ obligations"),
            (|f| f.escrow_schedule.1 = 2, "escrow settles on the feed's schedule"),
            (|f| f.feed_refusal = Some("Stale".into()), "feed is fresh"),
            (|f| f.flagged.push(("eve".into(), 3)), "reports within tolerance of the median"),
        ];
        for (break_it, expected) in cases {
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
    }
}
