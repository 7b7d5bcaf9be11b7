//! Pool admin: the companion of one GPU-hour token, holding everything holders never call so
//! that the token's code (loaded by every transfer) stays small. It keeps the roles (two-step
//! owner, agents), the capacity attestation history and the redemption records, offers the batch
//! messages, and drives the token through its one privileged message, `TokenAdmin::admin`; the
//! token applies each operation with its own rules (capacity cap, recipient compliance,
//! unfreezing only the shortfall), so a refusal there is the answer here.
//!
//! The records live in `admin` (plain Rust, tested on the host); this module is the thin ink!
//! layer: role checks, the call to the token, events. Every message records first and calls the
//! token last; a refusal by the token reverts the record with it.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// See compute-rwa-common: clippy 1.85 false positive inside `#[ink::scale_derive]`.
#![allow(clippy::cast_possible_truncation)]

pub mod admin;

#[ink::contract]
pub mod pool_admin {
    use crate::admin::{units, Attestation, Records, Redemption};
    use compute_rwa_common::calls;
    use compute_rwa_common::{Access, AccessControl, AccessError, AdminOp, AdminOutcome, ComplianceRules, Ownable2Step, Role, MAX_BATCH};
    use ink::prelude::{string::String, vec, vec::Vec};

    pub use crate::admin::Error;

    /// An agent recorded a new attested capacity.
    #[ink(event)]
    pub struct CapacityAttested {
        #[ink(topic)]
        pub agent: AccountId,
        pub index: u32,
        pub capacity: u128,
        pub document_hash: [u8; 32],
    }

    /// The token's holder transfers were paused or resumed.
    #[ink(event)]
    pub struct PauseChanged {
        #[ink(topic)]
        pub agent: AccountId,
        pub paused: bool,
    }

    /// An address was frozen or unfrozen in the token.
    #[ink(event)]
    pub struct AddressFrozen {
        #[ink(topic)]
        pub account: AccountId,
        pub frozen: bool,
        #[ink(topic)]
        pub agent: AccountId,
    }

    /// Part of a balance was frozen; `total` is the new frozen amount.
    #[ink(event)]
    pub struct TokensFrozen {
        #[ink(topic)]
        pub account: AccountId,
        pub amount: u128,
        pub total: u128,
    }

    /// A lost wallet's tokens moved to a new one.
    #[ink(event)]
    pub struct RecoverySuccess {
        #[ink(topic)]
        pub lost: AccountId,
        #[ink(topic)]
        pub new: AccountId,
        pub amount: u128,
        pub frozen: u128,
    }

    /// The token's transfer rules changed.
    #[ink(event)]
    pub struct ComplianceUpdated {
        pub rules: ComplianceRules,
    }

    /// A holder burnt tokens to redeem GPU-hours.
    #[ink(event)]
    pub struct RedemptionRequested {
        pub id: u64,
        #[ink(topic)]
        pub holder: AccountId,
        pub amount: u128,
    }

    /// The issuer delivered a redemption's GPU-hours.
    #[ink(event)]
    pub struct RedemptionFulfilled {
        pub id: u64,
        #[ink(topic)]
        pub agent: AccountId,
    }

    /// The release period of the token's future distributions changed.
    #[ink(event)]
    pub struct YieldPeriodSet {
        pub period_ms: u64,
    }

    /// A yield distributor was added or removed in the token.
    #[ink(event)]
    pub struct DistributorUpdated {
        #[ink(topic)]
        pub account: AccountId,
        pub enabled: bool,
    }

    /// Another admin was proposed to the token (`hand_over`); it drives the token once it
    /// accepts, and this contract until then.
    #[ink(event)]
    pub struct HandOverProposed {
        #[ink(topic)]
        pub new_admin: AccountId,
    }

    /// This contract accepted the token's admin role (`take_over`).
    #[ink(event)]
    pub struct TookOver {
        #[ink(topic)]
        pub token: AccountId,
    }

    #[ink(storage)]
    pub struct PoolAdmin {
        token: AccountId,
        access: Access,
        records: Records,
    }

    impl PoolAdmin {
        /// The admin of `token`, owned by the caller. The token's current admin (its deployer)
        /// then proposes this contract (`admin([SetAdmin(this contract)])` on the token) and the
        /// owner accepts with `take_over`.
        #[ink(constructor)]
        pub fn new(token: AccountId) -> Self {
            Self { token, access: Access::new(Self::env().caller()), records: Records::default() }
        }

