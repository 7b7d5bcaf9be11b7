//! Rules of `TokenData`, one at a time, with exact balances and events.
use crate::rewards::{DEFAULT_YIELD_PERIOD_MS, MAX_YIELD_PERIOD_MS, MIN_YIELD_PERIOD_MS};
use crate::token::*;
use compute_rwa_common::{InvestorClass, Party};
use ink::primitives::AccountId;

pub(crate) const CAPACITY: u128 = 1_000_000;
pub(crate) const POOL_LIMIT: u128 = 10_000_000;
pub(crate) const GERMANY: u16 = 276;
pub(crate) const BLOCKED: u16 = 408;
/// The default yield period: a distribution is fully released one `DAY` after it.
pub(crate) const DAY: u64 = DEFAULT_YIELD_PERIOD_MS;

pub(crate) fn account(byte: u8) -> AccountId {
    AccountId::from([byte; 32])
}

pub(crate) const fn verified() -> Party {
    Party { verified: true, country: GERMANY, class: InvestorClass::Retail }
}

pub(crate) fn unverified() -> Party {
    Party { verified: false, country: GERMANY, class: InvestorClass::Retail }
}

const OK: (Party, Party) = (verified(), verified());

/// A token with `CAPACITY` attested and 600 minted to account 1.
fn token() -> TokenData {
    let mut data = TokenData::default();
    data.attest(CAPACITY, POOL_LIMIT).unwrap();
    data.mint(account(1), 600, verified(), 0).unwrap();
    data
}

fn unfrozen_amounts(events: &[TokenEvent]) -> Vec<u128> {
    events
        .iter()
        .filter_map(|e| match e {
            TokenEvent::TokensUnfrozen { amount, .. } => Some(*amount),
            TokenEvent::Psp22(_) => None,
        })
        .collect()
}

#[ink::test]
fn mint_is_capped_by_attested_capacity() {
    let mut data = token();
    assert_eq!(data.mint(account(2), CAPACITY - 599, verified(), 0).err(), Some(TokenError::CapacityExceeded));
    data.mint(account(2), CAPACITY - 600, verified(), 0).unwrap();
    assert_eq!(data.total_supply(), CAPACITY);
    assert_eq!(data.mint(account(2), 1, verified(), 0).err(), Some(TokenError::CapacityExceeded));
    assert_eq!(data.mint(account(2), u128::MAX, verified(), 0).err(), Some(TokenError::CapacityExceeded), "no overflow trap");
}

#[ink::test]
fn mint_requires_a_verified_unfrozen_compliant_recipient() {
    let mut data = token();
    assert_eq!(data.mint(account(2), 1, unverified(), 0).err(), Some(TokenError::RecipientNotVerified));
    assert_eq!(data.mint(account(2), 0, verified(), 0).err(), Some(TokenError::ZeroAmount));
    data.set_frozen(account(2), true);
    assert_eq!(data.mint(account(2), 1, verified(), 0).err(), Some(TokenError::RecipientFrozen));
    data.set_rules(ComplianceRules { blocked_countries: vec![BLOCKED], ..Default::default() }).unwrap();
    let blocked = Party { verified: true, country: BLOCKED, class: InvestorClass::Retail };
    assert_eq!(data.mint(account(3), 1, blocked, 0).err(), Some(TokenError::CountryBlocked));
    assert_eq!(data.total_supply(), 600);
}

#[ink::test]
fn attestation_cannot_go_below_issued_or_above_the_pool() {
    let mut data = token();
    assert_eq!(data.attest(599, POOL_LIMIT).err(), Some(TokenError::CapacityBelowIssued));
    assert_eq!(data.attest(POOL_LIMIT + 1, POOL_LIMIT).err(), Some(TokenError::CapacityExceedsPool));
    assert_eq!(data.capacity(), CAPACITY, "refusals change nothing");
    data.attest(600, POOL_LIMIT).unwrap();
    assert_eq!(data.capacity(), 600);
}

