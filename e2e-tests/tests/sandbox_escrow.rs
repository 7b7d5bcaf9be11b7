//! The whole suite on a real pallet-contracts runtime (drink): a rental funded, two epochs
//! reported and settled (one under the SLA target), rent streamed to holders and claimed once
//! the yield period has passed, refunds and fees withdrawn — every balance asserted to the unit.
use compute_rwa_common::Role;
use e2e_tests::sandbox::{account, assert_front, delegate_calls_at, ANY_DEPOSIT, call, operator, report, Suite, OFFER};
use e2e_tests::TestResult;
use rental_escrow::escrow::{EpochState, EscrowConfig, Offer, Totals};
use rental_escrow::rental_escrow::Error;

const USDC: u128 = 1_000_000;

#[test]
fn rental_lifecycle_to_the_unit() -> TestResult {
    let mut suite = Suite::deploy()?;
    let (bob, charlie, renter) = (account(2), account(3), account(51));
    suite.register(&[bob.clone(), charlie.clone()])?;
    suite.fund(&renter)?;
    suite.admin_ok::<()>("mint", &[bob.to_string(), (1_000 * USDC).to_string()])?;
    suite.admin_ok::<()>("mint", &[charlie.to_string(), (3_000 * USDC).to_string()])?;
    suite.coin_ok("mint", &[renter.to_string(), (100 * USDC).to_string()])?;
    let (coin, token, escrow) = (suite.coin.clone(), suite.token.clone(), suite.escrow.clone());

    // 4 GPUs for epochs 1 and 2 at 2 USDC/GPU-hour: 8 USDC per epoch, 16 deposited.
    let id = suite.as_actor(&renter, |s| {
        s.coin_ok("PSP22::approve", &[escrow.to_string(), (16 * USDC).to_string()])?;
        s.escrow_ok::<u64>("open", &["4".into(), "1".into(), "2".into(), ANY_DEPOSIT.into()])
    })?;
    let (open_ref_time, open_proof) = suite.last_weight();
    assert_eq!(suite.balance(&coin, &renter)?, 84 * USDC);
    assert_eq!(suite.balance(&coin, &escrow)?, 16 * USDC);

    // Epoch 1: the pool delivered all 8 GPU-hours at 99.9%; epoch 2: 6 of 8 at 97% (under the 99% target).
    suite.report_all(1, &report(8_000, 9_990))?;
    suite.escrow_ok::<()>("settle", &[id.to_string(), "1".into()])?;
    let (settle_ref_time, settle_proof) = suite.last_weight();
    suite.report_all(2, &report(6_000, 9_700))?;
    suite.escrow_ok::<()>("settle", &[id.to_string(), "2".into()])?;
    println!("weight of open: ref_time {open_ref_time}, proof_size {open_proof}");
    println!("weight of settle: ref_time {settle_ref_time}, proof_size {settle_proof}");

    // Holders got (8 − 0.8 fee) + (6 − 0.6 credit − 0.54 fee) = 7.2 + 4.86 = 12.06 USDC, 1:3.
    assert_eq!(suite.balance(&coin, &token)?, 12_060_000);
    let state: Option<EpochState> = call(&mut suite.session, &escrow, "epoch_state", &[id.to_string(), "2".into()])?;
    assert_eq!(state, Some(EpochState::Settled));
    // Each settlement's rent streams to holders over the yield period (an hour): at the second
    // settlement the first epoch's 7.2 USDC had streamed in full (Bob's quarter: 1.8), the
    // second's 4.86 not at all; an hour later all of it has.
    assert_eq!(suite.holding(&bob)?.claimable, 1_800_000);
    suite.pass_yield_period();
    assert_eq!(suite.holding(&bob)?.claimable, 3_015_000);
    assert_eq!(suite.as_actor(&bob, |s| s.token_ok::<u128>("claim", &[]))?, 3_015_000);
    assert_eq!(suite.as_actor(&charlie, |s| s.token_ok::<u128>("claim", &[]))?, 9_045_000);

    // Renter gets back the undelivered 2 USDC and the 0.6 credit; the operator 1.34 of fees.
    assert_eq!(suite.as_actor(&renter, |s| s.escrow_ok::<u128>("withdraw", &[]))?, 2_600_000);
    assert_eq!(suite.as_actor(&operator(), |s| s.escrow_ok::<u128>("withdraw_fees", &[]))?, 1_340_000);
    assert_eq!(suite.balance(&coin, &renter)?, 86_600_000);
    assert_eq!(suite.balance(&coin, &operator())?, 1_340_000);
    assert_eq!(suite.balance(&coin, &escrow)?, 0, "nothing stranded");
    assert_eq!(suite.balance(&coin, &token)?, 0);

    let totals: Totals = call(&mut suite.session, &escrow, "totals", &[])?;
    assert_eq!(totals.ledger.deposited, totals.ledger.released + totals.ledger.fees + totals.ledger.refunded + totals.ledger.held);
    assert_eq!((totals.ledger.released, totals.ledger.credits, totals.obligations()), (12_060_000, 600_000, Some(0)));
    Ok(())
}

