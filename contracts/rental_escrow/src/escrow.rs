//! The escrow's state machine: offers, rentals, per-epoch settlement, refunds, SLA
//! credits, timeouts, cancellations, disputes and withdrawals. No ink! environment here:
//! callers pass in who, when and what the oracle answered (its epoch schedule, finalized figures).
//!
//! Money only moves between named buckets, so the books always balance:
//! every rental's `deposited == released + fees + refunded + held`, and the escrow's
//! stablecoin balance equals Σ held + Σ refundable (renters) + unwithdrawn operator fees
//! + yield released to holders but not yet handed to the token (`Totals::obligations`).
//!
//! Every operation either succeeds or returns an error having changed nothing.

use compute_rwa_common::{bps_of, mul_div_floor, CallError, DistributeError, EpochSchedule, Finalized, Role, BPS, MS_PER_HOUR};
use psp22::PSP22Error;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use ink::storage::{Lazy, Mapping};

/// Epoch number of the oracle feed the escrow settles on.
pub type Epoch = u64;
/// Rental identifier, from 0.
pub type RentalId = u64;

/// Longest rental in epochs (bounds the capacity loop of `open`/`extend`/`cancel`).
pub const MAX_RENTAL_EPOCHS: u32 = 256;
/// Most SLA credit tiers.
pub const MAX_SLA_TIERS: usize = 4;
/// A pricing curve's last GPU costs at most this many times its first.
pub const MAX_PRICE_RANGE: u128 = 10;

/// Fixed parameters, set at deployment. The epoch schedule and pool size come from the
/// oracle feed (`EpochSchedule`), never from a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct EscrowConfig {
    /// The oracle feed settled on.
    pub feed: u32,
    /// Operator's cut of released rent (bps).
    pub operator_fee_bps: u16,
    /// After an epoch ends, how long the oracle has to finalize it before it can be refunded
    /// (ms; at least the feed's report window).
    pub grace_period: u64,
    /// After an epoch ends, how long renter or operator may dispute it (ms).
    pub dispute_window: u64,
    /// After the dispute window, how long the arbiter has to resolve a dispute (ms, > 0). Past
    /// it, anyone settles the disputed epoch like an undisputed one (oracle figures, or a refund
    /// after the grace period), so a lost or absent arbiter cannot lock the deposit.
    pub arbitration_period: u64,
}

/// One SLA credit tier: uptime below `below_bps` earns `credit_bps` of the epoch's payment back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct SlaTier {
    /// Uptime threshold (bps).
    pub below_bps: u16,
    /// Credit (bps of the payment).
    pub credit_bps: u16,
}

/// The operator's terms for new rentals. The price of a GPU-hour rises with the share of the
/// epoch's GPUs already booked (a kinked curve: gentle below `kink_gpus`, steep above), so each
/// GPU of a booking pays the price at the bookings before it; flat when both slopes are zero.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Offer {
    /// Stablecoin units per GPU-hour for the first GPU of an epoch (the curve's base).
    pub price_per_gpu_hour: u128,
    /// Shortest rental (epochs).
    pub min_epochs: u32,
    /// Longest rental (epochs, at most `MAX_RENTAL_EPOCHS`).
    pub max_epochs: u32,
    /// GPUs rentable per epoch (at most the pool's GPUs).
    pub available_gpus: u32,
    /// Credit tiers; the lowest matching threshold applies.
    pub sla: Vec<SlaTier>,
    /// Share of a cancellation's refund kept for the operator (bps): after the start, or
    /// before it with less than `cancellation_notice_ms` notice.
    pub cancellation_fee_bps: u16,
    /// Notice (ms before the first epoch starts) below which a cancellation pays the fee.
    pub cancellation_notice_ms: u64,
    /// Booked GPUs where the steep slope begins (at most `available_gpus`).
    pub kink_gpus: u32,
    /// Price per GPU-hour added by each GPU booked below the kink (the gentle slope).
    pub slope_below: u128,
    /// Price per GPU-hour added by each GPU booked above the kink (the steep slope, ≥ the gentle one).
    pub slope_above: u128,
}

impl Offer {
    /// Price per GPU-hour of one more GPU in an epoch where `booked` GPUs are booked:
    /// `base + slope_below × min(booked, kink) + slope_above × (booked − kink)⁺`.
    pub fn marginal_price(&self, booked: u32) -> Option<u128> {
        self.price_sum(booked, 1)
    }

    /// Whether the last available GPU costs at most `MAX_PRICE_RANGE` × the base (no GPUs: nothing
    /// to price).
    pub fn within_price_range(&self) -> bool {
        self.available_gpus.checked_sub(1).map_or(true, |last| {
            self.marginal_price(last).is_some_and(|top| top <= self.price_per_gpu_hour.saturating_mul(MAX_PRICE_RANGE))
        })
    }

