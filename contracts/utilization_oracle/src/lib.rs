//! Utilization oracle: authorized reporters submit per-epoch GPU-hours delivered,
//! utilization, uptime and energy for a compute pool. An epoch finalizes with the median of
//! each field once every eligible reporter has reported, or, after its report window, on
//! anyone's `finalize` with a strict majority of them (and the quorum). Reporter sets are
//! fixed per epoch before it starts; the owner can evict a compromised reporter at once
//! (never letting a minority of an epoch's set decide it).
//! Escrows settle on finalized epochs; auditors read the history. Modelled on Chainlink's
//! aggregator (rounds, quorum, staleness), measured by block time rather than round ids.
//!
//! The crate builds twice (scripts/env.sh `build_contract`), as the GPU-hour token does: the full
//! build is uploaded as code only (`utilization_oracle_logic`); the front (`--features front`) is
//! what the oracle's account runs. The front answers what runs every epoch — `submit`,
//! `finalize`, `latest`, `history` and the `UtilizationFeed` reads escrows, vaults and markets
//! make — and `logic()`; the owner's messages and the other reads start with `forward`, a
//! delegate call to the full build's code on the oracle's storage.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// See compute-rwa-common: clippy 1.85 false positive inside `#[ink::scale_derive]`.
#![allow(clippy::cast_possible_truncation)]

pub mod oracle;

#[cfg(test)]
mod oracle_tests;

#[ink::contract]
pub mod utilization_oracle {
    use crate::oracle::{Eligibility, Epoch, Feed, FeedConfig, FeedId, Finalized, OracleData, Report, ReporterWindow, Submitted};
    use compute_rwa_common::{forward, Access, AccessError, EpochSchedule, Ownable2Step, UtilizationFeed};
    use ink::prelude::vec::Vec;

    /// Most epochs one `history` call returns.
    pub const MAX_PAGE: u32 = 100;

    pub use crate::oracle::Error;

    /// A feed was created.
    #[ink(event)]
    pub struct FeedCreated {
        #[ink(topic)]
        pub feed: FeedId,
        pub config: FeedConfig,
        pub reporters: Vec<AccountId>,
        pub quorum: u32,
    }

    /// A reporter was added; it may report from `from_epoch`.
    #[ink(event)]
    pub struct ReporterAdded {
        #[ink(topic)]
        pub feed: FeedId,
        #[ink(topic)]
        pub reporter: AccountId,
        pub from_epoch: Epoch,
    }

    /// A reporter was removed; it may not report from `from_epoch`.
    #[ink(event)]
    pub struct ReporterRemoved {
        #[ink(topic)]
        pub feed: FeedId,
        #[ink(topic)]
        pub reporter: AccountId,
        pub from_epoch: Epoch,
    }

    /// A reporter was evicted: it left the eligible set of every epoch not finalized, its
    /// reports for them no longer count, and it is out of the reporter set from `from_epoch`
    /// (the earliest epoch it could be re-added for).
    #[ink(event)]
    pub struct ReporterEvicted {
        #[ink(topic)]
        pub feed: FeedId,
        #[ink(topic)]
        pub reporter: AccountId,
        pub from_epoch: Epoch,
    }

    /// The quorum changes from `from_epoch`.
    #[ink(event)]
    pub struct QuorumChanged {
        #[ink(topic)]
        pub feed: FeedId,
        pub quorum: u32,
        pub from_epoch: Epoch,
    }

    /// A report was accepted.
    #[ink(event)]
    pub struct ReportSubmitted {
        #[ink(topic)]
        pub feed: FeedId,
        pub epoch: Epoch,
        #[ink(topic)]
        pub reporter: AccountId,
        pub report: Report,
    }

    /// An epoch is final (every eligible reporter reported, or its window closed with the threshold).
    #[ink(event)]
    pub struct EpochFinalized {
        #[ink(topic)]
        pub feed: FeedId,
        pub epoch: Epoch,
        pub values: Report,
        pub reports: u32,
    }

