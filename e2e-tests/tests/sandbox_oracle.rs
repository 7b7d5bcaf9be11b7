//! Utilization oracle on a real pallet-contracts runtime (drink): finalization when every
//! eligible reporter has reported or, after the report window, on a strict majority; eviction;
//! weights of submit and finalize; history cost independent of the number of epochs.
use e2e_tests::sandbox::{account, call, call_err, call_ok, call_result, delegate_calls_at, emitted, ink_id, report, reporters, Suite, HOUR};
use e2e_tests::TestResult;
use utilization_oracle::oracle::{Eligibility, Finalized, Report};
use utilization_oracle::utilization_oracle::{EpochFinalized, Error, ReporterEvicted};

type Read<T> = Result<T, Error>;

fn finalized(suite: &mut Suite, epoch: u64) -> TestResult<Read<Finalized>> {
    let oracle = suite.oracle.clone();
    call_result(&mut suite.session, &oracle, "epoch", &["0".into(), epoch.to_string()])
}

#[test]
fn three_reporters_finalize_an_epoch_when_all_have_reported() -> TestResult {
    let mut suite = Suite::deploy()?;
    let weights = suite.report_epoch(0, &[report(8_000, 9_900), report(7_000, 9_800), report(7_500, 9_850)])?;
    println!("weight of submit (pending): ref_time {}, proof_size {}", weights[0].0, weights[0].1);
    println!("weight of submit (finalizing): ref_time {}, proof_size {}", weights[2].0, weights[2].1);
    assert!(weights[2].0 > weights[0].0, "finalizing does more work than recording");
    let oracle = suite.oracle.clone();
    let events = emitted::<EpochFinalized>(&suite.session, &oracle)?;
    assert_eq!(events.iter().map(|e| (e.feed, e.epoch, e.reports)).collect::<Vec<_>>(), vec![(0, 0, 3)]);

    let epoch = finalized(&mut suite, 0)?.map_err(|e| format!("{e:?}"))?;
    assert_eq!((epoch.values.gpu_milli_hours, epoch.values.uptime_bps, epoch.reports), (7_500, 9_850, 3));
    assert_eq!(epoch.finalized_at, HOUR + 1, "finalized by the third report, inside the window");
    let verdict: Read<Eligibility> = call(&mut suite.session, &oracle, "eligible", &["0".into(), "0".into()])?;
    assert_eq!(verdict.map(|e| e.flagged), Ok(vec![]), "all three within 10% of the median");

    // A finalized epoch takes no more reports; `finalize` just returns it.
    let first = reporters()[0].clone();
    let late = suite.as_actor(&first, |s| s.oracle_err::<bool>("submit", &["0".into(), "0".into(), report(1, 1)]))?;
    assert_eq!(late, Error::AlreadyFinalized);
    assert_eq!(suite.oracle_ok::<Finalized>("finalize", &["0".into(), "0".into()])?, epoch);

    // Two hours after the epoch's end the latest value is still fresh; one ms later it is stale.
    suite.set_time(HOUR + 2 * HOUR);
    let fresh: Read<Finalized> = call(&mut suite.session, &oracle, "latest", &["0".into()])?;
    assert_eq!(fresh.map(|f| f.epoch), Ok(0));
    suite.set_time(HOUR + 2 * HOUR + 1);
    let stale = suite.oracle_err::<Finalized>("latest", &["0".into()])?;
    assert_eq!(stale, Error::Stale);
    Ok(())
}

