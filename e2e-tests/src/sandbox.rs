//! drink helpers: a session, contract calls that decode results, and the deployed suite.
use super::{artifact, TestResult};
use drink::minimal::MinimalSandbox;
use drink::session::{ContractBundle, Session, NO_ENDOWMENT, NO_SALT};
use drink::sandbox_api::prelude::*;
use drink::AccountId32;
use ink::scale::Decode;
use std::fmt::Debug;

/// A drink session on the minimal runtime.
pub type Sandbox = Session<MinimalSandbox>;

/// A fresh in-process chain.
pub fn session() -> Sandbox {
    Session::default()
}

/// The bundle `scripts/build.sh` collected for `name`.
pub fn bundle(name: &str) -> TestResult<ContractBundle> {
    Ok(ContractBundle::load(artifact(name, "contract"))?)
}

/// Deploys `name` with `constructor(args)` from the session's current actor.
pub fn deploy(session: &mut Sandbox, name: &str, constructor: &str, args: &[String]) -> TestResult<AccountId32> {
    Ok(session.deploy_bundle(bundle(name)?, constructor, args, NO_SALT, NO_ENDOWMENT)?)
}

/// Calls `message` on `contract` and decodes its return value; a revert is an error.
pub fn call<T: Decode>(session: &mut Sandbox, contract: &AccountId32, message: &str, args: &[String]) -> TestResult<T> {
    Ok(session.call_with_address(contract.clone(), message, args, NO_ENDOWMENT)??)
}

/// Calls a message returning `Result<T, E>` and fails the test unless it is `Ok`.
pub fn call_ok<T: Decode, E: Decode + Debug>(session: &mut Sandbox, contract: &AccountId32, message: &str, args: &[String]) -> TestResult<T> {
    call::<Result<T, E>>(session, contract, message, args)?.map_err(|e| format!("{message} returned {e:?}").into())
}

/// Calls a message returning `Result<T, E>` that must revert; returns its error.
pub fn call_err<T: Decode + Debug, E: Decode + Debug>(session: &mut Sandbox, contract: &AccountId32, message: &str, args: &[String]) -> TestResult<E> {
    match session.call_with_address::<_, Result<T, E>>(contract.clone(), message, args, NO_ENDOWMENT) {
        Err(drink::session::error::SessionError::CallReverted(data)) => {
            let decoded = ink::MessageResult::<Result<T, E>>::decode(&mut &data[..])?;
            match decoded {
                Ok(Err(error)) => Ok(error),
                other => Err(format!("{message}: expected an error, got {other:?}").into()),
            }
        }
        other => Err(format!("{message}: expected a revert, got {other:?}").into()),
    }
}

/// A deterministic test account.
pub fn account(byte: u8) -> AccountId32 {
    AccountId32::new([byte; 32])
}

/// The artifacts' pool used by the tests: 8 GPUs for 30 days.
pub const POOL: &str = "PoolInfo { gpu_model: \"NVIDIA H100 SXM 80GB\", gpu_count: 8, region: \"eu-central\", \
    datacenter_tier: 3, period_start: 0, period_end: 2592000000, \
    attestation_hash: 0x0000000000000000000000000000000000000000000000000000000000000000, attestation_uri: \"\" }";

/// GPU-hours of that pool: 8 × 720.
pub const POOL_GPU_HOURS: u128 = 5_760;

/// One hour in ms: the test feed's epoch length and report window.
pub const HOUR: u64 = 3_600_000;

/// The oracle feed used by the tests: the pool's 8 GPUs, hourly epochs from time 0.
pub fn feed_config(pool_token: &AccountId32) -> String {
    format!(
        "FeedConfig {{ pool_token: {pool_token}, gpu_count: 8, genesis: 0, epoch_length: {HOUR}, report_window: {HOUR}, \
         max_age: {}, max_wh_per_gpu_hour: 1000, tolerance_bps: 1000 }}",
        2 * HOUR
    )
}

/// A report of `milli_hours` delivered at `uptime_bps`, as a transcoder argument.
pub fn report(milli_hours: u64, uptime_bps: u16) -> String {
    format!(
        "Report {{ gpu_milli_hours: {milli_hours}, utilization_bps: 9000, uptime_bps: {uptime_bps}, energy_wh: {}, avg_power_w: 700 }}",
        milli_hours / 2
    )
}

/// The three oracle reporters of the suite's feed (quorum 2).
pub fn reporters() -> [AccountId32; 3] {
    [account(31), account(32), account(33)]
}

