//! ink_e2e helpers for a running substrate-contracts-node.
use super::{artifact, TestResult};
use gpu_hour_token::gpu_hour_token::{GpuHourToken, GpuHourTokenRef};
use gpu_hour_token::pool::PoolInfo;
use identity_registry::identity_registry::{IdentityRegistry, IdentityRegistryRef};
use pool_admin::pool_admin::{PoolAdmin, PoolAdminRef};
use ink::codegen::ContractCallBuilder;
use ink::env::DefaultEnvironment;
use ink::primitives::AccountId;
use ink_e2e::{ChainBackend, Client, PolkadotConfig, RpcClient};
use rental_escrow::escrow::EscrowConfig;
use rental_escrow::rental_escrow::{RentalEscrow, RentalEscrowRef};
use stablecoin::stablecoin::{Stablecoin, StablecoinRef};
use utilization_oracle::oracle::FeedConfig;
use utilization_oracle::utilization_oracle::{UtilizationOracle, UtilizationOracleRef};

/// The client every node test uses.
pub type NodeClient = Client<PolkadotConfig, DefaultEnvironment>;

/// Connects to `CONTRACTS_NODE_URL` (default `ws://127.0.0.1:9944`) with the given contracts' Wasm.
pub async fn client(contracts: &[&str]) -> TestResult<NodeClient> {
    let url = std::env::var("CONTRACTS_NODE_URL").unwrap_or_else(|_| "ws://127.0.0.1:9944".into());
    let rpc = RpcClient::from_url(&url)
        .await
        .map_err(|e| format!("cannot reach a node at {url} (scripts/node.sh start): {e}"))?;
    let wasm: Vec<_> = contracts.iter().map(|name| artifact(name, "wasm")).collect();
    Ok(Client::new(rpc, wasm).await?)
}

/// The ink! account id of a signer.
pub fn id(signer: &ink_e2e::Keypair) -> AccountId {
    AccountId::from(signer.public_key().0)
}

/// Runs an async test body on a single-threaded runtime.
pub fn run<F: std::future::Future<Output = TestResult>>(body: F) -> TestResult {
    ink_e2e::tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(body)
}

/// Milliseconds since the Unix epoch (the node's block time follows the wall clock).
pub fn now_ms() -> TestResult<u64> {
    Ok(u64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis())?)
}

/// Sleeps until the wall clock reaches `when_ms`.
pub async fn sleep_until(when_ms: u64) -> TestResult {
    let now = now_ms()?;
    if when_ms > now {
        ink_e2e::tokio::time::sleep(std::time::Duration::from_millis(when_ms - now)).await;
    }
    Ok(())
}

/// `N` new accounts funded by `issuer` for fees and deposits.
pub async fn funded<const N: usize>(client: &mut NodeClient, issuer: &ink_e2e::Keypair) -> TestResult<[ink_e2e::Keypair; N]> {
    let mut accounts = Vec::with_capacity(N);
    for _ in 0..N {
        accounts.push(client.create_and_fund_account(issuer, 1_000_000_000_000_000).await);
    }
    Ok(<[_; N]>::try_from(accounts).map_err(|_| "funded accounts")?)
}

/// The suite's contracts, for [`client`].
pub const SUITE: [&str; 9] =
    ["stablecoin", "identity_registry", "gpu_hour_token", "gpu_hour_token_logic", "pool_admin", "utilization_oracle", "utilization_oracle_logic", "rental_escrow", "rental_escrow_logic"];

/// The six contracts of one pool.
pub struct NodeSuite {
    pub coin: AccountId,
    pub registry: AccountId,
    pub token: AccountId,
    pub admin: AccountId,
    pub oracle: AccountId,
    pub escrow: AccountId,
}

/// The oracle feed of a node suite: 8 GPUs from `genesis` in epochs of `epoch_length` ms,
/// reported by `reporters` (quorum `quorum`), at most 1,000 Wh per GPU-hour.
#[derive(Debug, Clone)]
pub struct FeedSpec {
    pub genesis: u64,
    pub epoch_length: u64,
    pub report_window: u64,
    pub max_age: u64,
    pub tolerance_bps: u16,
    pub reporters: Vec<AccountId>,
    pub quorum: u32,
}

