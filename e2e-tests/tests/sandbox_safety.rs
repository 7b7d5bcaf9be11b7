//! Money-safety behaviour that needs the real cross-contract calls (drink, the release Wasm):
//! the escrow takes its schedule from the oracle; a token that refuses yield does not block
//! settlement and the yield is pushed later; a settle after the report window finalizes on a
//! majority and never on a minority; a yield sniper earns nothing; an empty wallet's yield is
//! recovered; the arbiter changes in two steps, open disputes keep theirs, and an absent arbiter
//! cannot lock a disputed epoch past the arbitration period. Every balance,
//! error and event to the unit.
use compute_rwa_common::{CallError, DistributeError, EpochSchedule};
use drink::AccountId32;
use ink::primitives::AccountId;
use e2e_tests::sandbox::{
    account, arbiter, call, call_result, deploy, deploy_err, emitted, escrow_config, ink_id, operator, report, reporters, Suite, ANY_DEPOSIT, HOUR, YIELD_PERIOD,
};
use e2e_tests::TestResult;
use pool_admin::pool_admin::{Error as AdminFailure, RecoverySuccess};
use gpu_hour_token::token::TokenError;
use psp22::PSP22Error;
use rental_escrow::escrow::{EpochState, EscrowConfig, Split, Totals};
use rental_escrow::rental_escrow::{ArbiterChanged, ArbiterProposed, EpochDisputed, EpochSettled, Error, YieldDeferred, YieldPaid};
use utilization_oracle::utilization_oracle::{EpochFinalized, Error as OracleFailure};

const USDC: u128 = 1_000_000;
const GPU_HOUR: u128 = 1_000_000;

/// A suite with Bob (1,000 GPU-h) and Charlie (3,000 GPU-h) holding the token, and a renter
/// with 100 USDC who booked 4 GPUs for `epochs` epochs from epoch 1 (8 USDC per epoch).
struct Pool {
    suite: Suite,
    bob: AccountId32,
    charlie: AccountId32,
    renter: AccountId32,
    outsider: AccountId32,
}

impl Pool {
    fn new(epochs: u32) -> TestResult<Self> {
        let mut suite = Suite::deploy()?;
        let (bob, charlie, renter, outsider) = (account(2), account(3), account(51), account(99));
        suite.register(&[bob.clone(), charlie.clone()])?;
        suite.fund(&renter)?;
        suite.fund(&outsider)?;
        suite.admin_ok::<()>("mint", &[bob.to_string(), (1_000 * GPU_HOUR).to_string()])?;
        suite.admin_ok::<()>("mint", &[charlie.to_string(), (3_000 * GPU_HOUR).to_string()])?;
        suite.coin_ok("mint", &[renter.to_string(), (100 * USDC).to_string()])?;
        let escrow = suite.escrow.clone();
        let deposit = 8 * USDC * u128::from(epochs);
        let id = suite.as_actor(&renter, |s| {
            s.coin_ok("PSP22::approve", &[escrow.to_string(), deposit.to_string()])?;
            s.escrow_ok::<u64>("open", &["4".into(), "1".into(), epochs.to_string(), ANY_DEPOSIT.into()])
        })?;
        assert_eq!(id, 0);
        Ok(Self { suite, bob, charlie, renter, outsider })
    }

    fn coin_balance(&mut self, who: &AccountId32) -> TestResult<u128> {
        let coin = self.suite.coin.clone();
        self.suite.balance(&coin, who)
    }

    fn totals(&mut self) -> TestResult<Totals> {
        let escrow = self.suite.escrow.clone();
        call(&mut self.suite.session, &escrow, "totals", &[])
    }

    fn refundable(&mut self) -> TestResult<u128> {
        let (escrow, renter) = (self.suite.escrow.clone(), self.renter.clone());
        call(&mut self.suite.session, &escrow, "refundable", &[renter.to_string()])
    }

