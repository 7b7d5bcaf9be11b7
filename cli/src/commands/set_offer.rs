//! `set-offer`: publish the rental offer from a pool config's `[offer]` section.
use super::Ctx;
use crate::deployment::ContractName;
use crate::{config, deploy};
use anyhow::Result;

pub type Args = super::ConfigFile;

pub async fn run(ctx: &Ctx, args: &Args) -> Result<bool> {
    let config = config::PoolConfig::load(&args.config)?;
    let (chain, record) = ctx.open().await?;
    let offer = deploy::arg(&deploy::offer(&config)?);
    chain.submit(ContractName::Escrow, &record.contracts.rental_escrow.account()?, "set_offer", &[offer.clone()]).await?;
    ctx.output.print(&["offer"], &[vec![offer.clone()]], &serde_json::json!({ "offer": offer }));
    Ok(true)
}