/// The escrow deploys as a front over its full build: settlements, renters' withdrawals and the
/// vault's reads run in the front; bookings, the operator's messages and the other reads run in
/// the logic code on the escrow's storage, and see what the front wrote.
#[test]
fn the_escrow_runs_its_front_and_delegates_bookings_and_governance() -> TestResult {
    let mut suite = Suite::deploy()?;
    let (coin, token, escrow, issuer) = (suite.coin.clone(), suite.token.clone(), suite.escrow.clone(), suite.issuer.clone());
    let logic = assert_front(&mut suite.session, "rental_escrow", &escrow, issuer)?;
    assert_eq!(logic, suite.escrow_logic, "the suite deployed it over its logic");
    let delegated = |suite: &Suite| delegate_calls_at(&suite.session, &escrow);
    let renter = account(53);
    suite.fund(&renter)?;
    suite.coin_ok("mint", &[renter.to_string(), (100 * USDC).to_string()])?;

    // A booking runs in the logic code: 4 GPUs for epoch 1 at 2 USDC/GPU-hour, 8 USDC pulled.
    let id = suite.as_actor(&renter, |s| {
        s.coin_ok("PSP22::approve", &[escrow.to_string(), (8 * USDC).to_string()])?;
        s.escrow_ok::<u64>("open", &["4".into(), "1".into(), "1".into(), ANY_DEPOSIT.into()])
    })?;
    assert_eq!(delegated(&suite), vec![logic.clone()], "open runs in the logic code");
    assert_eq!((suite.balance(&coin, &renter)?, suite.balance(&coin, &escrow)?), (92 * USDC, 8 * USDC));

    // Settlement runs in the front, on what the logic booked: 6 of 8 GPU-hours delivered, above
    // the SLA target: 6 USDC paid (0.6 fee, 5.4 to holders), 2 USDC back to the renter.
    suite.report_all(1, &report(6_000, 9_990))?;
    suite.escrow_ok::<()>("settle", &[id.to_string(), "1".into()])?;
    assert_eq!(delegated(&suite), Vec::<String>::new(), "settle runs in the front");
    assert_eq!(suite.balance(&coin, &token)?, 5_400_000, "the holders' part reached the token");
    assert_eq!(call::<Option<EpochState>>(&mut suite.session, &escrow, "epoch_state", &[id.to_string(), "1".into()])?, Some(EpochState::Settled));
    assert_eq!(delegated(&suite), vec![logic.clone()], "epoch_state is read in the logic code");
    let totals: Totals = call(&mut suite.session, &escrow, "totals", &[])?;
    let config: EscrowConfig = call(&mut suite.session, &escrow, "config", &[])?;
    assert_eq!(delegated(&suite), Vec::<String>::new(), "the vault's reads are the front's");
    assert_eq!((totals.ledger.released, totals.ledger.fees, totals.ledger.refunded, config.operator_fee_bps), (5_400_000, 600_000, 2 * USDC, 1_000));

    // The renter's withdrawal runs in the front; the operator's in the logic code.
    assert_eq!(suite.as_actor(&renter, |s| s.escrow_ok::<u128>("withdraw", &[]))?, 2 * USDC);
    assert_eq!(delegated(&suite), Vec::<String>::new(), "withdraw runs in the front");
    assert_eq!(suite.as_actor(&operator(), |s| s.escrow_ok::<u128>("withdraw_fees", &[]))?, 600_000);
    assert_eq!(delegated(&suite), vec![logic.clone()], "withdraw_fees runs in the logic code");
    assert_eq!((suite.balance(&coin, &renter)?, suite.balance(&coin, &operator())?, suite.balance(&coin, &escrow)?), (94 * USDC, 600_000, 0));

    // The operator's offer goes through the logic code, argument and all; an outsider is refused there.
    let outsider = account(54);
    suite.fund(&outsider)?;
    let refused = suite.as_actor(&outsider, |s| s.escrow_err::<()>("set_offer", &[OFFER.into()]))?;
    assert_eq!(refused, Error::MissingRole(Role::Operator));
    let cheaper = OFFER.replace("price_per_gpu_hour: 2000000", "price_per_gpu_hour: 1500000");
    assert_ne!(cheaper, OFFER, "the offer's price was replaced");
    suite.as_actor(&operator(), |s| s.escrow_ok::<()>("set_offer", &[cheaper]))?;
    assert_eq!(delegated(&suite), vec![logic.clone()]);
    assert_eq!(call::<Offer>(&mut suite.session, &escrow, "offer", &[])?.price_per_gpu_hour, 1_500_000);
    assert_eq!(delegated(&suite), vec![logic], "offer is read in the logic code");
    Ok(())
}

