//! The credit vault with the whole suite on a real pallet-contracts runtime (drink): rent flows
//! to holders, an investor borrows against GPU-hour tokens valued from the pool's own figures,
//! their yield repays the loan, utilization falls, an unverified liquidator is refused by the
//! token's compliance and a verified one steps in; a stale feed freezes new borrowing; every
//! balance asserted to the unit, and every privileged message refused to everyone but the owner.
use credit_vault::credit_vault::{Error, VaultState};
use credit_vault::vault::{Health, Valuation};
use e2e_tests::sandbox::{account, ANY_DEPOSIT, call, call_err, call_ok, delegate_calls_at, deploy_vault, deposit, Suite, HOUR, POOL_GPU_HOURS, VAULT_PARAMS as PARAMS};
use e2e_tests::TestResult;
use drink::AccountId32;

const USDC: u128 = 1_000_000;
const GPU_HOUR: u128 = 1_000_000;

fn vault_ok<T: ink::scale::Decode>(suite: &mut Suite, vault: &AccountId32, message: &str, args: &[String]) -> TestResult<T> {
    call_ok::<T, Error>(&mut suite.session, vault, message, args)
}

fn vault_err<T: ink::scale::Decode + std::fmt::Debug>(suite: &mut Suite, vault: &AccountId32, message: &str, args: &[String]) -> TestResult<Error> {
    call_err::<T, Error>(&mut suite.session, vault, message, args)
}

fn health(suite: &mut Suite, vault: &AccountId32, who: &AccountId32) -> TestResult<Health> {
    vault_ok(suite, vault, "health", &[who.to_string()])
}

/// Prints the last call's weight and storage deposit for docs/benchmarks.md (`scripts/bench.sh`).
fn bench(suite: &Suite, message: &str) {
    let (ref_time, proof_size) = suite.last_weight();
    println!("BENCH|credit_vault|{message}|{ref_time}|{proof_size}|{}", deposit(&suite.session));
}

/// A report of the whole pool delivered at `utilization_bps`.
fn report_at(utilization_bps: u16) -> String {
    format!("Report {{ gpu_milli_hours: 8000, utilization_bps: {utilization_bps}, uptime_bps: 9990, energy_wh: 4000, avg_power_w: 700 }}")
}