#[ink::test]
fn transfer_checks_every_rule_in_order() {
    let mut data = token();
    let (a, b) = (account(1), account(2));
    assert_eq!(data.transfer(a, b, 10, (unverified(), verified()), 0).err(), Some(TokenError::SenderNotVerified));
    assert_eq!(data.transfer(a, b, 10, (verified(), unverified()), 0).err(), Some(TokenError::RecipientNotVerified));
    assert_eq!(data.transfer(a, b, 601, OK, 0).err(), Some(TokenError::InsufficientBalance));
    data.freeze_partial(a, 500).unwrap();
    assert_eq!(data.transfer(a, b, 101, OK, 0).err(), Some(TokenError::FrozenTokens));
    data.transfer(a, b, 100, OK, 0).unwrap();
    data.set_frozen(b, true);
    assert_eq!(data.transfer(a, b, 0, OK, 0).map(|e| e.len()), Ok(0), "zero amount is a PSP22 no-op");
    data.set_frozen(b, false);
    data.set_frozen(a, true);
    data.unfreeze_partial(a, 500).unwrap();
    assert_eq!(data.transfer(a, b, 1, OK, 0).err(), Some(TokenError::SenderFrozen));
    data.set_frozen(a, false);
    data.set_frozen(b, true);
    assert_eq!(data.transfer(a, b, 1, OK, 0).err(), Some(TokenError::RecipientFrozen));
    data.set_frozen(b, false);
    data.set_paused(true);
    assert_eq!(data.transfer(a, b, 1, OK, 0).err(), Some(TokenError::Paused));
    data.set_paused(false);
    assert_eq!((data.balance_of(a), data.balance_of(b)), (500, 100));
}

#[ink::test]
fn transfer_from_needs_allowance_and_compliance() {
    let mut data = token();
    let (owner, spender, to) = (account(1), account(5), account(2));
    data.approve(owner, spender, 50).unwrap();
    assert_eq!(data.transfer_from(spender, owner, to, 51, OK, 0).err(), Some(TokenError::InsufficientAllowance));
    assert_eq!(data.transfer_from(spender, owner, to, 50, (verified(), unverified()), 0).err(), Some(TokenError::RecipientNotVerified));
    data.transfer_from(spender, owner, to, 50, OK, 0).unwrap();
    assert_eq!(data.allowance(owner, spender), 0);
    assert_eq!(data.balance_of(to), 50);
}

#[ink::test]
fn recipient_rules_limit_balance_and_holders() {
    let mut data = token();
    data.set_rules(ComplianceRules { max_holders: 2, max_balance: 300, ..Default::default() }).unwrap();
    assert_eq!(data.transfer(account(1), account(2), 301, OK, 0).err(), Some(TokenError::MaxBalanceExceeded));
    data.transfer(account(1), account(2), 300, OK, 0).unwrap();
    assert_eq!(data.holders(), 2);
    assert_eq!(data.transfer(account(1), account(3), 1, OK, 0).err(), Some(TokenError::MaxHoldersReached));
    // Moving a whole balance to a new holder keeps the count, so it is allowed at the limit.
    data.transfer(account(2), account(3), 300, OK, 0).unwrap();
    assert_eq!(data.holders(), 2);
    let too_many = ComplianceRules { blocked_countries: vec![1; compute_rwa_common::MAX_BLOCKED_COUNTRIES + 1], ..Default::default() };
    assert_eq!(data.set_rules(too_many).err(), Some(TokenError::TooManyBlockedCountries));
    let no_window = ComplianceRules { transfer_limit: 1, ..Default::default() };
    assert_eq!(data.set_rules(no_window).err(), Some(TokenError::InvalidRule));
    assert_eq!(data.rules().max_holders, 2, "a refused rule set changes nothing");
}

fn class(class: InvestorClass) -> Party {
    Party { class, ..verified() }
}

#[ink::test]
fn the_class_module_admits_only_allowed_classes_on_every_arrival() {
    let mut data = token();
    let accredited = InvestorClass::Accredited.bit();
    data.set_rules(ComplianceRules { allowed_classes: accredited, ..Default::default() }).unwrap();
    let (a, b) = (account(1), account(2));
    let to_retail = (verified(), verified());
    assert_eq!(data.transfer(a, b, 10, to_retail, 0).err(), Some(TokenError::ClassNotAllowed));
    assert_eq!(data.check_voluntary(a, b, 10, to_retail, 0).err(), Some(TokenError::ClassNotAllowed), "the read names the rule");
    assert_eq!(data.mint(b, 10, verified(), 0).err(), Some(TokenError::ClassNotAllowed));
    assert_eq!(data.forced_transfer(a, b, 10, verified(), 0).err(), Some(TokenError::ClassNotAllowed));
    data.transfer(a, b, 10, (verified(), class(InvestorClass::Accredited)), 0).unwrap();
    data.transfer(a, account(3), 10, (verified(), class(InvestorClass::Custodian)), 0).unwrap();
    assert_eq!((data.balance_of(a), data.balance_of(b), data.balance_of(account(3))), (580, 10, 10));
}

