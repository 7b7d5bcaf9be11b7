//! `call`: submit any message of a deployed contract (dry-run first; a refusal sends nothing).
use super::Ctx;
use crate::value;
use anyhow::Result;

pub use super::Message as Args;

pub async fn run(ctx: &Ctx, args: &Args) -> Result<bool> {
    let (chain, record) = ctx.open().await?;
    let submitted = chain.submit(args.contract, &record.contracts.get(args.contract)?.account()?, &args.message, &args.args).await?;
    let rendered = value::render(&submitted.value);
    let json = serde_json::json!({ "returned": rendered, "events": submitted.events });
    ctx.output.print(&["returned", "events"], &[vec![rendered.clone(), submitted.events.join(", ")]], &json);
    Ok(true)
}