    /// Σ of the marginal prices of GPUs `booked`, …, `booked + gpus − 1`: what one hour of
    /// `gpus` more GPUs costs. Closed form (Σ k over a range), no loop over GPUs.
    fn price_sum(&self, booked: u32, gpus: u32) -> Option<u128> {
        // Σ_{k<n} k, and Σ_{booked ≤ k < end} (k − from)⁺.
        let triangle = |n: u32| u128::from(n).checked_mul(u128::from(n.saturating_sub(1))).map(|t| t / 2);
        let end = booked.checked_add(gpus)?;
        let ramp = |from: u32| triangle(end.saturating_sub(from))?.checked_sub(triangle(booked.saturating_sub(from))?);
        let above = ramp(self.kink_gpus)?;
        let below = ramp(0)?.checked_sub(above)?;
        u128::from(gpus)
            .checked_mul(self.price_per_gpu_hour)?
            .checked_add(below.checked_mul(self.slope_below)?)?
            .checked_add(above.checked_mul(self.slope_above)?)
    }
}

/// What booking `gpus` for a run of epochs costs now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Quote {
    /// The exact deposit: Σ of the epochs' costs. Pass it as `max_deposit` to accept this
    /// quote (or a cheaper one).
    pub deposit: u128,
    /// The highest price per GPU-hour any GPU of the booking pays (its last GPU in its fullest epoch).
    pub top_price: u128,
}

/// Credit (bps) for an epoch delivered at `uptime_bps`: the largest tier it falls under.
pub fn credit_bps(sla: &[SlaTier], uptime_bps: u16) -> u16 {
    sla.iter().filter(|tier| uptime_bps < tier.below_bps).map(|tier| tier.credit_bps).max().unwrap_or(0)
}

/// Where a rental stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum RentalStatus {
    /// Booked; epochs settle as they end.
    Active,
    /// Cancelled before it started: refunded (less the fee when within the notice period).
    Cancelled,
}

/// Where the money of one rental went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Ledger {
    /// Pulled from the renter.
    pub deposited: u128,
    /// Released to token holders as yield (handed to the token, or owed in `Totals::unpaid_yield`).
    pub released: u128,
    /// Operator fees (including cancellation fees).
    pub fees: u128,
    /// SLA credits (part of `refunded`).
    pub credits: u128,
    /// Made withdrawable for the renter (undelivered hours, credits, timeouts, cancellations, disputes).
    pub refunded: u128,
    /// Still held for unsettled epochs.
    pub held: u128,
}

impl Ledger {
    /// This ledger after `split` moved `amount` (its total) out of `held`.
    fn moved(mut self, split: &Split, amount: u128) -> R<Self> {
        self.held = sub(self.held, amount)?;
        self.released = add(self.released, split.to_holders)?;
        self.fees = add(self.fees, split.fee)?;
        self.refunded = add(self.refunded, split.refund)?;
        self.credits = add(self.credits, split.credit)?;
        Ok(self)
    }
}

/// A booking of `gpus` GPUs for epochs `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Rental {
    /// Identifier.
    pub id: RentalId,
    /// Who pays and gets refunds.
    pub renter: AccountId,
    /// GPUs booked per epoch.
    pub gpus: u32,
    /// First epoch.
    pub start: Epoch,
    /// First epoch after the rental.
    pub end: Epoch,
    /// Cost of its first epoch, locked at opening (Σ of its GPUs' prices × epoch hours,
    /// rounded down); an epoch priced otherwise has its cost recorded (`EscrowData::epoch_cost`).
    pub epoch_cost: u128,
    /// SLA tiers locked at opening: later offers cannot change a booked rental's terms.
    pub sla: Vec<SlaTier>,
    /// Cancellation fee locked at opening (bps).
    pub cancellation_fee_bps: u16,
    /// Cancellation notice locked at opening (ms).
    pub cancellation_notice_ms: u64,
    /// Active or cancelled.
    pub status: RentalStatus,
    /// Money flows.
    pub ledger: Ledger,
}

/// State of one epoch of one rental.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum EpochState {
    /// Paid out per the oracle.
    Settled,
    /// Refunded: the oracle missed the grace period.
    TimedOut,
    /// Locked until the arbiter recorded with the dispute resolves it.
    Disputed,
    /// Split by the arbiter.
    Resolved,
    /// Refunded by a cancellation (cleared again if `extend` books the epoch anew).
    Cancelled,
}

/// How one epoch's cost was split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Split {
    /// To token holders.
    pub to_holders: u128,
    /// To the operator.
    pub fee: u128,
    /// To the renter (includes `credit`).
    pub refund: u128,
    /// SLA credit part of the refund.
    pub credit: u128,
    /// Milli-GPU-hours paid for.
    pub delivered_milli_hours: u128,
}

