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

    /// The ink! account id of a signer.
    pub fn id(signer: &ink_e2e::Keypair) -> ink::primitives::AccountId {
        ink::primitives::AccountId::from(signer.public_key().0)
    }

    /// Runs an async test body on a single-threaded runtime.
    pub fn run<F: std::future::Future<Output = TestResult>>(body: F) -> TestResult {
        ink_e2e::tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(body)
    }
}
