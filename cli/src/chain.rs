//! One signer on one node, and our contracts' artifacts: dry runs, calls, uploads and instantiations
//! through cargo-contract's `contract-extrinsics`, with every failure turned into a sentence.
use crate::deployment::ContractName;
use crate::value::{self, ContractError};
use anyhow::{anyhow, bail, Context, Result};
use contract_extrinsics::events::ContractEmitted;
use contract_extrinsics::extrinsic_opts::ExtrinsicOpts;
use contract_extrinsics::{
    fetch_contract_info, CallCommandBuilder, CallExec, ContractMessageTranscoder, ErrorVariant, ExtrinsicOptsBuilder, InstantiateCommandBuilder,
    UploadCommandBuilder,
};
use sp_weights::Weight;
use contract_transcode::Value;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use subxt::backend::legacy::LegacyRpcMethods;
use subxt::backend::rpc::RpcClient;
use subxt::blocks::ExtrinsicEvents;
use subxt::ext::scale_value::At;
use subxt::OnlineClient;
use subxt_signer::sr25519::Keypair;
use subxt_signer::SecretUri;

/// The node's configuration as substrate-contracts-node has it (the same as cargo-contract's).
pub type Config = subxt::SubstrateConfig;
/// ink!'s default environment: what our contracts are built for.
pub type Env = ink_env::DefaultEnvironment;
pub type AccountId = subxt::utils::AccountId32;

/// Chains on which `//Alice` may sign without `--suri`.
const DEV_CHAINS: [&str; 2] = ["Development", "Local Testnet"];

/// A connection to a node with a signer and the directory of built contracts (`target/ink`).
pub struct Chain {
    url: url::Url,
    signer: Keypair,
    artifacts: PathBuf,
}

/// What a submitted message returned and emitted.
pub struct Submitted {
    /// The message's decoded return value (from the dry run that priced the call), `Ok` unwrapped.
    pub value: Value,
    /// Names of the contract events the transaction emitted.
    pub events: Vec<String>,
}

impl Chain {
    /// Connects to `url` and picks the signer: `suri`, or `//Alice` on a development chain only.
    pub async fn connect(url: &str, suri: Option<&str>, artifacts: &Path) -> Result<Chain> {
        let url = url::Url::parse(url).with_context(|| format!("`{url}` is not a node URL (ws://host:port)"))?;
        let rpc = RpcClient::from_url(url.as_str())
            .await
            .map_err(|e| anyhow!("cannot reach a node at {url}: {e} (is it running? scripts/node.sh start)"))?;
        let chain_name = LegacyRpcMethods::<Config>::new(rpc).system_chain().await?;
        let suri = match suri {
            Some(suri) => suri.to_string(),
            None if DEV_CHAINS.contains(&chain_name.as_str()) => "//Alice".into(),
            None => bail!("--suri is required: `{chain_name}` is not a development chain, so //Alice is not assumed"),
        };
        let uri = SecretUri::from_str(&suri).map_err(|e| anyhow!("--suri: {e}"))?;
        let signer = Keypair::from_uri(&uri).map_err(|e| anyhow!("--suri: {e}"))?;
        if !artifacts.is_dir() {
            bail!("no contract artifacts in {} (run scripts/build.sh, or pass --artifacts)", artifacts.display());
        }
        Ok(Chain { url, signer, artifacts: artifacts.to_path_buf() })
    }

    /// The signer's account.
    pub fn signer_account(&self) -> AccountId {
        self.signer.public_key().to_account_id()
    }

    /// The node URL.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// `target/ink/<contract>/<contract>.<ext>`: `.contract` carries the code, `.json` only metadata.
    fn artifact(&self, contract: ContractName, ext: &str) -> Result<PathBuf> {
        self.artifact_of(contract.crate_name(), ext)
    }

    fn artifact_of(&self, name: &str, ext: &str) -> Result<PathBuf> {
        let path = self.artifacts.join(name).join(format!("{name}.{ext}"));
        if path.is_file() {
            Ok(path)
        } else {
            bail!("missing artifact {} (run scripts/build.sh)", path.display())
        }
    }

    fn opts(&self, artifact: PathBuf) -> ExtrinsicOpts<Config, Env, Keypair> {
        ExtrinsicOptsBuilder::new(self.signer.clone()).file(Some(artifact)).url(self.url.clone()).done()
    }

    /// Dry-runs `message` of `contract` at `address`: the
    /// decoded return value with `Ok` unwrapped, or the contract's error with its variant names.
    pub async fn read(&self, contract: ContractName, address: &AccountId, message: &str, args: &[String]) -> Result<Value> {
        let exec = self.call_exec(contract, address, message, args).await?;
        let (value, _) = Self::dry_run(&exec, address).await?;
        Ok(value)
    }

