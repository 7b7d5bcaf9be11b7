//! Compliance modules: the transfer rules an issuer enables per token (ERC-3643 "modular
//! compliance"). Each module is a pure function of what the token passes in — the parties'
//! credentials, balances after the move, the holder count, the sender's per-holder record and
//! the time — so each is tested on its own, and the token only stores and calls them.
//!
//! | module | refuses with | applies to |
//! |---|---|---|
//! | country | `CountryBlocked` | every arrival (transfer, mint, forced transfer, recovery) |
//! | investor class | `ClassNotAllowed` | every arrival, except at custodians |
//! | max balance | `MaxBalanceExceeded` | every arrival, except at custodians |
//! | max holders | `MaxHoldersReached` | every arrival that adds a holder |
//! | transfer limit per window | `TransferLimitExceeded` | voluntary sends, except by custodians |
//! | initial lockup | `TokensLocked` | voluntary sends of minted units, except by custodians |
//!
//! A module is off at its zero value. Custodians (a credit vault holding collateral for verified
//! borrowers) are exempt from the per-investor modules, never from verification, freezes or the
//! country rule. Agent operations (forced transfer, burn, recovery) and redemptions ignore the
//! two sender modules, as they ignore pauses; recovery carries the lost wallet's record along.

use crate::identity::{InvestorClass, Party};
use crate::token::TokenError;
use ink::prelude::vec::Vec;

/// Most countries one rule set may block.
pub const MAX_BLOCKED_COUNTRIES: usize = 32;
/// Longest transfer-limit window and initial lockup (ms): ten years.
pub const MAX_RULE_PERIOD_MS: u64 = 10 * 366 * 24 * 3_600_000;
/// Every investor class's bit (retail, accredited, institutional): the most `allowed_classes` takes.
pub const INVESTOR_CLASSES: u8 = 0b111;

/// The rules a token enforces; each field is one module, off at zero (or empty).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(default, deny_unknown_fields))]
pub struct ComplianceRules {
    /// Most accounts with a non-zero balance; 0 = unlimited.
    pub max_holders: u32,
    /// Most units one investor may hold; 0 = unlimited.
    #[cfg_attr(feature = "serde", serde(deserialize_with = "units"))]
    pub max_balance: u128,
    /// ISO 3166-1 numeric codes whose residents may not receive tokens.
    pub blocked_countries: Vec<u16>,
    /// Investor classes that may receive tokens, one bit per class (`InvestorClass::bit`:
    /// Retail 1, Accredited 2, Institutional 4); 0 = every class.
    pub allowed_classes: u8,
    /// Most units one holder may send within `transfer_window`; 0 = unlimited.
    #[cfg_attr(feature = "serde", serde(deserialize_with = "units"))]
    pub transfer_limit: u128,
    /// Length (ms) of a transfer-limit window, counted from the first send after the last one
    /// ended.
    pub transfer_window: u64,
    /// How long (ms) minted units stay locked in the receiving account; 0 = no lockup.
    pub lockup: u64,
}

/// A token amount in a config file (TOML has no 128-bit integers; 2^64 units are 18 trillion
/// GPU-hours).
#[cfg(feature = "serde")]
fn units<'de, D: serde::Deserializer<'de>>(from: D) -> Result<u128, D::Error> {
    <u64 as serde::Deserialize>::deserialize(from).map(u128::from)
}

/// The two stateful modules' record of one holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct HolderRecord {
    /// Start (ms) of the holder's current transfer-limit window.
    pub window_start: u64,
    /// Units sent since `window_start`.
    pub sent: u128,
    /// Minted units under lockup.
    pub locked: u128,
    /// The lockup ends at this time (ms).
    pub locked_until: u64,
}

impl InvestorClass {
    /// The class's bit in `ComplianceRules::allowed_classes`.
    pub fn bit(self) -> u8 {
        match self {
            InvestorClass::Retail => 1,
            InvestorClass::Accredited => 2,
            InvestorClass::Institutional => 4,
            InvestorClass::Custodian => 8,
        }
    }
}