        /// The GPU-hour token this contract drives.
        #[ink(message)]
        pub fn token(&self) -> AccountId {
            self.token
        }

        // ---- capacity ----------------------------------------------------------------

        /// Records the attested capacity in whole GPU-hours with its document. Agents only.
        /// The token refuses it below what was already issued (`CapacityBelowIssued`) or above
        /// GPU count × period hours (`CapacityExceedsPool`).
        #[ink(message)]
        pub fn attest_capacity(&mut self, gpu_hours: u64, document_hash: [u8; 32], document_uri: String) -> Result<(), Error> {
            let agent = self.ensure_agent()?;
            let capacity = units(gpu_hours)?;
            let index = self.records.attest(capacity, document_hash, self.env().block_timestamp(), agent)?;
            self.drive(vec![AdminOp::Attest { capacity, document_hash, document_uri }])?;
            self.env().emit_event(CapacityAttested { agent, index, capacity, document_hash });
            Ok(())
        }

        /// Attestation number `index`, oldest first.
        #[ink(message)]
        pub fn attestation(&self, index: u32) -> Option<Attestation> {
            self.records.attestation(index)
        }

        /// Number of attestations.
        #[ink(message)]
        pub fn attestation_count(&self) -> u32 {
            self.records.attestation_count()
        }

        // ---- issuance and enforcement ------------------------------------------------

        /// Mints `amount` to a verified, compliant `to`, within attested capacity. Agents only.
        #[ink(message)]
        pub fn mint(&mut self, to: AccountId, amount: u128) -> Result<(), Error> {
            self.batch_mint(vec![(to, amount)])
        }

        /// `mint` for up to `MAX_BATCH` recipients; all or nothing. Agents only.
        #[ink(message)]
        pub fn batch_mint(&mut self, mints: Vec<(AccountId, u128)>) -> Result<(), Error> {
            self.ensure_agent()?;
            self.drive(mints.into_iter().map(|(to, amount)| AdminOp::Mint { to, amount }).collect())?;
            Ok(())
        }

        /// Burns `amount` of `account`'s balance, unfreezing only what it must. Agents only.
        #[ink(message)]
        pub fn burn_from(&mut self, account: AccountId, amount: u128) -> Result<(), Error> {
            self.ensure_agent()?;
            self.drive(vec![AdminOp::BurnFrom { account, amount }])?;
            Ok(())
        }

        /// Moves `amount` from `from` to a verified, compliant `to`, even if paused or frozen;
        /// unfreezes only what it must. Agents only.
        #[ink(message)]
        pub fn forced_transfer(&mut self, from: AccountId, to: AccountId, amount: u128) -> Result<(), Error> {
            self.batch_forced_transfer(vec![(from, to, amount)])
        }

        /// `forced_transfer` for up to `MAX_BATCH` (from, to, amount); all or nothing. Agents only.
        #[ink(message)]
        pub fn batch_forced_transfer(&mut self, transfers: Vec<(AccountId, AccountId, u128)>) -> Result<(), Error> {
            self.ensure_agent()?;
            self.drive(transfers.into_iter().map(|(from, to, amount)| AdminOp::ForcedTransfer { from, to, amount }).collect())?;
            Ok(())
        }

        /// Moves everything of a lost wallet (balance, frozen part, address freeze, unclaimed
        /// yield) to a new verified wallet, also when only yield is left. Agents only.
        #[ink(message)]
        pub fn recover(&mut self, lost: AccountId, new: AccountId) -> Result<(), Error> {
            self.ensure_agent()?;
            let (amount, frozen) = self.drive(vec![AdminOp::Recover { lost, new }])?.first().copied().ok_or(Error::CallFailed)?;
            self.env().emit_event(RecoverySuccess { lost, new, amount, frozen });
            Ok(())
        }

        /// Freezes (`true`) or unfreezes an address: it can neither send nor receive. Agents only.
        #[ink(message)]
        pub fn set_frozen(&mut self, account: AccountId, frozen: bool) -> Result<(), Error> {
            self.batch_set_frozen(vec![(account, frozen)])
        }

        /// `set_frozen` for up to `MAX_BATCH` accounts. Agents only.
        #[ink(message)]
        pub fn batch_set_frozen(&mut self, accounts: Vec<(AccountId, bool)>) -> Result<(), Error> {
            let agent = self.ensure_agent()?;
            self.drive(accounts.iter().map(|&(account, frozen)| AdminOp::SetFrozen { account, frozen }).collect())?;
            for (account, frozen) in accounts {
                self.env().emit_event(AddressFrozen { account, frozen, agent });
            }
            Ok(())
        }

