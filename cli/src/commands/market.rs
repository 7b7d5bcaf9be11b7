//! `market`: the GPU-hour market's books and volume, and posting, filling and cancelling orders
//! as the signer (each approves the market for what it commits or gives first).
use super::Ctx;
use crate::audit::usd;
use crate::chain::{AccountId, Chain};
use crate::deployment::ContractName;
use crate::ops::{format_units, parse_units};
use crate::value::{field, option, seq, tuple, uint, uint_field, Value};
use anyhow::{anyhow, Result};
use gpu_market::market::{cost, fill_cost, MAX_PAGE};
use serde::Serialize;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Both books, best first, and the volume and average price of the last epochs
    Book {
        /// Orders shown per side
        #[arg(long, default_value_t = 10)]
        depth: u32,
    },
    /// Post an order where its price belongs (approving the market for what it commits)
    Post {
        /// sell or buy GPU-hour tokens
        #[arg(value_enum)]
        side: Side,
        /// Price in USDC per GPU-hour, up to 6 decimals
        #[arg(long)]
        price: String,
        /// Amount in GPU-hours, up to 6 decimals
        #[arg(long)]
        gpu_hours: String,
        /// How long the order stays open (minutes)
        #[arg(long, default_value_t = 60)]
        minutes: u64,
        /// The most fee (bps) its fills may pay; default: the market's fee read before anything
        /// is sent (`market book` shows it), so a fee raised after that refuses the post
        #[arg(long)]
        max_fee_bps: Option<u16>,
    },
    /// Take (part of) an order at its price (approving the market for what you give)
    Fill {
        /// The order's id
        id: u64,
        /// Amount in GPU-hours, up to 6 decimals
        #[arg(long)]
        gpu_hours: String,
        /// The most fee (bps) the fill may pay; default: the order's fee read before anything is
        /// sent (its own, or the market's if lower; `market book` shows it), so a fee raised
        /// after that refuses the fill
        #[arg(long)]
        max_fee_bps: Option<u16>,
    },
    /// Withdraw one of your orders
    Cancel {
        /// The order's id
        id: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Side {
    Sell,
    Buy,
}

impl Side {
    fn arg(self) -> &'static str {
        match self {
            Side::Sell => "Sell",
            Side::Buy => "Buy",
        }
    }

    /// What an order of this side commits and a taker of it receives: the token to sell, the
    /// stablecoin to buy with.
    fn asset(self) -> ContractName {
        match self {
            Side::Sell => ContractName::Token,
            Side::Buy => ContractName::Stablecoin,
        }
    }
}

/// One line of the report.
#[derive(Debug, Serialize)]
pub struct Row {
    pub section: String,
    pub id: String,
    pub price: String,
    pub amount: String,
    pub detail: String,
}

pub async fn run(ctx: &Ctx, args: &Args) -> Result<bool> {
    let (chain, record) = ctx.open().await?;
    let market = record.contracts.get(ContractName::Market)?.account()?;
    let address = |name| record.contracts.get(name).and_then(|d| d.account());
    let mut rows = Vec::new();
    match &args.command {
        Command::Book { depth } => book(&chain, &market, *depth, &mut rows).await?,
        Command::Post { side, price, gpu_hours, minutes, max_fee_bps } => {
            let (price, units) = (parse_units(price, 6)?, parse_units(gpu_hours, 6)?);
            let need = if *side == Side::Sell { units } else { cost(units, price).map_err(|e| anyhow!("{e:?}"))? };
            // The fee first: read after the approval, it would follow a raise the approval
            // announced (review 11, second review).
            let fee = match max_fee_bps {
                Some(fee) => *fee,
                None => market_fee(&chain, &market).await?,
            };
            approve_beside_open(&chain, &market, &address(side.asset())?, *side, need).await?;
            let after = place(&chain, &market, *side, price).await?;
            let expiry = crate::now_ms()?.saturating_add(minutes.saturating_mul(60_000));
            let after = after.map_or("None".into(), |id| format!("Some({id})"));
            let posted = chain.submit(ContractName::Market, &market, "post", &[side.arg().into(), price.to_string(), units.to_string(), expiry.to_string(), after, fee.to_string()]).await?;
            let id = uint(&posted.value)?;
            rows.push(line("posted", id, price, units, format!("{:?} until {expiry} ms, fee at most {} bps; events {}", side, fee, posted.events.join(", "))));
        }
        Command::Fill { id, gpu_hours, max_fee_bps } => {
            let units = parse_units(gpu_hours, 6)?;
            let order = option(&chain.read(ContractName::Market, &market, "order", &[id.to_string()]).await?).cloned().ok_or_else(|| anyhow!("no open order {id}"))?;
            let price = uint_field(&order, "price")?;
            // A sell order is filled by paying for it (what the signer's buy orders give); a buy
            // order by delivering the tokens (what its sell orders give).
            let (mine, give) = if variant(field(&order, "side")?) == "Sell" {
                let left = uint_field(&order, "amount")?;
                (Side::Buy, fill_cost(left, units.min(left), price).map_err(|e| anyhow!("{e:?}"))?)
            } else {
                (Side::Sell, units)
            };
            let fee = match max_fee_bps {
                Some(fee) => *fee,
                None => fill_fee(&order, market_fee(&chain, &market).await?)?,
            };
            approve_beside_open(&chain, &market, &address(mine.asset())?, mine, give).await?;
            let filled = chain.submit(ContractName::Market, &market, "fill", &[id.to_string(), units.to_string(), fee.to_string()]).await?;
            rows.push(line("filled", *id as u128, price, units, format!("paid {}, fee at most {} bps; events {}", usd(uint(&filled.value)?), fee, filled.events.join(", "))));
        }
        Command::Cancel { id } => {
            let cancelled = chain.submit(ContractName::Market, &market, "cancel", &[id.to_string()]).await?;
            rows.push(line("cancelled", *id as u128, 0, 0, cancelled.events.join(", ")));
        }
    }
    let table: Vec<_> = rows.iter().map(|r| vec![r.section.clone(), r.id.clone(), r.price.clone(), r.amount.clone(), r.detail.clone()]).collect();
    ctx.output.print(&["section", "order", "USDC per GPU-h", "GPU-h", "detail"], &table, &rows);
    Ok(true)
}

