//! The market's rules: limit orders to sell or buy GPU-hour tokens for the stablecoin, kept in
//! two price-ordered books and per-maker lists, filled wholly or partly at the order's price,
//! and the volume traded per epoch. Plain Rust: the caller, the time and what a maker can pay
//! (read from the token or the stablecoin) come in as arguments; the market holds no asset, so
//! the ink! layer moves both legs after the books changed and any refusal reverts both.
//!
//! Prices are stablecoin units per GPU-hour (10^6 token units). What an order is worth is
//! rounded up (`cost`), and each fill pays the difference of the cost before and after it, so
//! the fills of an order add up to exactly the cost of the whole order, never a unit more or less.

use compute_rwa_common::{bps_of, mul_div_floor, EpochSchedule};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use ink::storage::Mapping;

/// Token units per GPU-hour (the GPU-hour token has 6 decimals): prices are per this many units.
pub const UNITS_PER_GPU_HOUR: u128 = 1_000_000;
/// Highest fee to the pool operator (bps of what the buyer pays): 10%.
pub const MAX_FEE_BPS: u16 = 1_000;
/// Most entries one paged read returns.
pub const MAX_PAGE: u32 = 50;

/// An order identifier (from 1, never reused).
pub type OrderId = u64;

compute_rwa_common::contract_error! {
    /// Why a market message was refused: every error of the contract, in one flat enum.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Error {
        /// The market is paused: no posting and no fills (cancelling and clearing stay open).
        Paused,
        /// Zero amount.
        ZeroAmount,
        /// Zero price.
        ZeroPrice,
        /// The order's expiry has passed (or, posting, is not in the future).
        Expired,
        /// No open order with this id.
        UnknownOrder,
        /// More than the order has left.
        ExceedsOrder,
        /// A maker cannot fill its own order.
        SelfTrade,
        /// The position given for a new order is not where its price belongs (the book moved):
        /// read the book again and post with the new position.
        StalePosition,
        /// Only the order's maker may cancel it.
        NotMaker,
        /// The order is live and funded: only its maker may remove it.
        NotClearable,
        /// The maker's balance or allowance to the market does not cover its open orders and this one.
        Unfunded,
        /// Fee above `MAX_FEE_BPS`.
        InvalidFee,
        /// The oracle has no such feed (constructor): the market counts volume in its epochs.
        UnknownFeed,
        /// Arithmetic would overflow.
        Overflow,
        /// The maker's leg failed: its balance or allowance no longer covers the order (anyone may clear it).
        MakerUnfunded,
        /// The taker's leg failed: its balance or allowance does not cover the fill.
        TakerUnfunded,
        /// The GPU-hour token refused the transfer (its compliance: a party unverified or frozen,
        /// a limit, the token paused); nothing moved.
        TokenRefused,
        /// The stablecoin refused a payment; nothing moved.
        PaymentRefused,
        /// Another contract could not be called, or trapped; nothing changed.
        CallFailed,
        /// The fee recipient cannot be the market itself (it would keep the fees, with no way out).
        InvalidRecipient,
        /// The fee this post or fill would pay is above the caller's `max_fee_bps` (the owner
        /// raised it since the caller read it); nothing changed.
        FeeAboveLimit,
    }
}

type R<T> = Result<T, Error>;

/// Which way an order trades the GPU-hour token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum Side {
    /// The maker sells tokens for the stablecoin (best: the lowest price).
    Sell,
    /// The maker buys tokens with the stablecoin (best: the highest price).
    Buy,
}

/// The neighbours of an order in one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Neighbours {
    pub prev: Option<OrderId>,
    pub next: Option<OrderId>,
}

/// An open order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Order {
    /// Who posted it.
    pub maker: AccountId,
    /// Sell or buy tokens.
    pub side: Side,
    /// Stablecoin units per GPU-hour.
    pub price: u128,
    /// Token units left to trade.
    pub amount: u128,
    /// From this time on (ms) it cannot be filled, and anyone may clear it.
    pub expiry: u64,
    /// The highest fee its fills pay (bps of what the buyer pays): the market's fee when it was
    /// posted. A lower fee set since applies; a higher one does not, so the owner cannot take
    /// more of a resting order than its maker accepted.
    pub fee_bps: u16,
    /// Its neighbours in its side's book: best price first, equal prices in posting order.
    pub book: Neighbours,
    /// Its neighbours among its maker's orders, newest first.
    pub mine: Neighbours,
}

impl Order {
    /// What the maker commits to the order: token units for a sale, stablecoin for a purchase.
    pub fn need(&self) -> R<u128> {
        match self.side {
            Side::Sell => Ok(self.amount),
            Side::Buy => cost(self.amount, self.price),
        }
    }
}

