//! Escrow transitions, valid and invalid, with exact amounts; regressions for the issue's
//! items 1-6; and the liveness, bookings and books properties over random histories.
use crate::escrow::*;
use compute_rwa_common::{EpochSchedule, Finalized, Report, Role};
use ink::primitives::AccountId;
use proptest::prelude::*;
use std::collections::BTreeMap;

const HOUR: u64 = 3_600_000;
const PRICE: u128 = 2_000_000; // 2 USDC per GPU-hour
const RENTER: u8 = 1;
const OPERATOR: u8 = 9;
const ARBITER: u8 = 8;
/// No deposit limit (`max_deposit`).
const ANY: u128 = u128::MAX;

fn account(byte: u8) -> AccountId {
    AccountId::from([byte; 32])
}

fn config() -> EscrowConfig {
    EscrowConfig { feed: 0, operator_fee_bps: 1_000, grace_period: 2 * HOUR, dispute_window: HOUR, arbitration_period: 24 * HOUR }
}

/// The oracle feed: hourly epochs from 0 over a pool of 8 GPUs, reports for an hour after each.
fn schedule() -> EpochSchedule {
    EpochSchedule { genesis: 0, epoch_length: HOUR, gpus: 8, report_window: HOUR }
}

fn offer() -> Offer {
    Offer {
        price_per_gpu_hour: PRICE,
        min_epochs: 1,
        max_epochs: 24,
        available_gpus: 8,
        sla: vec![SlaTier { below_bps: 9_900, credit_bps: 1_000 }, SlaTier { below_bps: 9_500, credit_bps: 3_000 }],
        cancellation_fee_bps: 500,
        cancellation_notice_ms: 0,
        ..Offer::default()
    }
}

fn escrow() -> EscrowData {
    let mut data = EscrowData::new(config(), schedule()).unwrap();
    data.set_offer(offer()).unwrap();
    data
}

/// A new escrow's books in a contract storage of their own: `Lazy` and `Mapping` cells belong to
/// the contract, so a second `EscrowData` in a test's storage would see the first one's offer.
fn elsewhere(config: EscrowConfig, schedule: EpochSchedule) -> EscrowData {
    ink::env::test::set_callee::<ink::env::DefaultEnvironment>(account(0xEE));
    EscrowData::new(config, schedule).unwrap()
}

/// Pool-level figures: `milli_hours` delivered by the whole pool at `uptime_bps`.

fn finalized(epoch: u64, milli_hours: u64, uptime_bps: u16) -> Option<Finalized> {
    let values = Report { gpu_milli_hours: milli_hours, utilization_bps: 9_000, uptime_bps, energy_wh: 0, avg_power_w: 0 };
    Some(Finalized { epoch, values, reports: 2, finalized_at: 0 })
}

/// Renter books 4 of 8 GPUs for epochs 1..4 at time 0: 4 GPU-hours × 2 USDC = 8 USDC per epoch.
fn booked() -> (EscrowData, Rental) {
    let mut data = escrow();
    let rental = data.open(account(RENTER), 4, 1, 3, ANY, 0).unwrap();
    (data, rental)
}

fn end_of(epoch: u64) -> u64 {
    (epoch + 1) * HOUR
}

fn assert_balanced(data: &EscrowData, id: RentalId) {
    let l = data.rental(id).unwrap().ledger;
    assert_eq!(l.deposited, l.released + l.fees + l.refunded + l.held, "{l:?}");
}

#[ink::test]
fn open_books_capacity_and_deposits_the_full_cost() {
    let (data, rental) = booked();
    assert_eq!(rental.epoch_cost, 8_000_000);
    assert_eq!((rental.ledger.deposited, rental.ledger.held), (24_000_000, 24_000_000));
    assert_eq!((data.booked_gpus(0), data.booked_gpus(1), data.booked_gpus(3), data.booked_gpus(4)), (0, 4, 4, 0));
    assert_eq!(data.rentals_of(account(RENTER), 0, 10), vec![0]);
    assert_eq!(data.totals().obligations(), Some(24_000_000));
}

#[ink::test]
fn open_respects_offer_capacity_and_time() {
    let (mut data, _) = booked();
    let renter = account(2);
    assert_eq!(data.open(renter, 5, 1, 1, ANY, 0).err(), Some(Error::CapacityUnavailable), "4 of 8 left");
    assert_eq!(data.open(renter, 9, 5, 1, ANY, 0).err(), Some(Error::OutsideOffer));
    assert_eq!(data.open(renter, 0, 5, 1, ANY, 0).err(), Some(Error::OutsideOffer));
    assert_eq!(data.open(renter, 1, 5, 25, ANY, 0).err(), Some(Error::OutsideOffer));
    assert_eq!(data.open(renter, 1, 2, 1, ANY, end_of(1)).err(), Some(Error::StartInPast));
    assert!(data.open(renter, 4, 1, 3, ANY, 0).is_ok(), "the other 4 GPUs");
    let mut empty = elsewhere(config(), schedule());
    assert_eq!(empty.open(renter, 1, 1, 1, ANY, 0).err(), Some(Error::NoOffer));
}

#[ink::test]
fn offers_are_validated() {
    let mut data = escrow();
    let bad = [
        Offer { price_per_gpu_hour: 0, ..offer() },
        Offer { min_epochs: 0, ..offer() },
        Offer { min_epochs: 5, max_epochs: 4, ..offer() },
        Offer { max_epochs: MAX_RENTAL_EPOCHS + 1, ..offer() },
        Offer { cancellation_fee_bps: 10_001, ..offer() },
        Offer { sla: vec![SlaTier { below_bps: 9_000, credit_bps: 10_001 }], ..offer() },
        Offer { available_gpus: 9, ..offer() },
    ];
    for offer in bad {
        assert_eq!(data.set_offer(offer.clone()), Err(Error::InvalidOffer), "{offer:?}");
    }
}

#[ink::test]
fn full_delivery_pays_holders_and_operator() {
    let (mut data, rental) = booked();
    // The pool delivered all 8 GPU-hours at 99.9% uptime; the rental's share is 4.
    let (split, state) = data.settle(rental.id, 1, finalized(1, 8_000, 9_990), end_of(1)).unwrap();
    assert_eq!(state, EpochState::Settled);
    assert_eq!((split.to_holders, split.fee, split.refund, split.credit), (7_200_000, 800_000, 0, 0));
    assert_eq!(split.delivered_milli_hours, 4_000);
    assert_balanced(&data, rental.id);
    assert_eq!(data.settle(rental.id, 1, finalized(1, 8_000, 9_990), end_of(1)).err(), Some(Error::AlreadySettled));
}

#[ink::test]
fn shortfall_and_sla_credit_are_refunded() {
    let (mut data, rental) = booked();
    // 6 of 8 GPU-hours delivered (share 3 of 4) at 97% uptime: tier "below 99%" → 10% credit.
    let (split, _) = data.settle(rental.id, 1, finalized(1, 6_000, 9_700), end_of(1)).unwrap();
    // pay = 8 × 3/4 = 6 USDC; credit 0.6; payable 5.4; fee 0.54; holders 4.86; refund 2 + 0.6.
    assert_eq!((split.to_holders, split.fee, split.credit, split.refund), (4_860_000, 540_000, 600_000, 2_600_000));
    assert_eq!(data.refundable(account(RENTER)), 2_600_000);
    // 94% uptime falls under both tiers: the larger credit (30%) applies.
    let (split, _) = data.settle(rental.id, 2, finalized(2, 8_000, 9_400), end_of(2)).unwrap();
    assert_eq!(split.credit, 2_400_000);
    assert_balanced(&data, rental.id);
}