/// Escrow-wide totals for auditors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Totals {
    /// Σ rental ledgers.
    pub ledger: Ledger,
    /// Refunds withdrawn by renters.
    pub withdrawn: u128,
    /// Fees withdrawn by the operator.
    pub fees_withdrawn: u128,
    /// Released yield the token has not taken yet (it refused, or the call failed);
    /// anyone can push it again.
    pub unpaid_yield: u128,
    /// Holders' share of the epochs under dispute now, at the oracle's figures (what settling
    /// them undisputed would pay holders; part of `held`): a credit vault counts it as earned
    /// while the arbiter decides, so a party cannot lower the pool's measured rent by disputing,
    /// nor raise it by disputing an epoch the oracle shows undelivered.
    pub disputed: u128,
}

impl Totals {
    /// Stablecoin the escrow must hold: held + unwithdrawn refunds + unwithdrawn fees + unpaid yield.
    pub fn obligations(&self) -> Option<u128> {
        let refunds_owed = self.ledger.refunded.checked_sub(self.withdrawn)?;
        let fees_owed = self.ledger.fees.checked_sub(self.fees_withdrawn)?;
        self.ledger.held.checked_add(refunds_owed)?.checked_add(fees_owed)?.checked_add(self.unpaid_yield)
    }
}

compute_rwa_common::contract_error! {
    /// Why an escrow message was refused: every error of the contract, in one flat enum.
    /// `MissingRole` names the role the caller lacks: `Operator` (the terms' operator), or `Arbiter` (the arbiter the dispute was opened with).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Error {
        /// No offer yet, or the price is zero.
        NoOffer,
        /// Invalid offer (lengths, SLA tiers, fee over 100%, more GPUs than the pool).
        InvalidOffer,
        /// GPUs or epochs outside the offer.
        OutsideOffer,
        /// The start epoch has already begun.
        StartInPast,
        /// Not enough free GPUs in some epoch.
        CapacityUnavailable,
        /// No rental with this id.
        UnknownRental,
        /// The caller is not the renter.
        NotRenter,
        /// The caller is neither renter nor operator.
        NotParty,
        /// The epoch is not part of the rental (or was cancelled).
        EpochNotInRental,
        /// The epoch has not ended.
        EpochNotEnded,
        /// The epoch was settled, refunded or resolved already.
        AlreadySettled,
        /// The epoch is disputed: only its arbiter can release it.
        Disputed,
        /// The epoch is not disputed.
        NotDisputed,
        /// The oracle has not finalized the epoch and the grace period is running.
        AwaitingOracle,
        /// The dispute window has closed.
        DisputeWindowClosed,
        /// The arbiter's refund exceeds the epoch's cost.
        RefundExceedsCost,
        /// The rental is cancelled or ended.
        NotActive,
        /// Nothing to withdraw.
        NothingToWithdraw,
        /// Zero amount or zero GPUs.
        ZeroAmount,
        /// Arithmetic would overflow.
        Overflow,
        /// Invalid configuration or feed schedule (zero epoch length or GPUs, fee over 100%,
        /// grace period shorter than the feed's report window).
        InvalidConfig,
        /// No released yield is waiting for the token.
        NoUnpaidYield,
        /// The oracle has no feed `config.feed` (constructor).
        UnknownFeed,
        /// The caller is not the proposed arbiter.
        NotPendingArbiter,
        /// The stablecoin, oracle or token could not be called, or trapped; nothing changed.
        CallFailed,
        /// The payer's stablecoin allowance to the escrow is too low (approve the escrow first); nothing changed.
        InsufficientAllowance,
        /// The paying account's stablecoin balance is too low (the renter's on a deposit, the
        /// escrow's own on a payout); nothing changed.
        InsufficientBalance,
        /// The stablecoin refused a payment for another reason; nothing changed.
        PaymentRefused,
        /// The token refused the yield, with its reason; nothing changed.
        YieldRefused(DistributeError),
        /// The booking would cost more than the renter's `max_deposit`: bookings or a new offer
        /// since the quote raised the price (quote again); nothing changed.
        PriceMoved,
    }
}


impl From<CallError> for Error {
    fn from(error: CallError) -> Self {
        match error {
            CallError::Token(PSP22Error::InsufficientAllowance) => Error::InsufficientAllowance,
            CallError::Token(PSP22Error::InsufficientBalance) => Error::InsufficientBalance,
            CallError::Token(_) => Error::PaymentRefused,
            CallError::Distribution(refusal) => Error::YieldRefused(refusal),
            CallError::CallFailed | CallError::Push(_) => Error::CallFailed,
        }
    }
}

type R<T> = Result<T, Error>;

fn add(a: u128, b: u128) -> R<u128> {
    a.checked_add(b).ok_or(Error::Overflow)
}

fn sub(a: u128, b: u128) -> R<u128> {
    a.checked_sub(b).ok_or(Error::Overflow)
}