        /// Freezes `amount` more of `account`'s tokens (at most its balance). Agents only.
        #[ink(message)]
        pub fn freeze_partial(&mut self, account: AccountId, amount: u128) -> Result<(), Error> {
            self.batch_freeze_partial(vec![(account, amount)])
        }

        /// `freeze_partial` for up to `MAX_BATCH` accounts; all or nothing. Agents only.
        #[ink(message)]
        pub fn batch_freeze_partial(&mut self, freezes: Vec<(AccountId, u128)>) -> Result<(), Error> {
            self.ensure_agent()?;
            let outcomes = self.drive(freezes.iter().map(|&(account, amount)| AdminOp::FreezePartial { account, amount }).collect())?;
            for ((account, amount), (total, _)) in freezes.into_iter().zip(outcomes) {
                self.env().emit_event(TokensFrozen { account, amount, total });
            }
            Ok(())
        }

        /// Unfreezes `amount` of `account`'s frozen tokens (the token emits `TokensUnfrozen`).
        /// Agents only.
        #[ink(message)]
        pub fn unfreeze_partial(&mut self, account: AccountId, amount: u128) -> Result<(), Error> {
            self.ensure_agent()?;
            self.drive(vec![AdminOp::UnfreezePartial { account, amount }])?;
            Ok(())
        }

        /// Stops holder transfers and redemptions (agent powers keep working). Agents only.
        #[ink(message)]
        pub fn pause(&mut self) -> Result<(), Error> {
            self.set_paused(true)
        }

        /// Resumes holder transfers. Agents only.
        #[ink(message)]
        pub fn unpause(&mut self) -> Result<(), Error> {
            self.set_paused(false)
        }

        // ---- owner settings ------------------------------------------------------------

        /// Replaces the token's transfer rules: every compliance module at once (blocked
        /// countries, allowed investor classes, max balance, max holders, transfer limit per
        /// window, initial lockup; each off at 0). Owner only; an out-of-bounds set is refused
        /// whole (`InvalidRule`, `TooManyBlockedCountries`).
        #[ink(message)]
        pub fn set_compliance(&mut self, rules: ComplianceRules) -> Result<(), Error> {
            self.drive_as_owner(AdminOp::SetRules(rules.clone()))?;
            self.env().emit_event(ComplianceUpdated { rules });
            Ok(())
        }

        /// Sets the release period of the token's future distributions, 1 s to 365 days; the
        /// running stream keeps its end. Owner only.
        #[ink(message)]
        pub fn set_yield_period(&mut self, period_ms: u64) -> Result<(), Error> {
            self.drive_as_owner(AdminOp::SetYieldPeriod(period_ms))?;
            self.env().emit_event(YieldPeriodSet { period_ms });
            Ok(())
        }

        /// Adds (`enabled`) or removes a yield distributor of the token (the escrow). Owner only.
        #[ink(message)]
        pub fn set_distributor(&mut self, account: AccountId, enabled: bool) -> Result<(), Error> {
            self.drive_as_owner(AdminOp::SetDistributor { account, enabled })?;
            self.env().emit_event(DistributorUpdated { account, enabled });
            Ok(())
        }

        /// Proposes `new_admin` (a replacement admin contract) for the token's admin role; it
        /// takes over with its own `take_over`, after which this contract can no longer drive the
        /// token (its records stay here; the successor starts empty). This contract's own address
        /// withdraws a proposal: a new owner withdraws any proposal it did not make (the audit
        /// fails while one is pending). The token refuses itself or the zero account
        /// (`InvalidAdmin`). Owner only.
        #[ink(message)]
        pub fn hand_over(&mut self, new_admin: AccountId) -> Result<(), Error> {
            self.drive_as_owner(AdminOp::SetAdmin(new_admin))?;
            self.env().emit_event(HandOverProposed { new_admin });
            Ok(())
        }

        /// Accepts the token's admin role proposed to this contract (by the token's deployer at
        /// deployment, or by a predecessor's `hand_over`). Owner only.
        #[ink(message)]
        pub fn take_over(&mut self) -> Result<(), Error> {
            self.drive_as_owner(AdminOp::AcceptAdmin)?;
            self.env().emit_event(TookOver { token: self.token });
            Ok(())
        }

