//! GPU-hour token: one PSP22 per compute pool, one unit = one micro-GPU-hour of the
//! pool's attested capacity, permissioned like ERC-3643, paying the pool's rent to
//! holders pro rata.
//!
//! The rules live in `token` (balances, compliance, freezes, capacity), `rewards` (yield
//! accounting: each distribution streamed to holders over `yield_period`) and `pool` (pool
//! data); this module is the thin ink! layer: access checks, stablecoin calls, events.
//! Identities are pushed to the token by its registry (`identities_changed`) and checked
//! locally, so no transfer calls another contract. What holders never call (roles, attestation
//! history, redemption records, batches) lives in the companion `pool_admin` contract, which
//! drives the token through one privileged message, `TokenAdmin::admin`.
//!
//! The crate builds twice: the full build (default features) is the whole token, uploaded as
//! code only; the front (`--features front`) is what token accounts run — PSP22 in its own code,
//! every other message handed to the full build's code by delegate call (`forward`), so a
//! transfer loads only the front's bytes. One source: one storage layout, one interface.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// See compute-rwa-common: clippy 1.85 false positive inside `#[ink::scale_derive]`.
#![allow(clippy::cast_possible_truncation)]

pub mod pool;
pub mod rewards;
pub mod token;

#[cfg(test)]
mod token_tests;
#[cfg(test)]
mod token_props;

#[ink::contract]
pub mod gpu_hour_token {
    use crate::pool::PoolInfo;
    use crate::rewards::{Distribution, RewardTotals};
    use crate::token::{ComplianceRules, HolderRecord, TokenData, TokenError, TokenEvent};
    use compute_rwa_common::calls;
    use compute_rwa_common::token::MAX_URI_LEN;
    use compute_rwa_common::{forward, Accounts, AdminOp, AdminOps, AdminOutcome, Credential, IdentityChanges, DistributeError, IdentityListener, PushError, TokenAdmin, YieldDistributor, MAX_BATCH, MAX_CHANGES};
    use ink::prelude::{string::String, vec::Vec};
    use ink::storage::{Lazy, Mapping};
    use psp22::{PSP22Error, PSP22Event, PSP22Metadata, PSP22};

    /// Token decimals: one unit is a micro-GPU-hour.
    pub const DECIMALS: u8 = 6;

    /// Part of a balance was unfrozen (by the admin, or as far as a forced transfer or burn needed).
    #[ink(event)]
    pub struct TokensUnfrozen {
        #[ink(topic)]
        pub account: AccountId,
        pub amount: u128,
    }

    /// The account allowed to call `admin` changed (normally a `pool_admin` contract), or one was
    /// proposed (`accepted` false) and must still accept; the current admin with `accepted`
    /// false: a proposal was withdrawn.
    #[ink(event)]
    pub struct AdminChanged {
        #[ink(topic)]
        pub admin: AccountId,
        pub accepted: bool,
    }

    /// Stablecoin yield was spread over holders.
    #[ink(event)]
    pub struct RewardsDistributed {
        pub id: u32,
        #[ink(topic)]
        pub distributor: AccountId,
        pub amount: u128,
        pub supply: u128,
    }

    /// A holder claimed yield.
    #[ink(event)]
    pub struct RewardsClaimed {
        #[ink(topic)]
        pub account: AccountId,
        #[ink(topic)]
        pub receiver: AccountId,
        pub amount: u128,
    }

    /// The credential the token honours for an account changed: pushed by the identity
    /// registry, or copied by `sync`. `None`: removed from the registry.
    #[ink(event)]
    pub struct CredentialChanged {
        #[ink(topic)]
        pub account: AccountId,
        pub credential: Option<Credential>,
    }

    /// The identity registry bound (`bound`) or unbound the token; `binding` counts bindings.
    /// A new binding voids every credential received before it.
    #[ink(event)]
    pub struct BindingChanged {
        pub bound: bool,
        pub binding: u32,
    }

