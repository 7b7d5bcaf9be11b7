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

/// Calls a message returning `Result<T, E>` and returns that result, `Ok` or `Err` (an `Err`
/// reverts the call, so it is decoded from the revert data).
pub fn call_result<T: Decode, E: Decode>(session: &mut Sandbox, contract: &AccountId32, message: &str, args: &[String]) -> TestResult<Result<T, E>> {
    match session.call_with_address::<_, Result<T, E>>(contract.clone(), message, args, NO_ENDOWMENT) {
        Ok(result) => Ok(result?),
        Err(drink::session::error::SessionError::CallReverted(data)) => match ink::MessageResult::<Result<T, E>>::decode(&mut &data[..])? {
            Ok(result) => Ok(result),
            Err(error) => Err(format!("{message}: {error:?}").into()),
        },
        Err(error) => Err(error.into()),
    }
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

/// The ink! account id of a drink account (for comparing with decoded contract values).
pub fn ink_id(account: &AccountId32) -> ink::primitives::AccountId {
    ink::primitives::AccountId::from(<[u8; 32]>::from(account.clone()))
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

/// The three oracle reporters of the suite's feed (quorum 2): an epoch finalizes at once when
/// all three have reported, or on 2 of 3 once its report window (one hour) has closed.
pub fn reporters() -> [AccountId32; 3] {
    [account(31), account(32), account(33)]
}

/// The escrow of the suite: fee 10%, oracle grace 2 h (at least the feed's 1 h report window),
/// dispute window 1 h. Its epochs and GPUs come from the feed.
pub const ESCROW_CONFIG: &str = "EscrowConfig { feed: 0, operator_fee_bps: 1000, grace_period: 7200000, dispute_window: 3600000, arbitration_period: 86400000 }";

/// An escrow config on `feed` with the suite's fee and dispute window and the given grace period.
pub fn escrow_config(feed: u32, grace_period: u64) -> String {
    format!("EscrowConfig {{ feed: {feed}, operator_fee_bps: 1000, grace_period: {grace_period}, dispute_window: 3600000, arbitration_period: 86400000 }}")
}

/// 2 USDC per GPU-hour (flat), 1–24 epochs, 8 GPUs; 10% credit below 99% uptime, 30% below 95%;
/// 5% cancellation fee after the start or with under an hour's notice.
pub const OFFER: &str = "Offer { price_per_gpu_hour: 2000000, min_epochs: 1, max_epochs: 24, available_gpus: 8, \
    sla: [SlaTier { below_bps: 9900, credit_bps: 1000 }, SlaTier { below_bps: 9500, credit_bps: 3000 }], cancellation_fee_bps: 500, \
    cancellation_notice_ms: 3600000, kink_gpus: 0, slope_below: 0, slope_above: 0 }";

/// `max_deposit` accepting any deposit (`open`, `extend`).
pub const ANY_DEPOSIT: &str = "340282366920938463463374607431768211455";

/// Release period the suite sets on the token: each distribution streams to holders over an hour.
pub const YIELD_PERIOD: u64 = HOUR;

/// The escrow's operator.
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

/// The whole suite, deployed by the session's actor (the issuer) at block time 0:
/// - stablecoin (10^12 units minted to the issuer), identity registry;
/// - GPU-hour token for [`POOL`], bound to the registry, driven by its `pool_admin` (owned by
///   the issuer), its full capacity attested, yield streamed over [`YIELD_PERIOD`];
/// - oracle with feed 0 ([`feed_config`]: 8 GPUs, hourly epochs from 0, report window 1 h,
///   max age 2 h), reporters [`reporters`] with quorum 2;
/// - escrow on feed 0 ([`ESCROW_CONFIG`]), operator [`operator`], arbiter [`arbiter`], offer [`OFFER`],
///   allowed to distribute on the token (as is the issuer).
///
/// Reporters, operator and arbiter have native balance for storage deposits.
pub struct Suite {
    pub session: Sandbox,
    pub issuer: AccountId32,
    pub coin: AccountId32,
    pub registry: AccountId32,
    pub token: AccountId32,
    pub admin: AccountId32,
    pub oracle: AccountId32,
    pub escrow: AccountId32,
    /// The code hash (0x-hex, a constructor argument) of the token's full build, uploaded once:
    /// every token's front runs it by delegate call for all but PSP22.
    pub token_logic: String,
    /// The code hash (0x-hex) of the escrow's full build, which its front runs for all but
    /// settlements, withdrawals and the vault's reads.
    pub escrow_logic: String,
}

impl Suite {
    pub fn deploy() -> TestResult<Self> {
        // Room for full batches (the node allows 1.5e12 ref_time per extrinsic; drink's default is 1e11).
        let mut session = session().with_gas_limit(drink::Weight::from_parts(1_000_000_000_000, 10 * 1024 * 1024));
        // The story starts at time 0: epoch 0 of the feed, before any rental.
        session.sandbox().set_timestamp(0);
        let issuer = session.get_actor();
        let coin = deploy(&mut session, "stablecoin", "new", &["Some(\"USD Coin\")".into(), "Some(\"USDC\")".into()])?;
        let registry = deploy(&mut session, "identity_registry", "new", &[])?;
        // The token's front runs the token's full build by delegate call for all but PSP22.
        let token_logic = upload_logic(&mut session, "gpu_hour_token")?;
        let token = deploy(
            &mut session,
            "gpu_hour_token",
            "new",
            &["Some(\"H100 GPU-hour\")".into(), "Some(\"GPUH\")".into(), POOL.into(), registry.to_string(), coin.to_string(), token_logic.clone()],
        )?;
        // The token's companion holds the roles and records; the deployer hands it the admin role.
        let admin = deploy(&mut session, "pool_admin", "new", &[token.to_string()])?;
        call_ok::<Vec<(u128, u128)>, compute_rwa_common::TokenError>(&mut session, &token, "TokenAdmin::admin", &[format!("[SetAdmin({admin})]")])?;
        call_ok::<(), pool_admin::pool_admin::Error>(&mut session, &admin, "take_over", &[])?;
        // The registry pushes every identity change to the token it binds.
        call_ok::<(), identity_registry::identity_registry::Error>(&mut session, &registry, "bind_token", &[token.to_string()])?;
        // The escrow reads its epoch schedule from the feed: oracle and feed come first.
        let oracle_logic = upload_logic(&mut session, "utilization_oracle")?;
        let oracle = deploy(&mut session, "utilization_oracle", "new", &[oracle_logic])?;
        let reporter_list: Vec<String> = reporters().iter().map(|r| r.to_string()).collect();
        let feed_args = [feed_config(&token), format!("[{}]", reporter_list.join(", ")), "2".into()];
        call_ok::<u32, utilization_oracle::utilization_oracle::Error>(&mut session, &oracle, "create_feed", &feed_args)?;
        let escrow_logic = upload_logic(&mut session, "rental_escrow")?;
        let escrow_args = [ESCROW_CONFIG.into(), coin.to_string(), token.to_string(), oracle.to_string(), operator().to_string(), arbiter().to_string(), escrow_logic.clone()];
        let escrow = deploy(&mut session, "rental_escrow", "new", &escrow_args)?;
        let mut suite = Self { session, issuer: issuer.clone(), coin, registry, token, admin, oracle, escrow, token_logic, escrow_logic };
        reporters().iter().try_for_each(|r| suite.fund(r))?;
        [operator(), arbiter()].iter().try_for_each(|r| suite.fund(r))?;
        let escrow = suite.escrow.clone();
        suite.admin_ok::<()>("set_distributor", &[escrow.to_string(), "true".into()])?;
        // The issuer may also hand yield to holders directly (rent collected off chain).
        suite.admin_ok::<()>("set_distributor", &[issuer.to_string(), "true".into()])?;
        suite.admin_ok::<()>("set_yield_period", &[YIELD_PERIOD.to_string()])?;
        suite.as_actor(&operator(), |s| s.escrow_ok::<()>("set_offer", &[OFFER.into()]))?;
        suite.admin_ok::<()>("attest_capacity", &[POOL_GPU_HOURS.to_string(), format!("0x{}", "ab".repeat(32)), "\"ipfs://attestation\"".into()])?;
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
            self.admin_ok::<()>("batch_mint", &[format!("[{}]", mints.join(", "))])?;
            let (ref_time, proof_size) = self.last_weight();
            println!("batch_mint of {}: ref_time {ref_time}, proof_size {proof_size}", chunk.len());
        }
        Ok(())
    }

    /// Calls a token message as the current actor; fails the test unless it returns `Ok`.
    pub fn token_ok<T: Decode>(&mut self, message: &str, args: &[String]) -> TestResult<T> {
        let token = self.token.clone();
        call_ok::<T, gpu_hour_token::token::TokenError>(&mut self.session, &token, message, args)
    }

    /// Calls a token message that must revert; returns its error.
    pub fn token_err<T: Decode + Debug>(&mut self, message: &str, args: &[String]) -> TestResult<gpu_hour_token::token::TokenError> {
        let token = self.token.clone();
        call_err::<T, gpu_hour_token::token::TokenError>(&mut self.session, &token, message, args)
    }

    /// Calls a pool-admin message as the current actor; fails the test unless it returns `Ok`.
    pub fn admin_ok<T: Decode>(&mut self, message: &str, args: &[String]) -> TestResult<T> {
        let admin = self.admin.clone();
        call_ok::<T, pool_admin::pool_admin::Error>(&mut self.session, &admin, message, args)
    }

    /// Calls a pool-admin message that must revert; returns its error.
    pub fn admin_err<T: Decode + Debug>(&mut self, message: &str, args: &[String]) -> TestResult<pool_admin::pool_admin::Error> {
        let admin = self.admin.clone();
        call_err::<T, pool_admin::pool_admin::Error>(&mut self.session, &admin, message, args)
    }

    /// The token's `state()` as of now.
    pub fn token_state(&mut self) -> TestResult<gpu_hour_token::gpu_hour_token::TokenState> {
        let token = self.token.clone();
        call(&mut self.session, &token, "state", &[])
    }

    /// What the token keeps about `who` as of now (`holding`).
    pub fn holding(&mut self, who: &AccountId32) -> TestResult<gpu_hour_token::gpu_hour_token::Holding> {
        self.token_ok("holding", &[who.to_string()])
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

    /// Calls an oracle message that must revert; returns its error.
    pub fn oracle_err<T: Decode + Debug>(&mut self, message: &str, args: &[String]) -> TestResult<utilization_oracle::utilization_oracle::Error> {
        let oracle = self.oracle.clone();
        call_err::<T, utilization_oracle::utilization_oracle::Error>(&mut self.session, &oracle, message, args)
    }

    /// Calls an escrow message that must revert; returns its error.
    pub fn escrow_err<T: Decode + Debug>(&mut self, message: &str, args: &[String]) -> TestResult<rental_escrow::rental_escrow::Error> {
        let escrow = self.escrow.clone();
        call_err::<T, rental_escrow::rental_escrow::Error>(&mut self.session, &escrow, message, args)
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

    /// The block time (ms).
    pub fn now(&mut self) -> u64 {
        self.session.sandbox().get_timestamp()
    }

    /// Moves the block time `ms` forward.
    pub fn advance(&mut self, ms: u64) {
        let now = self.now();
        self.set_time(now + ms);
    }

    /// Moves the block time one [`YIELD_PERIOD`] forward: every distribution made up to now has
    /// then been released to holders in full, so claims are exact to the unit.
    pub fn pass_yield_period(&mut self) {
        self.advance(YIELD_PERIOD);
    }

    /// The suite's reporters report `epoch` of feed 0 just after it ends, the first with the first
    /// report and so on (fewer reports than reporters leave the epoch pending until its report
    /// window closes; all three finalize it); returns the weight of each submit.
    pub fn report_epoch(&mut self, epoch: u64, reports: &[String]) -> TestResult<Vec<(u64, u64)>> {
        self.set_time((epoch + 1) * HOUR + 1);
        let mut weights = Vec::new();
        for (reporter, report) in reporters().iter().zip(reports) {
            self.as_actor(reporter, |s| s.oracle_ok::<bool>("submit", &["0".into(), epoch.to_string(), report.clone()]))?;
            weights.push(self.last_weight());
        }
        Ok(weights)
    }

    /// All three reporters report `epoch` with the same figures just after it ends: the last
    /// report finalizes it.
    pub fn report_all(&mut self, epoch: u64, report: &str) -> TestResult<Vec<(u64, u64)>> {
        self.report_epoch(epoch, &[report.to_string(), report.to_string(), report.to_string()])
    }

    /// When the report window of `epoch` closes (ms): from then on 2 of 3 reports finalize it.
    pub fn window_close(epoch: u64) -> u64 {
        (epoch + 1) * HOUR + HOUR
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

/// The credit vault of the drink tests and the campaign: LTV 50%, liquidation at 70%, haircut 20%, close factor 50%, bonus 5%, 2% + 8% to the 80% kink
/// + 100% above, four trailing epochs, rent projected over at most 400 of them (the most: 100 ×).
pub const VAULT_PARAMS: &str = "Params { ltv_bps: 5000, liquidation_threshold_bps: 7000, haircut_bps: 2000, close_factor_bps: 5000, \
    liquidation_bonus_bps: 500, base_rate_bps: 200, slope1_bps: 800, slope2_bps: 10000, kink_bps: 8000, trailing_epochs: 4, \
    horizon_epochs: 400 }";

/// Deploys a credit vault on the suite's token, stablecoin, oracle feed 0 and escrow, registered
/// as a custodian so the token lets it hold collateral.
pub fn deploy_vault(suite: &mut Suite) -> TestResult<AccountId32> {
    let links = format!(
        "Links {{ token: {}, stablecoin: {}, oracle: {}, feed: 0, escrow: {} }}",
        suite.token, suite.coin, suite.oracle, suite.escrow
    );
    let logic = upload_logic(&mut suite.session, "credit_vault")?;
    let vault = deploy(&mut suite.session, "credit_vault", "new", &[VAULT_PARAMS.into(), links, logic])?;
    // The registry accepts the vault as a custodian, so the token lets it hold collateral.
    let identity = "Identity { verified: true, country: 276, kyc_expiry: 4102444800000, class: Custodian, claim_hash: None }";
    let registry = suite.registry.clone();
    call_ok::<(), identity_registry::identity_registry::Error>(&mut suite.session, &registry, "register", &[vault.to_string(), identity.into()])?;
    Ok(vault)
}

/// Uploads `<name>_logic`, the full build a front runs by delegate call (scripts/env.sh
/// `build_contract`), and returns its code hash as 0x-hex, the front's constructor argument
/// (uploading it again answers the same hash).
pub fn upload_logic(session: &mut Sandbox, name: &str) -> TestResult<String> {
    Ok(format!("{:?}", session.upload_bundle(bundle(&format!("{name}_logic"))?)?))
}

/// Checks that the contract at `address` runs `name`'s front over `<name>_logic`: `logic()`
/// answers the full build's code hash (uploading it again names the same code); both builds come
/// from one source, so they share the storage layout, the interface and the types (what clients
/// and wallets read), and the front is the smaller; and the chain refuses to
/// remove the logic code while the contract depends on it, whoever asks, its `uploader` included
/// (review 13: a removal would have stopped every forwarded message). Returns the logic's code
/// hash as 0x-hex, as `delegate_calls` names it.
pub fn assert_front(session: &mut Sandbox, name: &str, address: &AccountId32, uploader: AccountId32) -> TestResult<String> {
    use drink::Sandbox as _;
    let uploaded = session.upload_bundle(bundle(&format!("{name}_logic"))?)?;
    let logic: ink::primitives::Hash = call(session, address, "logic", &[])?;
    assert_eq!(logic.as_ref(), uploaded.as_bytes(), "{name}: logic() names the uploaded full build");
    let metadata = |name: &str| -> TestResult<serde_json::Value> { Ok(serde_json::from_str(&std::fs::read_to_string(artifact(name, "json"))?)?) };
    let (front, full) = (metadata(name)?, metadata(&format!("{name}_logic"))?);
    for section in ["storage", "spec", "types"] {
        assert_eq!(front[section], full[section], "{name} {section}: the front and its logic code must agree");
    }
    assert_ne!(front["source"]["hash"], full["source"]["hash"], "{name}: two builds");
    let size = |name: &str| std::fs::metadata(artifact(name, "wasm")).map(|m| m.len());
    assert!(size(name)? < size(&format!("{name}_logic"))?, "{name}: the front is the smaller (each one's bytes: contracts/size-budgets.txt)");
    let removed = session.sandbox().execute_with(|| {
        let origin = drink::minimal::MinimalSandbox::convert_account_to_origin(uploader);
        drink::pallet_contracts::Pallet::<drink::minimal::MinimalSandboxRuntime>::remove_code(origin, uploaded)
    });
    assert_eq!(removed.map_err(|e| e.error), Err(drink::pallet_contracts::Error::<drink::minimal::MinimalSandboxRuntime>::CodeInUse.into()), "{name}: logic locked");
    Ok(format!("{uploaded:?}"))
}

/// Storage deposit of the session's last call: charged (positive) or refunded (negative).
pub fn deposit(session: &Sandbox) -> i128 {
    use drink::pallet_contracts::StorageDeposit;
    match session.record().last_call_result().storage_deposit {
        StorageDeposit::Charge(amount) => i128::try_from(amount).unwrap_or(i128::MAX),
        StorageDeposit::Refund(amount) => i128::try_from(amount).map_or(i128::MIN, |a| -a),
    }
}

/// Instantiates `name` with `constructor(args)`, which must refuse; returns the constructor's
/// error (`E` is the `Err` of its `Result<Self, E>`).
pub fn deploy_err<E: Decode + Debug>(session: &mut Sandbox, name: &str, constructor: &str, args: &[String]) -> TestResult<E> {
    match session.deploy_bundle(bundle(name)?, constructor, args, NO_SALT, NO_ENDOWMENT) {
        Err(drink::session::error::SessionError::DeploymentReverted) => {}
        other => return Err(format!("{name}::{constructor}: expected a revert, got {other:?}").into()),
    }
    let result = session.record().last_deploy_result().result.as_ref().map_err(|e| format!("{e:?}"))?;
    match ink::ConstructorResult::<Result<(), E>>::decode(&mut &result.result.data[..])? {
        Ok(Err(error)) => Ok(error),
        other => Err(format!("{name}::{constructor}: expected an error, got {other:?}").into()),
    }
}

/// Events of type `E` that `contract` emitted during the session's last call, in order
/// (matched by `E`'s signature topic, decoded from the event data).
pub fn emitted<E: ink::env::Event + Decode>(session: &Sandbox, contract: &AccountId32) -> TestResult<Vec<E>> {
    let signature = E::SIGNATURE_TOPIC.ok_or("anonymous events have no signature topic")?;
    let mut events = Vec::new();
    for record in session.record().last_event_batch().all_events() {
        if let drink::minimal::RuntimeEvent::Contracts(drink::pallet_contracts::Event::ContractEmitted { contract: emitter, data }) = &record.event {
            if emitter == contract && record.topics.first().map(|topic| topic.as_ref()) == Some(&signature[..]) {
                events.push(E::decode(&mut &data[..])?);
            }
        }
    }
    Ok(events)
}

/// Every contract the session's last call reached (pallet-contracts' `Called` events, emitted
/// as each call ends: cross-contract calls before the call that made them).
pub fn contracts_called(session: &Sandbox) -> Vec<AccountId32> {
    contracts_events(session, |event| match event {
        drink::pallet_contracts::Event::Called { contract, .. } => Some(contract.clone()),
        _ => None,
    })
}

/// The delegate calls of the session's last call: (the contract whose storage the code ran in,
/// the code's hash as 0x-hex, as `Suite::token_logic`).
pub fn delegate_calls(session: &Sandbox) -> Vec<(AccountId32, String)> {
    contracts_events(session, |event| match event {
        drink::pallet_contracts::Event::DelegateCalled { contract, code_hash } => Some((contract.clone(), format!("{code_hash:?}"))),
        _ => None,
    })
}

/// The code hashes (0x-hex) the session's last call ran by delegate call on `contract`'s storage.
pub fn delegate_calls_at(session: &Sandbox, contract: &AccountId32) -> Vec<String> {
    delegate_calls(session).into_iter().filter(|(at, _)| at == contract).map(|(_, code)| code).collect()
}

/// What `pick` takes from each pallet-contracts event of the session's last call.
fn contracts_events<T>(session: &Sandbox, pick: impl Fn(&drink::pallet_contracts::Event<drink::minimal::MinimalSandboxRuntime>) -> Option<T>) -> Vec<T> {
    session
        .record()
        .last_event_batch()
        .all_events()
        .into_iter()
        .filter_map(|record| match &record.event {
            drink::minimal::RuntimeEvent::Contracts(event) => pick(event),
            _ => None,
        })
        .collect()
}
