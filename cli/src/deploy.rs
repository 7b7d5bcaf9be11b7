//! `deploy-pool`: upload, instantiate (or reuse), wire and attest a pool from `pool.toml`.
use crate::chain::{account, AccountId, Chain};
use crate::config::{hash32, PoolConfig};
use crate::deployment::{ContractName, Contracts, Deployed, Deployment};
use crate::value;
use anyhow::{anyhow, bail, Result};
use credit_vault::credit_vault::Links;
use gpu_hour_token::pool::PoolInfo;
use identity_registry::registry::{Identity, InvestorClass};
use rental_escrow::escrow::{EscrowConfig, Offer, SlaTier};
use utilization_oracle::oracle::FeedConfig;

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
        .chain(config.vault.as_ref().map(|_| ContractName::Vault))
        .chain(config.market.as_ref().map(|_| ContractName::Market))
        .collect();
    // Uploads (and each front's logic code) and instantiations, then the admin hand-over, binding,
    // capacity, yield period, feed, distributor and offer (and the compliance rules, and the
    // vault's custodian record).
    let fronts = uploads.iter().filter(|name| name.has_front()).count();
    let optional_steps = usize::from(config.vault.is_some()) + usize::from(config.compliance.is_some());
    let mut progress = Progress::new(uploads.len() * 2 + fronts + 7 + optional_steps);
    for name in &uploads {
        progress.tell(format!("upload {name} code"));
        chain.upload(*name).await?;
    }

    let coin = match reuse_coin {
        Some(address) => reuse(chain, address, ContractName::Stablecoin).await?,
        None => {
            let (name, symbol) = (config.stablecoin.name.as_deref().unwrap_or_default(), config.stablecoin.symbol.as_deref().unwrap_or_default());
            let args = [arg(&Some(name)), arg(&Some(symbol))];
            instantiate(chain, &mut progress, ContractName::Stablecoin, &args).await?
        }
    };
    let registry = match reuse_registry {
        Some(address) => reuse(chain, address, ContractName::Registry).await?,
        None => instantiate(chain, &mut progress, ContractName::Registry, &[]).await?,
    };
    let pool_info = arg(&pool_info(config, now_ms)?);
    let token_args = [
        arg(&Some(&config.token.name)),
        arg(&Some(&config.token.symbol)),
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
    let attest_args = [attestation.gpu_hours.to_string(), value::hex0x(&hash), arg(&attestation.document_uri)];
    chain.submit(ContractName::Admin, &admin_account, "attest_capacity", &attest_args).await?;
    let period = config.token.yield_period_ms;
    progress.tell(format!("stream each yield distribution over {period} ms"));
    chain.submit(ContractName::Admin, &admin_account, "set_yield_period", &[period.to_string()]).await?;
    if let Some(rules) = &config.compliance {
        progress.tell("set the token's compliance rules");
        chain.submit(ContractName::Admin, &admin_account, "set_compliance", &[arg(rules)]).await?;
    }

    let oracle = instantiate(chain, &mut progress, ContractName::Oracle, &[]).await?;
    // The escrow reads its epoch schedule and GPU count from this feed, so the feed comes first.
    let feed = create_feed(chain, &mut progress, config, &oracle.account()?, &token.address, now_ms).await?;
    let escrow_args = [arg(&escrow_config(config, feed)?), coin.address.clone(), token.address.clone(), oracle.address.clone(), config.escrow.operator.clone(), config.escrow.arbiter.clone()];
    let escrow = instantiate(chain, &mut progress, ContractName::Escrow, &escrow_args).await?;
    progress.tell("let the escrow distribute rent to holders");
    chain.submit(ContractName::Admin, &admin_account, "set_distributor", &[escrow.address.clone(), "true".into()]).await?;
    progress.tell("publish the rental offer");
    chain.submit(ContractName::Escrow, &escrow.account()?, "set_offer", &[arg(&offer(config)?)]).await?;
    let credit_vault = match &config.vault {
        Some(section) => {
            let links = Links { token: token.account()?.0.into(), stablecoin: coin.account()?.0.into(), oracle: oracle.account()?.0.into(), feed, escrow: escrow.account()?.0.into() };
            let vault = instantiate(chain, &mut progress, ContractName::Vault, &[arg(&section.params), arg(&links)]).await?;
            // The vault holds tokens for its borrowers: the registry records it as a custodian, so
            // the token's compliance lets collateral in and out like any verified holder's.
            progress.tell("register the vault in the identity registry as a custodian");
            // Its record lasts a year past the tokenization period: after it the vault must still
            // claim yield, return collateral and write off what is left (an unverified vault could
            // do none of it); a registry agent renews it if unwinding takes longer.
            let kyc_expiry = config.period(now_ms).1.saturating_add(VAULT_UNWIND_MS);
            let identity = Identity { verified: true, country: section.country, kyc_expiry, class: InvestorClass::Custodian, claim_hash: None };
            chain.submit(ContractName::Registry, &registry.account()?, "register", &[vault.address.clone(), arg(&identity)]).await?;
            Some(vault)
        }
        None => None,
    };
    // The market holds nothing (makers approve it; fills move both legs at once), so it needs
    // no identity: the token's compliance judges the two parties of every trade.
    let gpu_market = match &config.market {
        Some(section) => {
            let args = [token.address.clone(), coin.address.clone(), oracle.address.clone(), feed.to_string(), section.fee_bps.to_string(), config.escrow.operator.clone()];
            Some(instantiate(chain, &mut progress, ContractName::Market, &args).await?)
        }
        None => None,
    };

    Ok(Deployment {
        url: chain.url().to_string(),
        deployer: chain.signer_account().to_string(),
        deployed_at_ms: now_ms,
        contracts: Contracts {
            stablecoin: coin,
            identity_registry: registry,
            gpu_hour_token: token,
            pool_admin: admin,
            utilization_oracle: oracle,
            rental_escrow: escrow,
            credit_vault: credit_vault.clone(),
            gpu_market,
        },
        token_logic: None,
        feed,
        attested_gpu_hours: attestation.gpu_hours,
        attestation_hash: value::hex0x(&hash),
        reporters: config.oracle.reporters.clone(),
        operator: config.escrow.operator.clone(),
        arbiter: config.escrow.arbiter.clone(),
        // The vault holds tokens for its borrowers: a holder the audit must know by name.
        investors: credit_vault.iter().map(|vault| vault.address.clone()).collect(),
    })
}