/// All escrow state.
#[ink::storage_item]
#[derive(Debug)]
pub struct EscrowData {
    config: EscrowConfig,
    schedule: EpochSchedule,
    /// The terms for new rentals: out of the root, so settlements and withdrawals (which never
    /// read them; a rental keeps its own) do not decode them.
    offer: Lazy<Offer>,
    rentals: Mapping<RentalId, Rental>,
    rental_count: u64,
    by_renter: Mapping<(AccountId, u32), RentalId>,
    renter_rental_count: Mapping<AccountId, u32>,
    booked_gpus: Mapping<Epoch, u32>,
    /// Costs of rentals' epochs other than their `epoch_cost` (demand pricing), locked at booking.
    costs: Mapping<(RentalId, Epoch), u128>,
    epochs: Mapping<(RentalId, Epoch), EpochState>,
    /// Each dispute's arbiter and the holders' share it holds back (`Totals::disputed`).
    arbiters: Mapping<(RentalId, Epoch), (AccountId, u128)>,
    refundable: Mapping<AccountId, u128>,
    totals: Totals,
}

impl EscrowData {
    /// Empty books with `config`, settling on a feed with `schedule` (as the oracle reports it).
    pub fn new(config: EscrowConfig, schedule: EpochSchedule) -> R<Self> {
        let valid = schedule.epoch_length > 0
            && schedule.gpus > 0
            && config.operator_fee_bps <= BPS
            && config.grace_period >= schedule.report_window
            && config.arbitration_period > 0;
        if !valid {
            return Err(Error::InvalidConfig);
        }
        Ok(Self {
            config,
            schedule,
            offer: Lazy::new(),
            rentals: Mapping::default(),
            rental_count: 0,
            by_renter: Mapping::default(),
            renter_rental_count: Mapping::default(),
            booked_gpus: Mapping::default(),
            costs: Mapping::default(),
            epochs: Mapping::default(),
            arbiters: Mapping::default(),
            refundable: Mapping::default(),
            totals: Totals::default(),
        })
    }

    // ---- reads ---------------------------------------------------------------------------

    /// Fixed parameters.
    pub fn config(&self) -> &EscrowConfig {
        &self.config
    }

    /// The feed's epoch schedule, read from the oracle at deployment.
    pub fn schedule(&self) -> EpochSchedule {
        self.schedule
    }

    /// Current offer (all zero before the first).
    pub fn offer(&self) -> Offer {
        self.offer.get().unwrap_or_default()
    }

    /// Rental `id`.
    pub fn rental(&self, id: RentalId) -> R<Rental> {
        self.rentals.get(id).ok_or(Error::UnknownRental)
    }

    /// Number of rentals.
    pub fn rental_count(&self) -> u64 {
        self.rental_count
    }

    /// Up to `count` of `renter`'s rental ids from index `from`; cost O(count).
    pub fn rentals_of(&self, renter: AccountId, from: u32, count: u32) -> Vec<RentalId> {
        let end = from.saturating_add(count).min(self.renter_rental_count.get(renter).unwrap_or(0));
        (from..end).filter_map(|i| self.by_renter.get((renter, i))).collect()
    }

    /// State of an epoch of a rental (None: not settled yet).
    pub fn epoch_state(&self, id: RentalId, epoch: Epoch) -> Option<EpochState> {
        self.epochs.get((id, epoch))
    }

    /// The arbiter an epoch's dispute was opened with (kept after resolution).
    pub fn dispute_arbiter(&self, id: RentalId, epoch: Epoch) -> Option<AccountId> {
        self.dispute_record(id, epoch).map(|(arbiter, _)| arbiter)
    }

    /// An epoch's dispute: its arbiter and the holders' share it held back (kept after resolution).
    pub fn dispute_record(&self, id: RentalId, epoch: Epoch) -> Option<(AccountId, u128)> {
        self.arbiters.get((id, epoch))
    }

    /// GPUs booked in `epoch`.
    pub fn booked_gpus(&self, epoch: Epoch) -> u32 {
        self.booked_gpus.get(epoch).unwrap_or(0)
    }

    /// What `epoch` of `rental` costs, locked when it was booked (`epoch` within the rental).
    pub fn epoch_cost(&self, rental: &Rental, epoch: Epoch) -> u128 {
        self.costs.get((rental.id, epoch)).unwrap_or(rental.epoch_cost)
    }

    /// The marginal price per GPU-hour of one more GPU in each of `count` epochs from `from`
    /// (`None`: the epoch is fully booked): the forward curve of compute. Empty without an offer.
    pub fn forward_curve(&self, from: Epoch, count: u32) -> Vec<Option<u128>> {
        let offer = self.offer();
        let mut curve = Vec::new();
        if offer.price_per_gpu_hour > 0 {
            for epoch in from..from.saturating_add(u64::from(count.min(MAX_RENTAL_EPOCHS))) {
                let booked = self.booked_gpus(epoch);
                curve.push(if booked < offer.available_gpus { offer.marginal_price(booked) } else { None });
            }
        }
        curve
    }

