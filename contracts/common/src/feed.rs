//! The utilization oracle's interface, as escrows call it: one finalized epoch at a time.

/// One reporter's figures for one epoch (or, finalized, the median of each field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Report {
    /// GPU time delivered, in milli-GPU-hours.
    pub gpu_milli_hours: u64,
    /// Average utilization of the GPUs, in basis points.
    pub utilization_bps: u16,
    /// Share of the epoch the GPUs were available, in basis points.
    pub uptime_bps: u16,
    /// Energy drawn, in watt-hours.
    pub energy_wh: u64,
    /// Average power, in watts (0 when not measured).
    pub avg_power_w: u32,
}

/// A finalized epoch: the median of its reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Finalized {
    /// Which epoch.
    pub epoch: u64,
    /// Median of each field over the reports.
    pub values: Report,
    /// Number of reports it was computed from (the counted reports of the eligible set).
    pub reports: u32,
    /// Block time of finalization (ms).
    pub finalized_at: u64,
}

/// A feed's epoch schedule: epoch `n` covers `[genesis + n·epoch_length, genesis + (n+1)·epoch_length)`.
/// Escrows read it from their feed at construction instead of keeping a copy tooling must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct FeedSchedule {
    /// Start of epoch 0 (ms, block time).
    pub genesis: u64,
    /// Epoch length (ms, > 0).
    pub epoch_length: u64,
    /// GPUs of the pool the feed reports on.
    pub gpus: u32,
    /// How long after an epoch ends reports are accepted (ms).
    pub report_window: u64,
}

impl FeedSchedule {
    /// The epoch running at `now` (0 before genesis).
    pub fn epoch_at(&self, now: u64) -> u64 {
        now.saturating_sub(self.genesis).checked_div(self.epoch_length).unwrap_or_default()
    }

    /// End of `epoch` (ms, exclusive; saturates).
    pub fn epoch_end(&self, epoch: u64) -> u64 {
        epoch.saturating_add(1).saturating_mul(self.epoch_length).saturating_add(self.genesis)
    }
}

/// What an escrow asks of the oracle.
#[ink::trait_definition]
pub trait UtilizationFeed {
    /// Finalized `epoch` of `feed`, or `None` while it is not final.
    #[ink(message)]
    fn finalized_epoch(&self, feed: u32, epoch: u64) -> Option<Finalized>;

    /// Finalizes `epoch` of `feed` if its rules allow it now (every eligible reporter has
    /// reported, or the report window closed with a strict majority of them) and returns it;
    /// `None` while it cannot be final yet (or never can). Anyone may call.
    #[ink(message)]
    fn finalize_epoch(&mut self, feed: u32, epoch: u64) -> Option<Finalized>;

    /// The epoch schedule of `feed` (`None`: no such feed).
    #[ink(message)]
    fn schedule(&self, feed: u32) -> Option<FeedSchedule>;
}

/// Why a yield distribution was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum DistributeError {
    /// The caller may not distribute.
    NotDistributor,
    /// Zero, or past the accumulator's documented cap.
    InvalidAmount,
    /// The stablecoin could not be pulled from the caller (allowance or balance).
    PaymentFailed,
}

/// What an escrow asks of a GPU-hour token: take released rent for its holders.
#[ink::trait_definition]
pub trait YieldDistributor {
    /// Pulls `amount` of the yield stablecoin from the caller (who approved it) and
    /// spreads it over holders pro rata.
    #[ink(message)]
    fn distribute(&mut self, amount: u128) -> Result<(), DistributeError>;
}
