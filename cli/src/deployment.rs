//! `deployment.json`: what `deploy-pool` created, what later commands act on and what `audit` expects.
use crate::chain::{account, AccountId};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One deployed (or reused) contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployed {
    pub address: String,
    /// 0x-hex code hash the audit expects at `address`.
    pub code_hash: String,
    /// 0x-hex code hash of the contract's full build, which its front runs by delegate call for
    /// the messages it hands on (`logic` on the contract; the audit compares them). Only for a
    /// contract deployed as a front ([`ContractName::has_front`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logic: Option<String>,
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
    /// The credit vault lending the stablecoin against the pool's tokens (`[vault]` in pool.toml).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_vault: Option<Deployed>,
    /// The market trading the pool's tokens for the stablecoin (`[market]` in pool.toml).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_market: Option<Deployed>,
}

/// A pool's deployment record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// Node the pool was deployed to.
    pub url: String,
    pub deployer: String,
    pub deployed_at_ms: u64,
    pub contracts: Contracts,
    /// Where records written before the fourteenth session kept the token's logic hash (now
    /// `contracts.gpu_hour_token.logic`); read, never written (review 14).
    #[serde(default, skip_serializing)]
    pub token_logic: Option<String>,
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

/// A contract of a pool: its crate name (the artifacts' directory) or a short alias on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ContractName {
    #[value(name = "stablecoin", alias = "coin", alias = "usdc")]
    Stablecoin,
    #[value(name = "identity_registry", alias = "registry")]
    Registry,
    #[value(name = "gpu_hour_token", alias = "token")]
    Token,
    #[value(name = "pool_admin", alias = "admin")]
    Admin,
    #[value(name = "utilization_oracle", alias = "oracle")]
    Oracle,
    #[value(name = "rental_escrow", alias = "escrow")]
    Escrow,
    #[value(name = "credit_vault", alias = "vault")]
    Vault,
    #[value(name = "gpu_market", alias = "market")]
    Market,
}

impl ContractName {
    /// Every contract of a pool, in deployment order (the vault and the market only where the
    /// pool has them).
    pub const ALL: [ContractName; 8] = [
        ContractName::Stablecoin,
        ContractName::Registry,
        ContractName::Token,
        ContractName::Admin,
        ContractName::Oracle,
        ContractName::Escrow,
        ContractName::Vault,
        ContractName::Market,
    ];

    /// The crate's name: the artifacts' directory and the key in `deployment.json`.
    pub fn crate_name(self) -> &'static str {
        match self {
            ContractName::Stablecoin => "stablecoin",
            ContractName::Registry => "identity_registry",
            ContractName::Token => "gpu_hour_token",
            ContractName::Admin => "pool_admin",
            ContractName::Oracle => "utilization_oracle",
            ContractName::Escrow => "rental_escrow",
            ContractName::Vault => "credit_vault",
            ContractName::Market => "gpu_market",
        }
    }
}

impl ContractName {
    /// Whether the contract deploys as a front over its full build's code (scripts/env.sh
    /// `build_contract`: a crate with a `front` feature): its constructor takes that code's hash
    /// last, and `logic` answers it.
    pub fn has_front(self) -> bool {
        matches!(self, ContractName::Token | ContractName::Oracle | ContractName::Escrow | ContractName::Vault)
    }
}

impl std::fmt::Display for ContractName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.crate_name())
    }
}

impl Contracts {
    /// The deployed `name` (`None`: a vault the pool does not have).
    pub fn find(&self, name: ContractName) -> Option<&Deployed> {
        match name {
            ContractName::Stablecoin => Some(&self.stablecoin),
            ContractName::Registry => Some(&self.identity_registry),
            ContractName::Token => Some(&self.gpu_hour_token),
            ContractName::Admin => Some(&self.pool_admin),
            ContractName::Oracle => Some(&self.utilization_oracle),
            ContractName::Escrow => Some(&self.rental_escrow),
            ContractName::Vault => self.credit_vault.as_ref(),
            ContractName::Market => self.gpu_market.as_ref(),
        }
    }

    /// The deployed `name`, or an error naming what is missing.
    pub fn get(&self, name: ContractName) -> Result<&Deployed> {
        self.find(name).with_context(|| format!("this deployment has no {name} (add its section, [vault] or [market], to pool.toml and deploy the pool)"))
    }

    /// Every contract the pool has, with its record, in deployment order.
    pub fn all(&self) -> Vec<(ContractName, &Deployed)> {
        ContractName::ALL.into_iter().filter_map(|name| Some((name, self.find(name)?))).collect()
    }
}

impl Deployed {
    /// The contract's address.
    pub fn account(&self) -> Result<AccountId> {
        account(&self.address, "deployment address")
    }
}

impl Deployment {
    /// The recorded logic code of `name`'s front (an older record's `token_logic` for the token).
    pub fn logic_of(&self, name: ContractName, record: &Deployed) -> Option<String> {
        record.logic.clone().or_else(|| (name == ContractName::Token).then(|| self.token_logic.clone()).flatten())
    }

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
        Deployed { address: address.into(), code_hash: "0x00".into(), logic: None, reused: false }
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
                credit_vault: None,
                gpu_market: None,
            },
            token_logic: None,
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
        use clap::ValueEnum;
        let name = |text: &str| ContractName::from_str(text, false);
        assert_eq!(name("token"), Ok(ContractName::Token));
        assert_eq!(name("coin").map(ContractName::crate_name), Ok("stablecoin"));
        assert_eq!(name("rental_escrow"), name("escrow"));
        assert_eq!(name("vault").map(ContractName::crate_name), Ok("credit_vault"));
        assert_eq!(name("market").map(ContractName::crate_name), Ok("gpu_market"));
        assert!(name("bank").is_err());
        let deployment = sample();
        assert_eq!(deployment.contracts.get(ContractName::Admin).unwrap().address, deployment.contracts.pool_admin.address);
        assert!(deployment.contracts.get(ContractName::Vault).is_err());
        assert!(deployment.contracts.get(ContractName::Market).is_err());
        let names: Vec<_> = deployment.contracts.all().iter().map(|(name, _)| name.crate_name()).collect();
        assert_eq!(names, ["stablecoin", "identity_registry", "gpu_hour_token", "pool_admin", "utilization_oracle", "rental_escrow"]);
    }

    /// Review 14: a record written before the fronts were recorded per contract kept the token's
    /// logic at the top level; the audit still finds it there, and a new record never writes it.
    #[test]
    fn an_older_records_token_logic_is_still_the_tokens() {
        let mut json = serde_json::to_value(sample()).expect("json");
        assert!(json.get("token_logic").is_none(), "never written");
        json["token_logic"] = "0x07".into();
        let old: Deployment = serde_json::from_value(json).expect("old record");
        let token = &old.contracts.gpu_hour_token;
        assert_eq!(old.logic_of(ContractName::Token, token), Some("0x07".into()));
        assert_eq!(old.logic_of(ContractName::Oracle, &old.contracts.utilization_oracle), None);
        let new = Deployed { logic: Some("0x08".into()), ..token.clone() };
        assert_eq!(old.logic_of(ContractName::Token, &new), Some("0x08".into()), "the contract's own record first");
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