    /// The token as of now, in one read (`state`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct TokenState {
        /// Pool description (GPU model, count, region, tier, period, latest attestation).
        pub pool: PoolInfo,
        /// The identity registry that pushes credentials to the token.
        pub registry: AccountId,
        /// The stablecoin yield is paid in.
        pub stablecoin: AccountId,
        /// The account allowed to call `admin` (the pool's `pool_admin` contract).
        pub admin: AccountId,
        /// An admin proposed by `SetAdmin` that has not accepted yet.
        pub pending_admin: Option<AccountId>,
        /// Attested capacity, in token units.
        pub capacity: u128,
        /// Units burnt by redemptions; supply + redeemed never exceeds capacity.
        pub redeemed: u128,
        /// Accounts with a non-zero balance.
        pub holders: u32,
        /// Whether holder transfers and redemptions are paused.
        pub paused: bool,
        /// Current transfer rules.
        pub rules: ComplianceRules,
        /// Period (ms) over which each distribution is released to holders.
        pub yield_period: u64,
        /// Yield totals as of now: distributed, claimed, undistributed, carried remainder,
        /// still streaming (and until when).
        pub rewards: RewardTotals,
        /// Number of distributions.
        pub distributions: u32,
        /// Whether the identity registry binds the token (unbound, nobody counts as verified).
        pub bound: bool,
        /// Bindings so far; each voids the credentials received before it.
        pub binding: u32,
    }

    /// What the token keeps about one account as of now (`holding`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct Holding {
        /// Whether the address is frozen (it can neither send nor receive).
        pub frozen: bool,
        /// Frozen part of the balance.
        pub frozen_amount: u128,
        /// The credential the token honours: verified until (ms; 0 while suspended), country and
        /// class, as pushed or synced since the current binding. `None`: not registered, the
        /// token is unbound, or not yet synced since it was bound.
        pub credential: Option<Credential>,
        /// Whole stablecoin units the account could claim now.
        pub claimable: u128,
        /// Whether the account may distribute yield.
        pub distributor: bool,
        /// The transfer-limit and lockup modules' record: units sent in the window started at
        /// `window_start`, minted units locked until `locked_until` (each counts only while its
        /// module is on and its period runs).
        pub compliance: HolderRecord,
    }

    /// What describes the token and its pool: read by `state`, the metadata and attestations.
    #[derive(Debug, Clone, Default)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    struct Description {
        name: Option<String>,
        symbol: Option<String>,
        pool: PoolInfo,
    }

    #[ink(storage)]
    pub struct GpuHourToken {
        data: TokenData,
        /// Name, symbol and pool: never read by a transfer, so out of the root every call decodes.
        description: Lazy<Description>,
        registry: AccountId,
        stablecoin: AccountId,
        admin: AccountId,
        /// Proposed by `SetAdmin`, until it accepts.
        pending_admin: Option<AccountId>,
        distributors: Mapping<AccountId, ()>,
        /// The code the front runs by delegate call for every message it does not answer itself.
        logic: Hash,
    }

    impl GpuHourToken {
        /// A pool token with no capacity yet, checking investors in `registry` and paying yield
        /// in `stablecoin`. The caller is its admin until it proposes the pool's `pool_admin`
        /// contract (`admin([SetAdmin(..)])`) and that contract accepts (`take_over`). `logic`: the
        /// code hash of this crate's full build, uploaded beforehand, which the token's front (the
        /// deployed build) runs by delegate call for every message but PSP22's; fixed and locked
        /// (the chain keeps that code) for the token's life.
        #[ink(constructor)]
        pub fn new(
            name: Option<String>,
            symbol: Option<String>,
            pool: PoolInfo,
            registry: AccountId,
            stablecoin: AccountId,
            logic: Hash,
        ) -> Result<Self, TokenError> {
            pool.validate()?;
            if cfg!(feature = "front") {
                // The code the front runs can never be removed while the token exists (its
                // uploader could otherwise remove it and stop claims, admin operations and the
                // registry's pushes); refused (trap) when no such code is uploaded, or for the
                // front's own code.
                Self::env().lock_delegate_dependency(&logic);
            }
            let mut description = Lazy::new();
            description.set(&Description { name, symbol, pool });
            Ok(Self {
                data: TokenData::default(),
                description,
                registry,
                stablecoin,
                admin: Self::env().caller(),
                pending_admin: None,
                distributors: Mapping::default(),
                logic,
            })
        }

        // ---- reads -------------------------------------------------------------------

        /// The code hash the front runs by delegate call for every message but PSP22's (answered
        /// by the front itself, so an auditor reads it from code whose hash the chain shows).
        #[ink(message)]
        pub fn logic(&self) -> Hash {
            self.logic
        }

        /// Everything about the token as of now, in one read (one dispatch entry instead of a
        /// dozen: every call loads the whole code, so reads holders never need are kept together).
        #[ink(message)]
        pub fn state(&self) -> TokenState {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let (bound, binding) = self.data.binding();
            let stored = self.data.rewards().totals();
            TokenState {
                pool: self.description().pool,
                registry: self.registry,
                stablecoin: self.stablecoin,
                admin: self.admin,
                pending_admin: self.pending_admin,
                capacity: self.data.capacity(),
                redeemed: self.data.redeemed(),
                holders: self.data.holders(),
                paused: self.data.is_paused(),
                rules: self.data.rules(),
                yield_period: self.data.yield_period(),
                rewards: self.data.reward_totals(self.env().block_timestamp()).unwrap_or(stored),
                distributions: self.data.rewards().distribution_count(),
                bound,
                binding,
            }
        }

        /// What the token keeps about `account` as of now: address and partial freezes, the
        /// credential it honours, claimable yield, whether it may distribute.
        #[ink(message)]
        pub fn holding(&self, account: AccountId) -> Result<Holding, TokenError> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            Ok(Holding {
                frozen: self.data.is_frozen(account),
                frozen_amount: self.data.frozen_amount(account),
                credential: self.data.credential(account),
                claimable: self.data.claimable(account, self.env().block_timestamp())?,
                distributor: self.distributors.contains(account),
                compliance: self.data.record(account),
            })
        }

        /// Why a transfer of `amount` from `from` to `to` would fail now, if it would: the error
        /// names the first refusing rule (pause, freeze, balance, identity, then each compliance
        /// module: `TokensLocked`, `TransferLimitExceeded`, `CountryBlocked`, `ClassNotAllowed`,
        /// `MaxBalanceExceeded`, `MaxHoldersReached`).
        #[ink(message)]
        pub fn check_transfer(&self, from: AccountId, to: AccountId, amount: u128) -> Result<(), TokenError> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.check_voluntary(from, to, amount, self.parties(from, to), self.env().block_timestamp())?;
            Ok(())
        }

        // ---- identities --------------------------------------------------------------



        /// Copies the registry's current record of each account (at most `MAX_BATCH`) into the
        /// token: for accounts registered before the current binding. Anyone may call it; it can
        /// only make the token agree with its registry. Refused while unbound (`NotBound`).
        #[ink(message)]
        pub fn sync(&mut self, accounts: Accounts) -> Result<(), TokenError> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let accounts = accounts.into_inner();
            if accounts.len() > MAX_BATCH as usize {
                return Err(TokenError::BatchTooLarge);
            }
            if !self.data.binding().0 {
                return Err(TokenError::NotBound);
            }
            let mut records = Vec::with_capacity(accounts.len());
            for account in accounts {
                records.push((account, calls::credential(self.registry, account)?));
            }
            for (account, credential) in records {
                self.set_credential(account, credential)?;
            }
            Ok(())
        }

        // ---- yield -------------------------------------------------------------------

        /// Pays the caller's whole units of yield to the caller; returns the amount.
        #[ink(message)]
        pub fn claim(&mut self) -> Result<u128, TokenError> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.claim_to(self.env().caller())
        }

        /// Pays the caller's whole units of yield to `receiver`; returns the amount. The caller
        /// must be verified and not frozen (yield keeps accruing meanwhile).
        #[ink(message)]
        pub fn claim_to(&mut self, receiver: AccountId) -> Result<u128, TokenError> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let account = self.env().caller();
            if !self.data.party(account, self.env().block_timestamp()).verified {
                return Err(TokenError::SenderNotVerified);
            }
            let amount = self.data.claim(account, self.env().block_timestamp())?;
            calls::psp22_transfer(self.stablecoin, receiver, amount)?;
            self.env().emit_event(RewardsClaimed { account, receiver, amount });
            Ok(amount)
        }




        /// Up to `count` (max `MAX_BATCH`) distributions from id `from`, oldest first.
        #[ink(message)]
        pub fn distributions(&self, from: u32, count: u32) -> Vec<Distribution> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.data.rewards().distributions(from, count.min(MAX_BATCH))
        }



        // ---- reads -------------------------------------------------------------------






        // ---- internals ---------------------------------------------------------------

        /// Name, symbol and pool (set at construction, so never the default).
        fn description(&self) -> Description {
            self.description.get().unwrap_or_default()
        }

        /// The registry's verdict on both parties now, from the pushed credentials.
        fn parties(&self, from: AccountId, to: AccountId) -> (compute_rwa_common::Party, compute_rwa_common::Party) {
            let now = self.env().block_timestamp();
            (self.data.party(from, now), self.data.party(to, now))
        }

        /// Records a credential; the event only when what the token honours changed.
        fn set_credential(&mut self, account: AccountId, credential: Option<Credential>) -> Result<(), TokenError> {
            if self.data.set_credential(account, credential)? {
                self.env().emit_event(CredentialChanged { account, credential });
            }
            Ok(())
        }

        /// Applies one admin operation with the token's rules; see [`AdminOp`].
        fn apply(&mut self, op: AdminOp, caller: AccountId, now: u64) -> Result<AdminOutcome, TokenError> {
            let mut outcome = (0, 0);
            let events = match op {
                AdminOp::Mint { to, amount } => self.data.mint(to, amount, self.data.party(to, now), now)?,
                AdminOp::BurnFrom { account, amount } => self.data.burn_from(account, amount, now)?,
                AdminOp::ForcedTransfer { from, to, amount } => {
                    self.data.forced_transfer(from, to, amount, self.data.party(to, now), now)?
                }
                AdminOp::Recover { lost, new } => {
                    let (amount, frozen, events) = self.data.recover(lost, new, self.data.party(new, now), now)?;
                    outcome = (amount, frozen);
                    events
                }
                AdminOp::SetFrozen { account, frozen } => {
                    self.data.set_frozen(account, frozen);
                    Vec::new()
                }
                AdminOp::FreezePartial { account, amount } => {
                    outcome.0 = self.data.freeze_partial(account, amount)?;
                    Vec::new()
                }
                AdminOp::UnfreezePartial { account, amount } => {
                    self.data.unfreeze_partial(account, amount)?;
                    ink::prelude::vec![TokenEvent::TokensUnfrozen { account, amount }]
                }
                AdminOp::SetPaused(paused) => {
                    self.data.set_paused(paused);
                    Vec::new()
                }
                AdminOp::SetRules(rules) => {
                    self.data.set_rules(rules)?;
                    Vec::new()
                }
                AdminOp::Attest { capacity, document_hash, document_uri } => {
                    if document_uri.len() > MAX_URI_LEN {
                        return Err(TokenError::UriTooLong);
                    }
                    let mut description = self.description();
                    self.data.attest(capacity, description.pool.capacity_limit())?;
                    description.pool.attestation_hash = document_hash;
                    description.pool.attestation_uri = document_uri;
                    self.description.set(&description);
                    Vec::new()
                }
                AdminOp::Redeem { holder, amount } => self.data.redeem(holder, amount, now)?,
                AdminOp::SetYieldPeriod(period_ms) => {
                    self.data.set_yield_period(period_ms)?;
                    Vec::new()
                }
                AdminOp::SetDistributor { account, enabled } => {
                    if enabled {
                        self.distributors.insert(account, &());
                    } else {
                        self.distributors.remove(account);
                    }
                    Vec::new()
                }
                AdminOp::SetAdmin(admin) => {
                    if admin == AccountId::from([0; 32]) || admin == self.env().account_id() {
                        return Err(TokenError::InvalidAdmin);
                    }
                    // Proposing the current admin withdraws a proposal.
                    self.pending_admin = Some(admin).filter(|proposed| *proposed != self.admin);
                    self.env().emit_event(AdminChanged { admin, accepted: false });
                    Vec::new()
                }
                AdminOp::AcceptAdmin => {
                    if self.pending_admin != Some(caller) {
                        return Err(TokenError::NotAdmin);
                    }
                    (self.admin, self.pending_admin) = (caller, None);
                    self.env().emit_event(AdminChanged { admin: caller, accepted: true });
                    Vec::new()
                }
            };
            self.emit_token_events(events);
            Ok(outcome)
        }

        fn emit_token_events(&self, events: Vec<TokenEvent>) {
            for event in events {
                match event {
                    TokenEvent::Psp22(PSP22Event::Transfer(e)) => self.env().emit_event(e),
                    TokenEvent::Psp22(PSP22Event::Approval(e)) => self.env().emit_event(e),
                    TokenEvent::TokensUnfrozen { account, amount } => self.env().emit_event(TokensUnfrozen { account, amount }),
                }
            }
        }

        fn psp22_result(&self, result: Result<Vec<TokenEvent>, TokenError>) -> Result<(), PSP22Error> {
            self.emit_token_events(result?);
            Ok(())
        }
    }

    impl PSP22 for GpuHourToken {
        #[ink(message)]
        fn total_supply(&self) -> u128 {
            self.data.total_supply()
        }

        #[ink(message)]
        fn balance_of(&self, owner: AccountId) -> u128 {
            self.data.balance_of(owner)
        }

        #[ink(message)]
        fn allowance(&self, owner: AccountId, spender: AccountId) -> u128 {
            self.data.allowance(owner, spender)
        }

        /// Transfers under compliance: both parties verified, neither frozen, free balance,
        /// not paused, recipient rules. Errors name the rule in `Custom`.
        #[ink(message)]
        fn transfer(&mut self, to: AccountId, value: u128, _data: Vec<u8>) -> Result<(), PSP22Error> {
            let caller = self.env().caller();
            let result = self.data.transfer(caller, to, value, self.parties(caller, to), self.env().block_timestamp());
            self.psp22_result(result)
        }

        /// `transfer` on behalf of `from`, spending the caller's allowance.
        #[ink(message)]
        fn transfer_from(&mut self, from: AccountId, to: AccountId, value: u128, _data: Vec<u8>) -> Result<(), PSP22Error> {
            let result = self.data.transfer_from(self.env().caller(), from, to, value, self.parties(from, to), self.env().block_timestamp());
            self.psp22_result(result)
        }

        #[ink(message)]
        fn approve(&mut self, spender: AccountId, value: u128) -> Result<(), PSP22Error> {
            let result = self.data.approve(self.env().caller(), spender, value);
            self.psp22_result(result)
        }

        #[ink(message)]
        fn increase_allowance(&mut self, spender: AccountId, delta_value: u128) -> Result<(), PSP22Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let result = self.data.increase_allowance(self.env().caller(), spender, delta_value);
            self.psp22_result(result)
        }

        #[ink(message)]
        fn decrease_allowance(&mut self, spender: AccountId, delta_value: u128) -> Result<(), PSP22Error> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let result = self.data.decrease_allowance(self.env().caller(), spender, delta_value);
            self.psp22_result(result)
        }
    }

    impl YieldDistributor for GpuHourToken {
        /// Pulls `amount` of stablecoin from the caller (who approved it) and streams it to
        /// holders pro rata over `yield_period` from now, with the running stream's leftover.
        /// Distributors only (the escrow; others the admin adds).
        #[ink(message)]
        fn distribute(&mut self, amount: u128) -> Result<(), DistributeError> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let distributor = self.env().caller();
            if !self.distributors.contains(distributor) {
                return Err(DistributeError::NotDistributor);
            }
            let entry: Distribution = self
                .data
                .distribute(amount, self.env().block_number(), self.env().block_timestamp())
                .map_err(|_| DistributeError::InvalidAmount)?;
            calls::psp22_transfer_from(self.stablecoin, distributor, self.env().account_id(), amount)
                .map_err(|_| DistributeError::PaymentFailed)?;
            self.env().emit_event(RewardsDistributed { id: entry.id, distributor, amount, supply: entry.supply });
            Ok(())
        }
    }

    impl TokenAdmin for GpuHourToken {
        /// Applies up to `MAX_BATCH` operations in order, all or nothing (the first refusal
        /// reverts the call); one outcome per operation. The token's admin only (`NotAdmin`):
        /// its `pool_admin` contract, which checks roles and keeps the records; and
        /// `AcceptAdmin` from the admin it proposed.
        #[ink(message)]
        fn admin(&mut self, ops: AdminOps) -> Result<Vec<AdminOutcome>, TokenError> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            let ops = ops.into_inner();
            if ops.len() > MAX_BATCH as usize {
                return Err(TokenError::BatchTooLarge);
            }
            let (caller, now) = (self.env().caller(), self.env().block_timestamp());
            let mut outcomes = Vec::with_capacity(ops.len());
            for op in ops {
                // Checked per operation: after an `AcceptAdmin` the caller holds the role.
                if caller != self.admin && op != AdminOp::AcceptAdmin {
                    return Err(TokenError::NotAdmin);
                }
                outcomes.push(self.apply(op, caller, now)?);
            }
            Ok(outcomes)
        }
    }

    impl IdentityListener for GpuHourToken {
        /// Records what the identity registry now says about each account (`None`: removed).
        /// The token's registry only; it calls this on every register, update and remove.
        #[ink(message)]
        fn identities_changed(&mut self, changes: IdentityChanges) -> Result<(), PushError> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            if self.env().caller() != self.registry {
                return Err(PushError::NotRegistry);
            }
            let changes = changes.into_inner();
            if changes.len() > MAX_CHANGES as usize {
                return Err(PushError::BatchTooLarge);
            }
            for (account, credential) in changes {
                self.set_credential(account, credential).map_err(|_| PushError::NotBound)?;
            }
            Ok(())
        }

        /// The registry bound or unbound the token. Its registry only.
        #[ink(message)]
        fn binding_changed(&mut self, bound: bool) -> Result<(), PushError> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            if self.env().caller() != self.registry {
                return Err(PushError::NotRegistry);
            }
            self.data.set_bound(bound).map_err(|_| PushError::Overflow)?;
            let (bound, binding) = self.data.binding();
            self.env().emit_event(BindingChanged { bound, binding });
            Ok(())
        }
    }

    impl PSP22Metadata for GpuHourToken {
        #[ink(message)]
        fn token_name(&self) -> Option<String> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.description().name
        }

        #[ink(message)]
        fn token_symbol(&self) -> Option<String> {
            if cfg!(feature = "front") {
                forward(&self.logic)
            }
            self.description().symbol
        }

        #[ink(message)]
        fn token_decimals(&self) -> u8 {
            DECIMALS
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use compute_rwa_common::Fwd;
        use ink::env::test::{default_accounts, set_caller, DefaultAccounts};
        use ink::env::DefaultEnvironment;

        fn accounts() -> DefaultAccounts<DefaultEnvironment> {
            default_accounts::<DefaultEnvironment>()
        }

        fn pool() -> PoolInfo {
            PoolInfo {
                gpu_model: "NVIDIA H100 SXM".into(),
                gpu_count: 8,
                region: "eu-central".into(),
                datacenter_tier: 3,
                period_start: 0,
                period_end: 720 * 3_600_000,
                attestation_hash: [0; 32],
                attestation_uri: String::new(),
            }
        }

        /// Deployed by Alice; registry and stablecoin addresses are placeholders (no calls made).
        fn token() -> GpuHourToken {
            set_caller::<DefaultEnvironment>(accounts().alice);
            GpuHourToken::new(Some("H100 GPU-hour".into()), Some("GPUH".into()), pool(), accounts().django, accounts().frank, Hash::from([7; 32]))
                .unwrap()
        }

        #[ink::test]
        fn constructor_validates_the_pool() {
            set_caller::<DefaultEnvironment>(accounts().alice);
            let mut empty = pool();
            empty.gpu_count = 0;
            let result = GpuHourToken::new(None, None, empty, accounts().django, accounts().frank, Hash::from([7; 32]));
            assert_eq!(result.err(), Some(TokenError::NoGpus));
        }

        #[ink::test]
        fn metadata_pool_and_links() {
            let token = token();
            assert_eq!(token.token_decimals(), 6);
            assert_eq!(token.token_symbol().as_deref(), Some("GPUH"));
            assert_eq!(token.state().pool, pool());
            assert_eq!((token.state().registry, token.state().stablecoin), (accounts().django, accounts().frank));
            assert_eq!(token.state().admin, accounts().alice, "the deployer, until it hands over");
            assert_eq!(token.logic(), Hash::from([7; 32]), "fixed at construction");
        }

        #[ink::test]
        fn the_admin_attests_capacity_within_the_pool() {
            let mut token = token();
            let attest = |gpu_hours: u128, hash: u8| AdminOp::Attest {
                capacity: gpu_hours * 1_000_000,
                document_hash: [hash; 32],
                document_uri: "ipfs://attestation".into(),
            };
            assert_eq!(token.admin(Fwd::from(vec![attest(5_760, 9)])), Ok(vec![(0, 0)]));
            assert_eq!(token.state().capacity, 5_760 * 1_000_000);
            assert_eq!((token.state().pool.attestation_hash, token.state().pool.attestation_uri.as_str()), ([9; 32], "ipfs://attestation"));
            assert_eq!(token.admin(Fwd::from(vec![attest(5_761, 8)])), Err(TokenError::CapacityExceedsPool));
            assert_eq!((token.state().capacity, token.state().pool.attestation_hash), (5_760 * 1_000_000, [9; 32]));
        }

        #[ink::test]
        fn the_admin_controls_pause_freezes_rules_and_distributors() {
            let mut token = token();
            let (bob, charlie) = (accounts().bob, accounts().charlie);
            token.admin(Fwd::from(vec![AdminOp::SetPaused(true)])).unwrap();
            assert!(token.state().paused);
            token.admin(Fwd::from(vec![AdminOp::SetPaused(false), AdminOp::SetFrozen { account: bob, frozen: true }, AdminOp::SetFrozen { account: charlie, frozen: true }])).unwrap();
            assert!(!token.state().paused && holding(&token, bob).frozen && holding(&token, charlie).frozen);
            let too_many = vec![AdminOp::SetFrozen { account: bob, frozen: false }; MAX_BATCH as usize + 1];
            assert_eq!(token.admin(Fwd::from(too_many)), Err(TokenError::BatchTooLarge));
            assert!(holding(&token, bob).frozen, "refused before any operation (partial batches revert on chain: drink test)");
            assert_eq!(token.admin(Fwd::from(vec![AdminOp::FreezePartial { account: bob, amount: 1 }])), Err(TokenError::FreezeExceedsBalance));
            let rules = ComplianceRules { max_holders: 10, max_balance: 5, blocked_countries: vec![408], lockup: 60_000, ..Default::default() };
            token.admin(Fwd::from(vec![AdminOp::SetRules(rules.clone()), AdminOp::SetDistributor { account: charlie, enabled: true }])).unwrap();
            assert_eq!(token.state().rules, rules);
            assert!(holding(&token, charlie).distributor);
            token.admin(Fwd::from(vec![AdminOp::SetDistributor { account: charlie, enabled: false }])).unwrap();
            assert!(!holding(&token, charlie).distributor);
        }

        #[ink::test]
        fn every_privileged_message_rejects_outsiders() {
            let mut token = token();
            let (alice, bob, charlie, django, eve) = (accounts().alice, accounts().bob, accounts().charlie, accounts().django, accounts().eve);
            token.admin(Fwd::from(vec![AdminOp::SetDistributor { account: charlie, enabled: true }])).unwrap();
            // `admin`: refused to a distributor, the registry and outsiders, for every operation.
            let every_op = vec![
                AdminOp::Mint { to: eve, amount: 1 },
                AdminOp::BurnFrom { account: bob, amount: 1 },
                AdminOp::ForcedTransfer { from: bob, to: eve, amount: 1 },
                AdminOp::Recover { lost: bob, new: eve },
                AdminOp::SetFrozen { account: bob, frozen: true },
                AdminOp::FreezePartial { account: bob, amount: 1 },
                AdminOp::UnfreezePartial { account: bob, amount: 1 },
                AdminOp::SetPaused(true),
                AdminOp::SetRules(ComplianceRules::default()),
                AdminOp::Attest { capacity: 1, document_hash: [0; 32], document_uri: String::new() },
                AdminOp::Redeem { holder: bob, amount: 1 },
                AdminOp::SetYieldPeriod(60_000),
                AdminOp::SetDistributor { account: eve, enabled: true },
                AdminOp::SetAdmin(eve),
                AdminOp::AcceptAdmin,
            ];
            for caller in [bob, charlie, django, eve] {
                set_caller::<DefaultEnvironment>(caller);
                for op in &every_op {
                    assert_eq!(token.admin(Fwd::from(vec![op.clone()])), Err(TokenError::NotAdmin));
                }
            }
            // `distribute`: distributors only (not the admin, the registry or anyone else).
            for caller in [alice, bob, django, eve] {
                set_caller::<DefaultEnvironment>(caller);
                assert_eq!(token.distribute(1), Err(DistributeError::NotDistributor));
            }
            // Identity pushes: the registry (django) only — not the admin or anyone else.
            for caller in [alice, bob, charlie, eve] {
                set_caller::<DefaultEnvironment>(caller);
                assert_eq!(token.identities_changed(Fwd::from(vec![(eve, Some(credential(u64::MAX)))])), Err(PushError::NotRegistry));
                assert_eq!(token.binding_changed(true), Err(PushError::NotRegistry));
            }
            assert_eq!((token.state().bound, token.state().binding), (false, 0));
            assert_eq!(holding(&token, eve).credential, None);
            assert!(!token.state().paused && !holding(&token, bob).frozen && token.state().capacity == 0, "nothing changed");
            assert!(!holding(&token, eve).distributor && token.state().admin == alice);
            assert_eq!(token.state().yield_period, crate::rewards::DEFAULT_YIELD_PERIOD_MS);
        }

        #[ink::test]
        fn the_admin_role_moves_in_two_steps() {
            let mut token = token();
            let (alice, bob, charlie) = (accounts().alice, accounts().bob, accounts().charlie);
            let before = ink::env::test::recorded_events().count();
            token.admin(Fwd::from(vec![AdminOp::SetAdmin(bob)])).unwrap();
            assert_eq!(ink::env::test::recorded_events().count(), before + 1, "AdminChanged (proposed)");
            assert_eq!((token.state().admin, token.state().pending_admin), (alice, Some(bob)));
            // Proposed is not accepted: the admin keeps the role; nobody else may accept.
            token.admin(Fwd::from(vec![AdminOp::SetPaused(true)])).unwrap();
            for caller in [alice, charlie] {
                set_caller::<DefaultEnvironment>(caller);
                assert_eq!(token.admin(Fwd::from(vec![AdminOp::AcceptAdmin])), Err(TokenError::NotAdmin));
            }
            set_caller::<DefaultEnvironment>(bob);
            assert_eq!(token.admin(Fwd::from(vec![AdminOp::SetPaused(false)])), Err(TokenError::NotAdmin), "not before accepting");
            // Accepting and acting in one call: the role applies from the acceptance on.
            token.admin(Fwd::from(vec![AdminOp::AcceptAdmin, AdminOp::SetPaused(false)])).unwrap();
            assert_eq!((token.state().admin, token.state().pending_admin, token.state().paused), (bob, None, false));
            assert_eq!(token.admin(Fwd::from(vec![AdminOp::AcceptAdmin])), Err(TokenError::NotAdmin), "accepted once");
            set_caller::<DefaultEnvironment>(alice);
            assert_eq!(token.admin(Fwd::from(vec![AdminOp::SetPaused(true)])), Err(TokenError::NotAdmin), "the old admin lost the role");
            // Never to nobody or the token itself.
            set_caller::<DefaultEnvironment>(bob);
            let own = ink::env::test::callee::<DefaultEnvironment>();
            for invalid in [AccountId::from([0; 32]), own] {
                assert_eq!(token.admin(Fwd::from(vec![AdminOp::SetAdmin(invalid)])), Err(TokenError::InvalidAdmin));
            }
            // A proposal can be withdrawn (proposing the current admin): the proposed account
            // can no longer take the role (review: a stale proposal outlived a sale of the pool).
            token.admin(Fwd::from(vec![AdminOp::SetAdmin(charlie)])).unwrap();
            token.admin(Fwd::from(vec![AdminOp::SetAdmin(bob)])).unwrap();
            assert_eq!((token.state().admin, token.state().pending_admin), (bob, None));
            set_caller::<DefaultEnvironment>(charlie);
            assert_eq!(token.admin(Fwd::from(vec![AdminOp::AcceptAdmin])), Err(TokenError::NotAdmin));
        }

        #[ink::test]
        fn attestation_uris_are_bounded() {
            let mut token = token();
            let long = AdminOp::Attest { capacity: 1, document_hash: [1; 32], document_uri: "x".repeat(MAX_URI_LEN + 1) };
            assert_eq!(token.admin(Fwd::from(vec![long])), Err(TokenError::UriTooLong));
            let longest = AdminOp::Attest { capacity: 1, document_hash: [1; 32], document_uri: "x".repeat(MAX_URI_LEN) };
            assert_eq!(token.admin(Fwd::from(vec![longest])), Ok(vec![(0, 0)]));
        }

        #[ink::test]
        fn the_admin_sets_a_bounded_yield_period() {
            let mut token = token();
            assert_eq!(token.state().yield_period, 86_400_000, "one day by default");
            token.admin(Fwd::from(vec![AdminOp::SetYieldPeriod(60_000)])).unwrap();
            assert_eq!(token.state().yield_period, 60_000);
            let invalid = Err(TokenError::InvalidYieldPeriod);
            assert_eq!(token.admin(Fwd::from(vec![AdminOp::SetYieldPeriod(999)])), invalid);
            assert_eq!(token.admin(Fwd::from(vec![AdminOp::SetYieldPeriod(365 * 86_400_000 + 1)])), invalid);
            assert_eq!(token.state().rewards, RewardTotals::default());
        }

        fn holding(token: &GpuHourToken, account: AccountId) -> Holding {
            token.holding(account).expect("no overflow in these tests")
        }

        fn attest(gpu_hours: u128) -> AdminOp {
            AdminOp::Attest { capacity: gpu_hours * 1_000_000, document_hash: [0; 32], document_uri: String::new() }
        }

        fn mint(to: AccountId, amount: u128) -> AdminOp {
            AdminOp::Mint { to, amount }
        }

        fn credential(verified_until: u64) -> Credential {
            Credential { verified_until, country: 276, class: compute_rwa_common::InvestorClass::Retail }
        }

        #[ink::test]
        fn transfers_are_decided_by_the_pushed_credentials() {
            let mut token = token();
            let (alice, bob, charlie, django) = (accounts().alice, accounts().bob, accounts().charlie, accounts().django);
            token.admin(Fwd::from(vec![attest(100)])).unwrap();
            assert_eq!(token.admin(Fwd::from(vec![mint(bob, 10)])), Err(TokenError::RecipientNotVerified), "nothing pushed yet");
            set_caller::<DefaultEnvironment>(django);
            assert_eq!(token.identities_changed(Fwd::from(vec![(bob, Some(credential(5_000)))])), Err(PushError::NotBound), "not bound yet");
            assert_eq!(token.sync(Fwd::from(vec![bob])), Err(TokenError::NotBound));
            token.binding_changed(true).unwrap();
            assert_eq!((token.state().bound, token.state().binding), (true, 1));
            let before = ink::env::test::recorded_events().count();
            token.identities_changed(Fwd::from(vec![(bob, Some(credential(5_000))), (charlie, Some(credential(5_000)))])).unwrap();
            assert_eq!(ink::env::test::recorded_events().count(), before + 2, "CredentialChanged per account");
            token.identities_changed(Fwd::from(vec![(bob, Some(credential(5_000)))])).unwrap();
            assert_eq!(ink::env::test::recorded_events().count(), before + 2, "no event when nothing changed");
            let too_many = vec![(bob, None); MAX_BATCH as usize + 1];
            assert_eq!(token.identities_changed(Fwd::from(too_many)), Err(PushError::BatchTooLarge));
            assert_eq!(holding(&token, bob).credential, Some(credential(5_000)));
            set_caller::<DefaultEnvironment>(alice);
            token.admin(Fwd::from(vec![mint(bob, 10)])).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            ink::env::test::set_block_timestamp::<DefaultEnvironment>(4_999);
            token.transfer(charlie, 1, Vec::new()).unwrap();
            assert_eq!(token.balance_of(charlie), 1);
            // KYC expiry is exclusive and checked locally, with no registry call.
            ink::env::test::set_block_timestamp::<DefaultEnvironment>(5_000);
            assert_eq!(token.transfer(charlie, 1, Vec::new()), Err(PSP22Error::Custom("SenderNotVerified".into())));
            // A removal pushed by the registry takes effect at once.
            set_caller::<DefaultEnvironment>(django);
            token.identities_changed(Fwd::from(vec![(bob, Some(credential(9_000))), (charlie, None)])).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            assert_eq!(token.transfer(charlie, 1, Vec::new()), Err(PSP22Error::Custom("RecipientNotVerified".into())));
            assert_eq!(token.check_transfer(bob, charlie, 1), Err(TokenError::RecipientNotVerified));
            assert_eq!(holding(&token, charlie).credential, None);
            assert_eq!((token.balance_of(bob), token.balance_of(charlie)), (9, 1));
        }

        #[ink::test]
        fn an_unbound_token_verifies_nobody_and_a_rebinding_voids_old_credentials() {
            let mut token = token();
            let (alice, bob, charlie, django) = (accounts().alice, accounts().bob, accounts().charlie, accounts().django);
            token.admin(Fwd::from(vec![attest(100)])).unwrap();
            set_caller::<DefaultEnvironment>(django);
            token.binding_changed(true).unwrap();
            token.identities_changed(Fwd::from(vec![(bob, Some(credential(u64::MAX))), (charlie, Some(credential(u64::MAX)))])).unwrap();
            set_caller::<DefaultEnvironment>(alice);
            token.admin(Fwd::from(vec![mint(bob, 10)])).unwrap();
            // Unbound, the token cannot hear of a removal, so it trusts nobody.
            set_caller::<DefaultEnvironment>(django);
            token.binding_changed(false).unwrap();
            assert_eq!((token.state().bound, token.state().binding), (false, 1));
            assert_eq!((holding(&token, bob).credential, holding(&token, charlie).credential), (None, None));
            set_caller::<DefaultEnvironment>(bob);
            assert_eq!(token.transfer(charlie, 1, Vec::new()), Err(PSP22Error::Custom("SenderNotVerified".into())));
            assert_eq!(token.claim(), Err(TokenError::SenderNotVerified));
            // Bound again: what was kept from before is void until pushed or synced anew.
            set_caller::<DefaultEnvironment>(django);
            token.binding_changed(true).unwrap();
            assert_eq!((token.state().bound, token.state().binding), (true, 2));
            assert_eq!(holding(&token, bob).credential, None, "a credential from the earlier binding is void");
            token.identities_changed(Fwd::from(vec![(bob, Some(credential(u64::MAX)))])).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            assert_eq!(token.transfer(charlie, 1, Vec::new()), Err(PSP22Error::Custom("RecipientNotVerified".into())), "charlie not renewed");
            set_caller::<DefaultEnvironment>(django);
            token.identities_changed(Fwd::from(vec![(charlie, Some(credential(u64::MAX)))])).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            token.transfer(charlie, 1, Vec::new()).unwrap();
            assert_eq!((token.balance_of(bob), token.balance_of(charlie)), (9, 1));
            // A binding whose unbinding notice never arrived still voids what came before it.
            set_caller::<DefaultEnvironment>(django);
            token.binding_changed(true).unwrap();
            assert_eq!((token.state().bound, token.state().binding), (true, 3));
            assert_eq!((holding(&token, bob).credential, holding(&token, charlie).credential), (None, None));
        }
    }
}
