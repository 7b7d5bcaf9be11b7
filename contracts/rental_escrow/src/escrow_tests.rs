//! Escrow transitions, valid and invalid, with exact amounts; and the solvency property.
use crate::escrow::*;
use compute_rwa_common::{Finalized, Report};
use ink::primitives::AccountId;
use proptest::prelude::*;

const HOUR: u64 = 3_600_000;
const PRICE: u128 = 2_000_000; // 2 USDC per GPU-hour
const RENTER: u8 = 1;
const OPERATOR: u8 = 9;

fn account(byte: u8) -> AccountId {
    AccountId::from([byte; 32])
}

fn config() -> EscrowConfig {
    EscrowConfig {
        feed: 0,
        pool_gpus: 8,
        genesis: 0,
        epoch_length: HOUR,
        operator_fee_bps: 1_000,
        grace_period: 2 * HOUR,
        dispute_window: HOUR,
    }
}

fn offer() -> Offer {
    Offer {
        price_per_gpu_hour: PRICE,
        min_epochs: 1,
        max_epochs: 24,
        available_gpus: 8,
        sla: vec![SlaTier { below_bps: 9_900, credit_bps: 1_000 }, SlaTier { below_bps: 9_500, credit_bps: 3_000 }],
        cancellation_fee_bps: 500,
    }
}

fn escrow() -> EscrowData {
    let mut data = EscrowData::new(config()).unwrap();
    data.set_offer(offer()).unwrap();
    data
}

/// Pool-level figures: `milli_hours` delivered by the whole pool at `uptime_bps`.
fn finalized(epoch: u64, milli_hours: u64, uptime_bps: u16) -> Option<Finalized> {
    let values = Report { gpu_milli_hours: milli_hours, utilization_bps: 9_000, uptime_bps, energy_wh: 0, avg_power_w: 0 };
    Some(Finalized { epoch, values, reports: 2, finalized_at: 0 })
}

/// Renter books 4 of 8 GPUs for epochs 1..4 at time 0: 4 GPU-hours × 2 USDC = 8 USDC per epoch.
fn booked() -> (EscrowData, Rental) {
    let mut data = escrow();
    let rental = data.open(account(RENTER), 4, 1, 3, 0).unwrap();
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
    assert_eq!(data.open(renter, 5, 1, 1, 0).err(), Some(EscrowError::CapacityUnavailable), "4 of 8 left");
    assert_eq!(data.open(renter, 9, 5, 1, 0).err(), Some(EscrowError::OutsideOffer));
    assert_eq!(data.open(renter, 0, 5, 1, 0).err(), Some(EscrowError::OutsideOffer));
    assert_eq!(data.open(renter, 1, 5, 25, 0).err(), Some(EscrowError::OutsideOffer));
    assert_eq!(data.open(renter, 1, 2, 1, end_of(1)).err(), Some(EscrowError::StartInPast));
    assert!(data.open(renter, 4, 1, 3, 0).is_ok(), "the other 4 GPUs");
    let mut empty = EscrowData::new(config()).unwrap();
    assert_eq!(empty.open(renter, 1, 1, 1, 0).err(), Some(EscrowError::NoOffer));
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
    ];
    for offer in bad {
        assert_eq!(data.set_offer(offer.clone()), Err(EscrowError::InvalidOffer), "{offer:?}");
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
    assert_eq!(data.settle(rental.id, 1, finalized(1, 8_000, 9_990), end_of(1)).err(), Some(EscrowError::AlreadySettled));
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
    assert_eq!(data.settle(rental.id, 1, finalized(1, 1, 1), end_of(1) - 1).err(), Some(EscrowError::EpochNotEnded));
    assert_eq!(data.settle(rental.id, 0, finalized(0, 1, 1), end_of(1)).err(), Some(EscrowError::EpochNotInRental));
    assert_eq!(data.settle(rental.id, 4, finalized(4, 1, 1), end_of(4)).err(), Some(EscrowError::EpochNotInRental));
    assert_eq!(data.settle(rental.id, 1, None, end_of(1) + 2 * HOUR - 1).err(), Some(EscrowError::AwaitingOracle));
    let (split, state) = data.settle(rental.id, 1, None, end_of(1) + 2 * HOUR).unwrap();
    assert_eq!((state, split.refund), (EpochState::TimedOut, 8_000_000));
    assert_eq!(data.settle(9, 1, None, end_of(1)).err(), Some(EscrowError::UnknownRental));
}

