//! `deploy-pool`: upload, instantiate (or reuse), wire and attest a pool from `pool.toml`.
use crate::chain::{account, AccountId, Chain};
use crate::config::{hash32, PoolConfig};
use crate::deployment::{ContractName, Contracts, Deployed, Deployment};
use crate::value;
use anyhow::{anyhow, bail, Result};
use rental_escrow::escrow::{EscrowConfig, Offer, SlaTier};

/// Prints `[step/total] what` to stderr, so stdout stays the command's result.
pub struct Progress {
    step: usize,
    total: usize,
}

impl Progress {
    pub fn new(total: usize) -> Progress {
        Progress { step: 0, total }
    }

    pub fn tell(&mut self, what: impl std::fmt::Display) {
        self.step = self.step.saturating_add(1);
        eprintln!("[{}/{}] {what}", self.step, self.total);
    }
}

/// SCON text of a string argument (quotes escaped as the transcoder reads them).
pub fn text_arg(text: &str) -> String {
    format!("{text:?}")
}

/// Deploys the pool described by `config`; returns its deployment record.
pub async fn deploy_pool(chain: &Chain, config: &PoolConfig, now_ms: u64) -> Result<Deployment> {
    let problems = config.problems();
    if !problems.is_empty() {
        let list: Vec<_> = problems.iter().map(|p| format!("  - {p}")).collect();
        bail!("the pool config has {} problem(s):\n{}", problems.len(), list.join("\n"));
    }
    let reuse_coin = config.stablecoin.address.as_deref();
    let reuse_registry = config.registry.address.as_deref();
    let uploads: Vec<ContractName> = [(ContractName::Stablecoin, reuse_coin.is_none()), (ContractName::Registry, reuse_registry.is_none())]
        .into_iter()
        .filter_map(|(name, deploy)| deploy.then_some(name))
        .chain([ContractName::Token, ContractName::Admin, ContractName::Oracle, ContractName::Escrow])
        .collect();
    // Uploads and instantiations, then the admin hand-over, binding, capacity, yield period, feed,
    // distributor and offer.
    let mut progress = Progress::new(uploads.len() * 2 + 7);
    for name in &uploads {
        progress.tell(format!("upload {name} code"));
        chain.upload(*name).await?;
    }

    let coin = match reuse_coin {
        Some(address) => reuse(chain, address, ContractName::Stablecoin).await?,
        None => {
            let (name, symbol) = (config.stablecoin.name.as_deref().unwrap_or_default(), config.stablecoin.symbol.as_deref().unwrap_or_default());
            let args = [format!("Some({})", text_arg(name)), format!("Some({})", text_arg(symbol))];
            instantiate(chain, &mut progress, ContractName::Stablecoin, &args).await?
        }
    };
    let registry = match reuse_registry {
        Some(address) => reuse(chain, address, ContractName::Registry).await?,
        None => instantiate(chain, &mut progress, ContractName::Registry, &[]).await?,
    };
    let (period_start, period_end) = config.period(now_ms);
    let pool = &config.pool;
    let pool_info = format!(
        "PoolInfo {{ gpu_model: {}, gpu_count: {}, region: {}, datacenter_tier: {}, period_start: {period_start}, period_end: {period_end}, attestation_hash: 0x{}, attestation_uri: \"\" }}",
        text_arg(&pool.gpu_model),
        pool.gpu_count,
        text_arg(&pool.region),
        pool.datacenter_tier,
        "00".repeat(32),
    );
    let token_args = [
        format!("Some({})", text_arg(&config.token.name)),
        format!("Some({})", text_arg(&config.token.symbol)),
        pool_info,
        registry.address.clone(),
        coin.address.clone(),
    ];
    let token = instantiate(chain, &mut progress, ContractName::Token, &token_args).await?;
    let token_account = token.account()?;
    // The token's companion holds roles and records and is the token's only admin: what holders
    // never call stays out of the code every transfer loads.
    let admin = instantiate(chain, &mut progress, ContractName::Admin, &[token.address.clone()]).await?;
    let admin_account = admin.account()?;
    progress.tell("hand the token's admin role to its pool admin (proposed, then accepted)");
    chain.submit(ContractName::Token, &token_account, "TokenAdmin::admin", &[format!("[SetAdmin({})]", admin.address)]).await?;
    chain.submit(ContractName::Admin, &admin_account, "take_over", &[]).await?;
    // The registry pushes every identity change to the token, which then checks transfers
    // locally. A reused registry must be owned by the deployer; accounts it registered before
    // reach the token with `call token sync '[…]'`.
    progress.tell("bind the token to the identity registry");
    chain.submit(ContractName::Registry, &registry.account()?, "bind_token", &[token.address.clone()]).await?;
    let attestation = &config.attestation;
    let hash = hash32(&attestation.document_hash).ok_or_else(|| anyhow!("attestation.document_hash"))?;
    progress.tell(format!("attest {} GPU-hours ({})", attestation.gpu_hours, attestation.document_uri));
    let attest_args = [attestation.gpu_hours.to_string(), value::hex0x(&hash), text_arg(&attestation.document_uri)];
    chain.submit(ContractName::Admin, &admin_account, "attest_capacity", &attest_args).await?;
    let period = config.token.yield_period_ms;
    progress.tell(format!("stream each yield distribution over {period} ms"));
    chain.submit(ContractName::Admin, &admin_account, "set_yield_period", &[period.to_string()]).await?;

    let oracle = instantiate(chain, &mut progress, ContractName::Oracle, &[]).await?;
    // The escrow reads its epoch schedule and GPU count from this feed, so the feed comes first.
    let feed = create_feed(chain, &mut progress, config, &oracle.account()?, &token.address, now_ms).await?;
    let escrow_args = [arg(&escrow_config(config, feed)?), coin.address.clone(), token.address.clone(), oracle.address.clone(), config.escrow.operator.clone(), config.escrow.arbiter.clone()];
    let escrow = instantiate(chain, &mut progress, ContractName::Escrow, &escrow_args).await?;
    progress.tell("let the escrow distribute rent to holders");
    chain.submit(ContractName::Admin, &admin_account, "set_distributor", &[escrow.address.clone(), "true".into()]).await?;
    progress.tell("publish the rental offer");
    chain.submit(ContractName::Escrow, &escrow.account()?, "set_offer", &[arg(&offer(config)?)]).await?;

    Ok(Deployment {
        url: chain.url().to_string(),
        deployer: chain.signer_account().to_string(),
        deployed_at_ms: now_ms,
        contracts: Contracts { stablecoin: coin, identity_registry: registry, gpu_hour_token: token, pool_admin: admin, utilization_oracle: oracle, rental_escrow: escrow },
        feed,
        attested_gpu_hours: attestation.gpu_hours,
        attestation_hash: value::hex0x(&hash),
        reporters: config.oracle.reporters.clone(),
        operator: config.escrow.operator.clone(),
        arbiter: config.escrow.arbiter.clone(),
        investors: Vec::new(),
    })
}

