//! `compute-rwa`: the issuer's and the auditor's command line for compute-rwa pools.
//! Global options and dispatch live here; each subcommand is a file in `commands/`, and every
//! command prints through `output`.
mod audit;
mod chain;
mod commands;
mod config;
mod deploy;
mod deployment;
mod ops;
mod output;
mod value;

use clap::{Parser, Subcommand};
use commands::{add_reporter, call, deploy_pool, limits, mint, read, register, set_compliance, set_offer, Ctx};
use output::Output;
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// The pool's deployment record (written by deploy-pool, read by every other command)
    #[arg(long, global = true, default_value = "deployment.json")]
    deployment: PathBuf,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Output::Table)]
    output: Output,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Upload, instantiate (or reuse), wire and attest a pool; writes the deployment record
    DeployPool(deploy_pool::Args),
    /// Register verified investors from CSV: account,country,kyc_expiry_ms,class[,claim_hash]
    Register(register::Args),
    /// Mint GPU-hour tokens (within attested capacity) to a verified investor
    Mint(mint::Args),
    /// Publish the rental offer from a pool config's [offer] section
    SetOffer(set_offer::Args),
    /// Replace the token's transfer rules with a pool config's [compliance] section
    SetCompliance(set_compliance::Args),
    /// Authorize a utilization reporter on the pool's feed (from the next epoch)
    AddReporter(add_reporter::Args),
    /// Submit any message of a deployed contract (token, registry, oracle, escrow, admin, coin)
    Call(call::Args),
    /// Read any message of a deployed contract (a dry run; nothing is sent)
    Read(read::Args),
    /// Print the chain's block weight and contract code size limits
    Limits,
    /// Reconcile the pool's books from chain state: PASS/FAIL per check, exit 1 on any FAIL
    Audit(commands::audit::Args),
    /// The credit vault's books, valuation and every known investor's loan or deposit
    Vault,
    /// The GPU-hour market: its books and volume; post, fill or cancel orders as the signer
    Market(commands::market::Args),
    /// Demand-priced rentals: quote a booking, book at the quote, read the forward curve
    Rent(commands::rent::Args),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let ctx = Ctx { url: cli.url, suri: cli.suri, artifacts: cli.artifacts, deployment: cli.deployment, output: cli.output };
    let outcome = match &cli.command {
        Command::DeployPool(args) => deploy_pool::run(&ctx, args).await,
        Command::Register(args) => register::run(&ctx, args).await,
        Command::Mint(args) => mint::run(&ctx, args).await,
        Command::SetOffer(args) => set_offer::run(&ctx, args).await,
        Command::SetCompliance(args) => set_compliance::run(&ctx, args).await,
        Command::AddReporter(args) => add_reporter::run(&ctx, args).await,
        Command::Call(args) => call::run(&ctx, args).await,
        Command::Read(args) => read::run(&ctx, args).await,
        Command::Limits => limits::run(&ctx).await,
        Command::Audit(args) => commands::audit::run(&ctx, args).await,
        Command::Vault => commands::vault::run(&ctx).await,
        Command::Market(args) => commands::market::run(&ctx, args).await,
        Command::Rent(args) => commands::rent::run(&ctx, args).await,
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn now_ms() -> anyhow::Result<u64> {
    Ok(u64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_parses() {
        let cli = Cli::try_parse_from(["compute-rwa", "--output", "json", "audit", "--deployment", "d.json"]).expect("parses");
        assert!(cli.output == Output::Json);
        assert_eq!(cli.deployment, PathBuf::from("d.json"), "--deployment is global: accepted after the subcommand");
        assert!(matches!(cli.command, Command::Audit(commands::audit::Args { epochs: 24 })));
        assert!(Cli::try_parse_from(["compute-rwa", "mint", "--to", "x"]).is_err(), "--gpu-hours is required");
        let call = Cli::try_parse_from(["compute-rwa", "call", "token", "PSP22::transfer", "x", "1", "[]"]).expect("parses");
        assert!(matches!(call.command, Command::Call(_)));
        assert!(Cli::try_parse_from(["compute-rwa", "call", "bank", "x"]).is_err(), "an unknown contract is refused by name");
        assert!(matches!(Cli::try_parse_from(["compute-rwa", "vault"]).expect("parses").command, Command::Vault));
        let post = Cli::try_parse_from(["compute-rwa", "market", "post", "sell", "--price", "2.5", "--gpu-hours", "10"]).expect("parses");
        assert!(matches!(post.command, Command::Market(_)));
        assert!(Cli::try_parse_from(["compute-rwa", "market", "post", "lend", "--price", "1", "--gpu-hours", "1"]).is_err(), "sell or buy");
        assert_eq!(Cli::try_parse_from(["compute-rwa", "limits"]).expect("parses").deployment, PathBuf::from("deployment.json"));
        let book = Cli::try_parse_from(["compute-rwa", "rent", "book", "8", "12", "3"]).expect("parses");
        assert!(matches!(book.command, Command::Rent(_)));
        assert!(Cli::try_parse_from(["compute-rwa", "rent", "quote", "8", "12"]).is_err(), "GPUs, start and epochs");
    }
}