#[test]
fn a_failed_deposit_pull_changes_nothing() -> TestResult {
    let mut suite = Suite::deploy()?;
    let renter = account(52);
    suite.fund(&renter)?;
    let escrow = suite.escrow.clone();
    // No allowance: the transfer_from fails and the booking is rolled back.
    let error = suite.as_actor(&renter, |s| {
        e2e_tests::sandbox::call_err::<u64, rental_escrow::rental_escrow::Error>(&mut s.session, &escrow, "open", &["4".into(), "1".into(), "2".into(), ANY_DEPOSIT.into()])
    })?;
    assert_eq!(error, rental_escrow::rental_escrow::Error::InsufficientAllowance, "the stablecoin's reason reaches the renter");
    assert_eq!(call::<u32>(&mut suite.session, &escrow, "booked_gpus", &["1".into()])?, 0);
    assert_eq!(call::<u64>(&mut suite.session, &escrow, "rental_count", &[])?, 0);
    Ok(())
}

/// ref_time of settling rental 0's first epoch when `rentals` rentals are open.
fn settle_cost_with_rentals(rentals: u32) -> TestResult<u64> {
    let mut suite = Suite::deploy()?;
    let escrow = suite.escrow.clone();
    for i in 0..rentals {
        let renter = account(100 + u8::try_from(i)?);
        suite.fund(&renter)?;
        suite.coin_ok("mint", &[renter.to_string(), (10 * USDC).to_string()])?;
        // One GPU each, starting in epochs 1–8 so no epoch is overbooked.
        let start = 1 + i % 8;
        suite.as_actor(&renter, |s| {
            s.coin_ok("PSP22::approve", &[escrow.to_string(), (2 * USDC).to_string()])?;
            s.escrow_ok::<u64>("open", &["1".into(), start.to_string(), "1".into(), ANY_DEPOSIT.into()])
        })?;
    }
    suite.report_all(1, &report(8_000, 9_990))?;
    suite.escrow_ok::<()>("settle", &["0".into(), "1".into()])?;
    Ok(suite.last_weight().0)
}

#[test]
fn settle_costs_the_same_with_1_or_64_rentals() -> TestResult {
    let one = settle_cost_with_rentals(1)?;
    let many = settle_cost_with_rentals(64)?;
    let ratio = many as f64 / one as f64;
    println!("flatness settle: ref_time {one} (1 rental) vs {many} (64 rentals), ratio {ratio:.4}");
    assert!(ratio <= 1.05, "settle grew with the number of rentals: {ratio}");
    Ok(())
}

