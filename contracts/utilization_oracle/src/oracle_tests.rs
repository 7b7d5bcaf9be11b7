//! Oracle rules: median, eligible sets, finalization, bounds, windows, staleness, rotation,
//! eviction; and properties.
use crate::oracle::*;
use compute_rwa_common::Role;
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

/// When the report window of `epoch` closes.
fn close(epoch: Epoch) -> u64 {
    after(epoch) + HOUR
}

/// Feed 0 with reporters 1, 2, 3 and quorum 2, created before genesis.
fn feed() -> OracleData {
    let mut data = OracleData::default();
    data.create_feed(config(), &[account(1), account(2), account(3)], 2).unwrap();
    data
}

/// Every reporter of `who` reports `hours` for `epoch`, as the window opens.
fn all_report(data: &mut OracleData, epoch: Epoch, who: &[u8], hours: u64) {
    for reporter in who {
        data.submit(0, epoch, account(*reporter), report(hours), after(epoch)).unwrap();
    }
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
fn the_last_eligible_report_finalizes_with_the_median() {
    let mut data = feed();
    let first = data.submit(0, 0, account(1), report(8_000), after(0)).unwrap();
    assert_eq!(first, Submitted::Pending { count: 1, eligible: 3 });
    assert_eq!(data.submit(0, 0, account(2), report(7_000), after(0) + 1), Ok(Submitted::Pending { count: 2, eligible: 3 }));
    assert_eq!(data.epoch(0, 0), Err(Error::NotFinalized));
    assert_eq!(data.pending_reports(0, 0), 2);
    let Submitted::Finalized { finalized, flagged } = data.submit(0, 0, account(3), report(7_500), after(0) + 5).unwrap() else {
        panic!("the third report should finalize");
    };
    assert_eq!(finalized.values.gpu_milli_hours, 7_500);
    assert_eq!((finalized.reports, finalized.finalized_at), (3, after(0) + 5));
    assert!(flagged.is_empty(), "all within 10% of the median");
    assert_eq!(data.submit(0, 0, account(3), report(7_000), after(0) + 6), Err(Error::AlreadyFinalized));
    assert_eq!(data.finalize(0, 0, after(0) + 6), Err(Error::AlreadyFinalized));
    assert_eq!(data.pending_reports(0, 0), 0);
    assert_eq!(data.submission(0, 0, account(1)), Some(report(8_000)), "per-reporter record kept");
    assert_eq!(data.eligible(0, 0).map(|e| (e.reporters.len(), e.threshold, e.reported)), Ok((3, 2, 3)));
}

#[ink::test]
fn a_closed_window_finalizes_on_a_strict_majority() {
    let mut data = feed();
    data.submit(0, 0, account(1), report(8_000), after(0)).unwrap();
    assert_eq!(data.finalize(0, 0, after(0)), Err(Error::NotReady));
    assert_eq!(data.finalize(0, 0, close(0)), Err(Error::BelowThreshold), "1 of 3");
    data.submit(0, 1, account(1), report(8_000), after(1)).unwrap();
    data.submit(0, 1, account(2), report(7_001), after(1)).unwrap();
    assert_eq!(data.finalize(0, 1, close(1) - 1), Err(Error::NotReady), "window still open");
    assert_eq!(data.submit(0, 1, account(3), report(1), close(1)), Err(Error::ReportTooLate));
    let (finalized, flagged) = data.finalize(0, 1, close(1)).unwrap();
    assert_eq!((finalized.values.gpu_milli_hours, finalized.reports, finalized.finalized_at), (7_500, 2, close(1)), "mean of the middle two");
    assert!(flagged.is_empty());
    assert_eq!(data.finalize(7, 1, close(1)), Err(Error::UnknownFeed));
    assert_eq!(data.finalize(0, 9, close(1)), Err(Error::NotReady), "not even ended");
    // The quorum is a floor: 4 reporters with quorum 4 need all 4 even after the window.
    // (A second feed of the same storage: the off-chain test storage is per test, not per `OracleData`.)
    assert_eq!(data.create_feed(config(), &[1, 2, 3, 4].map(account), 4), Ok(1));
    for who in 1..=3 {
        data.submit(1, 0, account(who), report(8_000), after(0)).unwrap();
    }
    assert_eq!(data.finalize(1, 0, close(0)), Err(Error::BelowThreshold));
    assert_eq!(data.eligible(1, 0).map(|e| (e.quorum, e.threshold, e.reported)), Ok((4, 4, 3)));
    assert_eq!(threshold(5, 5), 5);
    assert_eq!(threshold(5, 1), 3);
    assert_eq!(threshold(2, 1), 2);
    assert_eq!(threshold(0, 0), 1, "an empty set never finalizes");
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
    // The verdict is recorded with the epoch, so auditors read it instead of re-deriving the rule.
    assert_eq!(data.eligible(0, 1).map(|e| e.flagged), Ok(vec![account(3)]));
    assert_eq!(data.eligible(0, 2).map(|e| e.flagged), Ok(vec![]), "an open epoch flags nobody yet");
}

#[ink::test]
fn reports_are_checked_for_timing_duplicates_and_authority() {
    let mut data = feed();
    assert_eq!(data.submit(0, 0, account(1), report(1), after(0) - 1), Err(Error::EpochNotEnded));
    assert_eq!(data.submit(0, 0, account(1), report(1), after(0) + HOUR), Err(Error::ReportTooLate));
    assert_eq!(data.submit(0, 0, account(9), report(1), after(0)), Err(Error::MissingRole(Role::Reporter)));
    assert_eq!(data.submit(7, 0, account(1), report(1), after(0)), Err(Error::UnknownFeed));
    data.submit(0, 0, account(1), report(1), after(0)).unwrap();
    assert_eq!(data.submit(0, 0, account(1), report(1), after(0)), Err(Error::DuplicateReport));
}

#[ink::test]
fn reports_are_bounded() {
    let mut data = feed();
    let mut bad = report(8_000);
    bad.utilization_bps = 10_001;
    assert_eq!(data.submit(0, 0, account(1), bad, after(0)), Err(Error::RatioOutOfBounds));
    bad = report(8_000);
    bad.uptime_bps = 10_001;
    assert_eq!(data.submit(0, 0, account(1), bad, after(0)), Err(Error::RatioOutOfBounds));
    // 8 GPUs × 1 h = 8,000 milli-GPU-hours at most.
    assert_eq!(data.submit(0, 0, account(1), report(8_001), after(0)), Err(Error::HoursOutOfBounds));
    bad = report(8_000);
    bad.energy_wh = 8_001; // 1,000 Wh per GPU-hour × 8 GPU-hours
    assert_eq!(data.submit(0, 0, account(1), bad, after(0)), Err(Error::EnergyOutOfBounds));
    bad.energy_wh = 8_000;
    assert!(data.submit(0, 0, account(1), bad, after(0)).is_ok());
}

#[ink::test]
fn staleness_is_judged_by_time() {
    let mut data = feed();
    assert_eq!(data.latest(0, after(0)), Err(Error::NotFinalized));
    all_report(&mut data, 0, &[1, 2, 3], 8_000);
    assert_eq!(data.latest(0, after(0) + 2 * HOUR).map(|f| f.epoch), Ok(0));
    assert_eq!(data.latest(0, after(0) + 2 * HOUR + 1), Err(Error::Stale));
    assert_eq!(data.latest_unchecked(0).map(|f| f.epoch), Ok(0), "the unchecked read leaves the judgement to the caller");
    assert_eq!(data.efficiency(0, 0), Ok(500));
}

#[ink::test]
fn quorum_changes_apply_from_the_next_epoch_and_stay_in_range() {
    let mut data = feed();
    assert_eq!(data.set_quorum(0, 0, 0), Err(Error::InvalidQuorum));
    assert_eq!(data.set_quorum(0, 4, 0), Err(Error::InvalidQuorum));
    // Set during epoch 5: epoch 5 keeps 2, epoch 6 on needs 3.
    let from = data.set_quorum(0, 3, GENESIS + 5 * HOUR + 1).unwrap();
    assert_eq!(from, 6);
    let quorum = |data: &OracleData, epoch| data.eligible(0, epoch).map(|e| e.quorum);
    assert_eq!((quorum(&data, 5), quorum(&data, 6), quorum(&data, 60)), (Ok(2), Ok(3), Ok(3)));
    assert_eq!(data.remove_reporter(0, account(1), GENESIS + 5 * HOUR + 2), Err(Error::InvalidQuorum), "3 reporters, quorum 3");
    // Changes in the same epoch share one new set; a later epoch's change starts another.
    assert_eq!(data.set_quorum(0, 2, GENESIS + 5 * HOUR + 3), Ok(6));
    assert_eq!(data.set_quorum(0, 1, GENESIS + 8 * HOUR), Ok(9));
    assert_eq!(data.feed(0).map(|f| f.sets), Ok(3));
    let quorums: Vec<_> = (0..12).map(|epoch| quorum(&data, epoch).unwrap()).collect();
    assert_eq!(quorums, vec![2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1]);
}

#[ink::test]
fn reporter_rotation_mid_epoch() {
    let mut data = feed();
    let now = GENESIS + 3 * HOUR + 10; // during epoch 3
    assert_eq!(data.add_reporter(0, account(4), now), Ok(4));
    assert_eq!(data.add_reporter(0, account(4), now), Err(Error::InvalidReporterSet));
    assert_eq!(data.remove_reporter(0, account(1), now), Ok(4));
    // Epoch 3 is still reported by the old set; epoch 4 by the new one.
    assert_eq!(data.submit(0, 3, account(4), report(1), after(3)), Err(Error::MissingRole(Role::Reporter)));
    assert!(data.submit(0, 3, account(1), report(1), after(3)).is_ok());
    assert!(data.submit(0, 4, account(4), report(1), after(4)).is_ok());
    assert_eq!(data.submit(0, 4, account(1), report(1), after(4)), Err(Error::MissingRole(Role::Reporter)));
    assert_eq!(data.eligible(0, 3).map(|e| e.reporters), Ok(vec![account(1), account(2), account(3)]));
    assert_eq!(data.eligible(0, 4).map(|e| e.reporters), Ok(vec![account(2), account(3), account(4)]));
    assert_eq!(data.remove_reporter(0, account(1), now), Err(Error::MissingRole(Role::Reporter)), "already out of the next set");
    // Re-adding in the same epoch cancels the removal: the membership continues.
    assert_eq!(data.add_reporter(0, account(1), now), Ok(4));
    assert_eq!(data.reporter_window(0, account(1)), Some(ReporterWindow { from: 0, until: None, evicted_before: None }));
}

#[ink::test]
fn feed_creation_is_validated() {
    let mut data = OracleData::default();
    let mut bad = config();
    bad.epoch_length = MIN_EPOCH_LENGTH - 1;
    assert_eq!(data.create_feed(bad, &[account(1)], 1), Err(Error::InvalidConfig));
    assert_eq!(data.create_feed(config(), &[account(1)], 2), Err(Error::InvalidQuorum));
    assert_eq!(data.create_feed(config(), &[account(1), account(1)], 1), Err(Error::InvalidReporterSet));
    let many: Vec<_> = (0..=MAX_REPORTERS as u8).map(account).collect();
    assert_eq!(data.create_feed(config(), &many, 1), Err(Error::InvalidReporterSet));
}

#[ink::test]
fn history_pages_skip_missing_epochs() {
    let mut data = feed();
    for epoch in [0, 1, 3] {
        all_report(&mut data, epoch, &[1, 2, 3], 100 + epoch);
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

/// Runs a property body inside ink!'s off-chain environment (storage mappings need it).
fn in_env(body: impl FnOnce() -> Result<(), TestCaseError>) -> Result<(), TestCaseError> {
    let mut outcome = Ok(());
    ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
        outcome = body();
        Ok(())
    })
    .unwrap();
    outcome
}

/// Each field of `values` lies within the range of that field over `reports`.
fn within(values: &Report, reports: &[Report]) -> bool {
    let fields = |r: &Report| [r.gpu_milli_hours, r.utilization_bps.into(), r.uptime_bps.into(), r.energy_wh, r.avg_power_w.into()];
    let value = fields(values);
    (0..5).all(|i| {
        let all = reports.iter().map(|r| fields(r)[i]);
        all.clone().min().is_some_and(|min| min <= value[i]) && all.max().is_some_and(|max| value[i] <= max)
    })
}

/// A governance, report or time step for `started_epochs_keep_their_reporters`.
#[derive(Debug, Clone)]
enum Step {
    Add(u8),
    Remove(u8),
    Quorum(u32),
    Evict(u8),
    Submit(u8, u64),
    Finalize(u64),
    Wait(u64),
}

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        1 => (1u8..=6).prop_map(Step::Add),
        1 => (1u8..=6).prop_map(Step::Remove),
        1 => (0u32..=5).prop_map(Step::Quorum),
        1 => (1u8..=6).prop_map(Step::Evict),
        3 => (1u8..=6, 0u64..3).prop_map(|(who, back)| Step::Submit(who, back)),
        1 => (0u64..3).prop_map(Step::Finalize),
        3 => (0u64..2 * HOUR).prop_map(Step::Wait),
    ]
}

