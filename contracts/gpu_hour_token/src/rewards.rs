//! O(1) pro-rata yield: a cumulative reward-per-token accumulator plus per-account
//! snapshots (the "scalable reward distribution" of Batog, Boca & Johnson; ERC-2222).
//!
//! Nothing here iterates over holders. Amounts are stablecoin units; the accumulator is
//! scaled by `REWARD_SCALE`. Nothing is lost to rounding:
//! - a distribution while supply is zero waits in `undistributed` for the next one;
//! - the remainder of `amount * SCALE / supply` is carried into the next distribution;
//! - each account keeps the fractional (sub-unit) part of its entitlement, scaled, so
//!   it is paid once it adds up to a whole unit.
//!
//! Exact identity, in scaled units (checked by the property tests):
//! `SCALE * (distributed - undistributed) == Σ entitlement_scaled + SCALE * claimed + remainder`.

use ink::primitives::AccountId;
use ink::storage::Mapping;

/// Fixed-point scale of the accumulator (1e18).
///
/// Overflow bound: an account's scaled entitlement is at most `SCALE * total distributed`
/// (its balance never exceeds the supply it was spread over), so capping the cumulative
/// distribution at `MAX_CUMULATIVE_DISTRIBUTION` keeps every product in range: transfers
/// and claims can never fail on overflow; only `distribute` refuses, past the cap.
pub const REWARD_SCALE: u128 = 1_000_000_000_000_000_000;

/// `u128::MAX / REWARD_SCALE` ≈ 3.4e20 units: 3.4e14 of a 6-decimal stablecoin.
pub const MAX_CUMULATIVE_DISTRIBUTION: u128 = u128::MAX / REWARD_SCALE;

/// Why a yield operation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum RewardError {
    /// `distribute(0)`.
    ZeroAmount,
    /// The cumulative distribution would exceed the accumulator's range.
    Overflow,
    /// The account has less than one whole unit to claim.
    NothingToClaim,
}

/// One `distribute` call, kept for auditors.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Distribution {
    /// Sequence number, from 0.
    pub id: u32,
    /// Stablecoin units received.
    pub amount: u128,
    /// Token supply at the time (0: held as undistributed).
    pub supply: u128,
    /// Block number.
    pub block: u32,
    /// Block timestamp (ms).
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
    /// Units received while supply was zero, not yet spread.
    pub undistributed: u128,
    /// Scaled remainder carried into the next distribution (< supply at the last one).
    pub carried_remainder: u128,
    /// Current reward per token, scaled by `REWARD_SCALE`.
    pub reward_per_token: u128,
}

/// Yield accounting state.
#[ink::storage_item]
#[derive(Debug, Default)]
pub struct RewardData {
    totals: RewardTotals,
    /// Accumulator value at each account's last settlement (absent: zero balance).
    paid_per_token: Mapping<AccountId, u128>,
    /// Settled, unclaimed entitlement, scaled.
    accrued: Mapping<AccountId, u128>,
    log: Mapping<u32, Distribution>,
    log_len: u32,
}

impl RewardData {
    /// Auditor totals.
    pub fn totals(&self) -> RewardTotals {
        self.totals
    }

    /// Entitlement of `account` holding `balance`, scaled (settled + pending).
    pub fn entitlement_scaled(&self, account: AccountId, balance: u128) -> Result<u128, RewardError> {
        let pending = self.pending_scaled(account, balance)?;
        self.accrued.get(account).unwrap_or_default().checked_add(pending).ok_or(RewardError::Overflow)
    }

    /// Whole stablecoin units `account` holding `balance` could claim now.
    pub fn claimable(&self, account: AccountId, balance: u128) -> Result<u128, RewardError> {
        Ok(self.entitlement_scaled(account, balance)?.checked_div(REWARD_SCALE).unwrap_or_default())
    }

    /// Books what `account` earned with `balance_before`, before its balance becomes
    /// `balance_after`. Every balance change must call this first, for both sides.
    pub fn settle(&mut self, account: AccountId, balance_before: u128, balance_after: u128) -> Result<(), RewardError> {
        let owed = self.entitlement_scaled(account, balance_before)?;
        self.store_accrued(account, owed);
        if balance_after == 0 {
            self.paid_per_token.remove(account);
        } else {
            self.paid_per_token.insert(account, &self.totals.reward_per_token);
        }
        Ok(())
    }

    /// Moves `from`'s settled entitlement to `to` (wallet recovery). Both must be settled first.
    pub fn move_accrued(&mut self, from: AccountId, to: AccountId) -> Result<(), RewardError> {
        let moved = self.accrued.take(from).unwrap_or_default();
        let total = self.accrued.get(to).unwrap_or_default().checked_add(moved).ok_or(RewardError::Overflow)?;
        self.store_accrued(to, total);
        Ok(())
    }

