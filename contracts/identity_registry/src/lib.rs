//! Identity registry: who may hold GPU-hour tokens.
//!
//! Agents record each investor's KYC status, country, expiry and class. Every change is
//! pushed, in the same call, to each token the owner bound to the registry, so tokens
//! decide transfers from their own storage (no call to the registry per transfer); a change
//! a bound token refuses reverts the whole call. Modelled on ERC-3643's identity registry,
//! with the claim itself kept off chain (only its hash is stored).
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// See compute-rwa-common: clippy 1.85 false positive inside `#[ink::scale_derive]`.
#![allow(clippy::cast_possible_truncation)]

pub mod registry;

#[ink::contract]
pub mod identity_registry {
    use crate::registry::{Identity, RegistryData};
    use compute_rwa_common::calls::{self, CallError};
    use compute_rwa_common::{Access, AccessControl, AccessError, Credential, IdentityCheck, Ownable2Step, Role, MAX_CHANGES};
    use ink::prelude::vec::Vec;

    /// Most records one batch call may register.
    pub const MAX_BATCH: u32 = MAX_CHANGES;

    pub use crate::registry::Error;

    /// A new identity was recorded.
    #[ink(event)]
    pub struct IdentityRegistered {
        #[ink(topic)]
        pub account: AccountId,
        pub identity: Identity,
    }

    /// An identity record changed (including suspension and KYC renewal).
    #[ink(event)]
    pub struct IdentityUpdated {
        #[ink(topic)]
        pub account: AccountId,
        pub identity: Identity,
    }

    /// An identity record was deleted.
    #[ink(event)]
    pub struct IdentityRemoved {
        #[ink(topic)]
        pub account: AccountId,
    }

    /// The registry now pushes every identity change to `token`.
    #[ink(event)]
    pub struct TokenBound {
        #[ink(topic)]
        pub token: AccountId,
    }

    /// The registry no longer pushes changes to `token`; `notified`: the token heard of it (and
    /// now treats every account as unverified); `false` only for a forced unbinding.
    #[ink(event)]
    pub struct TokenUnbound {
        #[ink(topic)]
        pub token: AccountId,
        pub notified: bool,
    }

    #[ink(storage)]
    pub struct IdentityRegistry {
        data: RegistryData,
        access: Access,
    }

    impl IdentityRegistry {
        /// An empty registry owned by the caller (who is implicitly an agent).
        #[ink(constructor)]
        pub fn new() -> Self {
            Self { data: RegistryData::default(), access: Access::new(Self::env().caller()) }
        }

        /// Records the identity of a new investor. Agents only.
        #[ink(message)]
        pub fn register(&mut self, account: AccountId, identity: Identity) -> Result<(), Error> {
            self.ensure_agent()?;
            self.data.register(account, &identity, self.env().block_timestamp())?;
            self.push(Vec::from([(account, Some(identity.credential()))]))?;
            self.env().emit_event(IdentityRegistered { account, identity });
            Ok(())
        }

        /// Records up to `MAX_BATCH` identities; all or none (the call reverts on the first bad record). Agents only.
        #[ink(message)]
        pub fn register_batch(&mut self, records: Vec<(AccountId, Identity)>) -> Result<(), Error> {
            self.ensure_agent()?;
            if records.len() > MAX_BATCH as usize {
                return Err(Error::BatchTooLarge);
            }
            let now = self.env().block_timestamp();
            let mut changes = Vec::with_capacity(records.len());
            for (account, identity) in &records {
                self.data.register(*account, identity, now)?;
                changes.push((*account, Some(identity.credential())));
            }
            self.push(changes)?;
            for (account, identity) in records {
                self.env().emit_event(IdentityRegistered { account, identity });
            }
            Ok(())
        }

        /// Replaces an investor's record (renew KYC, change class, suspend with `verified = false`). Agents only.
        #[ink(message)]
        pub fn update(&mut self, account: AccountId, identity: Identity) -> Result<(), Error> {
            self.ensure_agent()?;
            self.data.update(account, &identity, self.env().block_timestamp())?;
            self.push(Vec::from([(account, Some(identity.credential()))]))?;
            self.env().emit_event(IdentityUpdated { account, identity });
            Ok(())
        }

        /// Deletes an investor's record. Agents only.
        #[ink(message)]
        pub fn remove(&mut self, account: AccountId) -> Result<(), Error> {
            self.ensure_agent()?;
            self.data.remove(account)?;
            self.push(Vec::from([(account, None)]))?;
            self.env().emit_event(IdentityRemoved { account });
            Ok(())
        }

        /// The record of `account`, if any.
        #[ink(message)]
        pub fn identity(&self, account: AccountId) -> Option<Identity> {
            self.data.identity(account)
        }

        /// Number of registered accounts.
        #[ink(message)]
        pub fn identity_count(&self) -> u32 {
            self.data.count()
        }