proptest! {
    #[test]
    fn finalized_values_lie_within_the_reports(reports in proptest::collection::vec(arb_report(), 1..=16usize), quorum_seed in any::<u32>()) {
        in_env(|| {
            let reporters: Vec<_> = (1..=reports.len() as u8).map(account).collect();
            let quorum = quorum_seed % reports.len() as u32 + 1;
            let mut data = OracleData::default();
            data.create_feed(config(), &reporters, quorum).unwrap();
            let mut finalized = None;
            for (i, (who, report)) in reporters.iter().zip(&reports).enumerate() {
                match data.submit(0, 0, *who, *report, after(0)) {
                    Ok(Submitted::Finalized { finalized: f, .. }) => {
                        prop_assert_eq!(i + 1, reports.len(), "finalized exactly at the last eligible report");
                        finalized = Some(f);
                    }
                    Ok(Submitted::Pending { count, eligible }) => prop_assert_eq!((count, eligible), (i as u32 + 1, reports.len() as u32)),
                    Err(error) => prop_assert!(false, "refused: {:?}", error),
                }
            }
            let finalized = finalized.expect("every reporter reported");
            prop_assert_eq!(finalized.reports, reports.len() as u32);
            prop_assert!(within(&finalized.values, &reports));
            Ok(())
        })?;
    }

    #[test]
    fn history_is_append_only(steps in proptest::collection::vec((0u64..6, 1u8..=4, 0u64..=8_000), 1..40)) {
        in_env(|| {
            let mut data = feed();
            let mut seen: Vec<Finalized> = Vec::new();
            for (epoch, reporter, hours) in steps {
                // Reporter 4 stands for anyone finalizing as the window closes.
                let _ = match reporter {
                    4 => data.finalize(0, epoch, close(epoch)).map(|_| ()),
                    _ => data.submit(0, epoch, account(reporter), report(hours), after(epoch)).map(|_| ()),
                };
                let now: Vec<Finalized> = data.history(0, 0, 6).unwrap();
                for old in &seen {
                    prop_assert!(now.contains(old), "finalized epoch {} changed or vanished", old.epoch);
                }
                for f in &now {
                    prop_assert!(f.reports >= 2, "finalized below a strict majority");
                }
                seen = now;
            }
            Ok(())
        })?;
    }

    /// Item 7: with n = 2f + 1 eligible reporters, at most f liars reporting anything at any
    /// time (also too late), every honest reporter reporting inside the window, and finalize
    /// tried at random times, a finalized field lies within the honest reports' range, and no
    /// epoch finalizes before every eligible reporter reported or the window closed.
    #[test]
    fn a_minority_cannot_move_the_median(
        f in 0usize..=7,
        quorum_seed in any::<u32>(),
        honest in proptest::collection::vec((arb_report(), 0u64..HOUR), 8),
        liars in proptest::collection::vec((arb_report(), proptest::option::of(0u64..2 * HOUR)), 7),
        finalizes in proptest::collection::vec(0u64..3 * HOUR, 0..6),
        ties in proptest::collection::vec(any::<u16>(), 32),
        order_seed in any::<u64>(),
    ) {
        in_env(|| {
            let n = 2 * f + 1;
            let quorum = quorum_seed % n as u32 + 1;
            // Liars sit at random positions of the set.
            let mut members: Vec<u8> = (1..=n as u8).collect();
            let mut seed = order_seed;
            for i in (1..members.len()).rev() {
                members.swap(i, (seed % (i as u64 + 1)) as usize);
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            }
            let (honest_ids, liar_ids) = members.split_at(f + 1);
            let mut data = OracleData::default();
            data.create_feed(config(), &members.iter().map(|m| account(*m)).collect::<Vec<_>>(), quorum).unwrap();
            // Events: (time, tie-break, reporter or 0 for finalize, report).
            let mut events: Vec<(u64, u16, u8, Report)> = Vec::new();
            for (id, (report, at)) in honest_ids.iter().zip(&honest) {
                events.push((after(0) + at, 0, *id, *report));
            }
            for (id, (report, at)) in liar_ids.iter().zip(&liars) {
                if let Some(at) = at {
                    events.push((after(0) + at, 0, *id, *report));
                }
            }
            for at in &finalizes {
                events.push((GENESIS + at, 0, 0, Report::default()));
            }
            for (event, tie) in events.iter_mut().zip(&ties) {
                event.1 = *tie;
            }
            events.sort_by_key(|event| (event.0, event.1));
            let honest_reports: Vec<Report> = honest.iter().take(f + 1).map(|(report, _)| *report).collect();
            let mut reported = 0usize;
            let mut done: Option<Finalized> = None;
            for (now, _, who, report) in events {
                let result = if who == 0 {
                    data.finalize(0, 0, now).map(|(finalized, _)| Some(finalized))
                } else {
                    data.submit(0, 0, account(who), report, now).map(|outcome| match outcome {
                        Submitted::Finalized { finalized, .. } => Some(finalized),
                        Submitted::Pending { .. } => None,
                    })
                };
                match result {
                    Ok(finalized) => {
                        if who != 0 {
                            reported += 1;
                        }
                        if let Some(finalized) = finalized {
                            prop_assert!(done.is_none(), "finalized twice");
                            prop_assert!(reported == n || now >= close(0), "finalized at {} with {} of {} reports", now, reported, n);
                            prop_assert!(within(&finalized.values, &honest_reports), "{:?} outside the honest range", finalized.values);
                            done = Some(finalized);
                        }
                    }
                    Err(Error::ReportTooLate) => prop_assert!(who != 0 && now >= close(0)),
                    Err(Error::AlreadyFinalized) => prop_assert!(done.is_some()),
                    Err(Error::NotReady) => prop_assert!(who == 0 && now < close(0) && reported < n),
                    Err(Error::BelowThreshold) => prop_assert!(who == 0 && now >= close(0)),
                    Err(error) => prop_assert!(false, "unexpected {:?}", error),
                }
            }
            // Anyone finalizes after the window: it succeeds exactly with the threshold.
            let expected_threshold = (n as u32 / 2 + 1).max(quorum.min(n as u32));
            let last = data.finalize(0, 0, close(0));
            match done {
                Some(finalized) => prop_assert_eq!(last, Err(Error::AlreadyFinalized), "{:?}", finalized),
                None if reported as u32 >= expected_threshold => {
                    let (finalized, _) = last.unwrap();
                    prop_assert_eq!(finalized.reports, reported as u32);
                    prop_assert!(within(&finalized.values, &honest_reports));
                }
                None => prop_assert_eq!(last, Err(Error::BelowThreshold)),
            }
            Ok(())
        })?;
    }

    /// Item 8: through random governance, reports, finalizations and time, the eligible set
    /// and quorum of an epoch never change once it has started, except that an eviction
    /// removes the evicted account from the epochs not finalized at the time.
    #[test]
    fn started_epochs_keep_their_reporters(steps in proptest::collection::vec(arb_step(), 1..40)) {
        in_env(|| {
            let mut data = feed();
            let mut now = GENESIS - HOUR;
            // Epoch -> (expected eligible reporters, quorum), fixed when it starts.
            let mut fixed: Vec<(Vec<AccountId>, u32)> = Vec::new();
            for step in steps {
                let current = config().schedule().epoch_at(now);
                match step {
                    Step::Add(who) => { let _ = data.add_reporter(0, account(who), now); }
                    Step::Remove(who) => { let _ = data.remove_reporter(0, account(who), now); }
                    Step::Quorum(quorum) => { let _ = data.set_quorum(0, quorum, now); }
                    Step::Evict(who) => {
                        if data.evict_reporter(0, account(who), now).is_ok() {
                            for (epoch, (reporters, _)) in fixed.iter_mut().enumerate() {
                                if data.epoch(0, epoch as Epoch).is_err() {
                                    reporters.retain(|r| *r != account(who));
                                }
                            }
                        }
                    }
                    Step::Submit(who, back) => {
                        let epoch = current.saturating_sub(back);
                        let _ = data.submit(0, epoch, account(who), report(4_000), now);
                    }
                    Step::Finalize(back) => { let _ = data.finalize(0, current.saturating_sub(back), now); }
                    Step::Wait(ms) => now += ms,
                }
                for epoch in 0..=config().schedule().epoch_at(now) {
                    if config().schedule().epoch_start(epoch) > now {
                        break;
                    }
                    let eligible = data.eligible(0, epoch).unwrap();
                    let n = eligible.reporters.len() as u32;
                    // Evictions never lower the threshold below a strict majority of the epoch's set.
                    let size = data.set_for(0, &data.feed(0).unwrap(), epoch).unwrap().members.len() as u32;
                    prop_assert_eq!(eligible.threshold, (size / 2 + 1).max(n / 2 + 1).max(eligible.quorum.min(n)));
                    match fixed.get(epoch as usize) {
                        Some((reporters, quorum)) => {
                            prop_assert_eq!(&eligible.reporters, reporters, "epoch {} set changed", epoch);
                            prop_assert_eq!(eligible.quorum, *quorum, "epoch {} quorum changed", epoch);
                        }
                        None => fixed.push((eligible.reporters, eligible.quorum)),
                    }
                }
            }
            Ok(())
        })?;
    }
}

