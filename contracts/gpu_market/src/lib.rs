//! GPU-hour market, one per GPU-hour token: makers post limit orders to sell or buy the token
//! for the stablecoin; takers fill any order by id, wholly or partly, at its price. The market
//! holds nothing: a maker approves it, and a fill moves both legs in one message — the tokens
//! through the token's own `transfer_from` (so the token's compliance decides: both parties
//! verified, not frozen, within limits) and the payment through the stablecoin's — or neither
//! (delivery versus payment). The volume and notional traded per epoch of the pool's feed are
//! readable on chain, for auditors and the credit vault to compare with the pool's valuation.
//!
//! The rules live in `market`; this module adds access checks, the reads of what a maker can
//! pay, the two legs and events. Checks-effects-interactions: the books change first, calls
//! come last, and any refusal reverts the whole message, both legs included.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// See compute-rwa-common: clippy 1.85 false positive inside `#[ink::scale_derive]`.
#![allow(clippy::cast_possible_truncation)]

pub mod market;

#[cfg(test)]
mod market_tests;

#[ink::contract]
pub mod gpu_market {
    use crate::market::{MarketData, Order, OrderId, Side, Volume};
    use compute_rwa_common::{Access, AccessError, EpochSchedule, Ownable2Step};
    use compute_rwa_common::calls::{raw, read, CallError};
    use ink::prelude::vec::Vec;

    pub use crate::market::Error;

    /// An order was posted.
    #[ink(event)]
    pub struct OrderPosted {
        pub id: OrderId,
        #[ink(topic)]
        pub maker: AccountId,
        pub side: Side,
        pub price: u128,
        pub amount: u128,
        pub expiry: u64,
        /// The most its fills pay in fees (bps of what the buyer pays): the market's fee now.
        pub fee_bps: u16,
    }

    /// An order left the book before it was used up: cancelled by its maker, or cleared by
    /// `by` once expired or no longer funded.
    #[ink(event)]
    pub struct OrderRemoved {
        pub id: OrderId,
        #[ink(topic)]
        pub maker: AccountId,
        pub by: AccountId,
        /// Token units it had left.
        pub amount: u128,
    }

    /// A fill in `epoch`: `amount` token units from the seller to the buyer for `cost`
    /// stablecoin, of which `fee` went to the fee recipient.
    #[ink(event)]
    pub struct Filled {
        pub id: OrderId,
        #[ink(topic)]
        pub maker: AccountId,
        #[ink(topic)]
        pub taker: AccountId,
        pub side: Side,
        pub price: u128,
        pub amount: u128,
        pub cost: u128,
        pub fee: u128,
        pub epoch: u64,
    }

    /// The owner set the fee and its recipient.
    #[ink(event)]
    pub struct FeeSet {
        pub fee_bps: u16,
        pub recipient: AccountId,
    }

    /// The owner paused (`paused`) or resumed posting and fills.
    #[ink(event)]
    pub struct PausedSet {
        pub paused: bool,
    }