#[ink::test]
fn settlement_waits_for_the_epoch_and_the_oracle_then_times_out() {
    let (mut data, rental) = booked();
    assert_eq!(data.settle(rental.id, 1, finalized(1, 1, 1), end_of(1) - 1).err(), Some(Error::EpochNotEnded));
    assert_eq!(data.settle(rental.id, 0, finalized(0, 1, 1), end_of(1)).err(), Some(Error::EpochNotInRental));
    assert_eq!(data.settle(rental.id, 4, finalized(4, 1, 1), end_of(4)).err(), Some(Error::EpochNotInRental));
    assert_eq!(data.settle(rental.id, 1, None, end_of(1) + 2 * HOUR - 1).err(), Some(Error::AwaitingOracle));
    let (split, state) = data.settle(rental.id, 1, None, end_of(1) + 2 * HOUR).unwrap();
    assert_eq!((state, split.refund), (EpochState::TimedOut, 8_000_000));
    assert_eq!(data.settle(9, 1, None, end_of(1)).err(), Some(Error::UnknownRental));
}

#[ink::test]
fn disputes_lock_until_the_arbiter_splits() {
    let (mut data, rental) = booked();
    let operator = account(OPERATOR);
    assert_eq!(data.dispute(account(7), operator, account(ARBITER), rental.id, 1, finalized(1, 8_000, 10_000), end_of(1)), Err(Error::NotParty));
    assert_eq!(data.dispute(operator, operator, account(ARBITER), rental.id, 1, finalized(1, 8_000, 10_000), end_of(1) + HOUR), Err(Error::DisputeWindowClosed));
    assert_eq!(data.resolve(account(ARBITER), rental.id, 1, 0).err(), Some(Error::NotDisputed));
    // A dispute contests the oracle's figures: none yet, nothing to dispute.
    assert_eq!(data.dispute(account(RENTER), operator, account(ARBITER), rental.id, 1, None, end_of(1)), Err(Error::AwaitingOracle));
    data.dispute(account(RENTER), operator, account(ARBITER), rental.id, 1, finalized(1, 8_000, 10_000), end_of(1)).unwrap();
    assert_eq!(data.totals().disputed, 7_200_000, "what the figures pay holders (8 USDC less the 10% fee) is under dispute");
    assert_eq!(data.settle(rental.id, 1, finalized(1, 8_000, 10_000), end_of(1)).err(), Some(Error::Disputed));
    assert_eq!(data.resolve(account(ARBITER), rental.id, 1, 8_000_001).err(), Some(Error::RefundExceedsCost));
    assert_eq!(data.resolve(account(OPERATOR), rental.id, 1, 0).err(), Some(Error::MissingRole(Role::Arbiter)));
    let split = data.resolve(account(ARBITER), rental.id, 1, 3_000_000).unwrap();
    assert_eq!((split.refund, split.fee, split.to_holders), (3_000_000, 500_000, 4_500_000));
    assert_eq!(data.totals().unpaid_yield, 4_500_000, "for the caller to hand to the token");
    assert_eq!(data.totals().disputed, 0, "resolved: no longer under dispute");
    assert_eq!(data.epoch_state(rental.id, 1), Some(EpochState::Resolved));
    assert_eq!(data.resolve(account(ARBITER), rental.id, 1, 0).err(), Some(Error::NotDisputed));
    assert_balanced(&data, rental.id);
}

/// Review 9, R9-1: a dispute counted the epoch's whole cost as rent under dispute, so a renter
/// disputing epochs the oracle showed undelivered (an outage it would be refunded for anyway)
/// raised the credit vault's rent measure, and the refunds landing a day later lowered it when
/// the pool was healthy again. Now a dispute needs the oracle's figures and holds back only what
/// they would pay holders: nothing for an epoch not delivered, part for a short one.
#[ink::test]
fn a_dispute_holds_back_what_the_figures_pay_holders() {
    let (mut data, rental) = booked();
    let (renter, operator) = (account(RENTER), account(OPERATOR));
    data.dispute(renter, operator, account(ARBITER), rental.id, 1, finalized(1, 0, 10_000), end_of(1)).unwrap();
    assert_eq!(data.totals().disputed, 0, "an outage pays holders nothing: nothing held back");
    // Half delivered, at 97% uptime (10% credit below 99%): 4 USDC, less 0.4 credit, less 10%.
    data.dispute(renter, operator, account(ARBITER), rental.id, 2, finalized(2, 4_000, 9_700), end_of(2)).unwrap();
    assert_eq!(data.totals().disputed, 3_240_000);
    assert_eq!(data.dispute_record(rental.id, 2), Some((account(ARBITER), 3_240_000)));
    data.resolve(account(ARBITER), rental.id, 2, 8_000_000).unwrap();
    data.resolve(account(ARBITER), rental.id, 1, 0).unwrap();
    assert_eq!(data.totals().disputed, 0);
    assert_balanced(&data, rental.id);
}

#[ink::test]
fn cancel_before_start_refunds_everything() {
    let (mut data, rental) = booked();
    assert_eq!(data.cancel(account(2), rental.id, 0), Err(Error::NotRenter));
    assert_eq!(data.cancel(account(RENTER), rental.id, 10), Ok((24_000_000, 0)));
    assert_eq!(data.rental(rental.id).unwrap().status, RentalStatus::Cancelled);
    assert_eq!(data.booked_gpus(1), 0, "capacity freed");
    assert_eq!(data.cancel(account(RENTER), rental.id, 10), Err(Error::NotActive));
    assert_eq!(data.settle(rental.id, 1, finalized(1, 8_000, 10_000), end_of(1)).err(), Some(Error::EpochNotInRental));
    assert_balanced(&data, rental.id);
}

#[ink::test]
fn cancel_after_start_refunds_future_epochs_minus_the_fee() {
    let (mut data, rental) = booked();
    // During epoch 1: epochs 2 and 3 (16 USDC) are refunded less 5%.
    assert_eq!(data.cancel(account(RENTER), rental.id, end_of(1) - 1), Ok((15_200_000, 800_000)));
    assert_eq!((data.booked_gpus(1), data.booked_gpus(2)), (4, 0));
    assert!(data.settle(rental.id, 1, finalized(1, 8_000, 10_000), end_of(1)).is_ok(), "the running epoch still settles");
    assert_eq!(data.settle(rental.id, 2, finalized(2, 8_000, 10_000), end_of(2)).err(), Some(Error::EpochNotInRental));
    assert_balanced(&data, rental.id);
    assert_eq!(data.rental(rental.id).unwrap().ledger.held, 0);
}

#[ink::test]
fn extend_books_more_epochs() {
    let (mut data, rental) = booked();
    assert_eq!(data.extend(account(2), rental.id, 1, ANY, 0), Err(Error::NotRenter));
    assert_eq!(data.extend(account(RENTER), rental.id, 0, ANY, 0), Err(Error::OutsideOffer));
    assert_eq!(data.extend(account(RENTER), rental.id, 22, ANY, 0), Err(Error::OutsideOffer), "24 epochs at most");
    assert_eq!(data.extend(account(RENTER), rental.id, 2, ANY, 0), Ok(16_000_000));
    assert_eq!((data.rental(rental.id).unwrap().end, data.booked_gpus(5)), (6, 4));
    assert_eq!(data.extend(account(RENTER), rental.id, 1, ANY, end_of(6)), Err(Error::NotActive), "already over");
}

#[ink::test]
fn withdrawals_pay_what_is_owed_once() {
    let (mut data, rental) = booked();
    assert_eq!(data.withdraw(account(RENTER)), Err(Error::NothingToWithdraw));
    data.settle(rental.id, 1, finalized(1, 4_000, 10_000), end_of(1)).unwrap();
    assert_eq!(data.withdraw(account(RENTER)), Ok(4_000_000));
    assert_eq!(data.withdraw(account(RENTER)), Err(Error::NothingToWithdraw));
    assert_eq!(data.withdraw_fees(), Ok(400_000));
    assert_eq!(data.withdraw_fees(), Err(Error::NothingToWithdraw));
    assert_eq!(data.totals().obligations(), Some(16_000_000 + 3_600_000), "the two unsettled epochs and the yield for the token");
}

