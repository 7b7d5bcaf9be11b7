//! The identity registry's interface, as tokens call it.
//!
//! Defined here (not in the registry crate) so a token depends on the interface, not on
//! another contract's code, and any registry with these selectors can be plugged in.

use ink::primitives::AccountId;

/// What a token needs to know about one party of a transfer, from one registry call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Party {
    /// Registered, not suspended and KYC not expired at the time of the call.
    pub verified: bool,
    /// ISO 3166-1 numeric country code; 0 when not registered.
    pub country: u16,
}

/// Queries a GPU-hour token makes of its identity registry.
#[ink::trait_definition]
pub trait IdentityCheck {
    /// Whether `account` is verified now (registered, not suspended, KYC not expired).
    #[ink(message)]
    fn is_verified(&self, account: AccountId) -> bool;

    /// Both parties of a transfer in one cross-contract call.
    #[ink(message)]
    fn transfer_parties(&self, from: AccountId, to: AccountId) -> (Party, Party);

    /// One party, for mints and recoveries.
    #[ink(message)]
    fn party(&self, account: AccountId) -> Party;
}