        /// Pushes every future identity change to `token` (at most `MAX_BOUND_TOKENS`). The token
        /// must have been deployed with this registry (it refuses the binding otherwise). The
        /// token honours only credentials pushed or synced from now on: accounts registered
        /// before reach it through its permissionless `sync`. Owner only.
        #[ink(message)]
        pub fn bind_token(&mut self, token: AccountId) -> Result<(), Error> {
            self.access.ensure_owner(self.env().caller())?;
            self.data.bind(token)?;
            calls::binding_changed(token, true).map_err(|_| Error::PushFailed(token))?;
            self.env().emit_event(TokenBound { token });
            Ok(())
        }

        /// Stops pushing changes to `token` and tells it so: an unbound token treats every account
        /// as unverified, so its holders cannot move tokens until it is bound again and synced.
        /// For a retired token, or a broken one that would block every change (while it refuses
        /// pushes, agents can still freeze accounts on each token). If the token does not take the
        /// notice (capped in weight at `calls::NOTICE_REF_TIME`) the call fails with `PushFailed`,
        /// unless `force`: then the token is unbound anyway but may keep honouring the credentials
        /// it holds, so pause or retire it on the token itself. Owner only.
        #[ink(message)]
        pub fn unbind_token(&mut self, token: AccountId, force: bool) -> Result<(), Error> {
            self.access.ensure_owner(self.env().caller())?;
            self.data.unbind(token)?;
            let notified = calls::binding_changed(token, false).is_ok();
            if !notified && !force {
                return Err(Error::PushFailed(token));
            }
            self.env().emit_event(TokenUnbound { token, notified });
            Ok(())
        }

        /// Tokens every identity change is pushed to.
        #[ink(message)]
        pub fn bound_tokens(&self) -> Vec<AccountId> {
            self.data.tokens().to_vec()
        }

        fn ensure_agent(&self) -> Result<(), Error> {
            Ok(self.access.ensure_role(Role::Agent, self.env().caller())?)
        }

        /// Hands `changes` to every bound token (after this registry's own state changed); the
        /// first refusal fails the call, so the registry and every bound token stay equal.
        fn push(&self, changes: Vec<(AccountId, Option<Credential>)>) -> Result<(), Error> {
            for token in self.data.tokens() {
                calls::identities_changed(*token, changes.clone()).map_err(|_: CallError| Error::PushFailed(*token))?;
            }
            Ok(())
        }
    }

    impl Default for IdentityRegistry {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Ownable2Step for IdentityRegistry {
        #[ink(message)]
        fn owner(&self) -> AccountId {
            self.access.owner()
        }

        #[ink(message)]
        fn pending_owner(&self) -> Option<AccountId> {
            self.access.pending_owner()
        }

        #[ink(message)]
        fn transfer_ownership(&mut self, new_owner: Option<AccountId>) -> Result<(), AccessError> {
            let event = self.access.propose(self.env().caller(), new_owner)?;
            self.env().emit_event(event);
            Ok(())
        }

        #[ink(message)]
        fn accept_ownership(&mut self) -> Result<(), AccessError> {
            let event = self.access.accept(self.env().caller())?;
            self.env().emit_event(event);
            Ok(())
        }
    }

    impl AccessControl for IdentityRegistry {
        #[ink(message)]
        fn has_role(&self, role: Role, account: AccountId) -> bool {
            self.access.has_role(role, account)
        }

        /// Agents (`Role::Agent`) record identities.
        #[ink(message)]
        fn set_role(&mut self, role: Role, account: AccountId, enabled: bool) -> Result<(), AccessError> {
            let event = self.access.set_role(self.env().caller(), &[Role::Agent], role, account, enabled)?;
            self.env().emit_event(event);
            Ok(())
        }
    }

    impl IdentityCheck for IdentityRegistry {
        #[ink(message)]
        fn is_verified(&self, account: AccountId) -> bool {
            self.data.party(account, self.env().block_timestamp()).verified
        }

