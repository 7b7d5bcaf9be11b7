//! O(1) pro-rata yield, streamed over time: a cumulative reward-per-token accumulator
//! plus per-account snapshots (the "scalable reward distribution" of Batog, Boca & Johnson;
//! ERC-2222), fed linearly like Synthetix `StakingRewards` (`rewardsDuration`).
//!
//! **Who gets what.** A distribution is not credited to the holders of that instant: it is
//! released linearly over the yield period (owner-set, `DEFAULT_YIELD_PERIOD_MS` = 1 day),
//! and every released slice goes to the holders of the moment it is released, pro rata.
//! So a holder's yield is ∫ balance/supply d(released): holding a share x of the supply for
//! a fraction t of the period earns x·t of the distribution (within one unit; each release
//! is floored, so with other updates in between the released total may lag the exact line
//! by under one unit per update, a lag that stays streaming and is caught up by the end),
//! and an account that holds only around a distribution (receives, settles a backlog,
//! sends back at the same timestamp) earns nothing of it. Rent thus goes to whoever holds
//! while it is released, not to whoever held when it was earned: the price of capturing
//! yield is capital × time. A new distribution re-streams the leftover of the running one
//! together with the new amount over a fresh period from now; changing the period applies
//! from the next distribution.
//!
//! Exact to the unit, O(1): `update(now, supply)` releases
//! `floor(streaming * (min(now, end) - last) / (end - last))` (the rest stays streaming and
//! is released later, so nothing is lost), and adds it to the accumulator with the carried
//! remainder. Every balance change, claim and distribution updates first; reads compute
//! the same update without writing. Nothing is lost to rounding:
//! - units released while supply is zero wait in `undistributed`, re-streamed by the next
//!   distribution;
//! - the remainder of `released * SCALE / supply` is carried into the next release;
//! - each account keeps the fractional (sub-unit) part of its entitlement, scaled, so
//!   it is paid once it adds up to a whole unit.
//!
//! Exact identity, in scaled units (checked by the property tests):
//! `SCALE * (distributed - undistributed - streaming) == Σ entitlement_scaled + SCALE * claimed + remainder`,
//! hence stablecoin held (`distributed - claimed`) ≥ Σ claimable + undistributed + streaming.

use ink::primitives::AccountId;
use ink::storage::Mapping;

/// Fixed-point scale of the accumulator (1e18).
///
/// Overflow bound: an account's scaled entitlement is at most `SCALE * total distributed`
/// (its balance never exceeds the supply it was spread over), so capping the cumulative
/// distribution at `MAX_CUMULATIVE_DISTRIBUTION` keeps every product in range: transfers
/// and claims can never fail on overflow; only `distribute` refuses, past the cap. (The
/// release product `streaming * elapsed` is below 3.4e20 × `MAX_YIELD_PERIOD_MS` ≈ 1.1e31.)
pub const REWARD_SCALE: u128 = 1_000_000_000_000_000_000;

/// `u128::MAX / REWARD_SCALE` ≈ 3.4e20 units: 3.4e14 of a 6-decimal stablecoin.
pub const MAX_CUMULATIVE_DISTRIBUTION: u128 = u128::MAX / REWARD_SCALE;

/// Yield period of a new token: each distribution is released over one day.
pub const DEFAULT_YIELD_PERIOD_MS: u64 = 86_400_000;
/// Shortest yield period the owner may set (1 s).
pub const MIN_YIELD_PERIOD_MS: u64 = 1_000;
/// Longest yield period the owner may set (365 days).
pub const MAX_YIELD_PERIOD_MS: u64 = 365 * 86_400_000;

use compute_rwa_common::TokenError;

/// One `distribute` call, kept for auditors.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Distribution {
    /// Sequence number, from 0.
    pub id: u32,
    /// Stablecoin units received.
    pub amount: u128,
    /// Token supply at the time.
    pub supply: u128,
    /// Block number.
    pub block: u32,
    /// Block timestamp (ms); the amount is released linearly until `stream_end` of the totals.
    pub timestamp: u64,
}

