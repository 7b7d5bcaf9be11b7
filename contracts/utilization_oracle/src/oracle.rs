//! The oracle's state machine: feeds, reporter windows, per-epoch reports, median
//! finalization. No ink! environment here: callers pass in who and when.
//!
//! Epoch `n` of a feed covers `[genesis + n·len, genesis + (n+1)·len)`. Reports for it are
//! accepted once it has ended and until `report_window` after that; the `quorum`-th report
//! finalizes it with the median of every field. Finalized epochs never change.

pub use compute_rwa_common::feed::{Finalized, Report};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use ink::storage::Mapping;

/// Most reporters a feed may have (bounds every per-epoch loop).
pub const MAX_REPORTERS: u32 = 16;
/// Basis points in 100%.
pub const BPS: u16 = 10_000;
/// Milliseconds per hour.
const MS_PER_HOUR: u64 = 3_600_000;
/// Shortest epoch (ms). Production feeds use hours; a local demo can use seconds.
pub const MIN_EPOCH_LENGTH: u64 = 1_000;

/// Feed identifier.
pub type FeedId = u32;
/// Epoch number, from 0.
pub type Epoch = u64;

/// Static parameters of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct FeedConfig {
    /// The pool's GPU-hour token.
    pub pool_token: AccountId,
    /// GPUs covered by the feed.
    pub gpu_count: u32,
    /// Start of epoch 0 (ms since the Unix epoch, block time).
    pub genesis: u64,
    /// Epoch length in ms (at least `MIN_EPOCH_LENGTH`).
    pub epoch_length: u64,
    /// How long after an epoch ends reports are accepted (ms).
    pub report_window: u64,
    /// Largest age of the latest finalized epoch's end before `latest` says `Stale` (ms).
    pub max_age: u64,
    /// Upper bound on energy per GPU-hour (Wh).
    pub max_wh_per_gpu_hour: u64,
    /// Reports farther than this from the median (bps of the median) are flagged.
    pub tolerance_bps: u16,
}

impl FeedConfig {
    /// Start of `epoch`.
    pub fn epoch_start(&self, epoch: Epoch) -> Option<u64> {
        epoch.checked_mul(self.epoch_length)?.checked_add(self.genesis)
    }

    /// End of `epoch` (exclusive).
    pub fn epoch_end(&self, epoch: Epoch) -> Option<u64> {
        self.epoch_start(epoch.checked_add(1)?)
    }

    /// The epoch running at `now` (0 before genesis).
    pub fn epoch_at(&self, now: u64) -> Epoch {
        now.saturating_sub(self.genesis).checked_div(self.epoch_length).unwrap_or_default()
    }

    /// Most GPU time one epoch can hold: GPUs × epoch length, in milli-GPU-hours.
    pub fn max_gpu_milli_hours(&self) -> u64 {
        u64::from(self.gpu_count).saturating_mul(self.epoch_length).checked_div(MS_PER_HOUR / 1_000).unwrap_or_default()
    }
}

/// A feed's changing state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Feed {
    /// Parameters.
    pub config: FeedConfig,
    /// Reports needed to finalize epochs before `next_quorum` applies.
    pub quorum: u32,
    /// A quorum change and the first epoch it applies to.
    pub next_quorum: Option<(u32, Epoch)>,
    /// Reporters that have not been removed.
    pub reporters: u32,
    /// Highest finalized epoch.
    pub latest: Option<Epoch>,
    /// Number of finalized epochs.
    pub finalized_count: u64,
}

impl Feed {
    /// Reports needed to finalize `epoch`.
    pub fn quorum_for(&self, epoch: Epoch) -> u32 {
        match self.next_quorum {
            Some((quorum, from)) if epoch >= from => quorum,
            _ => self.quorum,
        }
    }
}

/// Epochs a reporter may report on: `[from, until)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct ReporterWindow {
    /// First epoch.
    pub from: Epoch,
    /// First epoch no longer allowed, once removed.
    pub until: Option<Epoch>,
}

impl ReporterWindow {
    fn covers(&self, epoch: Epoch) -> bool {
        epoch >= self.from && self.until.is_none_or(|until| epoch < until)
    }
}