fn line(section: &str, id: u128, price: u128, units: u128, detail: String) -> Row {
    Row { section: section.into(), id: id.to_string(), price: format_units(price, 6), amount: format_units(units, 6), detail }
}

/// An enum value's variant name.
fn variant(value: &Value) -> String {
    match value {
        Value::Tuple(t) => t.ident().unwrap_or_default(),
        other => crate::value::text(other),
    }
}

/// The market's fee now (bps), which a new order records as the most its fills pay.
async fn market_fee(chain: &Chain, market: &AccountId) -> Result<u16> {
    fee_of(&chain.read(ContractName::Market, market, "state", &[]).await?)
}

/// The fee (bps) in a `state` or an `order`.
fn fee_of(value: &Value) -> Result<u16> {
    Ok(u16::try_from(uint_field(value, "fee_bps")?)?)
}

/// The fee (bps) a fill of `order` pays under the market's fee: the order's own, or the market's
/// if lower (the contract's `fill`).
fn fill_fee(order: &Value, market_fee: u16) -> Result<u16> {
    Ok(fee_of(order)?.min(market_fee))
}

/// Sets the signer's allowance to the market of the asset its `side` orders give (at `address`)
/// to `amount` more than those open orders commit: an approval replaces the allowance that also
/// backs them, and approving `amount` alone would leave them unfunded, for anyone to clear
/// (review 11, L2).
async fn approve_beside_open(chain: &Chain, market: &AccountId, address: &AccountId, side: Side, amount: u128) -> Result<()> {
    let open = uint(&chain.read(ContractName::Market, market, "open", &[chain.signer_account().to_string(), side.arg().into()]).await?)?;
    chain.submit(side.asset(), address, "PSP22::approve", &[market.to_string(), open.saturating_add(amount).to_string()]).await?;
    Ok(())
}

/// Pages of `side`'s book from the top, `limit` at a time, until `stop` says so.
async fn walk(chain: &Chain, market: &AccountId, side: Side, mut stop: impl FnMut(u64, &Value) -> Result<bool>) -> Result<()> {
    let mut from = "None".to_string();
    loop {
        let page = chain.read(ContractName::Market, market, "page", &[side.arg().into(), "None".into(), from.clone(), MAX_PAGE.to_string()]).await?;
        let entries = seq(&page)?;
        let mut next = None;
        for entry in entries {
            let pair = tuple(entry)?;
            let (id, order) = (pair.first().ok_or_else(|| anyhow!("page entry"))?, *pair.get(1).ok_or_else(|| anyhow!("page entry"))?);
            if stop(u64::try_from(uint(id)?)?, order)? {
                return Ok(());
            }
            next = option(field(field(order, "book")?, "next")?).map(uint).transpose()?;
        }
        match next {
            Some(id) if entries.len() == MAX_PAGE as usize => from = format!("Some({id})"),
            _ => return Ok(()),
        }
    }
}

/// Where an order of `side` at `price` belongs: right after the last order at a better or equal
/// price (`None`: at the top).
async fn place(chain: &Chain, market: &AccountId, side: Side, price: u128) -> Result<Option<u64>> {
    let mut after = None;
    walk(chain, market, side, |id, order| {
        let theirs = uint_field(order, "price")?;
        let ahead = if side == Side::Sell { theirs <= price } else { theirs >= price };
        if ahead {
            after = Some(id);
        }
        Ok(!ahead)
    })
    .await?;
    Ok(after)
}

async fn book(chain: &Chain, market: &AccountId, depth: u32, rows: &mut Vec<Row>) -> Result<()> {
    let state = chain.read(ContractName::Market, market, "state", &[]).await?;
    let fee = fee_of(&state)?;
    for side in [Side::Sell, Side::Buy] {
        let mut shown = 0;
        walk(chain, market, side, |id, order| {
            let detail = format!("maker {}, until {} ms, fee {} bps", crate::value::account(field(order, "maker")?)?, uint_field(order, "expiry")?, fill_fee(order, fee)?);
            rows.push(line(if side == Side::Sell { "sell" } else { "buy" }, u128::from(id), uint_field(order, "price")?, uint_field(order, "amount")?, detail));
            shown += 1;
            Ok(shown >= depth)
        })
        .await?;
    }
    let epoch = uint_field(&state, "epoch")?;
    let from = epoch.saturating_sub(11);
    for epoch in from..=epoch {
        let v = chain.read(ContractName::Market, market, "volume", &[epoch.to_string()]).await?;
        let (units, notional) = (uint_field(&v, "units")?, uint_field(&v, "notional")?);
        if units > 0 {
            // Volume-weighted price per GPU-hour: notional × 10^6 ÷ units.
            let average = notional.saturating_mul(1_000_000) / units;
            let detail = format!("epoch {epoch}: {} fills, {} paid", uint_field(&v, "fills")?, usd(notional));
            rows.push(line("volume", 0, average, units, detail));
        }
    }
    rows.push(line("fee", 0, 0, 0, format!("{fee} bps to {}", crate::value::account(field(&state, "fee_recipient")?)?)));
    Ok(())
}
