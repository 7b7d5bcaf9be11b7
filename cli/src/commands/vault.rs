//! `vault`: the credit vault's books, valuation and every known investor's position, in one read.
use super::Ctx;
use crate::audit::usd;
use crate::chain::Chain;
use crate::deployment::ContractName;
use crate::value::{field, option, tuple, uint, uint_field, ContractError, Value};
use anyhow::Result;
use serde::Serialize;

/// One figure of the report.
#[derive(Debug, Serialize)]
pub struct Row {
    pub section: String,
    pub figure: String,
    pub value: String,
}

fn row(section: &str, figure: &str, value: String) -> Row {
    Row { section: section.into(), figure: figure.into(), value }
}

fn bps(value: u128) -> String {
    format!("{}.{:02}%", value / 100, value % 100)
}

/// A read's value, or the contract's refusal as text (a stale feed is an answer, not a failure).
async fn answer(chain: &Chain, vault: &crate::chain::AccountId, message: &str, args: Vec<String>) -> Result<std::result::Result<Value, String>> {
    match chain.read(ContractName::Vault, vault, message, &args).await {
        Ok(value) => Ok(Ok(value)),
        Err(error) => match error.downcast_ref::<ContractError>() {
            Some(refused) => Ok(Err(refused.0.clone())),
            None => Err(error),
        },
    }
}

pub async fn run(ctx: &Ctx) -> Result<bool> {
    let (chain, record) = ctx.open().await?;
    let vault = record.contracts.get(ContractName::Vault)?.account()?;
    let mut rows = Vec::new();
    let state = chain.read(ContractName::Vault, &vault, "state", &[]).await?;
    let totals = field(&state, "totals")?;
    let (assets, shares) = (uint_field(&state, "total_assets")?, uint_field(totals, "shares")?);
    rows.push(row("lenders", "assets (cash + debt)", usd(assets)));
    rows.push(row("lenders", "cash not lent out", usd(uint_field(totals, "cash")?)));
    rows.push(row("lenders", "share price", format!("{:.6} USDC per share", (assets as f64 + 1.0) / (shares as f64 + 1.0))));
    rows.push(row("lenders", "bad debt written off", usd(uint_field(totals, "bad_debt")?)));
    rows.push(row("lenders", "tokens recovered by write-offs", format!("{} GPU-h", crate::ops::format_units(uint_field(totals, "recovered")?, 6))));
    rows.push(row("borrowers", "debt", usd(uint_field(&state, "total_debt")?)));
    rows.push(row("borrowers", "utilization", bps(uint_field(&state, "utilization_bps")?)));
    rows.push(row("borrowers", "borrow rate (a year)", bps(uint_field(&state, "borrow_rate_bps")?)));
    rows.push(row("borrowers", "collateral locked", format!("{} GPU-h", crate::ops::format_units(uint_field(totals, "collateral")?, 6))));
    rows.push(row("yield", "received from the token", usd(uint_field(totals, "yield_received")?)));
    rows.push(row("yield", "credit owed to borrowers", usd(uint_field(totals, "credit")?)));
    match answer(&chain, &vault, "valuation", vec![]).await? {
        Ok(v) => {
            let inputs = field(&v, "inputs")?;
            rows.push(row("valuation", "by utilization", usd(uint_field(&v, "by_utilization")?)));
            rows.push(row("valuation", "rent pending in the escrow (disputed, unpaid), counted as earned", usd(uint_field(inputs, "pending_rent")?)));
            rows.push(row("valuation", "by recent distributions", usd(uint_field(&v, "by_distributions")?)));
            rows.push(row("valuation", "pool value now (lower, less haircut)", usd(uint_field(&v, "current")?)));
            // The window's extremes per token unit (×10^18), shown per GPU-hour (10^6 units).
            let per_gpu_hour = |unit: u128| unit / 1_000_000_000_000;
            let low = option(field(&v, "low")?).map(uint).transpose()?;
            let high = option(field(&v, "high")?).map(uint).transpose()?;
            rows.push(row(
                "valuation",
                "checkpoints of the trailing epochs",
                match (low, high) {
                    (Some(low), Some(high)) => format!(
                        "{} to {} per GPU-hour (borrowing counts the lowest and now, liquidation the highest and now)",
                        usd(per_gpu_hour(low)),
                        usd(per_gpu_hour(high))
                    ),
                    _ => "none yet: nothing to borrow against or liquidate at (refresh, then an epoch)".into(),
                },
            ));
            let median = format!("{} over {} epochs", bps(uint_field(inputs, "utilization_bps")?), uint_field(inputs, "epochs")?);
            rows.push(row("valuation", "median utilization", median));
            rows.push(row("valuation", "price per GPU-hour", usd(uint_field(inputs, "price_per_gpu_hour")?)));
        }
        Err(refused) => rows.push(row("valuation", "refused", format!("{refused}: no new borrowing"))),
    }
    for investor in &record.investors {
        let lent = chain.read(ContractName::Vault, &vault, "lender", &[investor.clone()]).await?;
        let lent = tuple(&lent)?;
        if let (Some(shares), Some(worth)) = (lent.first(), lent.get(1)) {
            if uint(shares)? > 0 {
                rows.push(row("lender", investor, format!("{} shares worth {}", uint(shares)?, usd(uint(worth)?))));
            }
        }
        if let Ok(health) = answer(&chain, &vault, "health", vec![investor.clone()]).await? {
            let position = field(&health, "position")?;
            if uint_field(position, "collateral")? > 0 || uint_field(&health, "debt")? > 0 {
                let factor = uint_field(&health, "health_factor_bps")?;
                let factor = if factor == u128::MAX { "∞".into() } else { format!("{:.2}", factor as f64 / 10_000.0) };
                rows.push(row(
                    "borrower",
                    investor,
                    format!(
                        "collateral worth {}, debt {}, limit {}, liquidation above {}, health {factor}",
                        usd(uint_field(&health, "value")?),
                        usd(uint_field(&health, "debt")?),
                        usd(uint_field(&health, "borrow_limit")?),
                        usd(uint_field(&health, "liquidation_limit")?)
                    ),
                ));
            }
        }
    }
    let table: Vec<_> = rows.iter().map(|r| vec![r.section.clone(), r.figure.clone(), r.value.clone()]).collect();
    ctx.output.print(&["section", "figure", "value"], &table, &rows);
    Ok(true)
}