impl ComplianceRules {
    /// Refuses a rule set with too many countries (`TooManyBlockedCountries`), a limit without a
    /// window, a period beyond `MAX_RULE_PERIOD_MS` or a class bit that is no investor class
    /// (`InvalidRule`: the custodian bit would admit no investor at all).
    pub fn validate(&self) -> Result<(), TokenError> {
        if self.blocked_countries.len() > MAX_BLOCKED_COUNTRIES {
            return Err(TokenError::TooManyBlockedCountries);
        }
        let window_missing = self.transfer_limit != 0 && self.transfer_window == 0;
        let periods = self.transfer_window > MAX_RULE_PERIOD_MS || self.lockup > MAX_RULE_PERIOD_MS;
        if window_missing || periods || self.allowed_classes > INVESTOR_CLASSES {
            return Err(TokenError::InvalidRule);
        }
        Ok(())
    }

    /// Whether a send must read or write the holder's record.
    pub fn tracks_senders(&self) -> bool {
        self.transfer_limit != 0 || self.lockup != 0
    }

    /// Receiving-side modules: country, class and max balance (custodians exempt from the last
    /// two), then max holders. `balance_after` is the recipient's balance after the arrival;
    /// `holders` the count before and after it.
    pub fn check_recipient(&self, to: Party, balance_after: u128, holders: (u32, u32)) -> Result<(), TokenError> {
        if self.blocked_countries.contains(&to.country) {
            return Err(TokenError::CountryBlocked);
        }
        if to.class != InvestorClass::Custodian {
            if self.allowed_classes != 0 && self.allowed_classes & to.class.bit() == 0 {
                return Err(TokenError::ClassNotAllowed);
            }
            if self.max_balance != 0 && balance_after > self.max_balance {
                return Err(TokenError::MaxBalanceExceeded);
            }
        }
        let (before, after) = holders;
        if self.max_holders != 0 && after > self.max_holders && after > before {
            return Err(TokenError::MaxHoldersReached);
        }
        Ok(())
    }

    /// Sending-side modules for a voluntary send of `amount` out of `movable` (balance less
    /// frozen units): the lockup, then the transfer limit. Returns the sender's record after
    /// the send. Custodians are exempt (their record is unchanged).
    pub fn check_sender(&self, from: Party, record: HolderRecord, movable: u128, amount: u128, now: u64) -> Result<HolderRecord, TokenError> {
        if from.class == InvestorClass::Custodian {
            return Ok(record);
        }
        if amount > movable.saturating_sub(self.locked_at(record, now)) {
            return Err(TokenError::TokensLocked);
        }
        if self.transfer_limit == 0 {
            return Ok(record);
        }
        let mut after = record;
        let sent = self.sent_at(record, now);
        if sent == 0 {
            after.window_start = now;
        }
        after.sent = sent.checked_add(amount).ok_or(TokenError::Overflow)?;
        if after.sent > self.transfer_limit {
            return Err(TokenError::TransferLimitExceeded);
        }
        Ok(after)
    }

    /// Units of `record` still under lockup at `now` (none while the module is off).
    pub fn locked_at(&self, record: HolderRecord, now: u64) -> u128 {
        if self.lockup != 0 && now < record.locked_until {
            record.locked
        } else {
            0
        }
    }

    /// Units sent in the window running at `now` (none after it ended or while the module is off).
    pub fn sent_at(&self, record: HolderRecord, now: u64) -> u128 {
        if self.transfer_limit != 0 && now < record.window_start.saturating_add(self.transfer_window) {
            record.sent
        } else {
            0
        }
    }

    /// The recipient's record after `amount` is minted to it at `now`: the new units join those
    /// still locked, and the lockup of all of them restarts (never shortened).
    ///
    /// A debit no holder chose (a redemption, an agent's burn or forced transfer) leaves at most
    /// the balance locked: [`HolderRecord::within`].
    pub fn on_mint(&self, record: HolderRecord, amount: u128, now: u64) -> Result<HolderRecord, TokenError> {
        if self.lockup == 0 {
            return Ok(record);
        }
        let locked = self.locked_at(record, now).checked_add(amount).ok_or(TokenError::Overflow)?;
        Ok(HolderRecord { locked, locked_until: now.saturating_add(self.lockup), ..record })
    }
}