    /// A report was farther from the median than the feed's tolerance.
    #[ink(event)]
    pub struct ReporterFlagged {
        #[ink(topic)]
        pub feed: FeedId,
        pub epoch: Epoch,
        #[ink(topic)]
        pub reporter: AccountId,
        pub report: Report,
    }

    #[ink(storage)]
    pub struct UtilizationOracle {
        data: OracleData,
        access: Access,
        /// The code the front runs by delegate call for every message it does not answer itself.
        logic: Hash,
    }

    impl UtilizationOracle {
        /// An oracle with no feeds, owned by the caller. `logic`: the code hash of this crate's
        /// full build, uploaded beforehand, which the oracle's front (the deployed build) runs by
        /// delegate call for the messages it hands on; fixed and locked (the chain keeps that
        /// code) for the oracle's life.
        #[ink(constructor)]
        pub fn new(logic: Hash) -> Self {
            if cfg!(feature = "front") {
                // The code the front runs can never be removed while the oracle exists (its
                // uploader could otherwise remove it and stop feed governance); refused (trap)
                // when no such code is uploaded.
                Self::env().lock_delegate_dependency(&logic);
            }
            Self { data: OracleData::default(), access: Access::new(Self::env().caller()), logic }
        }

        /// The code hash the front runs by delegate call for every message it does not answer
        /// itself (answered by the front, whose code hash the chain shows).
        #[ink(message)]
        pub fn logic(&self) -> Hash {
            self.logic
        }

        /// Creates a feed whose first reporters may report every epoch since genesis; returns its id. Owner only.
        #[ink(message)]
        pub fn create_feed(&mut self, config: FeedConfig, reporters: Vec<AccountId>, quorum: u32) -> Result<FeedId, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.ensure_owner()?;
            let feed = self.data.create_feed(config.clone(), &reporters, quorum)?;
            self.env().emit_event(FeedCreated { feed, config, reporters, quorum });
            Ok(feed)
        }

