//! `audit`: reconcile the pool's books from chain state; PASS/FAIL per check, exit 1 on any FAIL.
use super::Ctx;
use crate::audit;
use crate::output::{verdict, Output};
use anyhow::Result;

#[derive(clap::Args)]
pub struct Args {
    /// Recent epochs whose reports are checked against their median (at most 100)
    #[arg(long, default_value_t = 24)]
    pub epochs: u32,
}

pub async fn run(ctx: &Ctx, args: &Args) -> Result<bool> {
    let (chain, record) = ctx.open().await?;
    let checks = audit::reconcile(&audit::gather(&chain, &record, args.epochs).await?);
    let rows: Vec<_> = checks.iter().map(|c| vec![c.area.into(), c.check.into(), verdict(c.pass).into(), c.figures.clone()]).collect();
    ctx.output.print(&["area", "check", "result", "figures"], &rows, &checks);
    let failed = checks.iter().filter(|c| !c.pass).count();
    if ctx.output == Output::Table {
        println!("audit: {} checks, {} PASS, {failed} FAIL", checks.len(), checks.len().saturating_sub(failed));
    }
    Ok(failed == 0)
}
