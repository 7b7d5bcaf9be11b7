//! `add-reporter`: authorize a utilization reporter on the pool's feed (from the next epoch).
use super::Ctx;
use crate::chain::account;
use crate::deployment::ContractName;
use anyhow::Result;

#[derive(clap::Args)]
pub struct Args {
    /// The reporter (SS58)
    reporter: String,
}

pub async fn run(ctx: &Ctx, args: &Args) -> Result<bool> {
    let reporter = account(&args.reporter, "reporter")?;
    let (chain, mut record) = ctx.open().await?;
    let call = [record.feed.to_string(), reporter.to_string()];
    chain.submit(ContractName::Oracle, &record.contracts.utilization_oracle.account()?, "add_reporter", &call).await?;
    if !record.reporters.contains(&reporter.to_string()) {
        record.reporters.push(reporter.to_string());
        record.save(&ctx.deployment)?;
    }
    ctx.output.print(&["reporter", "feed"], &[call.to_vec()], &serde_json::json!({ "reporter": reporter.to_string(), "feed": record.feed }));
    Ok(true)
}