    fn epoch_state(&mut self, epoch: u64) -> TestResult<Option<EpochState>> {
        let escrow = self.suite.escrow.clone();
        call(&mut self.suite.session, &escrow, "epoch_state", &["0".into(), epoch.to_string()])
    }

    fn claimable(&mut self, who: &AccountId32) -> TestResult<u128> {
        Ok(self.suite.holding(who)?.claimable)
    }

    /// `who` settles epoch `epoch` of rental 0.
    fn settle(&mut self, who: &AccountId32, epoch: u64) -> TestResult {
        self.suite.as_actor(who, |s| s.escrow_ok::<()>("settle", &["0".into(), epoch.to_string()]))
    }

    /// `who` tries to settle epoch `epoch` of rental 0, which must be refused.
    fn settle_err(&mut self, who: &AccountId32, epoch: u64) -> TestResult<Error> {
        self.suite.as_actor(who, |s| s.escrow_err::<()>("settle", &["0".into(), epoch.to_string()]))
    }

    /// The escrow's stablecoin balance equals what it owes (held, refunds, fees, unpaid yield).
    fn assert_escrow_covers_obligations(&mut self) -> TestResult {
        let escrow = self.suite.escrow.clone();
        let (balance, totals) = (self.coin_balance(&escrow)?, self.totals()?);
        assert_eq!(Some(balance), totals.obligations(), "escrow balance vs obligations {totals:?}");
        Ok(())
    }
}

fn escrow_args(suite: &Suite, config: String) -> Vec<String> {
    vec![config, suite.coin.to_string(), suite.token.to_string(), suite.oracle.to_string(), operator().to_string(), arbiter().to_string(), suite.escrow_logic.clone()]
}

#[test]
fn the_escrow_takes_its_schedule_from_the_feed_and_refuses_what_cannot_settle() -> TestResult {
    let mut suite = Suite::deploy()?;
    let (escrow, oracle) = (suite.escrow.clone(), suite.oracle.clone());
    let feed_0 = EpochSchedule { genesis: 0, epoch_length: HOUR, gpus: 8, report_window: HOUR };
    assert_eq!(call::<EpochSchedule>(&mut suite.session, &escrow, "schedule", &[])?, feed_0);
    assert_eq!(call::<Option<EpochSchedule>>(&mut suite.session, &oracle, "UtilizationFeed::schedule", &["0".into()])?, Some(feed_0));

    // A second feed with another schedule: 4 GPUs, 2-hour epochs from 5 s, a 30-minute report window.
    let feed_1 = format!(
        "FeedConfig {{ pool_token: {}, gpu_count: 4, genesis: 5000, epoch_length: {}, report_window: 1800000, max_age: {}, \
         max_wh_per_gpu_hour: 1000, tolerance_bps: 1000 }}",
        suite.token,
        2 * HOUR,
        4 * HOUR
    );
    let reporter_list = reporters().iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ");
    assert_eq!(suite.oracle_ok::<u32>("create_feed", &[feed_1, format!("[{reporter_list}]"), "2".into()])?, 1);

    // No feed 2; a grace period shorter than the feed's report window could refund epochs the
    // oracle may still finalize; an address that is no oracle cannot be asked.
    let args = escrow_args(&suite, escrow_config(2, 2 * HOUR));
    let unknown = deploy_err::<Error>(&mut suite.session, "rental_escrow", "new", &args)?;
    assert_eq!(unknown, Error::UnknownFeed);
    let args = escrow_args(&suite, escrow_config(0, HOUR - 1));
    let short = deploy_err::<Error>(&mut suite.session, "rental_escrow", "new", &args)?;
    assert_eq!(short, Error::InvalidConfig);
    let args = escrow_args(&suite, escrow_config(1, 1_799_999));
    let short = deploy_err::<Error>(&mut suite.session, "rental_escrow", "new", &args)?;
    assert_eq!(short, Error::InvalidConfig);
    let mut not_an_oracle = escrow_args(&suite, escrow_config(0, 2 * HOUR));
    not_an_oracle[3] = suite.coin.to_string();
    let refused = deploy_err::<Error>(&mut suite.session, "rental_escrow", "new", &not_an_oracle)?;
    assert_eq!(refused, Error::CallFailed);

    // A grace period equal to the report window is enough; the schedule is feed 1's, read at deployment.
    let args = escrow_args(&suite, escrow_config(1, 1_800_000));
    let second = deploy(&mut suite.session, "rental_escrow", "new", &args)?;
    let schedule: EpochSchedule = call(&mut suite.session, &second, "schedule", &[])?;
    assert_eq!(schedule, EpochSchedule { genesis: 5_000, epoch_length: 2 * HOUR, gpus: 4, report_window: 1_800_000 });
    assert_eq!(call::<Option<EpochSchedule>>(&mut suite.session, &oracle, "UtilizationFeed::schedule", &["1".into()])?, Some(schedule));
    let config: EscrowConfig = call(&mut suite.session, &second, "config", &[])?;
    assert_eq!(config, EscrowConfig { feed: 1, operator_fee_bps: 1_000, grace_period: 1_800_000, dispute_window: HOUR, arbitration_period: 24 * HOUR });
    Ok(())
}

