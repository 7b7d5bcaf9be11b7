//! Stablecoin against a real substrate-contracts-node (ink_e2e).
#![cfg(feature = "node")]
use e2e_tests::node::{client, id, run};
use e2e_tests::TestResult;
use ink_e2e::{alice, ChainBackend, ContractsBackend};
use psp22::{PSP22Error, PSP22};
use stablecoin::stablecoin::{Stablecoin, StablecoinRef};

#[test]
fn mint_and_transfer_on_node() -> TestResult {
    run(async {
        let mut client = client(&["stablecoin"]).await?;
        let issuer = alice();
        let holder = client.create_and_fund_account(&issuer, 10_000_000_000_000).await;
        let holder_id = id(&holder);
        let issuer_id = id(&issuer);

        let mut constructor = StablecoinRef::new(Some("USD Coin".into()), Some("USDC".into()));
        let coin = client.instantiate("stablecoin", &issuer, &mut constructor).submit().await?;
        let mut coin_calls = coin.call_builder::<Stablecoin>();

        client.call(&issuer, &coin_calls.mint(issuer_id, 1_000_000)).submit().await?;
        client.call(&issuer, &coin_calls.transfer(holder_id, 400_000, Vec::new())).submit().await?;

        let holder_balance = client.call(&holder, &coin_calls.balance_of(holder_id)).dry_run().await?.return_value();
        let issuer_balance = client.call(&holder, &coin_calls.balance_of(issuer_id)).dry_run().await?.return_value();
        assert_eq!(holder_balance, 400_000);
        assert_eq!(issuer_balance, 600_000);

        // The holder cannot spend more than they have; the dry run shows the typed error.
        let overdraft = client.call(&holder, &coin_calls.transfer(issuer_id, 400_001, Vec::new())).dry_run().await?;
        assert_eq!(overdraft.return_value(), Err(PSP22Error::InsufficientBalance));
        Ok(())
    })
}
