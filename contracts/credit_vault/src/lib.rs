//! Credit vault, one per GPU-hour token: lenders deposit the stablecoin for shares (ERC-4626
//! style); verified holders lock GPU-hour tokens and borrow against them up to a loan-to-value
//! limit. The tokens are valued from the pool's own figures only (the oracle's utilization, the
//! escrow's price and fee, the token's period, supply and recent distributions); the yield the
//! locked tokens earn repays their borrower's debt; an unhealthy position is liquidated by
//! anyone the token lets receive the collateral (its compliance decides, not the vault).
//!
//! The rules live in `vault`; this module adds access checks, the calls to the token, the
//! stablecoin, the oracle and the escrow, and events. Checks-effects-interactions: the books
//! change first, calls come last, and any refusal reverts the whole message.
//!
//! The crate builds twice (scripts/env.sh `build_contract`), as the GPU-hour token does: the full
//! build is uploaded as code only (`credit_vault_logic`); the front (`--features front`) is what
//! the vault's account runs. The front answers lenders' deposits and withdrawals, locking
//! collateral, repaying and claiming credit itself; every message that needs a valuation
//! (borrow, unlock, liquidate, health, valuation, refresh), the owner's, the keepers' (harvest,
//! settle) and the reads start with `forward`: a delegate call to the full build's code with the
//! call's own input, on the vault's storage. One source: one storage layout, one interface.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// See compute-rwa-common: clippy 1.85 false positive inside `#[ink::scale_derive]`.
#![allow(clippy::cast_possible_truncation)]

pub mod vault;

#[cfg(test)]
mod vault_tests;

#[ink::contract]
pub mod credit_vault {
    use crate::vault::{median, Health, Params, Position, Totals, Valuation, ValuationInputs, VaultData};
    use compute_rwa_common::calls::{self, CallError};
    use compute_rwa_common::{Access, AccessError, Ownable2Step, TokenError};
    use compute_rwa_common::{forward, ComplianceRules, EpochSchedule, Finalized};
    use ink::prelude::vec::Vec;
    use ink::scale::{Decode, Encode, Input};

    pub use crate::vault::Error;