    /// Submits `message` after a dry run: a refusal is reported with its decoded variant and
    /// nothing is sent. Waits until the transaction is in a block.
    pub async fn submit(&self, contract: ContractName, address: &AccountId, message: &str, args: &[String]) -> Result<Submitted> {
        let exec = self.call_exec(contract, address, message, args).await?;
        let (value, weight) = Self::dry_run(&exec, address).await?;
        let most = limits_of(exec.client())?.normal_max_extrinsic;
        let events = exec.call(Some(with_margin(weight, most))).await.map_err(explain)?;
        Ok(Submitted { value, events: contract_event_names(&events, exec.transcoder())? })
    }

    async fn call_exec(&self, contract: ContractName, address: &AccountId, message: &str, args: &[String]) -> Result<CallExec<Config, Env, Keypair>> {
        CallCommandBuilder::new(address.clone(), message, self.opts(self.artifact(contract, "json")?))
            .args(args.to_vec())
            .done()
            .await
            .with_context(|| format!("{contract}::{message}"))
    }

    async fn dry_run(exec: &CallExec<Config, Env, Keypair>, address: &AccountId) -> Result<(Value, Weight)> {
        let outcome = exec.call_dry_run().await?;
        let returned = outcome.result.map_err(|error| match ErrorVariant::from_dispatch_error(&error, &exec.client().metadata()) {
            Ok(ErrorVariant::Module(m)) if m.error == "ContractNotFound" => anyhow!("no contract at {address} (wrong address?)"),
            Ok(variant) => explain(variant),
            Err(e) => e,
        })?;
        let decoded = exec.transcoder().decode_message_return(exec.message(), &mut &returned.data[..])?;
        let value = value::ok(decoded).map_err(|lang_error| {
            anyhow!("the contract at {address} cannot read `{}` ({}): wrong address or contract?", exec.message(), lang_error.0)
        })?;
        Ok((value::ok(value)?, outcome.gas_required))
    }

    /// Uploads a contract's code unless the chain has it already; returns its code hash.
    pub async fn upload(&self, contract: ContractName) -> Result<[u8; 32]> {
        self.upload_artifact(self.artifact(contract, "contract")?).await
    }

    /// Uploads a front's full build (`<name>_logic`), the code the front runs by delegate call
    /// for the messages it hands on; returns its code hash.
    pub async fn upload_logic(&self, contract: ContractName) -> Result<[u8; 32]> {
        self.upload_artifact(self.artifact_of(&format!("{contract}_logic"), "contract")?).await
    }

    async fn upload_artifact(&self, artifact: PathBuf) -> Result<[u8; 32]> {
        let exec = UploadCommandBuilder::new(self.opts(artifact)).done().await?;
        exec.upload_code().await.map_err(explain)?;
        Ok(exec.code().code_hash())
    }

    /// Instantiates uploaded code with constructor `new(args)` and a unique salt.
    pub async fn instantiate(&self, contract: ContractName, args: &[String]) -> Result<AccountId> {
        let salt = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos().to_le_bytes();
        let exec = InstantiateCommandBuilder::new(self.opts(self.artifact(contract, "json")?))
            .args(args.to_vec())
            .salt(Some(sp_core::Bytes(salt.to_vec())))
            .done()
            .await?;
        let dry_run = exec.instantiate_dry_run().await?;
        let dry_run = exec.decode_instantiate_dry_run(&dry_run).await.map_err(explain)?;
        if dry_run.reverted {
            let refused = value::ok(dry_run.result).and_then(value::ok).err();
            bail!(refused.unwrap_or_else(|| ContractError("constructor reverted".into())));
        }
        let weight = Weight::from_parts(dry_run.gas_required.ref_time(), dry_run.gas_required.proof_size());
        Ok(exec.instantiate(Some(weight)).await.map_err(explain)?.contract_address)
    }

    /// The code hash of the contract at `address`, read from pallet-contracts storage.
    pub async fn code_hash_at(&self, address: &AccountId) -> Result<[u8; 32]> {
        let rpc = RpcClient::from_url(self.url.as_str()).await?;
        let client = OnlineClient::<Config>::from_rpc_client(rpc.clone()).await?;
        let info = fetch_contract_info::<Config, Env>(address, &LegacyRpcMethods::new(rpc), &client)
            .await
            .map_err(|e| anyhow!("no contract at {address}: {e}"))?;
        Ok(info.code_hash().0)
    }
}