#[test]
fn borrow_self_repay_and_liquidate_across_the_suite() -> TestResult {
    let mut suite = Suite::deploy()?;
    let (bob, charlie, lena, vic, ursula, renter) = (account(2), account(3), account(5), account(6), account(7), account(51));
    suite.register(&[bob.clone(), charlie.clone(), lena.clone(), vic.clone()])?;
    [ursula.clone(), renter.clone()].iter().try_for_each(|who| suite.fund(who))?;
    // The pool's whole capacity is issued: Bob 1,000 GPU-hours, Charlie the other 4,760.
    suite.admin_ok::<()>("mint", &[bob.to_string(), (1_000 * GPU_HOUR).to_string()])?;
    suite.admin_ok::<()>("mint", &[charlie.to_string(), ((POOL_GPU_HOURS - 1_000) * GPU_HOUR).to_string()])?;
    for who in [&renter, &lena, &vic, &ursula] {
        suite.coin_ok("mint", &[who.to_string(), (10_000 * USDC).to_string()])?;
    }
    let vault = deploy_vault(&mut suite)?;
    let (coin, token, escrow) = (suite.coin.clone(), suite.token.clone(), suite.escrow.clone());

    // Rent: all 8 GPUs for epochs 1–4 at 2 USDC/GPU-hour, delivered in full at 90% utilization;
    // each settled epoch hands 16 × 90% = 14.4 USDC to holders.
    let id = suite.as_actor(&renter, |s| {
        s.coin_ok("PSP22::approve", &[escrow.to_string(), (64 * USDC).to_string()])?;
        s.escrow_ok::<u64>("open", &["8".into(), "1".into(), "4".into(), ANY_DEPOSIT.into()])
    })?;
    // Nothing is finalized yet: the feed is stale and nothing can be valued.
    assert_eq!(vault_err::<Valuation>(&mut suite, &vault, "valuation", &[])?, Error::StaleFeed);
    assert_eq!(vault_err::<bool>(&mut suite, &vault, "refresh", &[])?, Error::StaleFeed);
    // A keeper checkpoints the vault in epochs 2 and 3 (the token's cumulative rent and the
    // pool's value): rent is measured between checkpoints, and loans count an earlier epoch's value.
    for epoch in 1..=4u64 {
        suite.report_all(epoch, &report_at(9_000))?;
        suite.escrow_ok::<()>("settle", &[id.to_string(), epoch.to_string()])?;
        if epoch <= 2 {
            assert!(suite.as_actor(&vic, |s| vault_ok::<bool>(s, &vault, "refresh", &[]))?);
            bench(&suite, "refresh (takes the checkpoint)");
            assert!(!suite.as_actor(&vic, |s| vault_ok::<bool>(s, &vault, "refresh", &[]))?, "one checkpoint an epoch");
        }
    }
    assert_eq!(suite.now(), 5 * HOUR + 1);

    // The valuation reads every input from the chain: the 400-hour horizon (of 714 left) × 8 GPUs
    // × 2 USDC × 90% × (1 − 10%) = 5,184 USDC by utilization; 43.2 USDC of rent since the epoch-2
    // checkpoint 3 hours ago × 400 h / 3 h = 5,760 by distributions; the lower less 20% = 4,147.2.
    let v: Valuation = vault_ok(&mut suite, &vault, "valuation", &[])?;
    bench(&suite, "valuation");
    assert_eq!(
        (v.inputs.period_end, v.inputs.gpus, v.inputs.price_per_gpu_hour, v.inputs.operator_fee_bps),
        (2_592_000_000, 8, 2 * USDC, 1_000)
    );
    assert_eq!((v.inputs.utilization_bps, v.inputs.epochs, v.inputs.supply), (9_000, 4, 5_760 * GPU_HOUR));
    assert_eq!((v.inputs.recent_rent, v.inputs.rent_window_ms), (43_200_000, 3 * HOUR));
    assert_eq!((v.by_utilization, v.by_distributions, v.current), (5_184_000_000, 5_760_000_000, 4_147_200_000));
    // The window's checkpoints: epoch 2's had no rent baseline (no value), epoch 3's the same
    // 4,147.2 for the pool: 0.72 USDC per GPU-hour (per unit ×10^18).
    assert_eq!((v.low, v.high), (Some(720_000_000_000_000_000), Some(720_000_000_000_000_000)));
    assert_eq!((v.borrow_value(), v.liquidation_value()), (4_147_200_000, 4_147_200_000));

    // Lena lends 5,000 USDC; Bob locks his 1,000 GPU-hours, worth 720 USDC: he may borrow 360,
    // and is liquidatable above 504.
    suite.as_actor(&lena, |s| {
        s.coin_ok("PSP22::approve", &[vault.to_string(), (5_000 * USDC).to_string()])?;
        assert_eq!(vault_ok::<u128>(s, &vault, "deposit", &[(5_000 * USDC).to_string()])?, 5_000 * USDC);
        Ok(())
    })?;
    let (deposit_ref_time, deposit_proof) = suite.last_weight();
    bench(&suite, "deposit");
    for (message, amount) in [("mint", 1_000_000u128), ("withdraw", 500_000), ("redeem", 500_000)] {
        suite.as_actor(&lena, |s| {
            s.coin_ok("PSP22::approve", &[vault.to_string(), amount.to_string()])?;
            vault_ok::<u128>(s, &vault, message, &[amount.to_string()])
        })?;
        bench(&suite, message);
    }
    let _: (u128, u128, u128, u128) = vault_ok(&mut suite, &vault, "previews", &[USDC.to_string()])?;
    bench(&suite, "previews");
    suite.as_actor(&bob, |s| {
        s.token_ok::<()>("PSP22::approve", &[vault.to_string(), (1_000 * GPU_HOUR).to_string()])?;
        vault_ok::<()>(s, &vault, "lock", &[(1_000 * GPU_HOUR).to_string()])
    })?;
    let (lock_ref_time, lock_proof) = suite.last_weight();
    bench(&suite, "lock");
    assert_eq!((suite.balance(&token, &bob)?, suite.balance(&token, &vault)?), (0, 1_000 * GPU_HOUR));
    let h = health(&mut suite, &vault, &bob)?;
    bench(&suite, "health");
    assert_eq!((h.value, h.borrow_limit, h.liquidation_limit, h.debt), (720_000_000, 360_000_000, 504_000_000, 0));
    let refused = suite.as_actor(&bob, |s| vault_err::<u128>(s, &vault, "borrow", &[(360_000_001u128).to_string()]))?;
    assert_eq!(refused, Error::ExceedsBorrowLimit);
    assert_eq!(suite.as_actor(&bob, |s| vault_ok::<u128>(s, &vault, "borrow", &[(340 * USDC).to_string()]))?, 340 * USDC);
    let (borrow_ref_time, borrow_proof) = suite.last_weight();
    bench(&suite, "borrow");
    assert_eq!((suite.balance(&coin, &bob)?, suite.balance(&coin, &vault)?), (340 * USDC, 4_660 * USDC));

    // Self-repayment: the issuer distributes 57.6 USDC of rent; once it and epoch 4's 14.4 USDC
    // (still streaming when Bob locked) have streamed, the vault's 1,000 of 5,760 GPU-hours
    // earned exactly 72 × 1,000 / 5,760 = 12.5 USDC, which repays Bob's debt.
    suite.coin_ok("PSP22::approve", &[token.to_string(), (57_600_000u128).to_string()])?;
    suite.token_ok::<()>("YieldDistributor::distribute", &[57_600_000u128.to_string()])?;
    suite.pass_yield_period();
    assert_eq!(suite.holding(&vault)?.claimable, 12_500_000);
    let before = health(&mut suite, &vault, &bob)?;
    assert!(before.debt > 340 * USDC, "an hour of interest accrued: {}", before.debt);
    suite.as_actor(&vic, |s| vault_ok::<()>(s, &vault, "settle", &[bob.to_string()]))?;
    let (settle_ref_time, settle_proof) = suite.last_weight();
    bench(&suite, "settle (claims 12.5 USDC of yield, repays)");
    assert_eq!(vault_ok::<u128>(&mut suite, &vault, "harvest", &[])?, 0);
    bench(&suite, "harvest (nothing to claim)");
    let after = health(&mut suite, &vault, &bob)?;
    // Exactly 12.5 USDC repaid; the debt left rounds up by at most a unit (the vault's side).
    let expected = before.debt - 12_500_000;
    assert!((expected..=expected + 1).contains(&after.debt), "{} vs {expected}", after.debt);
    assert_eq!(suite.holding(&vault)?.claimable, 0);
    assert_eq!(suite.balance(&coin, &vault)?, 4_672_500_000);
    let state: VaultState = vault_ok(&mut suite, &vault, "state", &[])?;
    bench(&suite, "state");
    assert_eq!((state.totals.cash, state.totals.yield_received, state.totals.unsettled_yield), (4_672_500_000, 12_500_000, 0));

    // Utilization falls to 50% for epochs 5–8. While the window holds a higher valuation (epoch
    // 5's, taken by the borrow), liquidation counts it: Bob stays healthy.
    for epoch in 5..=8u64 {
        suite.report_all(epoch, &report_at(5_000))?;
    }
    let v: Valuation = vault_ok(&mut suite, &vault, "valuation", &[])?;
    assert_eq!((v.inputs.utilization_bps, v.inputs.epochs, v.liquidation_value()), (5_000, 4, 4_147_200_000));
    assert!(v.current < 2_400 * USDC, "{v:?}");
    let h = health(&mut suite, &vault, &bob)?;
    assert!(h.debt < h.liquidation_limit, "{h:?}");
    assert_eq!(suite.as_actor(&vic, |s| vault_err::<u128>(s, &vault, "liquidate", &[bob.to_string(), USDC.to_string()]))?, Error::Healthy);
    // A keeper checkpoints epoch 9; an epoch later, epoch 5 has left the window of four and the
    // fall counts: Bob's collateral is worth 400 USDC, its liquidation limit 280 USDC is below
    // his ≈ 328 USDC of debt.
    assert!(suite.as_actor(&vic, |s| vault_ok::<bool>(s, &vault, "refresh", &[]))?);
    suite.advance(HOUR);
    let v: Valuation = vault_ok(&mut suite, &vault, "valuation", &[])?;
    let h = health(&mut suite, &vault, &bob)?;
    assert!(h.debt > h.liquidation_limit && h.health_factor_bps < 10_000, "{h:?} {v:?}");

    // Ursula is not verified: the token refuses to hand her collateral, so nothing moves.
    let ursula_coin = suite.balance(&coin, &ursula)?;
    let refused = suite.as_actor(&ursula, |s| {
        s.coin_ok("PSP22::approve", &[vault.to_string(), (100 * USDC).to_string()])?;
        vault_err::<u128>(s, &vault, "liquidate", &[bob.to_string(), (100 * USDC).to_string()])
    })?;
    assert_eq!(refused, Error::TokenRefused);
    assert_eq!((suite.balance(&coin, &ursula)?, suite.balance(&token, &vault)?), (ursula_coin, 1_000 * GPU_HOUR));
    assert_eq!(health(&mut suite, &vault, &bob)?.debt, h.debt);

    // Vic is verified: repays 100 USDC of Bob's debt and receives 105 USDC worth of his tokens.
    let seized = suite.as_actor(&vic, |s| {
        s.coin_ok("PSP22::approve", &[vault.to_string(), (100 * USDC).to_string()])?;
        vault_ok::<u128>(s, &vault, "liquidate", &[bob.to_string(), (100 * USDC).to_string()])
    })?;
    let (liquidate_ref_time, liquidate_proof) = suite.last_weight();
    bench(&suite, "liquidate");
    assert_eq!(seized, 105 * USDC * v.inputs.supply / v.liquidation_value());
    assert_eq!(suite.balance(&token, &vic)?, seized);
    assert_eq!(suite.balance(&token, &vault)?, 1_000 * GPU_HOUR - seized);
    assert_eq!(suite.balance(&coin, &vic)?, 9_900 * USDC);
    let liquidated = health(&mut suite, &vault, &bob)?;
    assert!((h.debt - 100 * USDC..=h.debt - 100 * USDC + 1).contains(&liquidated.debt), "{liquidated:?}");
    assert_eq!(liquidated.position.collateral, 1_000 * GPU_HOUR - seized);
    assert!(liquidated.health_factor_bps > h.health_factor_bps);

    // The feed goes stale: no new borrowing and no unlocking against debt; repaying stays open.
    suite.advance(3 * HOUR);
    assert_eq!(suite.as_actor(&bob, |s| vault_err::<u128>(s, &vault, "borrow", &["1".into()]))?, Error::StaleFeed);
    assert_eq!(suite.as_actor(&bob, |s| vault_err::<()>(s, &vault, "unlock", &["1".into()]))?, Error::StaleFeed);
    // Charlie repays Bob's whole debt for him (anyone may repay anyone's).
    let state: VaultState = vault_ok(&mut suite, &vault, "state", &[])?;
    let debt = state.total_debt + 1;
    suite.coin_ok("PSP22::transfer", &[charlie.to_string(), debt.to_string(), "[]".into()])?;
    suite.as_actor(&charlie, |s| s.coin_ok("PSP22::approve", &[vault.to_string(), debt.to_string()]))?;
    let repaid = suite.as_actor(&charlie, |s| vault_ok::<u128>(s, &vault, "repay", &[bob.to_string(), (10_000 * USDC).to_string()]))?;
    bench(&suite, "repay (all of it, for another)");
    assert!(repaid >= state.total_debt && repaid <= debt, "{repaid} vs {}", state.total_debt);
    // Without debt the rest of the collateral comes back, valuation or not.
    let left = 1_000 * GPU_HOUR - seized;
    suite.as_actor(&bob, |s| vault_ok::<()>(s, &vault, "unlock", &[left.to_string()]))?;
    bench(&suite, "unlock (no debt)");
    assert_eq!((suite.balance(&token, &bob)?, suite.balance(&token, &vault)?), (left, 0));

    // Lena redeems everything: no bad debt here, so her 5,000 USDC come back with the interest;
    // the vault keeps only rounding dust.
    let (shares, worth): (u128, u128) = vault_ok(&mut suite, &vault, "lender", &[lena.to_string()])?;
    bench(&suite, "lender");
    let (position, _debt): (credit_vault::vault::Position, u128) = vault_ok(&mut suite, &vault, "position", &[bob.to_string()])?;
    bench(&suite, "position");
    assert_eq!(position.collateral, 0, "Bob unlocked everything left");
    let _: ink::primitives::AccountId = call(&mut suite.session, &vault, "Ownable2Step::owner", &[])?;
    bench(&suite, "Ownable2Step::owner");
    let redeemed = suite.as_actor(&lena, |s| vault_ok::<u128>(s, &vault, "redeem", &[shares.to_string()]))?;
    assert_eq!(redeemed, worth);
    assert!(redeemed > 5_000 * USDC, "{redeemed}");
    assert!(suite.balance(&coin, &vault)? <= 1, "dust left: {}", suite.balance(&coin, &vault)?);

    for (name, ref_time, proof) in [
        ("deposit", deposit_ref_time, deposit_proof),
        ("lock", lock_ref_time, lock_proof),
        ("borrow", borrow_ref_time, borrow_proof),
        ("settle", settle_ref_time, settle_proof),
        ("liquidate", liquidate_ref_time, liquidate_proof),
    ] {
        println!("weight of vault {name}: ref_time {ref_time}, proof_size {proof}");
    }
    Ok(())
}

