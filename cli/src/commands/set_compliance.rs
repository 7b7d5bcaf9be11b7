//! `set-compliance`: replace the token's transfer rules with a pool config's `[compliance]`
//! section (through the pool admin, with its owner's signature) and print the rules sent.
use super::Ctx;
use crate::deployment::ContractName;
use crate::{config, deploy};
use anyhow::{anyhow, Result};

pub type Args = super::ConfigFile;

pub async fn run(ctx: &Ctx, args: &Args) -> Result<bool> {
    let config = config::PoolConfig::load(&args.config)?;
    let rules = config.compliance.ok_or_else(|| anyhow!("{} has no [compliance] section", args.config.display()))?;
    rules.validate().map_err(|e| anyhow!("[compliance] is out of bounds: {e:?}"))?;
    let (chain, record) = ctx.open().await?;
    let rules = deploy::arg(&rules);
    chain.submit(ContractName::Admin, &record.contracts.pool_admin.account()?, "set_compliance", &[rules.clone()]).await?;
    ctx.output.print(&["compliance"], &[vec![rules.clone()]], &serde_json::json!({ "compliance": rules }));
    Ok(true)
}
