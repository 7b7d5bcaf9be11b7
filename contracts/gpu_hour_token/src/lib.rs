//! GPU-hour token: one PSP22 per compute pool, one unit = one micro-GPU-hour of the
//! pool's attested capacity, permissioned like ERC-3643, paying the pool's rent to
//! holders pro rata.
//!
//! The rules live in `token` (balances, compliance, freezes, redemptions), `rewards`
//! (yield accounting: each distribution streamed to holders over `yield_period`) and
//! `pool` (pool data); this module is the thin ink! layer:
//! access checks, stablecoin calls, events. Identities are pushed to the token by its
//! registry (`identities_changed`) and checked locally, so no transfer calls another contract.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// See compute-rwa-common: clippy 1.85 false positive inside `#[ink::scale_derive]`.
#![allow(clippy::cast_possible_truncation)]

pub mod pool;
pub mod rewards;
pub mod token;

#[cfg(test)]
mod token_tests;
#[cfg(test)]
mod token_props;

#[ink::contract]
pub mod gpu_hour_token {
    use crate::pool::{PoolError, PoolInfo};
    use crate::rewards::{Distribution, RewardTotals};
    use crate::token::{Attestation, ComplianceRules, Redemption, TokenData, TokenError, TokenEvent, UNITS_PER_GPU_HOUR};
    use compute_rwa_common::calls::{self, CallError};
    use compute_rwa_common::{AccessError, Agents, Credential, DistributeError, IdentityListener, Ownable, PushError, YieldDistributor, MAX_CHANGES};
    use ink::prelude::{string::String, vec::Vec};
    use ink::storage::Mapping;
    use psp22::{PSP22Error, PSP22Event, PSP22Metadata, PSP22};

    /// Token decimals: one unit is a micro-GPU-hour.
    pub const DECIMALS: u8 = 6;
    /// Most items one batch call may carry (bounded weight per call).
    pub const MAX_BATCH: u32 = 50;