    /// The market's settings and book tops, in one read (`state`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct MarketState {
        /// The GPU-hour token traded.
        pub token: AccountId,
        /// The stablecoin it is paid in.
        pub stablecoin: AccountId,
        /// The pool feed's epochs, which volume is counted in.
        pub schedule: EpochSchedule,
        /// Fee (bps of what the buyer pays) and who receives it (the pool's operator).
        pub fee_bps: u16,
        pub fee_recipient: AccountId,
        /// Posting and fills stopped.
        pub paused: bool,
        /// The last order id given (0: none yet).
        pub last_id: OrderId,
        /// The best sell (lowest price) and buy (highest) orders.
        pub best_sell: Option<OrderId>,
        pub best_buy: Option<OrderId>,
        /// The epoch now.
        pub epoch: u64,
    }

    #[ink(storage)]
    pub struct GpuMarket {
        data: MarketData,
        token: AccountId,
        stablecoin: AccountId,
        fee_recipient: AccountId,
        access: Access,
    }

    impl GpuMarket {
        /// A market in `token` for `stablecoin`, counting volume in the epochs of `oracle`'s
        /// feed `feed`, with `fee_bps` (≤ 10%) of every payment to `fee_recipient`. The caller
        /// is its owner.
        #[ink(constructor)]
        pub fn new(token: AccountId, stablecoin: AccountId, oracle: AccountId, feed: u32, fee_bps: u16, fee_recipient: AccountId) -> Result<Self, Error> {
            let schedule: Option<EpochSchedule> = read(oracle, ink::selector_bytes!("UtilizationFeed::schedule"), feed)?;
            let schedule = schedule.ok_or(Error::UnknownFeed)?;
            if fee_recipient == Self::env().account_id() {
                return Err(Error::InvalidRecipient);
            }
            Ok(Self { data: MarketData::new(schedule, fee_bps)?, token, stablecoin, fee_recipient, access: Access::new(Self::env().caller()) })
        }

        // ---- orders ------------------------------------------------------------------------

        /// Posts an order to `side` `amount` token units at `price` stablecoin units per GPU-hour
        /// (10^6 units) until `expiry` (ms), placed in the book right after order `after`
        /// (`None`: at the top; read `page` for where its price belongs). The caller must have
        /// approved the market for, and hold, what all its open orders of that side commit: the
        /// tokens to sell, or the stablecoin to buy. The order's fills pay at most the market's
        /// fee now, which must not exceed `max_fee_bps` (pass the fee you read in `state`; a fee
        /// raised since is refused with `FeeAboveLimit`). Returns the order's id.
        #[ink(message)]
        pub fn post(&mut self, side: Side, price: u128, amount: u128, expiry: u64, after: Option<OrderId>, max_fee_bps: u16) -> Result<OrderId, Error> {
            let maker = self.env().caller();
            let available = self.available(side, maker)?;
            let id = self.data.post(maker, side, price, amount, expiry, after, self.now(), available, max_fee_bps)?;
            let fee_bps = self.data.fee_bps();
            self.env().emit_event(OrderPosted { id, maker, side, price, amount, expiry, fee_bps });
            Ok(id)
        }

        /// Takes `amount` token units of order `id` at its price: the seller's tokens go to the
        /// buyer and the buyer's stablecoin to the seller (less the fee, to the fee recipient),
        /// both or neither. Approve the market first for what you give (the tokens you sell into
        /// a buy order, or the stablecoin you pay for a sell order). The fee is the lower of the
        /// order's `fee_bps` and the market's, and must not exceed `max_fee_bps` (pass the fee
        /// you were shown; a fee raised since is refused with `FeeAboveLimit`). Returns the
        /// stablecoin paid.
        #[ink(message)]
        pub fn fill(&mut self, id: OrderId, amount: u128, max_fee_bps: u16) -> Result<u128, Error> {
            let taker = self.env().caller();
            let now = self.now();
            let fill = self.data.fill(taker, id, amount, now, max_fee_bps)?;
            let (seller, buyer) = fill.parties(taker);
            let unfunded = |party: AccountId| if party == fill.maker { Error::MakerUnfunded } else { Error::TakerUnfunded };
            transfer_from(self.token, (seller, buyer, fill.amount), unfunded(seller), Error::TokenRefused)?;
            let to_seller = fill.cost.checked_sub(fill.fee).ok_or(Error::Overflow)?;
            for (to, value) in [(seller, to_seller), (self.fee_recipient, fill.fee)] {
                if value > 0 {
                    transfer_from(self.stablecoin, (buyer, to, value), unfunded(buyer), Error::PaymentRefused)?;
                }
            }
            let epoch = self.data.schedule().epoch_at(now);
            self.env().emit_event(Filled {
                id,
                maker: fill.maker,
                taker,
                side: fill.side,
                price: fill.price,
                amount: fill.amount,
                cost: fill.cost,
                fee: fill.fee,
                epoch,
            });
            Ok(fill.cost)
        }

        /// Withdraws the caller's order `id`.
        #[ink(message)]
        pub fn cancel(&mut self, id: OrderId) -> Result<(), Error> {
            let by = self.env().caller();
            let order = self.data.cancel(by, id)?;
            self.env().emit_event(OrderRemoved { id, maker: order.maker, by, amount: order.amount });
            Ok(())
        }

        /// Removes order `id` once it has expired or its maker's balance or allowance no longer
        /// covers it. Anyone may call.
        #[ink(message)]
        pub fn clear(&mut self, id: OrderId) -> Result<(), Error> {
            let now = self.now();
            let (token, stablecoin, market) = (self.token, self.stablecoin, self.env().account_id());
            let order = self.data.clear(id, now, |order: &Order| {
                let asset = if order.side == Side::Sell { token } else { stablecoin };
                available(asset, order.maker, market)
            })?;
            self.env().emit_event(OrderRemoved { id, maker: order.maker, by: self.env().caller(), amount: order.amount });
            Ok(())
        }

        // ---- owner -------------------------------------------------------------------------

        /// Sets the fee (bps of every payment, at most 1,000) and who receives it (not the
        /// market). A higher fee applies only to orders posted after it; a lower one to every
        /// order. Owner only.
        #[ink(message)]
        pub fn set_fee(&mut self, fee_bps: u16, recipient: AccountId) -> Result<(), Error> {
            self.access.ensure_owner(self.env().caller())?;
            if recipient == self.env().account_id() {
                return Err(Error::InvalidRecipient);
            }
            self.data.set_fee(fee_bps)?;
            self.fee_recipient = recipient;
            self.env().emit_event(FeeSet { fee_bps, recipient });
            Ok(())
        }

        /// Pauses (`true`) or resumes posting and fills; cancelling and clearing stay open.
        /// Owner only.
        #[ink(message)]
        pub fn set_paused(&mut self, paused: bool) -> Result<(), Error> {
            self.access.ensure_owner(self.env().caller())?;
            self.data.set_paused(paused);
            self.env().emit_event(PausedSet { paused });
            Ok(())
        }

        // ---- reads -------------------------------------------------------------------------

        /// Settings, book tops and the epoch now.
        #[ink(message)]
        pub fn state(&self) -> MarketState {
            MarketState {
                token: self.token,
                stablecoin: self.stablecoin,
                schedule: self.data.schedule(),
                fee_bps: self.data.fee_bps(),
                fee_recipient: self.fee_recipient,
                paused: self.data.paused(),
                last_id: self.data.last_id(),
                best_sell: self.data.best(Side::Sell),
                best_buy: self.data.best(Side::Buy),
                epoch: self.data.schedule().epoch_at(self.now()),
            }
        }

        /// Open order `id` (`None`: filled, cancelled, cleared or never posted).
        #[ink(message)]
        pub fn order(&self, id: OrderId) -> Option<Order> {
            self.data.order(id)
        }

        /// Up to `limit` (≤ 50) open orders from `from` (`None`: the start; to page on, pass
        /// the last one's `next`): `side`'s book in price order (best first, equal prices in
        /// posting order), or with `maker` that maker's orders of either side, newest first.
        #[ink(message)]
        pub fn page(&self, side: Side, maker: Option<AccountId>, from: Option<OrderId>, limit: u32) -> Vec<(OrderId, Order)> {
            self.data.page(side, maker, from, limit)
        }

        /// What `maker` has committed to its open orders of `side` (token units to sell,
        /// stablecoin to buy).
        #[ink(message)]
        pub fn open(&self, maker: AccountId, side: Side) -> u128 {
            self.data.open(maker, side)
        }

        /// Volume, notional and fills in `epoch` of the pool's feed (the volume-weighted price per
        /// GPU-hour is `notional × 10^6 ÷ units`).
        #[ink(message)]
        pub fn volume(&self, epoch: u64) -> Volume {
            self.data.volume(epoch)
        }

        // ---- internal ----------------------------------------------------------------------

        fn now(&self) -> u64 {
            self.env().block_timestamp()
        }

        /// What `maker` can commit to orders of `side`: the least of its balance and its
        /// allowance to the market, in the token to sell or the stablecoin to buy with.
        fn available(&self, side: Side, maker: AccountId) -> Result<u128, Error> {
            let asset = if side == Side::Sell { self.token } else { self.stablecoin };
            available(asset, maker, self.env().account_id())
        }
    }

    /// The least of `owner`'s balance of `asset` and its allowance to `market`.
    fn available(asset: AccountId, owner: AccountId, market: AccountId) -> Result<u128, Error> {
        let balance: u128 = read(asset, ink::selector_bytes!("PSP22::balance_of"), owner)?;
        let allowance: u128 = read(asset, ink::selector_bytes!("PSP22::allowance"), (owner, market))?;
        Ok(balance.min(allowance))
    }

    /// `PSP22::transfer_from(from, to, value)` on `asset` as the market: the payer short of
    /// balance or allowance is `unfunded`, any other refusal of the asset `refusal`.
    fn transfer_from(asset: AccountId, (from, to, value): (AccountId, AccountId, u128), unfunded: Error, refusal: Error) -> Result<(), Error> {
        let answer = raw(asset, ink::selector_bytes!("PSP22::transfer_from"), (from, to, value, Vec::<u8>::new()))?;
        // `Result<(), PSP22Error>`: exactly `[0]` (Ok; more bytes after it are no PSP22 answer,
        // review 14), or 1 and the error's variant (1: InsufficientBalance, 2:
        // InsufficientAllowance; the others are the asset's own refusals).
        match answer.as_slice() {
            [0] => Ok(()),
            [1, 1 | 2] => Err(unfunded),
            [1, _, ..] => Err(refusal),
            _ => Err(Error::CallFailed),
        }
    }

    impl From<CallError> for Error {
        fn from(_: CallError) -> Self {
            Error::CallFailed
        }
    }

    impl Ownable2Step for GpuMarket {
        #[ink(message)]
        fn owner(&self) -> AccountId {
            self.access.owner()
        }

        #[ink(message)]
        fn pending_owner(&self) -> Option<AccountId> {
            self.access.pending_owner()
        }

        #[ink(message)]
        fn transfer_ownership(&mut self, new_owner: Option<AccountId>) -> Result<(), AccessError> {
            let event = self.access.propose(self.env().caller(), new_owner)?;
            self.env().emit_event(event);
            Ok(())
        }

        #[ink(message)]
        fn accept_ownership(&mut self) -> Result<(), AccessError> {
            let event = self.access.accept(self.env().caller())?;
            self.env().emit_event(event);
            Ok(())
        }
    }
}
