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
    /// Number of reports it was computed from (the quorum at the time).
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