    /// Errors of every non-PSP22 message. (PSP22 messages return `PSP22Error`, carrying
    /// these variants' names in `Custom`, so wallets keep working.)
    #[derive(Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum Error {
        /// Caller lacks the required role.
        Access(AccessError),
        /// A token rule refused the operation.
        Token(TokenError),
        /// Pool data is invalid.
        Pool(PoolError),
        /// The identity registry or the stablecoin call failed.
        Call(CallError),
        /// More than `MAX_BATCH` items.
        BatchTooLarge,
    }

    impl From<AccessError> for Error {
        fn from(error: AccessError) -> Self {
            Error::Access(error)
        }
    }

    impl From<TokenError> for Error {
        fn from(error: TokenError) -> Self {
            Error::Token(error)
        }
    }

    impl From<CallError> for Error {
        fn from(error: CallError) -> Self {
            Error::Call(error)
        }
    }

    /// An agent recorded a new attested capacity.
    #[ink(event)]
    pub struct CapacityAttested {
        #[ink(topic)]
        pub agent: AccountId,
        pub index: u32,
        pub capacity: u128,
        pub document_hash: [u8; 32],
    }

    /// Transfers were paused or resumed.
    #[ink(event)]
    pub struct PauseChanged {
        #[ink(topic)]
        pub agent: AccountId,
        pub paused: bool,
    }

    /// An address was frozen or unfrozen.
    #[ink(event)]
    pub struct AddressFrozen {
        #[ink(topic)]
        pub account: AccountId,
        pub frozen: bool,
        #[ink(topic)]
        pub agent: AccountId,
    }

    /// Part of a balance was frozen; `total` is the new frozen amount.
    #[ink(event)]
    pub struct TokensFrozen {
        #[ink(topic)]
        pub account: AccountId,
        pub amount: u128,
        pub total: u128,
    }

    /// Part of a balance was unfrozen (by an agent, or as far as a forced transfer or burn needed).
    #[ink(event)]
    pub struct TokensUnfrozen {
        #[ink(topic)]
        pub account: AccountId,
        pub amount: u128,
    }

    /// A lost wallet's tokens moved to a new one.
    #[ink(event)]
    pub struct RecoverySuccess {
        #[ink(topic)]
        pub lost: AccountId,
        #[ink(topic)]
        pub new: AccountId,
        pub amount: u128,
        pub frozen: u128,
    }

    /// Transfer rules changed.
    #[ink(event)]
    pub struct ComplianceUpdated {
        pub rules: ComplianceRules,
    }

    /// A holder burnt tokens to redeem GPU-hours.
    #[ink(event)]
    pub struct RedemptionRequested {
        pub id: u64,
        #[ink(topic)]
        pub holder: AccountId,
        pub amount: u128,
    }

    /// The issuer delivered a redemption's GPU-hours.
    #[ink(event)]
    pub struct RedemptionFulfilled {
        pub id: u64,
        #[ink(topic)]
        pub agent: AccountId,
    }

    /// Stablecoin yield was spread over holders.
    #[ink(event)]
    pub struct RewardsDistributed {
        pub id: u32,
        #[ink(topic)]
        pub distributor: AccountId,
        pub amount: u128,
        pub supply: u128,
    }

    /// A holder claimed yield.
    #[ink(event)]
    pub struct RewardsClaimed {
        #[ink(topic)]
        pub account: AccountId,
        #[ink(topic)]
        pub receiver: AccountId,
        pub amount: u128,
    }

    /// The release period of future distributions changed.
    #[ink(event)]
    pub struct YieldPeriodSet {
        pub period_ms: u64,
    }

    /// A yield distributor was added or removed.
    #[ink(event)]
    pub struct DistributorUpdated {
        #[ink(topic)]
        pub account: AccountId,
        pub enabled: bool,
    }

    /// The credential the token honours for an account changed: pushed by the identity
    /// registry, or copied by `sync`. `None`: removed from the registry.
    #[ink(event)]
    pub struct CredentialChanged {
        #[ink(topic)]
        pub account: AccountId,
        pub credential: Option<Credential>,
    }

    /// The identity registry bound (`bound`) or unbound the token; `binding` counts bindings.
    /// A new binding voids every credential received before it.
    #[ink(event)]
    pub struct BindingChanged {
        pub bound: bool,
        pub binding: u32,
    }

    #[ink(storage)]
    pub struct GpuHourToken {
        data: TokenData,
        name: Option<String>,
        symbol: Option<String>,
        pool: PoolInfo,
        registry: AccountId,
        stablecoin: AccountId,
        ownership: Ownable,
        agents: Agents,
        distributors: Mapping<AccountId, ()>,
    }

    impl GpuHourToken {
        /// A pool token with no capacity yet, owned by the caller, checking investors in
        /// `registry` and paying yield in `stablecoin`.
        #[ink(constructor)]
        pub fn new(
            name: Option<String>,
            symbol: Option<String>,
            pool: PoolInfo,
            registry: AccountId,
            stablecoin: AccountId,
        ) -> Result<Self, Error> {
            pool.validate().map_err(Error::Pool)?;
            Ok(Self {
                data: TokenData::default(),
                name,
                symbol,
                pool,
                registry,
                stablecoin,
                ownership: Ownable::new(Self::env().caller()),
                agents: Agents::default(),
                distributors: Mapping::default(),
            })
        }

        // ---- pool and capacity -------------------------------------------------------

        /// Pool description (GPU model, count, region, tier, period, latest attestation).
        #[ink(message)]
        pub fn pool(&self) -> PoolInfo {
            self.pool.clone()
        }

        /// Identity registry and stablecoin addresses.
        #[ink(message)]
        pub fn links(&self) -> (AccountId, AccountId) {
            (self.registry, self.stablecoin)
        }

        /// Records the attested capacity in whole GPU-hours with its document. Agents only.
        /// Fails below what was already issued or above GPU count × period hours.
        #[ink(message)]
        pub fn attest_capacity(&mut self, gpu_hours: u64, document_hash: [u8; 32], document_uri: String) -> Result<(), Error> {
            let agent = self.ensure_agent()?;
            let capacity = u128::from(gpu_hours).checked_mul(UNITS_PER_GPU_HOUR).ok_or(TokenError::Overflow)?;
            let attestation =
                self.data.attest(capacity, self.pool.capacity_limit(), document_hash, self.env().block_timestamp(), agent)?;
            self.pool.attestation_hash = document_hash;
            self.pool.attestation_uri = document_uri;
            let index = self.data.attestation_count().saturating_sub(1);
            self.env().emit_event(CapacityAttested { agent, index, capacity, document_hash: attestation.document_hash });
            Ok(())
        }

        /// Attested capacity, in token units.
        #[ink(message)]
        pub fn capacity(&self) -> u128 {
            self.data.capacity()
        }

        /// Units burnt by redemptions; supply + redeemed never exceeds capacity.
        #[ink(message)]
        pub fn redeemed(&self) -> u128 {
            self.data.redeemed()
        }

        /// Attestation number `index`, oldest first.
        #[ink(message)]
        pub fn attestation(&self, index: u32) -> Option<Attestation> {
            self.data.attestation(index)
        }

        /// Number of attestations.
        #[ink(message)]
        pub fn attestation_count(&self) -> u32 {
            self.data.attestation_count()
        }

        // ---- issuance and agent powers -----------------------------------------------

        /// Mints `amount` to a verified, compliant `to`, within attested capacity. Agents only.
        #[ink(message)]
        pub fn mint(&mut self, to: AccountId, amount: u128) -> Result<(), Error> {
            self.ensure_agent()?;
            self.mint_one(to, amount)
        }

        /// `mint` for up to `MAX_BATCH` recipients; all or nothing. Agents only.
        #[ink(message)]
        pub fn batch_mint(&mut self, mints: Vec<(AccountId, u128)>) -> Result<(), Error> {
            self.ensure_agent()?;
            ensure_batch(mints.len())?;
            mints.into_iter().try_for_each(|(to, amount)| self.mint_one(to, amount))
        }

        /// Burns `amount` of `account`'s balance, unfreezing only what it must. Agents only.
        #[ink(message)]
        pub fn burn_from(&mut self, account: AccountId, amount: u128) -> Result<(), Error> {
            self.ensure_agent()?;
            let events = self.data.burn_from(account, amount, self.env().block_timestamp())?;
            self.emit_token_events(events);
            Ok(())
        }

        /// Moves `amount` from `from` to a verified, compliant `to`, even if paused or frozen;
        /// unfreezes only what it must. Agents only.
        #[ink(message)]
        pub fn forced_transfer(&mut self, from: AccountId, to: AccountId, amount: u128) -> Result<(), Error> {
            self.ensure_agent()?;
            self.forced_transfer_one(from, to, amount)
        }

        /// `forced_transfer` for up to `MAX_BATCH` (from, to, amount); all or nothing. Agents only.
        #[ink(message)]
        pub fn batch_forced_transfer(&mut self, transfers: Vec<(AccountId, AccountId, u128)>) -> Result<(), Error> {
            self.ensure_agent()?;
            ensure_batch(transfers.len())?;
            transfers.into_iter().try_for_each(|(from, to, amount)| self.forced_transfer_one(from, to, amount))
        }

        /// Moves everything of a lost wallet (balance, frozen part, address freeze, unclaimed
        /// yield) to a new verified wallet, also when only yield is left. Agents only.
        #[ink(message)]
        pub fn recover(&mut self, lost: AccountId, new: AccountId) -> Result<(), Error> {
            self.ensure_agent()?;
            let now = self.env().block_timestamp();
            let (amount, frozen, events) = self.data.recover(lost, new, self.data.party(new, now), now)?;
            self.emit_token_events(events);
            self.env().emit_event(RecoverySuccess { lost, new, amount, frozen });
            Ok(())
        }

        /// Freezes (`true`) or unfreezes an address: it can neither send nor receive. Agents only.
        #[ink(message)]
        pub fn set_frozen(&mut self, account: AccountId, frozen: bool) -> Result<(), Error> {
            let agent = self.ensure_agent()?;
            self.set_frozen_one(agent, account, frozen);
            Ok(())
        }

        /// `set_frozen` for up to `MAX_BATCH` accounts. Agents only.
        #[ink(message)]
        pub fn batch_set_frozen(&mut self, accounts: Vec<(AccountId, bool)>) -> Result<(), Error> {
            let agent = self.ensure_agent()?;
            ensure_batch(accounts.len())?;
            for (account, frozen) in accounts {
                self.set_frozen_one(agent, account, frozen);
            }
            Ok(())
        }

        /// Freezes `amount` more of `account`'s tokens (at most its balance). Agents only.
        #[ink(message)]
        pub fn freeze_partial(&mut self, account: AccountId, amount: u128) -> Result<(), Error> {
            self.ensure_agent()?;
            self.freeze_partial_one(account, amount)
        }

        /// `freeze_partial` for up to `MAX_BATCH` accounts; all or nothing. Agents only.
        #[ink(message)]
        pub fn batch_freeze_partial(&mut self, freezes: Vec<(AccountId, u128)>) -> Result<(), Error> {
            self.ensure_agent()?;
            ensure_batch(freezes.len())?;
            freezes.into_iter().try_for_each(|(account, amount)| self.freeze_partial_one(account, amount))
        }

        /// Unfreezes `amount` of `account`'s frozen tokens. Agents only.
        #[ink(message)]
        pub fn unfreeze_partial(&mut self, account: AccountId, amount: u128) -> Result<(), Error> {
            self.ensure_agent()?;
            self.data.unfreeze_partial(account, amount)?;
            self.env().emit_event(TokensUnfrozen { account, amount });
            Ok(())
        }

        /// Stops holder transfers and redemptions (agent powers keep working). Agents only.
        #[ink(message)]
        pub fn pause(&mut self) -> Result<(), Error> {
            self.set_paused(true)
        }

        /// Resumes holder transfers. Agents only.
        #[ink(message)]
        pub fn unpause(&mut self) -> Result<(), Error> {
            self.set_paused(false)
        }

        /// Replaces the transfer rules (max holders, max balance, blocked countries). Owner only.
        #[ink(message)]
        pub fn set_compliance(&mut self, rules: ComplianceRules) -> Result<(), Error> {
            self.ownership.ensure_owner(self.env().caller())?;
            self.data.set_rules(rules.clone())?;
            self.env().emit_event(ComplianceUpdated { rules });
            Ok(())
        }

        /// Marks redemption `id` as delivered. Agents only.
        #[ink(message)]
        pub fn fulfill_redemption(&mut self, id: u64) -> Result<(), Error> {
            let agent = self.ensure_agent()?;
            self.data.fulfill_redemption(id, self.env().block_timestamp())?;
            self.env().emit_event(RedemptionFulfilled { id, agent });
            Ok(())
        }

        // ---- holders -----------------------------------------------------------------

        /// Burns `amount` of the caller's free tokens to redeem GPU-hours; returns the
        /// redemption id. Works for unverified holders (an exit), not while paused or frozen.
        #[ink(message)]
        pub fn redeem(&mut self, amount: u128) -> Result<u64, Error> {
            let holder = self.env().caller();
            let (redemption, events) = self.data.redeem(holder, amount, self.env().block_timestamp())?;
            self.emit_token_events(events);
            self.env().emit_event(RedemptionRequested { id: redemption.id, holder, amount });
            Ok(redemption.id)
        }

        /// Why a transfer of `amount` from `from` to `to` would fail now, if it would.
        #[ink(message)]
        pub fn check_transfer(&self, from: AccountId, to: AccountId, amount: u128) -> Result<(), Error> {
            Ok(self.data.check_voluntary(from, to, amount, self.parties(from, to))?)
        }

        // ---- identities --------------------------------------------------------------

        /// The credential the token honours for `account`: verified until (ms; 0 while
        /// suspended), country and class, as pushed or synced since the current binding. `None`:
        /// not registered, or the token is unbound, or not yet synced since it was bound.
        #[ink(message)]
        pub fn credential(&self, account: AccountId) -> Option<Credential> {
            self.data.credential(account)
        }

        /// Whether the identity registry binds the token (unbound, every account counts as
        /// unverified), and the number of its bindings so far.
        #[ink(message)]
        pub fn identity_binding(&self) -> (bool, u32) {
            self.data.binding()
        }

        /// Copies the registry's current record of each account (at most `MAX_BATCH`) into the
        /// token: for accounts registered before the current binding. Anyone may call it; it can
        /// only make the token agree with its registry. Refused while unbound (`NotBound`).
        #[ink(message)]
        pub fn sync(&mut self, accounts: Vec<AccountId>) -> Result<(), Error> {
            ensure_batch(accounts.len())?;
            if !self.data.binding().0 {
                return Err(TokenError::NotBound.into());
            }
            let mut records = Vec::with_capacity(accounts.len());
            for account in accounts {
                records.push((account, calls::credential(self.registry, account)?));
            }
            for (account, credential) in records {
                self.set_credential(account, credential)?;
            }
            Ok(())
        }

        // ---- yield -------------------------------------------------------------------

        /// Pays the caller's whole units of yield to the caller; returns the amount.
        #[ink(message)]
        pub fn claim(&mut self) -> Result<u128, Error> {
            self.claim_to(self.env().caller())
        }

        /// Pays the caller's whole units of yield to `receiver`; returns the amount. The caller
        /// must be verified and not frozen (yield keeps accruing meanwhile).
        #[ink(message)]
        pub fn claim_to(&mut self, receiver: AccountId) -> Result<u128, Error> {
            let account = self.env().caller();
            if !self.data.party(account, self.env().block_timestamp()).verified {
                return Err(TokenError::SenderNotVerified.into());
            }
            let amount = self.data.claim(account, self.env().block_timestamp())?;
            calls::psp22_transfer(self.stablecoin, receiver, amount)?;
            self.env().emit_event(RewardsClaimed { account, receiver, amount });
            Ok(amount)
        }

        /// Whole stablecoin units `account` could claim now (yield released so far).
        #[ink(message)]
        pub fn claimable(&self, account: AccountId) -> Result<u128, Error> {
            Ok(self.data.claimable(account, self.env().block_timestamp())?)
        }

        /// Yield totals for auditors as of now: distributed, claimed, undistributed, carried
        /// remainder, still streaming (and until when).
        #[ink(message)]
        pub fn reward_totals(&self) -> RewardTotals {
            let stored = self.data.rewards().totals();
            self.data.reward_totals(self.env().block_timestamp()).unwrap_or(stored)
        }

        /// Period (ms) over which each distribution is released to holders.
        #[ink(message)]
        pub fn yield_period(&self) -> u64 {
            self.data.yield_period()
        }

        /// Sets the release period of future distributions, 1 s to 365 days; the running
        /// stream keeps its end. Owner only.
        #[ink(message)]
        pub fn set_yield_period(&mut self, period_ms: u64) -> Result<(), Error> {
            self.ownership.ensure_owner(self.env().caller())?;
            self.data.set_yield_period(period_ms)?;
            self.env().emit_event(YieldPeriodSet { period_ms });
            Ok(())
        }

        /// Up to `count` (max `MAX_BATCH`) distributions from id `from`, oldest first.
        #[ink(message)]
        pub fn distributions(&self, from: u32, count: u32) -> Vec<Distribution> {
            self.data.rewards().distributions(from, count.min(MAX_BATCH))
        }

        /// Number of distributions.
        #[ink(message)]
        pub fn distribution_count(&self) -> u32 {
            self.data.rewards().distribution_count()
        }

        /// Adds (`enabled`) or removes a yield distributor. Owner only.
        #[ink(message)]
        pub fn set_distributor(&mut self, account: AccountId, enabled: bool) -> Result<(), Error> {
            self.ownership.ensure_owner(self.env().caller())?;
            if enabled {
                self.distributors.insert(account, &());
            } else {
                self.distributors.remove(account);
            }
            self.env().emit_event(DistributorUpdated { account, enabled });
            Ok(())
        }

        /// Whether `account` may distribute.
        #[ink(message)]
        pub fn is_distributor(&self, account: AccountId) -> bool {
            self.distributors.contains(account)
        }

        // ---- reads -------------------------------------------------------------------

        /// Accounts with a non-zero balance.
        #[ink(message)]
        pub fn holder_count(&self) -> u32 {
            self.data.holders()
        }

        /// Whether holder transfers are paused.
        #[ink(message)]
        pub fn is_paused(&self) -> bool {
            self.data.is_paused()
        }

        /// Whether `account`'s address is frozen.
        #[ink(message)]
        pub fn is_frozen(&self, account: AccountId) -> bool {
            self.data.is_frozen(account)
        }

        /// Frozen part of `account`'s balance.
        #[ink(message)]
        pub fn frozen_amount(&self, account: AccountId) -> u128 {
            self.data.frozen_amount(account)
        }

        /// Current transfer rules.
        #[ink(message)]
        pub fn compliance(&self) -> ComplianceRules {
            self.data.rules()
        }

        /// Redemption `id`.
        #[ink(message)]
        pub fn redemption(&self, id: u64) -> Option<Redemption> {
            self.data.redemption(id)
        }

        /// Number of redemptions.
        #[ink(message)]
        pub fn redemption_count(&self) -> u64 {
            self.data.redemption_count()
        }

        // ---- roles -------------------------------------------------------------------

        /// Adds (`enabled`) or removes an agent. Owner only.
        #[ink(message)]
        pub fn set_agent(&mut self, account: AccountId, enabled: bool) -> Result<(), Error> {
            let event = self.agents.set(&self.ownership, self.env().caller(), account, enabled)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Whether `account` is an agent.
        #[ink(message)]
        pub fn is_agent(&self, account: AccountId) -> bool {
            self.agents.contains(account)
        }

        /// The current owner.
        #[ink(message)]
        pub fn owner(&self) -> AccountId {
            self.ownership.owner()
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

        // ---- internals ---------------------------------------------------------------

        fn ensure_agent(&self) -> Result<AccountId, Error> {
            let caller = self.env().caller();
            self.agents.ensure(&self.ownership, caller)?;
            Ok(caller)
        }

        fn set_paused(&mut self, paused: bool) -> Result<(), Error> {
            let agent = self.ensure_agent()?;
            self.data.set_paused(paused);
            self.env().emit_event(PauseChanged { agent, paused });
            Ok(())
        }

        /// The registry's verdict on both parties now, from the pushed credentials.
        fn parties(&self, from: AccountId, to: AccountId) -> (compute_rwa_common::Party, compute_rwa_common::Party) {
            let now = self.env().block_timestamp();
            (self.data.party(from, now), self.data.party(to, now))
        }

        /// Records a credential; the event only when what the token honours changed.
        fn set_credential(&mut self, account: AccountId, credential: Option<Credential>) -> Result<(), TokenError> {
            if self.data.set_credential(account, credential)? {
                self.env().emit_event(CredentialChanged { account, credential });
            }
            Ok(())
        }

        fn mint_one(&mut self, to: AccountId, amount: u128) -> Result<(), Error> {
            let now = self.env().block_timestamp();
            let events = self.data.mint(to, amount, self.data.party(to, now), now)?;
            self.emit_token_events(events);
            Ok(())
        }

        fn forced_transfer_one(&mut self, from: AccountId, to: AccountId, amount: u128) -> Result<(), Error> {
            let now = self.env().block_timestamp();
            let events = self.data.forced_transfer(from, to, amount, self.data.party(to, now), now)?;
            self.emit_token_events(events);
            Ok(())
        }

        fn set_frozen_one(&mut self, agent: AccountId, account: AccountId, frozen: bool) {
            self.data.set_frozen(account, frozen);
            self.env().emit_event(AddressFrozen { account, frozen, agent });
        }

        fn freeze_partial_one(&mut self, account: AccountId, amount: u128) -> Result<(), Error> {
            let total = self.data.freeze_partial(account, amount)?;
            self.env().emit_event(TokensFrozen { account, amount, total });
            Ok(())
        }

        fn emit_token_events(&self, events: Vec<TokenEvent>) {
            for event in events {
                match event {
                    TokenEvent::Psp22(PSP22Event::Transfer(e)) => self.env().emit_event(e),
                    TokenEvent::Psp22(PSP22Event::Approval(e)) => self.env().emit_event(e),
                    TokenEvent::TokensUnfrozen { account, amount } => self.env().emit_event(TokensUnfrozen { account, amount }),
                }
            }
        }

        fn psp22_result(&self, result: Result<Vec<TokenEvent>, TokenError>) -> Result<(), PSP22Error> {
            self.emit_token_events(result?);
            Ok(())
        }
    }

    fn ensure_batch(len: usize) -> Result<(), Error> {
        if len > MAX_BATCH as usize {
            Err(Error::BatchTooLarge)
        } else {
            Ok(())
        }
    }

    impl PSP22 for GpuHourToken {
        #[ink(message)]
        fn total_supply(&self) -> u128 {
            self.data.total_supply()
        }

        #[ink(message)]
        fn balance_of(&self, owner: AccountId) -> u128 {
            self.data.balance_of(owner)
        }

        #[ink(message)]
        fn allowance(&self, owner: AccountId, spender: AccountId) -> u128 {
            self.data.allowance(owner, spender)
        }

        /// Transfers under compliance: both parties verified, neither frozen, free balance,
        /// not paused, recipient rules. Errors name the rule in `Custom`.
        #[ink(message)]
        fn transfer(&mut self, to: AccountId, value: u128, _data: Vec<u8>) -> Result<(), PSP22Error> {
            let caller = self.env().caller();
            let result = self.data.transfer(caller, to, value, self.parties(caller, to), self.env().block_timestamp());
            self.psp22_result(result)
        }

        /// `transfer` on behalf of `from`, spending the caller's allowance.
        #[ink(message)]
        fn transfer_from(&mut self, from: AccountId, to: AccountId, value: u128, _data: Vec<u8>) -> Result<(), PSP22Error> {
            let result = self.data.transfer_from(self.env().caller(), from, to, value, self.parties(from, to), self.env().block_timestamp());
            self.psp22_result(result)
        }

        #[ink(message)]
        fn approve(&mut self, spender: AccountId, value: u128) -> Result<(), PSP22Error> {
            let result = self.data.approve(self.env().caller(), spender, value);
            self.psp22_result(result)
        }

        #[ink(message)]
        fn increase_allowance(&mut self, spender: AccountId, delta_value: u128) -> Result<(), PSP22Error> {
            let result = self.data.increase_allowance(self.env().caller(), spender, delta_value);
            self.psp22_result(result)
        }

        #[ink(message)]
        fn decrease_allowance(&mut self, spender: AccountId, delta_value: u128) -> Result<(), PSP22Error> {
            let result = self.data.decrease_allowance(self.env().caller(), spender, delta_value);
            self.psp22_result(result)
        }
    }

    impl YieldDistributor for GpuHourToken {
        /// Pulls `amount` of stablecoin from the caller (who approved it) and streams it to
        /// holders pro rata over `yield_period` from now, with the running stream's leftover.
        /// Distributors (the escrow) and agents only.
        #[ink(message)]
        fn distribute(&mut self, amount: u128) -> Result<(), DistributeError> {
            let distributor = self.env().caller();
            if !self.distributors.contains(distributor) && self.agents.ensure(&self.ownership, distributor).is_err() {
                return Err(DistributeError::NotDistributor);
            }
            let entry: Distribution = self
                .data
                .distribute(amount, self.env().block_number(), self.env().block_timestamp())
                .map_err(|_| DistributeError::InvalidAmount)?;
            calls::psp22_transfer_from(self.stablecoin, distributor, self.env().account_id(), amount)
                .map_err(|_| DistributeError::PaymentFailed)?;
            self.env().emit_event(RewardsDistributed { id: entry.id, distributor, amount, supply: entry.supply });
            Ok(())
        }
    }

    impl IdentityListener for GpuHourToken {
        /// Records what the identity registry now says about each account (`None`: removed).
        /// The token's registry only; it calls this on every register, update and remove.
        #[ink(message)]
        fn identities_changed(&mut self, changes: Vec<(AccountId, Option<Credential>)>) -> Result<(), PushError> {
            if self.env().caller() != self.registry {
                return Err(PushError::NotRegistry);
            }
            if changes.len() > MAX_CHANGES as usize {
                return Err(PushError::BatchTooLarge);
            }
            for (account, credential) in changes {
                self.set_credential(account, credential).map_err(|_| PushError::NotBound)?;
            }
            Ok(())
        }

        /// The registry bound or unbound the token. Its registry only.
        #[ink(message)]
        fn binding_changed(&mut self, bound: bool) -> Result<(), PushError> {
            if self.env().caller() != self.registry {
                return Err(PushError::NotRegistry);
            }
            self.data.set_bound(bound).map_err(|_| PushError::Overflow)?;
            let (bound, binding) = self.data.binding();
            self.env().emit_event(BindingChanged { bound, binding });
            Ok(())
        }
    }

    impl PSP22Metadata for GpuHourToken {
        #[ink(message)]
        fn token_name(&self) -> Option<String> {
            self.name.clone()
        }

        #[ink(message)]
        fn token_symbol(&self) -> Option<String> {
            self.symbol.clone()
        }

        #[ink(message)]
        fn token_decimals(&self) -> u8 {
            DECIMALS
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use ink::env::test::{default_accounts, set_caller, DefaultAccounts};
        use ink::env::DefaultEnvironment;

        fn accounts() -> DefaultAccounts<DefaultEnvironment> {
            default_accounts::<DefaultEnvironment>()
        }

        fn pool() -> PoolInfo {
            PoolInfo {
                gpu_model: "NVIDIA H100 SXM".into(),
                gpu_count: 8,
                region: "eu-central".into(),
                datacenter_tier: 3,
                period_start: 0,
                period_end: 720 * 3_600_000,
                attestation_hash: [0; 32],
                attestation_uri: String::new(),
            }
        }

        /// Deployed by Alice; registry and stablecoin addresses are placeholders (no calls made).
        fn token() -> GpuHourToken {
            set_caller::<DefaultEnvironment>(accounts().alice);
            GpuHourToken::new(Some("H100 GPU-hour".into()), Some("GPUH".into()), pool(), accounts().django, accounts().frank)
                .unwrap()
        }

        #[ink::test]
        fn constructor_validates_the_pool() {
            set_caller::<DefaultEnvironment>(accounts().alice);
            let mut empty = pool();
            empty.gpu_count = 0;
            let result = GpuHourToken::new(None, None, empty, accounts().django, accounts().frank);
            assert_eq!(result.err(), Some(Error::Pool(PoolError::NoGpus)));
        }

        #[ink::test]
        fn metadata_pool_and_links() {
            let token = token();
            assert_eq!(token.token_decimals(), 6);
            assert_eq!(token.token_symbol().as_deref(), Some("GPUH"));
            assert_eq!(token.pool(), pool());
            assert_eq!(token.links(), (accounts().django, accounts().frank));
            assert_eq!(token.owner(), accounts().alice);
        }

        #[ink::test]
        fn agent_attests_capacity_within_the_pool() {
            let mut token = token();
            token.set_agent(accounts().bob, true).unwrap();
            set_caller::<DefaultEnvironment>(accounts().bob);
            token.attest_capacity(5_760, [9; 32], "ipfs://attestation".into()).unwrap();
            assert_eq!(token.capacity(), 5_760 * 1_000_000);
            assert_eq!(token.pool().attestation_hash, [9; 32]);
            assert_eq!(token.attestation(0).map(|a| a.agent), Some(accounts().bob));
            assert_eq!(token.attest_capacity(5_761, [9; 32], String::new()), Err(Error::Token(TokenError::CapacityExceedsPool)));
            assert_eq!(token.attestation_count(), 1);
        }

        #[ink::test]
        fn agent_controls_pause_and_freezes() {
            let mut token = token();
            token.pause().unwrap();
            assert!(token.is_paused());
            token.unpause().unwrap();
            token.batch_set_frozen(vec![(accounts().bob, true), (accounts().charlie, true)]).unwrap();
            assert!(token.is_frozen(accounts().bob) && token.is_frozen(accounts().charlie));
            let too_many = vec![(accounts().bob, true); MAX_BATCH as usize + 1];
            assert_eq!(token.batch_set_frozen(too_many), Err(Error::BatchTooLarge));
            assert_eq!(token.freeze_partial(accounts().bob, 1), Err(Error::Token(TokenError::FreezeExceedsBalance)));
        }

        #[ink::test]
        fn owner_sets_compliance_and_distributors() {
            let mut token = token();
            let rules = ComplianceRules { max_holders: 10, max_balance: 5, blocked_countries: vec![408] };
            token.set_compliance(rules.clone()).unwrap();
            assert_eq!(token.compliance(), rules);
            token.set_distributor(accounts().charlie, true).unwrap();
            assert!(token.is_distributor(accounts().charlie));
        }

        #[ink::test]
        fn every_privileged_message_rejects_outsiders() {
            let mut token = token();
            let (alice, bob, charlie, eve) = (accounts().alice, accounts().bob, accounts().charlie, accounts().eve);
            token.set_agent(bob, true).unwrap();
            token.set_distributor(charlie, true).unwrap();
            token.transfer_ownership(Some(charlie)).unwrap();
            let not_agent = Err(Error::Access(AccessError::NotAgent));
            let not_owner = Err(Error::Access(AccessError::NotOwner));
            // Agent-only messages: refused to a distributor and to an outsider.
            for caller in [charlie, eve] {
                set_caller::<DefaultEnvironment>(caller);
                assert_eq!(token.attest_capacity(1, [0; 32], String::new()), not_agent);
                assert_eq!(token.mint(eve, 1), not_agent);
                assert_eq!(token.batch_mint(vec![(eve, 1)]), not_agent);
                assert_eq!(token.burn_from(bob, 1), not_agent);
                assert_eq!(token.forced_transfer(bob, eve, 1), not_agent);
                assert_eq!(token.batch_forced_transfer(vec![(bob, eve, 1)]), not_agent);
                assert_eq!(token.recover(bob, eve), not_agent);
                assert_eq!(token.set_frozen(bob, true), not_agent);
                assert_eq!(token.batch_set_frozen(vec![(bob, true)]), not_agent);
                assert_eq!(token.freeze_partial(bob, 1), not_agent);
                assert_eq!(token.batch_freeze_partial(vec![(bob, 1)]), not_agent);
                assert_eq!(token.unfreeze_partial(bob, 1), not_agent);
                assert_eq!(token.pause(), not_agent);
                assert_eq!(token.unpause(), not_agent);
                assert_eq!(token.fulfill_redemption(0), not_agent);
            }
            set_caller::<DefaultEnvironment>(eve);
            assert_eq!(token.distribute(1), Err(DistributeError::NotDistributor));
            // Identity pushes: the registry (django) only — not the owner, an agent or anyone else.
            for caller in [alice, bob, charlie, eve] {
                set_caller::<DefaultEnvironment>(caller);
                assert_eq!(token.identities_changed(vec![(eve, Some(credential(u64::MAX)))]), Err(PushError::NotRegistry));
                assert_eq!(token.binding_changed(true), Err(PushError::NotRegistry));
            }
            assert_eq!(token.identity_binding(), (false, 0));
            assert_eq!(token.credential(eve), None);
            // Owner-only messages: refused to an agent, a distributor (here also the pending
            // owner) and an outsider.
            for caller in [bob, charlie, eve] {
                set_caller::<DefaultEnvironment>(caller);
                assert_eq!(token.set_compliance(ComplianceRules::default()), not_owner);
                assert_eq!(token.set_yield_period(60_000), not_owner);
                assert_eq!(token.set_distributor(eve, true), not_owner);
                assert_eq!(token.set_agent(eve, true), not_owner);
                assert_eq!(token.transfer_ownership(Some(caller)), not_owner);
            }
            for caller in [alice, bob, eve] {
                set_caller::<DefaultEnvironment>(caller);
                assert_eq!(token.accept_ownership(), Err(Error::Access(AccessError::NotPendingOwner)));
            }
            assert!(!token.is_paused() && !token.is_frozen(bob) && token.capacity() == 0, "nothing changed");
            assert!(!token.is_distributor(eve) && !token.is_agent(eve) && token.owner() == alice);
            assert_eq!(token.yield_period(), crate::rewards::DEFAULT_YIELD_PERIOD_MS);
        }

        #[ink::test]
        fn owner_sets_a_bounded_yield_period() {
            let mut token = token();
            assert_eq!(token.yield_period(), 86_400_000, "one day by default");
            let before = ink::env::test::recorded_events().count();
            token.set_yield_period(60_000).unwrap();
            assert_eq!(token.yield_period(), 60_000);
            assert_eq!(ink::env::test::recorded_events().count(), before + 1, "YieldPeriodSet");
            let invalid = Err(Error::Token(TokenError::Reward(crate::rewards::RewardError::InvalidPeriod)));
            assert_eq!(token.set_yield_period(999), invalid);
            assert_eq!(token.set_yield_period(365 * 86_400_000 + 1), invalid);
            assert_eq!(token.reward_totals(), RewardTotals::default());
        }

        fn credential(verified_until: u64) -> Credential {
            Credential { verified_until, country: 276, class: compute_rwa_common::InvestorClass::Retail }
        }

        #[ink::test]
        fn transfers_are_decided_by_the_pushed_credentials() {
            let mut token = token();
            let (alice, bob, charlie, django) = (accounts().alice, accounts().bob, accounts().charlie, accounts().django);
            token.attest_capacity(100, [0; 32], String::new()).unwrap();
            assert_eq!(token.mint(bob, 10), Err(Error::Token(TokenError::RecipientNotVerified)), "nothing pushed yet");
            set_caller::<DefaultEnvironment>(django);
            assert_eq!(token.identities_changed(vec![(bob, Some(credential(5_000)))]), Err(PushError::NotBound), "not bound yet");
            assert_eq!(token.sync(vec![bob]), Err(Error::Token(TokenError::NotBound)));
            token.binding_changed(true).unwrap();
            assert_eq!(token.identity_binding(), (true, 1));
            let before = ink::env::test::recorded_events().count();
            token.identities_changed(vec![(bob, Some(credential(5_000))), (charlie, Some(credential(5_000)))]).unwrap();
            assert_eq!(ink::env::test::recorded_events().count(), before + 2, "CredentialChanged per account");
            token.identities_changed(vec![(bob, Some(credential(5_000)))]).unwrap();
            assert_eq!(ink::env::test::recorded_events().count(), before + 2, "no event when nothing changed");
            let too_many = vec![(bob, None); MAX_BATCH as usize + 1];
            assert_eq!(token.identities_changed(too_many), Err(PushError::BatchTooLarge));
            assert_eq!(token.credential(bob), Some(credential(5_000)));
            set_caller::<DefaultEnvironment>(alice);
            token.mint(bob, 10).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            ink::env::test::set_block_timestamp::<DefaultEnvironment>(4_999);
            token.transfer(charlie, 1, Vec::new()).unwrap();
            assert_eq!(token.balance_of(charlie), 1);
            // KYC expiry is exclusive and checked locally, with no registry call.
            ink::env::test::set_block_timestamp::<DefaultEnvironment>(5_000);
            assert_eq!(token.transfer(charlie, 1, Vec::new()), Err(PSP22Error::Custom("SenderNotVerified".into())));
            // A removal pushed by the registry takes effect at once.
            set_caller::<DefaultEnvironment>(django);
            token.identities_changed(vec![(bob, Some(credential(9_000))), (charlie, None)]).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            assert_eq!(token.transfer(charlie, 1, Vec::new()), Err(PSP22Error::Custom("RecipientNotVerified".into())));
            assert_eq!(token.check_transfer(bob, charlie, 1), Err(Error::Token(TokenError::RecipientNotVerified)));
            assert_eq!(token.credential(charlie), None);
            assert_eq!((token.balance_of(bob), token.balance_of(charlie)), (9, 1));
        }

        #[ink::test]
        fn an_unbound_token_verifies_nobody_and_a_rebinding_voids_old_credentials() {
            let mut token = token();
            let (alice, bob, charlie, django) = (accounts().alice, accounts().bob, accounts().charlie, accounts().django);
            token.attest_capacity(100, [0; 32], String::new()).unwrap();
            set_caller::<DefaultEnvironment>(django);
            token.binding_changed(true).unwrap();
            token.identities_changed(vec![(bob, Some(credential(u64::MAX))), (charlie, Some(credential(u64::MAX)))]).unwrap();
            set_caller::<DefaultEnvironment>(alice);
            token.mint(bob, 10).unwrap();
            // Unbound, the token cannot hear of a removal, so it trusts nobody.
            set_caller::<DefaultEnvironment>(django);
            token.binding_changed(false).unwrap();
            assert_eq!(token.identity_binding(), (false, 1));
            assert_eq!((token.credential(bob), token.credential(charlie)), (None, None));
            set_caller::<DefaultEnvironment>(bob);
            assert_eq!(token.transfer(charlie, 1, Vec::new()), Err(PSP22Error::Custom("SenderNotVerified".into())));
            assert_eq!(token.claim(), Err(Error::Token(TokenError::SenderNotVerified)));
            // Bound again: what was kept from before is void until pushed or synced anew.
            set_caller::<DefaultEnvironment>(django);
            token.binding_changed(true).unwrap();
            assert_eq!(token.identity_binding(), (true, 2));
            assert_eq!(token.credential(bob), None, "a credential from the earlier binding is void");
            token.identities_changed(vec![(bob, Some(credential(u64::MAX)))]).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            assert_eq!(token.transfer(charlie, 1, Vec::new()), Err(PSP22Error::Custom("RecipientNotVerified".into())), "charlie not renewed");
            set_caller::<DefaultEnvironment>(django);
            token.identities_changed(vec![(charlie, Some(credential(u64::MAX)))]).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            token.transfer(charlie, 1, Vec::new()).unwrap();
            assert_eq!((token.balance_of(bob), token.balance_of(charlie)), (9, 1));
            // A binding whose unbinding notice never arrived still voids what came before it.
            set_caller::<DefaultEnvironment>(django);
            token.binding_changed(true).unwrap();
            assert_eq!(token.identity_binding(), (true, 3));
            assert_eq!((token.credential(bob), token.credential(charlie)), (None, None));
        }

        #[ink::test]
        fn ownership_moves_in_two_steps() {
            let mut token = token();
            token.transfer_ownership(Some(accounts().bob)).unwrap();
            set_caller::<DefaultEnvironment>(accounts().bob);
            token.accept_ownership().unwrap();
            assert_eq!(token.owner(), accounts().bob);
        }
    }
}