/// The deployed oracle is its crate's front build (as the token and the vault are): reports,
/// finalization and the reads other contracts make run in its own code; the owner's messages and
/// the other reads run by delegate call in the full build's code, with one storage layout.
#[test]
fn the_oracle_runs_its_front_and_delegates_governance() -> TestResult {
    let mut suite = Suite::deploy()?;
    let (oracle, issuer) = (suite.oracle.clone(), suite.issuer.clone());
    let logic = e2e_tests::sandbox::assert_front(&mut suite.session, "utilization_oracle", &oracle, issuer)?;
    let delegated = |suite: &Suite| delegate_calls_at(&suite.session, &oracle);
    // The finalizing report runs in the front; a read the front hands on sees what it wrote.
    suite.report_epoch(0, &[report(8_000, 9_900), report(7_000, 9_800), report(7_500, 9_850)])?;
    assert_eq!(delegated(&suite), Vec::<String>::new(), "a report runs in the front");
    let epoch = finalized(&mut suite, 0)?.map_err(|e| format!("{e:?}"))?;
    assert_eq!((epoch.values.gpu_milli_hours, epoch.reports), (7_500, 3));
    assert_eq!(delegated(&suite), vec![logic.clone()], "`epoch` runs in the logic code");
    // The owner's messages run in the logic code; a refusal there is the oracle's own.
    call_ok::<(), Error>(&mut suite.session, &oracle, "add_reporter", &["0".into(), account(40).to_string()])?;
    assert_eq!(delegated(&suite), vec![logic], "the owner's messages run in the logic code");
    let outsider = account(41);
    suite.fund(&outsider)?;
    let refused = suite.as_actor(&outsider, |s| call_err::<(), Error>(&mut s.session, &oracle, "set_quorum", &["0".into(), "1".into()]))?;
    assert_eq!(refused, Error::NotOwner);
    Ok(())
}

#[test]
fn two_of_three_finalize_only_after_the_report_window_and_one_never() -> TestResult {
    let mut suite = Suite::deploy()?;
    let outsider = account(99);
    suite.fund(&outsider)?;
    let oracle = suite.oracle.clone();
    let [first, second, third] = reporters();
    // Epoch 0: two of three report.
    suite.report_epoch(0, &[report(8_000, 9_900), report(7_000, 9_800)])?;
    let eligibility: Read<Eligibility> = call(&mut suite.session, &oracle, "eligible", &["0".into(), "0".into()])?;
    assert_eq!(eligibility, Ok(Eligibility { reporters: vec![ink_id(&first), ink_id(&second), ink_id(&third)], quorum: 2, threshold: 2, reported: 2, flagged: vec![] }));

    // While the window is open, 2 of 3 is not final: the third reporter may still report.
    suite.set_time(Suite::window_close(0) - 1);
    let early = suite.as_actor(&outsider, |s| s.oracle_err::<Finalized>("finalize", &["0".into(), "0".into()]))?;
    assert_eq!(early, Error::NotReady);
    assert_eq!(finalized(&mut suite, 0)?, Err(Error::NotFinalized));

    // Once it has closed, anyone finalizes on the majority: the median of the two reports.
    suite.set_time(Suite::window_close(0));
    let epoch = suite.as_actor(&outsider, |s| s.oracle_ok::<Finalized>("finalize", &["0".into(), "0".into()]))?;
    let (ref_time, proof_size) = suite.last_weight();
    println!("weight of finalize (2 of 3 after the window): ref_time {ref_time}, proof_size {proof_size}");
    let events = emitted::<EpochFinalized>(&suite.session, &oracle)?;
    assert_eq!(events.iter().map(|e| (e.epoch, e.reports)).collect::<Vec<_>>(), vec![(0, 2)]);
    assert_eq!((epoch.values.gpu_milli_hours, epoch.values.uptime_bps, epoch.reports, epoch.finalized_at), (7_500, 9_850, 2, 2 * HOUR));
    assert_eq!(finalized(&mut suite, 0)?, Ok(epoch));

    // Epoch 1: one report of three is a minority, refused before and after the window closes.
    suite.report_epoch(1, &[report(8_000, 9_900)])?;
    suite.set_time(Suite::window_close(1) - 1);
    assert_eq!(suite.oracle_err::<Finalized>("finalize", &["0".into(), "1".into()])?, Error::NotReady);
    suite.set_time(Suite::window_close(1));
    assert_eq!(suite.oracle_err::<Finalized>("finalize", &["0".into(), "1".into()])?, Error::BelowThreshold);
    let late = suite.as_actor(&second, |s| s.oracle_err::<bool>("submit", &["0".into(), "1".into(), report(8_000, 9_900)]))?;
    assert_eq!(late, Error::ReportTooLate);
    assert_eq!(finalized(&mut suite, 1)?, Err(Error::NotFinalized));
    Ok(())
}