#[ink::test]
fn later_offers_do_not_change_booked_terms() {
    let (mut data, rental) = booked();
    data.set_offer(Offer { sla: vec![], price_per_gpu_hour: 1, ..offer() }).unwrap();
    let (split, _) = data.settle(rental.id, 1, finalized(1, 8_000, 9_000), end_of(1)).unwrap();
    assert_eq!(split.credit, 2_400_000, "the 30% tier booked with the rental still applies");
}

// ---- regressions (issue items 1-6) --------------------------------------------------------

/// Item 1: epochs cancelled after the start and booked again by `extend` settle like any other.
#[ink::test]
fn item1_cancel_after_start_then_extend_settles_every_rebooked_epoch() {
    let (mut data, rental) = booked();
    let renter = account(RENTER);
    assert_eq!(data.cancel(renter, rental.id, end_of(1) - 1), Ok((15_200_000, 800_000)));
    assert_eq!(data.epoch_state(rental.id, 2), Some(EpochState::Cancelled));
    assert_eq!(data.extend(renter, rental.id, 2, ANY, end_of(1) - 1), Ok(16_000_000));
    assert_eq!(data.totals().ledger.held, 24_000_000);
    data.settle(rental.id, 1, finalized(1, 8_000, 10_000), end_of(1)).unwrap();
    let (_, state) = data.settle(rental.id, 2, finalized(2, 8_000, 10_000), end_of(2)).unwrap();
    assert_eq!(state, EpochState::Settled);
    data.dispute(renter, account(OPERATOR), account(ARBITER), rental.id, 3, finalized(3, 8_000, 10_000), end_of(3)).unwrap();
    data.resolve(account(ARBITER), rental.id, 3, 8_000_000).unwrap();
    assert_eq!((data.epoch_state(rental.id, 2), data.epoch_state(rental.id, 3)), (Some(EpochState::Settled), Some(EpochState::Resolved)));
    assert_eq!(data.rental(rental.id).unwrap().ledger.held, 0);
    assert_eq!(data.totals().ledger.held, 0);
    assert_balanced(&data, rental.id);
}

/// Item 1, timeout path: a re-booked epoch without oracle data times out and is refunded.
#[ink::test]
fn item1_rebooked_epoch_times_out_without_oracle_data() {
    let (mut data, rental) = booked();
    data.cancel(account(RENTER), rental.id, end_of(1) - 1).unwrap();
    data.extend(account(RENTER), rental.id, 1, ANY, end_of(1) - 1).unwrap();
    assert_eq!(data.settle(rental.id, 2, None, end_of(2) + 2 * HOUR).map(|(split, state)| (split.refund, state)), Ok((8_000_000, EpochState::TimedOut)));
    assert_eq!(data.epoch_state(rental.id, 3), Some(EpochState::Cancelled), "not booked again: stays cancelled");
    assert_eq!(data.settle(rental.id, 3, None, end_of(3) + 2 * HOUR).err(), Some(Error::EpochNotInRental));
}

/// Item 2: an offer cannot promise more GPUs than the pool has.
#[ink::test]
fn item2_overbooking_offer_is_refused() {
    let mut data = escrow();
    assert_eq!(data.set_offer(Offer { available_gpus: 9, ..offer() }), Err(Error::InvalidOffer));
    assert_eq!(data.set_offer(Offer { available_gpus: 8, ..offer() }), Ok(()));
}

/// Item 2: a full pool shares the delivered hours: two rentals of 4 are each paid for 4 of 8.
#[ink::test]
fn item2_each_rental_is_billed_its_share_of_the_pool() {
    let (mut data, first) = booked();
    let second = data.open(account(2), 4, 1, 3, ANY, 0).unwrap();
    assert_eq!(data.open(account(3), 1, 1, 1, ANY, 0).err(), Some(Error::CapacityUnavailable));
    // The pool delivered 6 of 8 GPU-hours: each rental is paid for 3 of its 4.
    for id in [first.id, second.id] {
        let (split, _) = data.settle(id, 1, finalized(1, 6_000, 10_000), end_of(1)).unwrap();
        assert_eq!((split.delivered_milli_hours, split.refund), (3_000, 2_000_000));
    }
    assert_eq!(data.totals().ledger.released + data.totals().ledger.fees, 12_000_000, "6 GPU-hours × 2 USDC, once");
    // Lowering the offer below the bookings keeps them and refuses new ones.
    data.set_offer(Offer { available_gpus: 2, ..offer() }).unwrap();
    assert_eq!(data.open(account(3), 1, 2, 1, ANY, 0).err(), Some(Error::CapacityUnavailable));
    assert_eq!(data.booked_gpus(2), 8);
}

/// Item 3: the grace period covers the oracle's report window; the schedule is the feed's.
#[ink::test]
fn item3_grace_period_shorter_than_the_report_window_is_refused() {
    let short = EscrowConfig { grace_period: HOUR - 1, ..config() };
    assert_eq!(EscrowData::new(short, schedule()).err(), Some(Error::InvalidConfig));
    let bad_schedules = [EpochSchedule { epoch_length: 0, ..schedule() }, EpochSchedule { gpus: 0, ..schedule() }];
    for bad in bad_schedules {
        assert_eq!(EscrowData::new(config(), bad).err(), Some(Error::InvalidConfig), "{bad:?}");
    }
    let bad_fee = EscrowConfig { operator_fee_bps: 10_001, ..config() };
    assert_eq!(EscrowData::new(bad_fee, schedule()).err(), Some(Error::InvalidConfig));
    let exact = EscrowData::new(EscrowConfig { grace_period: HOUR, ..config() }, schedule()).unwrap();
    assert_eq!(exact.schedule(), schedule());
}

/// Item 3: epochs follow the feed's schedule (genesis and length), timeouts after its window.
#[ink::test]
fn item3_epochs_follow_the_feed_schedule() {
    let feed = EpochSchedule { genesis: 1_000, epoch_length: 2 * HOUR, gpus: 4, report_window: HOUR };
    let mut data = EscrowData::new(EscrowConfig { grace_period: HOUR, ..config() }, feed).unwrap();
    assert_eq!(data.set_offer(offer()), Err(Error::InvalidOffer), "8 GPUs offered on a pool of 4");
    data.set_offer(Offer { available_gpus: 4, ..offer() }).unwrap();
    let rental = data.open(account(RENTER), 2, 1, 1, ANY, 0).unwrap();
    assert_eq!(rental.epoch_cost, 8_000_000, "2 GPUs × 2 h × 2 USDC");
    let end = 1_000 + 4 * HOUR;
    assert_eq!(data.settle(rental.id, 1, None, end - 1).err(), Some(Error::EpochNotEnded));
    assert_eq!(data.settle(rental.id, 1, None, end + HOUR - 1).err(), Some(Error::AwaitingOracle));
    assert_eq!(data.settle(rental.id, 1, None, end + HOUR).map(|(_, state)| state), Ok(EpochState::TimedOut));
}

/// Item 4: the holders' part is kept when the token refuses it, and pushed later.
#[ink::test]
fn item4_unpaid_yield_is_kept_when_the_push_fails() {
    let (mut data, rental) = booked();
    let (split, _) = data.settle(rental.id, 1, finalized(1, 8_000, 10_000), end_of(1)).unwrap();
    assert_eq!(data.totals().unpaid_yield, 7_200_000);
    assert_eq!(data.take_unpaid_yield(), Ok(split.to_holders));
    assert_eq!(data.totals().unpaid_yield, 0, "marked paid before the token is called");
    assert_eq!(data.restore_unpaid_yield(split.to_holders), Ok(()), "the token refused");
    assert_eq!(data.totals().unpaid_yield, 7_200_000);
    assert_eq!(data.totals().obligations(), Some(16_000_000 + 7_200_000 + 800_000));
    // The renter's and operator's parts are settled regardless.
    assert_eq!(data.withdraw_fees(), Ok(800_000));
    data.settle(rental.id, 2, finalized(2, 4_000, 10_000), end_of(2)).unwrap();
    assert_eq!(data.withdraw(account(RENTER)), Ok(4_000_000));
    assert_eq!(data.take_unpaid_yield(), Ok(7_200_000 + 3_600_000), "pushed later, with the next epoch's");
    assert_eq!(data.take_unpaid_yield(), Err(Error::NoUnpaidYield));
    assert_eq!(data.totals().obligations(), Some(8_000_000 + 400_000), "the last epoch's deposit and the second fee");
}

