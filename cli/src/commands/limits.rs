//! `limits`: the chain's block weight and contract code size limits.
use super::Ctx;
use crate::chain;
use anyhow::Result;

pub async fn run(ctx: &Ctx) -> Result<bool> {
    let limits = ctx.connect(None).await?.limits().await?;
    let weight = |(ref_time, proof_size): chain::Parts| vec![ref_time.to_string(), proof_size.to_string()];
    let rows = [
        ("max block", weight(limits.max_block)),
        ("normal transactions, whole block", weight(limits.normal_max_total)),
        ("normal transaction, at most", weight(limits.normal_max_extrinsic)),
        ("base weight per transaction", weight(limits.base_extrinsic)),
        ("max contract code (bytes)", vec![limits.max_code_len.to_string(), String::new()]),
    ];
    let rows: Vec<_> = rows
        .into_iter()
        .map(|(name, mut values)| {
            values.insert(0, name.to_string());
            values
        })
        .collect();
    ctx.output.print(&["limit", "ref_time", "proof_size"], &rows, &limits);
    Ok(true)
}
