//! A PSP22 stablecoin (6 decimals) for settling rent in compute-rwa.
//!
//! Balances and allowances are Cardinal-Cryptography's tested `PSP22Data`; this
//! contract adds only metadata, a minter role set and two-step ownership (`compute_rwa_common`'s
//! `Ownable2Step` and `AccessControl`). Minter grants belong to the owner that made them: an
//! ownership handover voids every grant, so the previous owner keeps no minting power, not even
//! through an account it made a minter; the new owner (who holds every role) grants it anew.
//! On a production chain the escrow and yield contracts point at an existing PSP22
//! stablecoin instead.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// See compute-rwa-common: clippy 1.85 false positive inside `#[ink::scale_derive]`.
#![allow(clippy::cast_possible_truncation)]

#[ink::contract]
pub mod stablecoin {
    use compute_rwa_common::{Access, AccessControl, AccessError, Ownable2Step, Role};
    use ink::prelude::{string::String, vec::Vec};
    use psp22::{PSP22Data, PSP22Error, PSP22Event, PSP22Metadata, PSP22};

    /// Decimals of the stablecoin: 1 unit = 0.000001 of the currency.
    pub const DECIMALS: u8 = 6;

    compute_rwa_common::contract_error! {
        /// Why `mint` was refused (PSP22 messages answer with `PSP22Error`, ownership and roles
        /// with `AccessError`). `MissingRole` names the role the caller lacks (`Minter`).
        #[derive(Debug, PartialEq, Eq, Clone, Copy)]
        pub enum Error {
            /// The total supply would exceed `u128::MAX`.
            SupplyOverflow,
        }
    }

    #[ink(storage)]
    pub struct Stablecoin {
        data: PSP22Data,
        name: Option<String>,
        symbol: Option<String>,
        access: Access,
    }

    impl Stablecoin {
        /// A stablecoin with no supply, owned by the caller (who, as owner, may mint).
        #[ink(constructor)]
        pub fn new(name: Option<String>, symbol: Option<String>) -> Self {
            Self { data: PSP22Data::default(), name, symbol, access: Access::new(Self::env().caller()) }
        }

        /// Mints `value` to `to`. Minters (and the owner) only.
        #[ink(message)]
        pub fn mint(&mut self, to: AccountId, value: u128) -> Result<(), Error> {
            self.access.ensure_role(Role::Minter, self.env().caller())?;
            let events = self.data.mint(to, value).map_err(|_| Error::SupplyOverflow)?;
            self.emit_events(events);
            Ok(())
        }

        /// Burns `value` of the caller's own balance (PSP22Burnable selector).
        #[ink(message, selector = 0x7a9da510)]
        pub fn burn(&mut self, value: u128) -> Result<(), PSP22Error> {
            let events = self.data.burn(self.env().caller(), value)?;
            self.emit_events(events);
            Ok(())
        }

        fn emit_events(&self, events: Vec<PSP22Event>) {
            for event in events {
                match event {
                    PSP22Event::Transfer(e) => self.env().emit_event(e),
                    PSP22Event::Approval(e) => self.env().emit_event(e),
                }
            }
        }
    }

    impl Ownable2Step for Stablecoin {
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

    impl AccessControl for Stablecoin {
        #[ink(message)]
        fn has_role(&self, role: Role, account: AccountId) -> bool {
            self.access.has_role(role, account)
        }

        /// Minters (`Role::Minter`) mint.
        #[ink(message)]
        fn set_role(&mut self, role: Role, account: AccountId, enabled: bool) -> Result<(), AccessError> {
            let event = self.access.set_role(self.env().caller(), &[Role::Minter], role, account, enabled)?;
            self.env().emit_event(event);
            Ok(())
        }
    }

    impl PSP22 for Stablecoin {
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

        #[ink(message)]
        fn transfer(&mut self, to: AccountId, value: u128, _data: Vec<u8>) -> Result<(), PSP22Error> {
            let events = self.data.transfer(self.env().caller(), to, value)?;
            self.emit_events(events);
            Ok(())
        }

        #[ink(message)]
        fn transfer_from(
            &mut self,
            from: AccountId,
            to: AccountId,
            value: u128,
            _data: Vec<u8>,
        ) -> Result<(), PSP22Error> {
            let events = self.data.transfer_from(self.env().caller(), from, to, value)?;
            self.emit_events(events);
            Ok(())
        }

        #[ink(message)]
        fn approve(&mut self, spender: AccountId, value: u128) -> Result<(), PSP22Error> {
            let events = self.data.approve(self.env().caller(), spender, value)?;
            self.emit_events(events);
            Ok(())
        }

