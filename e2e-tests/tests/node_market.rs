//! The GPU-hour market on a real substrate-contracts-node (ink_e2e): a verified investor sells to
//! another delivery-versus-payment, both legs in one message; an unverified buyer is refused by
//! the token's compliance and neither leg moves; the trade is counted in its epoch's volume.
#![cfg(feature = "node")]
use e2e_tests::node::{client, deploy_suite, funded, id, minute_pool, now_ms, run, NodeCalls, NodeClient, NodeSuite, SUITE};
use e2e_tests::{ok, TestResult};
use gpu_market::gpu_market::{Error, GpuMarket, GpuMarketRef};
use gpu_market::market::Side;
use identity_registry::registry::{Identity, InvestorClass};
use ink_e2e::{alice, ContractsBackend};
use psp22::PSP22;

const EPOCH_MS: u64 = 3_600;
const USDC: u128 = 1_000_000;
const GPU_HOUR: u128 = 1_000_000;

/// `who`'s stablecoin and GPU-hour token balances.
async fn holdings(client: &mut NodeClient, calls: &mut NodeCalls, who: &ink_e2e::Keypair) -> TestResult<(u128, u128)> {
    let coin = client.call(&alice(), &calls.coin.balance_of(id(who))).dry_run().await?.return_value();
    let token = client.call(&alice(), &calls.token.balance_of(id(who))).dry_run().await?.return_value();
    Ok((coin, token))
}

#[test]
fn verified_investors_trade_delivery_versus_payment_on_a_node() -> TestResult {
    run(async {
        let contracts: Vec<&str> = SUITE.iter().copied().chain(["gpu_market"]).collect();
        let mut client = client(&contracts).await?;
        let issuer = alice();
        let [seller, buyer, outsider, reporter_a, reporter_b] = funded::<5>(&mut client, &issuer).await?;
        let genesis = now_ms()?;
        let (feed, config) = minute_pool(genesis, EPOCH_MS, vec![id(&reporter_a), id(&reporter_b)]);
        let suite = deploy_suite(&mut client, &issuer, feed, config).await?;
        let NodeSuite { coin, token, oracle, .. } = suite;
        let mut calls = suite.calls();

        // The seller and the buyer are verified; the outsider is not. The seller holds 100 GPU-hours.
        let kyc = Identity { verified: true, country: 276, kyc_expiry: genesis + 86_400_000, class: InvestorClass::Retail, claim_hash: None };
        client.call(&issuer, &calls.registry.register_batch(vec![(id(&seller), kyc.clone()), (id(&buyer), kyc)])).submit().await?;
        client.call(&issuer, &calls.admin.attest_capacity(5_760, [1; 32], String::new())).submit().await?;
        client.call(&issuer, &calls.admin.batch_mint(vec![(id(&seller), 100 * GPU_HOUR)])).submit().await?;
        for who in [&buyer, &outsider] {
            client.call(&issuer, &calls.coin.mint(id(who), 100 * USDC)).submit().await?;
        }

        // The market on the pool's feed, 1% of each payment to the issuer as operator.
        let market = client.instantiate("gpu_market", &issuer, &mut GpuMarketRef::new(token, coin, oracle, 0, 100, id(&issuer))).submit().await?.account_id;
        let mut market_calls = ink_e2e::create_call_builder::<GpuMarket>(market);

        // The seller offers 10 GPU-hours at 2.5 USDC, approving the market for them (no custody),
        // at most at the fee it reads now (1%).
        let fee = client.call(&seller, &market_calls.state()).dry_run().await?.return_value().fee_bps;
        assert_eq!(fee, 100);
        client.call(&seller, &calls.token.approve(market, 10 * GPU_HOUR)).submit().await?;
        let expiry = now_ms()? + 3_600_000;
        let order = ok(client.call(&seller, &market_calls.post(Side::Sell, 2_500_000, 10 * GPU_HOUR, expiry, None, fee)).submit().await?.return_value())?;
        assert_eq!(order, 1);

        // The buyer takes 4: 10 USDC from the buyer, 9.9 to the seller, 0.1 to the issuer, 4 GPU-hours to the buyer.
        client.call(&buyer, &calls.coin.approve(market, 10 * USDC)).submit().await?;
        let paid = ok(client.call(&buyer, &market_calls.fill(order, 4 * GPU_HOUR, fee)).submit().await?.return_value())?;
        assert_eq!(paid, 10 * USDC);
        assert_eq!(holdings(&mut client, &mut calls, &seller).await?, (9_900_000, 96 * GPU_HOUR));
        assert_eq!(holdings(&mut client, &mut calls, &buyer).await?, (90 * USDC, 4 * GPU_HOUR));
        assert_eq!(client.call(&issuer, &calls.coin.balance_of(id(&issuer))).dry_run().await?.return_value(), 100_000);

        // The unverified outsider is refused by the token: neither leg moves.
        client.call(&outsider, &calls.coin.approve(market, 10 * USDC)).submit().await?;
        let refused = client.call(&outsider, &market_calls.fill(order, GPU_HOUR, fee)).dry_run().await?.return_value();
        assert_eq!(refused, Err(Error::TokenRefused));
        assert_eq!(holdings(&mut client, &mut calls, &outsider).await?, (100 * USDC, 0));
        let left = client.call(&issuer, &market_calls.order(order)).dry_run().await?.return_value().map(|o| o.amount);
        assert_eq!(left, Some(6 * GPU_HOUR));

        // The trade is in the volume of its epoch (within the last few of the feed's epochs).
        let now = client.call(&issuer, &market_calls.state()).dry_run().await?.return_value().epoch;
        let mut traded = (0, 0, 0);
        for epoch in now.saturating_sub(5)..=now {
            let v = client.call(&issuer, &market_calls.volume(epoch)).dry_run().await?.return_value();
            traded = (traded.0 + v.units, traded.1 + v.notional, traded.2 + v.fills);
        }
        assert_eq!(traded, (4 * GPU_HOUR, 10 * USDC, 1));

        // The issuer raises the fee to 2%: a post at the 1% the seller read is refused, and the
        // resting order still pays 1% to a buyer who read 1%.
        client.call(&issuer, &market_calls.set_fee(200, id(&issuer))).submit().await?;
        let refused = client.call(&seller, &market_calls.post(Side::Sell, 2_500_000, GPU_HOUR, expiry, Some(order), fee)).dry_run().await?.return_value();
        assert_eq!(refused, Err(Error::FeeAboveLimit));
        client.call(&buyer, &calls.coin.approve(market, 5 * USDC)).submit().await?;
        let paid = ok(client.call(&buyer, &market_calls.fill(order, 2 * GPU_HOUR, fee)).submit().await?.return_value())?;
        assert_eq!(paid, 5 * USDC);
        assert_eq!(client.call(&issuer, &calls.coin.balance_of(id(&issuer))).dry_run().await?.return_value(), 150_000);
        Ok(())
    })
}