/// Totals an auditor reconciles against the stablecoin balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct RewardTotals {
    /// Σ units accepted by `distribute`.
    pub distributed: u128,
    /// Σ units paid out by claims.
    pub claimed: u128,
    /// Units released while supply was zero, re-streamed by the next distribution.
    pub undistributed: u128,
    /// Scaled remainder carried into the next release (< supply at the last one).
    pub carried_remainder: u128,
    /// Current reward per token, scaled by `REWARD_SCALE`.
    pub reward_per_token: u128,
    /// Units distributed but not yet released to holders.
    pub streaming: u128,
    /// When `streaming` is fully released (ms).
    pub stream_end: u64,
    /// Time of the last release (ms).
    pub last_update: u64,
}

impl RewardTotals {
    /// These totals after releasing what the stream owes up to `now` over `supply`.
    pub fn at(mut self, now: u64, supply: u128) -> Result<Self, TokenError> {
        let now = now.max(self.last_update);
        let elapsed = now.min(self.stream_end).saturating_sub(self.last_update);
        let remaining = self.stream_end.saturating_sub(self.last_update);
        self.last_update = now;
        if elapsed == 0 || self.streaming == 0 {
            return Ok(self);
        }
        let released = self
            .streaming
            .checked_mul(u128::from(elapsed))
            .and_then(|product| product.checked_div(u128::from(remaining)))
            .ok_or(TokenError::Overflow)?;
        self.streaming = self.streaming.checked_sub(released).ok_or(TokenError::Overflow)?;
        if supply == 0 {
            self.undistributed = self.undistributed.checked_add(released).ok_or(TokenError::Overflow)?;
        } else {
            let numerator = released
                .checked_mul(REWARD_SCALE)
                .and_then(|scaled| scaled.checked_add(self.carried_remainder))
                .ok_or(TokenError::Overflow)?;
            let increment = numerator.checked_div(supply).ok_or(TokenError::Overflow)?;
            self.reward_per_token = self.reward_per_token.checked_add(increment).ok_or(TokenError::Overflow)?;
            self.carried_remainder = numerator.checked_rem(supply).ok_or(TokenError::Overflow)?;
        }
        Ok(self)
    }
}

/// One account's yield books, in one storage cell (a transfer reads and writes each side's once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Snapshot {
    /// Accumulator value at the account's last settlement (0 while its balance is zero).
    pub paid_per_token: u128,
    /// Settled, unclaimed entitlement, scaled.
    pub accrued: u128,
}

/// Yield accounting state.
#[ink::storage_item]
#[derive(Debug)]
pub struct RewardData {
    totals: RewardTotals,
    /// Release period of the next distribution (ms).
    period: u64,
    /// Each account's books (absent: all zero).
    accounts: Mapping<AccountId, Snapshot>,
    log: Mapping<u32, Distribution>,
    log_len: u32,
}

impl Default for RewardData {
    fn default() -> Self {
        Self {
            totals: RewardTotals::default(),
            period: DEFAULT_YIELD_PERIOD_MS,
            accounts: Mapping::default(),
            log: Mapping::default(),
            log_len: 0,
        }
    }
}

impl RewardData {
    /// Auditor totals as stored (as of `last_update`).
    pub fn totals(&self) -> RewardTotals {
        self.totals
    }

    /// Auditor totals as they would be after an update at `now` over `supply`.
    pub fn totals_at(&self, now: u64, supply: u128) -> Result<RewardTotals, TokenError> {
        self.totals.at(now, supply)
    }

    /// Release period of the next distribution (ms).
    pub fn period(&self) -> u64 {
        self.period
    }

    /// Sets the release period of future distributions (the running stream keeps its end).
    pub fn set_period(&mut self, period: u64) -> Result<(), TokenError> {
        if !(MIN_YIELD_PERIOD_MS..=MAX_YIELD_PERIOD_MS).contains(&period) {
            return Err(TokenError::InvalidYieldPeriod);
        }
        self.period = period;
        Ok(())
    }