#[ink::test]
fn the_transfer_limit_caps_voluntary_sends_per_window() {
    let mut data = token();
    data.set_rules(ComplianceRules { transfer_limit: 100, transfer_window: DAY, ..Default::default() }).unwrap();
    let (a, b, spender) = (account(1), account(2), account(5));
    data.transfer(a, b, 60, OK, 1_000).unwrap();
    data.approve(a, spender, 500).unwrap();
    assert_eq!(data.transfer_from(spender, a, b, 41, OK, 2_000).err(), Some(TokenError::TransferLimitExceeded));
    assert_eq!(data.allowance(a, spender), 500, "a refused send spends nothing");
    data.transfer_from(spender, a, b, 40, OK, 2_000).unwrap();
    assert_eq!(data.record(a), HolderRecord { window_start: 1_000, sent: 100, ..Default::default() });
    assert_eq!(data.check_voluntary(a, b, 1, OK, 1_000 + DAY - 1).err(), Some(TokenError::TransferLimitExceeded));
    // Agent operations and redemptions are not voluntary sends: they neither count nor are refused.
    data.forced_transfer(a, b, 200, verified(), 3_000).unwrap();
    data.redeem(a, 50, 3_000).unwrap();
    assert_eq!(data.record(a).sent, 100);
    // The window ends; a new one starts with the next send.
    data.transfer(a, b, 100, OK, 1_000 + DAY).unwrap();
    assert_eq!(data.record(a), HolderRecord { window_start: 1_000 + DAY, sent: 100, ..Default::default() });
    assert_eq!(data.record(b), HolderRecord::default(), "receiving is not sending");
    assert_eq!((data.balance_of(a), data.balance_of(b)), (150, 400));
    // A custodian (the credit vault) returns collateral without a limit, and without a record.
    data.forced_transfer(b, account(3), 300, class(InvestorClass::Custodian), 1_000 + DAY).unwrap();
    data.transfer(account(3), a, 300, (class(InvestorClass::Custodian), verified()), 1_000 + DAY).unwrap();
    assert_eq!(data.record(account(3)), HolderRecord::default());
}

#[ink::test]
fn the_lockup_holds_minted_units_until_it_ends() {
    let mut data = TokenData::default();
    data.attest(CAPACITY, POOL_LIMIT).unwrap();
    let (a, b) = (account(1), account(2));
    data.mint(a, 100, verified(), 0).unwrap();
    assert_eq!(data.record(a), HolderRecord::default(), "minted before the lockup: free");
    data.set_rules(ComplianceRules { lockup: DAY, ..Default::default() }).unwrap();
    data.mint(a, 500, verified(), 1_000).unwrap();
    assert_eq!(data.record(a), HolderRecord { locked: 500, locked_until: 1_000 + DAY, ..Default::default() });
    assert_eq!(data.transfer(a, b, 101, OK, 1_000).err(), Some(TokenError::TokensLocked));
    data.transfer(a, b, 100, OK, 1_000).unwrap();
    assert_eq!(data.record(b), HolderRecord::default(), "units bought on the market are not locked");
    assert_eq!(data.check_voluntary(a, b, 1, OK, 1_000 + DAY - 1).err(), Some(TokenError::TokensLocked));
    // Freezes and the lockup add up: what is neither frozen nor locked can move.
    data.freeze_partial(b, 40).unwrap();
    assert_eq!(data.transfer(b, a, 61, OK, 2_000).err(), Some(TokenError::FrozenTokens));
    // Redemption is an exit, and agents move locked units.
    data.redeem(a, 100, 2_000).unwrap();
    data.forced_transfer(a, b, 100, verified(), 2_000).unwrap();
    assert_eq!(data.balance_of(a), 300);
    assert_eq!(data.record(a).locked, 300, "a debit leaves at most the balance locked");
    assert_eq!(data.transfer(a, b, 1, OK, 2_000).err(), Some(TokenError::TokensLocked), "the 300 held are all locked");
    data.transfer(a, b, 300, OK, 1_000 + DAY).unwrap();
    assert_eq!((data.balance_of(a), data.balance_of(b)), (0, 500));
}

