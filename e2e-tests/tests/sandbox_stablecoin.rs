//! Stablecoin on a real pallet-contracts runtime, in process (drink).
use drink::sandbox_api::prelude::*;
use e2e_tests::sandbox::{account, call, call_err, call_ok, deploy, session};
use e2e_tests::TestResult;
use psp22::PSP22Error;

#[test]
fn deploy_mint_transfer_and_reject_overdraft() -> TestResult {
    let mut session = session();
    let alice = session.get_actor();
    let bob = account(2);
    let coin = deploy(&mut session, "stablecoin", "new", &["Some(\"USD Coin\")".into(), "Some(\"USDC\")".into()])?;
    call_ok::<(), PSP22Error>(&mut session, &coin, "mint", &[alice.to_string(), "1000000".into()])?;
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
    let error = call_err::<(), PSP22Error>(&mut session, &coin, "mint", &[mallory.to_string(), "1".into()])?;
    assert_eq!(error, PSP22Error::Custom("NotMinter".into()));
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
    call_ok::<(), PSP22Error>(&mut session, &coin, "mint", &[alice.to_string(), "1000".into()])?;
    call_ok::<(), PSP22Error>(&mut session, &coin, "transfer_ownership", &[format!("Some({bob})")])?;
    assert!(call::<bool>(&mut session, &coin, "is_minter", &[alice.to_string()])?, "a proposal alone changes nothing");
    session.set_actor(bob.clone());
    call_ok::<(), PSP22Error>(&mut session, &coin, "accept_ownership", &[])?;
    assert!(!call::<bool>(&mut session, &coin, "is_minter", &[alice.to_string()])?);
    session.set_actor(alice.clone());
    let error = call_err::<(), PSP22Error>(&mut session, &coin, "mint", &[alice.to_string(), "1".into()])?;
    assert_eq!(error, PSP22Error::Custom("NotMinter".into()));
    // The new owner grants itself the role.
    session.set_actor(bob.clone());
    call_ok::<(), PSP22Error>(&mut session, &coin, "set_minter", &[bob.to_string(), "true".into()])?;
    call_ok::<(), PSP22Error>(&mut session, &coin, "mint", &[bob.to_string(), "5".into()])?;
    assert_eq!(call::<u128>(&mut session, &coin, "PSP22::total_supply", &[])?, 1_005);
    Ok(())
}