        // ---- redemptions ---------------------------------------------------------------

        /// Burns `amount` of the caller's free tokens to redeem GPU-hours; returns the
        /// redemption id. Works for unverified holders (an exit), not while paused or frozen.
        #[ink(message)]
        pub fn redeem(&mut self, amount: u128) -> Result<u64, Error> {
            let holder = self.env().caller();
            let redemption = self.records.request(holder, amount, self.env().block_timestamp())?;
            self.drive(vec![AdminOp::Redeem { holder, amount }])?;
            self.env().emit_event(RedemptionRequested { id: redemption.id, holder, amount });
            Ok(redemption.id)
        }

        /// Marks redemption `id` as delivered. Agents only.
        #[ink(message)]
        pub fn fulfill_redemption(&mut self, id: u64) -> Result<(), Error> {
            let agent = self.ensure_agent()?;
            self.records.fulfill(id, self.env().block_timestamp())?;
            self.env().emit_event(RedemptionFulfilled { id, agent });
            Ok(())
        }

        /// Redemption `id`.
        #[ink(message)]
        pub fn redemption(&self, id: u64) -> Option<Redemption> {
            self.records.redemption(id)
        }

        /// Number of redemptions.
        #[ink(message)]
        pub fn redemption_count(&self) -> u64 {
            self.records.redemption_count()
        }

        // ---- internals -----------------------------------------------------------------

        fn ensure_agent(&self) -> Result<AccountId, Error> {
            let caller = self.env().caller();
            self.access.ensure_role(Role::Agent, caller)?;
            Ok(caller)
        }

        fn set_paused(&mut self, paused: bool) -> Result<(), Error> {
            let agent = self.ensure_agent()?;
            self.drive(vec![AdminOp::SetPaused(paused)])?;
            self.env().emit_event(PauseChanged { agent, paused });
            Ok(())
        }

        /// Applies one owner-only operation on the token.
        fn drive_as_owner(&self, op: AdminOp) -> Result<(), Error> {
            self.access.ensure_owner(self.env().caller())?;
            self.drive(vec![op]).map(drop)
        }

        /// Applies `ops` on the token (at most `MAX_BATCH`, all or nothing); its outcomes.
        fn drive(&self, ops: Vec<AdminOp>) -> Result<Vec<AdminOutcome>, Error> {
            if ops.len() > MAX_BATCH as usize {
                return Err(Error::BatchTooLarge);
            }
            calls::token_admin(self.token, ops).map_err(|_| Error::CallFailed)?.map_err(Error::Token)
        }
    }

    impl Ownable2Step for PoolAdmin {
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

        /// Also withdraws a token admin hand-over the previous owner left open (best effort: a
        /// pool admin that no longer drives the token has none to withdraw).
        #[ink(message)]
        fn accept_ownership(&mut self) -> Result<(), AccessError> {
            let event = self.access.accept(self.env().caller())?;
            self.env().emit_event(event);
            let _ = self.drive(vec![AdminOp::SetAdmin(self.env().account_id())]);
            Ok(())
        }
    }

    impl AccessControl for PoolAdmin {
        #[ink(message)]
        fn has_role(&self, role: Role, account: AccountId) -> bool {
            self.access.has_role(role, account)
        }

