//! The oracle's state machine: feeds, versioned reporter sets, per-epoch reports, median
//! finalization. No ink! environment here: callers pass in who and when.
//!
//! Epoch `n` of a feed covers `[genesis + n·len, genesis + (n+1)·len)`. Reports for it are
//! accepted once it has ended and until `report_window` after that, from its *eligible*
//! reporters: the members of the reporter set in force for `n` (fixed before `n` starts:
//! governance changes apply from the next epoch), less any evicted since. The epoch finalizes
//! with the median of every field over the counted reports when every eligible reporter has
//! reported, or, once the window has closed, on anyone's `finalize` if at least `threshold`
//! reports count: a strict majority of the eligible reporters and at least the set's quorum
//! (capped at their number) — and, either way, a strict majority of the set the epoch started
//! with. Finalized epochs never change.
//!
//! Eviction is immediate: the account leaves the eligible set of every epoch not yet
//! finalized and its reports for them stop counting (they are neither counted, nor in the
//! median, nor returned by `submission`). It may be re-added like a new reporter, from the
//! epoch after the eviction's; the reports it made before never count. Evictions can lower
//! an epoch's threshold (to unblock an epoch a withheld report stalls), but never below a
//! strict majority of the epoch's set: a minority of the reporters an epoch started with never
//! decides it, however many of the others are evicted.

pub use compute_rwa_common::feed::{Finalized, Report};
use compute_rwa_common::{EpochSchedule, Role, BPS};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use ink::storage::Mapping;

/// Most reporters a reporter set may have (bounds every per-epoch loop and the report bitmasks).
pub const MAX_REPORTERS: u32 = 16;
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
    /// The feed's epoch schedule (all epoch arithmetic goes through it).
    pub fn schedule(&self) -> EpochSchedule {
        EpochSchedule { genesis: self.genesis, epoch_length: self.epoch_length, gpus: self.gpu_count, report_window: self.report_window }
    }
}

/// A feed's changing state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Feed {
    /// Parameters.
    pub config: FeedConfig,
    /// Number of reporter sets recorded (set `i` is in force from its `from` epoch until the next one's).
    pub sets: u32,
    /// Epochs before this one may have evicted reporters (0: no eviction yet).
    pub evicted_before: Epoch,
    /// Highest finalized epoch.
    pub latest: Option<Epoch>,
    /// Number of finalized epochs.
    pub finalized_count: u64,
}

/// The reporters and quorum of every epoch from `from` until the next set's `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct ReporterSet {
    /// First epoch the set is in force.
    pub from: Epoch,
    /// Reporters (at most `MAX_REPORTERS`; bit `i` of the report masks is member `i`).
    pub members: Vec<AccountId>,
    /// Floor on the reports an epoch needs once its window closed (0 only after evictions emptied the set).
    pub quorum: u32,
}

/// A reporter's latest membership, for display (the reporter sets decide; see `eligible`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct ReporterWindow {
    /// First epoch of its latest membership.
    pub from: Epoch,
    /// First epoch it is no longer a member of, once removed or evicted.
    pub until: Option<Epoch>,
    /// Set by an eviction: its reports for epochs before this one that were not finalized
    /// then never count, and it is not eligible for them.
    pub evicted_before: Option<Epoch>,
}

/// Who decides an epoch, as the `eligible` read reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Eligibility {
    /// Reporters whose reports count for the epoch: its reporter set less evicted ones (for a
    /// finalized epoch, as when it finalized).
    pub reporters: Vec<AccountId>,
    /// The set's quorum (fixed before the epoch started).
    pub quorum: u32,
    /// Counted reports needed to finalize: a strict majority of `reporters` and at least
    /// `quorum` (capped at their number), and never fewer than a strict majority of the set
    /// the epoch started with (evictions do not lower that). Before the window closes, every
    /// one of `reporters` must also have reported.
    pub threshold: u32,
    /// Reports counted so far (for a finalized epoch, the reports it was computed from).
    pub reported: u32,
    /// For a finalized epoch, the counted reporters whose report strayed from the median by more
    /// than the feed's tolerance (the oracle's own verdict, recorded when it finalized); empty
    /// before.
    pub flagged: Vec<AccountId>,
}