#[test]
fn every_privileged_vault_message_refuses_everyone_but_the_owner() -> TestResult {
    let mut suite = Suite::deploy()?;
    let vault = deploy_vault(&mut suite)?;
    let outsiders = [account(2), account(5), suite.oracle.clone(), suite.escrow.clone()];
    for outsider in &outsiders {
        suite.fund(outsider)?;
        let errors = suite.as_actor(outsider, |s| {
            Ok([
                vault_err::<()>(s, &vault, "set_params", &[PARAMS.into()])?,
                vault_err::<()>(s, &vault, "set_paused", &["true".into()])?,
            ])
        })?;
        assert_eq!(errors, [Error::NotOwner, Error::NotOwner], "{outsider}");
        let access = suite.as_actor(outsider, |s| {
            call_err::<(), compute_rwa_common::AccessError>(&mut s.session, &vault, "Ownable2Step::transfer_ownership", &[format!("Some({outsider})")])
        })?;
        assert_eq!(access, compute_rwa_common::AccessError::NotOwner);
    }
    // The owner pauses: deposits stop; a new owner accepts and the old one is refused.
    vault_ok::<()>(&mut suite, &vault, "set_params", &[PARAMS.into()])?;
    bench(&suite, "set_params");
    vault_ok::<()>(&mut suite, &vault, "set_paused", &["true".into()])?;
    bench(&suite, "set_paused");
    assert_eq!(vault_err::<u128>(&mut suite, &vault, "deposit", &["1".into()])?, Error::Paused);
    call_ok::<(), compute_rwa_common::AccessError>(&mut suite.session, &vault, "Ownable2Step::transfer_ownership", &[format!("Some({})", account(9))])?;
    bench(&suite, "Ownable2Step::transfer_ownership");
    let pending: Option<ink::primitives::AccountId> = call(&mut suite.session, &vault, "Ownable2Step::pending_owner", &[])?;
    bench(&suite, "Ownable2Step::pending_owner");
    assert_eq!(pending, Some(e2e_tests::sandbox::ink_id(&account(9))));
    suite.fund(&account(9))?;
    suite.as_actor(&account(9), |s| call_ok::<(), compute_rwa_common::AccessError>(&mut s.session, &vault, "Ownable2Step::accept_ownership", &[]))?;
    bench(&suite, "Ownable2Step::accept_ownership");
    assert_eq!(vault_err::<()>(&mut suite, &vault, "set_paused", &["false".into()])?, Error::NotOwner);
    let owner: ink::primitives::AccountId = call(&mut suite.session, &vault, "Ownable2Step::owner", &[])?;
    assert_eq!(owner, e2e_tests::sandbox::ink_id(&account(9)));
    Ok(())
}