// ---- Regression tests, one per issue item (the lead's threat model) ----

/// Item 7: a minority decided the epoch (the quorum-th report finalized it).
#[ink::test]
fn a_minority_decides_the_epoch() {
    // Quorum 2 of 3: one liar and one honest report do not decide while the window is open.
    let mut data = feed();
    assert!(matches!(data.submit(0, 0, account(1), report(0), after(0)), Ok(Submitted::Pending { .. })));
    assert!(matches!(data.submit(0, 0, account(2), report(8_000), after(0)), Ok(Submitted::Pending { .. })), "2 of 3 eligible, window open");
    assert_eq!(data.epoch(0, 0), Err(Error::NotFinalized));
    // Feed 1: 5 reporters, quorum 3; two colluders report first; the three honest reports still count.
    assert_eq!(data.create_feed(config(), &[1, 2, 3, 4, 5].map(account), 3), Ok(1));
    data.submit(1, 0, account(1), report(0), after(0)).unwrap();
    data.submit(1, 0, account(2), report(0), after(0)).unwrap();
    for (honest, hours) in [(3, 7_000), (4, 7_100), (5, 7_200)] {
        assert!(data.submit(1, 0, account(honest), report(hours), after(0) + 1).is_ok(), "honest reporter {honest} refused");
    }
    let finalized = data.epoch(1, 0).unwrap();
    assert_eq!((finalized.values.gpu_milli_hours, finalized.reports), (7_000, 5), "median over every eligible reporter");
}