    /// The deposit and highest GPU-hour price of booking `gpus` for `epochs` epochs from
    /// `start` now, refused as `open` would refuse it (but for `max_deposit`).
    pub fn quote(&self, gpus: u32, start: Epoch, epochs: u32, now: u64) -> R<Quote> {
        Ok(self.priced(&self.offer(), gpus, start, epochs, now)?.1)
    }

    /// What `account` can withdraw.
    pub fn refundable(&self, account: AccountId) -> u128 {
        self.refundable.get(account).unwrap_or(0)
    }

    /// Escrow-wide totals.
    pub fn totals(&self) -> Totals {
        self.totals
    }

    // ---- operator --------------------------------------------------------------------------

    /// Replaces the offer for new rentals (existing ones keep their terms).
    pub fn set_offer(&mut self, offer: Offer) -> R<()> {
        let bps_ok = |bps: u16| bps <= BPS;
        let valid = offer.price_per_gpu_hour > 0
            && offer.within_price_range()
            && offer.kink_gpus <= offer.available_gpus
            && offer.slope_below <= offer.slope_above
            && offer.min_epochs > 0
            && offer.min_epochs <= offer.max_epochs
            && offer.max_epochs <= MAX_RENTAL_EPOCHS
            && offer.available_gpus <= self.schedule.gpus
            && offer.sla.len() <= MAX_SLA_TIERS
            && offer.sla.iter().all(|t| bps_ok(t.below_bps) && bps_ok(t.credit_bps))
            && bps_ok(offer.cancellation_fee_bps);
        if !valid {
            return Err(Error::InvalidOffer);
        }
        self.offer.set(&offer);
        Ok(())
    }

    // ---- renter ------------------------------------------------------------------------------

    /// Books `gpus` for `epochs` epochs from `start` at the offer's curve, each epoch priced at
    /// the bookings it has now, unless that costs more than `max_deposit`; returns the rental
    /// (deposit = its ledger's `deposited`).
    pub fn open(&mut self, renter: AccountId, gpus: u32, start: Epoch, epochs: u32, max_deposit: u128, now: u64) -> R<Rental> {
        let offer = self.offer();
        let (costs, quote) = self.priced(&offer, gpus, start, epochs, now)?;
        if quote.deposit > max_deposit {
            return Err(Error::PriceMoved);
        }
        let end = start.saturating_add(u64::from(epochs));
        let id = self.rental_count;
        let next_id = id.checked_add(1).ok_or(Error::Overflow)?;
        let index = self.renter_rental_count.get(renter).unwrap_or(0);
        let next_index = index.checked_add(1).ok_or(Error::Overflow)?;
        let deposited = add(self.totals.ledger.deposited, quote.deposit)?;
        let held = add(self.totals.ledger.held, quote.deposit)?;
        let epoch_cost = costs.first().copied().unwrap_or_default();
        let rental = Rental {
            id,
            renter,
            gpus,
            start,
            end,
            epoch_cost,
            sla: offer.sla,
            cancellation_fee_bps: offer.cancellation_fee_bps,
            cancellation_notice_ms: offer.cancellation_notice_ms,
            status: RentalStatus::Active,
            ledger: Ledger { deposited: quote.deposit, held: quote.deposit, ..Ledger::default() },
        };
        self.book(&rental, start, end, &costs);
        self.rentals.insert(id, &rental);
        self.rental_count = next_id;
        self.by_renter.insert((renter, index), &id);
        self.renter_rental_count.insert(renter, &next_index);
        self.totals.ledger.deposited = deposited;
        self.totals.ledger.held = held;
        Ok(rental)
    }

    /// Adds `epochs` epochs to an active rental, priced like a new booking of its GPUs (refused
    /// above `max_deposit`); returns the extra deposit. Epochs an earlier cancellation refunded
    /// are booked anew and settle like any other.
    pub fn extend(&mut self, caller: AccountId, id: RentalId, epochs: u32, max_deposit: u128, now: u64) -> R<u128> {
        let mut rental = self.own_active_rental(caller, id)?;
        if rental.end <= self.schedule.epoch_at(now) {
            return Err(Error::NotActive);
        }
        let length = rental.end.saturating_sub(rental.start).saturating_add(u64::from(epochs));
        let offer = self.offer();
        if epochs == 0 || length > u64::from(offer.max_epochs.max(1)) {
            return Err(Error::OutsideOffer);
        }
        let (costs, quote) = self.price(&offer, rental.gpus, rental.end, epochs)?;
        if quote.deposit > max_deposit {
            return Err(Error::PriceMoved);
        }
        rental.ledger.deposited = add(rental.ledger.deposited, quote.deposit)?;
        rental.ledger.held = add(rental.ledger.held, quote.deposit)?;
        let deposited = add(self.totals.ledger.deposited, quote.deposit)?;
        let held = add(self.totals.ledger.held, quote.deposit)?;
        let from = rental.end;
        rental.end = from.saturating_add(u64::from(epochs));
        self.book(&rental, from, rental.end, &costs);
        for epoch in from..rental.end {
            self.epochs.remove((id, epoch));
        }
        self.rentals.insert(id, &rental);
        self.totals.ledger.deposited = deposited;
        self.totals.ledger.held = held;
        Ok(quote.deposit)
    }