#[test]
fn a_token_that_refuses_yield_does_not_block_settlement_and_anyone_pushes_it_later() -> TestResult {
    let mut pool = Pool::new(1)?;
    let (escrow, token, outsider) = (pool.suite.escrow.clone(), pool.suite.token.clone(), pool.outsider.clone());
    // The issuer revokes the escrow's distributor role (by mistake, or in a dispute with the operator).
    pool.suite.admin_ok::<()>("set_distributor", &[escrow.to_string(), "false".into()])?;

    // Epoch 1: 6 of 8 milli-GPU-hours for the pool at 97% uptime, all three reporters agree.
    // The rental's share: 3 of its 4 GPU-hours, 6 USDC, less the 10% SLA credit: 5.4 USDC
    // paid, 0.54 fee, 4.86 to holders; 2.6 USDC (2 undelivered + 0.6 credit) back to the renter.
    pool.suite.report_all(1, &report(6_000, 9_700))?;
    pool.settle(&outsider, 1)?;
    let split = Split { to_holders: 4_860_000, fee: 540_000, refund: 2_600_000, credit: 600_000, delivered_milli_hours: 3_000 };
    let settled = emitted::<EpochSettled>(&pool.suite.session, &escrow)?;
    assert_eq!(settled.iter().map(|e| (e.id, e.epoch, e.state, e.split)).collect::<Vec<_>>(), vec![(0, 1, EpochState::Settled, split)]);
    let deferred = emitted::<YieldDeferred>(&pool.suite.session, &escrow)?;
    assert_eq!(
        deferred.iter().map(|e| (e.amount, &e.reason)).collect::<Vec<_>>(),
        vec![(4_860_000, &CallError::Distribution(DistributeError::NotDistributor))]
    );
    assert_eq!(pool.epoch_state(1)?, Some(EpochState::Settled));
    let totals = pool.totals()?;
    assert_eq!((totals.ledger.released, totals.ledger.fees, totals.ledger.refunded, totals.ledger.held), (4_860_000, 540_000, 2_600_000, 0));
    assert_eq!(totals.unpaid_yield, 4_860_000);
    assert_eq!(pool.refundable()?, 2_600_000);
    assert_eq!((pool.coin_balance(&escrow)?, pool.coin_balance(&token)?), (8 * USDC, 0));
    let coin = pool.suite.coin.clone();
    let allowance: u128 = call(&mut pool.suite.session, &coin, "PSP22::allowance", &[escrow.to_string(), token.to_string()])?;
    assert_eq!(allowance, 0, "the refused approval is withdrawn");
    pool.assert_escrow_covers_obligations()?;

    // Renter and operator are paid regardless.
    let renter = pool.renter.clone();
    assert_eq!(pool.suite.as_actor(&renter, |s| s.escrow_ok::<u128>("withdraw", &[]))?, 2_600_000);
    assert_eq!(pool.suite.as_actor(&operator(), |s| s.escrow_ok::<u128>("withdraw_fees", &[]))?, 540_000);
    assert_eq!((pool.coin_balance(&renter)?, pool.coin_balance(&operator())?), (94_600_000, 540_000));
    assert_eq!(pool.coin_balance(&escrow)?, 4_860_000);
    pool.assert_escrow_covers_obligations()?;

    // While the token still refuses, pushing fails and changes nothing.
    let refused = pool.suite.as_actor(&outsider, |s| s.escrow_err::<u128>("push_yield", &[]))?;
    assert_eq!(refused, Error::YieldRefused(DistributeError::NotDistributor));
    assert_eq!(pool.totals()?.unpaid_yield, 4_860_000);

    // The role restored, anyone hands the yield over: the token receives it exactly.
    pool.suite.admin_ok::<()>("set_distributor", &[escrow.to_string(), "true".into()])?;
    assert_eq!(pool.suite.as_actor(&outsider, |s| s.escrow_ok::<u128>("push_yield", &[]))?, 4_860_000);
    let paid = emitted::<YieldPaid>(&pool.suite.session, &escrow)?;
    assert_eq!(paid.iter().map(|e| e.amount).collect::<Vec<_>>(), vec![4_860_000]);
    assert_eq!((pool.coin_balance(&escrow)?, pool.coin_balance(&token)?), (0, 4_860_000));
    assert_eq!(pool.totals()?.unpaid_yield, 0);
    pool.assert_escrow_covers_obligations()?;
    let nothing = pool.suite.as_actor(&outsider, |s| s.escrow_err::<u128>("push_yield", &[]))?;
    assert_eq!(nothing, Error::NoUnpaidYield);

    // Holders get it 1:3 once streamed.
    pool.suite.pass_yield_period();
    let (bob, charlie) = (pool.bob.clone(), pool.charlie.clone());
    assert_eq!(pool.suite.as_actor(&bob, |s| s.token_ok::<u128>("claim", &[]))?, 1_215_000);
    assert_eq!(pool.suite.as_actor(&charlie, |s| s.token_ok::<u128>("claim", &[]))?, 3_645_000);
    assert_eq!(pool.coin_balance(&token)?, 0);
    Ok(())
}

