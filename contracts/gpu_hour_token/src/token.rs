//! The GPU-hour token's state machine: PSP22 balances (Cardinal's `PSP22Data`) wrapped
//! in ERC-3643 style compliance, a capacity cap, freezes, agent powers, redemptions and
//! yield settlement. No ink! environment here: callers pass in who, when, and what the
//! identity registry said, so every rule is testable on the host.

use crate::rewards::RewardData;
pub use compute_rwa_common::token::TokenError;
pub use compute_rwa_common::{ComplianceRules, HolderRecord};
use compute_rwa_common::{Credential, Party};
use ink::prelude::{vec, vec::Vec};
use ink::primitives::AccountId;
use ink::storage::Mapping;
use psp22::{PSP22Data, PSP22Error, PSP22Event};


/// Token units per GPU-hour (6 decimals: one unit is a micro-GPU-hour).
pub const UNITS_PER_GPU_HOUR: u128 = 1_000_000;
/// State changes beyond PSP22's own `Transfer`/`Approval`, for the contract to emit.
pub enum TokenEvent {
    /// PSP22 `Transfer` or `Approval`.
    Psp22(PSP22Event),
    /// Part of a balance was unfrozen to complete a forced transfer or burn.
    TokensUnfrozen { account: AccountId, amount: u128 },
}

/// The token's whole state except metadata and roles.
#[ink::storage_item]
#[derive(Debug, Default)]
pub struct TokenData {
    psp22: PSP22Data,
    rewards: RewardData,
    holders: u32,
    paused: bool,
    frozen_accounts: Mapping<AccountId, ()>,
    frozen_amounts: Mapping<AccountId, u128>,
    rules: ComplianceRules,
    capacity: u128,
    redeemed: u128,
    /// What the identity registry pushed or `sync` copied about each account, with the binding
    /// it was received under (older bindings' credentials are void).
    credentials: Mapping<AccountId, (Credential, u32)>,
    /// Whether the registry currently binds the token; and its bindings so far (the current one).
    bound: bool,
    binding: u32,
    /// The transfer-limit and lockup modules' record of each holder (written only while one of
    /// them is on, or at a recovery).
    records: Mapping<AccountId, HolderRecord>,
}

type Events = Result<Vec<TokenEvent>, TokenError>;

fn psp22_events(events: Vec<PSP22Event>) -> Vec<TokenEvent> {
    events.into_iter().map(TokenEvent::Psp22).collect()
}

impl TokenData {
    // ---- reads -------------------------------------------------------------------------

    /// Units in circulation.
    pub fn total_supply(&self) -> u128 {
        self.psp22.total_supply()
    }

    /// Units held by `account`.
    pub fn balance_of(&self, account: AccountId) -> u128 {
        self.psp22.balance_of(account)
    }

    /// Units `spender` may move for `owner`.
    pub fn allowance(&self, owner: AccountId, spender: AccountId) -> u128 {
        self.psp22.allowance(owner, spender)
    }

    /// Accounts with a non-zero balance.
    pub fn holders(&self) -> u32 {
        self.holders
    }

    /// Whether transfers are paused.
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Whether `account`'s address is frozen.
    pub fn is_frozen(&self, account: AccountId) -> bool {
        self.frozen_accounts.contains(account)
    }

    /// Units of `account` that cannot move.
    pub fn frozen_amount(&self, account: AccountId) -> u128 {
        self.frozen_amounts.get(account).unwrap_or_default()
    }

    /// Units of `account`, holding `balance` (read once by the caller), that can move.
    #[inline(always)]
    pub fn free_balance(&self, account: AccountId, balance: u128) -> u128 {
        balance.saturating_sub(self.frozen_amount(account))
    }

    /// Current transfer rules.
    pub fn rules(&self) -> ComplianceRules {
        self.rules.clone()
    }

