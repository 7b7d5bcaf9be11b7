//! Rental escrow, one per pool: renters lock stablecoin for GPU-hours; each ended epoch
//! settles on the oracle's finalized figures — operator fee to the operator, the rest to
//! the GPU-hour token's holders as yield, undelivered hours and SLA credits back to the
//! renter. Timeouts, cancellations and arbiter-resolved disputes refund the rest.
//! Renters and the operator withdraw what they are owed (pull payments).
//!
//! The rules live in `escrow`; this module adds access checks, the stablecoin, oracle
//! and token calls, and events. Checks-effects-interactions: state first, calls last, and
//! a failed call reverts the whole message — except handing yield to the token, which
//! settlement never waits on: if the token or stablecoin refuses, the yield stays owed
//! (`Totals::unpaid_yield`, event `YieldDeferred`) and anyone can `push_yield` it later.
//!
//! The crate builds twice (scripts/env.sh `build_contract`), as the token, the oracle and the
//! credit vault do: the full build is uploaded as code only (`rental_escrow_logic`); the front
//! (`--features front`) is what the escrow's account runs. The front answers what happens every
//! epoch of every rental — `settle` — and renters' `withdraw`, with two of the three reads a credit
//! vault makes on each valuation (`config`, `totals`; `offer` runs in the logic); every other message (bookings, extensions,
//! cancellations, disputes, the operator's, the owner's and the arbiter's messages, `push_yield`
//! and the other reads) starts with `forward`: a delegate call to the full build's code with the
//! call's own input, on the escrow's storage. One source: one storage layout, one interface. A
//! rental opens once and settles once per epoch (up to 256), so `open` is the one to hand on.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// See compute-rwa-common: clippy 1.85 false positive inside `#[ink::scale_derive]`.
#![allow(clippy::cast_possible_truncation)]

pub mod escrow;

#[cfg(test)]
mod escrow_tests;

#[ink::contract]
pub mod rental_escrow {
    use crate::escrow::{Epoch, EpochState, EscrowConfig, EscrowData, Offer, Quote, Rental, RentalId, Split, Totals};
    use compute_rwa_common::calls::{self, CallError};
    use compute_rwa_common::{forward, Access, Fwd, AccessError, EpochSchedule, Finalized, Ownable2Step, Role};
    use ink::prelude::vec::Vec;

    /// Most rental ids one `rentals_of` call returns.
    pub const MAX_PAGE: u32 = 100;

    pub use crate::escrow::Error;

    /// The operator published new terms.
    #[ink(event)]
    pub struct OfferUpdated {
        /// The terms for new rentals.
        pub offer: Offer,
    }

    /// A renter booked GPUs and deposited their cost.
    #[ink(event)]
    pub struct RentalOpened {
        /// The rental.
        #[ink(topic)]
        pub id: RentalId,
        /// Who booked and paid.
        #[ink(topic)]
        pub renter: AccountId,
        /// GPUs per epoch.
        pub gpus: u32,
        /// First epoch.
        pub start: Epoch,
        /// First epoch after the rental.
        pub end: Epoch,
        /// Stablecoin pulled from the renter.
        pub deposit: u128,
    }

    /// A renter extended a rental.
    #[ink(event)]
    pub struct RentalExtended {
        /// The rental.
        #[ink(topic)]
        pub id: RentalId,
        /// New first epoch after the rental.
        pub end: Epoch,
        /// Stablecoin pulled from the renter.
        pub deposit: u128,
    }

    /// A rental was cancelled; `refund` became withdrawable, `fee` went to the operator.
    #[ink(event)]
    pub struct RentalCancelled {
        /// The rental.
        #[ink(topic)]
        pub id: RentalId,
        /// Made withdrawable for the renter.
        pub refund: u128,
        /// Cancellation fee for the operator.
        pub fee: u128,
    }

    /// An epoch of a rental was settled (or refunded after a timeout, or split by the arbiter).
    #[ink(event)]
    pub struct EpochSettled {
        /// The rental.
        #[ink(topic)]
        pub id: RentalId,
        /// The epoch.
        pub epoch: Epoch,
        /// Settled, TimedOut or Resolved.
        pub state: EpochState,
        /// Where the epoch's cost went.
        pub split: Split,
    }