    /// Releases what the stream owes up to `now` over `supply`. Must run before any change
    /// of a balance or of the supply, and before claims and distributions.
    pub fn update(&mut self, now: u64, supply: u128) -> Result<(), TokenError> {
        self.totals = self.totals.at(now, supply)?;
        Ok(())
    }

    /// Entitlement of `account` holding `balance`, scaled (settled + pending), as of the last update.
    pub fn entitlement_scaled(&self, account: AccountId, balance: u128) -> Result<u128, TokenError> {
        self.entitlement_with(account, balance, self.totals.reward_per_token)
    }

    /// `entitlement_scaled` as it would be after an update at `now` over `supply`.
    pub fn entitlement_scaled_at(&self, account: AccountId, balance: u128, now: u64, supply: u128) -> Result<u128, TokenError> {
        self.entitlement_with(account, balance, self.totals_at(now, supply)?.reward_per_token)
    }

    /// Whole stablecoin units `account` holding `balance` could claim at `now` (supply `supply`).
    pub fn claimable(&self, account: AccountId, balance: u128, now: u64, supply: u128) -> Result<u128, TokenError> {
        Ok(self.entitlement_scaled_at(account, balance, now, supply)?.checked_div(REWARD_SCALE).unwrap_or_default())
    }

    /// Books what `account` earned with `balance_before`, before its balance becomes
    /// `balance_after`. Every balance change must `update`, then call this for both sides.
    pub fn settle(&mut self, account: AccountId, balance_before: u128, balance_after: u128) -> Result<(), TokenError> {
        let accrued = Self::entitlement_of(self.snapshot(account), balance_before, self.totals.reward_per_token)?;
        let paid_per_token = if balance_after == 0 { 0 } else { self.totals.reward_per_token };
        self.store(account, Snapshot { paid_per_token, accrued });
        Ok(())
    }

    /// Moves `from`'s settled entitlement to `to` (wallet recovery). Both must be settled first.
    pub fn move_accrued(&mut self, from: AccountId, to: AccountId) -> Result<(), TokenError> {
        let lost = self.snapshot(from);
        let mut new = self.snapshot(to);
        new.accrued = new.accrued.checked_add(lost.accrued).ok_or(TokenError::Overflow)?;
        self.store(from, Snapshot { accrued: 0, ..lost });
        self.store(to, new);
        Ok(())
    }

    /// Streams `amount` (plus the running stream's leftover and anything undistributed)
    /// to holders over the yield period from `now`.
    pub fn distribute(&mut self, amount: u128, supply: u128, block: u32, now: u64) -> Result<Distribution, TokenError> {
        if amount == 0 {
            return Err(TokenError::ZeroAmount);
        }
        let mut totals = self.totals.at(now, supply)?;
        totals.distributed = totals
            .distributed
            .checked_add(amount)
            .filter(|total| *total <= MAX_CUMULATIVE_DISTRIBUTION)
            .ok_or(TokenError::Overflow)?;
        totals.streaming = totals
            .streaming
            .checked_add(amount)
            .and_then(|streaming| streaming.checked_add(totals.undistributed))
            .ok_or(TokenError::Overflow)?;
        totals.undistributed = 0;
        totals.stream_end = totals.last_update.checked_add(self.period).ok_or(TokenError::Overflow)?;
        let entry = Distribution { id: self.log_len, amount, supply, block, timestamp: now };
        self.log.insert(entry.id, &entry);
        self.log_len = self.log_len.checked_add(1).ok_or(TokenError::Overflow)?;
        self.totals = totals;
        Ok(entry)
    }

    /// Updates at `now`, settles `account` and takes its whole units out for payment; the fraction stays.
    pub fn claim(&mut self, account: AccountId, balance: u128, now: u64, supply: u128) -> Result<u128, TokenError> {
        self.update(now, supply)?;
        self.settle(account, balance, balance)?;
        let mut books = self.snapshot(account);
        let amount = books.accrued.checked_div(REWARD_SCALE).unwrap_or_default();
        if amount == 0 {
            return Err(TokenError::NothingToClaim);
        }
        let paid_scaled = amount.checked_mul(REWARD_SCALE).ok_or(TokenError::Overflow)?;
        books.accrued = books.accrued.checked_sub(paid_scaled).ok_or(TokenError::Overflow)?;
        self.store(account, books);
        self.totals.claimed = self.totals.claimed.checked_add(amount).ok_or(TokenError::Overflow)?;
        Ok(amount)
    }

