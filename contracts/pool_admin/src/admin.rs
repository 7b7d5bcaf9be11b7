//! The pool admin's records: capacity attestations (kept forever for auditors) and redemption
//! requests with their fulfilment. No ink! environment here: callers pass in who and when.
//! The token's own rules (capacity cap, compliance, freezes) stay in the token; these records
//! are written only after the token accepted the operation they describe.

use compute_rwa_common::TokenError;
use ink::primitives::AccountId;
use ink::storage::Mapping;

/// Token units per GPU-hour (6 decimals: one unit is a micro-GPU-hour).
pub const UNITS_PER_GPU_HOUR: u128 = 1_000_000;

/// One capacity attestation, kept forever for auditors.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Attestation {
    /// Attested capacity in token units (micro-GPU-hours).
    pub capacity: u128,
    /// Hash of the attestation document.
    pub document_hash: [u8; 32],
    /// When (ms).
    pub timestamp: u64,
    /// Agent who recorded it.
    pub agent: AccountId,
}

/// Status of a redemption request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum RedemptionStatus {
    /// Tokens burnt; the issuer owes the GPU-hours.
    Pending,
    /// The issuer delivered the GPU-hours at this time (ms).
    Fulfilled(u64),
}

/// A holder's request to consume GPU-hours.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Redemption {
    /// Sequence number, from 0.
    pub id: u64,
    /// Who redeemed.
    pub holder: AccountId,
    /// Units burnt.
    pub amount: u128,
    /// When (ms).
    pub requested_at: u64,
    /// Pending or fulfilled.
    pub status: RedemptionStatus,
}

compute_rwa_common::contract_error! {
    /// Why a pool-admin message was refused: every error of the contract, in one flat enum.
    /// `MissingRole` names the role the caller lacks (`Agent` for enforcement and records).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Error {
        /// The token refused the operation under its rules (its own error).
        Token(TokenError),
        /// The token could not be called (wrong address, or it trapped).
        CallFailed,
        /// More than `MAX_BATCH` items.
        BatchTooLarge,
        /// No redemption with this id.
        UnknownRedemption,
        /// The redemption was already fulfilled.
        RedemptionNotPending,
        /// A count or a unit conversion would overflow.
        Overflow,
    }
}


/// Attestation history and redemption records.
#[ink::storage_item]
#[derive(Debug, Default)]
pub struct Records {
    attestations: Mapping<u32, Attestation>,
    attestation_count: u32,
    redemptions: Mapping<u64, Redemption>,
    redemption_count: u64,
}

/// Whole GPU-hours in token units.
pub fn units(gpu_hours: u64) -> Result<u128, Error> {
    u128::from(gpu_hours).checked_mul(UNITS_PER_GPU_HOUR).ok_or(Error::Overflow)
}

impl Records {
    /// Attestation number `index`, oldest first.
    pub fn attestation(&self, index: u32) -> Option<Attestation> {
        self.attestations.get(index)
    }

    /// Number of attestations.
    pub fn attestation_count(&self) -> u32 {
        self.attestation_count
    }

    /// Redemption `id`.
    pub fn redemption(&self, id: u64) -> Option<Redemption> {
        self.redemptions.get(id)
    }

    /// Number of redemptions.
    pub fn redemption_count(&self) -> u64 {
        self.redemption_count
    }

    /// Appends an attestation the token accepted; returns its index.
    pub fn attest(&mut self, capacity: u128, document_hash: [u8; 32], now: u64, agent: AccountId) -> Result<u32, Error> {
        let index = self.attestation_count;
        self.attestation_count = index.checked_add(1).ok_or(Error::Overflow)?;
        self.attestations.insert(index, &Attestation { capacity, document_hash, timestamp: now, agent });
        Ok(index)
    }

    /// Records a pending redemption of units the token burnt; returns it.
    pub fn request(&mut self, holder: AccountId, amount: u128, now: u64) -> Result<Redemption, Error> {
        let id = self.redemption_count;
        self.redemption_count = id.checked_add(1).ok_or(Error::Overflow)?;
        let redemption = Redemption { id, holder, amount, requested_at: now, status: RedemptionStatus::Pending };
        self.redemptions.insert(id, &redemption);
        Ok(redemption)
    }

    /// Marks a pending redemption as delivered, once.
    pub fn fulfill(&mut self, id: u64, now: u64) -> Result<Redemption, Error> {
        let mut redemption = self.redemptions.get(id).ok_or(Error::UnknownRedemption)?;
        if redemption.status != RedemptionStatus::Pending {
            return Err(Error::RedemptionNotPending);
        }
        redemption.status = RedemptionStatus::Fulfilled(now);
        self.redemptions.insert(id, &redemption);
        Ok(redemption)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(byte: u8) -> AccountId {
        AccountId::from([byte; 32])
    }

    #[ink::test]
    fn attestations_are_kept_in_order() {
        let mut records = Records::default();
        assert_eq!(records.attest(units(5).unwrap(), [1; 32], 10, account(1)), Ok(0));
        assert_eq!(records.attest(units(7).unwrap(), [2; 32], 20, account(2)), Ok(1));
        assert_eq!(records.attestation_count(), 2);
        let first = records.attestation(0).unwrap();
        assert_eq!((first.capacity, first.document_hash, first.timestamp, first.agent), (5_000_000, [1; 32], 10, account(1)));
        assert_eq!(records.attestation(1).map(|a| a.capacity), Some(7_000_000));
        assert_eq!(records.attestation(2), None);
    }

    #[ink::test]
    fn a_redemption_is_fulfilled_once() {
        let mut records = Records::default();
        let redemption = records.request(account(3), 100, 42).unwrap();
        assert_eq!((redemption.id, redemption.amount, redemption.requested_at), (0, 100, 42));
        assert_eq!(redemption.status, RedemptionStatus::Pending);
        assert_eq!(records.request(account(4), 1, 43).map(|r| r.id), Ok(1));
        assert_eq!(records.fulfill(0, 50).map(|r| r.status), Ok(RedemptionStatus::Fulfilled(50)));
        assert_eq!(records.fulfill(0, 51), Err(Error::RedemptionNotPending));
        assert_eq!(records.fulfill(9, 51), Err(Error::UnknownRedemption));
        assert_eq!(records.redemption(0).map(|r| r.status), Some(RedemptionStatus::Fulfilled(50)));
        assert_eq!(records.redemption(1).map(|r| r.status), Some(RedemptionStatus::Pending));
        assert_eq!(records.redemption_count(), 2);
    }

    #[test]
    fn gpu_hours_convert_to_units_without_overflow() {
        assert_eq!(units(0), Ok(0));
        assert_eq!(units(5_760), Ok(5_760_000_000));
        assert_eq!(units(u64::MAX), Ok(u128::from(u64::MAX) * 1_000_000), "u64 hours always fit");
    }
}