        #[ink(message)]
        fn increase_allowance(&mut self, spender: AccountId, delta_value: u128) -> Result<(), PSP22Error> {
            let events = self.data.increase_allowance(self.env().caller(), spender, delta_value)?;
            self.emit_events(events);
            Ok(())
        }

        #[ink(message)]
        fn decrease_allowance(&mut self, spender: AccountId, delta_value: u128) -> Result<(), PSP22Error> {
            let events = self.data.decrease_allowance(self.env().caller(), spender, delta_value)?;
            self.emit_events(events);
            Ok(())
        }
    }

    impl PSP22Metadata for Stablecoin {
        #[ink(message)]
        fn token_name(&self) -> Option<String> {
            self.name.clone()
        }

        #[ink(message)]
        fn token_symbol(&self) -> Option<String> {
            self.symbol.clone()
        }

        #[ink(message)]
        fn token_decimals(&self) -> u8 {
            DECIMALS
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use ink::env::test::{default_accounts, recorded_events, set_caller, DefaultAccounts};
        use ink::env::DefaultEnvironment;

        fn accounts() -> DefaultAccounts<DefaultEnvironment> {
            default_accounts::<DefaultEnvironment>()
        }

        /// A coin deployed by Alice with 1_000 units minted to her.
        fn funded() -> Stablecoin {
            let alice = accounts().alice;
            set_caller::<DefaultEnvironment>(alice);
            let mut coin = Stablecoin::new(Some("USD Coin".into()), Some("USDC".into()));
            coin.mint(alice, 1_000).unwrap();
            coin
        }

        #[ink::test]
        fn metadata_and_owner() {
            let coin = funded();
            assert_eq!(coin.token_name().as_deref(), Some("USD Coin"));
            assert_eq!(coin.token_symbol().as_deref(), Some("USDC"));
            assert_eq!(coin.token_decimals(), 6);
            assert_eq!(coin.owner(), accounts().alice);
            assert!(coin.has_role(Role::Minter, accounts().alice), "the owner holds every role");
        }

        #[ink::test]
        fn transfer_moves_balance_and_emits_event() {
            let mut coin = funded();
            let before = recorded_events().count();
            coin.transfer(accounts().bob, 400, Vec::new()).unwrap();
            assert_eq!(coin.balance_of(accounts().alice), 600);
            assert_eq!(coin.balance_of(accounts().bob), 400);
            assert_eq!(coin.total_supply(), 1_000);
            assert_eq!(recorded_events().count(), before + 1);
        }

        #[ink::test]
        fn transfer_rejects_insufficient_balance_and_changes_nothing() {
            let mut coin = funded();
            assert_eq!(coin.transfer(accounts().bob, 1_001, Vec::new()), Err(PSP22Error::InsufficientBalance));
            assert_eq!(coin.balance_of(accounts().alice), 1_000);
            assert_eq!(coin.balance_of(accounts().bob), 0);
        }

        #[ink::test]
        fn zero_and_self_transfers_are_no_ops() {
            let mut coin = funded();
            let before = recorded_events().count();
            coin.transfer(accounts().bob, 0, Vec::new()).unwrap();
            coin.transfer(accounts().alice, 500, Vec::new()).unwrap();
            assert_eq!(coin.balance_of(accounts().alice), 1_000);
            assert_eq!(recorded_events().count(), before, "no-ops emit nothing");
        }

        #[ink::test]
        fn allowance_lifecycle() {
            let mut coin = funded();
            let (alice, bob, charlie) = (accounts().alice, accounts().bob, accounts().charlie);
            coin.approve(bob, 300).unwrap();
            coin.increase_allowance(bob, 50).unwrap();
            coin.decrease_allowance(bob, 100).unwrap();
            assert_eq!(coin.allowance(alice, bob), 250);
            assert_eq!(coin.decrease_allowance(bob, 251), Err(PSP22Error::InsufficientAllowance));

            set_caller::<DefaultEnvironment>(bob);
            assert_eq!(
                coin.transfer_from(alice, charlie, 251, Vec::new()),
                Err(PSP22Error::InsufficientAllowance)
            );
            coin.transfer_from(alice, charlie, 250, Vec::new()).unwrap();
            assert_eq!(coin.allowance(alice, bob), 0);
            assert_eq!(coin.balance_of(charlie), 250);
            assert_eq!(coin.balance_of(alice), 750);
        }

        #[ink::test]
        fn transfer_from_rejects_insufficient_balance() {
            let mut coin = funded();
            let (alice, bob) = (accounts().alice, accounts().bob);
            coin.approve(bob, 5_000).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            assert_eq!(
                coin.transfer_from(alice, bob, 1_001, Vec::new()),
                Err(PSP22Error::InsufficientBalance)
            );
            assert_eq!(coin.allowance(alice, bob), 5_000);
        }

        #[ink::test]
        fn mint_overflow_is_an_error_not_a_trap() {
            let mut coin = funded();
            let result = coin.mint(accounts().bob, u128::MAX);
            assert_eq!(result, Err(Error::SupplyOverflow));
            assert_eq!(coin.total_supply(), 1_000);
        }

        #[ink::test]
        fn burn_reduces_supply() {
            let mut coin = funded();
            coin.burn(400).unwrap();
            assert_eq!(coin.total_supply(), 600);
            assert_eq!(coin.burn(601), Err(PSP22Error::InsufficientBalance));
        }

        #[ink::test]
        fn only_minters_mint_and_only_owner_manages_minters() {
            let mut coin = funded();
            let bob = accounts().bob;
            set_caller::<DefaultEnvironment>(bob);
            assert_eq!(coin.mint(bob, 1), Err(Error::MissingRole(Role::Minter)));
            assert_eq!(coin.set_role(Role::Minter, bob, true), Err(AccessError::NotOwner));
            assert_eq!(coin.transfer_ownership(Some(bob)), Err(AccessError::NotOwner));
            assert_eq!(coin.accept_ownership(), Err(AccessError::NotPendingOwner));

            set_caller::<DefaultEnvironment>(accounts().alice);
            coin.set_role(Role::Minter, bob, true).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            coin.mint(bob, 7).unwrap();
            assert_eq!(coin.balance_of(bob), 7);

            set_caller::<DefaultEnvironment>(accounts().alice);
            coin.set_role(Role::Minter, bob, false).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            assert_eq!(coin.mint(bob, 1), Err(Error::MissingRole(Role::Minter)));
        }

        #[ink::test]
        fn ownership_moves_in_two_steps() {
            let mut coin = funded();
            let (alice, bob) = (accounts().alice, accounts().bob);
            coin.transfer_ownership(Some(bob)).unwrap();
            assert_eq!(coin.owner(), alice);
            set_caller::<DefaultEnvironment>(bob);
            coin.accept_ownership().unwrap();
            assert_eq!((coin.owner(), coin.pending_owner()), (bob, None));
            coin.mint(bob, 1).unwrap();
            assert_eq!(coin.balance_of(bob), 1, "the new owner mints without a grant");
        }

        /// Item 12: the previous owner keeps no minting power after a handover.
        #[ink::test]
        fn ownership_transfer_revokes_the_old_owners_minter_role() {
            let mut coin = funded();
            let (alice, bob) = (accounts().alice, accounts().bob);
            coin.transfer_ownership(Some(bob)).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            let before = recorded_events().count();
            coin.accept_ownership().unwrap();
            assert_eq!(recorded_events().count(), before + 1, "OwnershipTransferred (it voids every grant)");
            assert!(!coin.has_role(Role::Minter, alice));
            set_caller::<DefaultEnvironment>(alice);
            assert_eq!(coin.mint(alice, 1), Err(Error::MissingRole(Role::Minter)));
            assert_eq!(coin.total_supply(), 1_000);
        }
        /// Audit: a minter the previous owner granted (say, to another of its accounts, even
        /// while the handover was pending) kept minting after the handover, so the old owner
        /// kept its minting power through it.
        #[ink::test]
        fn minters_granted_by_the_old_owner_survive_the_handover() {
            let mut coin = funded();
            let (alice, bob, django) = (accounts().alice, accounts().bob, accounts().django);
            coin.set_role(Role::Minter, django, true).unwrap();
            coin.transfer_ownership(Some(bob)).unwrap();
            coin.set_role(Role::Minter, accounts().eve, true).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            coin.accept_ownership().unwrap();
            for minter in [alice, django, accounts().eve] {
                assert!(!coin.has_role(Role::Minter, minter), "a minter of the previous owner survived");
                set_caller::<DefaultEnvironment>(minter);
                assert_eq!(coin.mint(minter, 1), Err(Error::MissingRole(Role::Minter)));
            }
            assert_eq!(coin.total_supply(), 1_000);
            // The new owner grants the role again to whom it trusts.
            set_caller::<DefaultEnvironment>(bob);
            coin.set_role(Role::Minter, django, true).unwrap();
            assert!(coin.has_role(Role::Minter, django));
            set_caller::<DefaultEnvironment>(django);
            coin.mint(django, 5).unwrap();
            // And a later handover revokes that grant too.
            set_caller::<DefaultEnvironment>(bob);
            coin.transfer_ownership(Some(alice)).unwrap();
            set_caller::<DefaultEnvironment>(alice);
            coin.accept_ownership().unwrap();
            assert!(!coin.has_role(Role::Minter, django) && !coin.has_role(Role::Minter, bob));
        }
    }
}
