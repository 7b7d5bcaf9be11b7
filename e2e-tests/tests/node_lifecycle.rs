//! A pool's whole life on a real substrate-contracts-node (ink_e2e), the demo's story with every
//! balance asserted to the unit: issuer → investors → yield → redemption → rental → oracle →
//! settlement (full, SLA shortfall, dispute, timeout) → claims and withdrawals. Negative paths:
//! an unverified investor is refused, the arbiter alone resolves, a silent oracle goes stale and
//! its epoch is refunded after the grace period. 3.6-second epochs, in real time; yield streams
//! to holders over one second.
#![cfg(feature = "node")]
use compute_rwa_common::{Report, YieldDistributor};
use e2e_tests::node::{client, deploy_suite, funded, id, now_ms, run, sleep_until, FeedSpec, NodeCalls, NodeSuite, SUITE};
use e2e_tests::{ok, TestResult};
use pool_admin::pool_admin::Error as AdminError;
use gpu_hour_token::token::TokenError as TokenRule;
use identity_registry::registry::{Identity, InvestorClass};
use ink_e2e::{alice, ContractsBackend};
use psp22::{PSP22Error, PSP22};
use rental_escrow::escrow::{EpochState, EscrowConfig, Offer, SlaTier};
use rental_escrow::rental_escrow::Error as EscrowFailure;
use utilization_oracle::utilization_oracle::Error as OracleFailure;

const EPOCH_MS: u64 = 3_600; // a thousandth of an hour: 8 GPUs deliver 8 milli-GPU-hours per epoch
const GPU_HOUR: u128 = 1_000_000; // token and stablecoin both have 6 decimals
const USDC: u128 = 1_000_000;
const PRICE: u128 = 2_500_000; // 2.5 USDC per GPU-hour
const EPOCH_COST: u128 = 20_000; // 8 GPUs × 0.001 h × 2.5 USDC
/// Reports are accepted for 12 s after an epoch ends; the escrow refunds an epoch the oracle has
/// not finalized by then (its grace period may not be shorter than the report window).
const REPORT_WINDOW_MS: u64 = 12_000;
const GRACE_MS: u64 = REPORT_WINDOW_MS;
const MAX_AGE_MS: u64 = 8_000;
const YIELD_PERIOD_MS: u64 = 1_000;
/// Gas added to each transaction's dry-run estimate (see `send!`).
const GAS_MARGIN_PER_CENT: u64 = 10;

fn kyc() -> Identity {
    Identity { verified: true, country: 276, kyc_expiry: 4_102_444_800_000, class: InvestorClass::Accredited, claim_hash: None }
}

/// Floor of `total × balance / supply`: a holder's exact pro-rata share, sub-unit part kept by the token.
fn share(total: u128, balance: u128, supply: u128) -> u128 {
    total * balance / supply
}

