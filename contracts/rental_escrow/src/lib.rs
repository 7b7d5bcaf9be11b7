//! Rental escrow, one per pool: renters lock stablecoin for GPU-hours; each ended epoch
//! settles on the oracle's finalized figures — operator fee to the operator, the rest to
//! the GPU-hour token's holders as yield, undelivered hours and SLA credits back to the
//! renter. Timeouts, cancellations and arbiter-resolved disputes refund the rest.
//! Renters and the operator withdraw what they are owed (pull payments).
//!
//! The rules live in `escrow`; this module adds access checks, the stablecoin, oracle
//! and token calls (checks-effects-interactions: state first, calls last, any failed
//! call reverts the whole message) and events.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// See compute-rwa-common: clippy 1.85 false positive inside `#[ink::scale_derive]`.
#![allow(clippy::cast_possible_truncation)]

pub mod escrow;

#[cfg(test)]
mod escrow_tests;

#[ink::contract]
pub mod rental_escrow {
    use crate::escrow::{Epoch, EpochState, EscrowConfig, EscrowData, EscrowError, Offer, Rental, RentalId, Split, Totals};
    use compute_rwa_common::calls::{self, CallError};
    use compute_rwa_common::{AccessError, Ownable};
    use ink::prelude::vec::Vec;

    /// Most rental ids one `rentals_of` call returns.
    pub const MAX_PAGE: u32 = 100;