/// Review 7b, G7: after the tokenization period the pool's tokens earn nothing, so the vault
/// values them at zero without asking the feed (reporters owe nothing after the period): a
/// valuation and a checkpoint need no fresh report, so an outstanding debt can be written off
/// (the write-off itself: `vault_tests::after_the_period_the_debt_is_written_off`).
#[test]
fn after_the_period_the_vault_values_the_tokens_without_a_feed() -> TestResult {
    let mut suite = Suite::deploy()?;
    let vault = deploy_vault(&mut suite)?;
    let end = suite.token_state()?.pool.period_end;
    // No report ever: during the period nothing can be valued.
    suite.set_time(end - 1);
    assert_eq!(vault_err::<Valuation>(&mut suite, &vault, "valuation", &[])?, Error::StaleFeed);
    assert_eq!(vault_err::<bool>(&mut suite, &vault, "refresh", &[])?, Error::StaleFeed);
    suite.set_time(end);
    let v: Valuation = vault_ok(&mut suite, &vault, "valuation", &[])?;
    assert!(v.ended());
    assert_eq!((v.inputs.period_end, v.inputs.gpus, v.inputs.supply), (end, 8, 0));
    assert_eq!((v.inputs.price_per_gpu_hour, v.inputs.utilization_bps, v.inputs.epochs), (0, 0, 0));
    assert_eq!((v.current, v.borrow_value(), v.liquidation_value()), (0, 0, 0));
    assert!(vault_ok::<bool>(&mut suite, &vault, "refresh", &[])?, "the epoch's checkpoint is taken");
    Ok(())
}