/// Review 8, M3: units bought after a redemption emptied a locked wallet are not locked.
#[ink::test]
fn units_bought_after_a_debit_are_not_caught_by_the_lockup() {
    let mut data = token();
    data.set_rules(ComplianceRules { lockup: DAY, ..Default::default() }).unwrap();
    let (a, b) = (account(1), account(2));
    data.mint(b, 1_000, verified(), 0).unwrap();
    data.redeem(b, 1_000, 10).unwrap();
    assert_eq!(data.record(b).locked, 0);
    data.transfer(a, b, 500, OK, 20).unwrap();
    data.transfer(b, a, 500, OK, 30).unwrap();
    // An agent's burn of part of a locked balance leaves the rest locked, no more.
    data.mint(b, 1_000, verified(), 40).unwrap();
    data.burn_from(b, 400, 50).unwrap();
    assert_eq!(data.record(b), HolderRecord { locked: 600, locked_until: 40 + DAY, ..Default::default() });
}

#[ink::test]
fn recovery_carries_the_lockup_and_the_window_to_the_new_wallet() {
    let mut data = token();
    data.set_rules(ComplianceRules { lockup: DAY, transfer_limit: 50, transfer_window: DAY, ..Default::default() }).unwrap();
    let (lost, new, c) = (account(1), account(2), account(3));
    data.transfer(lost, c, 30, OK, 10).unwrap();
    data.mint(lost, 200, verified(), 20).unwrap();
    data.recover(lost, new, verified(), 30).unwrap();
    assert_eq!(data.record(lost), HolderRecord::default());
    assert_eq!(data.record(new), HolderRecord { window_start: 10, sent: 30, locked: 200, locked_until: 20 + DAY });
    assert_eq!(data.transfer(new, c, 21, OK, 40).err(), Some(TokenError::TransferLimitExceeded));
    assert_eq!(data.transfer(new, c, 571, OK, 10 + DAY).err(), Some(TokenError::TokensLocked));
    data.transfer(new, c, 50, OK, 10 + DAY).unwrap();
    assert_eq!(data.balance_of(new), 720);
}

#[ink::test]
fn holder_count_follows_non_zero_balances() {
    let mut data = token();
    assert_eq!(data.holders(), 1);
    data.transfer(account(1), account(2), 100, OK, 0).unwrap();
    assert_eq!(data.holders(), 2);
    data.transfer(account(2), account(1), 100, OK, 0).unwrap();
    assert_eq!(data.holders(), 1);
    data.burn_from(account(1), 600, 0).unwrap();
    assert_eq!(data.holders(), 0);
}

#[ink::test]
fn forced_transfer_unfreezes_only_the_shortfall() {
    let mut data = token();
    let (a, b) = (account(1), account(2));
    data.freeze_partial(a, 500).unwrap();
    data.set_frozen(a, true);
    data.set_paused(true);
    let events = data.forced_transfer(a, b, 150, verified(), 0).unwrap();
    assert_eq!(unfrozen_amounts(&events), vec![50], "free was 100, so 50 had to be unfrozen");
    assert_eq!(data.frozen_amount(a), 450);
    assert_eq!((data.balance_of(a), data.balance_of(b)), (450, 150));
    let events = data.forced_transfer(a, b, 50, verified(), 0).unwrap();
    assert_eq!(unfrozen_amounts(&events), vec![50]);
}

#[ink::test]
fn forced_transfer_still_requires_a_compliant_receiver() {
    let mut data = token();
    let (a, b) = (account(1), account(2));
    assert_eq!(data.forced_transfer(a, b, 1, unverified(), 0).err(), Some(TokenError::RecipientNotVerified));
    assert_eq!(data.forced_transfer(a, a, 1, verified(), 0).err(), Some(TokenError::SameAccount));
    assert_eq!(data.forced_transfer(a, b, 0, verified(), 0).err(), Some(TokenError::ZeroAmount));
    assert_eq!(data.forced_transfer(a, b, 601, verified(), 0).err(), Some(TokenError::InsufficientBalance));
    data.set_frozen(b, true);
    assert_eq!(data.forced_transfer(a, b, 1, verified(), 0).err(), Some(TokenError::RecipientFrozen));
    assert_eq!(data.balance_of(a), 600);
}