#[test]
fn an_evicted_reporter_leaves_the_open_epochs_at_once() -> TestResult {
    let mut suite = Suite::deploy()?;
    let oracle = suite.oracle.clone();
    let [first, second, third] = reporters();
    // Epoch 0: the third reporter submits an outlier, then its key is found compromised.
    suite.set_time(HOUR + 1);
    suite.as_actor(&third, |s| s.oracle_ok::<bool>("submit", &["0".into(), "0".into(), report(1_000, 5_000)]))?;
    suite.oracle_ok::<()>("evict_reporter", &["0".into(), third.to_string()])?;
    let evicted = emitted::<ReporterEvicted>(&suite.session, &oracle)?;
    assert_eq!(evicted.iter().map(|e| (e.feed, e.reporter, e.from_epoch)).collect::<Vec<_>>(), vec![(0, ink_id(&third), 2)]);
    // Its report no longer counts: epoch 0's eligible set is the two others, threshold 2.
    let eligibility: Read<Eligibility> = call(&mut suite.session, &oracle, "eligible", &["0".into(), "0".into()])?;
    assert_eq!(eligibility, Ok(Eligibility { reporters: vec![ink_id(&first), ink_id(&second)], quorum: 2, threshold: 2, reported: 0, flagged: vec![] }));
    let discarded: Option<Report> = call(&mut suite.session, &oracle, "submission", &["0".into(), "0".into(), third.to_string()])?;
    assert_eq!(discarded, None);

    // The two remaining reporters are every eligible one: their reports finalize epoch 0 at once,
    // inside its window, with the median of their figures only.
    let finalizing = suite.as_actor(&first, |s| s.oracle_ok::<bool>("submit", &["0".into(), "0".into(), report(8_000, 9_900)]))?;
    assert!(!finalizing);
    let finalizing = suite.as_actor(&second, |s| s.oracle_ok::<bool>("submit", &["0".into(), "0".into(), report(7_000, 9_800)]))?;
    assert!(finalizing);
    let epoch = finalized(&mut suite, 0)?.map_err(|e| format!("{e:?}"))?;
    assert_eq!((epoch.values.gpu_milli_hours, epoch.values.uptime_bps, epoch.reports), (7_500, 9_850, 2));

    // Nor can it report a later epoch.
    suite.set_time(2 * HOUR + 1);
    let refused = suite.as_actor(&third, |s| s.oracle_err::<bool>("submit", &["0".into(), "1".into(), report(8_000, 9_900)]))?;
    assert_eq!(refused, Error::MissingRole(compute_rwa_common::Role::Reporter));
    Ok(())
}

/// ref_time of the last finalizing `submit` and of reading a 5-epoch history page, after
/// `epochs` finalized epochs.
fn submit_and_history_costs(epochs: u64) -> TestResult<(u64, u64)> {
    let mut suite = Suite::deploy()?;
    let mut submit = 0;
    for epoch in 0..epochs {
        submit = suite.report_all(epoch, &report(8_000, 9_900))?[2].0;
    }
    let oracle = suite.oracle.clone();
    let page: Read<Vec<Finalized>> = call(&mut suite.session, &oracle, "history", &["0".into(), "3".into(), "5".into()])?;
    assert_eq!(page.map(|p| p.len()), Ok(5));
    Ok((submit, suite.last_weight().0))
}

#[test]
fn history_and_submit_cost_do_not_grow_with_epochs() -> TestResult {
    let (submit_few, history_few) = submit_and_history_costs(10)?;
    let (submit_many, history_many) = submit_and_history_costs(200)?;
    let (history_ratio, submit_ratio) = (history_many as f64 / history_few as f64, submit_many as f64 / submit_few as f64);
    println!("history page of 5: ref_time {history_few} (10 epochs) vs {history_many} (200 epochs), ratio {history_ratio:.4}");
    println!("submit after 10 vs 200 epochs: ref_time {submit_few} vs {submit_many}, ratio {submit_ratio:.4}");
    assert!(history_ratio <= 1.05, "history read grew with the number of epochs: {history_ratio}");
    assert!(submit_ratio <= 1.05, "submit grew with the number of epochs: {submit_ratio}");
    Ok(())
}