#[test]
fn a_settle_after_the_report_window_finalizes_on_a_majority_never_on_a_minority() -> TestResult {
    let mut pool = Pool::new(2)?;
    let (escrow, oracle, outsider) = (pool.suite.escrow.clone(), pool.suite.oracle.clone(), pool.outsider.clone());
    let epoch_of = |s: &mut Suite, epoch: u64| {
        call_result::<utilization_oracle::oracle::Finalized, OracleFailure>(&mut s.session, &oracle, "epoch", &["0".into(), epoch.to_string()])
    };

    // Epoch 1: two of the three reporters report (6 and 7 of 8 milli-GPU-hours, 97% uptime).
    pool.suite.report_epoch(1, &[report(6_000, 9_700), report(7_000, 9_700)])?;
    // Inside the report window the third may still report: no settlement, nothing finalized.
    for now in [2 * HOUR + 1, Suite::window_close(1) - 1] {
        pool.suite.set_time(now);
        assert_eq!(pool.settle_err(&outsider, 1)?, Error::AwaitingOracle);
        assert_eq!(epoch_of(&mut pool.suite, 1)?, Err(OracleFailure::NotFinalized));
    }
    assert_eq!(pool.epoch_state(1)?, None);

    // At the window's close, the settle itself finalizes the epoch on 2 of 3 (median 6.5 of 8).
    pool.suite.set_time(Suite::window_close(1));
    pool.settle(&outsider, 1)?;
    let finalized_events = emitted::<EpochFinalized>(&pool.suite.session, &oracle)?;
    assert_eq!(finalized_events.iter().map(|e| (e.feed, e.epoch, e.reports, e.values.gpu_milli_hours)).collect::<Vec<_>>(), vec![(0, 1, 2, 6_500)]);
    // The rental's share: 3.25 of 4 GPU-hours, 6.5 USDC, less the 10% credit: 5.85 paid,
    // 0.585 fee, 5.265 to holders; 2.15 back to the renter.
    let split = Split { to_holders: 5_265_000, fee: 585_000, refund: 2_150_000, credit: 650_000, delivered_milli_hours: 3_250 };
    let settled = emitted::<EpochSettled>(&pool.suite.session, &escrow)?;
    assert_eq!(settled.iter().map(|e| (e.epoch, e.state, e.split)).collect::<Vec<_>>(), vec![(1, EpochState::Settled, split)]);
    let finalized = epoch_of(&mut pool.suite, 1)?.map_err(|e| format!("{e:?}"))?;
    assert_eq!((finalized.reports, finalized.values.gpu_milli_hours, finalized.finalized_at), (2, 6_500, Suite::window_close(1)));
    assert_eq!(pool.refundable()?, 2_150_000);
    let token = pool.suite.token.clone();
    assert_eq!(pool.coin_balance(&token)?, 5_265_000);

    // Epoch 2: only one reporter reports. A minority never finalizes: the settle keeps
    // waiting for the oracle after the window too, until the grace period (2 h) refunds it.
    pool.suite.report_epoch(2, &[report(8_000, 9_990)])?;
    for now in [3 * HOUR + 1, Suite::window_close(2), 3 * HOUR + 2 * HOUR - 1] {
        pool.suite.set_time(now);
        assert_eq!(pool.settle_err(&outsider, 2)?, Error::AwaitingOracle);
    }
    let below = pool.suite.as_actor(&outsider, |s| s.oracle_err::<utilization_oracle::oracle::Finalized>("finalize", &["0".into(), "2".into()]))?;
    assert_eq!(below, OracleFailure::BelowThreshold);
    pool.suite.set_time(3 * HOUR + 2 * HOUR);
    pool.settle(&outsider, 2)?;
    assert_eq!(pool.epoch_state(2)?, Some(EpochState::TimedOut));
    assert_eq!(epoch_of(&mut pool.suite, 2)?, Err(OracleFailure::NotFinalized));
    assert_eq!(pool.refundable()?, 2_150_000 + 8 * USDC);
    let totals = pool.totals()?;
    assert_eq!((totals.ledger.deposited, totals.ledger.released, totals.ledger.fees, totals.ledger.refunded, totals.ledger.held), (16 * USDC, 5_265_000, 585_000, 10_150_000, 0));
    pool.assert_escrow_covers_obligations()
}