    /// Cancels: before the start everything is refunded (less the cancellation fee when
    /// within the notice period); after it, the epochs after the current one are refunded
    /// less the cancellation fee. Returns (refund, fee).
    pub fn cancel(&mut self, caller: AccountId, id: RentalId, now: u64) -> R<(u128, u128)> {
        let mut rental = self.own_active_rental(caller, id)?;
        let current = self.schedule.epoch_at(now);
        let started = now >= self.schedule.genesis && current >= rental.start;
        let first_refunded = if started { current.saturating_add(1) } else { rental.start };
        let end = rental.end;
        if first_refunded >= end {
            return Err(Error::NotActive);
        }
        let amount = (first_refunded..end).try_fold(0, |sum, epoch| add(sum, self.epoch_cost(&rental, epoch)))?;
        let short_notice = self.schedule.epoch_start(rental.start).saturating_sub(now) < rental.cancellation_notice_ms;
        let fee = if started || short_notice { bps_of(amount, rental.cancellation_fee_bps).ok_or(Error::Overflow)? } else { 0 };
        let split = Split { fee, refund: sub(amount, fee)?, ..Split::default() };
        if !started {
            rental.status = RentalStatus::Cancelled;
        }
        rental.end = first_refunded;
        self.apply(&mut rental, &split)?;
        self.unbook(first_refunded, end, rental.gpus);
        for epoch in first_refunded..end {
            self.epochs.insert((id, epoch), &EpochState::Cancelled);
            // Refunded: its locked price is no longer owed (an `extend` prices it anew).
            self.costs.remove((id, epoch));
        }
        Ok((split.refund, split.fee))
    }

    /// Takes `account`'s whole refundable balance for payment.
    pub fn withdraw(&mut self, account: AccountId) -> R<u128> {
        let amount = self.refundable(account);
        if amount == 0 {
            return Err(Error::NothingToWithdraw);
        }
        self.totals.withdrawn = add(self.totals.withdrawn, amount)?;
        self.refundable.remove(account);
        Ok(amount)
    }

    /// Takes the operator's unwithdrawn fees for payment.
    pub fn withdraw_fees(&mut self) -> R<u128> {
        let amount = sub(self.totals.ledger.fees, self.totals.fees_withdrawn)?;
        if amount == 0 {
            return Err(Error::NothingToWithdraw);
        }
        self.totals.fees_withdrawn = self.totals.ledger.fees;
        Ok(amount)
    }

    /// Takes every unpaid yield for handing to the token: marked paid before the call, so
    /// nothing can take it twice; `restore_unpaid_yield` puts it back if the call fails.
    pub fn take_unpaid_yield(&mut self) -> R<u128> {
        let amount = self.totals.unpaid_yield;
        if amount == 0 {
            return Err(Error::NoUnpaidYield);
        }
        self.totals.unpaid_yield = 0;
        Ok(amount)
    }

    /// Keeps `amount` (taken by `take_unpaid_yield`) owed to holders after the token refused it.
    pub fn restore_unpaid_yield(&mut self, amount: u128) -> R<()> {
        self.totals.unpaid_yield = add(self.totals.unpaid_yield, amount)?;
        Ok(())
    }

    // ---- settlement --------------------------------------------------------------------------

    /// Settles an ended epoch of a rental from the oracle's finalized figures, or refunds it
    /// once the grace period passed without them. Anyone may call; each epoch settles once.
    /// The holders' part is added to `Totals::unpaid_yield` for the caller to hand over.
    pub fn settle(&mut self, id: RentalId, epoch: Epoch, finalized: Option<Finalized>, now: u64) -> R<(Split, EpochState)> {
        let mut rental = self.settleable(id, epoch, now)?;
        let (split, state) = match finalized {
            Some(finalized) => (self.split_delivery(&rental, epoch, &finalized)?, EpochState::Settled),
            None if now >= self.schedule.epoch_end(epoch).saturating_add(self.config.grace_period) => {
                (Split { refund: self.epoch_cost(&rental, epoch), ..Split::default() }, EpochState::TimedOut)
            }
            None => return Err(Error::AwaitingOracle),
        };
        // `settleable` passed only an unsettled epoch or one whose arbiter let the deadline pass.
        let disputed = self.undisputed(id, epoch, self.epochs.get((id, epoch)).is_some())?;
        self.apply(&mut rental, &split)?;
        self.totals.disputed = disputed;
        self.epochs.insert((id, epoch), &state);
        Ok((split, state))
    }

