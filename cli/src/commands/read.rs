//! `read`: any message of a deployed contract as a dry run; nothing is sent.
use super::Ctx;
use crate::output::Output;
use crate::value;
use anyhow::Result;

pub use super::Message as Args;

pub async fn run(ctx: &Ctx, args: &Args) -> Result<bool> {
    let (chain, record) = ctx.open().await?;
    let value = chain.read(args.contract, &record.contracts.get(args.contract)?.account()?, &args.message, &args.args).await?;
    match ctx.output {
        Output::Table => println!("{}", value::render(&value)),
        Output::Json => println!("{}", serde_json::to_string_pretty(&value)?),
    }
    Ok(true)
}