    /// The transfer-limit and lockup modules' record of `account`.
    pub fn record(&self, account: AccountId) -> HolderRecord {
        self.records.get(account).unwrap_or_default()
    }

    /// Attested capacity in units.
    pub fn capacity(&self) -> u128 {
        self.capacity
    }

    /// Units burnt by redemptions (consumed capacity).
    pub fn redeemed(&self) -> u128 {
        self.redeemed
    }

    /// The credential the token honours for `account`: one received under the current binding,
    /// while bound. `None`: not registered, unbound, or not pushed/synced since the binding.
    pub fn credential(&self, account: AccountId) -> Option<Credential> {
        if !self.bound {
            return None;
        }
        match self.credentials.get(account) {
            Some((credential, binding)) if binding == self.binding => Some(credential),
            _ => None,
        }
    }

    /// The registry's verdict on `account` at `now`, from the honoured credential (fail closed).
    pub fn party(&self, account: AccountId, now: u64) -> Party {
        Party::of(self.credential(account), now)
    }

    /// Whether the registry binds the token, and the number of its bindings so far.
    pub fn binding(&self) -> (bool, u32) {
        (self.bound, self.binding)
    }

    /// The registry bound or unbound the token. Every binding voids every earlier credential,
    /// even when the token never heard of the unbinding in between (that notice is best-effort).
    pub fn set_bound(&mut self, bound: bool) -> Result<(), TokenError> {
        if bound {
            self.binding = self.binding.checked_add(1).ok_or(TokenError::Overflow)?;
        }
        self.bound = bound;
        Ok(())
    }

    /// Records the registry's view of `account` (`None`: removed from the registry) under the
    /// current binding; `Ok(true)` when the honoured credential changed. Refused while unbound.
    pub fn set_credential(&mut self, account: AccountId, credential: Option<Credential>) -> Result<bool, TokenError> {
        if !self.bound {
            return Err(TokenError::NotBound);
        }
        let changed = self.credential(account) != credential;
        match credential {
            Some(credential) => {
                self.credentials.insert(account, &(credential, self.binding));
            }
            None => self.credentials.remove(account),
        }
        Ok(changed)
    }

    /// Yield state.
    pub fn rewards(&self) -> &RewardData {
        &self.rewards
    }

    /// Whole stablecoin units `account` could claim at `now` (a read: nothing is written).
    pub fn claimable(&self, account: AccountId, now: u64) -> Result<u128, TokenError> {
        Ok(self.rewards.claimable(account, self.balance_of(account), now, self.total_supply())?)
    }

    /// Yield totals as of `now` (what an update at `now` would store).
    pub fn reward_totals(&self, now: u64) -> Result<crate::rewards::RewardTotals, TokenError> {
        Ok(self.rewards.totals_at(now, self.total_supply())?)
    }

    /// Release period of future distributions (ms).
    pub fn yield_period(&self) -> u64 {
        self.rewards.period()
    }

    // ---- holder operations -------------------------------------------------------------

    /// PSP22 `transfer` under compliance; `parties` is the registry's view of (caller, to).
    pub fn transfer(&mut self, caller: AccountId, to: AccountId, amount: u128, parties: (Party, Party), now: u64) -> Events {
        if caller == to || amount == 0 {
            return Ok(Vec::new());
        }
        let before = (self.balance_of(caller), self.balance_of(to));
        let record = self.check_voluntary_with(caller, to, amount, parties, now, before)?;
        self.store_record(caller, record, self.rules.transfer_limit != 0);
        self.move_units(Some((caller, before.0)), Some((to, before.1)), amount, now, |psp22| psp22.transfer(caller, to, amount))
    }