/// Stablecoin for `amount` token units at `price` per GPU-hour, rounded up.
pub fn cost(amount: u128, price: u128) -> R<u128> {
    let floor = mul_div_floor(amount, price, UNITS_PER_GPU_HOUR).ok_or(Error::Overflow)?;
    let exact = floor.checked_mul(UNITS_PER_GPU_HOUR) == amount.checked_mul(price);
    if exact { Ok(floor) } else { floor.checked_add(1).ok_or(Error::Overflow) }
}

/// What taking `amount` of an order with `left` units at `price` pays: the cost of what it had
/// less the cost of what it keeps, so the fills of an order add up to its whole cost.
pub fn fill_cost(left: u128, amount: u128, price: u128) -> R<u128> {
    let keeps = left.checked_sub(amount).ok_or(Error::ExceedsOrder)?;
    cost(left, price)?.checked_sub(cost(keeps, price)?).ok_or(Error::Overflow)
}

/// Where an order of `side` at `price` belongs in `book` (a page of that side from its top): right
/// after the last order at a better or equal price (`None`: at the top) — the position `post` takes.
pub fn place(book: &[(OrderId, Order)], side: Side, price: u128) -> Option<OrderId> {
    book.iter().take_while(|(_, o)| !better(side, price, o.price)).last().map(|(id, _)| *id)
}

/// Trading in one epoch of the pool's feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Volume {
    /// Token units traded.
    pub units: u128,
    /// Stablecoin paid for them (fees included): the volume-weighted price per GPU-hour is
    /// `notional × 10^6 ÷ units`.
    pub notional: u128,
    /// Fills.
    pub fills: u32,
}

/// What one fill moves: `amount` tokens from the seller to the buyer, `cost − fee` stablecoin
/// from the buyer to the seller and `fee` from the buyer to the fee recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fill {
    pub maker: AccountId,
    pub side: Side,
    pub price: u128,
    pub amount: u128,
    pub cost: u128,
    pub fee: u128,
    /// The order is used up (and gone).
    pub done: bool,
}

impl Fill {
    /// (seller, buyer) of a fill by `taker`.
    pub fn parties(&self, taker: AccountId) -> (AccountId, AccountId) {
        match self.side {
            Side::Sell => (self.maker, taker),
            Side::Buy => (taker, self.maker),
        }
    }
}

/// The order books, the makers' lists and the traded volume.
#[ink::storage_item]
#[derive(Debug)]
pub struct MarketData {
    schedule: EpochSchedule,
    fee_bps: u16,
    paused: bool,
    last_id: OrderId,
    best_sell: Option<OrderId>,
    best_buy: Option<OrderId>,
    orders: Mapping<OrderId, Order>,
    newest: Mapping<AccountId, OrderId>,
    /// What each maker has committed to its open orders per side (units to sell, stablecoin to buy).
    open: Mapping<(AccountId, Side), u128>,
    volume: Mapping<u64, Volume>,
}

impl MarketData {
    /// An empty market on `schedule` (the pool's feed), charging `fee_bps`.
    pub fn new(schedule: EpochSchedule, fee_bps: u16) -> R<Self> {
        if fee_bps > MAX_FEE_BPS {
            return Err(Error::InvalidFee);
        }
        Ok(Self {
            schedule,
            fee_bps,
            paused: false,
            last_id: 0,
            best_sell: None,
            best_buy: None,
            orders: Mapping::default(),
            newest: Mapping::default(),
            open: Mapping::default(),
            volume: Mapping::default(),
        })
    }

    // ---- reads -------------------------------------------------------------------------------

    pub fn schedule(&self) -> EpochSchedule {
        self.schedule
    }