/// Item 5: cancelling before the start but within the notice period pays the cancellation fee.
#[ink::test]
fn item5_cancel_within_the_notice_pays_the_fee() {
    let mut data = escrow();
    data.set_offer(Offer { cancellation_notice_ms: 2 * HOUR, ..offer() }).unwrap();
    let early = data.open(account(RENTER), 4, 3, 3, ANY, 0).unwrap();
    let late = data.open(account(RENTER), 4, 1, 3, ANY, 0).unwrap();
    data.set_offer(offer()).unwrap();
    assert_eq!(late.cancellation_notice_ms, 2 * HOUR, "locked at opening");
    // Epoch 3 starts at 3 h: cancelling at 1 h is exactly the notice: free.
    assert_eq!(data.cancel(account(RENTER), early.id, HOUR), Ok((24_000_000, 0)));
    // Epoch 1 starts at 1 h: cancelling at 0 is 1 h before the start, within the 2 h notice.
    assert_eq!(data.cancel(account(RENTER), late.id, 0), Ok((22_800_000, 1_200_000)));
    assert_eq!(data.rental(late.id).unwrap().status, RentalStatus::Cancelled);
    assert_eq!(data.booked_gpus(1), 0);
    assert_balanced(&data, late.id);
}

/// Item 6: a dispute is resolved only by the arbiter it was opened with.
#[ink::test]
fn item6_dispute_is_resolved_only_by_its_arbiter() {
    let (mut data, rental) = booked();
    let (renter, operator, next) = (account(RENTER), account(OPERATOR), account(7));
    data.dispute(renter, operator, account(ARBITER), rental.id, 1, finalized(1, 8_000, 10_000), end_of(1)).unwrap();
    // The arbiter changed since: the next dispute is the new one's, the open one stays the old one's.
    data.dispute(operator, operator, next, rental.id, 2, finalized(2, 8_000, 10_000), end_of(2)).unwrap();
    assert_eq!((data.dispute_arbiter(rental.id, 1), data.dispute_arbiter(rental.id, 2)), (Some(account(ARBITER)), Some(next)));
    assert_eq!(data.resolve(next, rental.id, 1, 0).err(), Some(Error::MissingRole(Role::Arbiter)), "a later arbiter");
    assert_eq!(data.resolve(account(ARBITER), rental.id, 2, 0).err(), Some(Error::MissingRole(Role::Arbiter)));
    assert!(data.resolve(account(ARBITER), rental.id, 1, 0).is_ok());
    assert!(data.resolve(next, rental.id, 2, 0).is_ok());
    assert_eq!(data.dispute_arbiter(rental.id, 1), Some(account(ARBITER)), "kept for auditors");
    assert_eq!(data.dispute_arbiter(rental.id, 3), None);
}

/// Failed operations change nothing: a rental that does not fit books no epoch at all.
#[ink::test]
fn refused_bookings_leave_no_trace() {
    let (mut data, _) = booked();
    data.open(account(2), 4, 3, 2, ANY, 0).unwrap();
    assert_eq!(data.open(account(3), 1, 2, 3, ANY, 0).err(), Some(Error::CapacityUnavailable), "epoch 3 is full");
    assert_eq!((data.booked_gpus(2), data.booked_gpus(3), data.booked_gpus(4)), (4, 8, 4));
    data.open(account(3), 8, 5, 1, ANY, 0).unwrap();
    assert_eq!(data.extend(account(RENTER), 0, 2, ANY, 0), Err(Error::CapacityUnavailable), "epoch 4 fits, epoch 5 is full");
    assert_eq!((data.booked_gpus(4), data.booked_gpus(5), data.rental(0).unwrap().end), (4, 8, 4));
}

/// The demand curve used below: 2 USDC for the first GPU, +0.25 USDC per GPU booked up to 4,
/// +1 USDC per GPU above: marginal prices 2, 2.25, 2.5, 2.75, 3, 4, 5, 6 USDC per GPU-hour.
fn curved() -> Offer {
    Offer { kink_gpus: 4, slope_below: 250_000, slope_above: 1_000_000, ..offer() }
}

#[ink::test]
fn demand_prices_each_gpu_at_the_bookings_before_it() {
    let mut data = escrow();
    data.set_offer(curved()).unwrap();
    assert_eq!(data.forward_curve(0, 3), vec![Some(PRICE); 3]);
    // Empty epochs: 2 + 2.25 + 2.5 + 2.75 = 9.5 USDC an hour for 4 GPUs; the last one at 2.75.
    assert_eq!(data.quote(4, 1, 2, 0), Ok(Quote { deposit: 19_000_000, top_price: 2_750_000 }));
    let a = data.open(account(RENTER), 4, 1, 2, 19_000_000, 0).unwrap();
    assert_eq!((a.ledger.deposited, a.epoch_cost, data.epoch_cost(&a, 2)), (19_000_000, 9_500_000, 9_500_000));
    assert_eq!(data.forward_curve(0, 4), vec![Some(PRICE), Some(3_000_000), Some(3_000_000), Some(PRICE)]);
    // Epoch 2 is half booked: 3 + 4 + 5 + 6 = 18 USDC; epoch 3 is empty: 9.5 USDC.
    let quote = data.quote(4, 2, 2, 0).unwrap();
    assert_eq!(quote, Quote { deposit: 27_500_000, top_price: 6_000_000 });
    assert_eq!(data.open(account(2), 4, 2, 2, quote.deposit - 1, 0).err(), Some(Error::PriceMoved));
    assert_eq!((data.booked_gpus(2), data.booked_gpus(3), data.rental_count()), (4, 0, 1), "a refused booking leaves no trace");
    let b = data.open(account(2), 4, 2, 2, quote.deposit, 0).unwrap();
    assert_eq!((b.ledger.deposited, data.epoch_cost(&b, 2), data.epoch_cost(&b, 3)), (27_500_000, 18_000_000, 9_500_000));
    assert_eq!(data.forward_curve(2, 2), vec![None, Some(3_000_000)], "epoch 2 is full");
    // Prices are locked: A cancelling lowers the curve, not B's epochs.
    assert_eq!(data.cancel(account(RENTER), a.id, 0), Ok((19_000_000, 0)));
    assert_eq!(data.forward_curve(2, 1), vec![Some(3_000_000)]);
    assert_eq!(data.epoch_cost(&b, 2), 18_000_000);
    // Epoch 2 delivered in full: its own price is split (10% fee); epoch 3 timed out: its own price refunded.
    let (split, _) = data.settle(b.id, 2, finalized(2, 8_000, 10_000), end_of(2)).unwrap();
    assert_eq!((split.to_holders, split.fee, split.refund), (16_200_000, 1_800_000, 0));
    let (split, state) = data.settle(b.id, 3, None, end_of(3) + config().grace_period).unwrap();
    assert_eq!((split.refund, state), (9_500_000, EpochState::TimedOut));
    assert_balanced(&data, b.id);
    assert_eq!(data.totals().obligations(), Some(19_000_000 + 9_500_000 + 1_800_000 + 16_200_000));
}