    /// Renter or operator locks an unsettled epoch for `arbiter` (the arbiter now), within
    /// the dispute window, once the oracle has `finalized` it: a dispute contests the figures,
    /// and what they would pay holders is counted as disputed until the arbiter decides. Only
    /// that arbiter can resolve it.
    #[allow(clippy::too_many_arguments)]
    pub fn dispute(&mut self, caller: AccountId, operator: AccountId, arbiter: AccountId, id: RentalId, epoch: Epoch, finalized: Option<Finalized>, now: u64) -> R<()> {
        let rental = self.settleable(id, epoch, now)?;
        if caller != rental.renter && caller != operator {
            return Err(Error::NotParty);
        }
        if now >= self.schedule.epoch_end(epoch).saturating_add(self.config.dispute_window) {
            return Err(Error::DisputeWindowClosed);
        }
        let due = self.split_delivery(&rental, epoch, &finalized.ok_or(Error::AwaitingOracle)?)?.to_holders;
        self.totals.disputed = add(self.totals.disputed, due)?;
        self.epochs.insert((id, epoch), &EpochState::Disputed);
        self.arbiters.insert((id, epoch), &(arbiter, due));
        Ok(())
    }

    /// The dispute's arbiter (`caller`) splits a disputed epoch: `renter_refund` back to the
    /// renter, the rest paid out as delivered (operator fee, then holders' unpaid yield).
    pub fn resolve(&mut self, caller: AccountId, id: RentalId, epoch: Epoch, renter_refund: u128) -> R<Split> {
        let mut rental = self.rental(id)?;
        if self.epochs.get((id, epoch)) != Some(EpochState::Disputed) {
            return Err(Error::NotDisputed);
        }
        if self.dispute_arbiter(id, epoch) != Some(caller) {
            return Err(Error::MissingRole(Role::Arbiter));
        }
        let paid = self.epoch_cost(&rental, epoch).checked_sub(renter_refund).ok_or(Error::RefundExceedsCost)?;
        let fee = bps_of(paid, self.config.operator_fee_bps).ok_or(Error::Overflow)?;
        let split = Split { to_holders: sub(paid, fee)?, fee, refund: renter_refund, ..Split::default() };
        let disputed = self.undisputed(id, epoch, true)?;
        self.apply(&mut rental, &split)?;
        self.totals.disputed = disputed;
        self.epochs.insert((id, epoch), &EpochState::Resolved);
        Ok(split)
    }

    /// A rental whose `epoch` has ended and is still open for settlement or dispute.
    pub fn settleable(&self, id: RentalId, epoch: Epoch, now: u64) -> R<Rental> {
        let rental = self.rental(id)?;
        if rental.status != RentalStatus::Active || epoch < rental.start || epoch >= rental.end {
            return Err(Error::EpochNotInRental);
        }
        if now < self.schedule.epoch_end(epoch) {
            return Err(Error::EpochNotEnded);
        }
        match self.epochs.get((id, epoch)) {
            None => Ok(rental),
            Some(EpochState::Disputed) if now < self.arbitration_deadline(epoch) => Err(Error::Disputed),
            // The arbiter let the deadline pass: settle it as if undisputed.
            Some(EpochState::Disputed) => Ok(rental),
            Some(_) => Err(Error::AlreadySettled),
        }
    }

    /// Until when the arbiter alone may release a disputed `epoch` (ms; saturates).
    pub fn arbitration_deadline(&self, epoch: Epoch) -> u64 {
        self.schedule.epoch_end(epoch).saturating_add(self.config.dispute_window).saturating_add(self.config.arbitration_period)
    }

    // ---- internals -----------------------------------------------------------------------

    /// `Totals::disputed` once `epoch` of rental `id`, if it `was_disputed`, is released.
    fn undisputed(&self, id: RentalId, epoch: Epoch, was_disputed: bool) -> R<u128> {
        match self.arbiters.get((id, epoch)).filter(|_| was_disputed) {
            Some((_, due)) => sub(self.totals.disputed, due),
            None => Ok(self.totals.disputed),
        }
    }

    /// `open`'s checks, then each epoch's cost and the quote.
    fn priced(&self, offer: &Offer, gpus: u32, start: Epoch, epochs: u32, now: u64) -> R<(Vec<u128>, Quote)> {
        if offer.price_per_gpu_hour == 0 {
            return Err(Error::NoOffer);
        }
        if gpus == 0 || gpus > offer.available_gpus || epochs < offer.min_epochs || epochs > offer.max_epochs {
            return Err(Error::OutsideOffer);
        }
        if start <= self.schedule.epoch_at(now) && now >= self.schedule.genesis {
            return Err(Error::StartInPast);
        }
        self.price(offer, gpus, start, epochs)
    }

