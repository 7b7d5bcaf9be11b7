//! The registry's state machine: identity records and the rules for changing them.
//! No ink! environment here: the caller passes the time in.

pub use compute_rwa_common::InvestorClass;
use compute_rwa_common::{Credential, Party};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use ink::storage::Mapping;

/// Largest ISO 3166-1 numeric code.
pub const MAX_COUNTRY_CODE: u16 = 999;
/// Most tokens one registry pushes its changes to (each is one cross-contract call per change).
pub const MAX_BOUND_TOKENS: usize = 8;

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
    /// What bound tokens keep: verified until the KYC expiry, or not at all while suspended.
    pub fn credential(&self) -> Credential {
        Credential { verified_until: if self.verified { self.kyc_expiry } else { 0 }, country: self.country, class: self.class }
    }
}

compute_rwa_common::contract_error! {
    /// Why a registry message was refused: every error of the contract, in one flat enum.
    /// `MissingRole` names the role the caller lacks (`Agent` for identity changes).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Error {
        /// The account already has an identity; use `update`.
        AlreadyRegistered,
        /// The account has no identity.
        NotRegistered,
        /// Country code outside 1..=999.
        InvalidCountry,
        /// The KYC expiry is not in the future.
        ExpiryNotInFuture,
        /// The token is already bound.
        AlreadyBound,
        /// The token is not bound.
        NotBound,
        /// `MAX_BOUND_TOKENS` tokens are bound already.
        TooManyTokens,
        /// More than `MAX_BATCH` records in one call.
        BatchTooLarge,
        /// A bound token refused or failed the push (nothing changed); unbind it if it is retired.
        PushFailed(AccountId),
    }
}


/// All identity records, and the tokens every change is pushed to.
#[ink::storage_item]
#[derive(Debug, Default)]
pub struct RegistryData {
    identities: Mapping<AccountId, Identity>,
    count: u32,
    tokens: Vec<AccountId>,
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

    /// What a bound token keeps about `account` (`None`: not registered).
    pub fn credential(&self, account: AccountId) -> Option<Credential> {
        self.identities.get(account).map(|identity| identity.credential())
    }

    /// The verdict on `account` at `now`.
    pub fn party(&self, account: AccountId, now: u64) -> Party {
        Party::of(self.credential(account), now)
    }

    /// Tokens every change is pushed to.
    pub fn tokens(&self) -> &[AccountId] {
        &self.tokens
    }

    /// Adds `token` to the tokens every change is pushed to.
    pub fn bind(&mut self, token: AccountId) -> Result<(), Error> {
        if self.tokens.contains(&token) {
            return Err(Error::AlreadyBound);
        }
        if self.tokens.len() >= MAX_BOUND_TOKENS {
            return Err(Error::TooManyTokens);
        }
        self.tokens.push(token);
        Ok(())
    }

    /// Stops pushing changes to `token`.
    pub fn unbind(&mut self, token: AccountId) -> Result<(), Error> {
        let before = self.tokens.len();
        self.tokens.retain(|bound| *bound != token);
        if self.tokens.len() == before {
            return Err(Error::NotBound);
        }
        Ok(())
    }

    /// Adds a new record.
    pub fn register(&mut self, account: AccountId, identity: &Identity, now: u64) -> Result<(), Error> {
        if self.identities.contains(account) {
            return Err(Error::AlreadyRegistered);
        }
        validate(identity, now)?;
        // u32 cannot overflow before storage deposits make registration absurd; saturate anyway.
        self.count = self.count.saturating_add(1);
        self.identities.insert(account, identity);
        Ok(())
    }

    /// Replaces an existing record.
    pub fn update(&mut self, account: AccountId, identity: &Identity, now: u64) -> Result<(), Error> {
        if !self.identities.contains(account) {
            return Err(Error::NotRegistered);
        }
        validate(identity, now)?;
        self.identities.insert(account, identity);
        Ok(())
    }

    /// Deletes a record (its storage deposit is refunded).
    pub fn remove(&mut self, account: AccountId) -> Result<(), Error> {
        if self.identities.take(account).is_none() {
            return Err(Error::NotRegistered);
        }
        self.count = self.count.saturating_sub(1);
        Ok(())
    }
}

fn validate(identity: &Identity, now: u64) -> Result<(), Error> {
    if identity.country == 0 || identity.country > MAX_COUNTRY_CODE {
        return Err(Error::InvalidCountry);
    }
    if identity.kyc_expiry <= now {
        return Err(Error::ExpiryNotInFuture);
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
        assert_eq!(data.register(account(1), &identity(276, 5_000), NOW), Err(Error::AlreadyRegistered));
        data.update(account(1), &identity(250, 6_000), NOW).unwrap();
        assert_eq!(data.identity(account(1)).map(|i| i.country), Some(250));
        assert_eq!(data.update(account(2), &identity(250, 6_000), NOW), Err(Error::NotRegistered));
        data.remove(account(1)).unwrap();
        assert_eq!(data.count(), 0);
        assert_eq!(data.identity(account(1)), None);
        assert_eq!(data.remove(account(1)), Err(Error::NotRegistered));
    }

    #[ink::test]
    fn invalid_records_are_rejected() {
        let mut data = RegistryData::default();
        assert_eq!(data.register(account(1), &identity(0, 5_000), NOW), Err(Error::InvalidCountry));
        assert_eq!(data.register(account(1), &identity(1_000, 5_000), NOW), Err(Error::InvalidCountry));
        assert_eq!(data.register(account(1), &identity(276, NOW), NOW), Err(Error::ExpiryNotInFuture));
        assert_eq!(data.count(), 0);
    }

    #[ink::test]
    fn verification_expires_and_can_be_suspended() {
        let mut data = RegistryData::default();
        data.register(account(1), &identity(276, 5_000), NOW).unwrap();
        assert_eq!(data.party(account(1), 4_999), Party { verified: true, country: 276, class: InvestorClass::Accredited });
        assert_eq!(data.party(account(1), 5_000), Party { verified: false, country: 276, class: InvestorClass::Accredited }, "expiry is exclusive");
        let mut suspended = identity(276, 5_000);
        suspended.verified = false;
        data.update(account(1), &suspended, NOW).unwrap();
        assert!(!data.party(account(1), NOW).verified);
        assert_eq!(data.party(account(9), NOW), Party::default(), "unknown accounts are unverified");
        assert_eq!(data.credential(account(1)).map(|c| c.verified_until), Some(0), "a suspension pushes verified_until 0");
    }

    #[ink::test]
    fn bound_tokens_are_distinct_and_bounded() {
        let mut data = RegistryData::default();
        for i in 0..MAX_BOUND_TOKENS {
            data.bind(account(100 + i as u8)).unwrap();
        }
        assert_eq!(data.bind(account(100)), Err(Error::AlreadyBound));
        assert_eq!(data.bind(account(200)), Err(Error::TooManyTokens));
        data.unbind(account(100)).unwrap();
        assert_eq!(data.unbind(account(100)), Err(Error::NotBound));
        data.bind(account(200)).unwrap();
        assert_eq!(data.tokens().len(), MAX_BOUND_TOKENS);
        assert_eq!(data.tokens().last(), Some(&account(200)));
    }
}