#[ink::test]
fn recovery_moves_balance_freezes_and_yield() {
    let mut data = token();
    let (lost, new) = (account(1), account(7));
    data.distribute(600, 1, 0).unwrap();
    data.freeze_partial(lost, 200).unwrap();
    data.set_frozen(lost, true);
    assert_eq!(data.recover(lost, new, unverified(), DAY).err(), Some(TokenError::RecipientNotVerified));
    assert_eq!(data.recover(lost, lost, verified(), DAY).err(), Some(TokenError::SameAccount));
    let (amount, frozen, _) = data.recover(lost, new, verified(), DAY).unwrap();
    assert_eq!((amount, frozen), (600, 200));
    assert_eq!((data.balance_of(lost), data.balance_of(new)), (0, 600));
    assert_eq!((data.frozen_amount(lost), data.frozen_amount(new)), (0, 200));
    assert!(!data.is_frozen(lost) && data.is_frozen(new));
    assert_eq!(data.claimable(lost, DAY), Ok(0));
    assert_eq!(data.claimable(new, DAY), Ok(600), "unclaimed yield follows the investor");
    assert_eq!(data.recover(lost, new, verified(), DAY).err(), Some(TokenError::NothingToRecover));
}

#[ink::test]
fn partial_freezes_are_bounded() {
    let mut data = token();
    assert_eq!(data.freeze_partial(account(1), 601).err(), Some(TokenError::FreezeExceedsBalance));
    assert_eq!(data.freeze_partial(account(1), 600), Ok(600));
    assert_eq!(data.unfreeze_partial(account(1), 601).err(), Some(TokenError::UnfreezeExceedsFrozen));
    assert_eq!(data.unfreeze_partial(account(1), 600), Ok(0));
    assert_eq!(data.freeze_partial(account(1), 0).err(), Some(TokenError::ZeroAmount));
}

#[ink::test]
fn redemption_burns_and_consumes_capacity() {
    let mut data = token();
    let holder = account(1);
    let events = data.redeem(holder, 100, 42).unwrap();
    assert_eq!(events.len(), 1, "one PSP22 Transfer to nobody");
    assert_eq!((data.total_supply(), data.balance_of(holder), data.redeemed()), (500, 500, 100));
    // Redeemed hours were used: they cannot be minted again.
    assert_eq!(data.mint(account(2), CAPACITY - 500, verified(), 0).err(), Some(TokenError::CapacityExceeded));
    data.mint(account(2), CAPACITY - 600, verified(), 0).unwrap();
}

#[ink::test]
fn redemption_respects_pause_freeze_and_frozen_tokens() {
    let mut data = token();
    let holder = account(1);
    assert_eq!(data.redeem(holder, 0, 1).err(), Some(TokenError::ZeroAmount));
    data.freeze_partial(holder, 550).unwrap();
    assert_eq!(data.redeem(holder, 51, 1).err(), Some(TokenError::FrozenTokens));
    data.set_paused(true);
    assert_eq!(data.redeem(holder, 1, 1).err(), Some(TokenError::Paused));
    data.set_paused(false);
    data.set_frozen(holder, true);
    assert_eq!(data.redeem(holder, 1, 1).err(), Some(TokenError::SenderFrozen));
    assert_eq!((data.balance_of(holder), data.redeemed()), (600, 0));
}

#[ink::test]
fn burn_from_unfreezes_what_it_must() {
    let mut data = token();
    data.freeze_partial(account(1), 600).unwrap();
    let events = data.burn_from(account(1), 10, 0).unwrap();
    assert_eq!(unfrozen_amounts(&events), vec![10]);
    assert_eq!((data.balance_of(account(1)), data.frozen_amount(account(1))), (590, 590));
    assert_eq!(data.burn_from(account(1), 591, 0).err(), Some(TokenError::InsufficientBalance));
}

// ---- yield ----------------------------------------------------------------------------

/// Holders 1, 2, 3 with balances 100, 200, 300.
fn three_holders() -> TokenData {
    let mut data = TokenData::default();
    data.attest(CAPACITY, POOL_LIMIT).unwrap();
    for (byte, amount) in [(1, 100), (2, 200), (3, 300)] {
        data.mint(account(byte), amount, verified(), 0).unwrap();
    }
    data
}

fn claimables(data: &TokenData, now: u64) -> [u128; 3] {
    [1, 2, 3].map(|byte| data.claimable(account(byte), now).unwrap())
}

