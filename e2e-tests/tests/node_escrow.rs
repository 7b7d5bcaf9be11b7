//! The rental happy path on a real substrate-contracts-node (ink_e2e), in real time with
//! 3.6-second epochs: read the forward curve, quote, book at the quote (demand-priced), deliver,
//! report, settle, rent streams to holders (over one second here), both claim.
#![cfg(feature = "node")]
use compute_rwa_common::Report;
use e2e_tests::node::{client, deploy_suite, funded, id, minute_pool, now_ms, run, sleep_until, NodeCalls, NodeSuite, SUITE};
use e2e_tests::{ok, TestResult};
use identity_registry::registry::{Identity, InvestorClass};
use ink_e2e::{alice, ChainBackend, ContractsBackend};
use psp22::PSP22;
use rental_escrow::escrow::{Offer, SlaTier};

const EPOCH_MS: u64 = 3_600; // 0.001 h: 8 GPUs × 1 epoch = 8 milli-GPU-hours
const USDC: u128 = 1_000_000;
const FUNDS: u128 = 1_000_000_000_000_000;
const YIELD_PERIOD_MS: u64 = 1_000;

#[test]
fn rent_is_settled_from_the_oracle_and_claimed_by_holders() -> TestResult {
    run(async {
        let mut client = client(&SUITE).await?;
        let issuer = alice();
        let [investor_a, investor_b, renter, reporter_a, reporter_b] = funded::<5>(&mut client, &issuer).await?;
        let genesis = now_ms()?;
        // Both reporters must report an epoch for it to finalize inside the minute's report window.
        let (feed, config) = minute_pool(genesis, EPOCH_MS, vec![id(&reporter_a), id(&reporter_b)]);
        let suite = deploy_suite(&mut client, &issuer, feed, config).await?;
        let NodeSuite { escrow, .. } = suite;
        let NodeCalls { coin: mut coin_calls, registry: mut registry_calls, token: mut token_calls, admin: mut admin_calls, oracle: mut oracle_calls, escrow: mut escrow_calls } = suite.calls();


        // Issuer: investors registered and minted 1:1, escrow may distribute, yield released over
        // one second (the shortest period), offer published.
        let kyc = Identity { verified: true, country: 276, kyc_expiry: genesis + 86_400_000, class: InvestorClass::Retail, claim_hash: None };
        client.call(&issuer, &registry_calls.register_batch(vec![(id(&investor_a), kyc.clone()), (id(&investor_b), kyc)])).submit().await?;
        client.call(&issuer, &admin_calls.attest_capacity(5_760, [1; 32], String::new())).submit().await?;
        client.call(&issuer, &admin_calls.batch_mint(vec![(id(&investor_a), 1_000 * USDC), (id(&investor_b), 1_000 * USDC)])).submit().await?;
        client.call(&issuer, &admin_calls.set_distributor(escrow, true)).submit().await?;
        ok(client.call(&issuer, &admin_calls.set_yield_period(YIELD_PERIOD_MS)).submit().await?.return_value())?;
        let offer = Offer {
            price_per_gpu_hour: 1_000 * USDC,
            min_epochs: 1,
            max_epochs: 10,
            available_gpus: 8,
            sla: vec![SlaTier { below_bps: 9_900, credit_bps: 1_000 }],
            cancellation_fee_bps: 0,
            cancellation_notice_ms: 0,
            // Demand pricing: each GPU booked adds 10 USDC an hour to the next one's price.
            kink_gpus: 8,
            slope_below: 10 * USDC,
            slope_above: 10 * USDC,
        };
        client.call(&issuer, &escrow_calls.set_offer(offer.into())).submit().await?;

        // Renter: 8 GPUs for the next epoch at the quote: 1,000 + 1,010 + … + 1,070 = 8,280 USDC
        // an hour, 8.28 USDC for the 0.001-hour epoch; the eighth GPU at 1,070 USDC.
        client.call(&issuer, &coin_calls.mint(id(&renter), 100 * USDC)).submit().await?;
        let start = (now_ms()? - genesis) / EPOCH_MS + 2;
        let curve = client.call(&renter, &escrow_calls.forward_curve(start, 2)).dry_run().await?.return_value();
        assert_eq!(curve, vec![Some(1_000 * USDC); 2], "nothing booked: the base price");
        let quote = ok(client.call(&renter, &escrow_calls.quote(8, start, 1)).dry_run().await?.return_value())?;
        assert_eq!((quote.deposit, quote.top_price), (8_280_000, 1_070 * USDC));
        client.call(&renter, &coin_calls.approve(escrow, quote.deposit)).submit().await?;
        let rental = ok(client.call(&renter, &escrow_calls.open(8, start, 1, quote.deposit)).submit().await?.return_value())?;
        assert_eq!(client.call(&issuer, &coin_calls.balance_of(id(&renter))).dry_run().await?.return_value(), 100 * USDC - 8_280_000);
        let curve = client.call(&renter, &escrow_calls.forward_curve(start, 2)).dry_run().await?.return_value();
        assert_eq!(curve, vec![None, Some(1_000 * USDC)], "the booked epoch is full");

        // Wait for the epoch to end, then both reporters attest full delivery.
        let end = genesis + (start + 1) * EPOCH_MS;
        sleep_until(end + 500).await?;
        let delivered = Report { gpu_milli_hours: 8, utilization_bps: 9_500, uptime_bps: 10_000, energy_wh: 5, avg_power_w: 700 };
        // Dev nodes seal a block per transaction, and dry runs see the last block's time:
        // one transaction now makes the chain's clock catch up before the estimates.
        client.create_and_fund_account(&issuer, FUNDS).await;
        for reporter in [&reporter_a, &reporter_b] {
            ok(client.call(reporter, &oracle_calls.submit(0, start, delivered)).submit().await?.return_value())?;
        }
        ok(client.call(&investor_a, &escrow_calls.settle(rental, start)).submit().await?.return_value())?;
        let settled_at = now_ms()?;

        // 8.28 USDC − 10% fee = 7.452 USDC to holders, 3.726 each, once the stream has run its second
        // (and one transaction has moved the chain's clock past it for the dry runs).
        sleep_until(settled_at + YIELD_PERIOD_MS + 500).await?;
        client.create_and_fund_account(&issuer, FUNDS).await;
        let claimable = client.call(&issuer, &token_calls.holding(id(&investor_a))).dry_run().await?.return_value().map(|h| h.claimable);
        assert_eq!(claimable, Ok(3_726_000));
        for investor in [&investor_a, &investor_b] {
            let claimed = ok(client.call(investor, &token_calls.claim()).submit().await?.return_value())?;
            assert_eq!(claimed, 3_726_000);
        }
        let fees = ok(client.call(&issuer, &escrow_calls.withdraw_fees()).submit().await?.return_value())?;
        assert_eq!(fees, 828_000);
        let left = client.call(&issuer, &coin_calls.balance_of(escrow)).dry_run().await?.return_value();
        assert_eq!(left, 0, "the escrow holds nothing after settlement");
        Ok(())
    })
}