/// The escrow of the suite: fee 10%, oracle grace 2 h, dispute window 1 h, same epochs as the feed.
pub const ESCROW_CONFIG: &str = "EscrowConfig { feed: 0, pool_gpus: 8, genesis: 0, epoch_length: 3600000, \
    operator_fee_bps: 1000, grace_period: 7200000, dispute_window: 3600000 }";

/// 2 USDC per GPU-hour, 1–24 epochs, 8 GPUs; 10% credit below 99% uptime, 30% below 95%.
pub const OFFER: &str = "Offer { price_per_gpu_hour: 2000000, min_epochs: 1, max_epochs: 24, available_gpus: 8, \
    sla: [SlaTier { below_bps: 9900, credit_bps: 1000 }, SlaTier { below_bps: 9500, credit_bps: 3000 }], cancellation_fee_bps: 500 }";

/// The escrow's operator and arbiter.
pub fn operator() -> AccountId32 {
    account(41)
}

/// The escrow's arbiter.
pub fn arbiter() -> AccountId32 {
    account(42)
}

/// A KYC record valid far into the future, as a transcoder argument.
pub fn identity(country: u16) -> String {
    format!("Identity {{ verified: true, country: {country}, kyc_expiry: 4102444800000, class: Accredited, claim_hash: None }}")
}

/// Stablecoin, identity registry and GPU-hour token deployed by the session's actor (the issuer),
/// with the pool's full capacity attested and 10^12 stablecoin units minted to the issuer.
pub struct Suite {
    pub session: Sandbox,
    pub issuer: AccountId32,
    pub coin: AccountId32,
    pub registry: AccountId32,
    pub token: AccountId32,
    pub oracle: AccountId32,
    pub escrow: AccountId32,
}

impl Suite {
    pub fn deploy() -> TestResult<Self> {
        // Room for full batches (the node allows 1.5e12 ref_time per extrinsic; drink's default is 1e11).
        let mut session = session().with_gas_limit(drink::Weight::from_parts(1_000_000_000_000, 10 * 1024 * 1024));
        let issuer = session.get_actor();
        let coin = deploy(&mut session, "stablecoin", "new", &["Some(\"USD Coin\")".into(), "Some(\"USDC\")".into()])?;
        let registry = deploy(&mut session, "identity_registry", "new", &[])?;
        let token = deploy(
            &mut session,
            "gpu_hour_token",
            "new",
            &["Some(\"H100 GPU-hour\")".into(), "Some(\"GPUH\")".into(), POOL.into(), registry.to_string(), coin.to_string()],
        )?;
        let oracle = deploy(&mut session, "utilization_oracle", "new", &[])?;
        let escrow_args = [ESCROW_CONFIG.into(), coin.to_string(), token.to_string(), oracle.to_string(), operator().to_string(), arbiter().to_string()];
        let escrow = deploy(&mut session, "rental_escrow", "new", &escrow_args)?;
        let mut suite = Self { session, issuer: issuer.clone(), coin, registry, token, oracle, escrow };
        // The story starts at time 0: epoch 0 of the feed, before any rental.
        suite.set_time(0);
        let reporter_list: Vec<String> = reporters().iter().map(|r| r.to_string()).collect();
        let feed_args = [feed_config(&suite.token), format!("[{}]", reporter_list.join(", ")), "2".into()];
        suite.oracle_ok::<u32>("create_feed", &feed_args)?;
        reporters().iter().try_for_each(|r| suite.fund(r))?;
        [operator(), arbiter()].iter().try_for_each(|r| suite.fund(r))?;
        let escrow = suite.escrow.clone();
        suite.token_ok::<()>("set_distributor", &[escrow.to_string(), "true".into()])?;
        suite.as_actor(&operator(), |s| s.escrow_ok::<()>("set_offer", &[OFFER.into()]))?;
        suite.token_ok::<()>("attest_capacity", &[POOL_GPU_HOURS.to_string(), format!("0x{}", "ab".repeat(32)), "\"ipfs://attestation\"".into()])?;
        call_ok::<(), psp22::PSP22Error>(&mut suite.session, &suite.coin.clone(), "mint", &[issuer.to_string(), "1000000000000".into()])?;
        Ok(suite)
    }

    /// Registers `investors` (country 276) in batches of the registry's maximum, and funds them for deposits.
    pub fn register(&mut self, investors: &[AccountId32]) -> TestResult {
        for chunk in investors.chunks(50) {
            let records: Vec<String> = chunk.iter().map(|who| format!("({who}, {})", identity(276))).collect();
            let registry = self.registry.clone();
            call_ok::<(), identity_registry::identity_registry::Error>(&mut self.session, &registry, "register_batch", &[format!("[{}]", records.join(", "))])?;
        }
        investors.iter().try_for_each(|who| self.fund(who))
    }