/// A finalized epoch, with who was eligible when it finalized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Closed {
    /// The epoch's figures.
    pub finalized: Finalized,
    /// Bit `i`: member `i` of the epoch's reporter set was eligible when it finalized.
    pub eligible: u32,
    /// Bit `i`: member `i`'s counted report strayed from the median beyond the tolerance.
    pub flagged: u32,
}

compute_rwa_common::contract_error! {
    /// Why an oracle message was refused: every error of the contract, in one flat enum.
    /// `MissingRole` names the role the caller lacks: `Reporter`, an eligible reporter of this feed and epoch (or, for governance, a reporter of the feed).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Error {
        /// No feed with this id.
        UnknownFeed,
        /// Invalid feed parameters (zero GPUs, epoch under `MIN_EPOCH_LENGTH`, no report window, tolerance over 100%).
        InvalidConfig,
        /// Quorum must be between 1 and the number of reporters of the next epoch's set.
        InvalidQuorum,
        /// More than `MAX_REPORTERS`, a duplicate, or the reporter is already in the next epoch's set.
        InvalidReporterSet,
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
        /// Not final yet: the report window is open and not every eligible reporter has reported.
        NotReady,
        /// The report window closed with fewer counted reports than the threshold: the epoch
        /// stays unfinalized (unless evictions lower the threshold, never below a strict majority
        /// of the epoch's set).
        BelowThreshold,
    }
}


/// What `submit` did, for the contract's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Recorded; the epoch waits for the other eligible reporters (or the window's end; if
    /// evictions left fewer eligible reporters than a majority of its set, it never finalizes).
    Pending {
        /// Reports counted so far.
        count: u32,
        /// Eligible reporters.
        eligible: u32,
    },
    /// This report was the last eligible one; `flagged` lists reporters far from the median.
    Finalized {
        /// The epoch as finalized.
        finalized: Finalized,
        /// Counted reporters farther from the median than the feed's tolerance.
        flagged: Vec<AccountId>,
    },
}

/// All feeds.
#[ink::storage_item]
#[derive(Debug, Default)]
pub struct OracleData {
    feeds: Mapping<FeedId, Feed>,
    feed_count: u32,
    /// Reporter set `i` of a feed.
    sets: Mapping<(FeedId, u32), ReporterSet>,
    /// First epoch of set `i`: the index `set_for` binary-searches.
    set_starts: Mapping<(FeedId, u32), Epoch>,
    windows: Mapping<(FeedId, AccountId), ReporterWindow>,
    /// Bit `i`: member `i` of the epoch's set has reported (removed once it finalizes).
    reported: Mapping<(FeedId, Epoch), u32>,
    /// Every accepted report, for auditors (`submission` shows the ones that count).
    submissions: Mapping<(FeedId, Epoch, AccountId), Report>,
    finalized: Mapping<(FeedId, Epoch), Closed>,
}

/// An epoch not yet finalized: its set and who is eligible and has reported (bit masks over the set).
struct Tally {
    feed: Feed,
    set: ReporterSet,
    eligible: u32,
    reported: u32,
}

impl Tally {
    fn counted(&self) -> u32 {
        (self.eligible & self.reported).count_ones()
    }

    /// Counted reports the epoch needs (see `threshold_of`).
    fn threshold(&self) -> u32 {
        threshold_of(set_size(&self.set), self.eligible.count_ones(), self.set.quorum)
    }
}

