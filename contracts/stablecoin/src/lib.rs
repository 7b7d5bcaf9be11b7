//! A PSP22 stablecoin (6 decimals) for settling rent in compute-rwa.
//!
//! Balances and allowances are Cardinal-Cryptography's tested `PSP22Data`; this
//! contract adds only metadata, an owner-managed minter role and two-step ownership.
//! Minter grants belong to the owner that made them: an ownership handover revokes every
//! minter, so the previous owner keeps no minting power, not even through an account it made
//! a minter; the new owner grants the role anew.
//! On a production chain the escrow and yield contracts point at an existing PSP22
//! stablecoin instead.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
// See compute-rwa-common: clippy 1.85 false positive inside `#[ink::scale_derive]`.
#![allow(clippy::cast_possible_truncation)]

#[ink::contract]
pub mod stablecoin {
    use compute_rwa_common::{AccessError, Ownable};
    use ink::prelude::{string::String, vec::Vec};
    use ink::storage::Mapping;
    use psp22::{PSP22Data, PSP22Error, PSP22Event, PSP22Metadata, PSP22};

    /// Decimals of the stablecoin: 1 unit = 0.000001 of the currency.
    pub const DECIMALS: u8 = 6;

    /// A minter was granted or revoked.
    #[ink(event)]
    pub struct MinterSet {
        #[ink(topic)]
        pub account: AccountId,
        pub enabled: bool,
    }

    #[ink(storage)]
    pub struct Stablecoin {
        data: PSP22Data,
        name: Option<String>,
        symbol: Option<String>,
        ownership: Ownable,
        /// Minters, each with the owner generation that granted it (valid while it is current).
        minters: Mapping<AccountId, u32>,
        /// Number of ownership handovers so far: grants of earlier generations are void.
        generation: u32,
    }

    fn access_error(error: AccessError) -> PSP22Error {
        PSP22Error::Custom(match error {
            AccessError::NotOwner => String::from("NotOwner"),
            AccessError::NotPendingOwner => String::from("NotPendingOwner"),
            AccessError::NotAgent => String::from("NotMinter"),
        })
    }

    impl Stablecoin {
        /// A stablecoin with no supply, owned by the caller, who is also its first minter.
        #[ink(constructor)]
        pub fn new(name: Option<String>, symbol: Option<String>) -> Self {
            let caller = Self::env().caller();
            let mut contract = Self {
                data: PSP22Data::default(),
                name,
                symbol,
                ownership: Ownable::new(caller),
                minters: Mapping::default(),
                generation: 0,
            };
            contract.minters.insert(caller, &0);
            contract.env().emit_event(MinterSet { account: caller, enabled: true });
            contract
        }