#[ink::test]
fn yield_is_pro_rata() {
    let mut data = three_holders();
    data.distribute(600, 1, 0).unwrap();
    assert_eq!(claimables(&data, 0), [0, 0, 0], "nothing is released at once");
    assert_eq!(claimables(&data, DAY), [100, 200, 300]);
    assert_eq!(data.claim(account(3), DAY), Ok(300));
    assert_eq!(data.claim(account(3), DAY).err(), Some(TokenError::NothingToClaim));
    assert_eq!(data.rewards().totals().claimed, 300);
}

#[ink::test]
fn yield_is_released_linearly_over_the_period() {
    let mut data = three_holders();
    data.distribute(600, 1, 0).unwrap();
    assert_eq!(claimables(&data, DAY / 4), [25, 50, 75]);
    assert_eq!(claimables(&data, DAY / 2), [50, 100, 150]);
    assert_eq!(claimables(&data, 3 * DAY), [100, 200, 300], "nothing more after the end");
    let totals = data.reward_totals(DAY / 4).unwrap();
    assert_eq!((totals.streaming, totals.stream_end, totals.last_update), (450, DAY, DAY / 4));
    assert_eq!(data.rewards().totals().streaming, 600, "a read writes nothing");
}

#[ink::test]
fn a_new_distribution_restreams_the_leftover() {
    let mut data = three_holders();
    data.distribute(600, 1, 0).unwrap();
    data.distribute(300, 2, DAY / 2).unwrap();
    let totals = data.rewards().totals();
    assert_eq!((totals.streaming, totals.stream_end), (300 + 300, DAY / 2 + DAY));
    assert_eq!(claimables(&data, DAY), [100, 200, 300], "half of 600, then half of 600");
    assert_eq!(claimables(&data, 2 * DAY), [150, 300, 450]);
}

#[ink::test]
fn yield_earned_before_a_transfer_stays_with_the_sender() {
    let mut data = three_holders();
    data.distribute(600, 1, 0).unwrap();
    data.transfer(account(1), account(2), 100, OK, DAY).unwrap();
    data.distribute(600, 2, DAY).unwrap();
    // Second round: balances 0, 300, 300.
    assert_eq!(claimables(&data, 2 * DAY), [100, 200 + 300, 300 + 300]);
}

#[ink::test]
fn a_transfer_mid_stream_splits_the_yield_by_time_held() {
    let mut data = three_holders();
    data.distribute(600, 1, 0).unwrap();
    data.transfer(account(1), account(2), 100, OK, DAY / 2).unwrap();
    assert_eq!(claimables(&data, DAY), [50, 100 + 150, 300]);
}

#[ink::test]
fn minting_during_a_stream_earns_only_what_is_released_after() {
    let mut data = three_holders();
    data.distribute(600, 1, 0).unwrap();
    data.mint(account(4), 600, verified(), DAY / 2).unwrap();
    assert_eq!(data.claimable(account(4), DAY / 2), Ok(0));
    // First half: 300 over 600 tokens; second half: 300 over 1_200.
    assert_eq!(claimables(&data, DAY), [75, 150, 225]);
    assert_eq!(data.claimable(account(4), DAY), Ok(150));
    data.distribute(1_200, 2, DAY).unwrap();
    assert_eq!(claimables(&data, 2 * DAY), [175, 350, 525]);
    assert_eq!(data.claimable(account(4), 2 * DAY), Ok(750));
}

#[ink::test]
fn burning_keeps_what_was_earned() {
    let mut data = three_holders();
    data.distribute(600, 1, 0).unwrap();
    data.burn_from(account(3), 300, DAY).unwrap();
    data.distribute(300, 2, DAY).unwrap();
    assert_eq!(claimables(&data, 2 * DAY), [200, 400, 300]);
}

#[ink::test]
fn yield_received_at_zero_supply_waits_for_holders() {
    let mut data = TokenData::default();
    data.attest(CAPACITY, POOL_LIMIT).unwrap();
    data.distribute(500, 1, 0).unwrap();
    assert_eq!(data.reward_totals(DAY).map(|t| (t.undistributed, t.streaming)), Ok((500, 0)));
    data.mint(account(1), 10, verified(), DAY).unwrap();
    assert_eq!(data.rewards().totals().undistributed, 500, "released before the mint, to nobody");
    data.distribute(100, 2, DAY).unwrap();
    assert_eq!(data.rewards().totals().streaming, 600, "held yield is re-streamed with the next distribution");
    assert_eq!(data.claimable(account(1), 2 * DAY), Ok(600));
    assert_eq!(data.rewards().totals().undistributed, 0);
    assert_eq!(data.distribute(0, 3, 3).err(), Some(TokenError::ZeroAmount));
}