/// Why an oracle operation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum OracleError {
    /// No feed with this id.
    UnknownFeed,
    /// Invalid feed parameters (zero GPUs, epoch under `MIN_EPOCH_LENGTH`, no report window, tolerance over 100%).
    InvalidConfig,
    /// Quorum must be between 1 and the number of reporters.
    InvalidQuorum,
    /// More than `MAX_REPORTERS`, or the reporter is already active.
    InvalidReporterSet,
    /// The caller may not report on this feed and epoch.
    NotReporter,
    /// The epoch has not ended yet.
    EpochNotEnded,
    /// The report window of the epoch has closed.
    ReportTooLate,
    /// This reporter already reported this epoch.
    DuplicateReport,
    /// The epoch is already finalized.
    AlreadyFinalized,
    /// Utilization or uptime over 10,000 bps.
    RatioOutOfBounds,
    /// More GPU time than GPUs × epoch length.
    HoursOutOfBounds,
    /// More energy than the configured maximum per GPU-hour.
    EnergyOutOfBounds,
    /// The epoch is not finalized.
    NotFinalized,
    /// The latest finalized epoch is older than `max_age`.
    Stale,
    /// No GPU time delivered, so no efficiency.
    NoDelivery,
    /// Arithmetic would overflow.
    Overflow,
}

/// What `submit` did, for the contract's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Recorded; the epoch waits for more reports.
    Pending { count: u32, quorum: u32 },
    /// This report completed the quorum; `flagged` lists reporters far from the median.
    Finalized { finalized: Finalized, flagged: Vec<AccountId> },
}

/// All feeds.
#[ink::storage_item]
#[derive(Debug, Default)]
pub struct OracleData {
    feeds: Mapping<FeedId, Feed>,
    feed_count: u32,
    windows: Mapping<(FeedId, AccountId), ReporterWindow>,
    /// Reports collected for an epoch until it finalizes.
    pending: Mapping<(FeedId, Epoch), Vec<(AccountId, Report)>>,
    /// Every accepted report, for auditors.
    submissions: Mapping<(FeedId, Epoch, AccountId), Report>,
    finalized: Mapping<(FeedId, Epoch), Finalized>,
}

impl OracleData {
    /// Creates a feed. Its first reporters may report every epoch since genesis; later
    /// changes to the set or the quorum apply from the next epoch.
    pub fn create_feed(&mut self, config: FeedConfig, reporters: &[AccountId], quorum: u32) -> Result<FeedId, OracleError> {
        validate_config(&config)?;
        let count = u32::try_from(reporters.len()).map_err(|_| OracleError::InvalidReporterSet)?;
        if count > MAX_REPORTERS {
            return Err(OracleError::InvalidReporterSet);
        }
        if quorum == 0 || quorum > count {
            return Err(OracleError::InvalidQuorum);
        }
        let id = self.feed_count;
        for reporter in reporters {
            if self.windows.insert((id, *reporter), &ReporterWindow { from: 0, until: None }).is_some() {
                return Err(OracleError::InvalidReporterSet);
            }
        }
        let feed = Feed { config, quorum, next_quorum: None, reporters: count, latest: None, finalized_count: 0 };
        self.feeds.insert(id, &feed);
        self.feed_count = id.checked_add(1).ok_or(OracleError::Overflow)?;
        Ok(id)
    }

    /// Number of feeds.
    pub fn feed_count(&self) -> u32 {
        self.feed_count
    }

    /// Feed `id`.
    pub fn feed(&self, id: FeedId) -> Result<Feed, OracleError> {
        self.feeds.get(id).ok_or(OracleError::UnknownFeed)
    }

    /// Adds a reporter, allowed from the next epoch on.
    pub fn add_reporter(&mut self, id: FeedId, reporter: AccountId, now: u64) -> Result<Epoch, OracleError> {
        let mut feed = self.feed(id)?;
        if feed.reporters >= MAX_REPORTERS || self.windows.get((id, reporter)).is_some_and(|w| w.until.is_none()) {
            return Err(OracleError::InvalidReporterSet);
        }
        let from = next_epoch(&feed, now)?;
        self.windows.insert((id, reporter), &ReporterWindow { from, until: None });
        feed.reporters = feed.reporters.checked_add(1).ok_or(OracleError::Overflow)?;
        self.feeds.insert(id, &feed);
        Ok(from)
    }

    /// Removes a reporter from the next epoch on; never below the quorum.
    pub fn remove_reporter(&mut self, id: FeedId, reporter: AccountId, now: u64) -> Result<Epoch, OracleError> {
        let mut feed = self.feed(id)?;
        let mut window = self.windows.get((id, reporter)).filter(|w| w.until.is_none()).ok_or(OracleError::NotReporter)?;
        let remaining = feed.reporters.checked_sub(1).ok_or(OracleError::Overflow)?;
        let largest_quorum = feed.quorum.max(feed.next_quorum.map_or(0, |(q, _)| q));
        if remaining < largest_quorum {
            return Err(OracleError::InvalidQuorum);
        }
        let until = next_epoch(&feed, now)?;
        window.until = Some(until);
        self.windows.insert((id, reporter), &window);
        feed.reporters = remaining;
        self.feeds.insert(id, &feed);
        Ok(until)
    }

