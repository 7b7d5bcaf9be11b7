//! The registry's state machine: identity records and the rules for changing them.
//! No ink! environment here: the caller passes the time in.

use compute_rwa_common::Party;
use ink::primitives::AccountId;
use ink::storage::Mapping;

/// Largest ISO 3166-1 numeric code.
pub const MAX_COUNTRY_CODE: u16 = 999;

/// Investor categories that compliance rules can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum InvestorClass {
    /// Retail investor.
    Retail,
    /// Accredited / professional investor.
    Accredited,
    /// Institution.
    Institutional,
}

/// One account's identity record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Identity {
    /// False while an agent has suspended the account; it then counts as unverified.
    pub verified: bool,
    /// ISO 3166-1 numeric country code (1..=999).
    pub country: u16,
    /// End of KYC validity, in milliseconds since the Unix epoch (block time).
    pub kyc_expiry: u64,
    /// Investor category.
    pub class: InvestorClass,
    /// Hash of the off-chain KYC claim document, if any.
    pub claim_hash: Option<[u8; 32]>,
}

impl Identity {
    /// Verified at `now`: not suspended and KYC not yet expired.
    pub fn is_verified_at(&self, now: u64) -> bool {
        self.verified && now < self.kyc_expiry
    }
}

/// Why a registry change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum RegistryError {
    /// The account already has an identity; use `update`.
    AlreadyRegistered,
    /// The account has no identity.
    NotRegistered,
    /// Country code outside 1..=999.
    InvalidCountry,
    /// The KYC expiry is not in the future.
    ExpiryNotInFuture,
}

/// All identity records.
#[ink::storage_item]
#[derive(Debug, Default)]
pub struct RegistryData {
    identities: Mapping<AccountId, Identity>,
    count: u32,
}

impl RegistryData {
    /// The record of `account`, if registered.
    pub fn identity(&self, account: AccountId) -> Option<Identity> {
        self.identities.get(account)
    }

    /// Number of registered accounts.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// What a token needs about `account` at `now`.
    pub fn party(&self, account: AccountId, now: u64) -> Party {
        match self.identities.get(account) {
            Some(identity) => Party { verified: identity.is_verified_at(now), country: identity.country },
            None => Party::default(),
        }
    }

    /// Adds a new record.
    pub fn register(&mut self, account: AccountId, identity: &Identity, now: u64) -> Result<(), RegistryError> {
        if self.identities.contains(account) {
            return Err(RegistryError::AlreadyRegistered);
        }
        validate(identity, now)?;
        // u32 cannot overflow before storage deposits make registration absurd; saturate anyway.
        self.count = self.count.saturating_add(1);
        self.identities.insert(account, identity);
        Ok(())
    }

    /// Replaces an existing record.
    pub fn update(&mut self, account: AccountId, identity: &Identity, now: u64) -> Result<(), RegistryError> {
        if !self.identities.contains(account) {
            return Err(RegistryError::NotRegistered);
        }
        validate(identity, now)?;
        self.identities.insert(account, identity);
        Ok(())
    }

    /// Deletes a record (its storage deposit is refunded).
    pub fn remove(&mut self, account: AccountId) -> Result<(), RegistryError> {
        if self.identities.take(account).is_none() {
            return Err(RegistryError::NotRegistered);
        }
        self.count = self.count.saturating_sub(1);
        Ok(())
    }
}

fn validate(identity: &Identity, now: u64) -> Result<(), RegistryError> {
    if identity.country == 0 || identity.country > MAX_COUNTRY_CODE {
        return Err(RegistryError::InvalidCountry);
    }
    if identity.kyc_expiry <= now {
        return Err(RegistryError::ExpiryNotInFuture);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_000;

    fn account(byte: u8) -> AccountId {
        AccountId::from([byte; 32])
    }

    fn identity(country: u16, kyc_expiry: u64) -> Identity {
        Identity { verified: true, country, kyc_expiry, class: InvestorClass::Accredited, claim_hash: None }
    }

    #[ink::test]
    fn register_update_remove() {
        let mut data = RegistryData::default();
        data.register(account(1), &identity(276, 5_000), NOW).unwrap();
        assert_eq!(data.count(), 1);
        assert_eq!(data.register(account(1), &identity(276, 5_000), NOW), Err(RegistryError::AlreadyRegistered));
        data.update(account(1), &identity(250, 6_000), NOW).unwrap();
        assert_eq!(data.identity(account(1)).map(|i| i.country), Some(250));
        assert_eq!(data.update(account(2), &identity(250, 6_000), NOW), Err(RegistryError::NotRegistered));
        data.remove(account(1)).unwrap();
        assert_eq!(data.count(), 0);
        assert_eq!(data.identity(account(1)), None);
        assert_eq!(data.remove(account(1)), Err(RegistryError::NotRegistered));
    }

    #[ink::test]
    fn invalid_records_are_rejected() {
        let mut data = RegistryData::default();
        assert_eq!(data.register(account(1), &identity(0, 5_000), NOW), Err(RegistryError::InvalidCountry));
        assert_eq!(data.register(account(1), &identity(1_000, 5_000), NOW), Err(RegistryError::InvalidCountry));
        assert_eq!(data.register(account(1), &identity(276, NOW), NOW), Err(RegistryError::ExpiryNotInFuture));
        assert_eq!(data.count(), 0);
    }

    #[ink::test]
    fn verification_expires_and_can_be_suspended() {
        let mut data = RegistryData::default();
        data.register(account(1), &identity(276, 5_000), NOW).unwrap();
        assert_eq!(data.party(account(1), 4_999), Party { verified: true, country: 276 });
        assert_eq!(data.party(account(1), 5_000), Party { verified: false, country: 276 }, "expiry is exclusive");
        let mut suspended = identity(276, 5_000);
        suspended.verified = false;
        data.update(account(1), &suspended, NOW).unwrap();
        assert!(!data.party(account(1), NOW).verified);
        assert_eq!(data.party(account(9), NOW), Party::default(), "unknown accounts are unverified");
    }
}
