//! The GPU-hour token's interface to its companion `pool_admin` contract: the one privileged
//! message (`TokenAdmin::admin`), the operations it takes, and the token's errors and rules,
//! which both sides encode.
//!
//! The token keeps what a transfer touches (balances, compliance, freezes, credentials, yield);
//! everything holders never call (roles, attestation history, redemption records, batches) lives
//! in `pool_admin`, which drives the token through `admin`. Defined here so that neither contract
//! depends on the other's code.

use ink::prelude::{string::String, vec::Vec};
use ink::primitives::AccountId;
use crate::calls::CallError;
use crate::compliance::ComplianceRules;
use psp22::PSP22Error;

/// Most operations one `admin` call (and one batch message) carries: a bounded weight per call.
pub const MAX_BATCH: u32 = 50;
/// Longest attestation document URI (bytes): the token keeps it in the storage every call decodes.
pub const MAX_URI_LEN: usize = 256;

/// One operation of the token's admin (the `pool_admin` contract), applied by the token with
/// its own rules (capacity, recipient compliance, unfreezing only the shortfall).
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum AdminOp {
    /// Mint to a verified, compliant account within attested capacity.
    Mint { to: AccountId, amount: u128 },
    /// Burn from an account, unfreezing only what it must.
    BurnFrom { account: AccountId, amount: u128 },
    /// Move from `from` to a verified, compliant `to`, even if paused or frozen.
    ForcedTransfer { from: AccountId, to: AccountId, amount: u128 },
    /// Move everything of a lost wallet to a new verified one. Outcome: (amount, frozen part).
    Recover { lost: AccountId, new: AccountId },
    /// Freeze (`true`) or unfreeze an address.
    SetFrozen { account: AccountId, frozen: bool },
    /// Freeze `amount` more of an account's tokens. Outcome: (new frozen total, 0).
    FreezePartial { account: AccountId, amount: u128 },
    /// Unfreeze `amount` of an account's frozen tokens.
    UnfreezePartial { account: AccountId, amount: u128 },
    /// Pause (`true`) or resume holder transfers and redemptions.
    SetPaused(bool),
    /// Replace the transfer rules.
    SetRules(ComplianceRules),
    /// Set the attested capacity (token units) with its document.
    Attest { capacity: u128, document_hash: [u8; 32], document_uri: String },
    /// Burn `amount` of `holder`'s free tokens for a redemption the admin records.
    Redeem { holder: AccountId, amount: u128 },
    /// Set the release period (ms) of future yield distributions.
    SetYieldPeriod(u64),
    /// Add (`true`) or remove a yield distributor.
    SetDistributor { account: AccountId, enabled: bool },
    /// Propose another account (a new admin contract) for the admin role; it takes the role
    /// with `AcceptAdmin`, so a successor that cannot drive the token never gets it. Never the
    /// zero account or the token itself (`InvalidAdmin`); the current admin withdraws a proposal.
    SetAdmin(AccountId),
    /// Take the admin role proposed to the caller (the only operation a non-admin may send).
    AcceptAdmin,
}

/// What the token answers for each operation: `Recover` → (amount, frozen part moved),
/// `FreezePartial` → (frozen total, 0), every other operation → (0, 0).
pub type AdminOutcome = (u128, u128);