    /// An epoch was disputed and is locked for `arbiter`.
    #[ink(event)]
    pub struct EpochDisputed {
        /// The rental.
        #[ink(topic)]
        pub id: RentalId,
        /// The epoch.
        pub epoch: Epoch,
        /// Renter or operator.
        #[ink(topic)]
        pub by: AccountId,
        /// The only account that can resolve this dispute.
        pub arbiter: AccountId,
    }

    /// Someone withdrew what they were owed.
    #[ink(event)]
    pub struct Withdrawn {
        /// Renter or operator.
        #[ink(topic)]
        pub account: AccountId,
        /// Stablecoin paid out.
        pub amount: u128,
    }

    /// Unpaid yield was handed to the token's holders.
    #[ink(event)]
    pub struct YieldPaid {
        /// Stablecoin the token took.
        pub amount: u128,
    }

    /// The token or stablecoin refused the yield; it stays owed (`Totals::unpaid_yield`).
    #[ink(event)]
    pub struct YieldDeferred {
        /// Stablecoin still owed to holders.
        pub amount: u128,
        /// Why the hand-over failed.
        pub reason: CallError,
    }

    /// The owner proposed an arbiter (`None`: withdrew the proposal).
    #[ink(event)]
    pub struct ArbiterProposed {
        /// Account that may accept, if any.
        #[ink(topic)]
        pub proposed: Option<AccountId>,
    }

    /// The proposed arbiter accepted; it arbitrates disputes opened from now on.
    #[ink(event)]
    pub struct ArbiterChanged {
        /// Arbiter until now (still resolves the disputes opened with it).
        #[ink(topic)]
        pub previous: AccountId,
        /// Arbiter from now on.
        #[ink(topic)]
        pub arbiter: AccountId,
    }

    /// One pool's escrow.
    #[ink(storage)]
    pub struct RentalEscrow {
        data: EscrowData,
        stablecoin: AccountId,
        token: AccountId,
        oracle: AccountId,
        operator: AccountId,
        arbiter: AccountId,
        pending_arbiter: Option<AccountId>,
        access: Access,
        /// The code the front runs by delegate call for every message it does not answer itself.
        logic: Hash,
    }

    impl RentalEscrow {
        /// An escrow for one pool, settling on `oracle`'s feed `config.feed`, whose epoch
        /// schedule and GPU count it reads and keeps (`UnknownFeed` if there is none). `logic`:
        /// the code hash of this crate's full build, uploaded beforehand, which the escrow's front
        /// (the deployed build) runs by delegate call for the messages it hands on; fixed and
        /// locked (the chain keeps that code) for the escrow's life.
        #[ink(constructor)]
        pub fn new(
            config: EscrowConfig,
            stablecoin: AccountId,
            token: AccountId,
            oracle: AccountId,
            operator: AccountId,
            arbiter: AccountId,
            logic: Hash,
        ) -> Result<Self, Error> {
            let schedule = calls::feed_schedule(oracle, config.feed)?.ok_or(Error::UnknownFeed)?;
            if cfg!(feature = "front") {
                // The code the front runs can never be removed while the escrow exists (its
                // uploader could otherwise remove it and stop disputes, cancellations and the
                // arbiter's resolutions, locking renters' money); refused (trap) when no such code
                // is uploaded.
                Self::env().lock_delegate_dependency(&logic);
            }
            Self::with_schedule(config, schedule, [stablecoin, token, oracle, operator, arbiter], logic)
        }

        /// The constructor once the feed's schedule is known (off-chain tests call it directly);
        /// `parties` as `new` takes them: stablecoin, token, oracle, operator, arbiter.
        fn with_schedule(config: EscrowConfig, schedule: EpochSchedule, parties: [AccountId; 5], logic: Hash) -> Result<Self, Error> {
            let [stablecoin, token, oracle, operator, arbiter] = parties;
            Ok(Self {
                data: EscrowData::new(config, schedule)?,
                stablecoin,
                token,
                oracle,
                operator,
                arbiter,
                pending_arbiter: None,
                access: Access::new(Self::env().caller()),
                logic,
            })
        }

        /// The code hash the front runs by delegate call for every message it does not answer
        /// itself (answered by the front, whose code hash the chain shows).
        #[ink(message)]
        pub fn logic(&self) -> Hash {
            self.logic
        }

