//! Identity data between the registry and the tokens bound to it.
//!
//! The registry **pushes** every change (register, update, remove) to each bound token in the
//! same call, so a token checks both parties of a transfer from its own storage, with no
//! cross-contract call. A token bound after investors were registered catches up with a
//! permissionless `sync(accounts)`, which reads [`IdentityCheck::credential`].
//!
//! A token honours credentials only while bound, and only those pushed or synced since its
//! latest binding: unbound it treats every account as unverified (fail closed), so a change it
//! could not hear of never lets anyone through.
//!
//! Defined here (not in either contract) so each side depends on the interface, not on the
//! other's code.

use ink::primitives::AccountId;

/// Most identity changes one registry call carries, and one push delivers.
pub const MAX_CHANGES: u32 = 50;

/// Investor categories that compliance rules can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum InvestorClass {
    /// Retail investor.
    #[default]
    Retail,
    /// Accredited / professional investor.
    Accredited,
    /// Institution.
    Institutional,
    /// A contract that holds tokens for verified investors (a credit vault): registered so it
    /// may receive and hold them, never an investor itself.
    Custodian,
}

/// What a token keeps about one registered account: enough to decide a transfer locally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Credential {
    /// Verified strictly before this time (ms): the KYC expiry, or 0 while suspended.
    pub verified_until: u64,
    /// ISO 3166-1 numeric country code.
    pub country: u16,
    /// Investor category.
    pub class: InvestorClass,
}

impl Credential {
    /// The verdict at `now`.
    pub fn party_at(&self, now: u64) -> Party {
        Party { verified: now < self.verified_until, country: self.country, class: self.class }
    }
}

/// One party of a transfer as a token sees it at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Party {
    /// Registered, not suspended and KYC not expired.
    pub verified: bool,
    /// ISO 3166-1 numeric country code; 0 when not registered.
    pub country: u16,
    /// Investor category; `Retail` when not registered.
    pub class: InvestorClass,
}

impl Party {
    /// The verdict at `now` for an account with `credential` (`None`: not registered).
    pub fn of(credential: Option<Credential>, now: u64) -> Party {
        credential.map_or_else(Party::default, |c| c.party_at(now))
    }
}

/// Reads a token makes of its identity registry (only to catch up, never on a transfer).
#[ink::trait_definition]
pub trait IdentityCheck {
    /// Whether `account` is verified now (registered, not suspended, KYC not expired).
    #[ink(message)]
    fn is_verified(&self, account: AccountId) -> bool;

    /// What a token keeps about `account`; `None` when not registered.
    #[ink(message)]
    fn credential(&self, account: AccountId) -> Option<Credential>;
}

/// Why a token refused an identity push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum PushError {
    /// The caller is not the registry this token was deployed with.
    NotRegistry,
    /// More than `MAX_CHANGES` changes in one push.
    BatchTooLarge,
    /// A push to a token the registry has not bound.
    NotBound,
    /// The token's binding counter would overflow.
    Overflow,
}

/// What the registry calls on the tokens it binds.
#[ink::trait_definition]
pub trait IdentityListener {
    /// Replaces what the token keeps about each account (`None`: removed). Its registry only.
    #[ink(message)]
    fn identities_changed(&mut self, changes: crate::IdentityChanges) -> Result<(), PushError>;

    /// The registry bound (`true`) or unbound the token. A new binding voids every credential
    /// kept from before it (they must be pushed or synced again). Its registry only.
    #[ink(message)]
    fn binding_changed(&mut self, bound: bool) -> Result<(), PushError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_verifies_until_its_expiry_exclusive() {
        let credential = Credential { verified_until: 5_000, country: 276, class: InvestorClass::Institutional };
        let party = |verified| Party { verified, country: 276, class: InvestorClass::Institutional };
        assert_eq!(Party::of(Some(credential), 4_999), party(true));
        assert_eq!(Party::of(Some(credential), 5_000), party(false));
        assert_eq!(Party::of(None, 0), Party { verified: false, country: 0, class: InvestorClass::Retail });
    }
}