#[ink::test]
fn disputes_lock_until_the_arbiter_splits() {
    let (mut data, rental) = booked();
    let operator = account(OPERATOR);
    assert_eq!(data.dispute(account(7), operator, rental.id, 1, end_of(1)), Err(EscrowError::NotParty));
    assert_eq!(data.dispute(operator, operator, rental.id, 1, end_of(1) + HOUR), Err(EscrowError::DisputeWindowClosed));
    assert_eq!(data.resolve(rental.id, 1, 0).err(), Some(EscrowError::NotDisputed));
    data.dispute(account(RENTER), operator, rental.id, 1, end_of(1)).unwrap();
    assert_eq!(data.settle(rental.id, 1, finalized(1, 8_000, 10_000), end_of(1)).err(), Some(EscrowError::Disputed));
    assert_eq!(data.resolve(rental.id, 1, 8_000_001).err(), Some(EscrowError::RefundExceedsCost));
    let split = data.resolve(rental.id, 1, 3_000_000).unwrap();
    assert_eq!((split.refund, split.fee, split.to_holders), (3_000_000, 500_000, 4_500_000));
    assert_eq!(data.epoch_state(rental.id, 1), Some(EpochState::Resolved));
    assert_eq!(data.resolve(rental.id, 1, 0).err(), Some(EscrowError::NotDisputed));
    assert_balanced(&data, rental.id);
}

#[ink::test]
fn cancel_before_start_refunds_everything() {
    let (mut data, rental) = booked();
    assert_eq!(data.cancel(account(2), rental.id, 0), Err(EscrowError::NotRenter));
    assert_eq!(data.cancel(account(RENTER), rental.id, 10), Ok((24_000_000, 0)));
    assert_eq!(data.rental(rental.id).unwrap().status, RentalStatus::Cancelled);
    assert_eq!(data.booked_gpus(1), 0, "capacity freed");
    assert_eq!(data.cancel(account(RENTER), rental.id, 10), Err(EscrowError::NotActive));
    assert_eq!(data.settle(rental.id, 1, finalized(1, 8_000, 10_000), end_of(1)).err(), Some(EscrowError::EpochNotInRental));
    assert_balanced(&data, rental.id);
}

#[ink::test]
fn cancel_after_start_refunds_future_epochs_minus_the_fee() {
    let (mut data, rental) = booked();
    // During epoch 1: epochs 2 and 3 (16 USDC) are refunded less 5%.
    assert_eq!(data.cancel(account(RENTER), rental.id, end_of(1) - 1), Ok((15_200_000, 800_000)));
    assert_eq!((data.booked_gpus(1), data.booked_gpus(2)), (4, 0));
    assert!(data.settle(rental.id, 1, finalized(1, 8_000, 10_000), end_of(1)).is_ok(), "the running epoch still settles");
    assert_eq!(data.settle(rental.id, 2, finalized(2, 8_000, 10_000), end_of(2)).err(), Some(EscrowError::EpochNotInRental));
    assert_balanced(&data, rental.id);
    assert_eq!(data.rental(rental.id).unwrap().ledger.held, 0);
}

#[ink::test]
fn extend_books_more_epochs() {
    let (mut data, rental) = booked();
    assert_eq!(data.extend(account(2), rental.id, 1, 0), Err(EscrowError::NotRenter));
    assert_eq!(data.extend(account(RENTER), rental.id, 0, 0), Err(EscrowError::OutsideOffer));
    assert_eq!(data.extend(account(RENTER), rental.id, 22, 0), Err(EscrowError::OutsideOffer), "24 epochs at most");
    assert_eq!(data.extend(account(RENTER), rental.id, 2, 0), Ok(16_000_000));
    assert_eq!((data.rental(rental.id).unwrap().end, data.booked_gpus(5)), (6, 4));
    assert_eq!(data.extend(account(RENTER), rental.id, 1, end_of(6)), Err(EscrowError::NotActive), "already over");
}

#[ink::test]
fn withdrawals_pay_what_is_owed_once() {
    let (mut data, rental) = booked();
    assert_eq!(data.withdraw(account(RENTER)), Err(EscrowError::NothingToWithdraw));
    data.settle(rental.id, 1, finalized(1, 4_000, 10_000), end_of(1)).unwrap();
    assert_eq!(data.withdraw(account(RENTER)), Ok(4_000_000));
    assert_eq!(data.withdraw(account(RENTER)), Err(EscrowError::NothingToWithdraw));
    assert_eq!(data.withdraw_fees(), Ok(400_000));
    assert_eq!(data.withdraw_fees(), Err(EscrowError::NothingToWithdraw));
    assert_eq!(data.totals().obligations(), Some(16_000_000), "the two unsettled epochs");
}