#[ink::test]
fn extensions_and_cancellations_use_each_epochs_locked_price() {
    let mut data = escrow();
    data.set_offer(curved()).unwrap();
    data.open(account(2), 6, 3, 1, ANY, 0).unwrap();
    let a = data.open(account(RENTER), 2, 1, 2, ANY, 0).unwrap();
    assert_eq!(a.ledger.deposited, 2 * 4_250_000, "2 + 2.25 USDC in each of epochs 1 and 2");
    // Epoch 3 has 6 booked: 5 + 6 = 11 USDC; refused above a limit of 10.99 USDC.
    assert_eq!(data.extend(account(RENTER), a.id, 1, 10_999_999, 0), Err(Error::PriceMoved));
    assert_eq!(data.extend(account(RENTER), a.id, 1, 11_000_000, 0), Ok(11_000_000));
    assert_eq!((data.epoch_cost(&a, 3), data.rental(a.id).unwrap().end), (11_000_000, 4));
    // Cancelled inside epoch 1 (started): epochs 2 and 3 refunded at their own prices, less 5%.
    let refunded = 4_250_000 + 11_000_000;
    let fee = refunded * 5 / 100;
    assert_eq!(data.cancel(account(RENTER), a.id, HOUR + 1), Ok((refunded - fee, fee)));
    assert_balanced(&data, a.id);
    // Booked again by an extension at today's price: epoch 2 is empty now, epoch 3 has 6 booked.
    assert_eq!(data.extend(account(RENTER), a.id, 2, ANY, HOUR + 2), Ok(4_250_000 + 11_000_000));
    let a = data.rental(a.id).unwrap();
    assert_eq!((data.epoch_cost(&a, 2), data.epoch_cost(&a, 3)), (4_250_000, 11_000_000));
}

#[ink::test]
fn pricing_curves_are_bounded() {
    let mut data = escrow();
    for bad in [
        Offer { kink_gpus: 9, ..curved() },
        Offer { slope_below: 2_000_000, slope_above: 1_000_000, ..curved() },
        // Last GPU: 2 + 4 × 0.25 + 3 × 6 = 21 USDC > 10 × 2 USDC.
        Offer { slope_above: 6_000_000, ..curved() },
        Offer { slope_above: u128::MAX, ..curved() },
    ] {
        assert_eq!(data.set_offer(bad), Err(Error::InvalidOffer));
    }
    assert_eq!(data.set_offer(Offer { slope_above: 5_666_666, ..curved() }), Ok(()), "20 USDC at most");
    assert_eq!(data.forward_curve(0, 1000).len(), MAX_RENTAL_EPOCHS as usize);
    assert_eq!(elsewhere(config(), schedule()).forward_curve(0, 5), vec![], "no offer, no curve");
}

/// Review 10 H1: the limit was the highest GPU-hour price, not the deposit. A front-runner
/// booking (and later cancelling for free) the cheap epoch of a two-epoch booking, or the
/// operator flattening the curve at the quoted top price, made the renter pay more than its
/// quote while every GPU-hour stayed under the limit. Fixed: `max_deposit` bounds the total.
#[ink::test]
fn a_renter_never_pays_more_than_the_quote_it_accepted() {
    let mut data = escrow();
    data.set_offer(curved()).unwrap();
    data.open(account(2), 4, 2, 1, ANY, 0).unwrap();
    let quote = data.quote(4, 1, 2, 0).unwrap();
    assert_eq!(quote, Quote { deposit: 27_500_000, top_price: 6_000_000 }, "9.5 + 18 USDC");
    // The front-runner fills epoch 1's cheap half: the victim's epoch 1 would cost 18 USDC.
    let front = data.open(account(3), 4, 1, 1, ANY, 0).unwrap();
    assert_eq!(data.quote(4, 1, 2, 0).map(|q| q.deposit), Ok(36_000_000));
    assert_eq!(data.open(account(RENTER), 4, 1, 2, quote.deposit, 0).err(), Some(Error::PriceMoved));
    data.cancel(account(3), front.id, 0).unwrap();
    // The operator flattens the curve at the quoted top price: refused too.
    data.set_offer(Offer { price_per_gpu_hour: quote.top_price, ..offer() }).unwrap();
    assert_eq!(data.open(account(RENTER), 4, 1, 2, quote.deposit, 0).err(), Some(Error::PriceMoved));
    data.set_offer(curved()).unwrap();
    let rental = data.open(account(RENTER), 4, 1, 2, quote.deposit, 0).unwrap();
    assert_eq!(rental.ledger.deposited, quote.deposit);
}

/// Review 10 L1: `book` counted epochs with an open range, which overflowed (a trap) for a
/// booking ending at the last epoch. Now every message answers.
#[ink::test]
fn bookings_at_the_end_of_time_answer_instead_of_trapping() {
    let mut data = escrow();
    data.set_offer(curved()).unwrap();
    let last = data.open(account(RENTER), 1, u64::MAX - 1, 1, ANY, 0).unwrap();
    assert_eq!((last.start, last.end, last.ledger.deposited), (u64::MAX - 1, u64::MAX, 2_000_000));
    assert_eq!(data.open(account(RENTER), 1, u64::MAX - 1, 2, ANY, 0).err(), Some(Error::Overflow));
    let near = data.open(account(RENTER), 1, u64::MAX - 3, 1, ANY, 0).unwrap();
    assert_eq!(data.extend(account(RENTER), near.id, 1, ANY, 0), Ok(2_000_000));
    assert_eq!(data.extend(account(RENTER), near.id, 1, ANY, 0), Ok(2_250_000), "epoch MAX − 1 has one booked");
    assert_eq!(data.extend(account(RENTER), near.id, 1, ANY, 0), Err(Error::Overflow));
    assert_eq!(data.forward_curve(u64::MAX - 1, 5), vec![Some(2_500_000)], "two booked at the last epoch");
}

/// Review 10 L5: a dispute and its resolution on an epoch priced above the rental's first use
/// that epoch's own price.
#[ink::test]
fn disputes_and_rebookings_use_the_epochs_own_price() {
    let mut data = escrow();
    data.set_offer(curved()).unwrap();
    data.open(account(2), 6, 2, 1, ANY, 0).unwrap();
    let a = data.open(account(RENTER), 2, 1, 2, ANY, 0).unwrap();
    assert_eq!((a.epoch_cost, data.epoch_cost(&a, 2)), (4_250_000, 11_000_000));
    let (renter, operator, arbiter) = (account(RENTER), account(OPERATOR), account(ARBITER));
    // Full delivery: epoch 2 pays holders 90% of its own 11 USDC.
    data.dispute(renter, operator, arbiter, a.id, 2, finalized(2, 8_000, 10_000), end_of(2)).unwrap();
    assert_eq!((data.dispute_record(a.id, 2), data.totals().disputed), (Some((arbiter, 9_900_000)), 9_900_000));
    assert_eq!(data.resolve(arbiter, a.id, 2, 11_000_001).err(), Some(Error::RefundExceedsCost));
    let split = data.resolve(arbiter, a.id, 2, 1_000_000).unwrap();
    assert_eq!((split.to_holders, split.fee, split.refund), (9_000_000, 1_000_000, 1_000_000));
}

/// Review 10 L5: cancelled epochs leave no locked price behind, so an extension prices them anew.
#[ink::test]
fn a_rebooked_epoch_is_priced_anew() {
    // Epoch 2 cancelled at 11 USDC (6 GPUs booked before), then the 6 GPUs cancelled too:
    // booked again by an extension at the cheaper price, no stale record of the old one.
    let mut data = escrow();
    data.set_offer(curved()).unwrap();
    let big = data.open(account(2), 6, 2, 1, ANY, 0).unwrap();
    let b = data.open(account(RENTER), 2, 1, 2, ANY, 0).unwrap();
    data.cancel(account(RENTER), b.id, HOUR + 1).unwrap();
    data.cancel(account(2), big.id, HOUR + 1).unwrap();
    assert_eq!(data.extend(account(RENTER), b.id, 1, ANY, HOUR + 2), Ok(4_250_000));
    let b = data.rental(b.id).unwrap();
    assert_eq!((b.end, data.epoch_cost(&b, 2)), (3, 4_250_000));
}

