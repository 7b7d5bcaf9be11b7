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

/// ref_time of reading a 5-epoch history page after `epochs` finalized epochs.
fn history_page_cost(epochs: u64) -> TestResult<u64> {
    let mut suite = Suite::deploy()?;
    for epoch in 0..epochs {
        suite.report_epoch(epoch, &[report(8_000, 9_900), report(8_000, 9_900)])?;
    }
    let oracle = suite.oracle.clone();
    let page: Read<Vec<Finalized>> = call(&mut suite.session, &oracle, "history", &["0".into(), "3".into(), "5".into()])?;
    assert_eq!(page.map(|p| p.len()), Ok(5));
    Ok(suite.last_weight().0)
}

#[test]
fn history_cost_depends_on_the_page_not_the_total() -> TestResult {
    let few = history_page_cost(10)?;
    let many = history_page_cost(200)?;
    let ratio = many as f64 / few as f64;
    println!("history page of 5: ref_time {few} (10 epochs) vs {many} (200 epochs), ratio {ratio:.4}");
    assert!(ratio <= 1.05, "history read grew with the number of epochs: {ratio}");
    Ok(())
}