async fn instantiate(chain: &Chain, progress: &mut Progress, name: ContractName, args: &[String]) -> Result<Deployed> {
    progress.tell(format!("instantiate {name}"));
    let address = chain.instantiate(name, args).await?;
    eprintln!("      {name} at {address}");
    record(chain, address, false).await
}

async fn reuse(chain: &Chain, address: &str, name: ContractName) -> Result<Deployed> {
    let address: AccountId = account(address, name.crate_name())?;
    eprintln!("      reusing {name} at {address}");
    record(chain, address, true).await
}

/// The deployment record of the contract at `address`, with the code hash the chain holds for it.
async fn record(chain: &Chain, address: AccountId, reused: bool) -> Result<Deployed> {
    let code_hash = value::hex0x(&chain.code_hash_at(&address).await?);
    Ok(Deployed { address: address.to_string(), code_hash, reused })
}

async fn create_feed(chain: &Chain, progress: &mut Progress, config: &PoolConfig, oracle: &AccountId, token: &str, now_ms: u64) -> Result<u32> {
    let o = &config.oracle;
    progress.tell(format!("create the utilization feed ({} reporters, quorum {})", o.reporters.len(), o.quorum));
    let feed_config = format!(
        "FeedConfig {{ pool_token: {token}, gpu_count: {}, genesis: {}, epoch_length: {}, report_window: {}, max_age: {}, max_wh_per_gpu_hour: {}, tolerance_bps: {} }}",
        config.pool.gpu_count,
        o.genesis_ms.unwrap_or(now_ms),
        o.epoch_length_ms,
        o.report_window_ms,
        o.max_age_ms,
        o.max_wh_per_gpu_hour,
        o.tolerance_bps,
    );
    let args = [feed_config, format!("[{}]", o.reporters.join(", ")), o.quorum.to_string()];
    let created = chain.submit(ContractName::Oracle, oracle, "create_feed", &args).await?;
    Ok(u32::try_from(value::uint(&created.value)?)?)
}