/// Item 8: governance applied backwards (quorum fold, re-adding rewrote the window).
#[ink::test]
fn governance_applies_backwards() {
    let epoch_time = |epoch: Epoch| GENESIS + epoch * HOUR + 10;
    // Quorum 2; set to 1 during epoch 4 (from 5), then to 3 during epoch 5: epoch 4 keeps 2.
    let mut data = feed();
    data.set_quorum(0, 1, epoch_time(4)).unwrap();
    data.set_quorum(0, 3, epoch_time(5)).unwrap();
    assert!(
        matches!(data.submit(0, 4, account(1), report(100), after(4)), Ok(Submitted::Pending { .. })),
        "epoch 4 finalized on one report"
    );
    // Feed 1 (4 reporters, quorum 3): removing reporter 1 during epoch 3 and re-adding it
    // during epoch 4 must not take epoch 3 from it.
    assert_eq!(data.create_feed(config(), &[1, 2, 3, 4].map(account), 3), Ok(1));
    data.remove_reporter(1, account(1), epoch_time(3)).unwrap();
    data.add_reporter(1, account(1), epoch_time(4)).unwrap();
    assert!(data.submit(1, 3, account(1), report(100), after(3)).is_ok(), "re-adding rewrote epoch 3's eligible set");
    assert_eq!(data.submit(1, 4, account(1), report(100), after(4)), Err(Error::MissingRole(Role::Reporter)), "removed for epoch 4");
    assert!(data.submit(1, 5, account(1), report(100), after(5)).is_ok(), "re-added from epoch 5");
}