/// Bob (1,000 GPU-hours of the 5,760 issued) has borrowed 340 USDC from Lena's 5,000 against a
/// pool rented in full for epochs 1–16 at 2 USDC a GPU-hour (14.4 USDC of every epoch to
/// holders); epochs 1–4 were settled and checkpointed. Returns the suite at epoch 5 (5 h + 1),
/// the vault, the rental and the names (bob, lena, vic, renter).
fn borrowed() -> TestResult<(Suite, AccountId32, u64, [AccountId32; 4])> {
    borrowed_with(340 * USDC)
}

/// [`borrowed`], with Bob borrowing `loan`.
fn borrowed_with(loan: u128) -> TestResult<(Suite, AccountId32, u64, [AccountId32; 4])> {
    let mut suite = Suite::deploy()?;
    let (bob, charlie, lena, vic, renter) = (account(2), account(3), account(5), account(6), account(51));
    suite.register(&[bob.clone(), charlie.clone(), lena.clone(), vic.clone()])?;
    suite.fund(&renter)?;
    suite.admin_ok::<()>("mint", &[bob.to_string(), (1_000 * GPU_HOUR).to_string()])?;
    suite.admin_ok::<()>("mint", &[charlie.to_string(), ((POOL_GPU_HOURS - 1_000) * GPU_HOUR).to_string()])?;
    for who in [&renter, &lena, &vic] {
        suite.coin_ok("mint", &[who.to_string(), (10_000 * USDC).to_string()])?;
    }
    let vault = deploy_vault(&mut suite)?;
    let escrow = suite.escrow.clone();
    let id = suite.as_actor(&renter, |s| {
        s.coin_ok("PSP22::approve", &[escrow.to_string(), (256 * USDC).to_string()])?;
        s.escrow_ok::<u64>("open", &["8".into(), "1".into(), "16".into(), ANY_DEPOSIT.into()])
    })?;
    for epoch in 1..=4u64 {
        suite.report_all(epoch, &report_at(9_000))?;
        suite.escrow_ok::<()>("settle", &[id.to_string(), epoch.to_string()])?;
        suite.as_actor(&vic, |s| vault_ok::<bool>(s, &vault, "refresh", &[]))?;
    }
    suite.as_actor(&lena, |s| {
        s.coin_ok("PSP22::approve", &[vault.to_string(), (5_000 * USDC).to_string()])?;
        vault_ok::<u128>(s, &vault, "deposit", &[(5_000 * USDC).to_string()])
    })?;
    suite.as_actor(&bob, |s| {
        s.token_ok::<()>("PSP22::approve", &[vault.to_string(), (1_000 * GPU_HOUR).to_string()])?;
        vault_ok::<()>(s, &vault, "lock", &[(1_000 * GPU_HOUR).to_string()])?;
        vault_ok::<u128>(s, &vault, "borrow", &[loan.to_string()])
    })?;
    Ok((suite, vault, id, [bob, lena, vic, renter]))
}