impl OracleData {
    /// Creates a feed. Its first reporters may report every epoch since genesis; later
    /// changes to the set or the quorum apply from the next epoch.
    pub fn create_feed(&mut self, config: FeedConfig, reporters: &[AccountId], quorum: u32) -> Result<FeedId, Error> {
        validate_config(&config)?;
        let count = u32::try_from(reporters.len()).map_err(|_| Error::InvalidReporterSet)?;
        if count > MAX_REPORTERS {
            return Err(Error::InvalidReporterSet);
        }
        if quorum == 0 || quorum > count {
            return Err(Error::InvalidQuorum);
        }
        for (i, reporter) in reporters.iter().enumerate() {
            if reporters.iter().skip(i.saturating_add(1)).any(|other| other == reporter) {
                return Err(Error::InvalidReporterSet);
            }
        }
        let id = self.feed_count;
        for reporter in reporters {
            self.windows.insert((id, *reporter), &ReporterWindow::default());
        }
        self.sets.insert((id, 0), &ReporterSet { from: 0, members: reporters.iter().copied().collect(), quorum });
        self.set_starts.insert((id, 0), &0);
        let feed = Feed { config, sets: 1, evicted_before: 0, latest: None, finalized_count: 0 };
        self.feeds.insert(id, &feed);
        self.feed_count = id.checked_add(1).ok_or(Error::Overflow)?;
        Ok(id)
    }

    /// Number of feeds.
    pub fn feed_count(&self) -> u32 {
        self.feed_count
    }

    /// Feed `id`.
    pub fn feed(&self, id: FeedId) -> Result<Feed, Error> {
        self.feeds.get(id).ok_or(Error::UnknownFeed)
    }

    /// The reporter set in force for `epoch`: the one with the largest `from` ≤ `epoch`,
    /// found by binary search over `set_starts` (O(log sets); the newest set is tried first).
    pub fn set_for(&self, id: FeedId, feed: &Feed, epoch: Epoch) -> Result<ReporterSet, Error> {
        let start = |index: u32| self.set_starts.get((id, index)).unwrap_or_default();
        // Invariant: start(low) ≤ epoch < start(high); start(0) = 0.
        let mut high = feed.sets.checked_sub(1).ok_or(Error::UnknownFeed)?;
        let mut low = 0;
        if start(high) <= epoch {
            low = high;
        }
        while high.saturating_sub(low) > 1 {
            let middle = low.saturating_add(high.saturating_sub(low) / 2);
            if start(middle) <= epoch {
                low = middle;
            } else {
                high = middle;
            }
        }
        self.sets.get((id, low)).ok_or(Error::UnknownFeed)
    }

    /// The set for the epochs from the next one on, to change, and its index (a new set
    /// unless one already starts then: started epochs keep theirs).
    fn next_set(&self, id: FeedId, feed: &Feed, now: u64) -> Result<(u32, ReporterSet), Error> {
        let next = feed.config.schedule().epoch_at(now).checked_add(1).ok_or(Error::Overflow)?;
        let last = feed.sets.checked_sub(1).ok_or(Error::UnknownFeed)?;
        let mut set = self.sets.get((id, last)).ok_or(Error::UnknownFeed)?;
        if set.from >= next {
            return Ok((last, set));
        }
        set.from = next;
        Ok((feed.sets, set))
    }

    /// Stores the set from `next_set` and the feed (which counts a new set).
    fn store_set(&mut self, id: FeedId, mut feed: Feed, index: u32, set: &ReporterSet) -> Result<(), Error> {
        if index == feed.sets {
            feed.sets = index.checked_add(1).ok_or(Error::Overflow)?;
            self.set_starts.insert((id, index), &set.from);
        }
        self.sets.insert((id, index), set);
        self.feeds.insert(id, &feed);
        Ok(())
    }