/// Item 9: no emergency eviction of a compromised reporter.
#[ink::test]
fn no_emergency_eviction() {
    // Reporters 1..=5, quorum 3; reporter 1 is honest in epoch 0, then compromised.
    let mut data = OracleData::default();
    data.create_feed(config(), &[1, 2, 3, 4, 5].map(account), 3).unwrap();
    for who in 1..=5 {
        data.submit(0, 0, account(who), report(7_000), after(0)).unwrap();
    }
    data.submit(0, 1, account(1), report(0), after(1)).unwrap();
    for (who, hours) in [(2, 7_000), (3, 7_100), (4, 7_200)] {
        data.submit(0, 1, account(who), report(hours), after(1)).unwrap();
    }
    data.submit(0, 2, account(1), report(0), after(2)).unwrap();
    data.submit(0, 2, account(2), report(7_000), after(2)).unwrap();
    // Evicted during epoch 3: epoch 1 (window closed, not finalized) and 2 (window open) drop it.
    let now = after(2) + 10;
    assert_eq!(data.evict_reporter(0, account(9), now), Err(Error::MissingRole(Role::Reporter)));
    assert_eq!(data.evict_reporter(7, account(1), now), Err(Error::UnknownFeed));
    assert_eq!(data.evict_reporter(0, account(1), now), Ok(4));
    let (finalized, _) = data.finalize(0, 1, now).unwrap();
    assert_eq!((finalized.values.gpu_milli_hours, finalized.reports), (7_100, 3), "the evicted report is not in the median");
    assert_eq!(data.submission(0, 1, account(1)), None, "discarded");
    // Re-added at once: only from epoch 4, and its epoch-2 report stays discarded.
    assert_eq!(data.add_reporter(0, account(1), now + 1), Ok(4));
    assert_eq!(data.reporter_window(0, account(1)), Some(ReporterWindow { from: 4, until: None, evicted_before: Some(4) }));
    assert_eq!(data.eligible(0, 2).map(|e| (e.reporters, e.threshold, e.reported)), Ok(((2..=5).map(account).collect(), 3, 1)));
    assert_eq!(data.submit(0, 2, account(1), report(1), after(2) + 20), Err(Error::MissingRole(Role::Reporter)));
    for who in 3..=4 {
        assert!(matches!(data.submit(0, 2, account(who), report(7_000), after(2) + 20), Ok(Submitted::Pending { .. })));
    }
    let Ok(Submitted::Finalized { finalized, .. }) = data.submit(0, 2, account(5), report(7_000), after(2) + 20) else {
        panic!("the last eligible report finalizes");
    };
    assert_eq!((finalized.values.gpu_milli_hours, finalized.reports), (7_000, 4));
    assert_eq!(data.submit(0, 3, account(1), report(1), after(3)), Err(Error::MissingRole(Role::Reporter)), "out of epoch 3's set");
    assert!(data.eligible(0, 4).unwrap().reporters.contains(&account(1)), "back from epoch 4");
    // An epoch finalized before the eviction keeps its figures, eligible set and reports.
    assert_eq!(data.epoch(0, 0).map(|f| f.reports), Ok(5));
    assert_eq!(data.eligible(0, 0).map(|e| e.reporters.len()), Ok(5));
    assert_eq!(data.submission(0, 0, account(1)), Some(report(7_000)));
    // Eviction never leaves a quorum above the set: 3 of 3, one evicted, quorum 2 from then on.
    // (A second feed: the off-chain test storage is per test, not per `OracleData`.)
    assert_eq!(data.create_feed(config(), &[6, 7, 8].map(account), 3), Ok(1));
    assert_eq!(data.evict_reporter(1, account(8), GENESIS), Ok(1));
    assert_eq!(data.eligible(1, 1).map(|e| (e.quorum, e.threshold)), Ok((2, 2)));
    assert_eq!(data.eligible(1, 0).map(|e| (e.reporters.len(), e.quorum, e.threshold)), Ok((2, 3, 2)), "epoch 0 loses it too");
    assert_eq!(data.eligible(0, 0).map(|e| e.reporters.len()), Ok(5), "other feeds untouched");
}

