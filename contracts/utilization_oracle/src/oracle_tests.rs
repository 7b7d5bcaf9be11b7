//! Oracle rules: median, quorum, bounds, windows, staleness, rotation; and properties.
use crate::oracle::*;
use ink::primitives::AccountId;
use proptest::prelude::*;

const HOUR: u64 = 3_600_000;
const GENESIS: u64 = 1_000 * HOUR;

fn account(byte: u8) -> AccountId {
    AccountId::from([byte; 32])
}

fn config() -> FeedConfig {
    FeedConfig {
        pool_token: account(99),
        gpu_count: 8,
        genesis: GENESIS,
        epoch_length: HOUR,
        report_window: HOUR,
        max_age: 2 * HOUR,
        max_wh_per_gpu_hour: 1_000,
        tolerance_bps: 1_000,
    }
}

/// Start of the report window of `epoch`.
fn after(epoch: Epoch) -> u64 {
    GENESIS + (epoch + 1) * HOUR
}

fn report(milli_hours: u64) -> Report {
    Report { gpu_milli_hours: milli_hours, utilization_bps: 9_000, uptime_bps: 9_900, energy_wh: milli_hours / 2, avg_power_w: 700 }
}

/// Feed 0 with reporters 1, 2, 3 and quorum 2, created before genesis.
fn feed() -> OracleData {
    let mut data = OracleData::default();
    data.create_feed(config(), &[account(1), account(2), account(3)], 2).unwrap();
    data
}

#[test]
fn median_of_odd_and_even_counts() {
    assert_eq!(median(vec![5, 1, 3]), 3);
    assert_eq!(median(vec![4, 1, 3, 2]), 2, "mean of 2 and 3, rounded down");
    assert_eq!(median(vec![u64::MAX, u64::MAX]), u64::MAX, "no overflow");
    assert_eq!(median(vec![7]), 7);
    assert_eq!(median(vec![]), 0);
}

#[ink::test]
fn quorum_finalizes_with_the_median() {
    let mut data = feed();
    let first = data.submit(0, 0, account(1), report(8_000), after(0)).unwrap();
    assert_eq!(first, Submitted::Pending { count: 1, quorum: 2 });
    assert_eq!(data.epoch(0, 0), Err(OracleError::NotFinalized));
    let Submitted::Finalized { finalized, flagged } = data.submit(0, 0, account(2), report(7_000), after(0) + 5).unwrap() else {
        panic!("second report should finalize");
    };
    assert_eq!(finalized.values.gpu_milli_hours, 7_500);
    assert_eq!((finalized.reports, finalized.finalized_at), (2, after(0) + 5));
    assert!(flagged.is_empty(), "both within 10% of the median");
    assert_eq!(data.submit(0, 0, account(3), report(7_000), after(0) + 6), Err(OracleError::AlreadyFinalized));
    assert_eq!(data.pending_reports(0, 0), 0);
    assert_eq!(data.submission(0, 0, account(1)), Some(report(8_000)), "per-reporter record kept");
}

#[ink::test]
fn far_reports_are_flagged() {
    let mut data = feed();
    data.set_quorum(0, 3, 0).unwrap();
    data.submit(0, 1, account(1), report(8_000), after(1)).unwrap();
    data.submit(0, 1, account(2), report(8_000), after(1)).unwrap();
    let Submitted::Finalized { flagged, finalized } = data.submit(0, 1, account(3), report(2_000), after(1)).unwrap() else {
        panic!("quorum 3 reached");
    };
    assert_eq!(finalized.values.gpu_milli_hours, 8_000);
    assert_eq!(flagged, vec![account(3)]);
}

#[ink::test]
fn reports_are_checked_for_timing_duplicates_and_authority() {
    let mut data = feed();
    assert_eq!(data.submit(0, 0, account(1), report(1), after(0) - 1), Err(OracleError::EpochNotEnded));
    assert_eq!(data.submit(0, 0, account(1), report(1), after(0) + HOUR), Err(OracleError::ReportTooLate));
    assert_eq!(data.submit(0, 0, account(9), report(1), after(0)), Err(OracleError::NotReporter));
    assert_eq!(data.submit(7, 0, account(1), report(1), after(0)), Err(OracleError::UnknownFeed));
    data.submit(0, 0, account(1), report(1), after(0)).unwrap();
    assert_eq!(data.submit(0, 0, account(1), report(1), after(0)), Err(OracleError::DuplicateReport));
}

