//! Ownership and roles, defined once for every compute-rwa contract.
//!
//! - **Two-step ownership** (`Ownable2Step`): the owner proposes, the proposed account accepts, so
//!   a typo cannot hand a contract to an address nobody controls.
//! - **Roles** (`AccessControl`): the owner grants and revokes roles (`Role::Agent`,
//!   `Role::Minter`); the owner holds every role itself. A grant belongs to the owner who made it:
//!   a completed handover voids every earlier grant, so a previous owner keeps no power, not even
//!   through an account it made an agent or a minter; the new owner grants roles anew.
//! - **One error shape**: `AccessError` (`NotOwner`, `NotPendingOwner`, `MissingRole(role)`), and
//!   every contract's own error enum begins with the same three variants (`contract_error!`).
//!
//! State changes return the event to emit, so each contract's message stays a one-liner and every
//! change is announced the same way.

use ink::primitives::AccountId;
use ink::storage::Mapping;

/// A role a contract checks before a privileged operation.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum Role {
    /// Operates the registry or the pool admin day to day (ERC-3643 "agent"); a role set.
    Agent,
    /// May mint the stablecoin; a role set.
    Minter,
    /// The rental escrow's operator (one account, part of its terms).
    Operator,
    /// The rental escrow's arbiter (one account, moved in two steps).
    Arbiter,
    /// An eligible reporter of a utilization feed for the epoch in question (the oracle's sets).
    Reporter,
}

/// Access-control failures, the same in every contract.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum AccessError {
    /// The caller is not the owner.
    NotOwner,
    /// The caller is not the account proposed as the next owner.
    NotPendingOwner,
    /// The caller does not hold this role.
    MissingRole(Role),
}