// ---- Audit findings -------------------------------------------------------------------------

/// Audit: an eviction lowered the threshold of every epoch not finalized — also epochs whose
/// window had closed below it — to a majority of the reporters left, so after evicting
/// reporters that were down, one reporter of the three an epoch started with decided it.
#[ink::test]
fn eviction_lets_a_minority_of_the_epochs_set_decide() {
    // Reporters 1, 2, 3, quorum 2. Epoch 0: only 3 reports (a lie); 1 and 2 are down.
    let mut data = feed();
    data.submit(0, 0, account(3), report(8_000), after(0)).unwrap();
    assert_eq!(data.finalize(0, 0, close(0)), Err(Error::BelowThreshold), "1 of 3: the escrow may time it out");
    // Epoch 6: again only 3 reports, inside the window.
    data.submit(0, 6, account(3), report(8_000), after(6)).unwrap();
    // The owner evicts the two dead reporters to replace them.
    let now = after(6) + 10;
    data.evict_reporter(0, account(1), now).unwrap();
    data.evict_reporter(0, account(2), now).unwrap();
    // One reporter of the three each epoch started with must not decide it, closed or open.
    assert_eq!(data.eligible(0, 0).map(|e| (e.reporters, e.threshold)), Ok((vec![account(3)], 2)));
    assert_eq!(data.finalize(0, 0, now), Err(Error::BelowThreshold), "closed epoch revived by the eviction");
    assert_eq!(data.finalize(0, 6, now), Err(Error::NotReady), "open epoch decided by its only eligible report");
    assert_eq!(data.finalize(0, 6, close(6)), Err(Error::BelowThreshold));
    assert_eq!(data.epoch(0, 0), Err(Error::NotFinalized));
    // Eviction still unblocks an epoch a withholding reporter stalls: quorum 3 of 3, reporter
    // 6 withholds, 4 and 5 (a majority of the set) report; evicting 6 lets them finalize.
    assert_eq!(data.create_feed(config(), &[4, 5, 6].map(account), 3), Ok(1));
    data.submit(1, 0, account(4), report(7_000), after(0)).unwrap();
    data.submit(1, 0, account(5), report(7_200), after(0)).unwrap();
    assert_eq!(data.finalize(1, 0, close(0)), Err(Error::BelowThreshold));
    data.evict_reporter(1, account(6), close(0)).unwrap();
    assert_eq!(data.finalize(1, 0, close(0)).map(|(f, _)| (f.values.gpu_milli_hours, f.reports)), Ok((7_100, 2)));
}