#[ink::test]
fn reports_are_bounded() {
    let mut data = feed();
    let mut bad = report(8_000);
    bad.utilization_bps = 10_001;
    assert_eq!(data.submit(0, 0, account(1), bad, after(0)), Err(OracleError::RatioOutOfBounds));
    bad = report(8_000);
    bad.uptime_bps = 10_001;
    assert_eq!(data.submit(0, 0, account(1), bad, after(0)), Err(OracleError::RatioOutOfBounds));
    // 8 GPUs × 1 h = 8,000 milli-GPU-hours at most.
    assert_eq!(data.submit(0, 0, account(1), report(8_001), after(0)), Err(OracleError::HoursOutOfBounds));
    bad = report(8_000);
    bad.energy_wh = 8_001; // 1,000 Wh per GPU-hour × 8 GPU-hours
    assert_eq!(data.submit(0, 0, account(1), bad, after(0)), Err(OracleError::EnergyOutOfBounds));
    bad.energy_wh = 8_000;
    assert!(data.submit(0, 0, account(1), bad, after(0)).is_ok());
}

#[ink::test]
fn staleness_is_judged_by_time() {
    let mut data = feed();
    assert_eq!(data.latest(0, after(0)), Err(OracleError::NotFinalized));
    data.submit(0, 0, account(1), report(8_000), after(0)).unwrap();
    data.submit(0, 0, account(2), report(8_000), after(0)).unwrap();
    assert_eq!(data.latest(0, after(0) + 2 * HOUR).map(|f| f.epoch), Ok(0));
    assert_eq!(data.latest(0, after(0) + 2 * HOUR + 1), Err(OracleError::Stale));
    assert_eq!(data.latest_unchecked(0).map(|f| f.epoch), Ok(0), "the unchecked read leaves the judgement to the caller");
    assert_eq!(data.efficiency(0, 0), Ok(500));
}

#[ink::test]
fn quorum_changes_apply_from_the_next_epoch_and_stay_in_range() {
    let mut data = feed();
    assert_eq!(data.set_quorum(0, 0, 0), Err(OracleError::InvalidQuorum));
    assert_eq!(data.set_quorum(0, 4, 0), Err(OracleError::InvalidQuorum));
    // Set during epoch 5: epoch 5 still needs 2, epoch 6 needs 3.
    let from = data.set_quorum(0, 3, GENESIS + 5 * HOUR + 1).unwrap();
    assert_eq!(from, 6);
    let feed = data.feed(0).unwrap();
    assert_eq!((feed.quorum_for(5), feed.quorum_for(6)), (2, 3));
    assert_eq!(data.remove_reporter(0, account(1), GENESIS), Err(OracleError::InvalidQuorum), "3 reporters, quorum 3");
}

#[ink::test]
fn reporter_rotation_mid_epoch() {
    let mut data = feed();
    let now = GENESIS + 3 * HOUR + 10; // during epoch 3
    assert_eq!(data.add_reporter(0, account(4), now), Ok(4));
    assert_eq!(data.add_reporter(0, account(4), now), Err(OracleError::InvalidReporterSet));
    assert_eq!(data.remove_reporter(0, account(1), now), Ok(4));
    // Epoch 3 is still reported by the old set; epoch 4 by the new one.
    assert_eq!(data.submit(0, 3, account(4), report(1), after(3)), Err(OracleError::NotReporter));
    assert!(data.submit(0, 3, account(1), report(1), after(3)).is_ok());
    assert!(data.submit(0, 4, account(4), report(1), after(4)).is_ok());
    assert_eq!(data.submit(0, 4, account(1), report(1), after(4)), Err(OracleError::NotReporter));
    assert_eq!(data.feed(0).unwrap().reporters, 3);
}

#[ink::test]
fn feed_creation_is_validated() {
    let mut data = OracleData::default();
    let mut bad = config();
    bad.epoch_length = MIN_EPOCH_LENGTH - 1;
    assert_eq!(data.create_feed(bad, &[account(1)], 1), Err(OracleError::InvalidConfig));
    assert_eq!(data.create_feed(config(), &[account(1)], 2), Err(OracleError::InvalidQuorum));
    assert_eq!(data.create_feed(config(), &[account(1), account(1)], 1), Err(OracleError::InvalidReporterSet));
    let many: Vec<_> = (0..=MAX_REPORTERS as u8).map(account).collect();
    assert_eq!(data.create_feed(config(), &many, 1), Err(OracleError::InvalidReporterSet));
}

