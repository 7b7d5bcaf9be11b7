//! Stablecoin on a real pallet-contracts runtime, in process (drink).
use drink::sandbox_api::prelude::*;
use compute_rwa_common::{AccessError, Role};
use drink::AccountId32;
use e2e_tests::sandbox::{account, call, call_err, call_ok, deploy, session, Sandbox};
use e2e_tests::TestResult;
use psp22::PSP22Error;
use stablecoin::stablecoin::Error as CoinError;

fn is_minter(session: &mut Sandbox, coin: &AccountId32, who: &AccountId32) -> TestResult<bool> {
    call::<bool>(session, coin, "AccessControl::has_role", &["Minter".into(), who.to_string()])
}

#[test]
fn deploy_mint_transfer_and_reject_overdraft() -> TestResult {
    let mut session = session();
    let alice = session.get_actor();
    let bob = account(2);
    let coin = deploy(&mut session, "stablecoin", "new", &["Some(\"USD Coin\")".into(), "Some(\"USDC\")".into()])?;
    call_ok::<(), CoinError>(&mut session, &coin, "mint", &[alice.to_string(), "1000000".into()])?;
    call_ok::<(), PSP22Error>(&mut session, &coin, "PSP22::transfer", &[bob.to_string(), "250000".into(), "[]".into()])?;
    assert_eq!(call::<u128>(&mut session, &coin, "PSP22::balance_of", &[bob.to_string()])?, 250_000);
    assert_eq!(call::<u128>(&mut session, &coin, "PSP22::balance_of", &[alice.to_string()])?, 750_000);

    // An overdraft reverts with the typed error and changes no balance.
    let error = call_err::<(), PSP22Error>(&mut session, &coin, "PSP22::transfer", &[bob.to_string(), "750001".into(), "[]".into()])?;
    assert_eq!(error, PSP22Error::InsufficientBalance);
    assert_eq!(call::<u128>(&mut session, &coin, "PSP22::balance_of", &[alice.to_string()])?, 750_000);
    Ok(())
}

#[test]
fn non_minter_cannot_mint() -> TestResult {
    let mut session = session();
    let coin = deploy(&mut session, "stablecoin", "new", &["None".into(), "None".into()])?;
    let mallory = account(9);
    session.set_actor(mallory.clone());
    let error = call_err::<(), CoinError>(&mut session, &coin, "mint", &[mallory.to_string(), "1".into()])?;
    assert_eq!(error, CoinError::MissingRole(Role::Minter));
    assert_eq!(call::<u128>(&mut session, &coin, "PSP22::total_supply", &[])?, 0);
    Ok(())
}

#[test]
fn a_new_owner_takes_over_and_the_old_owner_can_no_longer_mint() -> TestResult {
    let mut session = session();
    let alice = session.get_actor();
    let bob = account(2);
    session.sandbox().mint_into(&bob, 1_000_000_000_000_000).map_err(|e| format!("{e:?}"))?;
    let coin = deploy(&mut session, "stablecoin", "new", &["None".into(), "None".into()])?;
    let minter = account(3);
    call_ok::<(), CoinError>(&mut session, &coin, "mint", &[alice.to_string(), "1000".into()])?;
    call_ok::<(), AccessError>(&mut session, &coin, "AccessControl::set_role", &["Minter".into(), minter.to_string(), "true".into()])?;
    call_ok::<(), AccessError>(&mut session, &coin, "Ownable2Step::transfer_ownership", &[format!("Some({bob})")])?;
    assert!(is_minter(&mut session, &coin, &alice)? && is_minter(&mut session, &coin, &minter)?, "a proposal alone changes nothing");
    session.set_actor(bob.clone());
    call_ok::<(), AccessError>(&mut session, &coin, "Ownable2Step::accept_ownership", &[])?;
    assert!(!is_minter(&mut session, &coin, &alice)? && !is_minter(&mut session, &coin, &minter)?, "the old owner's grants are void");
    for old in [&alice, &minter] {
        session.set_actor(old.clone());
        let error = call_err::<(), CoinError>(&mut session, &coin, "mint", &[old.to_string(), "1".into()])?;
        assert_eq!(error, CoinError::MissingRole(Role::Minter));
    }
    // The new owner holds every role.
    session.set_actor(bob.clone());
    call_ok::<(), CoinError>(&mut session, &coin, "mint", &[bob.to_string(), "5".into()])?;
    assert_eq!(call::<u128>(&mut session, &coin, "PSP22::total_supply", &[])?, 1_005);
    Ok(())
}