/// How long past the tokenization period the vault's custodian record stays verified (366 days).
pub const VAULT_UNWIND_MS: u64 = 366 * 24 * 3_600_000;

/// Instantiates `name` with `args`; a contract deployed as a front first gets its logic code
/// uploaded and its hash as the constructor's last argument, recorded beside its own.
async fn instantiate(chain: &Chain, progress: &mut Progress, name: ContractName, args: &[String]) -> Result<Deployed> {
    let mut args = args.to_vec();
    let logic = if name.has_front() {
        progress.tell(format!("upload {name}_logic code (what {name}'s front runs by delegate call)"));
        let logic = value::hex0x(&chain.upload_logic(name).await?);
        args.push(logic.clone());
        Some(logic)
    } else {
        None
    };
    progress.tell(format!("instantiate {name}"));
    let address = chain.instantiate(name, &args).await?;
    eprintln!("      {name} at {address}");
    Ok(Deployed { logic, ..record(chain, address, false).await? })
}

async fn reuse(chain: &Chain, address: &str, name: ContractName) -> Result<Deployed> {
    let address: AccountId = account(address, name.crate_name())?;
    eprintln!("      reusing {name} at {address}");
    record(chain, address, true).await
}

/// The deployment record of the contract at `address`, with the code hash the chain holds for it.
async fn record(chain: &Chain, address: AccountId, reused: bool) -> Result<Deployed> {
    let code_hash = value::hex0x(&chain.code_hash_at(&address).await?);
    Ok(Deployed { address: address.to_string(), code_hash, logic: None, reused })
}

async fn create_feed(chain: &Chain, progress: &mut Progress, config: &PoolConfig, oracle: &AccountId, token: &str, now_ms: u64) -> Result<u32> {
    let o = &config.oracle;
    progress.tell(format!("create the utilization feed ({} reporters, quorum {})", o.reporters.len(), o.quorum));
    let feed_config = arg(&feed_config(config, account(token, "token")?, now_ms)?);
    let args = [feed_config, format!("[{}]", o.reporters.join(", ")), o.quorum.to_string()];
    let created = chain.submit(ContractName::Oracle, oracle, "create_feed", &args).await?;
    Ok(u32::try_from(value::uint(&created.value)?)?)
}

