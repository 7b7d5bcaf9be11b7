//! `register`: verified investors from a CSV file, in batches.
use super::Ctx;
use crate::deployment::ContractName;
use crate::{deploy, ops};
use anyhow::{Context, Result};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// account,country,kyc_expiry_ms,class[,claim_hash] per line
    #[arg(long)]
    csv: PathBuf,
}

pub async fn run(ctx: &Ctx, args: &Args) -> Result<bool> {
    let text = std::fs::read_to_string(&args.csv).with_context(|| format!("cannot read {}", args.csv.display()))?;
    let records = ops::parse_investors(&text)?;
    let (chain, mut record) = ctx.open().await?;
    let registry = record.contracts.identity_registry.account()?;
    let batches: Vec<_> = records.chunks(ops::REGISTER_BATCH).collect();
    let mut progress = deploy::Progress::new(batches.len());
    let mut registered = 0usize;
    for batch in batches {
        registered = registered.saturating_add(batch.len());
        progress.tell(format!("register {registered} of {} investors", records.len()));
        chain.submit(ContractName::Registry, &registry, "register_batch", &[ops::batch_arg(batch)]).await?;
        record.remember_investors(batch.iter().map(|r| &r.account));
        record.save(&ctx.deployment)?;
    }
    let rows: Vec<_> = records.iter().map(|r| vec![r.account.to_string(), r.identity.clone()]).collect();
    ctx.output.print(&["account", "identity"], &rows, &serde_json::json!({ "registered": records.len() }));
    Ok(true)
}