#[test]
fn a_yield_sniper_holding_only_around_a_settlement_earns_nothing() -> TestResult {
    let mut pool = Pool::new(1)?;
    let (token, sniper) = (pool.suite.token.clone(), account(4));
    let (bob, charlie) = (pool.bob.clone(), pool.charlie.clone());
    pool.suite.register(&[sniper.clone()])?;
    pool.suite.report_all(1, &report(8_000, 9_990))?;

    // In one block (one timestamp): Charlie lends his 3,000 GPU-h to the sniper, who settles
    // the epoch (7.2 USDC to holders) and sends them back.
    let transfer = |to: &AccountId32, amount: u128| vec![to.to_string(), amount.to_string(), "[]".into()];
    pool.suite.as_actor(&charlie, |s| e2e_tests::sandbox::call_ok::<(), PSP22Error>(&mut s.session, &token, "PSP22::transfer", &transfer(&sniper, 3_000 * GPU_HOUR)))?;
    pool.settle(&sniper, 1)?;
    pool.suite.as_actor(&sniper, |s| e2e_tests::sandbox::call_ok::<(), PSP22Error>(&mut s.session, &token, "PSP22::transfer", &transfer(&charlie, 3_000 * GPU_HOUR)))?;
    assert_eq!(pool.coin_balance(&token)?, 7_200_000);

    // The rent streams to whoever holds while it is released: halfway, half of it to the long holders.
    pool.suite.advance(YIELD_PERIOD / 2);
    assert_eq!((pool.claimable(&bob)?, pool.claimable(&charlie)?, pool.claimable(&sniper)?), (900_000, 2_700_000, 0));
    pool.suite.advance(YIELD_PERIOD / 2);
    let sniped = pool.claimable(&sniper)?;
    assert!(sniped <= 1, "the sniper got {sniped}");
    assert_eq!(sniped, 0);
    let nothing = pool.suite.as_actor(&sniper, |s| s.token_err::<u128>("claim", &[]))?;
    assert_eq!(nothing, TokenError::NothingToClaim);
    assert_eq!(pool.suite.as_actor(&bob, |s| s.token_ok::<u128>("claim", &[]))?, 1_800_000);
    assert_eq!(pool.suite.as_actor(&charlie, |s| s.token_ok::<u128>("claim", &[]))?, 5_400_000);
    assert_eq!((pool.coin_balance(&token)?, pool.coin_balance(&sniper)?), (0, 0));
    Ok(())
}