/// The gas limit of a submitted call: what its dry run needed and half as much again, within
/// `most` (the chain's largest normal transaction, less room for the transaction's own base
/// weight). The dry run executes at the last block's time, the transaction in a later block,
/// where clock-driven work costs more (the token releasing its yield stream since its last
/// update). Unused gas is refunded, so the margin costs nothing.
pub fn with_margin(required: Weight, most: Parts) -> Weight {
    let half_again = |part: u64, cap: u64| part.saturating_add(part / 2).min(cap.saturating_mul(9) / 10).max(part);
    Weight::from_parts(half_again(required.ref_time(), most.0), half_again(required.proof_size(), most.1))
}

/// A weight as (ref_time, proof_size).
pub type Parts = (u64, u64);

/// What one block and one contract may hold on this chain (runtime constants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Limits {
    pub max_block: Parts,
    /// Share of a block normal transactions may fill, and the most one of them may use.
    pub normal_max_total: Parts,
    pub normal_max_extrinsic: Parts,
    /// Charged to every transaction on top of what it executes.
    pub base_extrinsic: Parts,
    /// Largest contract code pallet-contracts accepts (bytes).
    pub max_code_len: u32,
}

impl Chain {
    /// The chain's block weight and code size limits.
    pub async fn limits(&self) -> Result<Limits> {
        limits_of(&OnlineClient::<Config>::from_url(self.url.as_str()).await?)
    }
}

/// The block weight and code size limits of the chain `client` is connected to.
fn limits_of(client: &OnlineClient<Config>) -> Result<Limits> {
    let constant = |pallet: &str, name: &str| client.constants().at(&subxt::dynamic::constant(pallet, name)).map_err(anyhow::Error::from)?.to_value().map_err(anyhow::Error::from);
    let weights = constant("System", "BlockWeights")?;
    let per_class = weights.at("per_class");
    let normal = per_class.at("normal").ok_or_else(|| anyhow!("System::BlockWeights has no normal class"))?;
    let parts = |weight: Option<&subxt::dynamic::Value<u32>>, what: &str| -> Result<Parts> {
        let part = |name: &str| weight.at(name).and_then(|v| v.as_u128()).and_then(|v| u64::try_from(v).ok());
        part("ref_time").zip(part("proof_size")).ok_or_else(|| anyhow!("System::BlockWeights: no weight at {what}"))
    };
    let max_code_len = constant("Contracts", "MaxCodeLen")?.as_u128().and_then(|v| u32::try_from(v).ok()).ok_or_else(|| anyhow!("Contracts::MaxCodeLen"))?;
    Ok(Limits {
        max_block: parts(weights.at("max_block"), "max_block")?,
        normal_max_total: parts(normal.at("max_total").at(0), "normal.max_total")?,
        normal_max_extrinsic: parts(normal.at("max_extrinsic").at(0), "normal.max_extrinsic")?,
        base_extrinsic: parts(normal.at("base_extrinsic"), "normal.base_extrinsic")?,
        max_code_len,
    })
}

/// Turns a node-side failure into a sentence, naming insufficient funds plainly.
fn explain(error: impl std::fmt::Display) -> anyhow::Error {
    let text = error.to_string();
    // With no deposit limit given (the CLI sets none), the limit is the signer's free balance.
    let poor = ["Inability to pay some fees", "InsufficientBalance", "StorageDepositNotEnoughFunds", "StorageDepositLimitExhausted", "FundsUnavailable"];
    if poor.iter().any(|p| text.contains(p)) {
        anyhow!("insufficient funds: the signer cannot pay for this transaction ({text})")
    } else {
        anyhow!(text)
    }
}

/// Names of the contract events (`Contracts::ContractEmitted`) a transaction emitted, decoded
/// with the called contract's metadata (events of other contracts show as `(other contract)`).
fn contract_event_names(events: &ExtrinsicEvents<Config>, transcoder: &ContractMessageTranscoder) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for event in events.iter() {
        let event = event?;
        let (Some(emitted), Some(topic)) = (event.as_event::<ContractEmitted<AccountId>>()?, event.topics().first()) else {
            continue;
        };
        names.push(event_name(transcoder, topic.as_ref(), &emitted.data).unwrap_or_else(|| "(other contract)".into()));
    }
    Ok(names)
}

/// The name of the event with signature topic `topic` and fields `data` (the bytes the contract
/// emitted), if `transcoder`'s metadata has it and the fields decode. `decode_contract_event`
/// expects the data as the pallet's event stores it, a length-prefixed `Vec<u8>`, hence the
/// `encode()`: without it decoding starts at the wrong byte.
fn event_name(transcoder: &ContractMessageTranscoder, topic: &[u8], data: &[u8]) -> Option<String> {
    let encoded = scale::Encode::encode(data);
    match transcoder.decode_contract_event(&topic, &mut &encoded[..]) {
        Ok(Value::Map(map)) => map.ident(),
        _ => None,
    }
}