/// Declares `TokenError` and its `name()` from one list, so a name can never drift from its variant.
macro_rules! token_errors {
    ($($(#[doc = $doc:literal])* $name:ident,)*) => {
        /// Why a token message was refused: every error of the token, in one flat enum (PSP22
        /// messages answer `PSP22Error`, with these names in `Custom`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[ink::scale_derive(Encode, Decode, TypeInfo)]
        pub enum TokenError {
            $($(#[doc = $doc])* $name,)*
        }

        impl TokenError {
            /// The variant's name, for `PSP22Error::Custom` (PSP22 messages must return `PSP22Error`).
            pub fn name(&self) -> &'static str {
                match self {
                    $(TokenError::$name => stringify!($name),)*
                }
            }
        }
    };
}

token_errors! {
    /// Balance too low.
    InsufficientBalance,
    /// Allowance too low.
    InsufficientAllowance,
    /// Transfers are paused.
    Paused,
    /// The sender's address is frozen.
    SenderFrozen,
    /// The recipient's address is frozen.
    RecipientFrozen,
    /// The amount would touch frozen tokens.
    FrozenTokens,
    /// The sender is not verified in the identity registry.
    SenderNotVerified,
    /// The recipient is not verified in the identity registry.
    RecipientNotVerified,
    /// The recipient's country is blocked.
    CountryBlocked,
    /// The transfer would exceed the maximum number of holders.
    MaxHoldersReached,
    /// The recipient's balance would exceed the per-investor maximum.
    MaxBalanceExceeded,
    /// Minting would exceed attested capacity.
    CapacityExceeded,
    /// Attested capacity cannot go below what was issued (supply + redeemed).
    CapacityBelowIssued,
    /// Attested capacity exceeds GPU count × tokenization period.
    CapacityExceedsPool,
    /// Source and destination are the same account.
    SameAccount,
    /// Zero amount where a change is required.
    ZeroAmount,
    /// Freezing more than the balance.
    FreezeExceedsBalance,
    /// Unfreezing more than is frozen.
    UnfreezeExceedsFrozen,
    /// Too many blocked countries.
    TooManyBlockedCountries,
    /// Arithmetic would overflow.
    Overflow,
    /// The identity registry has not bound this token (or unbound it): nothing to sync.
    NotBound,
    /// Recovery of a wallet with neither balance nor unclaimed yield.
    NothingToRecover,
    /// The caller is not the token's admin (its `pool_admin` contract).
    NotAdmin,
    /// More than `MAX_BATCH` items in one call.
    BatchTooLarge,
    /// The attestation document URI is longer than `MAX_URI_LEN`.
    UriTooLong,
    /// The admin role cannot go to the zero account or the token itself.
    InvalidAdmin,
    /// The account has less than one whole unit of yield to claim.
    NothingToClaim,
    /// Yield period outside `MIN_YIELD_PERIOD_MS..=MAX_YIELD_PERIOD_MS`.
    InvalidYieldPeriod,
    /// Pool data: zero GPUs.
    NoGpus,
    /// Pool data: datacenter tier outside 1..=4.
    InvalidTier,
    /// Pool data: the period ends before it starts or is shorter than an hour.
    InvalidPeriod,
    /// The identity registry or the stablecoin could not be called, or trapped; nothing changed.
    CallFailed,
    /// The stablecoin refused to pay (a claim, or a distribution's pull); nothing changed.
    PaymentFailed,
    /// The recipient's investor class is not among the rules' allowed classes.
    ClassNotAllowed,
    /// The sender would send more than the rules' transfer limit within one window.
    TransferLimitExceeded,
    /// The amount would touch minted units still under the rules' initial lockup.
    TokensLocked,
    /// A rule is out of bounds: a transfer limit without a window, a window or lockup longer
    /// than `MAX_RULE_PERIOD_MS`, or an allowed class that is no investor class.
    InvalidRule,
}

impl From<PSP22Error> for TokenError {
    fn from(error: PSP22Error) -> Self {
        match error {
            PSP22Error::InsufficientAllowance => TokenError::InsufficientAllowance,
            PSP22Error::InsufficientBalance => TokenError::InsufficientBalance,
            _ => TokenError::Overflow,
        }
    }
}

impl From<CallError> for TokenError {
    fn from(error: CallError) -> Self {
        match error {
            CallError::Token(_) => TokenError::PaymentFailed,
            CallError::CallFailed | CallError::Distribution(_) | CallError::Push(_) => TokenError::CallFailed,
        }
    }
}

impl From<TokenError> for PSP22Error {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::InsufficientBalance => PSP22Error::InsufficientBalance,
            TokenError::InsufficientAllowance => PSP22Error::InsufficientAllowance,
            other => PSP22Error::Custom(other.name().into()),
        }
    }
}

/// The token's privileged interface, called by its admin contract only.
#[ink::trait_definition]
pub trait TokenAdmin {
    /// Applies up to `MAX_BATCH` operations in order, all or nothing; one outcome per
    /// operation. The token's admin only (`NotAdmin`).
    #[ink(message)]
    fn admin(&mut self, ops: crate::AdminOps) -> Result<Vec<AdminOutcome>, TokenError>;
}