#[test]
fn recovery_moves_the_yield_of_a_wallet_with_no_tokens_left() -> TestResult {
    let mut pool = Pool::new(1)?;
    let (coin, token) = (pool.suite.coin.clone(), pool.suite.token.clone());
    let (bob, charlie, erin, frank) = (pool.bob.clone(), pool.charlie.clone(), account(5), account(6));
    pool.suite.register(&[erin.clone(), frank.clone()])?;
    // 4,000 units of yield streamed to Bob (1/4) and Charlie (3/4).
    e2e_tests::sandbox::call_ok::<(), PSP22Error>(&mut pool.suite.session, &coin, "PSP22::approve", &[token.to_string(), "4000".into()])?;
    pool.suite.token_ok::<()>("YieldDistributor::distribute", &["4000".into()])?;
    pool.suite.pass_yield_period();
    // Bob sells every token without claiming, then loses his key.
    let all = vec![charlie.to_string(), (1_000 * GPU_HOUR).to_string(), "[]".into()];
    pool.suite.as_actor(&bob, |s| e2e_tests::sandbox::call_ok::<(), PSP22Error>(&mut s.session, &token, "PSP22::transfer", &all))?;
    assert_eq!((pool.suite.balance(&token, &bob)?, pool.claimable(&bob)?), (0, 1_000));

    pool.suite.admin_ok::<()>("recover", &[bob.to_string(), erin.to_string()])?;
    let admin = pool.suite.admin.clone();
    let recovered = emitted::<RecoverySuccess>(&pool.suite.session, &admin)?;
    assert_eq!(recovered.iter().map(|e| (e.lost, e.new, e.amount, e.frozen)).collect::<Vec<_>>(), vec![(ink_id(&bob), ink_id(&erin), 0, 0)]);
    assert_eq!((pool.claimable(&bob)?, pool.claimable(&erin)?), (0, 1_000));
    assert_eq!(pool.suite.as_actor(&erin, |s| s.token_ok::<u128>("claim", &[]))?, 1_000);
    assert_eq!(pool.coin_balance(&erin)?, 1_000);

    // Neither balance nor yield: nothing to recover, for the emptied wallet and a never-used one.
    for lost in [&bob, &frank] {
        let refused = pool.suite.admin_err::<()>("recover", &[lost.to_string(), erin.to_string()])?;
        assert_eq!(refused, AdminFailure::Token(TokenError::NothingToRecover));
    }
    assert_eq!(pool.suite.as_actor(&charlie, |s| s.token_ok::<u128>("claim", &[]))?, 3_000);
    assert_eq!(pool.coin_balance(&token)?, 0);
    Ok(())
}