    /// Number of distributions so far.
    pub fn distribution_count(&self) -> u32 {
        self.log_len
    }

    /// Up to `count` log entries from id `from`; cost is O(count).
    pub fn distributions(&self, from: u32, count: u32) -> ink::prelude::vec::Vec<Distribution> {
        let end = from.saturating_add(count).min(self.log_len);
        (from..end).filter_map(|id| self.log.get(id)).collect()
    }

    fn entitlement_with(&self, account: AccountId, balance: u128, reward_per_token: u128) -> Result<u128, TokenError> {
        Self::entitlement_of(self.snapshot(account), balance, reward_per_token)
    }

    /// The scaled entitlement of an account with `books` holding `balance`, at `reward_per_token`.
    fn entitlement_of(books: Snapshot, balance: u128, reward_per_token: u128) -> Result<u128, TokenError> {
        let pending = if balance == 0 {
            0
        } else {
            let delta = reward_per_token.checked_sub(books.paid_per_token).ok_or(TokenError::Overflow)?;
            balance.checked_mul(delta).ok_or(TokenError::Overflow)?
        };
        books.accrued.checked_add(pending).ok_or(TokenError::Overflow)
    }

    /// `account`'s books (all zero if absent).
    pub fn snapshot(&self, account: AccountId) -> Snapshot {
        self.accounts.get(account).unwrap_or_default()
    }