/// The real-time pool of the node tests: epochs of `epoch_length` ms from `genesis`, a minute to
/// report and before the feed is stale, reports within 5% of the median, `reporters` with quorum 2
/// (both must report an epoch for it to finalize inside the window); the escrow on feed 0 with a
/// 10% fee, a minute's grace and dispute windows and a day to arbitrate.
pub fn minute_pool(genesis: u64, epoch_length: u64, reporters: Vec<AccountId>) -> (FeedSpec, EscrowConfig) {
    let feed = FeedSpec { genesis, epoch_length, report_window: 60_000, max_age: 60_000, tolerance_bps: 500, reporters, quorum: 2 };
    let escrow = EscrowConfig { feed: 0, operator_fee_bps: 1_000, grace_period: 60_000, dispute_window: 60_000, arbitration_period: 86_400_000 };
    (feed, escrow)
}

/// GPUs of a node suite's pool.
pub const POOL_GPUS: u32 = 8;

/// Uploads `<name>_logic`, the full build a front runs by delegate call (scripts/env.sh
/// `build_contract`); returns its code hash, the front's constructor argument.
pub async fn upload_logic(client: &mut NodeClient, issuer: &ink_e2e::Keypair, name: &str) -> TestResult<ink::primitives::Hash> {
    use ink_e2e::ContractsBackend;
    Ok(client.upload(&format!("{name}_logic"), issuer).submit().await?.code_hash)
}

/// Uploads the token's full build and instantiates its front ("H100 GPU-hour", GPUH) for `pool`,
/// checking investors in `registry` and paying yield in `coin`: the front answers PSP22 and runs
/// the full build by delegate call for everything else, as `deploy-pool` deploys it.
pub async fn deploy_token(client: &mut NodeClient, issuer: &ink_e2e::Keypair, pool: PoolInfo, registry: AccountId, coin: AccountId) -> TestResult<AccountId> {
    use ink_e2e::ContractsBackend;
    let logic = upload_logic(client, issuer, "gpu_hour_token").await?;
    let mut constructor = GpuHourTokenRef::new(Some("H100 GPU-hour".into()), Some("GPUH".into()), pool, registry, coin, logic);
    Ok(client.instantiate("gpu_hour_token", issuer, &mut constructor).submit().await?.account_id)
}

