//! `compute-rwa`: the issuer's and the auditor's command line for compute-rwa pools.
mod audit;
mod chain;
mod config;
mod deploy;
mod deployment;
mod ops;
mod value;

use anyhow::{Context, Result};
use chain::{account, Chain};
use clap::{Parser, Subcommand, ValueEnum};
use deployment::Deployment;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const DEFAULT_URL: &str = "ws://127.0.0.1:9944";

#[derive(Parser)]
#[command(name = "compute-rwa", version, about = "Deploy, operate and audit compute-rwa GPU pools")]
struct Cli {
    /// Node WebSocket URL [default: the deployment's, else ws://127.0.0.1:9944]
    #[arg(long, global = true, env = "COMPUTE_RWA_URL")]
    url: Option<String>,
    /// Signer secret URI; `//Alice` is assumed only on a development chain
    #[arg(long, global = true, env = "COMPUTE_RWA_SURI")]
    suri: Option<String>,
    /// Directory of built contracts (`<name>/<name>.contract|json`)
    #[arg(long, global = true, env = "COMPUTE_RWA_ARTIFACTS", default_value = "target/ink")]
    artifacts: PathBuf,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Output::Table)]
    output: Output,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Table,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Upload, instantiate (or reuse), wire and attest a pool; writes deployment.json
    DeployPool {
        #[arg(long)]
        config: PathBuf,
        #[arg(long, default_value = "deployment.json")]
        out: PathBuf,
    },
    /// Register verified investors from CSV: account,country,kyc_expiry_ms,class[,claim_hash]
    Register {
        #[arg(long, default_value = "deployment.json")]
        deployment: PathBuf,
        #[arg(long)]
        csv: PathBuf,
    },
    /// Mint GPU-hour tokens (within attested capacity) to a verified investor
    Mint {
        #[arg(long, default_value = "deployment.json")]
        deployment: PathBuf,
        #[arg(long)]
        to: String,
        /// Amount in GPU-hours, up to 6 decimals
        #[arg(long)]
        gpu_hours: String,
    },
    /// Publish the rental offer from a pool config's [offer] section
    SetOffer {
        #[arg(long, default_value = "deployment.json")]
        deployment: PathBuf,
        #[arg(long)]
        config: PathBuf,
    },
    /// Authorize a utilization reporter on the pool's feed (from the next epoch)
    AddReporter {
        #[arg(long, default_value = "deployment.json")]
        deployment: PathBuf,
        reporter: String,
    },
    /// Submit any message of a deployed contract (token, registry, oracle, escrow, coin)
    Call {
        #[arg(long, default_value = "deployment.json")]
        deployment: PathBuf,
        contract: String,
        message: String,
        /// Arguments in cargo-contract's notation, e.g. 5Grw… 1000 '[]'
        args: Vec<String>,
    },
    /// Read any message of a deployed contract (a dry run; nothing is sent)
    Read {
        #[arg(long, default_value = "deployment.json")]
        deployment: PathBuf,
        contract: String,
        message: String,
        args: Vec<String>,
    },
    /// Print the chain's block weight and contract code size limits
    Limits,
    /// Reconcile the pool's books from chain state: PASS/FAIL per check, exit 1 on any FAIL
    Audit {
        #[arg(long, default_value = "deployment.json")]
        deployment: PathBuf,
        /// Recent epochs whose reports are compared with their median
        #[arg(long, default_value_t = 24)]
        epochs: u32,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs the command; `Ok(false)` when it completed with a failing verdict (an audit FAIL).
async fn run(cli: &Cli) -> Result<bool> {
    match &cli.command {
        Command::DeployPool { config, out } => {
            let config = config::PoolConfig::load(config)?;
            let chain = connect(cli, None).await?;
            let deployment = deploy::deploy_pool(&chain, &config, now_ms()?).await?;
            deployment.save(out)?;
            let rows: Vec<_> = deployment.contracts.all().iter().map(|(name, d)| vec![name.to_string(), d.address.clone(), d.code_hash.clone()]).collect();
            print(cli, &["contract", "address", "code hash"], &rows, &deployment);
            eprintln!("wrote {}", out.display());
        }
        Command::Register { deployment, csv } => {
            let text = std::fs::read_to_string(csv).with_context(|| format!("cannot read {}", csv.display()))?;
            let records = ops::parse_investors(&text)?;
            let (chain, mut record) = open(cli, deployment).await?;
            let registry = record.contracts.identity_registry.account()?;
            let batches: Vec<_> = records.chunks(ops::REGISTER_BATCH).collect();
            let mut progress = deploy::Progress::new(batches.len());
            let mut registered = 0usize;
            for batch in batches {
                registered = registered.saturating_add(batch.len());
                progress.tell(format!("register {registered} of {} investors", records.len()));
                chain.submit("identity_registry", &registry, "register_batch", &[ops::batch_arg(batch)]).await?;
                record.remember_investors(batch.iter().map(|r| &r.account));
                record.save(deployment)?;
            }
            let rows: Vec<_> = records.iter().map(|r| vec![r.account.to_string(), r.identity.clone()]).collect();
            print(cli, &["account", "identity"], &rows, &serde_json::json!({ "registered": records.len() }));
        }
        Command::Mint { deployment, to, gpu_hours } => {
            let to = account(to, "--to")?;
            let units = ops::parse_units(gpu_hours, 6)?;
            let (chain, mut record) = open(cli, deployment).await?;
            let token = record.contracts.gpu_hour_token.account()?;
            let admin = record.contracts.pool_admin.account()?;
            let submitted = chain.submit("pool_admin", &admin, "mint", &[to.to_string(), units.to_string()]).await?;
            record.remember_investors([&to]);
            record.save(deployment)?;
            let supply = value::uint(&chain.read("gpu_hour_token", &token, "PSP22::total_supply", &[]).await?)?;
            let capacity = value::uint_field(&chain.read("gpu_hour_token", &token, "state", &[]).await?, "capacity")?;
            let figures = [to.to_string(), ops::format_units(units, 6), ops::format_units(supply, 6), ops::format_units(capacity, 6)];
            print(cli, &["to", "minted GPU-h", "supply GPU-h", "capacity GPU-h"], &[figures.to_vec()], &serde_json::json!({ "to": to.to_string(), "units": units, "supply": supply, "capacity": capacity, "events": submitted.events }));
        }
        Command::SetOffer { deployment, config } => {
            let config = config::PoolConfig::load(config)?;
            let (chain, record) = open(cli, deployment).await?;
            let offer = deploy::offer_arg(&config);
            chain.submit("rental_escrow", &record.contracts.rental_escrow.account()?, "set_offer", &[offer.clone()]).await?;
            print(cli, &["offer"], &[vec![offer.clone()]], &serde_json::json!({ "offer": offer }));
        }
        Command::AddReporter { deployment, reporter } => {
            let reporter = account(reporter, "reporter")?;
            let (chain, mut record) = open(cli, deployment).await?;
            let args = [record.feed.to_string(), reporter.to_string()];
            chain.submit("utilization_oracle", &record.contracts.utilization_oracle.account()?, "add_reporter", &args).await?;
            if !record.reporters.contains(&reporter.to_string()) {
                record.reporters.push(reporter.to_string());
                record.save(deployment)?;
            }
            print(cli, &["reporter", "feed"], &[args.to_vec()], &serde_json::json!({ "reporter": reporter.to_string(), "feed": record.feed }));
        }
        Command::Call { deployment, contract, message, args } => {
            let (chain, record) = open(cli, deployment).await?;
            let (name, deployed) = record.contracts.named(contract)?;
            let submitted = chain.submit(name, &deployed.account()?, message, args).await?;
            let rendered = value::render(&submitted.value);
            print(cli, &["returned", "events"], &[vec![rendered.clone(), submitted.events.join(", ")]], &serde_json::json!({ "returned": rendered, "events": submitted.events }));
        }
        Command::Read { deployment, contract, message, args } => {
            let (chain, record) = open(cli, deployment).await?;
            let (name, deployed) = record.contracts.named(contract)?;
            let value = chain.read(name, &deployed.account()?, message, args).await?;
            match cli.output {
                Output::Table => println!("{}", value::render(&value)),
                Output::Json => println!("{}", serde_json::to_string_pretty(&value)?),
            }
        }
        Command::Limits => {
            let limits = connect(cli, None).await?.limits().await?;
            let weight = |(ref_time, proof_size): chain::Parts| vec![ref_time.to_string(), proof_size.to_string()];
            let rows = [
                ("max block", weight(limits.max_block)),
                ("normal transactions, whole block", weight(limits.normal_max_total)),
                ("normal transaction, at most", weight(limits.normal_max_extrinsic)),
                ("base weight per transaction", weight(limits.base_extrinsic)),
                ("max contract code (bytes)", vec![limits.max_code_len.to_string(), String::new()]),
            ];
            let rows: Vec<_> = rows.into_iter().map(|(name, mut values)| { values.insert(0, name.to_string()); values }).collect();
            print(cli, &["limit", "ref_time", "proof_size"], &rows, &limits);
        }
        Command::Audit { deployment, epochs } => {
            let (chain, record) = open(cli, deployment).await?;
            let checks = audit::reconcile(&audit::gather(&chain, &record, *epochs).await?);
            let rows: Vec<_> = checks.iter().map(|c| vec![c.area.into(), c.check.into(), verdict(c.pass).into(), c.figures.clone()]).collect();
            print(cli, &["area", "check", "result", "figures"], &rows, &checks);
            let failed = checks.iter().filter(|c| !c.pass).count();
            if cli.output == Output::Table {
                println!("audit: {} checks, {} PASS, {failed} FAIL", checks.len(), checks.len().saturating_sub(failed));
            }
            return Ok(failed == 0);
        }
    }
    Ok(true)
}

fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "FAIL"
    }
}

