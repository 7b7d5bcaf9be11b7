//! Helpers shared by the drink (`tests/sandbox_*.rs`) and ink_e2e (`tests/node_*.rs`) suites.
//!
//! Both load the release artifacts collected by `scripts/build.sh`, so the tests exercise
//! exactly the Wasm that gets deployed and never build a contract themselves.

use std::path::PathBuf;

/// Boxed error for `?` in tests.
pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// Directory holding `<name>/<name>.{contract,wasm,json}` (override: `COMPUTE_RWA_ARTIFACTS`).
pub fn artifacts_dir() -> PathBuf {
    std::env::var_os("COMPUTE_RWA_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/ink"))
}

/// Path of a built artifact, with a hint to run the build when it is missing.
pub fn artifact(name: &str, extension: &str) -> PathBuf {
    let path = artifacts_dir().join(name).join(format!("{name}.{extension}"));
    assert!(path.exists(), "{} missing: run scripts/build.sh first", path.display());
    path
}

pub mod sandbox {
    //! drink helpers.
    use super::{artifact, TestResult};
    use drink::minimal::MinimalSandbox;
    use drink::session::{ContractBundle, Session, NO_ENDOWMENT, NO_SALT};
    use drink::AccountId32;

    /// A fresh in-process chain.
    pub fn session() -> Session<MinimalSandbox> {
        Session::default()
    }

    /// The bundle `scripts/build.sh` collected for `name`.
    pub fn bundle(name: &str) -> TestResult<ContractBundle> {
        Ok(ContractBundle::load(artifact(name, "contract"))?)
    }

    /// Deploys `name` with `constructor(args)` from the session's current actor.
    pub fn deploy(session: &mut Session<MinimalSandbox>, name: &str, constructor: &str, args: &[String]) -> TestResult<AccountId32> {
        Ok(session.deploy_bundle(bundle(name)?, constructor, args, NO_SALT, NO_ENDOWMENT)?)
    }

    /// A deterministic test account.
    pub fn account(byte: u8) -> AccountId32 {
        AccountId32::new([byte; 32])
    }
}

pub mod node {
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

    /// Runs an async test body on a single-threaded runtime.
    pub fn run<F: std::future::Future<Output = TestResult>>(body: F) -> TestResult {
        ink_e2e::tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(body)
    }
}