        /// Agents (`Role::Agent`) enforce, attest and fulfil redemptions.
        #[ink(message)]
        fn set_role(&mut self, role: Role, account: AccountId, enabled: bool) -> Result<(), AccessError> {
            let event = self.access.set_role(self.env().caller(), &[Role::Agent], role, account, enabled)?;
            self.env().emit_event(event);
            Ok(())
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use ink::env::test::{default_accounts, set_caller, DefaultAccounts};
        use ink::env::DefaultEnvironment;

        fn accounts() -> DefaultAccounts<DefaultEnvironment> {
            default_accounts::<DefaultEnvironment>()
        }

        /// Owned by Alice, driving a token at Django's address. Off chain no contract answers
        /// there, so tests here stop at the role checks; the drink and node tests drive a token.
        fn admin() -> PoolAdmin {
            set_caller::<DefaultEnvironment>(accounts().alice);
            PoolAdmin::new(accounts().django)
        }

        #[ink::test]
        fn every_privileged_message_rejects_outsiders() {
            let mut admin = admin();
            let (alice, bob, charlie, eve) = (accounts().alice, accounts().bob, accounts().charlie, accounts().eve);
            admin.set_role(Role::Agent, bob, true).unwrap();
            admin.transfer_ownership(Some(charlie)).unwrap();
            let not_agent = Err(Error::MissingRole(Role::Agent));
            let not_owner = Err(Error::NotOwner);
            // Agent-only messages: refused to the pending owner and to an outsider.
            for caller in [charlie, eve] {
                set_caller::<DefaultEnvironment>(caller);
                assert_eq!(admin.attest_capacity(1, [0; 32], String::new()), not_agent);
                assert_eq!(admin.mint(eve, 1), not_agent);
                assert_eq!(admin.batch_mint(vec![(eve, 1)]), not_agent);
                assert_eq!(admin.burn_from(bob, 1), not_agent);
                assert_eq!(admin.forced_transfer(bob, eve, 1), not_agent);
                assert_eq!(admin.batch_forced_transfer(vec![(bob, eve, 1)]), not_agent);
                assert_eq!(admin.recover(bob, eve), not_agent);
                assert_eq!(admin.set_frozen(bob, true), not_agent);
                assert_eq!(admin.batch_set_frozen(vec![(bob, true)]), not_agent);
                assert_eq!(admin.freeze_partial(bob, 1), not_agent);
                assert_eq!(admin.batch_freeze_partial(vec![(bob, 1)]), not_agent);
                assert_eq!(admin.unfreeze_partial(bob, 1), not_agent);
                assert_eq!(admin.pause(), not_agent);
                assert_eq!(admin.unpause(), not_agent);
                assert_eq!(admin.fulfill_redemption(0), not_agent);
            }
            // Owner-only messages: refused to an agent, the pending owner and an outsider.
            for caller in [bob, charlie, eve] {
                set_caller::<DefaultEnvironment>(caller);
                assert_eq!(admin.set_compliance(ComplianceRules::default()), not_owner);
                assert_eq!(admin.set_yield_period(60_000), not_owner);
                assert_eq!(admin.set_distributor(eve, true), not_owner);
                assert_eq!(admin.hand_over(eve), not_owner);
                assert_eq!(admin.take_over(), not_owner);
                assert_eq!(admin.set_role(Role::Agent, eve, true), Err(AccessError::NotOwner));
                assert_eq!(admin.transfer_ownership(Some(caller)), Err(AccessError::NotOwner));
            }
            for caller in [alice, bob, eve] {
                set_caller::<DefaultEnvironment>(caller);
                assert_eq!(admin.accept_ownership(), Err(AccessError::NotPendingOwner));
            }
            assert!(!admin.has_role(Role::Agent, eve) && admin.owner() == alice && admin.pending_owner() == Some(charlie));
            assert_eq!((admin.attestation_count(), admin.redemption_count()), (0, 0), "nothing recorded");
            assert_eq!(admin.token(), accounts().django);
        }

        #[ink::test]
        fn batches_are_bounded_before_the_token_is_called() {
            let mut admin = admin();
            let too_many = vec![(accounts().bob, 1); MAX_BATCH as usize + 1];
            assert_eq!(admin.batch_mint(too_many), Err(Error::BatchTooLarge));
            let too_many = vec![(accounts().bob, true); MAX_BATCH as usize + 1];
            assert_eq!(admin.batch_set_frozen(too_many), Err(Error::BatchTooLarge));
        }

        #[ink::test]
        fn fulfilling_an_unknown_redemption_is_refused() {
            let mut admin = admin();
            assert_eq!(admin.fulfill_redemption(0), Err(Error::UnknownRedemption));
        }

        /// The acceptance itself calls the token (it withdraws an open hand-over), which the
        /// off-chain environment cannot: drink's `the_pool_admin_drives_the_token_all_or_nothing`
        /// takes it from here (the previous owner's agents are refused after it).
        #[ink::test]
        fn ownership_is_proposed_and_roles_hold_until_accepted() {
            let mut admin = admin();
            let (alice, bob, eve) = (accounts().alice, accounts().bob, accounts().eve);
            admin.set_role(Role::Agent, eve, true).unwrap();
            admin.transfer_ownership(Some(bob)).unwrap();
            assert_eq!((admin.owner(), admin.pending_owner()), (alice, Some(bob)));
            assert!(admin.has_role(Role::Agent, eve) && !admin.has_role(Role::Agent, bob), "a proposal alone changes nothing");
            set_caller::<DefaultEnvironment>(eve);
            assert_eq!(admin.accept_ownership(), Err(AccessError::NotPendingOwner));
        }
    }
}
