//! Stablecoin on a real pallet-contracts runtime, in process (drink).
use drink::session::NO_ENDOWMENT;
use e2e_tests::sandbox::{account, deploy, session};
use e2e_tests::TestResult;
use psp22::PSP22Error;

type Call = Result<(), PSP22Error>;

#[test]
fn deploy_mint_transfer_and_reject_overdraft() -> TestResult {
    let mut session = session();
    let alice = session.get_actor();
    let bob = account(2);
    deploy(&mut session, "stablecoin", "new", &["Some(\"USD Coin\")".into(), "Some(\"USDC\")".into()])?;
    session.call::<_, Call>("mint", &[alice.to_string(), "1000000".into()], NO_ENDOWMENT)??;
    session.call::<_, Call>("PSP22::transfer", &[bob.to_string(), "250000".into(), "[]".into()], NO_ENDOWMENT)??;

    let mut balance = |who: &drink::AccountId32| -> TestResult<u128> {
        Ok(session.call::<_, u128>("PSP22::balance_of", &[who.to_string()], NO_ENDOWMENT)??)
    };
    assert_eq!(balance(&bob)?, 250_000);
    assert_eq!(balance(&alice)?, 750_000);

    // An overdraft reverts with the typed error, and changes no balance.
    let error = session.call_and_expect_error::<_, PSP22Error>(
        "PSP22::transfer",
        &[bob.to_string(), "750001".into(), "[]".into()],
        NO_ENDOWMENT,
    )?;
    assert_eq!(error, PSP22Error::InsufficientBalance);
    let alice_after: u128 = session.call("PSP22::balance_of", &[alice.to_string()], NO_ENDOWMENT)??;
    assert_eq!(alice_after, 750_000);
    Ok(())
}

#[test]
fn non_minter_cannot_mint() -> TestResult {
    let mut session = session();
    deploy(&mut session, "stablecoin", "new", &["None".into(), "None".into()])?;
    let mallory = account(9);
    session.set_actor(mallory.clone());
    let error = session.call_and_expect_error::<_, PSP22Error>("mint", &[mallory.to_string(), "1".into()], NO_ENDOWMENT)?;
    assert_eq!(error, PSP22Error::Custom("NotMinter".into()));
    Ok(())
}