/// A contract type as a message argument in cargo-contract's notation. The types we pass this way
/// hold only numbers, strings, sequences and nested structs, whose `Debug` form is that notation
/// (`EscrowConfig { feed: 0, … }`, `[SlaTier { … }]`, `"text"`), so the argument is built from the
/// contract crate's own type and checked by the compiler, not hand-formatted.
pub fn arg(value: &impl std::fmt::Debug) -> String {
    format!("{value:?}")
}

/// The `[escrow]` section as the escrow's `EscrowConfig`, settling on `feed`.
pub fn escrow_config(config: &PoolConfig, feed: u32) -> Result<EscrowConfig> {
    let escrow = &config.escrow;
    Ok(EscrowConfig {
        feed,
        operator_fee_bps: u16::try_from(escrow.operator_fee_bps)?,
        grace_period: escrow.grace_period_ms,
        dispute_window: escrow.dispute_window_ms,
        arbitration_period: escrow.arbitration_period_ms,
    })
}

/// The `[offer]` section as the escrow's `Offer`.
pub fn offer(config: &PoolConfig) -> Result<Offer> {
    let offer = &config.offer;
    let sla = offer.sla.iter().map(|t| Ok(SlaTier { below_bps: u16::try_from(t.below_bps)?, credit_bps: u16::try_from(t.credit_bps)? })).collect::<Result<_>>()?;
    Ok(Offer {
        price_per_gpu_hour: u128::from(offer.price_per_gpu_hour),
        min_epochs: offer.min_epochs,
        max_epochs: offer.max_epochs,
        available_gpus: offer.available_gpus,
        sla,
        cancellation_fee_bps: u16::try_from(offer.cancellation_fee_bps)?,
        cancellation_notice_ms: offer.cancellation_notice_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PoolConfig {
        toml::from_str(include_str!("../pool.example.toml")).expect("the example config parses")
    }

    #[test]
    fn the_escrow_config_names_the_feed_and_no_schedule() {
        assert_eq!(arg(&escrow_config(&sample(), 3).expect("valid")), "EscrowConfig { feed: 3, operator_fee_bps: 1000, grace_period: 60000, dispute_window: 60000, arbitration_period: 86400000 }");
    }

    #[test]
    fn the_offer_carries_every_field_of_the_offer_section() {
        assert_eq!(
            arg(&offer(&sample()).expect("valid")),
            "Offer { price_per_gpu_hour: 2500000, min_epochs: 1, max_epochs: 24, available_gpus: 8, \
             sla: [SlaTier { below_bps: 9900, credit_bps: 1000 }], cancellation_fee_bps: 0, cancellation_notice_ms: 7200 }"
        );
    }
}