    /// Each of `epochs` epochs from `start` priced for `gpus` more GPUs at the offer's curve and
    /// the epoch's bookings (GPU-hour prices summed × epoch hours, rounded down), and the quote;
    /// `CapacityUnavailable` if an epoch has too few free GPUs. Reads only.
    fn price(&self, offer: &Offer, gpus: u32, start: Epoch, epochs: u32) -> R<(Vec<u128>, Quote)> {
        let mut quote = Quote::default();
        let mut costs = Vec::new();
        for epoch in start..start.checked_add(u64::from(epochs)).ok_or(Error::Overflow)? {
            let booked = self.booked_gpus(epoch);
            let after = booked.checked_add(gpus).filter(|after| *after <= offer.available_gpus).ok_or(Error::CapacityUnavailable)?;
            let sum = offer.price_sum(booked, gpus).ok_or(Error::Overflow)?;
            let cost = mul_div_floor(sum, u128::from(self.schedule.epoch_length), u128::from(MS_PER_HOUR)).ok_or(Error::Overflow)?;
            if cost == 0 {
                return Err(Error::ZeroAmount);
            }
            quote.deposit = add(quote.deposit, cost)?;
            // The booking's last GPU pays the most (`gpus` ≥ 1 was checked by the caller).
            quote.top_price = quote.top_price.max(offer.marginal_price(after.saturating_sub(1)).ok_or(Error::Overflow)?);
            costs.push(cost);
        }
        Ok((costs, quote))
    }

    /// Books `rental`'s GPUs in epochs `[from, end)` at `costs` (as `price` gave them),
    /// recording each cost other than the rental's `epoch_cost` (no entry is left from an earlier
    /// booking of these epochs: `cancel` removes them). Capacity was checked.
    fn book(&mut self, rental: &Rental, from: Epoch, end: Epoch, costs: &[u128]) {
        for (epoch, cost) in (from..end).zip(costs) {
            self.booked_gpus.insert(epoch, &self.booked_gpus(epoch).saturating_add(rental.gpus));
            if *cost != rental.epoch_cost {
                self.costs.insert((rental.id, epoch), cost);
            }
        }
    }

    fn unbook(&mut self, start: Epoch, end: Epoch, gpus: u32) {
        for epoch in start..end {
            let left = self.booked_gpus(epoch).saturating_sub(gpus);
            if left == 0 {
                self.booked_gpus.remove(epoch);
            } else {
                self.booked_gpus.insert(epoch, &left);
            }
        }
    }

    fn own_active_rental(&self, caller: AccountId, id: RentalId) -> R<Rental> {
        let rental = self.rental(id)?;
        if rental.renter != caller {
            return Err(Error::NotRenter);
        }
        if rental.status != RentalStatus::Active {
            return Err(Error::NotActive);
        }
        Ok(rental)
    }

    /// Pays for `min(booked, share of delivered)` hours, less the SLA credit, less the fee.
    #[inline(never)]
    fn split_delivery(&self, rental: &Rental, epoch: Epoch, finalized: &Finalized) -> R<Split> {
        let booked = mul_div_floor(u128::from(rental.gpus), u128::from(self.schedule.epoch_length), u128::from(MS_PER_HOUR / 1_000))
            .ok_or(Error::Overflow)?;
        // The feed reports the whole pool; this rental's share is its GPUs over the pool's
        // (or over the epoch's bookings, should they ever exceed the pool).
        let sharers = self.schedule.gpus.max(self.booked_gpus(epoch));
        let share = mul_div_floor(u128::from(finalized.values.gpu_milli_hours), u128::from(rental.gpus), u128::from(sharers))
            .ok_or(Error::Overflow)?;
        let delivered = share.min(booked);
        let cost = self.epoch_cost(rental, epoch);
        let pay = if booked == 0 { 0 } else { mul_div_floor(cost, delivered, booked).ok_or(Error::Overflow)? };
        let credit = bps_of(pay, credit_bps(&rental.sla, finalized.values.uptime_bps)).ok_or(Error::Overflow)?;
        let payable = sub(pay, credit)?;
        let fee = bps_of(payable, self.config.operator_fee_bps).ok_or(Error::Overflow)?;
        Ok(Split {
            to_holders: sub(payable, fee)?,
            fee,
            refund: sub(cost, payable)?,
            credit,
            delivered_milli_hours: delivered,
        })
    }

    /// Moves an epoch's (or a cancellation's) money out of `held` per `split` and stores
    /// `rental`; the holders' part becomes unpaid yield. Changes nothing on error.
    fn apply(&mut self, rental: &mut Rental, split: &Split) -> R<()> {
        let amount = add(add(split.to_holders, split.fee)?, split.refund)?;
        let ledger = rental.ledger.moved(split, amount)?;
        let totals = self.totals.ledger.moved(split, amount)?;
        let unpaid_yield = add(self.totals.unpaid_yield, split.to_holders)?;
        let owed = add(self.refundable(rental.renter), split.refund)?;
        rental.ledger = ledger;
        self.totals.ledger = totals;
        self.totals.unpaid_yield = unpaid_yield;
        if split.refund > 0 {
            self.refundable.insert(rental.renter, &owed);
        }
        self.rentals.insert(rental.id, rental);
        Ok(())
    }
}