async fn connect(cli: &Cli, deployment: Option<&Deployment>) -> Result<Chain> {
    let url = cli.url.as_deref().or(deployment.map(|d| d.url.as_str())).unwrap_or(DEFAULT_URL);
    Chain::connect(url, cli.suri.as_deref(), &cli.artifacts).await
}

async fn open(cli: &Cli, deployment: &Path) -> Result<(Chain, Deployment)> {
    let record = Deployment::load(deployment)?;
    Ok((connect(cli, Some(&record)).await?, record))
}

fn now_ms() -> Result<u64> {
    Ok(u64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis())?)
}

/// Prints rows as an aligned table, or `json` as JSON.
fn print(cli: &Cli, header: &[&str], rows: &[Vec<String>], json: &impl serde::Serialize) {
    match cli.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(json).unwrap_or_default()),
        Output::Table => print!("{}", table(header, rows)),
    }
}

/// Columns padded to their widest cell (by characters); the last column is not padded.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let head: Vec<String> = header.iter().map(|h| h.to_uppercase()).collect();
    let all: Vec<&Vec<String>> = std::iter::once(&head).chain(rows).collect();
    let widths: Vec<usize> = (0..header.len()).map(|i| all.iter().map(|r| r.get(i).map_or(0, |c| c.chars().count())).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in all {
        let cells: Vec<String> = row.iter().enumerate().map(|(i, cell)| {
            let pad = if i + 1 == row.len() { 0 } else { widths[i].saturating_sub(cell.chars().count()) };
            format!("{cell}{}", " ".repeat(pad))
        }).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_by_characters() {
        let rows = vec![vec!["token".to_string(), "supply ≤ capacity".to_string(), "PASS".to_string()], vec!["escrow".into(), "x".into(), "FAIL".into()]];
        assert_eq!(table(&["area", "check", "result"], &rows), "AREA    CHECK              RESULT\ntoken   supply ≤ capacity  PASS\nescrow  x                  FAIL\n");
    }

    #[test]
    fn the_command_line_parses() {
        let cli = Cli::try_parse_from(["compute-rwa", "--output", "json", "audit", "--deployment", "d.json"]).expect("parses");
        assert!(cli.output == Output::Json);
        assert!(matches!(cli.command, Command::Audit { epochs: 24, .. }));
        assert!(Cli::try_parse_from(["compute-rwa", "mint", "--to", "x"]).is_err(), "--gpu-hours is required");
    }
}