/// A contract type as a message argument in cargo-contract's notation, so every argument is built
/// from the contract crate's own type and checked by the compiler, not hand-formatted. A struct's
/// `Debug` form is that notation (`EscrowConfig { feed: 0, … }`, `[SlaTier { … }]`, `"text"`,
/// `[0, 1, …]` for byte arrays) except for accounts, which `Debug` shows as
/// `AccountId([…32 bytes…])`: those become 0x-hex, which the transcoder takes for an account.
pub fn arg(value: &impl std::fmt::Debug) -> String {
    let text = format!("{value:?}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("AccountId([") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "AccountId([".len()..];
        let Some(end) = after.find("])") else {
            out.push_str(&rest[at..]);
            return out;
        };
        let bytes: Option<Vec<u8>> = after[..end].split(", ").map(|byte| byte.parse().ok()).collect();
        match bytes {
            Some(bytes) if bytes.len() == 32 => out.push_str(&value::hex0x(&bytes)),
            _ => out.push_str(&rest[at..at + "AccountId([".len() + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The `[pool]` section as the token's `PoolInfo` (the attestation comes later, from the pool admin).
pub fn pool_info(config: &PoolConfig, now_ms: u64) -> Result<PoolInfo> {
    let (period_start, period_end) = config.period(now_ms);
    let pool = &config.pool;
    Ok(PoolInfo {
        gpu_model: pool.gpu_model.clone(),
        gpu_count: pool.gpu_count,
        region: pool.region.clone(),
        datacenter_tier: pool.datacenter_tier,
        period_start,
        period_end,
        attestation_hash: [0; 32],
        attestation_uri: String::new(),
    })
}

/// The `[oracle]` section as the oracle's `FeedConfig` for `token`'s pool.
pub fn feed_config(config: &PoolConfig, token: AccountId, now_ms: u64) -> Result<FeedConfig> {
    let o = &config.oracle;
    Ok(FeedConfig {
        pool_token: <ink_env::DefaultEnvironment as ink_env::Environment>::AccountId::from(token.0),
        gpu_count: config.pool.gpu_count,
        genesis: o.genesis_ms.unwrap_or(now_ms),
        epoch_length: o.epoch_length_ms,
        report_window: o.report_window_ms,
        max_age: o.max_age_ms,
        max_wh_per_gpu_hour: o.max_wh_per_gpu_hour,
        tolerance_bps: u16::try_from(o.tolerance_bps)?,
    })
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
        kink_gpus: offer.kink_gpus,
        slope_below: u128::from(offer.slope_below),
        slope_above: u128::from(offer.slope_above),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PoolConfig {
        toml::from_str(include_str!("../pool.example.toml")).expect("the example config parses")
    }

    /// Every typed argument transcodes with the contract's own metadata, as `deploy-pool` sends it.
    #[test]
    fn typed_arguments_transcode_with_the_contracts_metadata() {
        use contract_extrinsics::ContractMessageTranscoder;
        let dir = std::env::var("COMPUTE_RWA_ARTIFACTS").expect("COMPUTE_RWA_ARTIFACTS: the built contracts (scripts/build.sh)");
        let load = |name: &str| ContractMessageTranscoder::load(format!("{dir}/{name}/{name}.json")).expect("metadata");
        let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
        let config = sample();
        let pool = arg(&pool_info(&config, 7).expect("valid"));
        load("gpu_hour_token").encode("new", ["None", "None", pool.as_str(), alice, alice, "0x07"]).expect("PoolInfo transcodes");
        let feed = arg(&feed_config(&config, account(alice, "token").expect("ss58"), 7).expect("valid"));
        assert!(feed.starts_with("FeedConfig { pool_token: 0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d, gpu_count: 8, genesis: 7,"), "{feed}");
        load("utilization_oracle").encode("create_feed", [feed.as_str(), "[]", "2"]).expect("FeedConfig transcodes");
        let escrow = load("rental_escrow");
        escrow.encode("new", [arg(&escrow_config(&config, 0).expect("valid")).as_str(), alice, alice, alice, alice, alice, "0x07"]).expect("EscrowConfig transcodes");
        escrow.encode("set_offer", [arg(&offer(&config).expect("valid"))]).expect("Offer transcodes");
        let rules = config.compliance.as_ref().expect("the example sets compliance rules");
        load("pool_admin").encode("set_compliance", [arg(rules)]).expect("ComplianceRules transcodes");
    }

    #[test]
    fn the_compliance_section_is_the_contracts_rules_with_absent_modules_off() {
        let rules = sample().compliance.expect("the example sets compliance rules");
        let expected = compute_rwa_common::ComplianceRules {
            blocked_countries: vec![408],
            transfer_limit: 1_500_000_000,
            transfer_window: 86_400_000,
            ..Default::default()
        };
        assert_eq!(rules, expected);
        let partial: PoolConfig = toml::from_str(&include_str!("../pool.example.toml").replace("allowed_classes = 0", "").replace("lockup = 0 ", "#"))
            .expect("modules may be left out");
        assert_eq!(partial.compliance, Some(expected));
        let typo = include_str!("../pool.example.toml").replace("lockup = 0 ", "lock_up = 0 ");
        assert!(toml::from_str::<PoolConfig>(&typo).is_err(), "an unknown rule is an error, not a module left off");
        let unbounded = PoolConfig { compliance: Some(compute_rwa_common::ComplianceRules { transfer_limit: 1, ..Default::default() }), ..sample() };
        assert_eq!(unbounded.problems().iter().map(|p| p.field.as_str()).collect::<Vec<_>>(), vec!["compliance"]);
    }

    #[test]
    fn the_escrow_config_names_the_feed_and_no_schedule() {
        assert_eq!(arg(&escrow_config(&sample(), 3).expect("valid")), "EscrowConfig { feed: 3, operator_fee_bps: 1000, grace_period: 60000, dispute_window: 120000, arbitration_period: 86400000 }");
    }

    #[test]
    fn the_offer_carries_every_field_of_the_offer_section() {
        assert_eq!(
            arg(&offer(&sample()).expect("valid")),
            "Offer { price_per_gpu_hour: 2500000, min_epochs: 1, max_epochs: 24, available_gpus: 8, \
             sla: [SlaTier { below_bps: 9900, credit_bps: 1000 }], cancellation_fee_bps: 500, cancellation_notice_ms: 7200, \
             kink_gpus: 6, slope_below: 100000, slope_above: 500000 }"
        );
    }
}