    /// Errors of every escrow message.
    #[derive(Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum Error {
        /// Caller lacks the required role (operator, arbiter, owner).
        Access(AccessError),
        /// An escrow rule refused the operation.
        Escrow(EscrowError),
        /// A stablecoin, oracle or token call failed; nothing changed.
        Call(CallError),
    }

    impl From<AccessError> for Error {
        fn from(error: AccessError) -> Self {
            Error::Access(error)
        }
    }

    impl From<EscrowError> for Error {
        fn from(error: EscrowError) -> Self {
            Error::Escrow(error)
        }
    }

    impl From<CallError> for Error {
        fn from(error: CallError) -> Self {
            Error::Call(error)
        }
    }

    /// The operator published new terms.
    #[ink(event)]
    pub struct OfferUpdated {
        pub offer: Offer,
    }

    /// A renter booked GPUs and deposited their cost.
    #[ink(event)]
    pub struct RentalOpened {
        #[ink(topic)]
        pub id: RentalId,
        #[ink(topic)]
        pub renter: AccountId,
        pub gpus: u32,
        pub start: Epoch,
        pub end: Epoch,
        pub deposit: u128,
    }

    /// A renter extended a rental.
    #[ink(event)]
    pub struct RentalExtended {
        #[ink(topic)]
        pub id: RentalId,
        pub end: Epoch,
        pub deposit: u128,
    }

    /// A rental was cancelled; `refund` became withdrawable, `fee` went to the operator.
    #[ink(event)]
    pub struct RentalCancelled {
        #[ink(topic)]
        pub id: RentalId,
        pub refund: u128,
        pub fee: u128,
    }

    /// An epoch of a rental was settled (or refunded after a timeout, or split by the arbiter).
    #[ink(event)]
    pub struct EpochSettled {
        #[ink(topic)]
        pub id: RentalId,
        pub epoch: Epoch,
        pub state: EpochState,
        pub split: Split,
    }

    /// An epoch was disputed and is locked for the arbiter.
    #[ink(event)]
    pub struct EpochDisputed {
        #[ink(topic)]
        pub id: RentalId,
        pub epoch: Epoch,
        #[ink(topic)]
        pub by: AccountId,
    }

    /// Someone withdrew what they were owed.
    #[ink(event)]
    pub struct Withdrawn {
        #[ink(topic)]
        pub account: AccountId,
        pub amount: u128,
    }

    #[ink(storage)]
    pub struct RentalEscrow {
        data: EscrowData,
        stablecoin: AccountId,
        token: AccountId,
        oracle: AccountId,
        operator: AccountId,
        arbiter: AccountId,
        ownership: Ownable,
    }

    impl RentalEscrow {
        /// An escrow for one pool. `config`'s epoch schedule must equal the oracle feed's.
        #[ink(constructor)]
        pub fn new(
            config: EscrowConfig,
            stablecoin: AccountId,
            token: AccountId,
            oracle: AccountId,
            operator: AccountId,
            arbiter: AccountId,
        ) -> Result<Self, Error> {
            Ok(Self {
                data: EscrowData::new(config)?,
                stablecoin,
                token,
                oracle,
                operator,
                arbiter,
                ownership: Ownable::new(Self::env().caller()),
            })
        }

        /// Publishes the terms for new rentals. Operator only.
        #[ink(message)]
        pub fn set_offer(&mut self, offer: Offer) -> Result<(), Error> {
            self.ensure(self.operator)?;
            self.data.set_offer(offer.clone())?;
            self.env().emit_event(OfferUpdated { offer });
            Ok(())
        }

        /// Books `gpus` GPUs for `epochs` epochs from `start` (a future epoch) and pulls the
        /// deposit with `transfer_from` (approve the escrow first). Returns the rental id.
        #[ink(message)]
        pub fn open(&mut self, gpus: u32, start: Epoch, epochs: u32) -> Result<RentalId, Error> {
            let renter = self.env().caller();
            let rental = self.data.open(renter, gpus, start, epochs, self.now())?;
            let deposit = rental.ledger.deposited;
            calls::psp22_transfer_from(self.stablecoin, renter, self.env().account_id(), deposit)?;
            self.env().emit_event(RentalOpened { id: rental.id, renter, gpus, start, end: rental.end, deposit });
            Ok(rental.id)
        }

        /// Adds `epochs` epochs to the caller's rental, pulling their cost. Renter only.
        #[ink(message)]
        pub fn extend(&mut self, id: RentalId, epochs: u32) -> Result<(), Error> {
            let renter = self.env().caller();
            let deposit = self.data.extend(renter, id, epochs, self.now())?;
            calls::psp22_transfer_from(self.stablecoin, renter, self.env().account_id(), deposit)?;
            let end = self.data.rental(id)?.end;
            self.env().emit_event(RentalExtended { id, end, deposit });
            Ok(())
        }

        /// Cancels the caller's rental: all of it before the start, the epochs after the
        /// current one (minus the cancellation fee) after it. Renter only.
        #[ink(message)]
        pub fn cancel(&mut self, id: RentalId) -> Result<(), Error> {
            let (refund, fee) = self.data.cancel(self.env().caller(), id, self.now())?;
            self.env().emit_event(RentalCancelled { id, refund, fee });
            Ok(())
        }

        /// Settles an ended epoch of a rental on the oracle's finalized figures, or refunds it
        /// once the oracle missed the grace period. Anyone may call; each epoch settles once.
        #[ink(message)]
        pub fn settle(&mut self, id: RentalId, epoch: Epoch) -> Result<(), Error> {
            let feed = self.data.config().feed;
            let finalized = calls::finalized_epoch(self.oracle, feed, epoch)?;
            let (split, state) = self.data.settle(id, epoch, finalized, self.now())?;
            self.pay_holders(split.to_holders)?;
            self.env().emit_event(EpochSettled { id, epoch, state, split });
            Ok(())
        }

        /// Locks an unsettled, ended epoch for the arbiter, within the dispute window.
        /// Renter or operator only.
        #[ink(message)]
        pub fn dispute(&mut self, id: RentalId, epoch: Epoch) -> Result<(), Error> {
            let by = self.env().caller();
            self.data.dispute(by, self.operator, id, epoch, self.now())?;
            self.env().emit_event(EpochDisputed { id, epoch, by });
            Ok(())
        }

        /// Splits a disputed epoch: `renter_refund` to the renter, the rest paid out as
        /// delivered. Arbiter only.
        #[ink(message)]
        pub fn resolve(&mut self, id: RentalId, epoch: Epoch, renter_refund: u128) -> Result<(), Error> {
            self.ensure(self.arbiter)?;
            let split = self.data.resolve(id, epoch, renter_refund)?;
            self.pay_holders(split.to_holders)?;
            self.env().emit_event(EpochSettled { id, epoch, state: EpochState::Resolved, split });
            Ok(())
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
            let operator = self.ensure(self.operator)?;
            let amount = self.data.withdraw_fees()?;
            calls::psp22_transfer(self.stablecoin, operator, amount)?;
            self.env().emit_event(Withdrawn { account: operator, amount });
            Ok(amount)
        }

        // ---- reads -----------------------------------------------------------------------

        /// Fixed parameters.
        #[ink(message)]
        pub fn config(&self) -> EscrowConfig {
            self.data.config().clone()
        }

        /// Current offer.
        #[ink(message)]
        pub fn offer(&self) -> Offer {
            self.data.offer().clone()
        }

        /// (stablecoin, token, oracle, operator, arbiter).
        #[ink(message)]
        pub fn parties(&self) -> (AccountId, AccountId, AccountId, AccountId, AccountId) {
            (self.stablecoin, self.token, self.oracle, self.operator, self.arbiter)
        }

        /// Rental `id` with its ledger.
        #[ink(message)]
        pub fn rental(&self, id: RentalId) -> Result<Rental, Error> {
            Ok(self.data.rental(id)?)
        }

        /// Number of rentals.
        #[ink(message)]
        pub fn rental_count(&self) -> u64 {
            self.data.rental_count()
        }

        /// Up to `count` (max `MAX_PAGE`) of `renter`'s rental ids from index `from`.
        #[ink(message)]
        pub fn rentals_of(&self, renter: AccountId, from: u32, count: u32) -> Vec<RentalId> {
            self.data.rentals_of(renter, from, count.min(MAX_PAGE))
        }

        /// Settlement state of an epoch of a rental (`None`: open).
        #[ink(message)]
        pub fn epoch_state(&self, id: RentalId, epoch: Epoch) -> Option<EpochState> {
            self.data.epoch_state(id, epoch)
        }

        /// GPUs booked in `epoch`.
        #[ink(message)]
        pub fn booked_gpus(&self, epoch: Epoch) -> u32 {
            self.data.booked_gpus(epoch)
        }

        /// What `account` can withdraw.
        #[ink(message)]
        pub fn refundable(&self, account: AccountId) -> u128 {
            self.data.refundable(account)
        }

        /// Escrow totals: Σ ledgers, withdrawals, and obligations to reconcile with the balance.
        #[ink(message)]
        pub fn totals(&self) -> Totals {
            self.data.totals()
        }

        /// The current owner.
        #[ink(message)]
        pub fn owner(&self) -> AccountId {
            self.ownership.owner()
        }

        /// Replaces the arbiter. Owner only.
        #[ink(message)]
        pub fn set_arbiter(&mut self, arbiter: AccountId) -> Result<(), Error> {
            self.ownership.ensure_owner(self.env().caller())?;
            self.arbiter = arbiter;
            self.env().emit_event(ArbiterChanged { arbiter });
            Ok(())
        }

        /// Proposes a new owner, who must call `accept_ownership`. Owner only.
        #[ink(message)]
        pub fn transfer_ownership(&mut self, new_owner: Option<AccountId>) -> Result<(), Error> {
            let event = self.ownership.propose(self.env().caller(), new_owner)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Completes a two-step ownership transfer. Proposed owner only.
        #[ink(message)]
        pub fn accept_ownership(&mut self) -> Result<(), Error> {
            let event = self.ownership.accept(self.env().caller())?;
            self.env().emit_event(event);
            Ok(())
        }

        // ---- internals ---------------------------------------------------------------------

        /// Fails with `NotAgent` unless the caller is `role`'s holder; returns the caller.
        fn ensure(&self, role: AccountId) -> Result<AccountId, Error> {
            let caller = self.env().caller();
            if caller == role {
                Ok(caller)
            } else {
                Err(AccessError::NotAgent.into())
            }
        }

        /// Hands released rent to the token's holders (approve, then the token pulls it).
        fn pay_holders(&self, amount: u128) -> Result<(), Error> {
            if amount > 0 {
                calls::psp22_approve(self.stablecoin, self.token, amount)?;
                calls::distribute_yield(self.token, amount)?;
            }
            Ok(())
        }

        fn now(&self) -> u64 {
            self.env().block_timestamp()
        }
    }

    /// The owner appointed a new arbiter.
    #[ink(event)]
    pub struct ArbiterChanged {
        #[ink(topic)]
        pub arbiter: AccountId,
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
            EscrowConfig {
                feed: 0,
                pool_gpus: 8,
                genesis: 0,
                epoch_length: 3_600_000,
                operator_fee_bps: 1_000,
                grace_period: 7_200_000,
                dispute_window: 3_600_000,
            }
        }

        fn offer() -> Offer {
            Offer {
                price_per_gpu_hour: 2_000_000,
                min_epochs: 1,
                max_epochs: 24,
                available_gpus: 8,
                sla: vec![SlaTier { below_bps: 9_900, credit_bps: 1_000 }],
                cancellation_fee_bps: 500,
            }
        }

        /// Alice owns; Bob operates; Charlie arbitrates; the rest are placeholders (no calls made).
        fn escrow() -> RentalEscrow {
            let a = accounts();
            set_caller::<DefaultEnvironment>(a.alice);
            RentalEscrow::new(config(), a.django, a.eve, a.frank, a.bob, a.charlie).unwrap()
        }

        #[ink::test]
        fn constructor_rejects_a_bad_config() {
            let a = accounts();
            let bad = EscrowConfig { pool_gpus: 0, ..config() };
            let result = RentalEscrow::new(bad, a.django, a.eve, a.frank, a.bob, a.charlie);
            assert_eq!(result.err(), Some(Error::Escrow(EscrowError::InvalidOffer)));
        }

        #[ink::test]
        fn operator_publishes_offers() {
            let mut escrow = escrow();
            set_caller::<DefaultEnvironment>(accounts().bob);
            escrow.set_offer(offer()).unwrap();
            assert_eq!(escrow.offer(), offer());
            assert_eq!(escrow.config(), config());
            assert_eq!(escrow.parties().3, accounts().bob);
        }

        #[ink::test]
        fn every_privileged_message_rejects_outsiders() {
            let mut escrow = escrow();
            let eve = accounts().eve;
            set_caller::<DefaultEnvironment>(eve);
            let not_role = Err(Error::Access(AccessError::NotAgent));
            let not_owner = Err(Error::Access(AccessError::NotOwner));
            assert_eq!(escrow.set_offer(offer()), not_role);
            assert_eq!(escrow.resolve(0, 0, 0), not_role);
            assert_eq!(escrow.withdraw_fees(), not_role.map(|()| 0));
            assert_eq!(escrow.set_arbiter(eve), not_owner);
            assert_eq!(escrow.transfer_ownership(Some(eve)), not_owner);
            assert_eq!(escrow.accept_ownership(), Err(Error::Access(AccessError::NotPendingOwner)));
            assert_eq!(escrow.cancel(0), Err(Error::Escrow(EscrowError::UnknownRental)));
            assert_eq!(escrow.withdraw(), Err(Error::Escrow(EscrowError::NothingToWithdraw)));
            assert_eq!(escrow.offer(), Offer::default(), "nothing changed");
        }

        #[ink::test]
        fn owner_replaces_the_arbiter_in_two_steps_of_ownership() {
            let mut escrow = escrow();
            escrow.set_arbiter(accounts().django).unwrap();
            assert_eq!(escrow.parties().4, accounts().django);
            escrow.transfer_ownership(Some(accounts().bob)).unwrap();
            set_caller::<DefaultEnvironment>(accounts().bob);
            escrow.accept_ownership().unwrap();
            assert_eq!(escrow.owner(), accounts().bob);
        }
    }
}