    pub fn fee_bps(&self) -> u16 {
        self.fee_bps
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    /// The last id given to an order (0: none yet).
    pub fn last_id(&self) -> OrderId {
        self.last_id
    }

    pub fn order(&self, id: OrderId) -> Option<Order> {
        self.orders.get(id)
    }

    /// The best order of `side` (lowest sell, highest buy; the earliest at that price).
    pub fn best(&self, side: Side) -> Option<OrderId> {
        match side {
            Side::Sell => self.best_sell,
            Side::Buy => self.best_buy,
        }
    }

    /// What `maker` has committed to its open orders of `side`.
    pub fn open(&self, maker: AccountId, side: Side) -> u128 {
        self.open.get((maker, side)).unwrap_or_default()
    }

    /// Trading in `epoch`.
    pub fn volume(&self, epoch: u64) -> Volume {
        self.volume.get(epoch).unwrap_or_default()
    }

    /// Up to `limit` (at most `MAX_PAGE`) open orders starting at `from` (`None`: the start; to
    /// page on, pass the `next` of the last one returned): of `side`'s book in price order when
    /// `maker` is `None`, else `maker`'s orders, newest first.
    pub fn page(&self, side: Side, maker: Option<AccountId>, from: Option<OrderId>, limit: u32) -> Vec<(OrderId, Order)> {
        let mut next = from.or(match maker {
            Some(maker) => self.newest.get(maker),
            None => self.best(side),
        });
        let mut page = Vec::new();
        while let Some(id) = next.filter(|_| page.len() < limit.min(MAX_PAGE) as usize) {
            let Some(order) = self.orders.get(id) else { break };
            next = if maker.is_some() { order.mine.next } else { order.book.next };
            page.push((id, order));
        }
        page
    }

    // ---- orders ------------------------------------------------------------------------------

    /// Posts `maker`'s order of `amount` units at `price` until `expiry`, placed right after
    /// `after` in its side's book (`None`: at the top), where its price must belong: after
    /// every order at a better or equal price, before every worse one. `available` is the
    /// least of the maker's balance and allowance to the market in what the order commits (the
    /// token to sell, the stablecoin to buy); it must cover all its open orders of that side.
    /// The market's fee, which the order records as the most its fills pay, must be at most
    /// `max_fee_bps`, the fee the maker saw.
    #[allow(clippy::too_many_arguments)]
    pub fn post(&mut self, maker: AccountId, side: Side, price: u128, amount: u128, expiry: u64, after: Option<OrderId>, now: u64, available: u128, max_fee_bps: u16) -> R<OrderId> {
        if self.paused {
            return Err(Error::Paused);
        }
        if amount == 0 {
            return Err(Error::ZeroAmount);
        }
        if price == 0 {
            return Err(Error::ZeroPrice);
        }
        if expiry <= now {
            return Err(Error::Expired);
        }
        if self.fee_bps > max_fee_bps {
            return Err(Error::FeeAboveLimit);
        }
        // Every fill must be payable: the whole order's cost fits in a balance.
        cost(amount, price)?;
        let mut order = Order { maker, side, price, amount, expiry, fee_bps: self.fee_bps, book: Neighbours::default(), mine: Neighbours::default() };
        let committed = self.open(maker, side).checked_add(order.need()?).ok_or(Error::Overflow)?;
        if committed > available {
            return Err(Error::Unfunded);
        }
        // The position: `after` (same side, price better or equal) and the order after it
        // (strictly worse), so equal prices keep their posting order.
        let next = match after {
            None => self.best(side),
            Some(a) => {
                let above = self.orders.get(a).filter(|o| o.side == side && !better(side, price, o.price)).ok_or(Error::StalePosition)?;
                above.book.next
            }
        };
        if next.and_then(|n| self.orders.get(n)).is_some_and(|below| !better(side, price, below.price)) {
            return Err(Error::StalePosition);
        }
        let id = self.last_id.checked_add(1).ok_or(Error::Overflow)?;
        self.last_id = id;
        order.book = Neighbours { prev: after, next };
        order.mine = Neighbours { prev: None, next: self.newest.get(maker) };
        self.link(id, &order);
        self.orders.insert(id, &order);
        self.open.insert((maker, side), &committed);
        Ok(id)
    }

    /// `taker` takes `amount` units of order `id` at its price, paying a fee of at most
    /// `max_fee_bps`, the fee the taker saw: the order's, or a lower one set since.
    pub fn fill(&mut self, taker: AccountId, id: OrderId, amount: u128, now: u64, max_fee_bps: u16) -> R<Fill> {
        if self.paused {
            return Err(Error::Paused);
        }
        if amount == 0 {
            return Err(Error::ZeroAmount);
        }
        let mut order = self.orders.get(id).ok_or(Error::UnknownOrder)?;
        if order.maker == taker {
            return Err(Error::SelfTrade);
        }
        if now >= order.expiry {
            return Err(Error::Expired);
        }
        let fee_bps = order.fee_bps.min(self.fee_bps);
        if fee_bps > max_fee_bps {
            return Err(Error::FeeAboveLimit);
        }
        let left = order.amount.checked_sub(amount).ok_or(Error::ExceedsOrder)?;
        let paid = fill_cost(order.amount, amount, order.price)?;
        let fee = bps_of(paid, fee_bps).ok_or(Error::Overflow)?;
        let need = order.need()?;
        order.amount = left;
        let released = need.checked_sub(order.need()?).ok_or(Error::Overflow)?;
        let epoch = self.schedule.epoch_at(now);
        let mut volume = self.volume(epoch);
        volume.units = volume.units.checked_add(amount).ok_or(Error::Overflow)?;
        volume.notional = volume.notional.checked_add(paid).ok_or(Error::Overflow)?;
        volume.fills = volume.fills.saturating_add(1);
        self.volume.insert(epoch, &volume);
        self.release(order.maker, order.side, released)?;
        if left == 0 {
            self.unlink(&order);
            self.orders.remove(id);
        } else {
            self.orders.insert(id, &order);
        }
        Ok(Fill { maker: order.maker, side: order.side, price: order.price, amount, cost: paid, fee, done: left == 0 })
    }

    /// The maker withdraws its order `id`.
    pub fn cancel(&mut self, caller: AccountId, id: OrderId) -> R<Order> {
        let order = self.orders.get(id).ok_or(Error::UnknownOrder)?;
        if order.maker != caller {
            return Err(Error::NotMaker);
        }
        self.remove(id, order)
    }

    /// Anyone removes order `id` once it has expired or its maker's `available` (balance and
    /// allowance, read for the order's side) no longer covers what the order commits.
    pub fn clear(&mut self, id: OrderId, now: u64, available: impl FnOnce(&Order) -> R<u128>) -> R<Order> {
        let order = self.orders.get(id).ok_or(Error::UnknownOrder)?;
        if now < order.expiry && available(&order)? >= order.need()? {
            return Err(Error::NotClearable);
        }
        self.remove(id, order)
    }

    // ---- owner -------------------------------------------------------------------------------

    /// Sets the fee (bps of what the buyer pays, at most `MAX_FEE_BPS`).
    pub fn set_fee(&mut self, fee_bps: u16) -> R<()> {
        if fee_bps > MAX_FEE_BPS {
            return Err(Error::InvalidFee);
        }
        self.fee_bps = fee_bps;
        Ok(())
    }

    /// Pauses (`true`) or resumes posting and fills.
    pub fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
    }