    /// PSP22 `transfer_from` under compliance; `parties` is the registry's view of (from, to).
    pub fn transfer_from(&mut self, caller: AccountId, from: AccountId, to: AccountId, amount: u128, parties: (Party, Party), now: u64) -> Events {
        if from == to || amount == 0 {
            return Ok(Vec::new());
        }
        if caller != from && self.allowance(from, caller) < amount {
            return Err(TokenError::InsufficientAllowance);
        }
        let before = (self.balance_of(from), self.balance_of(to));
        let record = self.check_voluntary_with(from, to, amount, parties, now, before)?;
        self.store_record(from, record, self.rules.transfer_limit != 0);
        self.move_units(Some((from, before.0)), Some((to, before.1)), amount, now, |psp22| psp22.transfer_from(caller, from, to, amount))
    }

    /// PSP22 `approve` (no compliance: an allowance moves nothing by itself).
    pub fn approve(&mut self, owner: AccountId, spender: AccountId, amount: u128) -> Events {
        Ok(psp22_events(self.psp22.approve(owner, spender, amount)?))
    }

    /// PSP22 `increase_allowance`.
    pub fn increase_allowance(&mut self, owner: AccountId, spender: AccountId, delta: u128) -> Events {
        Ok(psp22_events(self.psp22.increase_allowance(owner, spender, delta)?))
    }

    /// PSP22 `decrease_allowance`.
    pub fn decrease_allowance(&mut self, owner: AccountId, spender: AccountId, delta: u128) -> Events {
        Ok(psp22_events(self.psp22.decrease_allowance(owner, spender, delta)?))
    }

    /// Burns `amount` of the holder's free balance for a redemption (recorded by the admin
    /// contract). The holder need not be verified: redemption is an exit (ERC-3643 burn exemption).
    pub fn redeem(&mut self, holder: AccountId, amount: u128, now: u64) -> Events {
        if amount == 0 {
            return Err(TokenError::ZeroAmount);
        }
        self.ensure_not_paused()?;
        if self.is_frozen(holder) {
            return Err(TokenError::SenderFrozen);
        }
        let balance = self.balance_of(holder);
        self.ensure_free(holder, balance, amount)?;
        let events = self.move_units(Some((holder, balance)), None, amount, now, |psp22| psp22.burn(holder, amount))?;
        self.redeemed = self.redeemed.checked_add(amount).ok_or(TokenError::Overflow)?;
        self.debited(holder);
        Ok(events)
    }

    /// Pays out `account`'s whole units of yield released by `now`; returns the amount to transfer.
    pub fn claim(&mut self, account: AccountId, now: u64) -> Result<u128, TokenError> {
        if self.is_frozen(account) {
            return Err(TokenError::SenderFrozen);
        }
        Ok(self.rewards.claim(account, self.balance_of(account), now, self.total_supply())?)
    }

    // ---- issuer / agent operations -----------------------------------------------------

    /// Mints to a verified, compliant recipient within attested capacity.
    pub fn mint(&mut self, to: AccountId, amount: u128, to_party: Party, now: u64) -> Events {
        if amount == 0 {
            return Err(TokenError::ZeroAmount);
        }
        let issued = self.total_supply().checked_add(self.redeemed).and_then(|v| v.checked_add(amount));
        if issued.is_none_or(|issued| issued > self.capacity) {
            return Err(TokenError::CapacityExceeded);
        }
        if self.is_frozen(to) {
            return Err(TokenError::RecipientFrozen);
        }
        let to_before = self.balance_of(to);
        self.check_recipient(None, to_before, amount, to_party)?;
        self.store_record(to, self.rules.on_mint(self.record(to), amount, now)?, self.rules.lockup != 0);
        self.move_units(None, Some((to, to_before)), amount, now, |psp22| psp22.mint(to, amount))
    }

