//! When epochs begin and end: the one schedule the oracle reports on and the escrow settles on,
//! and the time constant both count in.

/// Milliseconds per hour.
pub const MS_PER_HOUR: u64 = 3_600_000;

/// A pool's epoch schedule: epoch `n` covers `[genesis + n·epoch_length, genesis + (n+1)·epoch_length)`.
/// The oracle keeps it in each feed's configuration; an escrow reads it from its feed at
/// construction (`UtilizationFeed::schedule`) instead of keeping a copy tooling must match.
/// Every time it answers saturates at `u64::MAX` ("never"), so no caller has an overflow to handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct EpochSchedule {
    /// Start of epoch 0 (ms, block time).
    pub genesis: u64,
    /// Epoch length (ms, > 0).
    pub epoch_length: u64,
    /// GPUs of the pool.
    pub gpus: u32,
    /// How long after an epoch ends its reports are accepted (ms): when its figures settle.
    pub report_window: u64,
}

impl EpochSchedule {
    /// The epoch running at `now` (0 before genesis).
    pub fn epoch_at(&self, now: u64) -> u64 {
        now.saturating_sub(self.genesis).checked_div(self.epoch_length).unwrap_or_default()
    }

    /// Start of `epoch` (ms; saturates).
    pub fn epoch_start(&self, epoch: u64) -> u64 {
        epoch.saturating_mul(self.epoch_length).saturating_add(self.genesis)
    }

    /// End of `epoch` (ms, exclusive; saturates).
    pub fn epoch_end(&self, epoch: u64) -> u64 {
        self.epoch_start(epoch.saturating_add(1))
    }

    /// When the report window of `epoch` closes (ms, exclusive; saturates).
    pub fn window_close(&self, epoch: u64) -> u64 {
        self.epoch_end(epoch).saturating_add(self.report_window)
    }

    /// Most GPU time one epoch holds: GPUs × epoch length, in milli-GPU-hours.
    pub fn max_gpu_milli_hours(&self) -> u64 {
        u64::from(self.gpus).saturating_mul(self.epoch_length).checked_div(MS_PER_HOUR / 1_000).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_tile_time_from_genesis_and_saturate() {
        let schedule = EpochSchedule { genesis: 1_000, epoch_length: 3_600_000, gpus: 8, report_window: 60_000 };
        assert_eq!((schedule.epoch_at(0), schedule.epoch_at(1_000), schedule.epoch_at(3_600_999), schedule.epoch_at(3_601_000)), (0, 0, 0, 1));
        assert_eq!((schedule.epoch_start(1), schedule.epoch_end(1), schedule.window_close(1)), (3_601_000, 7_201_000, 7_261_000));
        assert_eq!(schedule.epoch_end(schedule.epoch_at(5_000_000)), 7_201_000, "the running epoch ends after now");
        assert_eq!((schedule.epoch_end(u64::MAX), schedule.window_close(u64::MAX / 2)), (u64::MAX, u64::MAX), "never, not a wrap");
        assert_eq!(schedule.max_gpu_milli_hours(), 8_000);
        assert_eq!(EpochSchedule::default().epoch_at(5), 0, "no epoch length: epoch 0, not a trap");
    }
}