/// Declares a contract's one flat error enum: the three access variants (`NotOwner`,
/// `NotPendingOwner`, `MissingRole(Role)`) first, then the contract's own, and the one conversion
/// from `AccessError`. Written once, so every contract answers access refusals the same way.
#[macro_export]
macro_rules! contract_error {
    ($(#[$meta:meta])* pub enum $name:ident { $($variants:tt)* }) => {
        $(#[$meta])*
        #[ink::scale_derive(Encode, Decode, TypeInfo)]
        pub enum $name {
            /// The caller is not the owner.
            NotOwner,
            /// The caller is not the account proposed as the next owner.
            NotPendingOwner,
            /// The caller does not hold this role.
            MissingRole($crate::Role),
            $($variants)*
        }

        impl From<$crate::AccessError> for $name {
            fn from(error: $crate::AccessError) -> Self {
                match error {
                    $crate::AccessError::NotOwner => Self::NotOwner,
                    $crate::AccessError::NotPendingOwner => Self::NotPendingOwner,
                    $crate::AccessError::MissingRole(role) => Self::MissingRole(role),
                }
            }
        }
    };
}

/// Two-step ownership, with the same selectors in every contract.
#[ink::trait_definition]
pub trait Ownable2Step {
    /// The current owner.
    #[ink(message)]
    fn owner(&self) -> AccountId;

    /// The account proposed as the next owner, if any.
    #[ink(message)]
    fn pending_owner(&self) -> Option<AccountId>;

    /// Proposes `new_owner` (`None` withdraws a proposal); it takes effect when they call
    /// `accept_ownership`. Owner only.
    #[ink(message)]
    fn transfer_ownership(&mut self, new_owner: Option<AccountId>) -> Result<(), AccessError>;

    /// Completes a two-step transfer; every role granted by the previous owner is void from now on.
    /// Proposed owner only.
    #[ink(message)]
    fn accept_ownership(&mut self) -> Result<(), AccessError>;
}

/// Role sets managed by the owner, with the same selectors in every contract.
#[ink::trait_definition]
pub trait AccessControl {
    /// Whether `account` holds `role` (the owner holds every role of the contract's sets).
    #[ink(message)]
    fn has_role(&self, role: Role, account: AccountId) -> bool;

    /// Grants (`enabled`) or revokes `role` for `account`. Owner only; refused with
    /// `MissingRole(role)` for a role this contract does not keep as a set.
    #[ink(message)]
    fn set_role(&mut self, role: Role, account: AccountId, enabled: bool) -> Result<(), AccessError>;
}

/// The owner proposed a new owner (`None` withdraws the proposal).
#[ink::event]
pub struct OwnershipProposed {
    /// Current owner.
    #[ink(topic)]
    pub owner: AccountId,
    /// Account that may accept, if any.
    #[ink(topic)]
    pub proposed: Option<AccountId>,
}

/// The proposed owner accepted ownership; every earlier role grant is void.
#[ink::event]
pub struct OwnershipTransferred {
    /// Owner until now.
    #[ink(topic)]
    pub previous: AccountId,
    /// Owner from now on.
    #[ink(topic)]
    pub new: AccountId,
}

/// A role was granted (`enabled`) or revoked.
#[ink::event]
pub struct RoleSet {
    /// The role.
    pub role: Role,
    /// The account.
    #[ink(topic)]
    pub account: AccountId,
    /// Whether it holds the role now.
    pub enabled: bool,
}

/// Owner, proposed owner and role grants of a contract.
#[ink::storage_item]
#[derive(Debug)]
pub struct Access {
    owner: AccountId,
    pending_owner: Option<AccountId>,
    /// Completed handovers so far; a grant is valid while it carries the current count.
    generation: u64,
    /// Role grants, each with the generation of the owner that made it.
    grants: Mapping<(Role, AccountId), u64>,
}

impl Access {
    /// Ownership held by `owner`, no transfer proposed, no grants.
    pub fn new(owner: AccountId) -> Self {
        Self { owner, pending_owner: None, generation: 0, grants: Mapping::default() }
    }

    /// The current owner.
    pub fn owner(&self) -> AccountId {
        self.owner
    }

    /// The account proposed by `propose`, if any.
    pub fn pending_owner(&self) -> Option<AccountId> {
        self.pending_owner
    }

    /// Fails with `NotOwner` unless `caller` owns the contract.
    pub fn ensure_owner(&self, caller: AccountId) -> Result<(), AccessError> {
        if caller == self.owner {
            Ok(())
        } else {
            Err(AccessError::NotOwner)
        }
    }

    /// Step one: the owner proposes `new_owner` (or withdraws a proposal with `None`).
    pub fn propose(&mut self, caller: AccountId, new_owner: Option<AccountId>) -> Result<OwnershipProposed, AccessError> {
        self.ensure_owner(caller)?;
        self.pending_owner = new_owner;
        Ok(OwnershipProposed { owner: caller, proposed: new_owner })
    }

    /// Step two: the proposed owner accepts; every earlier grant is void from now on (the
    /// generation count cannot realistically saturate: 2^64 handovers).
    pub fn accept(&mut self, caller: AccountId) -> Result<OwnershipTransferred, AccessError> {
        if self.pending_owner != Some(caller) {
            return Err(AccessError::NotPendingOwner);
        }
        let previous = self.owner;
        self.owner = caller;
        self.pending_owner = None;
        self.generation = self.generation.saturating_add(1);
        Ok(OwnershipTransferred { previous, new: caller })
    }

    /// Whether `account` holds `role`: the owner, or granted by the current owner.
    pub fn has_role(&self, role: Role, account: AccountId) -> bool {
        account == self.owner || self.grants.get((role, account)) == Some(self.generation)
    }

    /// Fails with `MissingRole(role)` unless `caller` holds `role`.
    pub fn ensure_role(&self, role: Role, caller: AccountId) -> Result<(), AccessError> {
        if self.has_role(role, caller) {
            Ok(())
        } else {
            Err(AccessError::MissingRole(role))
        }
    }

    /// Grants (`enabled`) or revokes `role` for `account`; owner only, and only a role among
    /// `kept`, the role sets the contract keeps.
    pub fn set_role(&mut self, caller: AccountId, kept: &[Role], role: Role, account: AccountId, enabled: bool) -> Result<RoleSet, AccessError> {
        self.ensure_owner(caller)?;
        if !kept.contains(&role) {
            return Err(AccessError::MissingRole(role));
        }
        if enabled {
            self.grants.insert((role, account), &self.generation);
        } else {
            self.grants.remove((role, account));
        }
        Ok(RoleSet { role, account, enabled })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(byte: u8) -> AccountId {
        AccountId::from([byte; 32])
    }

    fn access() -> Access {
        Access::new(account(1))
    }

    const KEPT: &[Role] = &[Role::Agent, Role::Minter];

    #[ink::test]
    fn two_step_transfer() {
        let mut own = access();
        assert_eq!(own.propose(account(2), Some(account(2))).err(), Some(AccessError::NotOwner));
        let proposed = own.propose(account(1), Some(account(2))).unwrap();
        assert_eq!(proposed.proposed, Some(account(2)));
        assert_eq!((own.owner(), own.pending_owner()), (account(1), Some(account(2))), "proposal alone changes nothing");
        assert_eq!(own.accept(account(3)).err(), Some(AccessError::NotPendingOwner));
        let moved = own.accept(account(2)).unwrap();
        assert_eq!((moved.previous, moved.new), (account(1), account(2)));
        assert_eq!(own.owner(), account(2));
        assert_eq!(own.pending_owner(), None);
        assert_eq!(own.accept(account(2)).err(), Some(AccessError::NotPendingOwner), "proposal is consumed");
    }

    #[ink::test]
    fn proposal_can_be_withdrawn() {
        let mut own = access();
        own.propose(account(1), Some(account(2))).unwrap();
        own.propose(account(1), None).unwrap();
        assert_eq!(own.accept(account(2)).err(), Some(AccessError::NotPendingOwner));
    }

    #[ink::test]
    fn roles_are_granted_by_the_owner_only_and_void_after_a_handover() {
        let mut own = access();
        assert!(own.has_role(Role::Agent, account(1)), "the owner holds every role");
        assert_eq!(own.ensure_role(Role::Agent, account(2)), Err(AccessError::MissingRole(Role::Agent)));
        assert_eq!(own.set_role(account(2), KEPT, Role::Agent, account(2), true).err(), Some(AccessError::NotOwner));
        assert_eq!(own.set_role(account(1), KEPT, Role::Operator, account(2), true).err(), Some(AccessError::MissingRole(Role::Operator)), "not a set here");
        let granted = own.set_role(account(1), KEPT, Role::Agent, account(2), true).unwrap();
        assert_eq!((granted.role, granted.account, granted.enabled), (Role::Agent, account(2), true));
        assert_eq!(own.ensure_role(Role::Agent, account(2)), Ok(()));
        assert!(!own.has_role(Role::Minter, account(2)), "roles are separate");
        own.set_role(account(1), KEPT, Role::Agent, account(2), false).unwrap();
        assert!(!own.has_role(Role::Agent, account(2)));
        // A grant by the previous owner (even to itself) dies with the handover.
        own.set_role(account(1), KEPT, Role::Minter, account(3), true).unwrap();
        own.set_role(account(1), KEPT, Role::Minter, account(1), true).unwrap();
        own.propose(account(1), Some(account(4))).unwrap();
        assert!(own.has_role(Role::Minter, account(3)), "a proposal alone changes nothing");
        own.accept(account(4)).unwrap();
        assert!(!own.has_role(Role::Minter, account(3)) && !own.has_role(Role::Minter, account(1)));
        assert!(own.has_role(Role::Minter, account(4)));
        own.set_role(account(4), KEPT, Role::Minter, account(3), true).unwrap();
        assert!(own.has_role(Role::Minter, account(3)), "the new owner grants anew");
    }
}