        /// Publishes the terms for new rentals. Operator only.
        #[ink(message)]
        pub fn set_offer(&mut self, offer: Fwd<Offer>) -> Result<(), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.ensure(self.operator, Role::Operator)?;
            let offer = offer.into_inner();
            self.data.set_offer(offer.clone())?;
            self.env().emit_event(OfferUpdated { offer });
            Ok(())
        }

        /// Books `gpus` GPUs for `epochs` epochs from `start` (a future epoch) at the offer's
        /// demand curve — each epoch priced at its bookings now, locked — and pulls the deposit
        /// (`quote`) with `transfer_from` (approve the escrow first). `PriceMoved` if it would
        /// exceed `max_deposit` (pass the quote's deposit). Returns the rental id.
        #[ink(message)]
        pub fn open(&mut self, gpus: u32, start: Epoch, epochs: u32, max_deposit: u128) -> Result<RentalId, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let renter = self.env().caller();
            let rental = self.data.open(renter, gpus, start, epochs, max_deposit, self.now())?;
            let deposit = rental.ledger.deposited;
            calls::psp22_transfer_from(self.stablecoin, renter, self.env().account_id(), deposit)?;
            self.env().emit_event(RentalOpened { id: rental.id, renter, gpus, start, end: rental.end, deposit });
            Ok(rental.id)
        }

        /// Adds `epochs` epochs to the caller's rental, priced like a new booking of its GPUs
        /// (`PriceMoved` above `max_deposit`), pulling their cost. Renter only.
        #[ink(message)]
        pub fn extend(&mut self, id: RentalId, epochs: u32, max_deposit: u128) -> Result<(), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let renter = self.env().caller();
            let deposit = self.data.extend(renter, id, epochs, max_deposit, self.now())?;
            calls::psp22_transfer_from(self.stablecoin, renter, self.env().account_id(), deposit)?;
            let end = self.data.rental(id)?.end;
            self.env().emit_event(RentalExtended { id, end, deposit });
            Ok(())
        }

        /// Cancels the caller's rental: all of it before the start (less the cancellation
        /// fee within the notice period), the epochs after the current one (less the fee)
        /// after it. Renter only.
        #[ink(message)]
        pub fn cancel(&mut self, id: RentalId) -> Result<(), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let (refund, fee) = self.data.cancel(self.env().caller(), id, self.now())?;
            self.env().emit_event(RentalCancelled { id, refund, fee });
            Ok(())
        }

        /// Settles an ended epoch of a rental on the oracle's figures (asking the oracle to
        /// finalize them if its rules allow now), or refunds it once the oracle missed the
        /// grace period. Then tries to hand the holders' yield to the token (kept owed if
        /// refused). Anyone may call; each epoch settles once. A failing oracle call fails.
        #[ink(message)]
        pub fn settle(&mut self, id: RentalId, epoch: Epoch) -> Result<(), Error> {
            let (finalized, now) = self.figures(id, epoch)?;
            let (split, state) = self.data.settle(id, epoch, finalized, now)?;
            self.env().emit_event(EpochSettled { id, epoch, state, split });
            self.hand_over_yield(split.to_holders)
        }

        /// Locks an unsettled, ended epoch for the current arbiter, within the dispute window,
        /// once the oracle has finalized its figures (asking it to finalize where its rules
        /// allow): a dispute contests them. Only that arbiter can resolve it. Renter or operator
        /// only.
        #[ink(message)]
        pub fn dispute(&mut self, id: RentalId, epoch: Epoch) -> Result<(), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let by = self.env().caller();
            let arbiter = self.arbiter;
            let (finalized, now) = self.figures(id, epoch)?;
            self.data.dispute(by, self.operator, arbiter, id, epoch, finalized, now)?;
            self.env().emit_event(EpochDisputed { id, epoch, by, arbiter });
            Ok(())
        }

        /// Splits a disputed epoch: `renter_refund` to the renter, the rest paid out as
        /// delivered (yield handed to the token, kept owed if refused). Only the arbiter the
        /// dispute was opened with.
        #[ink(message)]
        pub fn resolve(&mut self, id: RentalId, epoch: Epoch, renter_refund: u128) -> Result<(), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let split = self.data.resolve(self.env().caller(), id, epoch, renter_refund)?;
            self.env().emit_event(EpochSettled { id, epoch, state: EpochState::Resolved, split });
            self.hand_over_yield(split.to_holders)
        }

        /// Hands every unpaid yield to the token's holders; returns the amount. Anyone may
        /// call; fails (changing nothing) if the token or stablecoin still refuses.
        #[ink(message)]
        pub fn push_yield(&mut self) -> Result<u128, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            Ok(self.push_unpaid_yield()??)
        }

        /// Pays the caller every refund owed to them; returns the amount.
        #[ink(message)]
        pub fn withdraw(&mut self) -> Result<u128, Error> {
            let account = self.env().caller();
            let amount = self.data.withdraw(account)?;
            calls::psp22_transfer(self.stablecoin, account, amount)?;
            self.env().emit_event(Withdrawn { account, amount });
            Ok(amount)
        }

        /// Pays the operator its accumulated fees; returns the amount. Operator only.
        #[ink(message)]
        pub fn withdraw_fees(&mut self) -> Result<u128, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let operator = self.ensure(self.operator, Role::Operator)?;
            let amount = self.data.withdraw_fees()?;
            calls::psp22_transfer(self.stablecoin, operator, amount)?;
            self.env().emit_event(Withdrawn { account: operator, amount });
            Ok(amount)
        }

        /// Proposes the next arbiter, who must call `accept_arbiter` (`None` withdraws the
        /// proposal). Open disputes keep their arbiter. Owner only.
        #[ink(message)]
        pub fn propose_arbiter(&mut self, arbiter: Option<AccountId>) -> Result<(), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.access.ensure_owner(self.env().caller())?;
            self.pending_arbiter = arbiter;
            self.env().emit_event(ArbiterProposed { proposed: arbiter });
            Ok(())
        }

        /// Becomes the arbiter of disputes opened from now on. Proposed arbiter only.
        #[ink(message)]
        pub fn accept_arbiter(&mut self) -> Result<(), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let caller = self.env().caller();
            if self.pending_arbiter != Some(caller) {
                return Err(Error::NotPendingArbiter);
            }
            let previous = self.arbiter;
            self.arbiter = caller;
            self.pending_arbiter = None;
            self.env().emit_event(ArbiterChanged { previous, arbiter: caller });
            Ok(())
        }

        // ---- reads -----------------------------------------------------------------------

        /// Fixed parameters.
        #[ink(message)]
        pub fn config(&self) -> EscrowConfig {
            self.data.config().clone()
        }

        /// The feed's epoch schedule and pool GPUs, as read from the oracle at deployment.
        #[ink(message)]
        pub fn schedule(&self) -> EpochSchedule {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.schedule()
        }

        /// Current offer.
        #[ink(message)]
        pub fn offer(&self) -> Offer {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.offer()
        }

        /// (stablecoin, token, oracle, operator, arbiter for new disputes).
        #[ink(message)]
        pub fn parties(&self) -> (AccountId, AccountId, AccountId, AccountId, AccountId) {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            (self.stablecoin, self.token, self.oracle, self.operator, self.arbiter)
        }

        /// The proposed arbiter, if any.
        #[ink(message)]
        pub fn pending_arbiter(&self) -> Option<AccountId> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.pending_arbiter
        }

        /// The arbiter a dispute of an epoch of a rental was opened with (`None`: never disputed).
        #[ink(message)]
        pub fn dispute_arbiter(&self, id: RentalId, epoch: Epoch) -> Option<AccountId> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.dispute_arbiter(id, epoch)
        }

        /// Rental `id` with its ledger.
        #[ink(message)]
        pub fn rental(&self, id: RentalId) -> Result<Rental, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            Ok(self.data.rental(id)?)
        }

        /// Number of rentals.
        #[ink(message)]
        pub fn rental_count(&self) -> u64 {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.rental_count()
        }

        /// Up to `count` (max `MAX_PAGE`) of `renter`'s rental ids from index `from`.
        #[ink(message)]
        pub fn rentals_of(&self, renter: AccountId, from: u32, count: u32) -> Vec<RentalId> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.rentals_of(renter, from, count.min(MAX_PAGE))
        }

        /// Settlement state of an epoch of a rental (`None`: open).
        #[ink(message)]
        pub fn epoch_state(&self, id: RentalId, epoch: Epoch) -> Option<EpochState> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.epoch_state(id, epoch)
        }

        /// GPUs booked in `epoch`.
        #[ink(message)]
        pub fn booked_gpus(&self, epoch: Epoch) -> u32 {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.booked_gpus(epoch)
        }

        /// The exact deposit for booking `gpus` GPUs for `epochs` epochs from `start` now (pass it
        /// to `open` as `max_deposit`) and the highest GPU-hour price in it; refused as `open`
        /// would refuse it.
        #[ink(message)]
        pub fn quote(&self, gpus: u32, start: Epoch, epochs: u32) -> Result<Quote, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.quote(gpus, start, epochs, self.now())
        }

        /// The forward curve: the price per GPU-hour of one more GPU in each of `count` epochs
        /// (at most 256) from `from` (`None`: fully booked). Empty without an offer.
        #[ink(message)]
        pub fn forward_curve(&self, from: Epoch, count: u32) -> Vec<Option<u128>> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.forward_curve(from, count)
        }

        /// What `epoch` of rental `id` costs, locked when it was booked (`EpochNotInRental`
        /// outside the rental's epochs).
        #[ink(message)]
        pub fn epoch_cost(&self, id: RentalId, epoch: Epoch) -> Result<u128, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let rental = self.data.rental(id)?;
            if epoch < rental.start || epoch >= rental.end {
                return Err(Error::EpochNotInRental);
            }
            Ok(self.data.epoch_cost(&rental, epoch))
        }

        /// What `account` can withdraw.
        #[ink(message)]
        pub fn refundable(&self, account: AccountId) -> u128 {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.refundable(account)
        }

        /// Escrow totals: Σ ledgers, withdrawals, unpaid yield, and obligations to reconcile
        /// with the balance.
        #[ink(message)]
        pub fn totals(&self) -> Totals {
            self.data.totals()
        }

        // ---- internals ---------------------------------------------------------------------

        /// Fails with `MissingRole(role)` unless the caller is `holder`, the role's one account;
        /// returns the caller.
        fn ensure(&self, holder: AccountId, role: Role) -> Result<AccountId, Error> {
            let caller = self.env().caller();
            if caller == holder {
                Ok(caller)
            } else {
                Err(Error::MissingRole(role))
            }
        }

        /// After a settlement released `released` to holders: hands every unpaid yield to the
        /// token; if it is refused, keeps it owed and says why (`YieldDeferred`) instead of
        /// failing, so the renter's and operator's parts settle regardless.
        fn hand_over_yield(&mut self, released: u128) -> Result<(), Error> {
            if released > 0 {
                if let Err(reason) = self.push_unpaid_yield()? {
                    let amount = self.data.totals().unpaid_yield;
                    self.env().emit_event(YieldDeferred { amount, reason });
                }
            }
            Ok(())
        }

        /// Hands every unpaid yield to the token: `Ok(Ok(amount))` paid, `Ok(Err(reason))`
        /// refused and owed again. Effects first: the books mark it paid before the calls
        /// (so nothing can push it twice) and take that back if the calls fail.
        fn push_unpaid_yield(&mut self) -> Result<Result<u128, CallError>, Error> {
            let amount = self.data.take_unpaid_yield()?;
            match self.pay_holders(amount) {
                Ok(()) => {
                    self.env().emit_event(YieldPaid { amount });
                    Ok(Ok(amount))
                }
                Err(reason) => {
                    self.data.restore_unpaid_yield(amount)?;
                    Ok(Err(reason))
                }
            }
        }

        /// Approves `amount` to the token, which pulls it for its holders; if the token
        /// refuses, withdraws the approval so the amount cannot be taken twice.
        fn pay_holders(&self, amount: u128) -> Result<(), CallError> {
            calls::psp22_approve(self.stablecoin, self.token, amount)?;
            let paid = calls::distribute_yield(self.token, amount);
            if paid.is_err() {
                // Best effort: should this fail too, the token keeps an allowance it only
                // spends inside `distribute`, which just refused.
                let _ = calls::psp22_approve(self.stablecoin, self.token, 0);
            }
            paid
        }

        /// The oracle's figures for an ended, open `epoch` of rental `id` (finalized now where the
        /// oracle's rules allow; `None`: not final), and the time.
        #[inline(never)]
        fn figures(&mut self, id: RentalId, epoch: Epoch) -> Result<(Option<Finalized>, u64), Error> {
            let now = self.now();
            self.data.settleable(id, epoch, now)?;
            Ok((calls::finalize_epoch(self.oracle, self.data.config().feed, epoch)?, now))
        }

        fn now(&self) -> u64 {
            self.env().block_timestamp()
        }
    }

    impl Ownable2Step for RentalEscrow {
        #[ink(message)]
        fn owner(&self) -> AccountId {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.access.owner()
        }

        #[ink(message)]
        fn pending_owner(&self) -> Option<AccountId> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.access.pending_owner()
        }

        #[ink(message)]
        fn transfer_ownership(&mut self, new_owner: Option<AccountId>) -> Result<(), AccessError> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let event = self.access.propose(self.env().caller(), new_owner)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Also withdraws an arbiter proposal the previous owner left open.
        #[ink(message)]
        fn accept_ownership(&mut self) -> Result<(), AccessError> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let event = self.access.accept(self.env().caller())?;
            self.env().emit_event(event);
            if self.pending_arbiter.take().is_some() {
                self.env().emit_event(ArbiterProposed { proposed: None });
            }
            Ok(())
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::escrow::SlaTier;
        use ink::env::test::{default_accounts, set_caller, DefaultAccounts};
        use ink::env::DefaultEnvironment;

        fn accounts() -> DefaultAccounts<DefaultEnvironment> {
            default_accounts::<DefaultEnvironment>()
        }

        fn config() -> EscrowConfig {
            EscrowConfig { feed: 0, operator_fee_bps: 1_000, grace_period: 7_200_000, dispute_window: 3_600_000, arbitration_period: 86_400_000 }
        }

        fn schedule() -> EpochSchedule {
            EpochSchedule { genesis: 0, epoch_length: 3_600_000, gpus: 8, report_window: 3_600_000 }
        }

        fn offer() -> Offer {
            Offer {
                price_per_gpu_hour: 2_000_000,
                min_epochs: 1,
                max_epochs: 24,
                available_gpus: 8,
                sla: vec![SlaTier { below_bps: 9_900, credit_bps: 1_000 }],
                cancellation_fee_bps: 500,
                cancellation_notice_ms: 3_600_000,
                ..Offer::default()
            }
        }

        /// Stablecoin, token, oracle (placeholders: no calls made), operator Bob, arbiter Charlie.
        fn parties() -> [AccountId; 5] {
            let a = accounts();
            [a.django, a.eve, a.frank, a.bob, a.charlie]
        }

        /// Alice owns; Bob operates; Charlie arbitrates.
        fn escrow() -> RentalEscrow {
            set_caller::<DefaultEnvironment>(accounts().alice);
            RentalEscrow::with_schedule(config(), schedule(), parties(), Hash::from([7; 32])).unwrap()
        }

        #[ink::test]
        fn constructor_rejects_a_bad_config() {
            let short_grace = EscrowConfig { grace_period: 3_599_999, ..config() };
            let result = RentalEscrow::with_schedule(short_grace, schedule(), parties(), Hash::default());
            assert_eq!(result.err(), Some(Error::InvalidConfig));
            let no_gpus = EpochSchedule { gpus: 0, ..schedule() };
            let result = RentalEscrow::with_schedule(config(), no_gpus, parties(), Hash::default());
            assert_eq!(result.err(), Some(Error::InvalidConfig));
        }

        #[ink::test]
        fn operator_publishes_offers() {
            let mut escrow = escrow();
            set_caller::<DefaultEnvironment>(accounts().bob);
            escrow.set_offer(offer().into()).unwrap();
            assert_eq!(escrow.offer(), offer());
            assert_eq!(escrow.config(), config());
            assert_eq!(escrow.schedule(), schedule());
            assert_eq!(escrow.parties().3, accounts().bob);
            assert_eq!(escrow.logic(), Hash::from([7; 32]));
            let too_many = Offer { available_gpus: 9, ..offer() };
            assert_eq!(escrow.set_offer(too_many.into()), Err(Error::InvalidOffer));
        }

        #[ink::test]
        fn every_privileged_message_rejects_outsiders() {
            let mut escrow = escrow();
            let eve = accounts().eve;
            set_caller::<DefaultEnvironment>(eve);
            let not_operator = Err(Error::MissingRole(Role::Operator));
            let not_owner = Err(Error::NotOwner);
            assert_eq!(escrow.set_offer(offer().into()), not_operator);
            assert_eq!(escrow.withdraw_fees(), not_operator.map(|()| 0));
            assert_eq!(escrow.propose_arbiter(Some(eve)), not_owner);
            assert_eq!(escrow.accept_arbiter(), Err(Error::NotPendingArbiter));
            assert_eq!(escrow.transfer_ownership(Some(eve)), Err(AccessError::NotOwner));
            assert_eq!(escrow.accept_ownership(), Err(AccessError::NotPendingOwner));
            // resolve checks the dispute's own arbiter (escrow_tests: NotArbiter); no dispute here.
            assert_eq!(escrow.resolve(0, 0, 0), Err(Error::UnknownRental));
            assert_eq!(escrow.dispute(0, 0), Err(Error::UnknownRental));
            assert_eq!(escrow.cancel(0), Err(Error::UnknownRental));
            assert_eq!(escrow.extend(0, 1, u128::MAX), Err(Error::UnknownRental));
            assert_eq!(escrow.settle(0, 0), Err(Error::UnknownRental));
            assert_eq!(escrow.withdraw(), Err(Error::NothingToWithdraw));
            // Permissionless: refused only because nothing is owed to the token.
            assert_eq!(escrow.push_yield(), Err(Error::NoUnpaidYield));
            assert_eq!(escrow.offer(), Offer::default(), "nothing changed");
            assert_eq!((escrow.parties().4, escrow.pending_arbiter()), (accounts().charlie, None));
        }

        #[ink::test]
        fn item6_arbiter_changes_in_two_steps() {
            let mut escrow = escrow();
            let a = accounts();
            escrow.propose_arbiter(Some(a.django)).unwrap();
            assert_eq!((escrow.parties().4, escrow.pending_arbiter()), (a.charlie, Some(a.django)), "proposal alone changes nothing");
            set_caller::<DefaultEnvironment>(a.eve);
            assert_eq!(escrow.accept_arbiter(), Err(Error::NotPendingArbiter));
            set_caller::<DefaultEnvironment>(a.django);
            escrow.accept_arbiter().unwrap();
            assert_eq!((escrow.parties().4, escrow.pending_arbiter()), (a.django, None));
            assert_eq!(escrow.accept_arbiter(), Err(Error::NotPendingArbiter), "proposal is consumed");
            set_caller::<DefaultEnvironment>(a.alice);
            escrow.propose_arbiter(Some(a.frank)).unwrap();
            escrow.propose_arbiter(None).unwrap();
            set_caller::<DefaultEnvironment>(a.frank);
            assert_eq!(escrow.accept_arbiter(), Err(Error::NotPendingArbiter), "proposal withdrawn");
            let emitted = ink::env::test::recorded_events().count();
            assert_eq!(emitted, 4, "two proposals, one acceptance, one withdrawal");
        }

        /// Review: an arbiter the previous owner proposed could accept after a sale of the pool
        /// and decide new disputes; the hand-over withdraws the proposal.
        #[ink::test]
        fn ownership_moves_in_two_steps_and_withdraws_an_open_arbiter_proposal() {
            let mut escrow = escrow();
            let a = accounts();
            escrow.propose_arbiter(Some(a.frank)).unwrap();
            escrow.transfer_ownership(Some(a.bob)).unwrap();
            set_caller::<DefaultEnvironment>(a.bob);
            let before = ink::env::test::recorded_events().count();
            escrow.accept_ownership().unwrap();
            assert_eq!(ink::env::test::recorded_events().count(), before + 2, "OwnershipTransferred, ArbiterProposed(None)");
            assert_eq!((escrow.owner(), escrow.pending_owner(), escrow.pending_arbiter()), (a.bob, None, None));
            set_caller::<DefaultEnvironment>(a.frank);
            assert_eq!(escrow.accept_arbiter(), Err(Error::NotPendingArbiter));
            assert_eq!(escrow.parties().4, a.charlie, "the arbiter is unchanged");
        }
    }
}