#[ink::test]
fn history_pages_skip_missing_epochs() {
    let mut data = feed();
    for epoch in [0, 1, 3] {
        data.submit(0, epoch, account(1), report(100 + epoch), after(epoch)).unwrap();
        data.submit(0, epoch, account(2), report(100 + epoch), after(epoch)).unwrap();
    }
    let page: Vec<Epoch> = data.history(0, 0, 4).unwrap().iter().map(|f| f.epoch).collect();
    assert_eq!(page, vec![0, 1, 3]);
    assert_eq!(data.history(0, 2, 1).unwrap(), vec![]);
    assert_eq!(data.feed(0).unwrap().latest, Some(3));
}

fn arb_report() -> impl Strategy<Value = Report> {
    (0u64..=8_000, 0u16..=10_000, 0u16..=10_000, 0u64..=8_000, any::<u32>()).prop_map(|(h, u, up, e, p)| Report {
        gpu_milli_hours: h,
        utilization_bps: u,
        uptime_bps: up,
        energy_wh: e * h / 8_000,
        avg_power_w: p,
    })
}

proptest! {
    #[test]
    fn finalized_values_lie_within_the_reports(reports in proptest::collection::vec(arb_report(), 1..=16usize), quorum_seed in any::<u32>()) {
        let mut outcome = Ok(());
        ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
            outcome = (|| {
                let reporters: Vec<_> = (0..reports.len() as u8).map(|i| account(i + 1)).collect();
                let quorum = quorum_seed % reports.len() as u32 + 1;
                let mut data = OracleData::default();
                data.create_feed(config(), &reporters, quorum).unwrap();
                let mut finalized = None;
                for (i, (who, report)) in reporters.iter().zip(&reports).enumerate() {
                    match data.submit(0, 0, *who, *report, after(0)) {
                        Ok(Submitted::Finalized { finalized: f, .. }) => {
                            prop_assert_eq!(i as u32 + 1, quorum, "finalized exactly at the quorum");
                            finalized = Some(f);
                        }
                        Ok(Submitted::Pending { count, .. }) => prop_assert!(count < quorum),
                        Err(error) => prop_assert_eq!(error, OracleError::AlreadyFinalized),
                    }
                }
                let values = finalized.expect("quorum ≤ reporters").values;
                let used = &reports[..quorum as usize];
                let within = |get: fn(&Report) -> u64, value: u64| {
                    let all: Vec<u64> = used.iter().map(get).collect();
                    *all.iter().min().unwrap() <= value && value <= *all.iter().max().unwrap()
                };
                prop_assert!(within(|r| r.gpu_milli_hours, values.gpu_milli_hours));
                prop_assert!(within(|r| r.utilization_bps.into(), values.utilization_bps.into()));
                prop_assert!(within(|r| r.uptime_bps.into(), values.uptime_bps.into()));
                prop_assert!(within(|r| r.energy_wh, values.energy_wh));
                prop_assert!(within(|r| r.avg_power_w.into(), values.avg_power_w.into()));
                Ok(())
            })();
            Ok(())
        }).unwrap();
        outcome?;
    }

    #[test]
    fn history_is_append_only(steps in proptest::collection::vec((0u64..6, 1u8..=3, 0u64..=8_000), 1..40)) {
        let mut outcome = Ok(());
        ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
            outcome = (|| {
                let mut data = feed();
                let mut seen: Vec<Finalized> = Vec::new();
                for (epoch, reporter, hours) in steps {
                    let _ = data.submit(0, epoch, account(reporter), report(hours), after(epoch));
                    let now: Vec<Finalized> = data.history(0, 0, 6).unwrap();
                    for old in &seen {
                        prop_assert!(now.contains(old), "finalized epoch {} changed or vanished", old.epoch);
                    }
                    for f in &now {
                        prop_assert!(f.reports >= 2, "finalized below quorum");
                    }
                    seen = now;
                }
                Ok(())
            })();
            Ok(())
        }).unwrap();
        outcome?;
    }
}