    /// Adds a reporter to the set of the next epoch on (a new reporter: an evicted account's
    /// earlier reports stay discarded).
    pub fn add_reporter(&mut self, id: FeedId, reporter: AccountId, now: u64) -> Result<Epoch, Error> {
        let feed = self.feed(id)?;
        let (index, mut set) = self.next_set(id, &feed, now)?;
        if set.members.contains(&reporter) || u32::try_from(set.members.len()).map_or(true, |n| n >= MAX_REPORTERS) {
            return Err(Error::InvalidReporterSet);
        }
        set.members.push(reporter);
        self.store_set(id, feed, index, &set)?;
        let mut window = self.windows.get((id, reporter)).unwrap_or_default();
        // Re-adding before a plain removal took effect continues the membership.
        if window.until != Some(set.from) || window.evicted_before == Some(set.from) {
            window.from = set.from;
        }
        window.until = None;
        self.windows.insert((id, reporter), &window);
        Ok(set.from)
    }

    /// Removes a reporter from the set of the next epoch on; never below that set's quorum.
    pub fn remove_reporter(&mut self, id: FeedId, reporter: AccountId, now: u64) -> Result<Epoch, Error> {
        let feed = self.feed(id)?;
        let (index, mut set) = self.next_set(id, &feed, now)?;
        if !set.members.contains(&reporter) {
            return Err(Error::MissingRole(Role::Reporter));
        }
        set.members.retain(|member| *member != reporter);
        if u32::try_from(set.members.len()).map_or(true, |n| n < set.quorum) {
            return Err(Error::InvalidQuorum);
        }
        self.store_set(id, feed, index, &set)?;
        let mut window = self.windows.get((id, reporter)).unwrap_or_default();
        window.until = Some(set.from);
        self.windows.insert((id, reporter), &window);
        Ok(set.from)
    }

    /// Changes the quorum of the next epoch's set (1 ≤ quorum ≤ its reporters).
    pub fn set_quorum(&mut self, id: FeedId, quorum: u32, now: u64) -> Result<Epoch, Error> {
        let feed = self.feed(id)?;
        let (index, mut set) = self.next_set(id, &feed, now)?;
        if quorum == 0 || u32::try_from(set.members.len()).map_or(true, |n| quorum > n) {
            return Err(Error::InvalidQuorum);
        }
        set.quorum = quorum;
        self.store_set(id, feed, index, &set)?;
        Ok(set.from)
    }

    /// Evicts a (current or former) reporter at once: it leaves the eligible set of every epoch
    /// not finalized now, its reports for them stop counting, and it leaves the next epoch's
    /// set (whose quorum drops to its size if need be). Returns that next epoch: re-adding
    /// it is possible, from then on only.
    pub fn evict_reporter(&mut self, id: FeedId, reporter: AccountId, now: u64) -> Result<Epoch, Error> {
        let mut feed = self.feed(id)?;
        let mut window = self.windows.get((id, reporter)).ok_or(Error::MissingRole(Role::Reporter))?;
        let (index, mut set) = self.next_set(id, &feed, now)?;
        set.members.retain(|member| *member != reporter);
        set.quorum = set.quorum.min(u32::try_from(set.members.len()).map_err(|_| Error::Overflow)?);
        feed.evicted_before = feed.evicted_before.max(set.from);
        self.store_set(id, feed, index, &set)?;
        window.until = Some(window.until.map_or(set.from, |until| until.min(set.from)));
        window.evicted_before = Some(set.from);
        self.windows.insert((id, reporter), &window);
        Ok(set.from)
    }

    /// `reporter`'s latest membership of feed `id`.
    pub fn reporter_window(&self, id: FeedId, reporter: AccountId) -> Option<ReporterWindow> {
        self.windows.get((id, reporter))
    }

    /// Whether an eviction took `who` out of `epoch` (not finalized).
    fn evicted(&self, id: FeedId, feed: &Feed, who: AccountId, epoch: Epoch) -> bool {
        epoch < feed.evicted_before && self.windows.get((id, who)).and_then(|w| w.evicted_before).is_some_and(|before| epoch < before)
    }