    /// Changes the quorum from the next epoch on (1 ≤ quorum ≤ reporters).
    pub fn set_quorum(&mut self, id: FeedId, quorum: u32, now: u64) -> Result<Epoch, OracleError> {
        let mut feed = self.feed(id)?;
        if quorum == 0 || quorum > feed.reporters {
            return Err(OracleError::InvalidQuorum);
        }
        let from = next_epoch(&feed, now)?;
        // Fold an earlier change that is already in force.
        feed.quorum = feed.quorum_for(feed.config.epoch_at(now));
        feed.next_quorum = Some((quorum, from));
        self.feeds.insert(id, &feed);
        Ok(from)
    }

    /// Whether `reporter` may report `epoch` of feed `id`.
    pub fn reporter_window(&self, id: FeedId, reporter: AccountId) -> Option<ReporterWindow> {
        self.windows.get((id, reporter))
    }

    /// Accepts one report; finalizes the epoch when it completes the quorum.
    pub fn submit(&mut self, id: FeedId, epoch: Epoch, reporter: AccountId, report: Report, now: u64) -> Result<Submitted, OracleError> {
        let mut feed = self.feed(id)?;
        if !self.windows.get((id, reporter)).is_some_and(|w| w.covers(epoch)) {
            return Err(OracleError::NotReporter);
        }
        let end = feed.config.epoch_end(epoch).ok_or(OracleError::Overflow)?;
        if now < end {
            return Err(OracleError::EpochNotEnded);
        }
        if now >= end.saturating_add(feed.config.report_window) {
            return Err(OracleError::ReportTooLate);
        }
        if self.finalized.contains((id, epoch)) {
            return Err(OracleError::AlreadyFinalized);
        }
        if self.submissions.contains((id, epoch, reporter)) {
            return Err(OracleError::DuplicateReport);
        }
        check_bounds(&feed.config, &report)?;

        self.submissions.insert((id, epoch, reporter), &report);
        let mut reports = self.pending.get((id, epoch)).unwrap_or_default();
        reports.push((reporter, report));
        let quorum = feed.quorum_for(epoch);
        let count = u32::try_from(reports.len()).map_err(|_| OracleError::Overflow)?;
        if count < quorum {
            self.pending.insert((id, epoch), &reports);
            return Ok(Submitted::Pending { count, quorum });
        }
        self.pending.remove((id, epoch));
        let values = median_report(&reports);
        let finalized = Finalized { epoch, values, reports: count, finalized_at: now };
        self.finalized.insert((id, epoch), &finalized);
        feed.latest = Some(feed.latest.map_or(epoch, |latest| latest.max(epoch)));
        feed.finalized_count = feed.finalized_count.checked_add(1).ok_or(OracleError::Overflow)?;
        self.feeds.insert(id, &feed);
        let flagged = reports
            .iter()
            .filter(|(_, r)| deviates(r, &values, feed.config.tolerance_bps))
            .map(|(who, _)| *who)
            .collect();
        Ok(Submitted::Finalized { finalized, flagged })
    }

    /// Finalized epoch `epoch` of feed `id`.
    pub fn epoch(&self, id: FeedId, epoch: Epoch) -> Result<Finalized, OracleError> {
        self.feed(id)?;
        self.finalized.get((id, epoch)).ok_or(OracleError::NotFinalized)
    }

    /// The highest finalized epoch, unless its end is more than `max_age` before `now`.
    pub fn latest(&self, id: FeedId, now: u64) -> Result<Finalized, OracleError> {
        let feed = self.feed(id)?;
        let latest = self.latest_unchecked(id)?;
        let end = feed.config.epoch_end(latest.epoch).ok_or(OracleError::Overflow)?;
        if now.saturating_sub(end) > feed.config.max_age {
            return Err(OracleError::Stale);
        }
        Ok(latest)
    }

    /// The highest finalized epoch, however old: the caller handles staleness.
    pub fn latest_unchecked(&self, id: FeedId) -> Result<Finalized, OracleError> {
        let epoch = self.feed(id)?.latest.ok_or(OracleError::NotFinalized)?;
        self.epoch(id, epoch)
    }

    /// Finalized epochs among `[from, from + count)`, in order; cost O(count).
    pub fn history(&self, id: FeedId, from: Epoch, count: u32) -> Result<Vec<Finalized>, OracleError> {
        self.feed(id)?;
        let end = from.saturating_add(u64::from(count));
        Ok((from..end).filter_map(|epoch| self.finalized.get((id, epoch))).collect())
    }

