//! `call`: submit any message of a deployed contract (dry-run first; a refusal sends nothing).
use super::Ctx;
use crate::deployment::ContractName;
use crate::value;
use anyhow::Result;

#[derive(clap::Args)]
pub struct Args {
    /// The contract: stablecoin (coin), identity_registry (registry), gpu_hour_token (token), pool_admin (admin), utilization_oracle (oracle), rental_escrow (escrow)
    contract: ContractName,
    /// The message's label, e.g. PSP22::transfer
    message: String,
    /// Arguments in cargo-contract's notation, e.g. 5Grw… 1000 '[]'
    args: Vec<String>,
}

pub async fn run(ctx: &Ctx, args: &Args) -> Result<bool> {
    let (chain, record) = ctx.open().await?;
    let submitted = chain.submit(args.contract, &record.contracts.get(args.contract).account()?, &args.message, &args.args).await?;
    let rendered = value::render(&submitted.value);
    let json = serde_json::json!({ "returned": rendered, "events": submitted.events });
    ctx.output.print(&["returned", "events"], &[vec![rendered.clone(), submitted.events.join(", ")]], &json);
    Ok(true)
}