/// The deployed vault is its crate's front build (as the token is): lenders' deposits and
/// withdrawals, locking collateral, repaying and claiming credit run in its own code; every
/// message that needs a valuation, the owner's, the keepers' and the reads run by delegate call
/// in the full build's code, fixed and locked at construction, with one storage layout and one
/// interface.
#[test]
fn the_vault_runs_its_front_and_delegates_valuations_and_governance() -> TestResult {
    let (mut suite, vault, _, [bob, lena, ..]) = borrowed()?;
    let issuer = suite.issuer.clone();
    // The code `logic()` names (the uploaded full build), as delegate events show it.
    let logic = e2e_tests::sandbox::assert_front(&mut suite.session, "credit_vault", &vault, issuer)?;
    let _: ink::primitives::Hash = call(&mut suite.session, &vault, "logic", &[])?;
    bench(&suite, "logic");
    let delegated = |suite: &Suite| delegate_calls_at(&suite.session, &vault);
    // Lenders and repayments: the front's own code (the token's claim is the token's delegate).
    suite.as_actor(&lena, |s| {
        s.coin_ok("PSP22::approve", &[vault.to_string(), USDC.to_string()])?;
        vault_ok::<u128>(s, &vault, "deposit", &[USDC.to_string()])
    })?;
    assert_eq!(delegated(&suite), Vec::<String>::new(), "a deposit runs in the front");
    suite.as_actor(&bob, |s| {
        s.coin_ok("PSP22::approve", &[vault.to_string(), USDC.to_string()])?;
        vault_ok::<u128>(s, &vault, "repay", &[bob.to_string(), USDC.to_string()])
    })?;
    assert_eq!(delegated(&suite), Vec::<String>::new(), "a repayment runs in the front");
    // Borrowing needs a valuation: the logic code, on the vault's storage, with the vault's books.
    let debt = suite.as_actor(&bob, |s| vault_ok::<u128>(s, &vault, "borrow", &[USDC.to_string()]))?;
    assert_eq!(delegated(&suite), vec![logic.clone()], "a borrow runs in the logic code");
    let (_, now): (credit_vault::vault::Position, u128) = vault_ok(&mut suite, &vault, "position", &[bob.to_string()])?;
    assert_eq!(now, debt, "the front and its logic keep one set of books");
    // The owner's messages run in the logic code; a refusal there reaches the caller as the
    // vault's own (the front has no body for it to answer with).
    vault_ok::<()>(&mut suite, &vault, "set_paused", &["false".into()])?;
    assert_eq!(delegated(&suite), vec![logic], "the owner's messages run in the logic code");
    let outsider = account(99);
    suite.fund(&outsider)?;
    assert_eq!(suite.as_actor(&outsider, |s| vault_err::<()>(s, &vault, "set_paused", &["true".into()]))?, Error::NotOwner);
    // A front over code that was never uploaded cannot be deployed (its constructor traps).
    let links = format!("Links {{ token: {}, stablecoin: {}, oracle: {}, feed: 0, escrow: {} }}", suite.token, suite.coin, suite.oracle, suite.escrow);
    let args = [PARAMS.into(), links, format!("0x{}", "07".repeat(32))];
    assert!(e2e_tests::sandbox::deploy(&mut suite.session, "credit_vault", "new", &args).is_err());
    Ok(())
}