// ---- properties: liveness, bookings, books --------------------------------------------------

/// Every message of the contract, as the pure module sees it (lib.rs's arbiter role and
/// yield hand-over are mirrored by `Model`).
#[derive(Debug, Clone)]
enum Op {
    /// `limit`: the renter's `max_deposit` in thousandths of the quote's (None: any).
    Open { renter: u8, gpus: u32, start: u64, epochs: u32, limit: Option<u16> },
    /// Rentals are picked by `pick` (modulo the count) and epochs by `at` (within the rental
    /// mostly); `owner`: called by the rental's renter, else by renter 3.
    Extend { pick: u64, owner: bool, epochs: u32 },
    /// `figures`: the oracle's finalized pool figures (None: not final); `push_ok`: whether
    /// the token takes the yield.
    Settle { pick: u64, at: u64, figures: Option<(u64, u16)>, push_ok: bool },
    Cancel { pick: u64, owner: bool },
    /// `operator`: by the operator, else by the rental's renter.
    Dispute { pick: u64, at: u64, operator: bool },
    /// `by`: None is the dispute's own arbiter.
    Resolve { by: Option<u8>, pick: u64, at: u64, refund: u128, push_ok: bool },
    Withdraw { renter: u8 },
    WithdrawFees,
    PushYield { ok: bool },
    /// A demand curve: kink and slopes (units per GPU-hour per booked GPU).
    SetOffer { available_gpus: u32, fee_bps: u16, notice: u64, kink: u32, slopes: (u128, u128) },
    ProposeArbiter { arbiter: Option<u8> },
    AcceptArbiter { by: u8 },
    Wait { ms: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1u8..4, 1u32..6, 0u64..12, 1u32..5, proptest::option::of(990u16..1_010))
            .prop_map(|(renter, gpus, start, epochs, limit)| Op::Open { renter, gpus, start, epochs, limit }),
        2 => (any::<u64>(), proptest::bool::weighted(0.9), 1u32..3).prop_map(|(pick, owner, epochs)| Op::Extend { pick, owner, epochs }),
        5 => (any::<u64>(), any::<u64>(), proptest::option::of((0u64..9_000, 8_000u16..=10_000)), any::<bool>())
            .prop_map(|(pick, at, figures, push_ok)| Op::Settle { pick, at, figures, push_ok }),
        2 => (any::<u64>(), proptest::bool::weighted(0.9)).prop_map(|(pick, owner)| Op::Cancel { pick, owner }),
        2 => (any::<u64>(), any::<u64>(), any::<bool>()).prop_map(|(pick, at, operator)| Op::Dispute { pick, at, operator }),
        2 => (proptest::option::weighted(0.3, ARBITER..12), any::<u64>(), any::<u64>(), 0u128..10_000_000, any::<bool>())
            .prop_map(|(by, pick, at, refund, push_ok)| Op::Resolve { by, pick, at, refund, push_ok }),
        1 => (1u8..4).prop_map(|renter| Op::Withdraw { renter }),
        1 => Just(Op::WithdrawFees),
        1 => any::<bool>().prop_map(|ok| Op::PushYield { ok }),
        1 => (0u32..=9, 0u16..=1_000, 0u64..3 * HOUR, 0u32..=9, (0u128..1_000_000, 0u128..5_000_000))
            .prop_map(|(available_gpus, fee_bps, notice, kink, slopes)| Op::SetOffer { available_gpus, fee_bps, notice, kink, slopes }),
        1 => proptest::option::of(ARBITER..12).prop_map(|arbiter| Op::ProposeArbiter { arbiter }),
        1 => (ARBITER..12).prop_map(|by| Op::AcceptArbiter { by }),
        6 => (0u64..3 * HOUR).prop_map(|ms| Op::Wait { ms }),
    ]
}

/// What lies outside the pure module: the escrow's stablecoin balance, the clock, lib.rs's
/// two-step arbiter role, and what each party took out.
struct Model {
    balance: u128,
    now: u64,
    arbiter: u8,
    pending_arbiter: Option<u8>,
    /// Arbiter each dispute was opened with.
    disputes: BTreeMap<(RentalId, Epoch), u8>,
    withdrawn: BTreeMap<u8, u128>,
}

/// Epochs the properties look at (rentals start before 12 and last at most 24 + extensions).
const EPOCHS: u64 = 48;

/// As `RentalEscrow::hand_over_yield` after a release: the token takes all unpaid yield, or refuses.
fn hand_over(data: &mut EscrowData, model: &mut Model, released: u128, ok: bool) {
    if released > 0 {
        push(data, model, ok);
    }
}

/// As `RentalEscrow::push_unpaid_yield`: marked paid, then taken back if the token refuses.
fn push(data: &mut EscrowData, model: &mut Model, ok: bool) {
    if let Ok(amount) = data.take_unpaid_yield() {
        if ok {
            model.balance -= amount;
        } else {
            data.restore_unpaid_yield(amount).unwrap();
        }
    }
}

/// The rental `pick` designates (modulo the count; id 0 when there is none: unknown).
fn target(data: &EscrowData, pick: u64) -> (RentalId, Option<Rental>) {
    let id = pick.checked_rem(data.rental_count()).unwrap_or(0);
    (id, data.rental(id).ok())
}

/// A (rental, epoch) picked by `pick` and `at`: 3 times in 8 the epoch that just ended, in
/// a rental covering it; 4 in 8 an epoch of the picked rental; else any of the first 16.
fn pick_epoch(data: &EscrowData, pick: u64, at: u64, now: u64) -> (RentalId, Option<Rental>, Epoch) {
    let (id, rental) = target(data, pick);
    let ended = (now / HOUR).saturating_sub(1);
    let covering: Vec<Rental> = (0..data.rental_count())
        .filter_map(|id| data.rental(id).ok())
        .filter(|r| r.start <= ended && ended < r.end)
        .collect();
    match (at % 8, &rental) {
        (1..=3, _) if !covering.is_empty() => {
            let r = covering[(pick as usize) % covering.len()].clone();
            (r.id, Some(r), ended)
        }
        (4..=7, Some(r)) if r.end > r.start => (id, rental.clone(), r.start + (at / 8) % (r.end - r.start)),
        _ => (id, rental, (at / 8) % 16),
    }
}

/// The caller acting on a rental: its renter, or renter 3 (an outsider unless it is theirs).
fn renter_of(rental: &Option<Rental>, owner: bool) -> AccountId {
    rental.as_ref().filter(|_| owner).map_or(account(3), |r| r.renter)
}