    // An all-zero entry is removed so its storage deposit is refunded.
    fn store(&mut self, account: AccountId, books: Snapshot) {
        if books == Snapshot::default() {
            self.accounts.remove(account);
        } else {
            self.accounts.insert(account, &books);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(byte: u8) -> AccountId {
        AccountId::from([byte; 32])
    }

    const MAX_DISTRIBUTABLE: u128 = MAX_CUMULATIVE_DISTRIBUTION;

    #[ink::test]
    fn distributes_and_claims_at_the_documented_bound() {
        let mut rewards = RewardData::default();
        rewards.set_period(MAX_YIELD_PERIOD_MS).unwrap();
        // Largest supply a pool could reach: 10^6 GPUs × 10 years × 10^6 units.
        let supply: u128 = 1_000_000 * 87_600 * 1_000_000;
        rewards.settle(account(1), 0, supply).unwrap();
        rewards.distribute(MAX_DISTRIBUTABLE, supply, 1, 1).unwrap();
        assert_eq!(rewards.distribute(1, supply, 2, 2), Err(TokenError::Overflow), "refused, not wrapped");
        // A burn mid-stream at the bound settles without overflow, then the claim pays it all.
        rewards.update(MAX_YIELD_PERIOD_MS / 3, supply).unwrap();
        rewards.settle(account(1), supply, supply - 1).unwrap();
        let paid = rewards.claim(account(1), supply - 1, u64::MAX, supply - 1).unwrap();
        assert!(paid <= MAX_DISTRIBUTABLE && MAX_DISTRIBUTABLE - paid <= 1, "paid {paid}");
        assert_eq!(rewards.totals().streaming, 0);
    }

    #[ink::test]
    fn a_single_unit_over_a_huge_supply_is_carried() {
        let mut rewards = RewardData::default();
        let supply = 10u128.pow(30); // far above REWARD_SCALE: the increment rounds to zero
        rewards.settle(account(1), 0, supply).unwrap();
        rewards.distribute(1, supply, 1, 1).unwrap();
        rewards.update(1 + DEFAULT_YIELD_PERIOD_MS, supply).unwrap();
        let totals = rewards.totals();
        assert_eq!(totals.reward_per_token, 0);
        assert_eq!(totals.carried_remainder, REWARD_SCALE, "the unit waits in the remainder");
        assert_eq!((totals.distributed, totals.streaming), (1, 0));
    }

    #[ink::test]
    fn releases_are_floored_and_the_rest_keeps_streaming() {
        let mut rewards = RewardData::default();
        rewards.settle(account(1), 0, 1).unwrap();
        rewards.distribute(3, 1, 1, 0).unwrap();
        // 3 units over a day: a third of a unit per 8 hours, so nothing whole yet.
        rewards.update(DEFAULT_YIELD_PERIOD_MS / 3 - 1, 1).unwrap();
        assert_eq!((rewards.totals().streaming, rewards.totals().reward_per_token), (3, 0));
        // The rest is released over what is left of the period: one unit per remaining third.
        rewards.update(DEFAULT_YIELD_PERIOD_MS / 3 * 2, 1).unwrap();
        assert_eq!(rewards.totals().streaming, 2, "floor(3 × 28_800_001 / 57_600_001) = 1 released");
        rewards.update(DEFAULT_YIELD_PERIOD_MS, 1).unwrap();
        assert_eq!(rewards.totals().streaming, 0);
        assert_eq!(rewards.claimable(account(1), 1, DEFAULT_YIELD_PERIOD_MS, 1), Ok(3));
        // Time never runs backwards: an earlier `now` releases nothing.
        rewards.update(5, 1).unwrap();
        assert_eq!(rewards.totals().last_update, DEFAULT_YIELD_PERIOD_MS);
    }

    /// Review 16: one cell per account, removed (its deposit refunded) once all zero — after a
    /// full send with nothing accrued, after a claim of whole units, after a recovery's move.
    #[ink::test]
    fn an_all_zero_snapshot_is_removed() {
        let mut rewards = RewardData::default();
        let (a, b) = (account(1), account(2));
        rewards.settle(a, 0, 10).unwrap();
        assert!(!rewards.accounts.contains(a), "nothing distributed yet: all zero, nothing stored");
        rewards.distribute(10, 10, 1, 0).unwrap();
        rewards.update(DEFAULT_YIELD_PERIOD_MS, 10).unwrap();
        rewards.settle(a, 10, 10).unwrap();
        assert_eq!(rewards.snapshot(a), Snapshot { paid_per_token: REWARD_SCALE, accrued: 10 * REWARD_SCALE });
        assert_eq!(rewards.claim(a, 10, DEFAULT_YIELD_PERIOD_MS, 10), Ok(10));
        assert_eq!(rewards.snapshot(a), Snapshot { paid_per_token: REWARD_SCALE, accrued: 0 }, "kept while it holds units");
        rewards.settle(a, 10, 0).unwrap();
        assert!(!rewards.accounts.contains(a), "a full send with nothing accrued removes it");
        rewards.settle(b, 0, 5).unwrap();
        rewards.distribute(5, 5, 2, DEFAULT_YIELD_PERIOD_MS).unwrap();
        rewards.update(2 * DEFAULT_YIELD_PERIOD_MS, 5).unwrap();
        rewards.settle(b, 5, 0).unwrap();
        assert_eq!(rewards.snapshot(b), Snapshot { paid_per_token: 0, accrued: 5 * REWARD_SCALE }, "yield kept, no snapshot");
        rewards.move_accrued(b, a).unwrap();
        assert!(!rewards.accounts.contains(b), "moved away: removed");
        assert_eq!(rewards.snapshot(a), Snapshot { paid_per_token: 0, accrued: 5 * REWARD_SCALE });
    }

    #[ink::test]
    fn distribution_log_is_paged() {
        let mut rewards = RewardData::default();
        for amount in 1..=5 {
            rewards.distribute(amount, 10, amount as u32, amount as u64).unwrap();
        }
        let page: Vec<u128> = rewards.distributions(1, 3).iter().map(|d| d.amount).collect();
        assert_eq!(page, vec![2, 3, 4]);
        assert_eq!(rewards.distributions(4, 10).len(), 1);
        assert!(rewards.distributions(9, 10).is_empty());
        assert_eq!(rewards.distribution_count(), 5);
    }
}