/// Yield beyond the debt is the borrower's: once the collateral's yield has repaid a small loan
/// in full, the rest is credit that only the borrower claims, to the unit and once.
#[test]
fn yield_beyond_the_debt_is_the_borrowers_to_claim() -> TestResult {
    let (mut suite, vault, _, [bob, _, vic, _]) = borrowed_with(USDC)?;
    let coin = suite.coin.clone();
    let token = suite.token.clone();
    assert_eq!(suite.as_actor(&bob, |s| vault_err::<u128>(s, &vault, "claim_credit", &[]))?, Error::NothingToClaim);
    // As in the lifecycle above: epoch 4's stream and a 57.6 USDC distribution earn the vault's
    // 1,000 of 5,760 GPU-hours exactly 12.5 USDC; a keeper settles them into Bob's position.
    suite.coin_ok("PSP22::approve", &[token.to_string(), (57_600_000u128).to_string()])?;
    suite.token_ok::<()>("YieldDistributor::distribute", &[57_600_000u128.to_string()])?;
    suite.pass_yield_period();
    let debt = health(&mut suite, &vault, &bob)?.debt;
    assert!((USDC..USDC + 1_000).contains(&debt), "a loan of 1 USDC and its interest: {debt}");
    suite.as_actor(&vic, |s| vault_ok::<()>(s, &vault, "settle", &[bob.to_string()]))?;
    let (position, left): (credit_vault::vault::Position, u128) = vault_ok(&mut suite, &vault, "position", &[bob.to_string()])?;
    assert_eq!(left, 0, "the yield repaid the whole loan");
    let credit = 12_500_000 - debt;
    assert!((credit - 1..=credit).contains(&position.credit), "{} vs {credit}", position.credit);
    let state: VaultState = vault_ok(&mut suite, &vault, "state", &[])?;
    assert_eq!(state.totals.credit, position.credit);
    // Nobody else can take it: a claim pays the caller's own credit, and Vic has none.
    assert_eq!(suite.as_actor(&vic, |s| vault_err::<u128>(s, &vault, "claim_credit", &[]))?, Error::NothingToClaim);
    let (bob_coin, vault_coin) = (suite.balance(&coin, &bob)?, suite.balance(&coin, &vault)?);
    let claimed = suite.as_actor(&bob, |s| vault_ok::<u128>(s, &vault, "claim_credit", &[]))?;
    bench(&suite, "claim_credit");
    assert_eq!(claimed, position.credit);
    assert_eq!((suite.balance(&coin, &bob)?, suite.balance(&coin, &vault)?), (bob_coin + claimed, vault_coin - claimed));
    let state: VaultState = vault_ok(&mut suite, &vault, "state", &[])?;
    assert_eq!(state.totals.credit, 0);
    assert_eq!(suite.balance(&coin, &vault)?, state.totals.cash + state.totals.unsettled_yield);
    assert_eq!(suite.as_actor(&bob, |s| vault_err::<u128>(s, &vault, "claim_credit", &[]))?, Error::NothingToClaim);
    // The collateral stays locked and comes back whole: no debt is left against it.
    suite.as_actor(&bob, |s| vault_ok::<()>(s, &vault, "unlock", &[(1_000 * GPU_HOUR).to_string()]))?;
    assert_eq!(suite.balance(&token, &bob)?, 1_000 * GPU_HOUR);
    Ok(())
}

/// Review 7b, G2: the renter paying the pool's rent disputed every epoch (free, within the
/// dispute window) while still using the GPUs, so no rent reached the token until the arbiter
/// decided — a day, far longer than the valuation's window. The measured rent fell to nothing,
/// the value with it, and the renter, verified, liquidated the borrowers at a fraction of
/// their collateral's worth. Now the rent under dispute counts as earned until the arbiter
/// decides: eight disputed epochs (twice the window) leave the value where honest settlement
/// would, no loan can be liquidated, and only the arbiter's refund lowers the measure.
#[test]
fn a_renter_disputing_its_epochs_cannot_lower_the_measured_rent() -> TestResult {
    let (mut suite, vault, id, [bob, _, vic, renter]) = borrowed()?;
    let before: Valuation = vault_ok(&mut suite, &vault, "valuation", &[])?;
    assert_eq!((before.current, before.inputs.pending_rent), (4_147_200_000, 0));
    for epoch in 5..=12u64 {
        suite.report_all(epoch, &report_at(9_000))?;
        suite.as_actor(&renter, |s| s.escrow_ok::<()>("dispute", &[id.to_string(), epoch.to_string()]))?;
        assert!(suite.as_actor(&vic, |s| vault_ok::<bool>(s, &vault, "refresh", &[]))?);
    }
    // 8 epochs under dispute, each fully delivered by the oracle's figures: the holders' share
    // of them (16 USDC less the 10% fee, each) is 115.2 USDC.
    let escrow = suite.escrow.clone();
    let totals: rental_escrow::escrow::Totals = call(&mut suite.session, &escrow, "totals", &[])?;
    assert_eq!((totals.disputed, totals.ledger.released), (115_200_000, 57_600_000));
    let v: Valuation = vault_ok(&mut suite, &vault, "valuation", &[])?;
    assert_eq!(v.inputs.pending_rent, 115_200_000);
    // Since epoch 9's checkpoint (4 h ago): epochs 9–12, 57.6 USDC, as if settled: the value
    // is what it was before the disputes.
    assert_eq!((v.inputs.recent_rent, v.inputs.rent_window_ms), (57_600_000, 4 * HOUR));
    assert_eq!((v.by_distributions, v.current, v.liquidation_value()), (5_760_000_000, 4_147_200_000, 4_147_200_000));
    let h = health(&mut suite, &vault, &bob)?;
    assert!(h.debt < h.liquidation_limit, "{h:?}");
    let refused = suite.as_actor(&renter, |s| {
        s.coin_ok("PSP22::approve", &[vault.to_string(), (200 * USDC).to_string()])?;
        vault_err::<u128>(s, &vault, "liquidate", &[bob.to_string(), (200 * USDC).to_string()])
    })?;
    assert_eq!(refused, Error::Healthy);
    // The arbiter refunds epoch 10 in full (the pool did not deliver it, say): those 14.4 USDC
    // were never earned, and the measure drops by exactly that.
    suite.as_actor(&e2e_tests::sandbox::arbiter(), |s| s.escrow_ok::<()>("resolve", &[id.to_string(), "10".into(), (16 * USDC).to_string()]))?;
    let v: Valuation = vault_ok(&mut suite, &vault, "valuation", &[])?;
    assert_eq!((v.inputs.pending_rent, v.inputs.recent_rent), (100_800_000, 43_200_000));
    Ok(())
}