    /// Bit mask of the members of `set` eligible for `epoch` (not finalized) now.
    fn open_mask(&self, id: FeedId, feed: &Feed, set: &ReporterSet, epoch: Epoch) -> u32 {
        set.members.iter().enumerate().filter(|(_, who)| !self.evicted(id, feed, **who, epoch)).fold(0, |mask, (i, _)| mask | bit(i))
    }

    /// Bit mask of the members of `set` eligible for `epoch`: as it finalized, or now.
    fn eligible_mask(&self, id: FeedId, feed: &Feed, set: &ReporterSet, epoch: Epoch) -> u32 {
        match self.finalized.get((id, epoch)) {
            Some(closed) => closed.eligible,
            None => self.open_mask(id, feed, set, epoch),
        }
    }

    /// An epoch that is not finalized, as it stands.
    fn tally(&self, id: FeedId, epoch: Epoch) -> Result<Tally, Error> {
        let feed = self.feed(id)?;
        if self.finalized.contains((id, epoch)) {
            return Err(Error::AlreadyFinalized);
        }
        let set = self.set_for(id, &feed, epoch)?;
        let eligible = self.open_mask(id, &feed, &set, epoch);
        let reported = self.reported.get((id, epoch)).unwrap_or_default();
        Ok(Tally { feed, set, eligible, reported })
    }

    /// Accepts one report from an eligible reporter inside the epoch's report window; the last
    /// eligible reporter's report finalizes the epoch (if they make the threshold).
    pub fn submit(&mut self, id: FeedId, epoch: Epoch, reporter: AccountId, report: Report, now: u64) -> Result<Submitted, Error> {
        let mut tally = self.tally(id, epoch)?;
        let own = tally.set.members.iter().position(|member| *member == reporter).map_or(0, bit);
        if tally.eligible & own == 0 {
            return Err(Error::MissingRole(Role::Reporter));
        }
        let config = &tally.feed.config;
        if now < config.schedule().epoch_end(epoch) {
            return Err(Error::EpochNotEnded);
        }
        if now >= config.schedule().window_close(epoch) {
            return Err(Error::ReportTooLate);
        }
        if tally.reported & own != 0 {
            return Err(Error::DuplicateReport);
        }
        check_bounds(config, &report)?;

        self.submissions.insert((id, epoch, reporter), &report);
        tally.reported |= own;
        let (count, eligible) = (tally.counted(), tally.eligible.count_ones());
        if count < eligible || count < tally.threshold() {
            self.reported.insert((id, epoch), &tally.reported);
            return Ok(Submitted::Pending { count, eligible });
        }
        let (finalized, flagged) = self.close(id, epoch, tally, now)?;
        Ok(Submitted::Finalized { finalized, flagged })
    }

    /// Finalizes `epoch` where the rules allow it now: every eligible reporter has reported,
    /// or the report window has closed with at least the threshold of counted reports.
    /// Anyone may trigger it. Returns the epoch and the flagged reporters.
    pub fn finalize(&mut self, id: FeedId, epoch: Epoch, now: u64) -> Result<(Finalized, Vec<AccountId>), Error> {
        let tally = self.tally(id, epoch)?;
        let closed = now >= tally.feed.config.schedule().window_close(epoch);
        let (count, eligible) = (tally.counted(), tally.eligible.count_ones());
        if count < tally.threshold() || (count < eligible && !closed) {
            return Err(if closed { Error::BelowThreshold } else { Error::NotReady });
        }
        self.close(id, epoch, tally, now)
    }