    /// Gives `who` native balance for storage deposits.
    pub fn fund(&mut self, who: &AccountId32) -> TestResult {
        self.session.sandbox().mint_into(who, 1_000_000_000_000_000).map_err(|e| format!("{e:?}"))?;
        Ok(())
    }

    /// Mints `amount` token units to each of `holders`, in batches.
    pub fn mint(&mut self, holders: &[AccountId32], amount: u128) -> TestResult {
        for chunk in holders.chunks(50) {
            let mints: Vec<String> = chunk.iter().map(|who| format!("({who}, {amount})")).collect();
            self.token_ok::<()>("batch_mint", &[format!("[{}]", mints.join(", "))])?;
            let (ref_time, proof_size) = self.last_weight();
            println!("batch_mint of {}: ref_time {ref_time}, proof_size {proof_size}", chunk.len());
        }
        Ok(())
    }

    /// Calls a token message as the current actor; fails the test unless it returns `Ok`.
    pub fn token_ok<T: Decode>(&mut self, message: &str, args: &[String]) -> TestResult<T> {
        let token = self.token.clone();
        call_ok::<T, gpu_hour_token::gpu_hour_token::Error>(&mut self.session, &token, message, args)
    }

    /// Calls a token message that must revert; returns its error.
    pub fn token_err<T: Decode + Debug>(&mut self, message: &str, args: &[String]) -> TestResult<gpu_hour_token::gpu_hour_token::Error> {
        let token = self.token.clone();
        call_err::<T, gpu_hour_token::gpu_hour_token::Error>(&mut self.session, &token, message, args)
    }

    /// Calls an oracle message as the current actor; fails the test unless it returns `Ok`.
    pub fn oracle_ok<T: Decode>(&mut self, message: &str, args: &[String]) -> TestResult<T> {
        let oracle = self.oracle.clone();
        call_ok::<T, utilization_oracle::utilization_oracle::Error>(&mut self.session, &oracle, message, args)
    }

    /// Calls an escrow message as the current actor; fails the test unless it returns `Ok`.
    pub fn escrow_ok<T: Decode>(&mut self, message: &str, args: &[String]) -> TestResult<T> {
        let escrow = self.escrow.clone();
        call_ok::<T, rental_escrow::rental_escrow::Error>(&mut self.session, &escrow, message, args)
    }

    /// Calls a stablecoin message as the current actor; fails the test unless it returns `Ok`.
    pub fn coin_ok(&mut self, message: &str, args: &[String]) -> TestResult {
        let coin = self.coin.clone();
        call_ok::<(), psp22::PSP22Error>(&mut self.session, &coin, message, args)
    }

    /// Sets the block time (ms).
    pub fn set_time(&mut self, now: u64) {
        self.session.sandbox().set_timestamp(now);
    }

    /// The suite's reporters report `epoch` of feed 0 just after it ends, with the given figures;
    /// returns the weight of each submit.
    pub fn report_epoch(&mut self, epoch: u64, reports: &[String]) -> TestResult<Vec<(u64, u64)>> {
        self.set_time((epoch + 1) * HOUR + 1);
        let mut weights = Vec::new();
        for (reporter, report) in reporters().iter().zip(reports) {
            self.as_actor(reporter, |s| s.oracle_ok::<bool>("submit", &["0".into(), epoch.to_string(), report.clone()]))?;
            weights.push(self.last_weight());
        }
        Ok(weights)
    }

    /// A PSP22 balance on `contract`.
    pub fn balance(&mut self, contract: &AccountId32, who: &AccountId32) -> TestResult<u128> {
        call(&mut self.session, contract, "PSP22::balance_of", &[who.to_string()])
    }

    /// Runs `f` with `actor` as the caller, then restores the issuer.
    pub fn as_actor<T>(&mut self, actor: &AccountId32, f: impl FnOnce(&mut Self) -> TestResult<T>) -> TestResult<T> {
        self.session.set_actor(actor.clone());
        let result = f(self);
        self.session.set_actor(self.issuer.clone());
        result
    }

    /// ref_time and proof_size of the last call.
    pub fn last_weight(&self) -> (u64, u64) {
        let weight = self.session.record().last_call_result().gas_consumed;
        (weight.ref_time(), weight.proof_size())
    }
}

/// Storage deposit of the session's last call: charged (positive) or refunded (negative).
pub fn deposit(session: &Sandbox) -> i128 {
    use drink::pallet_contracts::StorageDeposit;
    match session.record().last_call_result().storage_deposit {
        StorageDeposit::Charge(amount) => i128::try_from(amount).unwrap_or(i128::MAX),
        StorageDeposit::Refund(amount) => i128::try_from(amount).map_or(i128::MIN, |a| -a),
    }
}