/// Review 7b, G7b: a write-off after the period handed the caller the worthless tokens — and
/// with them the yield they still earn (the last epochs' rent, the stream still running), which
/// should have gone to the lenders who bear the bad debt. Now the tokens stay in the vault as
/// the lenders' and that yield joins their cash, to the unit.
#[test]
fn after_a_write_off_the_collaterals_last_yield_goes_to_the_lenders() -> TestResult {
    let (mut suite, vault, _, [bob, lena, vic, _]) = borrowed()?;
    let (coin, token) = (suite.coin.clone(), suite.token.clone());
    let end = suite.token_state()?.pool.period_end;
    suite.set_time(end);
    // Review 9, R9-2: the period's last yield may still come (a settlement after its grace
    // period or a dispute, then the stream): until it has, nothing is written off.
    let v: Valuation = vault_ok(&mut suite, &vault, "valuation", &[])?;
    assert_eq!(v.inputs.yield_until, end + 25 * HOUR + HOUR, "the end + dispute window and arbitration (longer than the grace) + the stream");
    let early = suite.as_actor(&vic, |s| vault_err::<u128>(s, &vault, "liquidate", &[bob.to_string(), USDC.to_string()]))?;
    assert_eq!(early, Error::YieldPending);
    suite.set_time(v.inputs.yield_until);
    // The yield earned until now (epoch 4's stream) repays Bob's debt first.
    assert_eq!(vault_ok::<u128>(&mut suite, &vault, "harvest", &[])?, 2_500_000);
    let debt = health(&mut suite, &vault, &bob)?.debt;
    let received = suite.as_actor(&vic, |s| vault_ok::<u128>(s, &vault, "liquidate", &[bob.to_string(), USDC.to_string()]))?;
    assert_eq!(received, 0, "the caller gets nothing");
    assert_eq!((suite.balance(&token, &vic)?, suite.balance(&token, &vault)?), (0, 1_000 * GPU_HOUR));
    let state: VaultState = vault_ok(&mut suite, &vault, "state", &[])?;
    assert_eq!((state.totals.collateral, state.totals.recovered, state.totals.bad_debt), (0, 1_000 * GPU_HOUR, debt));
    let (_, worth_before): (u128, u128) = vault_ok(&mut suite, &vault, "lender", &[lena.to_string()])?;
    // The pool's last rent reaches holders after the period: 57.6 USDC, of which the vault's
    // 1,000 of 5,760 GPU-hours earn exactly 10 USDC — the lenders'.
    suite.coin_ok("PSP22::approve", &[token.to_string(), (57_600_000u128).to_string()])?;
    suite.token_ok::<()>("YieldDistributor::distribute", &[57_600_000u128.to_string()])?;
    suite.pass_yield_period();
    let cash = state.totals.cash;
    assert_eq!(vault_ok::<u128>(&mut suite, &vault, "harvest", &[])?, 10 * USDC);
    let state: VaultState = vault_ok(&mut suite, &vault, "state", &[])?;
    assert_eq!((state.totals.cash, state.totals.unsettled_yield), (cash + 10 * USDC, 0));
    assert_eq!(suite.balance(&coin, &vault)?, state.totals.cash);
    let (_, worth_after): (u128, u128) = vault_ok(&mut suite, &vault, "lender", &[lena.to_string()])?;
    assert!((worth_before + 10 * USDC - 1..=worth_before + 10 * USDC).contains(&worth_after), "{worth_before} → {worth_after}");
    Ok(())
}

/// Review 7b G10: the constructor did not cross-check its links, so a vault could value one
/// pool's tokens from another pool's escrow (its price, fee and rent). Now every link must be
/// the escrow's own: its stablecoin, token, oracle and feed.
#[test]
fn a_vault_whose_links_describe_two_pools_cannot_be_deployed() -> TestResult {
    let mut suite = Suite::deploy()?;
    let (token, coin, oracle, escrow) = (suite.token.clone(), suite.coin.clone(), suite.oracle.clone(), suite.escrow.clone());
    let links = |token: &AccountId32, coin: &AccountId32, oracle: &AccountId32, feed: u32| {
        format!("Links {{ token: {token}, stablecoin: {coin}, oracle: {oracle}, feed: {feed}, escrow: {escrow} }}")
    };
    let logic = e2e_tests::sandbox::upload_logic(&mut suite.session, "credit_vault")?;
    for wrong in [links(&coin, &coin, &oracle, 0), links(&token, &token, &oracle, 0), links(&token, &coin, &token, 0), links(&token, &coin, &oracle, 1)] {
        let refused: Error = e2e_tests::sandbox::deploy_err(&mut suite.session, "credit_vault", "new", &[PARAMS.into(), wrong.clone(), logic.clone()])?;
        assert_eq!(refused, Error::InconsistentLinks, "{wrong}");
    }
    // The suite's own links deploy (deploy_vault), as before.
    deploy_vault(&mut suite)?;
    Ok(())
}
