//! `rent`: demand-priced rentals — the escrow's exact quote for a booking, booking at that quote
//! (approving the escrow for exactly its deposit), and the forward curve of compute.
use super::Ctx;
use crate::audit::usd;
use crate::chain::Chain;
use crate::deployment::ContractName;
use crate::ops::format_units;
use crate::value::{option, seq, uint, uint_field, Value};
use anyhow::Result;
use serde::Serialize;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

/// A booking: `gpus` GPUs for `epochs` epochs from epoch `start`.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct Booking {
    /// GPUs per epoch
    gpus: u32,
    /// First epoch (a future one)
    start: u64,
    /// Number of epochs
    epochs: u32,
}

impl Booking {
    fn args(&self) -> Vec<String> {
        vec![self.gpus.to_string(), self.start.to_string(), self.epochs.to_string()]
    }
}

#[derive(clap::Subcommand)]
enum Command {
    /// The exact deposit for a booking now, and the highest price per GPU-hour it pays
    Quote(Booking),
    /// Book at the quote: approve the escrow for its deposit and open the rental with it as the
    /// limit, refused (nothing taken) if bookings or a new offer raised the price since
    Book(Booking),
    /// The forward curve: the price of one more GPU-hour in each coming epoch
    Curve {
        /// First epoch [default: the next one]
        #[arg(long)]
        from: Option<u64>,
        /// Number of epochs (at most 256)
        #[arg(long, default_value_t = 12)]
        epochs: u32,
    },
}

/// One line of the report.
#[derive(Debug, Serialize)]
pub struct Row {
    pub what: String,
    pub epoch: String,
    pub price: String,
    pub detail: String,
}

fn line(what: &str, epoch: impl ToString, price: Option<u128>, detail: String) -> Row {
    Row { what: what.into(), epoch: epoch.to_string(), price: price.map_or_else(|| "full".into(), |p| format_units(p, 6)), detail }
}

pub async fn run(ctx: &Ctx, args: &Args) -> Result<bool> {
    let (chain, record) = ctx.open().await?;
    let escrow = record.contracts.rental_escrow.account()?;
    let mut rows = Vec::new();
    match &args.command {
        Command::Quote(booking) => {
            let quote = chain.read(ContractName::Escrow, &escrow, "quote", &booking.args()).await?;
            rows.push(quoted("quote", booking, &quote)?);
        }
        Command::Book(booking) => {
            let quote = chain.read(ContractName::Escrow, &escrow, "quote", &booking.args()).await?;
            let deposit = uint_field(&quote, "deposit")?;
            rows.push(quoted("quote", booking, &quote)?);
            let coin = record.contracts.stablecoin.account()?;
            chain.submit(ContractName::Stablecoin, &coin, "PSP22::approve", &[escrow.to_string(), deposit.to_string()]).await?;
            let mut open = booking.args();
            open.push(deposit.to_string());
            let opened = chain.submit(ContractName::Escrow, &escrow, "open", &open).await?;
            let id = uint(&opened.value)?;
            let rental = chain.read(ContractName::Escrow, &escrow, "rental", &[id.to_string()]).await?;
            let deposited = uint_field(crate::value::field(&rental, "ledger")?, "deposited")?;
            rows.push(line("booked", booking.start, Some(uint_field(&quote, "top_price")?), format!("rental {id}: deposited {}; events {}", usd(deposited), opened.events.join(", "))));
        }
        Command::Curve { from, epochs } => {
            let from = match from {
                Some(epoch) => *epoch,
                None => next_epoch(&chain, &record, &escrow).await?,
            };
            let curve = chain.read(ContractName::Escrow, &escrow, "forward_curve", &[from.to_string(), epochs.to_string()]).await?;
            for (epoch, price) in (from..).zip(prices(&curve)?) {
                let booked = uint(&chain.read(ContractName::Escrow, &escrow, "booked_gpus", &[epoch.to_string()]).await?)?;
                rows.push(line("forward", epoch, price, format!("{booked} GPUs booked")));
            }
        }
    }
    let table: Vec<_> = rows.iter().map(|r| vec![r.what.clone(), r.epoch.clone(), r.price.clone(), r.detail.clone()]).collect();
    ctx.output.print(&["", "epoch", "USDC per GPU-h", "detail"], &table, &rows);
    Ok(true)
}

fn quoted(what: &str, booking: &Booking, quote: &Value) -> Result<Row> {
    let detail = format!("{} GPUs × {} epochs: deposit {}", booking.gpus, booking.epochs, usd(uint_field(quote, "deposit")?));
    Ok(line(what, booking.start, Some(uint_field(quote, "top_price")?), detail))
}

/// The forward curve's prices (`None`: the epoch is fully booked).
pub fn prices(curve: &Value) -> Result<Vec<Option<u128>>> {
    seq(curve)?.iter().map(|price| option(price).map(uint).transpose()).collect()
}

/// The epoch after the current one on the escrow's feed.
async fn next_epoch(chain: &Chain, record: &crate::deployment::Deployment, escrow: &crate::chain::AccountId) -> Result<u64> {
    let feed = uint_field(&chain.read(ContractName::Escrow, escrow, "config", &[]).await?, "feed")?;
    let oracle = record.contracts.utilization_oracle.account()?;
    let current = uint(&chain.read(ContractName::Oracle, &oracle, "current_epoch", &[feed.to_string()]).await?)?;
    Ok(u64::try_from(current)?.saturating_add(1))
}