    /// What `reporter` submitted for `epoch`, if anything.
    pub fn submission(&self, id: FeedId, epoch: Epoch, reporter: AccountId) -> Option<Report> {
        self.submissions.get((id, epoch, reporter))
    }

    /// Reports collected for an epoch that is not finalized yet.
    pub fn pending_reports(&self, id: FeedId, epoch: Epoch) -> u32 {
        self.pending.get((id, epoch)).map_or(0, |r| u32::try_from(r.len()).unwrap_or(u32::MAX))
    }

    /// Energy efficiency of a finalized epoch, in Wh per GPU-hour (rounded down).
    pub fn efficiency(&self, id: FeedId, epoch: Epoch) -> Result<u64, OracleError> {
        let values = self.epoch(id, epoch)?.values;
        if values.gpu_milli_hours == 0 {
            return Err(OracleError::NoDelivery);
        }
        values.energy_wh.checked_mul(1_000).ok_or(OracleError::Overflow)?.checked_div(values.gpu_milli_hours).ok_or(OracleError::Overflow)
    }
}

fn next_epoch(feed: &Feed, now: u64) -> Result<Epoch, OracleError> {
    feed.config.epoch_at(now).checked_add(1).ok_or(OracleError::Overflow)
}

fn validate_config(config: &FeedConfig) -> Result<(), OracleError> {
    if config.gpu_count == 0 || config.epoch_length < MIN_EPOCH_LENGTH || config.tolerance_bps > BPS || config.report_window == 0 {
        return Err(OracleError::InvalidConfig);
    }
    Ok(())
}

fn check_bounds(config: &FeedConfig, report: &Report) -> Result<(), OracleError> {
    if report.utilization_bps > BPS || report.uptime_bps > BPS {
        return Err(OracleError::RatioOutOfBounds);
    }
    if report.gpu_milli_hours > config.max_gpu_milli_hours() {
        return Err(OracleError::HoursOutOfBounds);
    }
    // energy ≤ max Wh/GPU-h × GPU-hours, compared in milli units to stay exact.
    let energy_limit = u128::from(config.max_wh_per_gpu_hour).saturating_mul(u128::from(report.gpu_milli_hours));
    if u128::from(report.energy_wh).saturating_mul(1_000) > energy_limit {
        return Err(OracleError::EnergyOutOfBounds);
    }
    Ok(())
}

/// Median of `values` (mean of the two middle ones, rounded down, for an even count).
pub fn median(mut values: Vec<u64>) -> u64 {
    values.sort_unstable();
    let mid = values.len() / 2;
    let even = values.len() % 2 == 0;
    match (mid.checked_sub(1).and_then(|i| values.get(i)), values.get(mid)) {
        // Mean of the middle two without overflow: halves, plus one if both were odd.
        (Some(low), Some(high)) if even => (low / 2).saturating_add(high / 2).saturating_add(low & high & 1),
        (_, Some(middle)) => *middle,
        _ => 0,
    }
}

fn median_report(reports: &[(AccountId, Report)]) -> Report {
    let field = |get: fn(&Report) -> u64| median(reports.iter().map(|(_, r)| get(r)).collect());
    Report {
        gpu_milli_hours: field(|r| r.gpu_milli_hours),
        utilization_bps: u16::try_from(field(|r| u64::from(r.utilization_bps))).unwrap_or(BPS),
        uptime_bps: u16::try_from(field(|r| u64::from(r.uptime_bps))).unwrap_or(BPS),
        energy_wh: field(|r| r.energy_wh),
        avg_power_w: u32::try_from(field(|r| u64::from(r.avg_power_w))).unwrap_or(u32::MAX),
    }
}

/// Whether any field of `report` is more than `tolerance_bps` (of the median) away from it
/// (public so that audit tooling flags reporters by the same rule).
pub fn deviates(report: &Report, median: &Report, tolerance_bps: u16) -> bool {
    let far = |value: u64, center: u64| {
        let distance = u128::from(value.abs_diff(center)).saturating_mul(u128::from(BPS));
        distance > u128::from(center.max(1)).saturating_mul(u128::from(tolerance_bps))
    };
    far(report.gpu_milli_hours, median.gpu_milli_hours)
        || far(report.utilization_bps.into(), median.utilization_bps.into())
        || far(report.uptime_bps.into(), median.uptime_bps.into())
        || far(report.energy_wh, median.energy_wh)
        || far(report.avg_power_w.into(), median.avg_power_w.into())
}