    // ---- internals ---------------------------------------------------------------------------

    fn remove(&mut self, id: OrderId, order: Order) -> R<Order> {
        self.release(order.maker, order.side, order.need()?)?;
        self.unlink(&order);
        self.orders.remove(id);
        Ok(order)
    }

    fn release(&mut self, maker: AccountId, side: Side, amount: u128) -> R<()> {
        let left = self.open(maker, side).checked_sub(amount).ok_or(Error::Overflow)?;
        if left == 0 {
            self.open.remove((maker, side));
        } else {
            self.open.insert((maker, side), &left);
        }
        Ok(())
    }

    fn set_best(&mut self, side: Side, id: Option<OrderId>) {
        match side {
            Side::Sell => self.best_sell = id,
            Side::Buy => self.best_buy = id,
        }
    }

    /// Points the neighbours of `order` (its links already set) at `id`.
    fn link(&mut self, id: OrderId, order: &Order) {
        match order.book.prev {
            None => self.set_best(order.side, Some(id)),
            Some(prev) => self.relink(prev, |o| o.book.next = Some(id)),
        }
        if let Some(next) = order.book.next {
            self.relink(next, |o| o.book.prev = Some(id));
        }
        self.newest.insert(order.maker, &id);
        if let Some(next) = order.mine.next {
            self.relink(next, |o| o.mine.prev = Some(id));
        }
    }

    /// Joins the neighbours of `order` around it.
    fn unlink(&mut self, order: &Order) {
        let (book, mine) = (order.book, order.mine);
        match book.prev {
            None => self.set_best(order.side, book.next),
            Some(prev) => self.relink(prev, |o| o.book.next = book.next),
        }
        if let Some(next) = book.next {
            self.relink(next, |o| o.book.prev = book.prev);
        }
        match (mine.prev, mine.next) {
            (None, None) => self.newest.remove(order.maker),
            (None, Some(next)) => {
                self.newest.insert(order.maker, &next);
            }
            (Some(prev), _) => self.relink(prev, |o| o.mine.next = mine.next),
        }
        if let Some(next) = mine.next {
            self.relink(next, |o| o.mine.prev = mine.prev);
        }
    }

    fn relink(&mut self, id: OrderId, change: impl FnOnce(&mut Order)) {
        if let Some(mut order) = self.orders.get(id) {
            change(&mut order);
            self.orders.insert(id, &order);
        }
    }
}

/// Whether `price` is strictly better than `than` for an order of `side`.
fn better(side: Side, price: u128, than: u128) -> bool {
    match side {
        Side::Sell => price < than,
        Side::Buy => price > than,
    }
}