#[test]
fn the_arbiter_changes_in_two_steps_and_an_open_dispute_keeps_its_arbiter() -> TestResult {
    let mut pool = Pool::new(2)?;
    let (escrow, renter, outsider) = (pool.suite.escrow.clone(), pool.renter.clone(), pool.outsider.clone());
    let (old, new) = (arbiter(), account(43));
    pool.suite.fund(&new)?;
    let arbiters = |s: &mut Suite| -> TestResult<(AccountId, Option<AccountId>)> {
        let parties: (AccountId, AccountId, AccountId, AccountId, AccountId) = call(&mut s.session, &escrow, "parties", &[])?;
        Ok((parties.4, call(&mut s.session, &escrow, "pending_arbiter", &[])?))
    };
    let dispute_arbiter = |s: &mut Suite, epoch: u64| call::<Option<AccountId>>(&mut s.session, &escrow, "dispute_arbiter", &["0".into(), epoch.to_string()]);

    // Epoch 1 ended and the oracle finalized it: the renter disputes its figures, before any
    // change: it is the old arbiter's. (Without figures there is nothing to dispute yet.)
    pool.suite.set_time(2 * HOUR + 1);
    let early = pool.suite.as_actor(&renter, |s| s.escrow_err::<()>("dispute", &["0".into(), "1".into()]))?;
    assert_eq!(early, Error::AwaitingOracle);
    pool.suite.report_all(1, &report(8_000, 9_990))?;
    pool.suite.as_actor(&renter, |s| s.escrow_ok::<()>("dispute", &["0".into(), "1".into()]))?;
    let disputed = emitted::<EpochDisputed>(&pool.suite.session, &escrow)?;
    assert_eq!(disputed.iter().map(|e| (e.id, e.epoch, e.by, e.arbiter)).collect::<Vec<_>>(), vec![(0, 1, ink_id(&renter), ink_id(&old))]);
    assert_eq!(dispute_arbiter(&mut pool.suite, 1)?, Some(ink_id(&old)));

    // Only the owner proposes; a proposal alone changes nothing; only the proposed accepts.
    let not_owner = pool.suite.as_actor(&outsider, |s| s.escrow_err::<()>("propose_arbiter", &[format!("Some({outsider})")]))?;
    assert_eq!(not_owner, Error::NotOwner);
    pool.suite.escrow_ok::<()>("propose_arbiter", &[format!("Some({new})")])?;
    let proposed = emitted::<ArbiterProposed>(&pool.suite.session, &escrow)?;
    assert_eq!(proposed.iter().map(|e| e.proposed).collect::<Vec<_>>(), vec![Some(ink_id(&new))]);
    assert_eq!(arbiters(&mut pool.suite)?, (ink_id(&old), Some(ink_id(&new))));
    for wrong in [&outsider, &old] {
        let refused = pool.suite.as_actor(wrong, |s| s.escrow_err::<()>("accept_arbiter", &[]))?;
        assert_eq!(refused, Error::NotPendingArbiter);
    }
    pool.suite.as_actor(&new, |s| s.escrow_ok::<()>("accept_arbiter", &[]))?;
    let changed = emitted::<ArbiterChanged>(&pool.suite.session, &escrow)?;
    assert_eq!(changed.iter().map(|e| (e.previous, e.arbiter)).collect::<Vec<_>>(), vec![(ink_id(&old), ink_id(&new))]);
    assert_eq!(arbiters(&mut pool.suite)?, (ink_id(&new), None));

    // The open dispute stays with the old arbiter: the new one cannot resolve it.
    assert_eq!(dispute_arbiter(&mut pool.suite, 1)?, Some(ink_id(&old)));
    let resolve = |refund: u128, epoch: u64| vec!["0".to_string(), epoch.to_string(), refund.to_string()];
    let refused = pool.suite.as_actor(&new, |s| s.escrow_err::<()>("resolve", &resolve(2 * USDC, 1)))?;
    assert_eq!(refused, Error::MissingRole(compute_rwa_common::Role::Arbiter));
    // The old arbiter refunds 2 USDC: 6 paid, 0.6 fee, 5.4 to holders.
    pool.suite.as_actor(&old, |s| s.escrow_ok::<()>("resolve", &resolve(2 * USDC, 1)))?;
    let resolved = emitted::<EpochSettled>(&pool.suite.session, &escrow)?;
    let split = Split { to_holders: 5_400_000, fee: 600_000, refund: 2 * USDC, credit: 0, delivered_milli_hours: 0 };
    assert_eq!(resolved.iter().map(|e| (e.epoch, e.state, e.split)).collect::<Vec<_>>(), vec![(1, EpochState::Resolved, split)]);
    let again = pool.suite.as_actor(&old, |s| s.escrow_err::<()>("resolve", &resolve(0, 1)))?;
    assert_eq!(again, Error::NotDisputed);

    // A dispute opened after the change is the new arbiter's alone.
    pool.suite.report_all(2, &report(8_000, 9_990))?;
    pool.suite.as_actor(&operator(), |s| s.escrow_ok::<()>("dispute", &["0".into(), "2".into()]))?;
    assert_eq!(dispute_arbiter(&mut pool.suite, 2)?, Some(ink_id(&new)));
    let refused = pool.suite.as_actor(&old, |s| s.escrow_err::<()>("resolve", &resolve(8 * USDC, 2)))?;
    assert_eq!(refused, Error::MissingRole(compute_rwa_common::Role::Arbiter));
    pool.suite.as_actor(&new, |s| s.escrow_ok::<()>("resolve", &resolve(8 * USDC, 2)))?;
    assert_eq!((pool.epoch_state(1)?, pool.epoch_state(2)?), (Some(EpochState::Resolved), Some(EpochState::Resolved)));

    assert_eq!(pool.refundable()?, 10 * USDC);
    let token = pool.suite.token.clone();
    assert_eq!(pool.coin_balance(&token)?, 5_400_000);
    let totals = pool.totals()?;
    assert_eq!((totals.ledger.released, totals.ledger.fees, totals.ledger.refunded, totals.ledger.held, totals.unpaid_yield), (5_400_000, 600_000, 10 * USDC, 0, 0));
    pool.assert_escrow_covers_obligations()
}