fn run(data: &mut EscrowData, model: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    let now = model.now;
    match *op {
        Op::Open { renter, gpus, start, epochs, limit } => {
            let quote = data.quote(gpus, start, epochs, now);
            let max_deposit = match (limit, quote) {
                (Some(limit), Ok(quote)) => quote.deposit * u128::from(limit) / 1_000,
                _ => ANY,
            };
            match data.open(account(renter), gpus, start, epochs, max_deposit, now) {
                Ok(rental) => {
                    model.balance += rental.ledger.deposited;
                    prop_assert_eq!(Ok(rental.ledger.deposited), quote.map(|q| q.deposit), "the deposit is the quote");
                }
                Err(Error::PriceMoved) => prop_assert!(quote.is_ok_and(|q| q.deposit > max_deposit)),
                Err(error) => prop_assert_eq!(Err(error), quote, "open refuses what quote refuses"),
            }
        }
        Op::Extend { pick, owner, epochs } => {
            let (id, rental) = target(data, pick);
            if let Ok(deposit) = data.extend(renter_of(&rental, owner), id, epochs, ANY, now) {
                model.balance += deposit;
            }
        }
        Op::Settle { pick, at, figures, push_ok } => {
            let (id, _, epoch) = pick_epoch(data, pick, at, now);
            let figures = figures.and_then(|(hours, uptime)| finalized(epoch, hours, uptime));
            if let Ok((split, _)) = data.settle(id, epoch, figures, now) {
                hand_over(data, model, split.to_holders, push_ok);
            }
        }
        Op::Cancel { pick, owner } => {
            let (id, rental) = target(data, pick);
            let _ = data.cancel(renter_of(&rental, owner), id, now);
        }
        Op::Dispute { pick, at, operator } => {
            let (id, rental, epoch) = pick_epoch(data, pick, at, now);
            let by = if operator { account(OPERATOR) } else { renter_of(&rental, true) };
            // Figures for even epochs only: an odd one cannot be disputed before the oracle finalizes it.
            let figures = if epoch % 2 == 0 { finalized(epoch, 3_000 + epoch * 1_000 % 6_000, 9_700) } else { None };
            if data.dispute(by, account(OPERATOR), account(model.arbiter), id, epoch, figures, now).is_ok() {
                model.disputes.insert((id, epoch), model.arbiter);
            }
        }
        Op::Resolve { by, pick, at, refund, push_ok } => {
            // An open dispute 3 times in 4, else any epoch of any rental.
            let open: Vec<_> = model.disputes.keys().filter(|(id, epoch)| data.epoch_state(*id, *epoch) == Some(EpochState::Disputed)).collect();
            let (id, epoch) = match open.get((pick as usize) % open.len().max(1)) {
                Some(&&key) if at % 4 != 0 => key,
                _ => {
                    let (id, _, epoch) = pick_epoch(data, pick, at, now);
                    (id, epoch)
                }
            };
            let recorded = model.disputes.get(&(id, epoch)).copied();
            let by = by.or(recorded).unwrap_or(model.arbiter);
            match data.resolve(account(by), id, epoch, refund) {
                Ok(split) => {
                    prop_assert_eq!(recorded, Some(by), "only the dispute's arbiter resolves");
                    hand_over(data, model, split.to_holders, push_ok);
                }
                Err(Error::MissingRole(Role::Arbiter)) => {
                    prop_assert_ne!(recorded, Some(by));
                }
                Err(_) => {}
            }
        }
        Op::Withdraw { renter } => {
            if let Ok(amount) = data.withdraw(account(renter)) {
                model.balance -= amount;
                *model.withdrawn.entry(renter).or_default() += amount;
            }
        }
        Op::WithdrawFees => {
            if let Ok(amount) = data.withdraw_fees() {
                model.balance -= amount;
            }
        }
        Op::PushYield { ok } => push(data, model, ok),
        Op::SetOffer { available_gpus, fee_bps, notice, kink, slopes: (below, above) } => {
            let offer = Offer {
                available_gpus,
                cancellation_fee_bps: fee_bps,
                cancellation_notice_ms: notice,
                kink_gpus: kink,
                slope_below: below,
                slope_above: above,
                ..offer()
            };
            let top = PRICE + below * u128::from(kink.min(available_gpus.saturating_sub(1))) + above * u128::from(available_gpus.saturating_sub(1 + kink));
            let valid = available_gpus <= 8 && kink <= available_gpus && below <= above && top <= 10 * PRICE;
            prop_assert_eq!(data.set_offer(offer).is_ok(), valid, "pool's GPUs at most, kinked, bounded");
        }
        Op::ProposeArbiter { arbiter } => model.pending_arbiter = arbiter,
        Op::AcceptArbiter { by } => {
            if model.pending_arbiter == Some(by) {
                model.arbiter = by;
                model.pending_arbiter = None;
            }
        }
        Op::Wait { ms } => model.now += ms,
    }
    Ok(())
}

fn rentals(data: &EscrowData) -> Vec<Rental> {
    (0..data.rental_count()).map(|id| data.rental(id).unwrap()).collect()
}

/// Books, bookings, solvency and per-party balances.
fn check(data: &EscrowData, model: &Model, after: &Op) -> Result<(), TestCaseError> {
    let totals = data.totals();
    let rentals = rentals(data);
    prop_assert_eq!(Some(model.balance), totals.obligations(), "stablecoin held == obligations after {:?}", after);
    let mut booked = [0u32; EPOCHS as usize];
    let mut refunded: BTreeMap<AccountId, u128> = BTreeMap::new();
    let mut disputed = 0u128;
    for rental in &rentals {
        let l = rental.ledger;
        prop_assert_eq!(l.deposited, l.released + l.fees + l.refunded + l.held, "books of rental {} after {:?}", rental.id, after);
        *refunded.entry(rental.renter).or_default() += l.refunded;
        let mut unsettled = 0;
        if rental.status == RentalStatus::Active {
            for epoch in rental.start..rental.end {
                booked[epoch as usize] += rental.gpus;
                let state = data.epoch_state(rental.id, epoch);
                prop_assert_ne!(state, Some(EpochState::Cancelled), "rental {} epoch {} is booked, after {:?}", rental.id, epoch, after);
                if matches!(state, None | Some(EpochState::Disputed)) {
                    unsettled += data.epoch_cost(rental, epoch);
                }
                if state == Some(EpochState::Disputed) {
                    let due = data.dispute_record(rental.id, epoch).map_or(u128::MAX, |(_, due)| due);
                    prop_assert!(due <= data.epoch_cost(rental, epoch), "holds back more than the epoch costs");
                    disputed += due;
                    let recorded = model.disputes.get(&(rental.id, epoch)).map(|a| account(*a));
                    prop_assert_eq!(data.dispute_arbiter(rental.id, epoch), recorded);
                }
            }
        }
        prop_assert_eq!(l.held, unsettled, "rental {} holds its unsettled epochs' locked prices after {:?}", rental.id, after);
    }
    for (epoch, gpus) in booked.iter().enumerate() {
        prop_assert!(*gpus <= 8, "epoch {} overbooked after {:?}", epoch, after);
        let offer = data.offer();
        let marginal = (*gpus < offer.available_gpus).then(|| offer.marginal_price(*gpus).unwrap());
        prop_assert_eq!(data.forward_curve(epoch as u64, 1), vec![marginal], "forward curve at epoch {}", epoch);
        prop_assert_eq!(data.booked_gpus(epoch as u64), *gpus, "bookings of epoch {} after {:?}", epoch, after);
    }
    prop_assert_eq!(rentals.iter().map(|r| r.ledger.held).sum::<u128>(), totals.ledger.held);
    prop_assert_eq!(totals.disputed, disputed, "Σ holders' share of the disputed epochs after {:?}", after);
    for renter in 1..4u8 {
        let owed = refunded.get(&account(renter)).copied().unwrap_or(0) - model.withdrawn.get(&renter).copied().unwrap_or(0);
        prop_assert_eq!(data.refundable(account(renter)), owed, "renter {} after {:?}", renter, after);
    }
    Ok(())
}