/// Deploys stablecoin, registry, an 8 × H100 token for 30 days from the feed's genesis (bound
/// to the registry, which pushes identity changes to it) with its `pool_admin` (owned by
/// `issuer`, holding the token's admin role), the
/// oracle with `feed` as feed 0 for that token, and the escrow on feed 0 (`issuer` operates and
/// arbitrates); the escrow reads its schedule from the feed, so the feed comes first. Roles,
/// capacity, offer and yield period are left to the test.
pub async fn deploy_suite(client: &mut NodeClient, issuer: &ink_e2e::Keypair, feed: FeedSpec, escrow: EscrowConfig) -> TestResult<NodeSuite> {
    use ink_e2e::ContractsBackend;
    let coin = client.instantiate("stablecoin", issuer, &mut StablecoinRef::new(None, None)).submit().await?.account_id;
    let registry = client.instantiate("identity_registry", issuer, &mut IdentityRegistryRef::new()).submit().await?.account_id;
    let pool = PoolInfo {
        gpu_model: "NVIDIA H100 SXM 80GB".into(),
        gpu_count: POOL_GPUS,
        region: "eu-central".into(),
        datacenter_tier: 3,
        period_start: feed.genesis,
        period_end: feed.genesis + 30 * 24 * 3_600_000,
        attestation_hash: [0; 32],
        attestation_uri: String::new(),
    };
    let token = deploy_token(client, issuer, pool, registry, coin).await?;
    let admin = deploy_admin(client, issuer, token).await?;
    let mut registry_calls = ink_e2e::create_call_builder::<IdentityRegistry>(registry);
    let bound = client.call(issuer, &registry_calls.bind_token(token)).submit().await?.return_value();
    if bound.is_err() {
        return Err(format!("bind_token returned {bound:?}").into());
    }
    let logic = upload_logic(client, issuer, "utilization_oracle").await?;
    let oracle = client.instantiate("utilization_oracle", issuer, &mut UtilizationOracleRef::new(logic)).submit().await?.account_id;
    let config = FeedConfig {
        pool_token: token,
        gpu_count: POOL_GPUS,
        genesis: feed.genesis,
        epoch_length: feed.epoch_length,
        report_window: feed.report_window,
        max_age: feed.max_age,
        max_wh_per_gpu_hour: 1_000,
        tolerance_bps: feed.tolerance_bps,
    };
    let mut oracle_calls = ink_e2e::create_call_builder::<UtilizationOracle>(oracle);
    let created = client.call(issuer, &oracle_calls.create_feed(config, feed.reporters, feed.quorum)).submit().await?.return_value();
    if created != Ok(escrow.feed) {
        return Err(format!("create_feed returned {created:?}, the escrow expects feed {}", escrow.feed).into());
    }
    let logic = upload_logic(client, issuer, "rental_escrow").await?;
    let mut escrow_constructor = RentalEscrowRef::new(escrow, coin, token, oracle, id(issuer), id(issuer), logic);
    let escrow = client.instantiate("rental_escrow", issuer, &mut escrow_constructor).submit().await?.account_id;
    Ok(NodeSuite { coin, registry, token, admin, oracle, escrow })
}

/// Deploys the `pool_admin` of `token` (owned by `issuer`, the token's deployer) and hands it
/// the token's admin role (proposed by the deployer, accepted by the admin's owner).
pub async fn deploy_admin(client: &mut NodeClient, issuer: &ink_e2e::Keypair, token: AccountId) -> TestResult<AccountId> {
    use compute_rwa_common::{AdminOp, TokenAdmin};
    use ink_e2e::ContractsBackend;
    let admin = client.instantiate("pool_admin", issuer, &mut PoolAdminRef::new(token)).submit().await?.account_id;
    let mut token_calls = ink_e2e::create_call_builder::<GpuHourToken>(token);
    let proposed = client.call(issuer, &token_calls.admin(vec![AdminOp::SetAdmin(admin)].into())).submit().await?.return_value();
    let mut admin_calls = ink_e2e::create_call_builder::<PoolAdmin>(admin);
    let taken = client.call(issuer, &admin_calls.take_over()).submit().await?.return_value();
    if proposed.is_err() || taken.is_err() {
        return Err(format!("handing the token to its admin returned {proposed:?}, then {taken:?}").into());
    }
    Ok(admin)
}

/// Typed call builders for a suite's contracts.
pub struct NodeCalls {
    pub coin: <Stablecoin as ContractCallBuilder>::Type,
    pub registry: <IdentityRegistry as ContractCallBuilder>::Type,
    pub token: <GpuHourToken as ContractCallBuilder>::Type,
    pub admin: <PoolAdmin as ContractCallBuilder>::Type,
    pub oracle: <UtilizationOracle as ContractCallBuilder>::Type,
    pub escrow: <RentalEscrow as ContractCallBuilder>::Type,
}

impl NodeSuite {
    /// Call builders addressed to this suite.
    pub fn calls(&self) -> NodeCalls {
        NodeCalls {
            coin: ink_e2e::create_call_builder::<Stablecoin>(self.coin),
            registry: ink_e2e::create_call_builder::<IdentityRegistry>(self.registry),
            token: ink_e2e::create_call_builder::<GpuHourToken>(self.token),
            admin: ink_e2e::create_call_builder::<PoolAdmin>(self.admin),
            oracle: ink_e2e::create_call_builder::<UtilizationOracle>(self.oracle),
            escrow: ink_e2e::create_call_builder::<RentalEscrow>(self.escrow),
        }
    }
}
