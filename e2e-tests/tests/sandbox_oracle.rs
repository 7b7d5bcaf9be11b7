//! Utilization oracle on a real pallet-contracts runtime (drink): quorum finalization,
//! weights of submit and finalize, history cost independent of the number of epochs.
use e2e_tests::sandbox::{call, report, reporters, Suite, HOUR};
use e2e_tests::TestResult;
use utilization_oracle::oracle::{Finalized, OracleError};
use utilization_oracle::utilization_oracle::Error;

type Read<T> = Result<T, Error>;

#[test]
fn three_reporters_with_quorum_two_finalize_an_epoch() -> TestResult {
    let mut suite = Suite::deploy()?;
    let weights = suite.report_epoch(0, &[report(8_000, 9_900), report(7_000, 9_800)])?;
    println!("weight of submit (pending): ref_time {}, proof_size {}", weights[0].0, weights[0].1);
    println!("weight of submit (finalizing): ref_time {}, proof_size {}", weights[1].0, weights[1].1);
    assert!(weights[1].0 > weights[0].0, "finalizing does more work than recording");

    let oracle = suite.oracle.clone();
    let finalized: Read<Finalized> = call(&mut suite.session, &oracle, "epoch", &["0".into(), "0".into()])?;
    let finalized = finalized.map_err(|e| format!("{e:?}"))?;
    assert_eq!(finalized.values.gpu_milli_hours, 7_500);
    assert_eq!(finalized.values.uptime_bps, 9_850);
    assert_eq!(finalized.reports, 2);

    // The third reporter is too late for a final epoch; an outsider is no reporter.
    let third = reporters()[2].clone();
    let late = suite.as_actor(&third, |s| {
        e2e_tests::sandbox::call_err::<bool, Error>(&mut s.session, &oracle, "submit", &["0".into(), "0".into(), report(1, 1)])
    })?;
    assert_eq!(late, Error::Oracle(OracleError::AlreadyFinalized));

    // Two hours after the epoch's end the latest value is still fresh; one ms later it is stale.
    suite.set_time(HOUR + 2 * HOUR);
    let fresh: Read<Finalized> = call(&mut suite.session, &oracle, "latest", &["0".into()])?;
    assert_eq!(fresh.map(|f| f.epoch), Ok(0));
    suite.set_time(HOUR + 2 * HOUR + 1);
    let stale = e2e_tests::sandbox::call_err::<Finalized, Error>(&mut suite.session, &oracle, "latest", &["0".into()])?;
    assert_eq!(stale, Error::Oracle(OracleError::Stale));
    Ok(())
}

/// ref_time of the last finalizing `submit` and of reading a 5-epoch history page, after
/// `epochs` finalized epochs.
fn submit_and_history_costs(epochs: u64) -> TestResult<(u64, u64)> {
    let mut suite = Suite::deploy()?;
    let mut submit = 0;
    for epoch in 0..epochs {
        submit = suite.report_epoch(epoch, &[report(8_000, 9_900), report(8_000, 9_900)])?[1].0;
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