    /// Agent transfer (ERC-3643 forcedTransfer): ignores pause and the sender's freezes,
    /// but the recipient must still be verified and pass compliance (T-REX issue 240).
    /// Frozen tokens are unfrozen only as far as needed, with an event.
    pub fn forced_transfer(&mut self, from: AccountId, to: AccountId, amount: u128, to_party: Party, now: u64) -> Events {
        if from == to {
            return Err(TokenError::SameAccount);
        }
        if amount == 0 {
            return Err(TokenError::ZeroAmount);
        }
        let before = (self.balance_of(from), self.balance_of(to));
        if before.0 < amount {
            return Err(TokenError::InsufficientBalance);
        }
        if self.is_frozen(to) {
            return Err(TokenError::RecipientFrozen);
        }
        self.check_recipient(Some(before.0), before.1, amount, to_party)?;
        let mut events = self.unfreeze_shortfall(from, before.0, amount)?;
        events.extend(self.move_units(Some((from, before.0)), Some((to, before.1)), amount, now, |psp22| psp22.transfer(from, to, amount))?);
        self.debited(from);
        Ok(events)
    }

    /// Agent burn, unfreezing only what it must.
    pub fn burn_from(&mut self, account: AccountId, amount: u128, now: u64) -> Events {
        if amount == 0 {
            return Err(TokenError::ZeroAmount);
        }
        let balance = self.balance_of(account);
        if balance < amount {
            return Err(TokenError::InsufficientBalance);
        }
        let mut events = self.unfreeze_shortfall(account, balance, amount)?;
        events.extend(self.move_units(Some((account, balance)), None, amount, now, |psp22| psp22.burn(account, amount))?);
        self.debited(account);
        Ok(events)
    }

    /// Wallet recovery: moves the whole balance, frozen amount, address freeze and unclaimed
    /// yield from a lost address to a new verified one, even if only yield is left (e.g. after
    /// a forced transfer or a full redemption). Returns (amount, frozen) moved.
    pub fn recover(&mut self, lost: AccountId, new: AccountId, new_party: Party, now: u64) -> Result<(u128, u128, Vec<TokenEvent>), TokenError> {
        if lost == new {
            return Err(TokenError::SameAccount);
        }
        let amount = self.balance_of(lost);
        // With no balance, the entitlement is all settled: nothing is pending.
        if amount == 0 && self.rewards.entitlement_scaled(lost, 0)? == 0 {
            return Err(TokenError::NothingToRecover);
        }
        let new_before = self.balance_of(new);
        self.check_recipient(Some(amount), new_before, amount, new_party)?;
        let frozen = self.frozen_amounts.take(lost).unwrap_or_default();
        let events = self.move_units(Some((lost, amount)), Some((new, new_before)), amount, now, |psp22| psp22.transfer(lost, new, amount))?;
        self.rewards.move_accrued(lost, new)?;
        if frozen > 0 {
            let total = self.frozen_amount(new).checked_add(frozen).ok_or(TokenError::Overflow)?;
            self.frozen_amounts.insert(new, &total);
        }
        if self.frozen_accounts.take(lost).is_some() {
            self.frozen_accounts.insert(new, &());
        }
        if self.records.contains(lost) {
            self.store_record(new, self.rules.merge(self.record(lost), self.record(new), now), true);
            self.records.remove(lost);
        }
        Ok((amount, frozen, events))
    }

    /// Freezes or unfreezes `account`'s address.
    pub fn set_frozen(&mut self, account: AccountId, frozen: bool) {
        if frozen {
            self.frozen_accounts.insert(account, &());
        } else {
            self.frozen_accounts.remove(account);
        }
    }

    /// Freezes `amount` more of `account`'s balance; returns the new frozen total.
    pub fn freeze_partial(&mut self, account: AccountId, amount: u128) -> Result<u128, TokenError> {
        if amount == 0 {
            return Err(TokenError::ZeroAmount);
        }
        let total = self.frozen_amount(account).checked_add(amount).ok_or(TokenError::Overflow)?;
        if total > self.balance_of(account) {
            return Err(TokenError::FreezeExceedsBalance);
        }
        self.frozen_amounts.insert(account, &total);
        Ok(total)
    }