        /// Adds a reporter from the next epoch on. Owner only.
        #[ink(message)]
        pub fn add_reporter(&mut self, feed: FeedId, reporter: AccountId) -> Result<(), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.ensure_owner()?;
            let from_epoch = self.data.add_reporter(feed, reporter, self.now())?;
            self.env().emit_event(ReporterAdded { feed, reporter, from_epoch });
            Ok(())
        }

        /// Removes a reporter from the next epoch on (never below the quorum). Owner only.
        #[ink(message)]
        pub fn remove_reporter(&mut self, feed: FeedId, reporter: AccountId) -> Result<(), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.ensure_owner()?;
            let from_epoch = self.data.remove_reporter(feed, reporter, self.now())?;
            self.env().emit_event(ReporterRemoved { feed, reporter, from_epoch });
            Ok(())
        }

        /// Evicts a reporter at once (compromised key): it leaves the eligible set of every epoch
        /// not yet finalized and its reports for them are discarded; it leaves the reporter set
        /// from the next epoch on (the quorum drops to the set's size if need be). It may be
        /// re-added with `add_reporter`, from the next epoch only. An epoch's threshold never
        /// drops below a strict majority of the set it started with. Owner only.
        #[ink(message)]
        pub fn evict_reporter(&mut self, feed: FeedId, reporter: AccountId) -> Result<(), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.ensure_owner()?;
            let from_epoch = self.data.evict_reporter(feed, reporter, self.now())?;
            self.env().emit_event(ReporterEvicted { feed, reporter, from_epoch });
            Ok(())
        }

        /// Sets the quorum (1 ≤ quorum ≤ reporters) from the next epoch on. Owner only.
        #[ink(message)]
        pub fn set_quorum(&mut self, feed: FeedId, quorum: u32) -> Result<(), Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.ensure_owner()?;
            let from_epoch = self.data.set_quorum(feed, quorum, self.now())?;
            self.env().emit_event(QuorumChanged { feed, quorum, from_epoch });
            Ok(())
        }

        /// Submits the caller's report for a completed `epoch`, inside its report window; the
        /// last eligible reporter's report finalizes it. Returns whether this call finalized the
        /// epoch. Eligible reporters of the epoch only.
        #[ink(message)]
        pub fn submit(&mut self, feed: FeedId, epoch: Epoch, report: Report) -> Result<bool, Error> {
            let reporter = self.env().caller();
            let outcome = self.data.submit(feed, epoch, reporter, report, self.now())?;
            self.env().emit_event(ReportSubmitted { feed, epoch, reporter, report });
            let Submitted::Finalized { finalized, flagged } = outcome else {
                return Ok(false);
            };
            self.emit_finalized(feed, finalized, flagged);
            Ok(true)
        }

        /// Finalizes `epoch` if the rules allow it now: every eligible reporter has reported, or
        /// its report window has closed with at least the threshold of counted reports (see
        /// `eligible`). Returns the finalized epoch, also when it already was final. Anyone.
        #[ink(message)]
        pub fn finalize(&mut self, feed: FeedId, epoch: Epoch) -> Result<Finalized, Error> {
            match self.data.finalize(feed, epoch, self.now()) {
                Ok((finalized, flagged)) => {
                    self.emit_finalized(feed, finalized, flagged);
                    Ok(finalized)
                }
                Err(Error::AlreadyFinalized) => Ok(self.data.epoch(feed, epoch)?),
                Err(error) => Err(error.into()),
            }
        }

        /// Who decides `epoch`: its eligible reporters, quorum, threshold and counted reports.
        #[ink(message)]
        pub fn eligible(&self, feed: FeedId, epoch: Epoch) -> Result<Eligibility, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            Ok(self.data.eligible(feed, epoch)?)
        }

        /// Feed parameters and state.
        #[ink(message)]
        pub fn feed(&self, feed: FeedId) -> Result<Feed, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            Ok(self.data.feed(feed)?)
        }

        /// Number of feeds.
        #[ink(message)]
        pub fn feed_count(&self) -> u32 {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.feed_count()
        }

        /// The epoch running now.
        #[ink(message)]
        pub fn current_epoch(&self, feed: FeedId) -> Result<Epoch, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            Ok(self.data.feed(feed)?.config.schedule().epoch_at(self.now()))
        }

        /// Finalized `epoch`, or `NotFinalized`.
        #[ink(message)]
        pub fn epoch(&self, feed: FeedId, epoch: Epoch) -> Result<Finalized, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            Ok(self.data.epoch(feed, epoch)?)
        }

        /// The latest finalized epoch; `Stale` once its end is more than the feed's `max_age` ago.
        #[ink(message)]
        pub fn latest(&self, feed: FeedId) -> Result<Finalized, Error> {
            Ok(self.data.latest(feed, self.now())?)
        }

        /// The latest finalized epoch however old; callers must judge staleness themselves.
        #[ink(message)]
        pub fn latest_unchecked(&self, feed: FeedId) -> Result<Finalized, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            Ok(self.data.latest_unchecked(feed)?)
        }

        /// Finalized epochs among `[from, from + count)` (count capped at `MAX_PAGE`).
        #[ink(message)]
        pub fn history(&self, feed: FeedId, from: Epoch, count: u32) -> Result<Vec<Finalized>, Error> {
            Ok(self.data.history(feed, from, count.min(MAX_PAGE))?)
        }

        /// What `reporter` submitted for `epoch`, if it counts (not discarded by an eviction).
        #[ink(message)]
        pub fn submission(&self, feed: FeedId, epoch: Epoch, reporter: AccountId) -> Option<Report> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.submission(feed, epoch, reporter)
        }

        /// Reports counted so far for a not-yet-final epoch (0 once final).
        #[ink(message)]
        pub fn pending_reports(&self, feed: FeedId, epoch: Epoch) -> u32 {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.pending_reports(feed, epoch)
        }

        /// `reporter`'s latest membership (`eligible` says who counts for an epoch).
        #[ink(message)]
        pub fn reporter_window(&self, feed: FeedId, reporter: AccountId) -> Option<ReporterWindow> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.reporter_window(feed, reporter)
        }

        /// Energy per GPU-hour (Wh) of a finalized epoch.
        #[ink(message)]
        pub fn efficiency(&self, feed: FeedId, epoch: Epoch) -> Result<u64, Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            Ok(self.data.efficiency(feed, epoch)?)
        }

        fn emit_finalized(&self, feed: FeedId, finalized: Finalized, flagged: Vec<AccountId>) {
            let epoch = finalized.epoch;
            self.env().emit_event(EpochFinalized { feed, epoch, values: finalized.values, reports: finalized.reports });
            for reporter in flagged {
                let report = self.data.submission(feed, epoch, reporter).unwrap_or_default();
                self.env().emit_event(ReporterFlagged { feed, epoch, reporter, report });
            }
        }

        fn ensure_owner(&self) -> Result<(), Error> {
            Ok(self.access.ensure_owner(self.env().caller())?)
        }

        fn now(&self) -> u64 {
            self.env().block_timestamp()
        }
    }

    impl Ownable2Step for UtilizationOracle {
        #[ink(message)]
        fn owner(&self) -> AccountId {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.access.owner()
        }

        #[ink(message)]
        fn pending_owner(&self) -> Option<AccountId> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.access.pending_owner()
        }

        #[ink(message)]
        fn transfer_ownership(&mut self, new_owner: Option<AccountId>) -> Result<(), AccessError> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let event = self.access.propose(self.env().caller(), new_owner)?;
            self.env().emit_event(event);
            Ok(())
        }

        #[ink(message)]
        fn accept_ownership(&mut self) -> Result<(), AccessError> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let event = self.access.accept(self.env().caller())?;
            self.env().emit_event(event);
            Ok(())
        }
    }

    impl UtilizationFeed for UtilizationOracle {
        /// Finalized `epoch` of `feed`, or `None` (for escrows; no error to decode).
        #[ink(message)]
        fn finalized_epoch(&self, feed: FeedId, epoch: Epoch) -> Option<Finalized> {
            self.data.epoch(feed, epoch).ok()
        }

        /// `finalize` for escrows: the finalized epoch, or `None` while it cannot be final.
        #[ink(message)]
        fn finalize_epoch(&mut self, feed: FeedId, epoch: Epoch) -> Option<Finalized> {
            self.finalize(feed, epoch).ok()
        }

        /// The epoch schedule of `feed` (`None`: no such feed).
        #[ink(message)]
        fn schedule(&self, feed: FeedId) -> Option<EpochSchedule> {
            let config = self.data.feed(feed).ok()?.config;
            Some(config.schedule())
        }
    }


    #[cfg(test)]
    mod tests {
        use super::*;
        use compute_rwa_common::Role;
        use ink::env::test::{default_accounts, recorded_events, set_block_timestamp, set_caller, DefaultAccounts};
        use ink::env::DefaultEnvironment;

        const HOUR: u64 = 3_600_000;

        fn accounts() -> DefaultAccounts<DefaultEnvironment> {
            default_accounts::<DefaultEnvironment>()
        }

        fn config() -> FeedConfig {
            FeedConfig {
                pool_token: accounts().frank,
                gpu_count: 8,
                genesis: 0,
                epoch_length: HOUR,
                report_window: HOUR,
                max_age: 2 * HOUR,
                max_wh_per_gpu_hour: 1_000,
                tolerance_bps: 1_000,
            }
        }

        fn report(milli_hours: u64) -> Report {
            Report { gpu_milli_hours: milli_hours, utilization_bps: 9_000, uptime_bps: 9_900, energy_wh: 4_000, avg_power_w: 700 }
        }

        /// Alice owns an oracle with feed 0 (reporters Bob, Charlie, Django; quorum 2).
        fn oracle() -> UtilizationOracle {
            set_caller::<DefaultEnvironment>(accounts().alice);
            set_block_timestamp::<DefaultEnvironment>(0);
            let mut oracle = UtilizationOracle::new(Hash::from([7; 32]));
            let reporters = vec![accounts().bob, accounts().charlie, accounts().django];
            assert_eq!(oracle.create_feed(config(), reporters, 2), Ok(0));
            oracle
        }

        #[ink::test]
        fn reporters_finalize_an_epoch_with_events() {
            let mut oracle = oracle();
            set_block_timestamp::<DefaultEnvironment>(HOUR + 1);
            let before = recorded_events().count();
            set_caller::<DefaultEnvironment>(accounts().bob);
            assert_eq!(oracle.submit(0, 0, report(8_000)), Ok(false));
            set_caller::<DefaultEnvironment>(accounts().charlie);
            assert_eq!(oracle.submit(0, 0, report(6_000)), Ok(false), "2 of 3 eligible: the window is open");
            assert_eq!(oracle.pending_reports(0, 0), 2);
            set_caller::<DefaultEnvironment>(accounts().django);
            assert_eq!(oracle.submit(0, 0, report(7_000)), Ok(true), "the last eligible report finalizes");
            // 3 × ReportSubmitted, EpochFinalized, and 2 × ReporterFlagged (8,000 and 6,000 are 14% from the median 7,000).
            assert_eq!(recorded_events().count(), before + 6);
            assert_eq!(oracle.epoch(0, 0).map(|f| (f.values.gpu_milli_hours, f.reports)), Ok((7_000, 3)));
            assert_eq!(oracle.eligible(0, 0).map(|e| e.flagged), Ok(vec![accounts().bob, accounts().charlie]), "the events' verdict, recorded");
            assert_eq!(oracle.latest(0).map(|f| f.epoch), Ok(0));
            assert_eq!(oracle.current_epoch(0), Ok(1));
            assert_eq!(oracle.history(0, 0, 1_000).map(|h| h.len()), Ok(1));
            assert_eq!(oracle.finalized_epoch(0, 0).map(|f| f.reports), Some(3));
        }

        #[ink::test]
        fn outsider_finalizes_after_the_window() {
            let mut oracle = oracle();
            set_block_timestamp::<DefaultEnvironment>(HOUR + 1);
            for reporter in [accounts().bob, accounts().charlie] {
                set_caller::<DefaultEnvironment>(reporter);
                assert_eq!(oracle.submit(0, 0, report(8_000)), Ok(false));
            }
            set_caller::<DefaultEnvironment>(accounts().bob);
            assert_eq!(oracle.submit(0, 1, report(8_000)), Err(Error::EpochNotEnded));
            set_caller::<DefaultEnvironment>(accounts().eve);
            assert_eq!(oracle.finalize(0, 0), Err(Error::NotReady), "window open, Django missing");
            assert_eq!(oracle.finalize_epoch(0, 0), None);
            // Epoch 0's window closes at 2 h: a strict majority (2 of 3) suffices then, on anyone's call.
            set_block_timestamp::<DefaultEnvironment>(2 * HOUR);
            set_caller::<DefaultEnvironment>(accounts().django);
            assert_eq!(oracle.submit(0, 0, report(8_000)), Err(Error::ReportTooLate));
            set_caller::<DefaultEnvironment>(accounts().eve);
            let before = recorded_events().count();
            let finalized = oracle.finalize(0, 0).unwrap();
            assert_eq!((finalized.reports, finalized.finalized_at, finalized.values.gpu_milli_hours), (2, 2 * HOUR, 8_000));
            assert_eq!(recorded_events().count(), before + 1, "EpochFinalized");
            assert_eq!(oracle.finalize(0, 0), Ok(finalized), "idempotent");
            assert_eq!(oracle.finalize_epoch(0, 0), Some(finalized));
            assert_eq!(recorded_events().count(), before + 1, "no second event");
            // Epoch 1: one report of three, window closed: never final.
            set_block_timestamp::<DefaultEnvironment>(2 * HOUR + 1);
            set_caller::<DefaultEnvironment>(accounts().bob);
            assert_eq!(oracle.submit(0, 1, report(8_000)), Ok(false));
            set_block_timestamp::<DefaultEnvironment>(3 * HOUR);
            set_caller::<DefaultEnvironment>(accounts().eve);
            assert_eq!(oracle.finalize(0, 1), Err(Error::BelowThreshold));
            assert_eq!(oracle.finalize_epoch(0, 1), None);
            assert_eq!(oracle.finalize(3, 0), Err(Error::UnknownFeed));
            assert_eq!(oracle.schedule(0), Some(EpochSchedule { genesis: 0, epoch_length: HOUR, gpus: 8, report_window: HOUR }));
            assert_eq!(oracle.schedule(1), None);
        }

        #[ink::test]
        fn every_governance_message_rejects_outsiders() {
            let mut oracle = oracle();
            let not_owner = Err(Error::NotOwner);
            for outsider in [accounts().bob, accounts().eve, accounts().frank] {
                set_caller::<DefaultEnvironment>(outsider);
                assert_eq!(oracle.create_feed(config(), vec![outsider], 1), not_owner.map(|()| 0));
                assert_eq!(oracle.add_reporter(0, outsider), not_owner);
                assert_eq!(oracle.remove_reporter(0, accounts().bob), not_owner);
                assert_eq!(oracle.evict_reporter(0, accounts().bob), not_owner);
                assert_eq!(oracle.set_quorum(0, 1), not_owner);
                assert_eq!(oracle.transfer_ownership(Some(outsider)), Err(AccessError::NotOwner));
                assert_eq!(oracle.accept_ownership(), Err(AccessError::NotPendingOwner));
            }
            set_caller::<DefaultEnvironment>(accounts().eve);
            set_block_timestamp::<DefaultEnvironment>(HOUR + 1);
            assert_eq!(oracle.submit(0, 0, report(1)), Err(Error::MissingRole(Role::Reporter)));
            assert_eq!(oracle.feed_count(), 1);
            assert_eq!(oracle.feed(0).map(|f| (f.sets, f.evicted_before)), Ok((1, 0)));
            let unchanged = Ok((vec![accounts().bob, accounts().charlie, accounts().django], 2));
            assert_eq!(oracle.eligible(0, 5).map(|e| (e.reporters, e.quorum)), unchanged);
            assert_eq!(oracle.owner(), accounts().alice);
        }

        #[ink::test]
        fn owner_governs_reporters_and_quorum() {
            let mut oracle = oracle();
            let before = recorded_events().count();
            oracle.add_reporter(0, accounts().eve).unwrap();
            oracle.set_quorum(0, 3).unwrap();
            oracle.remove_reporter(0, accounts().bob).unwrap();
            oracle.evict_reporter(0, accounts().charlie).unwrap();
            assert_eq!(recorded_events().count(), before + 4, "one event each");
            assert_eq!(oracle.reporter_window(0, accounts().eve).map(|w| w.from), Some(1));
            assert_eq!(oracle.reporter_window(0, accounts().bob).and_then(|w| w.until), Some(1));
            assert_eq!(oracle.reporter_window(0, accounts().charlie).and_then(|w| w.evicted_before), Some(1));
            // Epoch 0 keeps its set and quorum, less the evicted Charlie; epoch 1 has the new set.
            assert_eq!(oracle.eligible(0, 0).map(|e| (e.reporters, e.quorum)), Ok((vec![accounts().bob, accounts().django], 2)));
            assert_eq!(oracle.eligible(0, 1).map(|e| (e.reporters, e.quorum)), Ok((vec![accounts().django, accounts().eve], 2)));
            oracle.transfer_ownership(Some(accounts().bob)).unwrap();
            set_caller::<DefaultEnvironment>(accounts().bob);
            oracle.accept_ownership().unwrap();
            assert_eq!(oracle.owner(), accounts().bob);
        }
    }
}