    /// Records the median of the counted reports as final, with the reports that strayed from it.
    fn close(&mut self, id: FeedId, epoch: Epoch, tally: Tally, now: u64) -> Result<(Finalized, Vec<AccountId>), Error> {
        let counted_mask = tally.eligible & tally.reported;
        let counted: Vec<(u32, AccountId, Report)> = tally
            .set
            .members
            .iter()
            .enumerate()
            .filter(|(i, _)| counted_mask & bit(*i) != 0)
            .filter_map(|(i, who)| self.submissions.get((id, epoch, *who)).map(|report| (bit(i), *who, report)))
            .collect();
        let reports = u32::try_from(counted.len()).map_err(|_| Error::Overflow)?;
        let mut feed = tally.feed;
        // Every check before the first write: `finalize_epoch` returns `None` without reverting.
        feed.finalized_count = feed.finalized_count.checked_add(1).ok_or(Error::Overflow)?;
        feed.latest = Some(feed.latest.map_or(epoch, |latest| latest.max(epoch)));
        let values = median_report(&counted.iter().map(|(_, _, report)| *report).collect::<Vec<_>>());
        let finalized = Finalized { epoch, values, reports, finalized_at: now };
        let tolerance = feed.config.tolerance_bps;
        let strayed: Vec<&(u32, AccountId, Report)> = counted.iter().filter(|(_, _, report)| deviates(report, &values, tolerance)).collect();
        let flagged = strayed.iter().fold(0, |mask, (member, _, _)| mask | member);
        self.finalized.insert((id, epoch), &Closed { finalized, eligible: tally.eligible, flagged });
        self.reported.remove((id, epoch));
        self.feeds.insert(id, &feed);
        Ok((finalized, strayed.iter().map(|(_, who, _)| *who).collect()))
    }

    /// Who decides `epoch` of feed `id`: its eligible reporters, quorum, threshold, and the
    /// reports counted so far.
    pub fn eligible(&self, id: FeedId, epoch: Epoch) -> Result<Eligibility, Error> {
        let feed = self.feed(id)?;
        let set = self.set_for(id, &feed, epoch)?;
        let mask = self.eligible_mask(id, &feed, &set, epoch);
        let (reported, flagged_mask) = match self.finalized.get((id, epoch)) {
            Some(closed) => (closed.finalized.reports, closed.flagged),
            None => ((self.reported.get((id, epoch)).unwrap_or_default() & mask).count_ones(), 0),
        };
        let members = |of: u32| -> Vec<AccountId> { set.members.iter().enumerate().filter(|(i, _)| of & bit(*i) != 0).map(|(_, who)| *who).collect() };
        let threshold = threshold_of(set_size(&set), mask.count_ones(), set.quorum);
        Ok(Eligibility { reporters: members(mask), quorum: set.quorum, threshold, reported, flagged: members(flagged_mask) })
    }

    /// Finalized epoch `epoch` of feed `id`.
    pub fn epoch(&self, id: FeedId, epoch: Epoch) -> Result<Finalized, Error> {
        self.feed(id)?;
        self.finalized.get((id, epoch)).map(|closed| closed.finalized).ok_or(Error::NotFinalized)
    }

    /// The highest finalized epoch, unless its end is more than `max_age` before `now`.
    pub fn latest(&self, id: FeedId, now: u64) -> Result<Finalized, Error> {
        let feed = self.feed(id)?;
        let latest = self.latest_unchecked(id)?;
        let end = feed.config.schedule().epoch_end(latest.epoch);
        if now.saturating_sub(end) > feed.config.max_age {
            return Err(Error::Stale);
        }
        Ok(latest)
    }

    /// The highest finalized epoch, however old: the caller handles staleness.
    pub fn latest_unchecked(&self, id: FeedId) -> Result<Finalized, Error> {
        let epoch = self.feed(id)?.latest.ok_or(Error::NotFinalized)?;
        self.epoch(id, epoch)
    }

    /// Finalized epochs among `[from, from + count)`, in order; cost O(count).
    pub fn history(&self, id: FeedId, from: Epoch, count: u32) -> Result<Vec<Finalized>, Error> {
        self.feed(id)?;
        let end = from.saturating_add(u64::from(count));
        Ok((from..end).filter_map(|epoch| self.finalized.get((id, epoch)).map(|closed| closed.finalized)).collect())
    }