    /// Unfreezes `amount` of `account`'s frozen tokens; returns the new frozen total.
    pub fn unfreeze_partial(&mut self, account: AccountId, amount: u128) -> Result<u128, TokenError> {
        if amount == 0 {
            return Err(TokenError::ZeroAmount);
        }
        let total = self.frozen_amount(account).checked_sub(amount).ok_or(TokenError::UnfreezeExceedsFrozen)?;
        self.store_frozen(account, total);
        Ok(total)
    }

    /// Pauses or resumes holder transfers, mints' recipients still checked.
    pub fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
    }

    /// Replaces the transfer rules.
    pub fn set_rules(&mut self, rules: ComplianceRules) -> Result<(), TokenError> {
        rules.validate()?;
        self.rules = rules;
        Ok(())
    }

    /// Sets a new attested capacity (units), never below what was already issued and never
    /// above `pool_limit` (GPU count × tokenization period). The history is the admin's.
    pub fn attest(&mut self, capacity: u128, pool_limit: u128) -> Result<(), TokenError> {
        if capacity > pool_limit {
            return Err(TokenError::CapacityExceedsPool);
        }
        let issued = self.total_supply().checked_add(self.redeemed).ok_or(TokenError::Overflow)?;
        if capacity < issued {
            return Err(TokenError::CapacityBelowIssued);
        }
        self.capacity = capacity;
        Ok(())
    }

    /// Streams `amount` of received stablecoin to holders over the yield period from `now`.
    pub fn distribute(&mut self, amount: u128, block: u32, now: u64) -> Result<crate::rewards::Distribution, TokenError> {
        Ok(self.rewards.distribute(amount, self.total_supply(), block, now)?)
    }

    /// Sets the release period of future distributions (ms), within the module's bounds.
    pub fn set_yield_period(&mut self, period: u64) -> Result<(), TokenError> {
        Ok(self.rewards.set_period(period)?)
    }

    // ---- rules ---------------------------------------------------------------------------

    fn ensure_not_paused(&self) -> Result<(), TokenError> {
        if self.paused {
            Err(TokenError::Paused)
        } else {
            Ok(())
        }
    }

    /// `account`'s free units (holding `balance`), if `amount` of them can move.
    fn ensure_free(&self, account: AccountId, balance: u128, amount: u128) -> Result<u128, TokenError> {
        let free = self.free_balance(account, balance);
        if balance < amount {
            Err(TokenError::InsufficientBalance)
        } else if free < amount {
            Err(TokenError::FrozenTokens)
        } else {
            Ok(free)
        }
    }

    /// Everything a holder-initiated transfer must satisfy at `now` (also the read that names
    /// the refusing rule); returns the sender's compliance record after the transfer.
    pub fn check_voluntary(&self, from: AccountId, to: AccountId, amount: u128, parties: (Party, Party), now: u64) -> Result<HolderRecord, TokenError> {
        self.check_voluntary_with(from, to, amount, parties, now, (self.balance_of(from), self.balance_of(to)))
    }

    /// `check_voluntary` with both balances before the move, read once by the caller (each
    /// storage read is paid by every transfer).
    fn check_voluntary_with(&self, from: AccountId, to: AccountId, amount: u128, (from_party, to_party): (Party, Party), now: u64, (from_before, to_before): (u128, u128)) -> Result<HolderRecord, TokenError> {
        self.ensure_not_paused()?;
        if self.is_frozen(from) {
            return Err(TokenError::SenderFrozen);
        }
        if self.is_frozen(to) {
            return Err(TokenError::RecipientFrozen);
        }
        let free = self.ensure_free(from, from_before, amount)?;
        if !from_party.verified {
            return Err(TokenError::SenderNotVerified);
        }
        let mut record = HolderRecord::default();
        if self.rules.tracks_senders() {
            record = self.rules.check_sender(from_party, self.record(from), free, amount, now)?;
        }
        self.check_recipient(Some(from_before), to_before, amount, to_party)?;
        Ok(record)
    }

    /// Rules on the receiving side, shared by every way units arrive: `amount` arrives at a
    /// holder of `to_before` units from one of `from_before` (`None`: minted).
    fn check_recipient(&self, from_before: Option<u128>, to_before: u128, amount: u128, to_party: Party) -> Result<(), TokenError> {
        if !to_party.verified {
            return Err(TokenError::RecipientNotVerified);
        }
        let to_after = to_before.checked_add(amount).ok_or(TokenError::Overflow)?;
        let holders_after = self.holders_after(from_before, Some(to_before), amount)?;
        self.rules.check_recipient(to_party, to_after, (self.holders, holders_after))
    }

    /// Holder count after `amount` moves from a holder of `from_before` units (None: minted) to
    /// one of `to_before` (None: burnt).
    fn holders_after(&self, from_before: Option<u128>, to_before: Option<u128>, amount: u128) -> Result<u32, TokenError> {
        let gains = u32::from(to_before == Some(0) && amount > 0);
        let loses = u32::from(from_before == Some(amount) && amount > 0);
        self.holders.checked_add(gains).and_then(|h| h.checked_sub(loses)).ok_or(TokenError::Overflow)
    }

    // ---- bookkeeping ---------------------------------------------------------------------

    /// Runs a PSP22 balance change with the bookkeeping every change needs: the yield
    /// stream released up to `now` over the old supply, both sides settled, holder count exact.
    /// `from` and `to` come with their balances before the change, as the caller read them.
    fn move_units<F>(&mut self, from: Option<(AccountId, u128)>, to: Option<(AccountId, u128)>, amount: u128, now: u64, change: F) -> Events
    where
        F: FnOnce(&mut PSP22Data) -> Result<Vec<PSP22Event>, PSP22Error>,
    {
        let holders = self.holders_after(from.map(|(_, before)| before), to.map(|(_, before)| before), amount)?;
        self.rewards.update(now, self.total_supply())?;
        if let Some((from, before)) = from {
            let after = before.checked_sub(amount).ok_or(TokenError::InsufficientBalance)?;
            self.rewards.settle(from, before, after)?;
        }
        if let Some((to, before)) = to {
            let after = before.checked_add(amount).ok_or(TokenError::Overflow)?;
            self.rewards.settle(to, before, after)?;
        }
        let events = change(&mut self.psp22)?;
        self.holders = holders;
        Ok(psp22_events(events))
    }

    /// Unfreezes just enough of the frozen tokens of `account` (holding `balance`) for `amount` to move.
    fn unfreeze_shortfall(&mut self, account: AccountId, balance: u128, amount: u128) -> Events {
        let free = self.free_balance(account, balance);
        if amount <= free {
            return Ok(Vec::new());
        }
        let shortfall = amount.checked_sub(free).ok_or(TokenError::Overflow)?;
        let remaining = self.frozen_amount(account).checked_sub(shortfall).ok_or(TokenError::Overflow)?;
        self.store_frozen(account, remaining);
        Ok(vec![TokenEvent::TokensUnfrozen { account, amount: shortfall }])
    }

    /// After a debit no holder chose (a redemption, an agent's burn or forced transfer), at most
    /// the balance stays locked, so units the holder buys later are not caught by the lockup.
    fn debited(&mut self, account: AccountId) {
        if self.rules.lockup != 0 {
            let record = self.record(account);
            let balance = self.balance_of(account);
            self.store_record(account, record.within(balance), record.locked > balance);
        }
    }

    /// Keeps `account`'s record when `write` (a send keeps it while the transfer limit is on:
    /// the only module a send changes).
    fn store_record(&mut self, account: AccountId, record: HolderRecord, write: bool) {
        if write {
            self.records.insert(account, &record);
        }
    }

    fn store_frozen(&mut self, account: AccountId, amount: u128) {
        if amount == 0 {
            self.frozen_amounts.remove(account);
        } else {
            self.frozen_amounts.insert(account, &amount);
        }
    }
}
