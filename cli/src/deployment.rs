//! `deployment.json`: what `deploy-pool` created, what later commands act on and what `audit` expects.
use crate::chain::{account, AccountId};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One deployed (or reused) contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployed {
    pub address: String,
    /// 0x-hex code hash the audit expects at `address`.
    pub code_hash: String,
    /// True when the config named an existing contract instead of deploying one.
    #[serde(default)]
    pub reused: bool,
}

/// The suite of one pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contracts {
    pub stablecoin: Deployed,
    pub identity_registry: Deployed,
    pub gpu_hour_token: Deployed,
    /// The token's companion: roles, attestation history, redemptions; the token's admin.
    pub pool_admin: Deployed,
    pub utilization_oracle: Deployed,
    pub rental_escrow: Deployed,
}

/// A pool's deployment record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// Node the pool was deployed to.
    pub url: String,
    pub deployer: String,
    pub deployed_at_ms: u64,
    pub contracts: Contracts,
    /// The pool's feed in the oracle.
    pub feed: u32,
    /// Capacity and document hash the issuer attested at deployment.
    pub attested_gpu_hours: u64,
    pub attestation_hash: String,
    pub reporters: Vec<String>,
    pub operator: String,
    pub arbiter: String,
    /// Accounts registered or minted to through the CLI: the holders the audit knows by name.
    #[serde(default)]
    pub investors: Vec<String>,
}

impl Contracts {
    /// (crate name, record) for each contract, in deployment order.
    pub fn all(&self) -> [(&'static str, &Deployed); 6] {
        [
            ("stablecoin", &self.stablecoin),
            ("identity_registry", &self.identity_registry),
            ("gpu_hour_token", &self.gpu_hour_token),
            ("pool_admin", &self.pool_admin),
            ("utilization_oracle", &self.utilization_oracle),
            ("rental_escrow", &self.rental_escrow),
        ]
    }

    /// The record of a contract by crate name or short alias (`token`, `admin`, `registry`, `oracle`, `escrow`, `coin`).
    pub fn named(&self, name: &str) -> Result<(&'static str, &Deployed)> {
        let crate_name = match name {
            "coin" | "usdc" => "stablecoin",
            "registry" => "identity_registry",
            "token" => "gpu_hour_token",
            "admin" => "pool_admin",
            "oracle" => "utilization_oracle",
            "escrow" => "rental_escrow",
            other => other,
        };
        match self.all().into_iter().find(|(n, _)| *n == crate_name) {
            Some(found) => Ok(found),
            None => bail!("unknown contract `{name}`: use stablecoin, identity_registry, gpu_hour_token, pool_admin, utilization_oracle or rental_escrow"),
        }
    }
}

impl Deployed {
    /// The contract's address.
    pub fn account(&self) -> Result<AccountId> {
        account(&self.address, "deployment address")
    }
}

impl Deployment {
    /// Reads a deployment file.
    pub fn load(path: &Path) -> Result<Deployment> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{} is not a deployment file", path.display()))
    }

    /// Writes the deployment file (pretty JSON).
    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, serde_json::to_string_pretty(self)? + "\n").with_context(|| format!("cannot write {}", path.display()))
    }

    /// Adds accounts to the known investors, once each.
    pub fn remember_investors<'a>(&mut self, accounts: impl IntoIterator<Item = &'a AccountId>) {
        for account in accounts {
            let text = account.to_string();
            if !self.investors.contains(&text) {
                self.investors.push(text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(address: &str) -> Deployed {
        Deployed { address: address.into(), code_hash: "0x00".into(), reused: false }
    }

    pub fn sample() -> Deployment {
        let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
        Deployment {
            url: "ws://127.0.0.1:9944".into(),
            deployer: alice.into(),
            deployed_at_ms: 1,
            contracts: Contracts {
                stablecoin: record("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"),
                identity_registry: record("5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y"),
                gpu_hour_token: record("5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy"),
                pool_admin: record("5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY"),
                utilization_oracle: record("5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw"),
                rental_escrow: record("5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL"),
            },
            feed: 0,
            attested_gpu_hours: 5_760,
            attestation_hash: "0xab".into(),
            reporters: vec![],
            operator: alice.into(),
            arbiter: alice.into(),
            investors: vec![],
        }
    }

    #[test]
    fn aliases_name_the_contracts() {
        let deployment = sample();
        assert_eq!(deployment.contracts.named("token").expect("token").0, "gpu_hour_token");
        assert_eq!(deployment.contracts.named("admin").expect("admin").1.address, deployment.contracts.pool_admin.address);
        assert_eq!(deployment.contracts.named("rental_escrow").expect("escrow").1.address, deployment.contracts.rental_escrow.address);
        assert!(deployment.contracts.named("vault").is_err());
    }

    #[test]
    fn investors_are_remembered_once_and_the_file_round_trips() {
        let mut deployment = sample();
        let bob = account("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", "bob").expect("bob");
        deployment.remember_investors([&bob, &bob]);
        assert_eq!(deployment.investors, vec![bob.to_string()]);
        let path = std::env::temp_dir().join(format!("deployment-{}.json", std::process::id()));
        deployment.save(&path).expect("save");
        assert_eq!(Deployment::load(&path).expect("load"), deployment);
        std::fs::remove_file(path).expect("cleanup");
    }
}