/// Time passes every rental's end + grace, every open epoch is settled or times out, every
/// dispute is resolved by its arbiter: everything drains and every party gets what it is owed.
fn drain(data: &mut EscrowData, model: &mut Model) -> Result<(), TestCaseError> {
    model.now = model.now.max(end_of(EPOCHS) + config().grace_period);
    let now = model.now;
    for rental in rentals(data) {
        if rental.status != RentalStatus::Active {
            prop_assert_eq!(rental.ledger.held, 0);
            continue;
        }
        for epoch in rental.start..rental.end {
            let split = match data.epoch_state(rental.id, epoch) {
                None => {
                    let figures = if epoch % 2 == 0 { finalized(epoch, 7_000, 9_800) } else { None };
                    data.settle(rental.id, epoch, figures, now).map(|(split, _)| split)
                }
                Some(EpochState::Disputed) => {
                    let arbiter = model.disputes[&(rental.id, epoch)];
                    data.resolve(account(arbiter), rental.id, epoch, data.epoch_cost(&rental, epoch) / 3)
                }
                Some(_) => continue,
            };
            prop_assert!(split.is_ok(), "rental {} epoch {}: {:?}", rental.id, epoch, split);
            let released = split.map(|split| split.to_holders).unwrap_or(0);
            hand_over(data, model, released, true);
        }
    }
    check(data, model, &Op::Wait { ms: 0 })?;
    for rental in rentals(data) {
        prop_assert_eq!(rental.ledger.held, 0, "rental {} drained", rental.id);
        if rental.status == RentalStatus::Active {
            for epoch in rental.start..rental.end {
                let state = data.epoch_state(rental.id, epoch);
                prop_assert!(matches!(state, Some(EpochState::Settled | EpochState::TimedOut | EpochState::Resolved)), "{:?}", state);
            }
        }
    }
    prop_assert_eq!(data.totals().ledger.held, 0);
    for renter in 1..4u8 {
        let owed = data.refundable(account(renter));
        let withdrawn = data.withdraw(account(renter));
        prop_assert_eq!(withdrawn, if owed == 0 { Err(Error::NothingToWithdraw) } else { Ok(owed) });
        model.balance -= owed;
    }
    let totals = data.totals();
    let fees = totals.ledger.fees - totals.fees_withdrawn;
    prop_assert_eq!(data.withdraw_fees(), if fees == 0 { Err(Error::NothingToWithdraw) } else { Ok(fees) });
    model.balance -= fees;
    let unpaid = data.totals().unpaid_yield;
    prop_assert_eq!(data.totals().obligations(), Some(unpaid), "only unpaid yield is left");
    push(data, model, true);
    prop_assert_eq!(data.totals().obligations(), Some(0));
    prop_assert_eq!(model.balance, 0, "every unit paid out");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn escrow_is_live_booked_and_balanced(ops in proptest::collection::vec(op(), 1..80)) {
        let mut outcome = Ok(());
        ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
            let mut data = escrow();
            let mut model = Model {
                balance: 0,
                now: 0,
                arbiter: ARBITER,
                pending_arbiter: None,
                disputes: BTreeMap::new(),
                withdrawn: BTreeMap::new(),
            };
            outcome = ops.iter().try_for_each(|op| {
                run(&mut data, &mut model, op)?;
                check(&data, &model, op)
            }).and_then(|()| drain(&mut data, &mut model));
            Ok(())
        }).unwrap();
        outcome?;
    }
}

/// Each GPU at its marginal price by the formula, each epoch rounded down: the quote, brute force.
fn brute_quote(kink: u32, below: u128, above: u128, booked: &[u32], gpus: u32, epoch_ms: u64) -> Option<Quote> {
    let price = |k: u32| PRICE + below * u128::from(k.min(kink)) + above * u128::from(k.saturating_sub(kink));
    let mut quote = Quote::default();
    for &b in booked {
        if b + gpus > 8 {
            return None;
        }
        let hourly: u128 = (b..b + gpus).map(price).sum();
        quote.deposit += hourly * u128::from(epoch_ms) / u128::from(HOUR);
        quote.top_price = quote.top_price.max(price(b + gpus - 1));
    }
    Some(quote)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Quotes are exact (Σ of each epoch's GPU prices, brute force), monotone in GPUs and in
    /// the booked share, and what `open` charges.
    #[test]
    fn quotes_are_exact_and_monotone(
        kink in 0u32..=8,
        below in 0u128..400_000,
        extra in 0u128..2_000_000,
        booked in proptest::collection::vec(0u32..=8, 4),
        gpus in 1u32..8,
        epoch_ms in 1_000u64..3 * HOUR,
    ) {
        let mut outcome = Ok(());
        ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
            outcome = (|| {
                let schedule = EpochSchedule { epoch_length: epoch_ms, report_window: 0, ..schedule() };
                let mut data = EscrowData::new(config(), schedule).unwrap();
                let offer = Offer { kink_gpus: kink, slope_below: below, slope_above: below + extra, ..offer() };
                let valid = data.set_offer(offer).is_ok();
                prop_assume!(valid);
                for (epoch, &b) in (1u64..).zip(&booked) {
                    if b > 0 {
                        data.open(account(5), b, epoch, 1, ANY, 0).unwrap();
                    }
                }
                let quote = data.quote(gpus, 1, 4, 0).ok();
                prop_assert_eq!(quote, brute_quote(kink, below, below + extra, &booked, gpus, epoch_ms));
                if let (Some(quote), Ok(more)) = (quote, data.quote(gpus + 1, 1, 4, 0)) {
                    prop_assert!(more.deposit > quote.deposit && more.top_price >= quote.top_price, "monotone in GPUs");
                }
                if let (Some(quote), true) = (quote, booked[0] < 8) {
                    data.open(account(6), 1, 1, 1, ANY, 0).unwrap();
                    if let Ok(later) = data.quote(gpus, 1, 4, 0) {
                        prop_assert!(later.deposit >= quote.deposit && later.top_price >= quote.top_price, "monotone in the booked share");
                        prop_assert_eq!(data.open(account(RENTER), gpus, 1, 4, later.deposit - 1, 0).err(), Some(Error::PriceMoved));
                        let rental = data.open(account(RENTER), gpus, 1, 4, later.deposit, 0).unwrap();
                        let locked: u128 = (1..5).map(|epoch| data.epoch_cost(&rental, epoch)).sum();
                        prop_assert_eq!((rental.ledger.deposited, locked), (later.deposit, later.deposit), "deposit == Σ locked epoch prices");
                    }
                }
                Ok(())
            })();
            Ok(())
        }).unwrap();
        outcome?;
    }
}

// ---- audit findings -----------------------------------------------------------------------

/// Review finding: a dispute never expired and only the arbiter it was opened with could close
/// it, so a lost (or compromised) arbiter key left the epoch's deposit `held` forever. Fix:
/// `EscrowConfig::arbitration_period`; past epoch end + dispute window + that period, anyone
/// settles the disputed epoch like an undisputed one (oracle figures, else a timeout refund).
#[ink::test]
fn a_lost_arbiter_locks_the_disputed_deposit_forever() {
    // Fixed: past the arbitration deadline anyone settles a disputed epoch as if undisputed.
    let (mut data, rental) = booked();
    let (renter, operator, lost_arbiter) = (account(RENTER), account(OPERATOR), account(ARBITER));
    data.dispute(renter, operator, lost_arbiter, rental.id, 1, finalized(1, 8_000, 10_000), end_of(1)).unwrap();
    for epoch in 2..4 {
        data.settle(rental.id, epoch, finalized(epoch, 8_000, 10_000), end_of(epoch)).unwrap();
    }
    // A year later the arbiter never answered (its key is lost; the owner appointed another).
    let deadline = data.arbitration_deadline(1);
    assert_eq!(deadline, end_of(1) + HOUR + 24 * HOUR, "epoch end + dispute window + arbitration period");
    let early = data.settle(rental.id, 1, finalized(1, 8_000, 10_000), deadline - 1).err();
    assert_eq!(early, Some(Error::Disputed), "the arbiter alone decides until the deadline");
    let year = end_of(3) + 365 * 24 * HOUR;
    let replaced = account(7);
    assert_eq!(data.resolve(replaced, rental.id, 1, 0).err(), Some(Error::MissingRole(Role::Arbiter)));
    // Someone must be able to bring the epoch to a final state, and the deposit out of `held`.
    let outcome = data.settle(rental.id, 1, finalized(1, 8_000, 10_000), year).map(|(_, state)| state);
    assert_eq!(outcome, Ok(EpochState::Settled), "the disputed epoch is stuck");
    assert_eq!((data.totals().ledger.held, data.totals().disputed), (0, 0));
}