        /// Mints `value` to `to`. Minters only.
        #[ink(message)]
        pub fn mint(&mut self, to: AccountId, value: u128) -> Result<(), PSP22Error> {
            if !self.is_minter(self.env().caller()) {
                return Err(access_error(AccessError::NotAgent));
            }
            let events = self.data.mint(to, value)?;
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

        /// Grants (`enabled = true`) or revokes the minter role. Owner only.
        #[ink(message)]
        pub fn set_minter(&mut self, account: AccountId, enabled: bool) -> Result<(), PSP22Error> {
            self.ownership.ensure_owner(self.env().caller()).map_err(access_error)?;
            if enabled {
                self.minters.insert(account, &self.generation);
            } else {
                self.minters.remove(account);
            }
            self.env().emit_event(MinterSet { account, enabled });
            Ok(())
        }

        /// Whether `account` may mint.
        #[ink(message)]
        pub fn is_minter(&self, account: AccountId) -> bool {
            self.minters.get(account) == Some(self.generation)
        }

        /// The current owner.
        #[ink(message)]
        pub fn owner(&self) -> AccountId {
            self.ownership.owner()
        }

        /// Proposes `new_owner`; it takes effect when they call `accept_ownership`. Owner only.
        #[ink(message)]
        pub fn transfer_ownership(&mut self, new_owner: Option<AccountId>) -> Result<(), PSP22Error> {
            let event = self.ownership.propose(self.env().caller(), new_owner).map_err(access_error)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Completes a two-step ownership transfer. Proposed owner only. Every minter role
        /// granted so far is revoked — the previous owner's with `MinterSet`, all of them by
        /// `OwnershipTransferred` — so the previous owner keeps no minting power, not even
        /// through an account it made a minter; the new owner grants itself (or others) the
        /// role with `set_minter`.
        #[ink(message)]
        pub fn accept_ownership(&mut self) -> Result<(), PSP22Error> {
            let generation = self.generation.checked_add(1).ok_or_else(|| PSP22Error::Custom(String::from("Overflow")))?;
            let event = self.ownership.accept(self.env().caller()).map_err(access_error)?;
            let previous = event.previous;
            let was_minter = self.is_minter(previous);
            self.generation = generation;
            self.minters.remove(previous);
            self.env().emit_event(event);
            if was_minter {
                self.env().emit_event(MinterSet { account: previous, enabled: false });
            }
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

        fn custom(text: &str) -> PSP22Error {
            PSP22Error::Custom(text.into())
        }

        #[ink::test]
        fn metadata_and_owner() {
            let coin = funded();
            assert_eq!(coin.token_name().as_deref(), Some("USD Coin"));
            assert_eq!(coin.token_symbol().as_deref(), Some("USDC"));
            assert_eq!(coin.token_decimals(), 6);
            assert_eq!(coin.owner(), accounts().alice);
            assert!(coin.is_minter(accounts().alice));
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
            assert!(matches!(result, Err(PSP22Error::Custom(_))));
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
            assert_eq!(coin.mint(bob, 1), Err(custom("NotMinter")));
            assert_eq!(coin.set_minter(bob, true), Err(custom("NotOwner")));
            assert_eq!(coin.transfer_ownership(Some(bob)), Err(custom("NotOwner")));
            assert_eq!(coin.accept_ownership(), Err(custom("NotPendingOwner")));

            set_caller::<DefaultEnvironment>(accounts().alice);
            coin.set_minter(bob, true).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            coin.mint(bob, 7).unwrap();
            assert_eq!(coin.balance_of(bob), 7);

            set_caller::<DefaultEnvironment>(accounts().alice);
            coin.set_minter(bob, false).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            assert_eq!(coin.mint(bob, 1), Err(custom("NotMinter")));
        }

        #[ink::test]
        fn ownership_moves_in_two_steps() {
            let mut coin = funded();
            let (alice, bob) = (accounts().alice, accounts().bob);
            coin.transfer_ownership(Some(bob)).unwrap();
            assert_eq!(coin.owner(), alice);
            set_caller::<DefaultEnvironment>(bob);
            coin.accept_ownership().unwrap();
            assert_eq!(coin.owner(), bob);
            coin.set_minter(bob, true).unwrap();
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
            assert_eq!(recorded_events().count(), before + 2, "OwnershipTransferred and MinterSet");
            assert!(!coin.is_minter(alice));
            set_caller::<DefaultEnvironment>(alice);
            assert_eq!(coin.mint(alice, 1), Err(custom("NotMinter")));
            assert_eq!(coin.total_supply(), 1_000);
        }
        /// Audit: a minter the previous owner granted (say, to another of its accounts, even
        /// while the handover was pending) kept minting after the handover, so the old owner
        /// kept its minting power through it.
        #[ink::test]
        fn minters_granted_by_the_old_owner_survive_the_handover() {
            let mut coin = funded();
            let (alice, bob, django) = (accounts().alice, accounts().bob, accounts().django);
            coin.set_minter(django, true).unwrap();
            coin.transfer_ownership(Some(bob)).unwrap();
            coin.set_minter(accounts().eve, true).unwrap();
            set_caller::<DefaultEnvironment>(bob);
            coin.accept_ownership().unwrap();
            for minter in [alice, django, accounts().eve] {
                assert!(!coin.is_minter(minter), "a minter of the previous owner survived");
                set_caller::<DefaultEnvironment>(minter);
                assert_eq!(coin.mint(minter, 1), Err(custom("NotMinter")));
            }
            assert_eq!(coin.total_supply(), 1_000);
            // The new owner grants the role again to whom it trusts.
            set_caller::<DefaultEnvironment>(bob);
            coin.set_minter(django, true).unwrap();
            assert!(coin.is_minter(django));
            set_caller::<DefaultEnvironment>(django);
            coin.mint(django, 5).unwrap();
            // And a later handover revokes that grant too.
            set_caller::<DefaultEnvironment>(bob);
            coin.transfer_ownership(Some(alice)).unwrap();
            set_caller::<DefaultEnvironment>(alice);
            coin.accept_ownership().unwrap();
            assert!(!coin.is_minter(django) && !coin.is_minter(bob));
        }
    }
}
