//! One file per subcommand: its arguments (`Args`) and what it does (`run`). Each returns
//! `Ok(false)` when it completed with a failing verdict (an audit FAIL).
pub mod add_reporter;
pub mod audit;
pub mod call;
pub mod deploy_pool;
pub mod limits;
pub mod market;
pub mod mint;
pub mod read;
pub mod register;
pub mod rent;
pub mod set_compliance;
pub mod set_offer;
pub mod vault;

use crate::chain::Chain;
use crate::deployment::{ContractName, Deployment};
use crate::output::Output;
use anyhow::Result;
use std::path::PathBuf;

const DEFAULT_URL: &str = "ws://127.0.0.1:9944";

/// What every command shares: the node, the signer, the built contracts, the deployment record
/// and the output format (the global options).
pub struct Ctx {
    pub url: Option<String>,
    pub suri: Option<String>,
    pub artifacts: PathBuf,
    pub deployment: PathBuf,
    pub output: Output,
}

impl Ctx {
    /// Connects to `--url`, else the deployment's node, else the local default.
    pub async fn connect(&self, deployment: Option<&Deployment>) -> Result<Chain> {
        let url = self.url.as_deref().or(deployment.map(|d| d.url.as_str())).unwrap_or(DEFAULT_URL);
        Chain::connect(url, self.suri.as_deref(), &self.artifacts).await
    }

    /// Loads `--deployment` and connects to its node.
    pub async fn open(&self) -> Result<(Chain, Deployment)> {
        let record = Deployment::load(&self.deployment)?;
        Ok((self.connect(Some(&record)).await?, record))
    }
}

/// A pool config to take one section from (`set-offer`, `set-compliance`).
#[derive(clap::Args)]
pub struct ConfigFile {
    /// The pool config (pool.toml) holding the section
    #[arg(long)]
    pub config: PathBuf,
}

/// A message of one of the pool's contracts with its arguments (`call` and `read`).
#[derive(clap::Args)]
pub struct Message {
    /// The contract: stablecoin (coin), identity_registry (registry), gpu_hour_token (token), pool_admin (admin), utilization_oracle (oracle), rental_escrow (escrow), credit_vault (vault), gpu_market (market)
    pub contract: ContractName,
    /// The message's label, e.g. PSP22::transfer
    pub message: String,
    /// Arguments in cargo-contract's notation, e.g. 5Grw… 1000 '[]'
    pub args: Vec<String>,
}