    /// Spreads `amount` over `supply` (or holds it while supply is zero).
    pub fn distribute(&mut self, amount: u128, supply: u128, block: u32, timestamp: u64) -> Result<Distribution, RewardError> {
        if amount == 0 {
            return Err(RewardError::ZeroAmount);
        }
        let mut totals = self.totals;
        totals.distributed = totals
            .distributed
            .checked_add(amount)
            .filter(|total| *total <= MAX_CUMULATIVE_DISTRIBUTION)
            .ok_or(RewardError::Overflow)?;
        if supply == 0 {
            totals.undistributed = totals.undistributed.checked_add(amount).ok_or(RewardError::Overflow)?;
        } else {
            let pool = amount.checked_add(totals.undistributed).ok_or(RewardError::Overflow)?;
            let numerator = pool
                .checked_mul(REWARD_SCALE)
                .and_then(|scaled| scaled.checked_add(totals.carried_remainder))
                .ok_or(RewardError::Overflow)?;
            let increment = numerator.checked_div(supply).ok_or(RewardError::Overflow)?;
            totals.reward_per_token = totals.reward_per_token.checked_add(increment).ok_or(RewardError::Overflow)?;
            totals.carried_remainder = numerator.checked_rem(supply).ok_or(RewardError::Overflow)?;
            totals.undistributed = 0;
        }
        let entry = Distribution { id: self.log_len, amount, supply, block, timestamp };
        self.log.insert(entry.id, &entry);
        self.log_len = self.log_len.checked_add(1).ok_or(RewardError::Overflow)?;
        self.totals = totals;
        Ok(entry)
    }

    /// Settles `account` and takes its whole units out for payment; the fraction stays.
    pub fn claim(&mut self, account: AccountId, balance: u128) -> Result<u128, RewardError> {
        self.settle(account, balance, balance)?;
        let accrued = self.accrued.get(account).unwrap_or_default();
        let amount = accrued.checked_div(REWARD_SCALE).unwrap_or_default();
        if amount == 0 {
            return Err(RewardError::NothingToClaim);
        }
        let paid_scaled = amount.checked_mul(REWARD_SCALE).ok_or(RewardError::Overflow)?;
        self.store_accrued(account, accrued.checked_sub(paid_scaled).ok_or(RewardError::Overflow)?);
        self.totals.claimed = self.totals.claimed.checked_add(amount).ok_or(RewardError::Overflow)?;
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

    fn pending_scaled(&self, account: AccountId, balance: u128) -> Result<u128, RewardError> {
        if balance == 0 {
            return Ok(0);
        }
        let paid = self.paid_per_token.get(account).unwrap_or_default();
        let delta = self.totals.reward_per_token.checked_sub(paid).ok_or(RewardError::Overflow)?;
        balance.checked_mul(delta).ok_or(RewardError::Overflow)
    }

    // Zero entries are removed so their storage deposit is refunded.
    fn store_accrued(&mut self, account: AccountId, value: u128) {
        if value == 0 {
            self.accrued.remove(account);
        } else {
            self.accrued.insert(account, &value);
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
        // Largest supply a pool could reach: 10^6 GPUs × 10 years × 10^6 units.
        let supply: u128 = 1_000_000 * 87_600 * 1_000_000;
        rewards.settle(account(1), 0, supply).unwrap();
        rewards.distribute(MAX_DISTRIBUTABLE, supply, 1, 1).unwrap();
        assert_eq!(rewards.distribute(1, supply, 2, 2), Err(RewardError::Overflow), "refused, not wrapped");
        // A transfer at the bound settles without overflow, then the claim pays it all.
        rewards.settle(account(1), supply, supply - 1).unwrap();
        let paid = rewards.claim(account(1), supply - 1).unwrap();
        assert!(paid <= MAX_DISTRIBUTABLE && MAX_DISTRIBUTABLE - paid <= 1, "paid {paid}");
    }

    #[ink::test]
    fn a_single_unit_over_a_huge_supply_is_carried() {
        let mut rewards = RewardData::default();
        let supply = 10u128.pow(30); // far above REWARD_SCALE: the increment rounds to zero
        rewards.settle(account(1), 0, supply).unwrap();
        rewards.distribute(1, supply, 1, 1).unwrap();
        let totals = rewards.totals();
        assert_eq!(totals.reward_per_token, 0);
        assert_eq!(totals.carried_remainder, REWARD_SCALE, "the unit waits in the remainder");
        assert_eq!(rewards.totals().distributed, 1);
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
