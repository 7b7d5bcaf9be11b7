//! `deploy-pool`: upload, instantiate (or reuse), wire and attest a pool; writes the deployment record.
use super::Ctx;
use crate::{config, deploy};
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The pool's configuration (see cli/pool.example.toml)
    #[arg(long)]
    config: PathBuf,
    /// Where to write the record [default: --deployment]
    #[arg(long)]
    out: Option<PathBuf>,
}

pub async fn run(ctx: &Ctx, args: &Args) -> Result<bool> {
    let config = config::PoolConfig::load(&args.config)?;
    let chain = ctx.connect(None).await?;
    let deployment = deploy::deploy_pool(&chain, &config, crate::now_ms()?).await?;
    let out = args.out.as_ref().unwrap_or(&ctx.deployment);
    deployment.save(out)?;
    let rows: Vec<_> = deployment.contracts.all().iter().map(|(name, d)| vec![name.to_string(), d.address.clone(), d.code_hash.clone()]).collect();
    ctx.output.print(&["contract", "address", "code hash"], &rows, &deployment);
    eprintln!("wrote {}", out.display());
    Ok(true)
}