#[ink::test]
fn rounding_dust_is_carried_not_lost() {
    let mut data = three_holders();
    // 1 unit over 600 tokens rounds to zero for everyone, but is carried.
    for round in 0..600 {
        data.distribute(1, round, round.into()).unwrap();
    }
    assert_eq!(claimables(&data, 600 + DAY), [100, 200, 300], "600 single units add up exactly");
}

#[ink::test]
fn frozen_accounts_accrue_but_cannot_claim() {
    let mut data = three_holders();
    data.set_frozen(account(1), true);
    data.distribute(600, 1, 0).unwrap();
    assert_eq!(data.claimable(account(1), DAY), Ok(100));
    assert_eq!(data.claim(account(1), DAY).err(), Some(TokenError::SenderFrozen));
    data.set_frozen(account(1), false);
    assert_eq!(data.claim(account(1), DAY), Ok(100));
}

#[ink::test]
fn the_yield_period_is_bounded_and_applies_from_the_next_distribution() {
    let mut data = three_holders();
    assert_eq!(data.yield_period(), DAY);
    let invalid = Some(TokenError::InvalidYieldPeriod);
    assert_eq!(data.set_yield_period(MIN_YIELD_PERIOD_MS - 1).err(), invalid);
    assert_eq!(data.set_yield_period(MAX_YIELD_PERIOD_MS + 1).err(), invalid);
    data.set_yield_period(MAX_YIELD_PERIOD_MS).unwrap();
    data.distribute(600, 1, 0).unwrap();
    data.set_yield_period(MIN_YIELD_PERIOD_MS).unwrap();
    assert_eq!(data.rewards().totals().stream_end, MAX_YIELD_PERIOD_MS, "the running stream keeps its end");
    data.distribute(600, 2, MAX_YIELD_PERIOD_MS).unwrap();
    assert_eq!(claimables(&data, MAX_YIELD_PERIOD_MS + MIN_YIELD_PERIOD_MS), [200, 400, 600]);
}

// ---- regressions (threat model) --------------------------------------------------------

/// Item 10: an account that holds only around a distribution takes nothing of it.
#[ink::test]
fn yield_sniping_an_instant_holder_earns_nothing() {
    let mut data = three_holders();
    let sniper = account(9);
    data.transfer(account(3), sniper, 300, OK, DAY).unwrap();
    data.distribute(600, 1, DAY).unwrap();
    data.transfer(sniper, account(3), 300, OK, DAY).unwrap();
    assert_eq!(data.claimable(sniper, 10 * DAY), Ok(0), "sniper took nothing");
    assert_eq!(claimables(&data, 2 * DAY), [100, 200, 300], "the holders of the period get it all");
}

/// Item 11: recovery of a wallet emptied by a forced transfer or a full redemption still
/// moves its yield; a wallet with neither balance nor yield is refused.
#[ink::test]
fn recovery_moves_yield_of_an_empty_wallet() {
    let mut data = three_holders();
    let (forced, redeemed, new) = (account(1), account(2), account(7));
    data.distribute(600, 1, 0).unwrap();
    data.forced_transfer(forced, account(3), 100, verified(), DAY).unwrap();
    data.redeem(redeemed, 200, DAY).unwrap();
    assert_eq!(data.recover(forced, new, verified(), DAY).map(|(amount, frozen, _)| (amount, frozen)), Ok((0, 0)));
    assert_eq!((data.claimable(forced, DAY), data.claimable(new, DAY)), (Ok(0), Ok(100)));
    data.recover(redeemed, new, verified(), DAY).unwrap();
    assert_eq!((data.claimable(redeemed, DAY), data.claimable(new, DAY)), (Ok(0), Ok(300)));
    assert_eq!((data.balance_of(new), data.holders()), (0, 1));
    assert_eq!(data.recover(forced, new, verified(), DAY).err(), Some(TokenError::NothingToRecover));
    assert_eq!(data.recover(account(8), new, verified(), DAY).err(), Some(TokenError::NothingToRecover));
}