/// Demand pricing on the real contracts: the operator publishes a kinked curve; each booking
/// pulls exactly the escrow's quote, every GPU priced at the GPUs booked before it; a renter whose
/// quote was overtaken by another booking is refused (`PriceMoved`) with nothing taken; the
/// forward curve and each epoch's locked price are readable; settlement splits each rental's own price.
#[test]
fn demand_priced_bookings_pull_exactly_the_quote() -> TestResult {
    use rental_escrow::escrow::Quote;
    use rental_escrow::rental_escrow::Error;
    let mut suite = Suite::deploy()?;
    let escrow = suite.escrow.clone();
    let coin = suite.coin.clone();
    let holder = account(2);
    suite.register(&[holder.clone()])?;
    suite.admin_ok::<()>("mint", &[holder.to_string(), (1_000 * USDC).to_string()])?;
    // 2 USDC for the first GPU, +0.25 per GPU booked up to 4, +1 above: 2, 2.25, 2.5, 2.75, 3, 4, 5, 6.
    let curved = e2e_tests::sandbox::OFFER.replace("kink_gpus: 0, slope_below: 0, slope_above: 0", "kink_gpus: 4, slope_below: 250000, slope_above: 1000000");
    suite.as_actor(&operator(), |s| s.escrow_ok::<()>("set_offer", &[curved.clone()]))?;
    let (a, b, c) = (account(61), account(62), account(63));
    for who in [&a, &b, &c] {
        suite.fund(who)?;
        suite.coin_ok("mint", &[who.to_string(), (100 * USDC).to_string()])?;
        suite.as_actor(who, |s| s.coin_ok("PSP22::approve", &[escrow.to_string(), (100 * USDC).to_string()]))?;
    }
    let quote = |suite: &mut Suite, gpus: u32| -> TestResult<Quote> {
        Ok(call::<Result<Quote, Error>>(&mut suite.session, &escrow, "quote", &[gpus.to_string(), "1".into(), "1".into()])?.map_err(|e| format!("{e:?}"))?)
    };
    assert_eq!(quote(&mut suite, 4)?, Quote { deposit: 9_500_000, top_price: 2_750_000 });
    let first = suite.as_actor(&a, |s| s.escrow_ok::<u64>("open", &["4".into(), "1".into(), "1".into(), "9500000".into()]))?;
    assert_eq!(suite.balance(&coin, &a)?, 100 * USDC - 9_500_000);
    // C quotes 2 GPUs at 3 + 4 USDC; B books 2 GPUs first at that price.
    let c_quote = quote(&mut suite, 2)?;
    assert_eq!(c_quote, Quote { deposit: 7_000_000, top_price: 4 * USDC });
    let second = suite.as_actor(&b, |s| s.escrow_ok::<u64>("open", &["2".into(), "1".into(), "1".into(), c_quote.deposit.to_string()]))?;
    assert_eq!(suite.balance(&coin, &b)?, 93 * USDC);
    let refused = suite.as_actor(&c, |s| {
        e2e_tests::sandbox::call_err::<u64, Error>(&mut s.session, &escrow, "open", &["2".into(), "1".into(), "1".into(), c_quote.deposit.to_string()])
    })?;
    assert_eq!(refused, Error::PriceMoved, "the last two GPUs now cost 5 + 6 USDC, not the 7 quoted");
    assert_eq!(suite.balance(&coin, &c)?, 100 * USDC, "nothing taken");
    assert_eq!(call::<u32>(&mut suite.session, &escrow, "booked_gpus", &["1".into()])?, 6);
    let curve: Vec<Option<u128>> = call(&mut suite.session, &escrow, "forward_curve", &["1".into(), "2".into()])?;
    assert_eq!(curve, vec![Some(5 * USDC), Some(2 * USDC)]);
    let locked = |suite: &mut Suite, id: u64| -> TestResult<Result<u128, Error>> { call(&mut suite.session, &escrow, "epoch_cost", &[id.to_string(), "1".into()]) };
    assert_eq!((locked(&mut suite, first)?, locked(&mut suite, second)?), (Ok(9_500_000), Ok(7_000_000)));
    assert_eq!(suite.balance(&coin, &escrow)?, 16_500_000, "Σ deposits");
    // The pool delivers in full: each rental pays its own price, 10% to the operator.
    suite.report_all(1, &report(8_000, 10_000))?;
    for id in [first, second] {
        suite.escrow_ok::<()>("settle", &[id.to_string(), "1".into()])?;
    }
    assert_eq!(suite.balance(&coin, &suite.token.clone())?, 14_850_000, "90% of 16.5 USDC to holders");
    let totals: Totals = call(&mut suite.session, &escrow, "totals", &[])?;
    assert_eq!((totals.ledger.released, totals.ledger.fees, totals.ledger.held), (14_850_000, 1_650_000, 0));
    Ok(())
}