#[ink::test]
fn later_offers_do_not_change_booked_terms() {
    let (mut data, rental) = booked();
    data.set_offer(Offer { sla: vec![], price_per_gpu_hour: 1, ..offer() }).unwrap();
    let (split, _) = data.settle(rental.id, 1, finalized(1, 8_000, 9_000), end_of(1)).unwrap();
    assert_eq!(split.credit, 2_400_000, "the 30% tier booked with the rental still applies");
}

// ---- solvency ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Open { renter: u8, gpus: u32, start: u64, epochs: u32 },
    Extend { renter: u8, id: u64, epochs: u32 },
    Settle { id: u64, epoch: u64, figures: Option<(u64, u16)> },
    Cancel { renter: u8, id: u64 },
    Dispute { renter: u8, id: u64, epoch: u64 },
    Resolve { id: u64, epoch: u64, refund: u128 },
    Withdraw { renter: u8 },
    WithdrawFees,
    Wait { ms: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1u8..4, 1u32..6, 0u64..12, 1u32..5).prop_map(|(renter, gpus, start, epochs)| Op::Open { renter, gpus, start, epochs }),
        1 => (1u8..4, 0u64..6, 1u32..3).prop_map(|(renter, id, epochs)| Op::Extend { renter, id, epochs }),
        4 => (0u64..6, 0u64..16, proptest::option::of((0u64..9_000, 8_000u16..=10_000)))
            .prop_map(|(id, epoch, figures)| Op::Settle { id, epoch, figures }),
        1 => (1u8..4, 0u64..6).prop_map(|(renter, id)| Op::Cancel { renter, id }),
        1 => (1u8..4, 0u64..6, 0u64..16).prop_map(|(renter, id, epoch)| Op::Dispute { renter, id, epoch }),
        1 => (0u64..6, 0u64..16, 0u128..40_000_000).prop_map(|(id, epoch, refund)| Op::Resolve { id, epoch, refund }),
        1 => (1u8..4).prop_map(|renter| Op::Withdraw { renter }),
        1 => Just(Op::WithdrawFees),
        3 => (0u64..3 * HOUR).prop_map(|ms| Op::Wait { ms }),
    ]
}

/// The stablecoin the escrow would hold, moved only by what each operation pays in or out.
struct Model {
    balance: u128,
    now: u64,
}

fn apply(data: &mut EscrowData, model: &mut Model, op: &Op) {
    let now = model.now;
    match *op {
        Op::Open { renter, gpus, start, epochs } => {
            if let Ok(rental) = data.open(account(renter), gpus, start, epochs, now) {
                model.balance += rental.ledger.deposited;
            }
        }
        Op::Extend { renter, id, epochs } => {
            if let Ok(deposit) = data.extend(account(renter), id, epochs, now) {
                model.balance += deposit;
            }
        }
        Op::Settle { id, epoch, figures } => {
            let figures = figures.and_then(|(hours, uptime)| finalized(epoch, hours, uptime));
            if let Ok((split, _)) = data.settle(id, epoch, figures, now) {
                model.balance -= split.to_holders; // sent to the token
            }
        }
        Op::Cancel { renter, id } => drop(data.cancel(account(renter), id, now)),
        Op::Dispute { renter, id, epoch } => drop(data.dispute(account(renter), account(OPERATOR), id, epoch, now)),
        Op::Resolve { id, epoch, refund } => {
            if let Ok(split) = data.resolve(id, epoch, refund) {
                model.balance -= split.to_holders;
            }
        }
        Op::Withdraw { renter } => {
            if let Ok(amount) = data.withdraw(account(renter)) {
                model.balance -= amount;
            }
        }
        Op::WithdrawFees => {
            if let Ok(amount) = data.withdraw_fees() {
                model.balance -= amount;
            }
        }
        Op::Wait { ms } => model.now += ms,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn escrow_stays_solvent(ops in proptest::collection::vec(op(), 1..80)) {
        let mut outcome = Ok(());
        ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
            let mut data = escrow();
            let mut model = Model { balance: 0, now: 0 };
            outcome = ops.iter().try_for_each(|op| {
                apply(&mut data, &mut model, op);
                let totals = data.totals();
                prop_assert_eq!(Some(model.balance), totals.obligations(), "balance == obligations after {:?}", op);
                let mut held = 0;
                for id in 0..data.rental_count() {
                    let l = data.rental(id).unwrap().ledger;
                    prop_assert_eq!(l.deposited, l.released + l.fees + l.refunded + l.held, "rental {} after {:?}", id, op);
                    held += l.held;
                }
                prop_assert_eq!(held, totals.ledger.held);
                let owed: u128 = (1..4).map(|r| data.refundable(account(r))).sum();
                prop_assert_eq!(owed, totals.ledger.refunded - totals.withdrawn);
                Ok(())
            });
            Ok(())
        }).unwrap();
        outcome?;
    }
}