#[test]
fn an_absent_arbiter_cannot_lock_a_disputed_epoch() -> TestResult {
    let mut pool = Pool::new(1)?;
    let (escrow, token, renter, outsider) = (pool.suite.escrow.clone(), pool.suite.token.clone(), pool.renter.clone(), pool.outsider.clone());
    let config: EscrowConfig = call(&mut pool.suite.session, &escrow, "config", &[])?;
    // Epoch 1 delivered in full and finalized; the renter disputes it anyway, and the arbiter never answers.
    pool.suite.report_all(1, &report(8_000, 9_990))?;
    pool.suite.as_actor(&renter, |s| s.escrow_ok::<()>("dispute", &["0".into(), "1".into()]))?;
    let deadline = 2 * HOUR + config.dispute_window + config.arbitration_period;
    for now in [2 * HOUR + 1, deadline - 1] {
        pool.suite.set_time(now);
        assert_eq!(pool.settle_err(&outsider, 1)?, Error::Disputed);
    }
    // At the arbitration deadline anyone settles it like an undisputed epoch, on the oracle's figures.
    pool.suite.set_time(deadline);
    pool.settle(&outsider, 1)?;
    let split = Split { to_holders: 7_200_000, fee: 800_000, refund: 0, credit: 0, delivered_milli_hours: 4_000 };
    let settled = emitted::<EpochSettled>(&pool.suite.session, &escrow)?;
    assert_eq!(settled.iter().map(|e| (e.epoch, e.state, e.split)).collect::<Vec<_>>(), vec![(1, EpochState::Settled, split)]);
    assert_eq!(pool.epoch_state(1)?, Some(EpochState::Settled));
    // The late arbiter can no longer split it.
    let late = pool.suite.as_actor(&arbiter(), |s| s.escrow_err::<()>("resolve", &["0".into(), "1".into(), (8 * USDC).to_string()]))?;
    assert_eq!(late, Error::NotDisputed);
    assert_eq!((pool.coin_balance(&token)?, pool.refundable()?), (7_200_000, 0));
    pool.assert_escrow_covers_obligations()
}
