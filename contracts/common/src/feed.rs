//! The utilization oracle's interface, as escrows call it: one finalized epoch at a time.

use crate::schedule::EpochSchedule;

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
    fn schedule(&self, feed: u32) -> Option<EpochSchedule>;
}
