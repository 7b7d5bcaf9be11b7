//! What a pool is: the GPUs behind the token and the period they are tokenized for.

use crate::token::UNITS_PER_GPU_HOUR;
use compute_rwa_common::{TokenError, MS_PER_HOUR};
use ink::prelude::string::String;

/// Descriptive data of one compute pool, readable in one message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct PoolInfo {
    /// GPU model, e.g. "NVIDIA H100 SXM 80GB".
    pub gpu_model: String,
    /// Number of GPUs in the pool.
    pub gpu_count: u32,
    /// Region, e.g. "eu-central".
    pub region: String,
    /// Uptime Institute datacenter tier (1–4).
    pub datacenter_tier: u8,
    /// Start of the tokenization period (ms since the Unix epoch).
    pub period_start: u64,
    /// End of the tokenization period (ms, exclusive).
    pub period_end: u64,
    /// Hash of the latest capacity attestation document.
    pub attestation_hash: [u8; 32],
    /// Where the attestation document can be read.
    pub attestation_uri: String,
}

impl PoolInfo {
    /// Checks the fields that other rules rely on.
    pub fn validate(&self) -> Result<(), TokenError> {
        if self.gpu_count == 0 {
            return Err(TokenError::NoGpus);
        }
        if !(1..=4).contains(&self.datacenter_tier) {
            return Err(TokenError::InvalidTier);
        }
        if self.period_hours() == 0 {
            return Err(TokenError::InvalidPeriod);
        }
        Ok(())
    }

    /// Whole hours in the tokenization period.
    pub fn period_hours(&self) -> u64 {
        self.period_end.saturating_sub(self.period_start).checked_div(MS_PER_HOUR).unwrap_or_default()
    }

    /// The most token units the pool can back: GPUs × period hours × units per GPU-hour.
    pub fn capacity_limit(&self) -> u128 {
        u128::from(self.gpu_count)
            .saturating_mul(u128::from(self.period_hours()))
            .saturating_mul(UNITS_PER_GPU_HOUR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(gpu_count: u32, hours: u64) -> PoolInfo {
        PoolInfo {
            gpu_model: "H100".into(),
            gpu_count,
            region: "eu".into(),
            datacenter_tier: 3,
            period_start: 0,
            period_end: hours * MS_PER_HOUR,
            attestation_hash: [0; 32],
            attestation_uri: String::new(),
        }
    }

    #[test]
    fn capacity_limit_is_gpus_times_hours() {
        assert_eq!(pool(8, 720).capacity_limit(), 8 * 720 * 1_000_000);
        assert_eq!(pool(8, 720).validate(), Ok(()));
    }

    #[test]
    fn invalid_pools_are_rejected() {
        assert_eq!(pool(0, 720).validate(), Err(TokenError::NoGpus));
        assert_eq!(pool(8, 0).validate(), Err(TokenError::InvalidPeriod));
        let mut bad_tier = pool(8, 1);
        bad_tier.datacenter_tier = 5;
        assert_eq!(bad_tier.validate(), Err(TokenError::InvalidTier));
    }
}