#[test]
fn a_pool_lives_from_deployment_to_audit() -> TestResult {
    run(async {
        let mut client = client(&SUITE).await?;
        let issuer = alice();
        let [bob, charlie, dave, eve, ferdie] = funded::<5>(&mut client, &issuer).await?;
        let (bob_id, charlie_id, dave_id, issuer_id) = (id(&bob), id(&charlie), id(&dave), id(&issuer));
        let genesis = now_ms()?;

        // Issuer deploys the suite: stablecoin, registry, an 8 × H100 pool for 30 days, oracle with
        // its feed (Eve and Ferdie, quorum 2), then the escrow, which reads its epochs from the feed.
        let feed = FeedSpec {
            genesis,
            epoch_length: EPOCH_MS,
            report_window: REPORT_WINDOW_MS,
            max_age: MAX_AGE_MS,
            tolerance_bps: 500,
            reporters: vec![id(&eve), id(&ferdie)],
            quorum: 2,
        };
        let config = EscrowConfig { feed: 0, operator_fee_bps: 1_000, grace_period: GRACE_MS, dispute_window: 60_000, arbitration_period: 86_400_000 };
        let suite = deploy_suite(&mut client, &issuer, feed, config).await?;
        let NodeSuite { token, escrow, .. } = suite;
        let NodeCalls { coin: mut coin_calls, registry: mut registry_calls, token: mut token_calls, admin: mut admin_calls, oracle: mut oracle_calls, escrow: mut escrow_calls } = suite.calls();

        macro_rules! read {
            ($message:expr) => {
                client.call(&issuer, &$message).dry_run().await?.return_value()
            };
        }
        // Yield streams by block time, so a call's weight depends on the block it lands in: the
        // dry run that estimates gas sees the last block's time, where a running stream has
        // released nothing yet, while the transaction releases a slice first (e.g. the second
        // settlement right after the first). A small margin covers that.
        macro_rules! send {
            ($signer:expr, $message:expr) => {
                ok(client.call($signer, &$message).extra_gas_portion(GAS_MARGIN_PER_CENT).submit().await?.return_value())?
            };
        }

        // Capacity, investors, tokens: 5,760 GPU-hours attested; Bob 3,000, then 1,000 to Charlie.
        send!(&issuer, admin_calls.attest_capacity(5_760, [0xab; 32], "ipfs://attestation/h100-pool-1".into()));
        send!(&issuer, admin_calls.set_yield_period(YIELD_PERIOD_MS));
        send!(&issuer, registry_calls.register_batch(vec![(bob_id, kyc()), (charlie_id, kyc())]));
        send!(&issuer, admin_calls.mint(bob_id, 3_000 * GPU_HOUR));
        send!(&bob, token_calls.transfer(charlie_id, 1_000 * GPU_HOUR, Vec::new()));
        assert_eq!(read!(token_calls.state()).capacity, 5_760 * GPU_HOUR);
        assert_eq!((read!(token_calls.balance_of(bob_id)), read!(token_calls.balance_of(charlie_id))), (2_000 * GPU_HOUR, 1_000 * GPU_HOUR));

        // Dave never passed KYC: he can neither be minted to nor receive a transfer.
        let refused_mint = client.call(&issuer, &admin_calls.mint(dave_id, GPU_HOUR)).dry_run().await?.return_value();
        assert_eq!(refused_mint, Err(AdminError::Token(TokenRule::RecipientNotVerified)));
        let refused_transfer = client.call(&bob, &token_calls.transfer(dave_id, 1, Vec::new())).dry_run().await?.return_value();
        assert_eq!(refused_transfer, Err(PSP22Error::Custom("RecipientNotVerified".into())));

        // 3,000 USDC of rent collected off chain is paid to holders 2:1, and claimed.
        send!(&issuer, coin_calls.mint(issuer_id, 3_000 * USDC));
        send!(&issuer, coin_calls.approve(token, 3_000 * USDC));
        send!(&issuer, admin_calls.set_distributor(issuer_id, true));
        send!(&issuer, token_calls.distribute(3_000 * USDC));
        // It streams over the yield period; after it (and a transaction to move the chain's clock), it is all claimable.
        sleep_until(now_ms()? + YIELD_PERIOD_MS + 300).await?;
        send!(&issuer, coin_calls.approve(bob_id, 0));
        assert_eq!(read!(token_calls.holding(charlie_id)).map(|h| h.claimable), Ok(1_000 * USDC));
        assert_eq!(send!(&bob, token_calls.claim()), 2_000 * USDC);
        assert_eq!(send!(&charlie, token_calls.claim()), 1_000 * USDC);

        // Charlie redeems 10 GPU-hours; the issuer fulfils it. Supply 2,990, capacity still 5,760.
        let redemption = send!(&charlie, admin_calls.redeem(10 * GPU_HOUR));
        send!(&issuer, admin_calls.fulfill_redemption(redemption));
        assert_eq!(read!(token_calls.total_supply()), 2_990 * GPU_HOUR);
        assert_eq!(read!(token_calls.state()).redeemed, 10 * GPU_HOUR);

        // The escrow may distribute; the offer is published.
        send!(&issuer, admin_calls.set_distributor(escrow, true));
        let offer = Offer {
            price_per_gpu_hour: PRICE,
            min_epochs: 1,
            max_epochs: 24,
            available_gpus: 8,
            sla: vec![SlaTier { below_bps: 9_900, credit_bps: 1_000 }],
            cancellation_fee_bps: 0,
            cancellation_notice_ms: 0,
            ..Offer::default()
        };
        send!(&issuer, escrow_calls.set_offer(offer.into()));

        // Dave rents all 8 GPUs for four epochs A..D and deposits 4 × 0.02 USDC.
        send!(&issuer, coin_calls.mint(dave_id, 100_000));
        send!(&dave, coin_calls.approve(escrow, 4 * EPOCH_COST));
        let start = (now_ms()? - genesis) / EPOCH_MS + 2;
        let rental = send!(&dave, escrow_calls.open(8, start, 4, 4 * EPOCH_COST));
        let [a, b, c, d] = [start, start + 1, start + 2, start + 3];
        let epoch_end = |epoch: u64| genesis + (epoch + 1) * EPOCH_MS;
        assert_eq!(read!(coin_calls.balance_of(dave_id)), 100_000 - 4 * EPOCH_COST);

        // A delivered in full; B short (6 of 8 milli-GPU-hours at 97% uptime: SLA credit 10%).
        sleep_until(epoch_end(b) + 300).await?;
        send!(&issuer, coin_calls.approve(bob_id, 0)); // moves the dev chain's clock for the dry runs
        let full = Report { gpu_milli_hours: 8, utilization_bps: 9_200, uptime_bps: 9_990, energy_wh: 5, avg_power_w: 690 };
        let short = Report { gpu_milli_hours: 6, utilization_bps: 8_800, uptime_bps: 9_700, energy_wh: 4, avg_power_w: 650 };
        for reporter in [&eve, &ferdie] {
            send!(reporter, oracle_calls.submit(0, a, full));
            send!(reporter, oracle_calls.submit(0, b, short));
        }
        send!(&charlie, escrow_calls.settle(rental, a));
        send!(&charlie, escrow_calls.settle(rental, b));
        assert_eq!(ok(read!(oracle_calls.latest(0)))?.epoch, b, "fresh right after the reports");

        // C: the reporters report it; Dave disputes their figures; only the arbiter resolves
        // it, refunding half.
        sleep_until(epoch_end(c) + 300).await?;
        send!(&issuer, coin_calls.approve(bob_id, 0));
        for reporter in [&eve, &ferdie] {
            send!(reporter, oracle_calls.submit(0, c, full));
        }
        send!(&dave, escrow_calls.dispute(rental, c));
        let not_arbiter = client.call(&dave, &escrow_calls.resolve(rental, c, EPOCH_COST)).dry_run().await?.return_value();
        assert!(not_arbiter.is_err(), "the renter cannot resolve his own dispute: {not_arbiter:?}");
        send!(&issuer, escrow_calls.resolve(rental, c, EPOCH_COST / 2));

        // D: the reporters stay silent. Settling waits for the oracle until the grace period ends
        // (nothing to finalize, even after the report window), then refunds the epoch; by then
        // the feed is stale.
        sleep_until(epoch_end(d) + 300).await?;
        send!(&issuer, coin_calls.approve(bob_id, 0));
        let early = client.call(&charlie, &escrow_calls.settle(rental, d)).dry_run().await?.return_value();
        assert_eq!(early, Err(EscrowFailure::AwaitingOracle));
        sleep_until((epoch_end(d) + GRACE_MS).max(epoch_end(b) + MAX_AGE_MS) + 300).await?;
        send!(&issuer, coin_calls.approve(bob_id, 0));
        assert_eq!(read!(oracle_calls.latest(0)), Err(OracleFailure::Stale));
        send!(&charlie, escrow_calls.settle(rental, d));
        assert_eq!(read!(escrow_calls.epoch_state(rental, d)), Some(EpochState::TimedOut));

        // The books: A 18,000 / 2,000 fee; B pays 13,500 (15,000 − 1,500 credit) → 12,150 + 1,350 fee,
        // refund 6,500; C 10,000 refunded, 9,000 + 1,000 fee; D 20,000 refunded.
        let to_holders = 18_000 + 12_150 + 9_000;
        let fees = 2_000 + 1_350 + 1_000;
        let refunds = 6_500 + EPOCH_COST / 2 + EPOCH_COST;
        let totals = read!(escrow_calls.totals());
        assert_eq!(totals.ledger.deposited, 4 * EPOCH_COST);
        assert_eq!((totals.ledger.released, totals.ledger.fees, totals.ledger.refunded, totals.ledger.held), (to_holders, fees, refunds, 0));
        assert_eq!(totals.ledger.credits, 1_500);

        // Holders claim their pro-rata rent; Dave withdraws refunds; the operator withdraws fees.
        let supply = 2_990 * GPU_HOUR;
        let bob_rent = share(to_holders, 2_000 * GPU_HOUR, supply);
        let charlie_rent = share(to_holders, 990 * GPU_HOUR, supply);
        let claimable = |holding: Result<gpu_hour_token::gpu_hour_token::Holding, _>| holding.map(|h| h.claimable);
        assert_eq!((claimable(read!(token_calls.holding(bob_id))), claimable(read!(token_calls.holding(charlie_id)))), (Ok(bob_rent), Ok(charlie_rent)));
        assert_eq!(send!(&bob, token_calls.claim()), bob_rent);
        assert_eq!(send!(&charlie, token_calls.claim()), charlie_rent);
        assert_eq!(send!(&dave, escrow_calls.withdraw()), refunds);
        assert_eq!(send!(&issuer, escrow_calls.withdraw_fees()), fees);

        // Every stablecoin unit is where it should be.
        assert_eq!(read!(coin_calls.balance_of(bob_id)), 2_000 * USDC + bob_rent);
        assert_eq!(read!(coin_calls.balance_of(charlie_id)), 1_000 * USDC + charlie_rent);
        assert_eq!(read!(coin_calls.balance_of(dave_id)), 100_000 - 4 * EPOCH_COST + refunds);
        assert_eq!(read!(coin_calls.balance_of(issuer_id)), fees);
        assert_eq!(read!(coin_calls.balance_of(escrow)), 0, "the escrow owes nothing and holds nothing");
        let dust = to_holders - bob_rent - charlie_rent;
        assert_eq!(read!(coin_calls.balance_of(token)), dust, "the token keeps only holders' sub-unit fractions");
        assert!(dust < 2, "at most one unit per holder");
        let rewards = read!(token_calls.state()).rewards;
        assert_eq!((rewards.distributed, rewards.claimed, rewards.undistributed), (3_000 * USDC + to_holders, 3_000 * USDC + bob_rent + charlie_rent, 0));
        Ok(())
    })
}
