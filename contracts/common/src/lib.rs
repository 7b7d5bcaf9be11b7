//! Building blocks shared by every compute-rwa contract.
//!
//! Kept free of `#[ink::contract]` so it can be unit- and property-tested on the host.
#![cfg_attr(not(feature = "std"), no_std)]
// clippy 1.85 reports `cast_possible_truncation` inside `#[ink::scale_derive]` on documented enums
// (a false positive in the derive); cargo-contract always denies that lint. Our own casts use try_from.
#![allow(clippy::cast_possible_truncation)]

pub mod access;
pub mod calls;
pub mod compliance;
pub mod distribution;
pub mod feed;
pub mod identity;
pub mod math;
pub mod schedule;
pub mod token;

pub use access::{Access, AccessControl, AccessError, Ownable2Step, OwnershipProposed, OwnershipTransferred, Role, RoleSet};
pub use calls::CallError;
pub use compliance::{ComplianceRules, HolderRecord, MAX_BLOCKED_COUNTRIES};
pub use distribution::{DistributeError, YieldDistributor};
pub use feed::{Finalized, Report, UtilizationFeed};
pub use schedule::{EpochSchedule, MS_PER_HOUR};
pub mod forward;
pub use forward::{forward, Accounts, AdminOps, Fwd, IdentityChanges};
pub use identity::{Credential, IdentityCheck, IdentityListener, InvestorClass, Party, PushError, MAX_CHANGES};
pub use token::{AdminOp, AdminOutcome, TokenAdmin, TokenError, MAX_BATCH};
pub use math::{bps_of, mul_div_floor, BPS};
