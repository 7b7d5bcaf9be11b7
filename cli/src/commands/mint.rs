//! `mint`: GPU-hour tokens to a verified investor, through the pool admin, within attested capacity.
use super::Ctx;
use crate::chain::account;
use crate::deployment::ContractName;
use crate::{ops, value};
use anyhow::Result;

#[derive(clap::Args)]
pub struct Args {
    /// The investor (SS58)
    #[arg(long)]
    to: String,
    /// Amount in GPU-hours, up to 6 decimals
    #[arg(long)]
    gpu_hours: String,
}

pub async fn run(ctx: &Ctx, args: &Args) -> Result<bool> {
    let to = account(&args.to, "--to")?;
    let units = ops::parse_units(&args.gpu_hours, 6)?;
    let (chain, mut record) = ctx.open().await?;
    let token = record.contracts.gpu_hour_token.account()?;
    let admin = record.contracts.pool_admin.account()?;
    let submitted = chain.submit(ContractName::Admin, &admin, "mint", &[to.to_string(), units.to_string()]).await?;
    record.remember_investors([&to]);
    record.save(&ctx.deployment)?;
    let supply = value::uint(&chain.read(ContractName::Token, &token, "PSP22::total_supply", &[]).await?)?;
    let capacity = value::uint_field(&chain.read(ContractName::Token, &token, "state", &[]).await?, "capacity")?;
    let figures = [to.to_string(), ops::format_units(units, 6), ops::format_units(supply, 6), ops::format_units(capacity, 6)];
    let json = serde_json::json!({ "to": to.to_string(), "units": units, "supply": supply, "capacity": capacity, "events": submitted.events });
    ctx.output.print(&["to", "minted GPU-h", "supply GPU-h", "capacity GPU-h"], &[figures.to_vec()], &json);
    Ok(true)
}
