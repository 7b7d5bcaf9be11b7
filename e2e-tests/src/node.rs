//! ink_e2e helpers for a running substrate-contracts-node.
use super::{artifact, TestResult};
use ink::env::DefaultEnvironment;
use ink_e2e::{Client, PolkadotConfig, RpcClient};

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
pub fn id(signer: &ink_e2e::Keypair) -> ink::primitives::AccountId {
    ink::primitives::AccountId::from(signer.public_key().0)
}

/// Runs an async test body on a single-threaded runtime.
pub fn run<F: std::future::Future<Output = TestResult>>(body: F) -> TestResult {
    ink_e2e::tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(body)
}