/// Parses an SS58 address, naming the argument that held it.
pub fn account(text: &str, what: &str) -> Result<AccountId> {
    AccountId::from_str(text.trim()).map_err(|_| anyhow!("{what}: `{text}` is not an SS58 address"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use scale_info::{PortableRegistry, TypeDef, TypeDefPrimitive};

    /// Appends the smallest valid SCALE value of type `id` (zeros, empty sequences, first variants).
    fn smallest(registry: &PortableRegistry, id: u32, out: &mut Vec<u8>) {
        match &registry.resolve(id).expect("type in the metadata").type_def {
            TypeDef::Composite(c) => c.fields.iter().for_each(|f| smallest(registry, f.ty.id, out)),
            TypeDef::Variant(v) => {
                let first = v.variants.iter().min_by_key(|v| v.index).expect("a variant");
                out.push(first.index);
                first.fields.iter().for_each(|f| smallest(registry, f.ty.id, out));
            }
            TypeDef::Sequence(_) | TypeDef::Compact(_) | TypeDef::BitSequence(_) => out.push(0),
            TypeDef::Array(a) => (0..a.len).for_each(|_| smallest(registry, a.type_param.id, out)),
            TypeDef::Tuple(t) => t.fields.iter().for_each(|f| smallest(registry, f.id, out)),
            TypeDef::Primitive(p) => {
                let bytes = match p {
                    TypeDefPrimitive::Bool | TypeDefPrimitive::U8 | TypeDefPrimitive::I8 | TypeDefPrimitive::Str => 1,
                    TypeDefPrimitive::U16 | TypeDefPrimitive::I16 => 2,
                    TypeDefPrimitive::Char | TypeDefPrimitive::U32 | TypeDefPrimitive::I32 => 4,
                    TypeDefPrimitive::U64 | TypeDefPrimitive::I64 => 8,
                    TypeDefPrimitive::U128 | TypeDefPrimitive::I128 => 16,
                    TypeDefPrimitive::U256 | TypeDefPrimitive::I256 => 32,
                };
                out.resize(out.len() + bytes, 0);
            }
        }
    }

    /// Issue 16 item 8: every event of every contract has a unique signature topic in its
    /// metadata and decodes through cargo-contract's transcoder from the bytes the contract emits.
    #[test]
    fn every_event_of_every_contract_decodes_by_its_signature_topic() {
        let dir = std::env::var("COMPUTE_RWA_ARTIFACTS").expect("COMPUTE_RWA_ARTIFACTS: the built contracts (scripts/build.sh)");
        let mut decoded = 0;
        for name in ContractName::ALL {
            let transcoder = ContractMessageTranscoder::load(format!("{dir}/{name}/{name}.json")).expect("metadata");
            let mut topics = std::collections::BTreeSet::new();
            for event in transcoder.metadata().spec().events() {
                let topic = event.signature_topic().unwrap_or_else(|| panic!("{name}: {} is anonymous", event.label())).as_bytes().to_vec();
                assert!(topics.insert(topic.clone()), "{name}: two events share the topic of {}", event.label());
                let mut data = Vec::new();
                event.args().iter().for_each(|arg| smallest(transcoder.metadata().registry(), arg.ty().ty().id, &mut data));
                assert_eq!(event_name(&transcoder, &topic, &data).as_deref(), Some(event.label().as_str()), "{name}");
                decoded += 1;
            }
            assert_eq!(event_name(&transcoder, &[7; 32], &[]), None, "{name}: an unknown topic");
        }
        assert!(decoded >= 60, "only {decoded} events");
    }

    #[test]
    fn submitted_calls_get_half_again_the_dry_run_gas() {
        let roomy = (u64::MAX, u64::MAX);
        assert_eq!(with_margin(Weight::from_parts(1_000, 64), roomy), Weight::from_parts(1_500, 96));
        assert_eq!(with_margin(Weight::from_parts(u64::MAX, 1), roomy), Weight::from_parts(u64::MAX, 1));
        // Never past 90% of the largest transaction, and never below what the dry run needed.
        assert_eq!(with_margin(Weight::from_parts(800, 800), (1_000, 10_000)), Weight::from_parts(900, 1_200));
        assert_eq!(with_margin(Weight::from_parts(950, 10), (1_000, 10_000)), Weight::from_parts(950, 15));
    }
}