        #[ink(message)]
        fn credential(&self, account: AccountId) -> Option<Credential> {
            self.data.credential(account)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::registry::InvestorClass;
        use ink::env::test::{default_accounts, recorded_events, set_block_timestamp, set_caller, DefaultAccounts};
        use ink::env::DefaultEnvironment;

        fn accounts() -> DefaultAccounts<DefaultEnvironment> {
            default_accounts::<DefaultEnvironment>()
        }

        fn kyc(country: u16) -> Identity {
            Identity { verified: true, country, kyc_expiry: 10_000, class: InvestorClass::Retail, claim_hash: Some([7; 32]) }
        }

        fn registry() -> IdentityRegistry {
            set_caller::<DefaultEnvironment>(accounts().alice);
            set_block_timestamp::<DefaultEnvironment>(1_000);
            IdentityRegistry::new()
        }

        #[ink::test]
        fn agent_registers_and_tokens_see_parties() {
            let mut registry = registry();
            let (alice, bob, charlie) = (accounts().alice, accounts().bob, accounts().charlie);
            registry.set_role(Role::Agent, bob, true).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            let events_before = recorded_events().count();
            registry.register(charlie, kyc(276)).unwrap();
            assert_eq!(recorded_events().count(), events_before + 1);
            assert!(registry.is_verified(charlie));
            assert!(!registry.is_verified(alice));
            assert_eq!(registry.credential(alice), None);
            let credential = Credential { verified_until: 10_000, country: 276, class: InvestorClass::Retail };
            assert_eq!(registry.credential(charlie), Some(credential));
            assert!(registry.bound_tokens().is_empty());

            set_block_timestamp::<DefaultEnvironment>(10_000);
            assert!(!registry.is_verified(charlie), "KYC expired");
        }

        #[ink::test]
        fn batch_is_bounded_and_counts() {
            let mut registry = registry();
            let too_many: Vec<_> = (0..=MAX_BATCH).map(|i| (AccountId::from([i as u8; 32]), kyc(276))).collect();
            assert_eq!(registry.register_batch(too_many), Err(Error::BatchTooLarge));
            let records: Vec<_> = (1..=3u8).map(|i| (AccountId::from([i; 32]), kyc(250))).collect();
            registry.register_batch(records).unwrap();
            assert_eq!(registry.identity_count(), 3);
        }

        #[ink::test]
        fn update_and_remove() {
            let mut registry = registry();
            let bob = accounts().bob;
            registry.register(bob, kyc(276)).unwrap();
            let mut suspended = kyc(276);
            suspended.verified = false;
            registry.update(bob, suspended.clone()).unwrap();
            assert_eq!(registry.identity(bob), Some(suspended));
            assert!(!registry.is_verified(bob));
            registry.remove(bob).unwrap();
            assert_eq!(registry.remove(bob), Err(Error::NotRegistered));
            assert_eq!(registry.identity_count(), 0);
        }

        #[ink::test]
        fn every_privileged_message_rejects_outsiders() {
            let mut registry = registry();
            let (bob, eve) = (accounts().bob, accounts().eve);
            registry.register(bob, kyc(276)).unwrap();
            set_caller::<DefaultEnvironment>(eve);
            let not_agent = Err(Error::MissingRole(Role::Agent));
            let not_owner = Err(Error::NotOwner);
            assert_eq!(registry.register(eve, kyc(276)), not_agent);
            assert_eq!(registry.register_batch(Vec::new()), not_agent);
            assert_eq!(registry.update(bob, kyc(250)), not_agent);
            assert_eq!(registry.remove(bob), not_agent);
            assert_eq!(registry.set_role(Role::Agent, eve, true), Err(AccessError::NotOwner));
            assert_eq!(registry.bind_token(eve), not_owner);
            assert_eq!(registry.unbind_token(eve, false), not_owner);
            assert_eq!(registry.unbind_token(eve, true), not_owner);
            assert_eq!(registry.transfer_ownership(Some(eve)), Err(AccessError::NotOwner));
            assert_eq!(registry.accept_ownership(), Err(AccessError::NotPendingOwner));
            set_caller::<DefaultEnvironment>(accounts().alice);
            registry.set_role(Role::Agent, accounts().charlie, true).unwrap();
            set_caller::<DefaultEnvironment>(accounts().charlie);
            assert_eq!(registry.bind_token(eve), not_owner, "an agent is not the owner");
            assert_eq!(registry.unbind_token(eve, true), not_owner, "an agent is not the owner");
            assert_eq!(registry.identity_count(), 1, "nothing changed");
            assert!(registry.bound_tokens().is_empty());
        }

        #[ink::test]
        fn ownership_moves_in_two_steps() {
            let mut registry = registry();
            let (bob, eve) = (accounts().bob, accounts().eve);
            // An agent of the previous owner loses the role with the hand-over.
            registry.set_role(Role::Agent, eve, true).unwrap();
            registry.transfer_ownership(Some(bob)).unwrap();
            assert!(registry.has_role(Role::Agent, eve), "a proposal alone changes nothing");
            set_caller::<DefaultEnvironment>(bob);
            registry.accept_ownership().unwrap();
            assert_eq!(registry.owner(), bob);
            assert!(!registry.has_role(Role::Agent, accounts().alice), "the previous owner holds no role");
            set_caller::<DefaultEnvironment>(eve);
            assert_eq!(registry.register(accounts().frank, kyc(276)), Err(Error::MissingRole(Role::Agent)), "nor its agents");
            set_caller::<DefaultEnvironment>(bob);
            assert_eq!(registry.register(accounts().django, kyc(276)), Ok(()), "the new owner is an agent");
            registry.set_role(Role::Agent, accounts().charlie, true).unwrap();
            assert!(registry.has_role(Role::Agent, accounts().charlie));
        }
    }
}