    /// What `reporter` submitted for `epoch`, if it counts: for a finalized epoch, if it was
    /// in the median; otherwise, while the reporter is still eligible (evicted reporters'
    /// reports are discarded).
    pub fn submission(&self, id: FeedId, epoch: Epoch, reporter: AccountId) -> Option<Report> {
        let report = self.submissions.get((id, epoch, reporter))?;
        let feed = self.feed(id).ok()?;
        let set = self.set_for(id, &feed, epoch).ok()?;
        let own = set.members.iter().position(|member| *member == reporter).map_or(0, bit);
        (self.eligible_mask(id, &feed, &set, epoch) & own != 0).then_some(report)
    }

    /// Reports counted so far for an epoch that is not finalized yet (0 once it is).
    pub fn pending_reports(&self, id: FeedId, epoch: Epoch) -> u32 {
        self.tally(id, epoch).map_or(0, |tally| tally.counted())
    }

    /// Energy efficiency of a finalized epoch, in Wh per GPU-hour (rounded down).
    pub fn efficiency(&self, id: FeedId, epoch: Epoch) -> Result<u64, Error> {
        let values = self.epoch(id, epoch)?.values;
        if values.gpu_milli_hours == 0 {
            return Err(Error::NoDelivery);
        }
        values.energy_wh.checked_mul(1_000).ok_or(Error::Overflow)?.checked_div(values.gpu_milli_hours).ok_or(Error::Overflow)
    }
}

/// Counted reports an epoch with `eligible` reporters and quorum `quorum` needs once its
/// window has closed: a strict majority, and at least the quorum (capped at `eligible`).
/// (No eviction: see `threshold_of`.)
pub fn threshold(eligible: u32, quorum: u32) -> u32 {
    (eligible / 2).saturating_add(1).max(quorum.min(eligible))
}

/// Counted reports an epoch needs whose set has `members` reporters, `eligible` of them not
/// evicted, and quorum `quorum`: `threshold(eligible, quorum)`, but never fewer than a strict
/// majority of `members` (so that evictions never let a minority of the set decide).
pub fn threshold_of(members: u32, eligible: u32, quorum: u32) -> u32 {
    (members / 2).saturating_add(1).max(threshold(eligible, quorum))
}

/// Number of members of `set` (at most `MAX_REPORTERS`).
fn set_size(set: &ReporterSet) -> u32 {
    u32::try_from(set.members.len()).unwrap_or(u32::MAX)
}

/// Bit `i` of a report mask (0 past `MAX_REPORTERS`).
fn bit(i: usize) -> u32 {
    u32::try_from(i).ok().filter(|i| *i < MAX_REPORTERS).map_or(0, |i| 1 << i)
}

fn validate_config(config: &FeedConfig) -> Result<(), Error> {
    if config.gpu_count == 0 || config.epoch_length < MIN_EPOCH_LENGTH || config.tolerance_bps > BPS || config.report_window == 0 {
        return Err(Error::InvalidConfig);
    }
    Ok(())
}

fn check_bounds(config: &FeedConfig, report: &Report) -> Result<(), Error> {
    if report.utilization_bps > BPS || report.uptime_bps > BPS {
        return Err(Error::RatioOutOfBounds);
    }
    if report.gpu_milli_hours > config.schedule().max_gpu_milli_hours() {
        return Err(Error::HoursOutOfBounds);
    }
    // energy ≤ max Wh/GPU-h × GPU-hours, compared in milli units to stay exact.
    let energy_limit = u128::from(config.max_wh_per_gpu_hour).saturating_mul(u128::from(report.gpu_milli_hours));
    if u128::from(report.energy_wh).saturating_mul(1_000) > energy_limit {
        return Err(Error::EnergyOutOfBounds);
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

fn median_report(reports: &[Report]) -> Report {
    let field = |get: fn(&Report) -> u64| median(reports.iter().map(get).collect());
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