impl ComplianceRules {
    /// The record of a wallet that receives a lost wallet's holdings in a recovery at `now`: what
    /// is still locked of both stays locked until the later end; what both sent in windows still
    /// running counts in the later window; ended locks and windows are not revived. Neither
    /// module is escaped. Saturating: a sum beyond `u128::MAX` only locks or limits more.
    pub fn merge(&self, lost: HolderRecord, new: HolderRecord, now: u64) -> HolderRecord {
        let live = |r: HolderRecord| HolderRecord { sent: self.sent_at(r, now), locked: self.locked_at(r, now), ..r };
        let (a, b) = (live(lost), live(new));
        HolderRecord {
            window_start: if a.sent == 0 { b.window_start } else if b.sent == 0 { a.window_start } else { a.window_start.max(b.window_start) },
            sent: a.sent.saturating_add(b.sent),
            locked: a.locked.saturating_add(b.locked),
            locked_until: if a.locked == 0 { b.locked_until } else if b.locked == 0 { a.locked_until } else { a.locked_until.max(b.locked_until) },
        }
    }
}

impl HolderRecord {
    /// The record after a debit no holder chose left `balance`: at most the balance stays locked,
    /// so units bought later are never caught by an issuance's lockup.
    pub fn within(self, balance: u128) -> HolderRecord {
        HolderRecord { locked: self.locked.min(balance), ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 86_400_000;

    fn party(class: InvestorClass, country: u16) -> Party {
        Party { verified: true, country, class }
    }

    fn retail() -> Party {
        party(InvestorClass::Retail, 276)
    }

    fn custodian() -> Party {
        party(InvestorClass::Custodian, 276)
    }

    #[test]
    fn every_module_is_off_at_zero() {
        let rules = ComplianceRules::default();
        assert_eq!(rules.validate(), Ok(()));
        assert!(!rules.tracks_senders());
        assert_eq!(rules.check_recipient(retail(), u128::MAX, (u32::MAX - 1, u32::MAX)), Ok(()));
        let record = HolderRecord { window_start: 0, sent: u128::MAX, locked: u128::MAX, locked_until: u64::MAX };
        assert_eq!(rules.check_sender(retail(), record, 10, 10, 5), Ok(record));
        assert_eq!(rules.on_mint(record, 7, 5), Ok(record));
    }

    #[test]
    fn validation_bounds_every_module() {
        let countries = ComplianceRules { blocked_countries: (0..33).collect(), ..Default::default() };
        assert_eq!(countries.validate(), Err(TokenError::TooManyBlockedCountries));
        let no_window = ComplianceRules { transfer_limit: 5, ..Default::default() };
        assert_eq!(no_window.validate(), Err(TokenError::InvalidRule));
        let long_window = ComplianceRules { transfer_limit: 5, transfer_window: MAX_RULE_PERIOD_MS + 1, ..Default::default() };
        assert_eq!(long_window.validate(), Err(TokenError::InvalidRule));
        let long_lockup = ComplianceRules { lockup: MAX_RULE_PERIOD_MS + 1, ..Default::default() };
        assert_eq!(long_lockup.validate(), Err(TokenError::InvalidRule));
        let custodians_only = ComplianceRules { allowed_classes: InvestorClass::Custodian.bit(), ..Default::default() };
        assert_eq!(custodians_only.validate(), Err(TokenError::InvalidRule), "would admit no investor");
        let at_bounds = ComplianceRules {
            allowed_classes: INVESTOR_CLASSES,
            blocked_countries: (0..32).collect(),
            transfer_limit: 1,
            transfer_window: MAX_RULE_PERIOD_MS,
            lockup: MAX_RULE_PERIOD_MS,
            ..Default::default()
        };
        assert_eq!(at_bounds.validate(), Ok(()));
    }

    #[test]
    fn country_module_refuses_every_blocked_recipient_even_custodians() {
        let rules = ComplianceRules { blocked_countries: vec![408, 364], ..Default::default() };
        assert_eq!(rules.check_recipient(party(InvestorClass::Retail, 364), 1, (0, 1)), Err(TokenError::CountryBlocked));
        assert_eq!(rules.check_recipient(party(InvestorClass::Custodian, 408), 1, (0, 1)), Err(TokenError::CountryBlocked));
        assert_eq!(rules.check_recipient(party(InvestorClass::Retail, 276), 1, (0, 1)), Ok(()));
    }

    #[test]
    fn class_module_admits_only_the_chosen_classes_and_custodians() {
        let rules = ComplianceRules { allowed_classes: InvestorClass::Accredited.bit() | InvestorClass::Institutional.bit(), ..Default::default() };
        assert_eq!(rules.check_recipient(retail(), 1, (0, 1)), Err(TokenError::ClassNotAllowed));
        assert_eq!(rules.check_recipient(party(InvestorClass::Accredited, 276), 1, (0, 1)), Ok(()));
        assert_eq!(rules.check_recipient(party(InvestorClass::Institutional, 276), 1, (0, 1)), Ok(()));
        assert_eq!(rules.check_recipient(custodian(), 1, (0, 1)), Ok(()), "a vault holds for verified borrowers");
    }

    #[test]
    fn max_balance_module_caps_investors_not_custodians() {
        let rules = ComplianceRules { max_balance: 100, ..Default::default() };
        assert_eq!(rules.check_recipient(retail(), 100, (1, 1)), Ok(()));
        assert_eq!(rules.check_recipient(retail(), 101, (1, 1)), Err(TokenError::MaxBalanceExceeded));
        assert_eq!(rules.check_recipient(custodian(), 10_000, (1, 1)), Ok(()));
    }

    #[test]
    fn max_holders_module_refuses_only_a_new_holder_beyond_the_cap() {
        let rules = ComplianceRules { max_holders: 2, ..Default::default() };
        assert_eq!(rules.check_recipient(retail(), 1, (1, 2)), Ok(()));
        assert_eq!(rules.check_recipient(retail(), 1, (2, 3)), Err(TokenError::MaxHoldersReached));
        assert_eq!(rules.check_recipient(retail(), 1, (3, 3)), Ok(()), "above a lowered cap, moves that add nobody pass");
        assert_eq!(rules.check_recipient(custodian(), 1, (2, 3)), Err(TokenError::MaxHoldersReached));
    }

    #[test]
    fn transfer_limit_module_counts_sends_per_window() {
        let rules = ComplianceRules { transfer_limit: 100, transfer_window: DAY, ..Default::default() };
        assert!(rules.tracks_senders());
        let fresh = HolderRecord::default();
        let first = rules.check_sender(retail(), fresh, 1_000, 60, 10).unwrap();
        assert_eq!(first, HolderRecord { window_start: 10, sent: 60, ..fresh });
        let second = rules.check_sender(retail(), first, 1_000, 40, 10 + DAY - 1).unwrap();
        assert_eq!(second.sent, 100);
        assert_eq!(second.window_start, 10, "the window runs from its first send");
        assert_eq!(rules.check_sender(retail(), second, 1_000, 1, 10 + DAY - 1), Err(TokenError::TransferLimitExceeded));
        assert_eq!(rules.sent_at(second, 10 + DAY), 0, "the window ends");
        let third = rules.check_sender(retail(), second, 1_000, 100, 10 + DAY).unwrap();
        assert_eq!(third, HolderRecord { window_start: 10 + DAY, sent: 100, ..fresh });
        assert_eq!(rules.check_sender(retail(), fresh, 1_000, 101, 0), Err(TokenError::TransferLimitExceeded));
        assert_eq!(rules.check_sender(custodian(), second, 1_000, 500, 20), Ok(second), "custodians return collateral freely");
    }

    #[test]
    fn lockup_module_locks_minted_units_until_it_ends() {
        let rules = ComplianceRules { lockup: DAY, ..Default::default() };
        assert!(rules.tracks_senders());
        let minted = rules.on_mint(HolderRecord::default(), 70, 1_000).unwrap();
        assert_eq!(minted, HolderRecord { locked: 70, locked_until: 1_000 + DAY, ..Default::default() });
        // 100 movable units: 30 bought on the market move, the 70 minted ones do not.
        assert_eq!(rules.check_sender(retail(), minted, 100, 30, 1_000), Ok(minted));
        assert_eq!(rules.check_sender(retail(), minted, 100, 31, 1_000 + DAY - 1), Err(TokenError::TokensLocked));
        assert_eq!(rules.locked_at(minted, 1_000 + DAY), 0);
        assert_eq!(rules.check_sender(retail(), minted, 100, 100, 1_000 + DAY), Ok(minted));
        // A second issuance joins the locked units and restarts their lockup.
        let again = rules.on_mint(minted, 5, 2_000).unwrap();
        assert_eq!(again, HolderRecord { locked: 75, locked_until: 2_000 + DAY, ..Default::default() });
        let after_end = rules.on_mint(minted, 5, 1_000 + DAY).unwrap();
        assert_eq!(after_end.locked, 5, "units whose lockup ended are not locked again");
        assert_eq!(rules.check_sender(custodian(), again, 100, 100, 2_000), Ok(again));
        let off = ComplianceRules::default();
        assert_eq!(off.locked_at(again, 2_000), 0, "turning the module off releases every lock");
    }

    #[test]
    fn both_sender_modules_apply_together() {
        let rules = ComplianceRules { lockup: DAY, transfer_limit: 50, transfer_window: DAY, ..Default::default() };
        let minted = rules.on_mint(HolderRecord::default(), 60, 0).unwrap();
        assert_eq!(rules.check_sender(retail(), minted, 100, 41, 1), Err(TokenError::TokensLocked));
        let sent = rules.check_sender(retail(), minted, 100, 40, 1).unwrap();
        assert_eq!(rules.check_sender(retail(), sent, 60, 11, DAY), Err(TokenError::TransferLimitExceeded));
        assert_eq!(rules.check_sender(retail(), sent, 60, 10, DAY).map(|r| r.sent), Ok(50));
    }

    #[test]
    fn recovery_merges_what_is_live_without_escaping_either_module() {
        let rules = ComplianceRules { lockup: 1_000, transfer_limit: 100, transfer_window: 100, ..Default::default() };
        let lost = HolderRecord { window_start: 5, sent: 30, locked: 40, locked_until: 900 };
        let new = HolderRecord { window_start: 9, sent: 2, locked: 1, locked_until: 300 };
        assert_eq!(rules.merge(lost, new, 50), HolderRecord { window_start: 9, sent: 32, locked: 41, locked_until: 900 });
        // At 106 the lost wallet's window has ended, at 400 the new one's lock too: neither is revived.
        assert_eq!(rules.merge(lost, new, 106), HolderRecord { window_start: 9, sent: 2, locked: 41, locked_until: 900 });
        assert_eq!(rules.merge(lost, new, 400), HolderRecord { window_start: 9, sent: 0, locked: 40, locked_until: 900 });
        assert_eq!(rules.merge(new, lost, 400).locked_until, 900);
        let full = HolderRecord { sent: u128::MAX, ..lost };
        assert_eq!(rules.merge(full, new, 50).sent, u128::MAX, "saturates: only limits more");
        assert_eq!(ComplianceRules::default().merge(lost, new, 50), HolderRecord { window_start: 9, locked_until: 300, ..Default::default() });
    }

    #[test]
    fn a_debit_leaves_at_most_the_balance_locked() {
        let record = HolderRecord { window_start: 5, sent: 30, locked: 40, locked_until: 900 };
        assert_eq!(record.within(25), HolderRecord { locked: 25, ..record });
        assert_eq!(record.within(40), record);
        assert_eq!(record.within(0).locked, 0);
    }
}
