//! Two-step ownership and an agent set, as every compute-rwa contract uses them.
//!
//! Ownership only moves when the proposed owner accepts, so a typo cannot hand a pool
//! to an address nobody controls. State changes return the event to emit, so each
//! contract's message stays a one-liner and every change is announced the same way.

use ink::primitives::AccountId;
use ink::storage::Mapping;

/// Access-control failures shared by all contracts.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum AccessError {
    /// The caller is not the owner.
    NotOwner,
    /// The caller is not the account proposed as the next owner.
    NotPendingOwner,
    /// The caller is not an agent (nor the owner, who is always one).
    NotAgent,
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

/// The proposed owner accepted ownership.
#[ink::event]
pub struct OwnershipTransferred {
    /// Owner until now.
    #[ink(topic)]
    pub previous: AccountId,
    /// Owner from now on.
    #[ink(topic)]
    pub new: AccountId,
}

/// An agent was added (`enabled`) or removed.
#[ink::event]
pub struct AgentUpdated {
    /// The agent.
    #[ink(topic)]
    pub account: AccountId,
    /// Whether it is an agent now.
    pub enabled: bool,
}

/// Owner and proposed owner of a contract.
#[ink::storage_item]
#[derive(Debug)]
pub struct Ownable {
    owner: AccountId,
    pending_owner: Option<AccountId>,
}

impl Ownable {
    /// Ownership held by `owner`, with no transfer proposed.
    pub fn new(owner: AccountId) -> Self {
        Self { owner, pending_owner: None }
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

    /// Step two: the proposed owner accepts.
    pub fn accept(&mut self, caller: AccountId) -> Result<OwnershipTransferred, AccessError> {
        if self.pending_owner != Some(caller) {
            return Err(AccessError::NotPendingOwner);
        }
        let previous = self.owner;
        self.owner = caller;
        self.pending_owner = None;
        Ok(OwnershipTransferred { previous, new: caller })
    }
}

/// Accounts allowed to operate a contract day to day (ERC-3643 "agents").
#[ink::storage_item]
#[derive(Debug, Default)]
pub struct Agents {
    members: Mapping<AccountId, ()>,
}

impl Agents {
    /// Whether `account` is an agent.
    pub fn contains(&self, account: AccountId) -> bool {
        self.members.contains(account)
    }

    /// Adds (`enabled`) or removes `account`; only the owner may.
    pub fn set(&mut self, ownership: &Ownable, caller: AccountId, account: AccountId, enabled: bool) -> Result<AgentUpdated, AccessError> {
        ownership.ensure_owner(caller)?;
        if enabled {
            self.members.insert(account, &());
        } else {
            self.members.remove(account);
        }
        Ok(AgentUpdated { account, enabled })
    }

    /// Fails with `NotAgent` unless `caller` is an agent or the owner.
    pub fn ensure(&self, ownership: &Ownable, caller: AccountId) -> Result<(), AccessError> {
        if caller == ownership.owner() || self.contains(caller) {
            Ok(())
        } else {
            Err(AccessError::NotAgent)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(byte: u8) -> AccountId {
        AccountId::from([byte; 32])
    }

    #[test]
    fn two_step_transfer() {
        let mut own = Ownable::new(account(1));
        assert_eq!(own.propose(account(2), Some(account(2))).err(), Some(AccessError::NotOwner));
        let proposed = own.propose(account(1), Some(account(2))).unwrap();
        assert_eq!(proposed.proposed, Some(account(2)));
        assert_eq!(own.owner(), account(1), "proposal alone changes nothing");
        assert_eq!(own.accept(account(3)).err(), Some(AccessError::NotPendingOwner));
        let moved = own.accept(account(2)).unwrap();
        assert_eq!((moved.previous, moved.new), (account(1), account(2)));
        assert_eq!(own.owner(), account(2));
        assert_eq!(own.pending_owner(), None);
        assert_eq!(own.accept(account(2)).err(), Some(AccessError::NotPendingOwner), "proposal is consumed");
    }

    #[test]
    fn proposal_can_be_withdrawn() {
        let mut own = Ownable::new(account(1));
        own.propose(account(1), Some(account(2))).unwrap();
        own.propose(account(1), None).unwrap();
        assert_eq!(own.accept(account(2)).err(), Some(AccessError::NotPendingOwner));
    }

    #[ink::test]
    fn agents_are_managed_by_the_owner_only() {
        let own = Ownable::new(account(1));
        let mut agents = Agents::default();
        assert_eq!(agents.ensure(&own, account(1)), Ok(()), "the owner is always an agent");
        assert_eq!(agents.ensure(&own, account(2)), Err(AccessError::NotAgent));
        assert_eq!(agents.set(&own, account(2), account(2), true).err(), Some(AccessError::NotOwner));
        agents.set(&own, account(1), account(2), true).unwrap();
        assert_eq!(agents.ensure(&own, account(2)), Ok(()));
        let removed = agents.set(&own, account(1), account(2), false).unwrap();
        assert!(!removed.enabled);
        assert_eq!(agents.ensure(&own, account(2)), Err(AccessError::NotAgent));
    }
}