    /// The contracts the vault reads and moves.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Links {
        /// The GPU-hour token taken as collateral.
        pub token: AccountId,
        /// The stablecoin lent (the token's yield currency).
        pub stablecoin: AccountId,
        /// The utilization oracle.
        pub oracle: AccountId,
        /// The pool's feed on the oracle.
        pub feed: u32,
        /// The pool's rental escrow (price and operator fee).
        pub escrow: AccountId,
    }

    /// A lender deposited `assets` for `shares` (deposit or mint).
    #[ink(event)]
    pub struct Deposited {
        #[ink(topic)]
        pub owner: AccountId,
        pub assets: u128,
        pub shares: u128,
    }

    /// A lender withdrew `assets` for `shares` (withdraw or redeem).
    #[ink(event)]
    pub struct Withdrawn {
        #[ink(topic)]
        pub owner: AccountId,
        pub assets: u128,
        pub shares: u128,
    }

    /// A borrower locked (`locked`) or unlocked collateral.
    #[ink(event)]
    pub struct CollateralMoved {
        #[ink(topic)]
        pub borrower: AccountId,
        pub amount: u128,
        pub locked: bool,
    }

    /// A borrower borrowed; `debt` is its debt after.
    #[ink(event)]
    pub struct Borrowed {
        #[ink(topic)]
        pub borrower: AccountId,
        pub amount: u128,
        pub debt: u128,
    }

    /// `payer` repaid `amount` of `borrower`'s debt; `debt` is left.
    #[ink(event)]
    pub struct Repaid {
        #[ink(topic)]
        pub borrower: AccountId,
        #[ink(topic)]
        pub payer: AccountId,
        pub amount: u128,
        pub debt: u128,
    }

    /// The vault claimed `amount` of yield from the token for the collateral it holds.
    #[ink(event)]
    pub struct YieldReceived {
        pub amount: u128,
    }

    /// A borrower's share of the yield was settled: `repaid` against its debt, `credited` beyond it.
    #[ink(event)]
    pub struct YieldApplied {
        #[ink(topic)]
        pub borrower: AccountId,
        pub repaid: u128,
        pub credited: u128,
    }

    /// A borrower claimed its credit.
    #[ink(event)]
    pub struct CreditClaimed {
        #[ink(topic)]
        pub borrower: AccountId,
        pub amount: u128,
    }

    /// A position was liquidated; `bad_debt` was written off (borne by lenders); `recovered`
    /// units (a write-off after the period) stayed in the vault for the lenders.
    #[ink(event)]
    pub struct Liquidated {
        #[ink(topic)]
        pub borrower: AccountId,
        #[ink(topic)]
        pub liquidator: AccountId,
        pub repaid: u128,
        pub seized: u128,
        pub bad_debt: u128,
        pub recovered: u128,
    }

    /// The owner replaced the parameters.
    #[ink(event)]
    pub struct ParamsSet {
        pub params: Params,
    }

    /// A valuation changed the checkpoint of `epoch` (its first, or a new lowest or highest value
    /// per token unit, ×10^18); `rent` is the rent measure it measures from (the token's
    /// cumulative `distributed` plus the escrow's rent pending for holders).
    #[ink(event)]
    pub struct Checkpointed {
        pub epoch: u64,
        pub rent: u128,
        pub unit_value: u128,
    }

    /// The owner paused (`paused`) or resumed deposits, mints and borrowing.
    #[ink(event)]
    pub struct PausedSet {
        pub paused: bool,
    }

    /// The vault as of now, in one read (`state`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct VaultState {
        /// The contracts it reads and moves.
        pub links: Links,
        /// Risk and rate parameters.
        pub params: Params,
        /// Books, interest accrued to now.
        pub totals: Totals,
        /// Lenders' assets: cash + debt.
        pub total_assets: u128,
        /// Σ debt now (rounded down).
        pub total_debt: u128,
        /// Lent share of the assets (bps).
        pub utilization_bps: u16,
        /// Annual borrow rate now (bps).
        pub borrow_rate_bps: u128,
    }

    #[ink(storage)]
    pub struct CreditVault {
        data: VaultData,
        links: Links,
        access: Access,
        /// The code the front runs by delegate call for every message it does not answer itself.
        logic: Hash,
    }

    impl From<CallError> for Error {
        fn from(error: CallError) -> Self {
            match error {
                CallError::Token(_) => Error::PaymentRefused,
                _ => Error::CallFailed,
            }
        }
    }

    impl CreditVault {
        /// A vault lending `links.stablecoin` against `links.token`, valued from `links.oracle`'s
        /// feed `links.feed` and `links.escrow`'s terms; `InconsistentLinks` unless that escrow
        /// settles the same stablecoin, token, oracle and feed. The caller is its owner. `logic`:
        /// the code hash of this crate's full build, uploaded beforehand, which the vault's front
        /// (the deployed build) runs by delegate call for the messages it hands on; fixed and
        /// locked (the chain keeps that code) for the vault's life.
        #[ink(constructor)]
        pub fn new(params: Params, links: Links, logic: Hash) -> Result<Self, Error> {
            // One pool: the escrow settles the links' stablecoin, token, oracle and feed (review
            // 7b G10: a vault valuing one pool from another's escrow was deployable).
            let parties: Front<(AccountId, AccountId, AccountId)> = read(links.escrow, ink::selector_bytes!("parties"), ())?;
            let terms: Front<(u32, u16, u64, u64, u64)> = read(links.escrow, ink::selector_bytes!("config"), ())?;
            if (parties.0, terms.0 .0) != ((links.stablecoin, links.token, links.oracle), links.feed) {
                return Err(Error::InconsistentLinks);
            }
            if cfg!(feature = "front") {
                // The code the front runs can never be removed while the vault exists (its
                // uploader could otherwise remove it and stop borrowing, liquidations and the
                // owner's messages); refused (trap) when no such code is uploaded.
                Self::env().lock_delegate_dependency(&logic);
            }
            Ok(Self { data: VaultData::new(params, Self::env().block_timestamp())?, links, access: Access::new(Self::env().caller()), logic })
        }

        /// The code hash the front runs by delegate call for every message it does not answer
        /// itself (answered by the front, whose code hash the chain shows).
        #[ink(message)]
        pub fn logic(&self) -> Hash {
            self.logic
        }

        // ---- lenders ---------------------------------------------------------------------

        /// Lends `assets` of the stablecoin (approve the vault first) for shares; returns them.
        #[ink(message)]
        pub fn deposit(&mut self, assets: u128) -> Result<u128, Error> {
            let owner = self.env().caller();
            let shares = self.data.deposit(owner, assets, self.now())?;
            self.pull(owner, assets)?;
            self.env().emit_event(Deposited { owner, assets, shares });
            Ok(shares)
        }

        /// Buys exactly `shares`, pulling what they cost (approve first); returns the assets.
        #[ink(message)]
        pub fn mint(&mut self, shares: u128) -> Result<u128, Error> {
            let owner = self.env().caller();
            let assets = self.data.mint(owner, shares, self.now())?;
            self.pull(owner, assets)?;
            self.env().emit_event(Deposited { owner, assets, shares });
            Ok(assets)
        }

        /// Withdraws exactly `assets` (at most what is not lent out); returns the shares burnt.
        #[ink(message)]
        pub fn withdraw(&mut self, assets: u128) -> Result<u128, Error> {
            let owner = self.env().caller();
            let shares = self.data.withdraw(owner, assets, self.now())?;
            self.pay(owner, assets)?;
            self.env().emit_event(Withdrawn { owner, assets, shares });
            Ok(shares)
        }

        /// Redeems `shares` for what they are worth (at most what is not lent out); returns it.
        #[ink(message)]
        pub fn redeem(&mut self, shares: u128) -> Result<u128, Error> {
            let owner = self.env().caller();
            let assets = self.data.redeem(owner, shares, self.now())?;
            self.pay(owner, assets)?;
            self.env().emit_event(Withdrawn { owner, assets, shares });
            Ok(assets)
        }

        // ---- borrowers -------------------------------------------------------------------

        /// Locks `amount` of the caller's GPU-hour tokens (approve the vault first; the token's
        /// compliance must let them move).
        #[ink(message)]
        pub fn lock(&mut self, amount: u128) -> Result<(), Error> {
            let borrower = self.prepare(self.env().caller(), true)?;
            self.data.lock(borrower, amount, self.now())?;
            calls::psp22_transfer_from(self.links.token, borrower, self.env().account_id(), amount).map_err(token_refused)?;
            self.env().emit_event(CollateralMoved { borrower, amount, locked: true });
            Ok(())
        }

        /// Returns `amount` of the caller's collateral; with debt left, what stays locked must
        /// cover it within the loan-to-value limit (refused while the feed is stale).
        #[ink(message)]
        pub fn unlock(&mut self, amount: u128) -> Result<(), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let borrower = self.prepare(self.env().caller(), true)?;
            let in_debt = self.data.position(borrower).scaled_debt > 0;
            let assessed = if in_debt { self.assess().map(|(valuation, _)| valuation) } else { Err(Error::StaleFeed) };
            self.data.unlock(borrower, amount, self.now(), || assessed)?;
            calls::psp22_transfer(self.links.token, borrower, amount).map_err(token_refused)?;
            self.env().emit_event(CollateralMoved { borrower, amount, locked: false });
            Ok(())
        }

        /// Borrows `amount` of the stablecoin within the loan-to-value limit of the caller's
        /// collateral at today's valuation; returns the debt after it.
        #[ink(message)]
        pub fn borrow(&mut self, amount: u128) -> Result<u128, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let borrower = self.prepare(self.env().caller(), false)?;
            let (valuation, _) = self.assess()?;
            // Only lend against collateral that could move: the token must let the vault send it
            // (not paused, the vault verified and not frozen, the borrower verified).
            let movable: Result<(), TokenError> = read(self.links.token, ink::selector_bytes!("check_transfer"), (self.env().account_id(), borrower, 1u128))?;
            movable.map_err(|_| Error::TokenRefused)?;
            let debt = self.data.borrow(borrower, amount, self.now(), &valuation)?;
            self.pay(borrower, amount)?;
            self.env().emit_event(Borrowed { borrower, amount, debt });
            Ok(debt)
        }

        /// Repays up to `amount` of `borrower`'s debt from the caller (approve first); anyone
        /// may repay anyone's. Returns the amount repaid.
        #[ink(message)]
        pub fn repay(&mut self, borrower: AccountId, amount: u128) -> Result<u128, Error> {
            let payer = self.env().caller();
            let borrower = self.prepare(borrower, false)?;
            let (paid, debt) = self.data.repay(borrower, amount, self.now())?;
            self.pull(payer, paid)?;
            self.env().emit_event(Repaid { borrower, payer, amount: paid, debt });
            Ok(paid)
        }

        /// Pays the caller its credit: the yield of its collateral beyond its debt.
        #[ink(message)]
        pub fn claim_credit(&mut self) -> Result<u128, Error> {
            let borrower = self.prepare(self.env().caller(), false)?;
            let amount = self.data.claim_credit(borrower, self.now())?;
            self.pay(borrower, amount)?;
            self.env().emit_event(CreditClaimed { borrower, amount });
            Ok(amount)
        }

        /// Liquidates `borrower`'s position if its debt exceeds the liquidation threshold:
        /// the caller repays up to `amount` (at most the close factor) and receives collateral
        /// worth it plus the bonus — only if the token lets the caller receive it. After the
        /// tokenization period (worthless collateral) anyone writes the debt off for nothing and
        /// the tokens stay with the lenders (their remaining yield is the lenders'). Returns the
        /// units the caller received.
        #[ink(message)]
        pub fn liquidate(&mut self, borrower: AccountId, amount: u128) -> Result<u128, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let liquidator = self.env().caller();
            let borrower = self.prepare(borrower, true)?;
            let (valuation, _) = self.assess()?;
            let outcome = self.data.liquidate(borrower, amount, self.now(), &valuation)?;
            self.pull(liquidator, outcome.repaid)?;
            if outcome.seized > 0 {
                calls::psp22_transfer(self.links.token, liquidator, outcome.seized).map_err(token_refused)?;
            }
            self.env().emit_event(Liquidated {
                borrower,
                liquidator,
                repaid: outcome.repaid,
                seized: outcome.seized,
                bad_debt: outcome.bad_debt,
                recovered: outcome.recovered,
            });
            Ok(outcome.seized)
        }

        /// Claims the yield the collateral earned from the token and books it to the positions
        /// (each borrower's share repays its debt when it is next touched). Anyone may call;
        /// returns the amount claimed (refusals of the token are errors here).
        #[ink(message)]
        pub fn harvest(&mut self) -> Result<u128, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.collect(true)
        }

        /// Claims the vault's yield from the token and applies `borrower`'s share to its debt
        /// (the rest to its credit). Anyone may call: a keeper can keep loans repaying themselves.
        #[ink(message)]
        pub fn settle(&mut self, borrower: AccountId) -> Result<(), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.prepare(borrower, false)?;
            Ok(())
        }

        // ---- owner -----------------------------------------------------------------------

        /// Replaces the risk and rate parameters (bounded; interest accrues first). Owner only.
        #[ink(message)]
        pub fn set_params(&mut self, params: Params) -> Result<(), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.access.ensure_owner(self.env().caller())?;
            self.data.set_params(params, self.now())?;
            self.env().emit_event(ParamsSet { params });
            Ok(())
        }

        /// Pauses (`true`) or resumes deposits, mints and borrowing; adding collateral,
        /// repayments, withdrawals, unlocks and liquidations stay open. Owner only.
        #[ink(message)]
        pub fn set_paused(&mut self, paused: bool) -> Result<(), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.access.ensure_owner(self.env().caller())?;
            self.data.set_paused(paused);
            self.env().emit_event(PausedSet { paused });
            Ok(())
        }

        // ---- reads -----------------------------------------------------------------------

        /// Links, parameters and books with interest accrued to now.
        #[ink(message)]
        pub fn state(&self) -> Result<VaultState, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let data = self.data.at(self.now())?;
            Ok(VaultState {
                links: self.links,
                params: data.params(),
                totals: data.totals(),
                total_assets: data.total_assets()?,
                total_debt: data.total_debt()?,
                utilization_bps: data.utilization_bps()?,
                borrow_rate_bps: data.borrow_rate_bps()?,
            })
        }

        /// Shares of `owner` and what they redeem for now.
        #[ink(message)]
        pub fn lender(&self, owner: AccountId) -> Result<(u128, u128), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let data = self.data.at(self.now())?;
            let shares = data.shares_of(owner);
            Ok((shares, data.preview_redeem(shares)?))
        }

        /// What `deposit(assets)`, `mint(shares)`, `withdraw(assets)` and `redeem(shares)` would
        /// give or take now, for `amount`: (shares, assets, shares, assets).
        #[ink(message)]
        pub fn previews(&self, amount: u128) -> Result<(u128, u128, u128, u128), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let data = self.data.at(self.now())?;
            Ok((data.preview_deposit(amount)?, data.preview_mint(amount)?, data.preview_withdraw(amount)?, data.preview_redeem(amount)?))
        }

        /// `borrower`'s position as stored (collateral, debt in index units, credit) with its debt
        /// now; needs no valuation, so it answers while the feed is stale.
        #[ink(message)]
        pub fn position(&self, borrower: AccountId) -> Result<(Position, u128), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let data = self.data.at(self.now())?;
            let position = data.position(borrower);
            Ok((position, data.debt_of(&position)?))
        }

        /// `borrower`'s position now: collateral, debt, value, limits and health factor, at
        /// today's valuation (fails while the feed is stale).
        #[ink(message)]
        pub fn health(&self, borrower: AccountId) -> Result<Health, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.at(self.now())?.health(borrower, &self.valuation()?)
        }

        /// The valuation now, with every input: the figures read from the oracle, the escrow and
        /// the token, the rent measured since the vault's checkpoints, the value now and the
        /// latest earlier checkpoint's (fails while the feed is stale).
        #[ink(message)]
        pub fn valuation(&self) -> Result<Valuation, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let (inputs, epoch, rent) = figures(self.links, self.data.params(), self.now())?;
            Ok(self.data.valuation(inputs, epoch, rent))
        }

        /// Records a valuation in this epoch's checkpoint (its first: the token's cumulative rent;
        /// every one: the lowest and highest value per token unit). Borrowing counts the lowest
        /// of the trailing epochs, liquidation the highest, so anyone who refreshes once an epoch
        /// — a keeper, a borrower protecting a loan — keeps a short dip from closing loans.
        /// Borrow, unlock and liquidate record theirs too. Returns whether the checkpoint changed.
        #[ink(message)]
        pub fn refresh(&mut self) -> Result<bool, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let (_, recorded) = self.assess()?;
            Ok(recorded)
        }

        // ---- internal --------------------------------------------------------------------

        /// The valuation now, taking this epoch's checkpoint if it is the first (with its event).
        fn assess(&mut self) -> Result<(Valuation, bool), Error> {
            let (inputs, epoch, rent) = figures(self.links, self.data.params(), self.now())?;
            let valuation = self.data.valuation(inputs, epoch, rent);
            // Before the first checkpoint there is no rent baseline and so no value to record.
            let unit_value = valuation.unit_value();
            let priced = (valuation.inputs.rent_window_ms > 0).then_some(unit_value);
            let recorded = self.data.checkpoint(epoch, inputs.now, rent, priced);
            if recorded {
                self.env().emit_event(Checkpointed { epoch, rent, unit_value });
            }
            Ok((valuation, recorded))
        }

        fn now(&self) -> u64 {
            self.env().block_timestamp()
        }

        /// Claims the collateral's yield, then settles `borrower`'s share into its position. Before
        /// collateral moves (`strict`) a refusal of the token fails the message, so yield is never
        /// shared over the wrong collateral; otherwise it stays in the token for a later claim
        /// (repaying and claiming credit never depend on the token).
        fn prepare(&mut self, borrower: AccountId, strict: bool) -> Result<AccountId, Error> {
            self.collect(strict)?;
            let settled = self.data.touch(borrower, self.now())?;
            if settled.repaid > 0 || settled.credited > 0 {
                self.env().emit_event(YieldApplied { borrower, repaid: settled.repaid, credited: settled.credited });
            }
            Ok(borrower)
        }

        /// Claims the token's yield for the vault and books it; a refusal of the token is an error
        /// when `strict`, and otherwise leaves the yield in the token for a later claim.
        fn collect(&mut self, strict: bool) -> Result<u128, Error> {
            let claimed: Result<Result<u128, TokenError>, Error> = read(self.links.token, ink::selector_bytes!("claim"), ());
            let amount = match claimed {
                Ok(Ok(amount)) => amount,
                Ok(Err(TokenError::NothingToClaim)) => 0,
                _ if !strict => 0,
                Ok(Err(_)) => return Err(Error::TokenRefused),
                Err(error) => return Err(error),
            };
            if amount > 0 {
                self.data.receive_yield(amount)?;
                self.env().emit_event(YieldReceived { amount });
            }
            Ok(amount)
        }

        fn pull(&self, from: AccountId, amount: u128) -> Result<(), Error> {
            Ok(calls::psp22_transfer_from(self.links.stablecoin, from, self.env().account_id(), amount)?)
        }

        fn pay(&self, to: AccountId, amount: u128) -> Result<(), Error> {
            Ok(calls::psp22_transfer(self.links.stablecoin, to, amount)?)
        }
    }

    impl Ownable2Step for CreditVault {
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

        #[ink(message)]
        fn accept_ownership(&mut self) -> Result<(), AccessError> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let event = self.access.accept(self.env().caller())?;
            self.env().emit_event(event);
            Ok(())
        }
    }

    fn token_refused(error: CallError) -> Error {
        match error {
            CallError::Token(_) => Error::TokenRefused,
            _ => Error::CallFailed,
        }
    }


    /// Decodes `T` from the front of another contract's answer and skips the rest: the vault
    /// reads a few leading fields of a larger type without carrying that type's code.
    struct Front<T>(T);

    impl<T: Decode> Decode for Front<T> {
        fn decode<I: Input>(input: &mut I) -> Result<Self, ink::scale::Error> {
            let value = T::decode(input)?;
            while input.read_byte().is_ok() {}
            Ok(Front(value))
        }
    }

    /// The `Ok` value of another contract's `Result`, or `None` for any error (skipped unread).
    struct IfOk<T>(Option<T>);

    impl<T: Decode> Decode for IfOk<T> {
        fn decode<I: Input>(input: &mut I) -> Result<Self, ink::scale::Error> {
            let value = if input.read_byte()? == 0 { Some(T::decode(input)?) } else { None };
            while input.read_byte().is_ok() {}
            Ok(IfOk(value))
        }
    }

    /// A text field, kept as its bytes (never read, only skipped).
    type Text = Vec<u8>;
    /// The leading fields of the token's `TokenState` up to its distribution count: pool (model,
    /// GPUs, region, tier, period start, period end, attestation hash and URI), registry,
    /// stablecoin, admin, pending admin, capacity, redeemed, holders, paused, rules (common's
    /// `ComplianceRules`, so the rules can change without this prefix drifting), yield period,
    /// reward totals (six amounts, two times), distributions. Any other change to that type breaks
    /// the drink lifecycle test, which reads it.
    type TokenStatePrefix = (
        (Text, u32, Text, u8, u64, u64, [u8; 32], Text),
        ([u8; 32], [u8; 32], [u8; 32], Option<[u8; 32]>, u128, u128, u32, bool),
        (ComplianceRules, u64, (u128, u128, u128, u128, u128, u128, u64, u64), u32),
    );

    /// Calls `selector` of `callee` with `args` and decodes its answer as `T`; a failed call or an
    /// answer of another shape is `CallFailed`.
    fn read<T: Decode>(callee: AccountId, selector: [u8; 4], args: impl Encode) -> Result<T, Error> {
        Ok(calls::read(callee, selector, args)?)
    }

    /// Reads every input of the valuation from the oracle, the escrow and the token (all but the
    /// rent, which the vault measures between its checkpoints): the inputs, the feed's epoch now
    /// and the rent measure (the token's cumulative `distributed` plus the escrow's rent pending
    /// for holders). A stale or unknown feed is `StaleFeed` — except
    /// after the tokenization period, when the tokens earn nothing more whatever the feed says:
    /// then neither the feed's figures nor the offer are read (all zero), so a debt can be written
    /// off once reporters stop (review 7b, G7).
    fn figures(links: Links, params: Params, now: u64) -> Result<(ValuationInputs, u64, u128), Error> {
        let state: Front<TokenStatePrefix> = read(links.token, ink::selector_bytes!("state"), ())?;
        let (pool, _, (_, yield_period, rewards, _)) = state.0;
        let supply: u128 = read(links.token, ink::selector_bytes!("PSP22::total_supply"), ())?;
        let schedule: Option<EpochSchedule> = read(links.oracle, ink::selector_bytes!("UtilizationFeed::schedule"), links.feed)?;
        let schedule = schedule.ok_or(Error::StaleFeed)?;
        // The escrow's terms: feed, fee, grace period, dispute window, arbitration period.
        let terms: Front<(u32, u16, u64, u64, u64)> = read(links.escrow, ink::selector_bytes!("config"), ())?;
        let (_, fee, grace, dispute, arbitration) = terms.0;
        let mut inputs = ValuationInputs {
            now,
            period_end: pool.5,
            // The last epoch's rent can settle after its grace period or its dispute, then streams.
            yield_until: pool.5.saturating_add(grace.max(dispute.saturating_add(arbitration))).saturating_add(yield_period),
            epoch_length: schedule.epoch_length,
            gpus: schedule.gpus,
            supply,
            ..ValuationInputs::default()
        };
        if now < inputs.period_end {
            let (feed, epochs) = (links.feed, params.trailing_epochs);
            let latest: IfOk<Finalized> = read(links.oracle, ink::selector_bytes!("latest"), feed)?;
            let latest = latest.0.ok_or(Error::StaleFeed)?;
            let from = latest.epoch.saturating_add(1).saturating_sub(u64::from(epochs));
            let history: IfOk<Vec<Finalized>> = read(links.oracle, ink::selector_bytes!("history"), (feed, from, epochs))?;
            let mut utilization: Vec<u16> = history.0.unwrap_or_default().iter().map(|epoch| epoch.values.utilization_bps).collect();
            let price: Front<u128> = read(links.escrow, ink::selector_bytes!("offer"), ())?;
            // The escrow's totals end with its unpaid yield and the holders' share under dispute
            // (after eight other sums).
            let totals: ([u128; 8], u128, u128) = read(links.escrow, ink::selector_bytes!("totals"), ())?;
            inputs.price_per_gpu_hour = price.0;
            inputs.operator_fee_bps = fee;
            inputs.pending_rent = totals.1.saturating_add(totals.2);
            inputs.epochs = u32::try_from(utilization.len()).unwrap_or_default();
            inputs.utilization_bps = median(&mut utilization);
        }
        Ok((inputs, schedule.epoch_at(now), rewards.0.saturating_add(inputs.pending_rent)))
    }
}
