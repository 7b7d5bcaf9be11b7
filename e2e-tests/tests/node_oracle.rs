//! Reporters and a reader on a real substrate-contracts-node (ink_e2e): an epoch finalizes when
//! every eligible reporter has reported.
#![cfg(feature = "node")]
use e2e_tests::node::{client, id, run, upload_logic};
use e2e_tests::{ok, TestResult};
use ink_e2e::{alice, ChainBackend, ContractsBackend};
use std::time::{SystemTime, UNIX_EPOCH};
use utilization_oracle::oracle::{FeedConfig, Report};
use utilization_oracle::utilization_oracle::{Error, UtilizationOracle, UtilizationOracleRef};

const HOUR: u64 = 3_600_000;

fn report(milli_hours: u64) -> Report {
    Report { gpu_milli_hours: milli_hours, utilization_bps: 9_100, uptime_bps: 9_950, energy_wh: milli_hours * 6 / 10, avg_power_w: 690 }
}

#[test]
fn reporters_submit_and_a_reader_gets_the_finalized_epoch() -> TestResult {
    run(async {
        let mut client = client(&["utilization_oracle", "utilization_oracle_logic"]).await?;
        let owner = alice();
        let reporters = [
            client.create_and_fund_account(&owner, 1_000_000_000_000_000).await,
            client.create_and_fund_account(&owner, 1_000_000_000_000_000).await,
            client.create_and_fund_account(&owner, 1_000_000_000_000_000).await,
        ];
        let reader = client.create_and_fund_account(&owner, 1_000_000_000_000_000).await;
        let logic = upload_logic(&mut client, &owner, "utilization_oracle").await?;
        let oracle = client.instantiate("utilization_oracle", &owner, &mut UtilizationOracleRef::new(logic)).submit().await?.account_id;
        let mut calls = ink_e2e::create_call_builder::<UtilizationOracle>(oracle);

        // Hourly epochs that began two hours ago: epoch 0 has ended and is open for reports.
        let now = u64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis())?;
        let config = FeedConfig {
            pool_token: id(&owner),
            gpu_count: 8,
            genesis: now - 2 * HOUR,
            epoch_length: HOUR,
            report_window: 3 * HOUR,
            max_age: 6 * HOUR,
            max_wh_per_gpu_hour: 1_000,
            tolerance_bps: 500,
        };
        let reporter_ids = reporters.iter().map(id).collect();
        let feed = ok(client.call(&owner, &calls.create_feed(config, reporter_ids, 2)).submit().await?.return_value())?;

        // Two of three reports are not final while the report window is open: the third may still report.
        let first = client.call(&reporters[0], &calls.submit(feed, 0, report(7_900))).submit().await?.return_value();
        assert_eq!(first, Ok(false));
        let pending = client.call(&reader, &calls.epoch(feed, 0)).dry_run().await?.return_value();
        assert_eq!(pending, Err(Error::NotFinalized));
        let second = client.call(&reporters[1], &calls.submit(feed, 0, report(7_700))).submit().await?.return_value();
        assert_eq!(second, Ok(false));
        let early = client.call(&reader, &calls.finalize(feed, 0)).dry_run().await?.return_value();
        assert_eq!(early, Err(Error::NotReady));
        let eligibility = ok(client.call(&reader, &calls.eligible(feed, 0)).dry_run().await?.return_value())?;
        assert_eq!((eligibility.reporters.len(), eligibility.quorum, eligibility.threshold, eligibility.reported), (3, 2, 2, 2));

        // The last eligible reporter's report finalizes the epoch at once.
        let third = client.call(&reporters[2], &calls.submit(feed, 0, report(7_800))).submit().await?.return_value();
        assert_eq!(third, Ok(true));
        let latest = ok(client.call(&reader, &calls.latest(feed)).dry_run().await?.return_value())?;
        assert_eq!((latest.epoch, latest.reports, latest.values.gpu_milli_hours), (0, 3, 7_800));
        let efficiency = ok(client.call(&reader, &calls.efficiency(feed, 0)).dry_run().await?.return_value())?;
        assert_eq!(efficiency, 600, "Wh per GPU-hour");

        // The current epoch has not ended: a report for it is refused.
        let early = client.call(&reporters[2], &calls.submit(feed, 2, report(1))).dry_run().await?.return_value();
        assert_eq!(early, Err(Error::EpochNotEnded));
        Ok(())
    })
}
