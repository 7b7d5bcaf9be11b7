//! The credit vault on a real substrate-contracts-node (ink_e2e), in real time with 3.6-second
//! epochs: a keeper checkpoints, rent arrives, a lender deposits, a borrower locks GPU-hour tokens,
//! borrows and repays part; utilization falls, the fall is checkpointed, an unverified liquidator
//! is refused by the token and a verified one liquidates — every balance asserted.
#![cfg(feature = "node")]
use compute_rwa_common::{Report, YieldDistributor};
use credit_vault::credit_vault::{CreditVault, CreditVaultRef, Error, Links};
use credit_vault::vault::Params;
use e2e_tests::node::{client, deploy_suite, funded, id, minute_pool, now_ms, run, sleep_until, upload_logic, NodeCalls, NodeClient, NodeSuite, SUITE};
use e2e_tests::{ok, TestResult};
use identity_registry::registry::{Identity, InvestorClass};
use ink::primitives::AccountId;
use ink_e2e::{alice, ChainBackend, ContractsBackend};
use psp22::PSP22;
use rental_escrow::escrow::Offer;

const EPOCH_MS: u64 = 3_600;
const USDC: u128 = 1_000_000;
const GPU_HOUR: u128 = 1_000_000;
const FUNDS: u128 = 1_000_000_000_000_000;
/// Yield streams by block time and the vault claims it before moving collateral: a call's weight
/// depends on the block it lands in, which the dry run estimating its gas has not seen.
const MARGIN: u64 = 20;

/// Both reporters report `epochs` at `utilization_bps`, waiting for the last to end.
async fn report(client: &mut NodeClient, calls: &mut NodeCalls, reporters: [&ink_e2e::Keypair; 2], genesis: u64, epochs: std::ops::Range<u64>, utilization_bps: u16) -> TestResult {
    sleep_until(genesis + epochs.end * EPOCH_MS + 300).await?;
    // Dev nodes seal a block per transaction and dry runs see the last block's time: one
    // transaction moves the chain's clock past the epochs before the reports are estimated.
    client.create_and_fund_account(&alice(), FUNDS).await;
    let figures = Report { gpu_milli_hours: 8, utilization_bps, uptime_bps: 10_000, energy_wh: 5, avg_power_w: 700 };
    for reporter in reporters {
        for epoch in epochs.clone() {
            ok(client.call(reporter, &calls.oracle.submit(0, epoch, figures)).extra_gas_portion(MARGIN).submit().await?.return_value())?;
        }
    }
    Ok(())
}

/// A keeper refreshes the vault once an epoch for `epochs` epochs, with `rent` for holders every
/// fourth: rent is measured between checkpoints and loans count the trailing epochs' extremes.
async fn checkpoints(
    client: &mut NodeClient,
    calls: &mut NodeCalls,
    vault: &mut <CreditVault as ink::codegen::ContractCallBuilder>::Type,
    keeper: &ink_e2e::Keypair,
    token: AccountId,
    epochs: u32,
    rent: u128,
) -> TestResult {
    let issuer = alice();
    for i in 0..epochs {
        // The checkpoint first: rent arriving after it is measured from it.
        ok(client.call(keeper, &vault.refresh()).extra_gas_portion(MARGIN).submit().await?.return_value())?;
        if i % 4 == 0 {
            client.call(&issuer, &calls.coin.approve(token, rent)).extra_gas_portion(MARGIN).submit().await?;
            ok(client.call(&issuer, &calls.token.distribute(rent)).extra_gas_portion(MARGIN).submit().await?.return_value())?;
        }
        sleep_until(now_ms()? + EPOCH_MS + 200).await?;
        // Dev nodes seal a block per transaction and dry runs see the last block's time.
        client.create_and_fund_account(&issuer, FUNDS).await;
    }
    Ok(())
}

#[test]
fn borrow_repay_and_liquidate_on_a_node() -> TestResult {
    run(async {
        let contracts: Vec<&str> = SUITE.iter().copied().chain(["credit_vault", "credit_vault_logic"]).collect();
        let mut client = client(&contracts).await?;
        let issuer = alice();
        let [borrower, lender, liquidator, outsider, reporter_a, reporter_b] = funded::<6>(&mut client, &issuer).await?;
        let genesis = now_ms()?;
        let (feed, config) = minute_pool(genesis, EPOCH_MS, vec![id(&reporter_a), id(&reporter_b)]);
        let suite = deploy_suite(&mut client, &issuer, feed, config).await?;
        let NodeSuite { coin, token, oracle, escrow, .. } = suite;
        let mut calls = suite.calls();

        // The pool: 2,000 GPU-hours issued (the borrower holds 1,000), 2 USDC per GPU-hour, the
        // issuer may distribute rent collected off chain, yield released over a second.
        let kyc = Identity { verified: true, country: 276, kyc_expiry: genesis + 86_400_000, class: InvestorClass::Retail, claim_hash: None };
        let verified = [&borrower, &lender, &liquidator].map(|who| (id(who), kyc.clone()));
        ok(client.call(&issuer, &calls.registry.register_batch(verified.to_vec())).extra_gas_portion(MARGIN).submit().await?.return_value())?;
        client.call(&issuer, &calls.admin.attest_capacity(5_760, [1; 32], String::new())).extra_gas_portion(MARGIN).submit().await?;
        ok(client.call(&issuer, &calls.admin.mint(id(&borrower), 1_000 * GPU_HOUR)).extra_gas_portion(MARGIN).submit().await?.return_value())?;
        let registered = Identity { class: InvestorClass::Accredited, ..kyc.clone() };
        ok(client.call(&issuer, &calls.registry.register(id(&issuer), registered)).extra_gas_portion(MARGIN).submit().await?.return_value())?;
        ok(client.call(&issuer, &calls.admin.mint(id(&issuer), 1_000 * GPU_HOUR)).extra_gas_portion(MARGIN).submit().await?.return_value())?;
        client.call(&issuer, &calls.admin.set_distributor(id(&issuer), true)).extra_gas_portion(MARGIN).submit().await?;
        ok(client.call(&issuer, &calls.admin.set_yield_period(1_000)).extra_gas_portion(MARGIN).submit().await?.return_value())?;
        let offer = Offer { price_per_gpu_hour: 100 * USDC, min_epochs: 1, max_epochs: 10, available_gpus: 8, sla: vec![], cancellation_fee_bps: 0, cancellation_notice_ms: 0, ..Offer::default() };
        client.call(&issuer, &calls.escrow.set_offer(offer.into())).extra_gas_portion(MARGIN).submit().await?;
        client.call(&issuer, &calls.coin.mint(id(&issuer), 100_000 * USDC)).extra_gas_portion(MARGIN).submit().await?;
        for who in [&lender, &liquidator, &outsider, &borrower] {
            client.call(&issuer, &calls.coin.mint(id(who), 1_000 * USDC)).extra_gas_portion(MARGIN).submit().await?;
        }

        // The vault, registered as a custodian. Rent is projected over at most 1,200 epochs (1.2
        // hours here): 1.2 h × 8 GPUs × 100 USDC × 90% × 90% = 777.6 USDC, less 20% = 622.08 for
        // 2,000 GPU-hours; the borrower's 1,000 count 311.04, limit 155.52.
        let params = Params {
            ltv_bps: 5_000,
            liquidation_threshold_bps: 7_000,
            haircut_bps: 2_000,
            close_factor_bps: 5_000,
            liquidation_bonus_bps: 500,
            base_rate_bps: 200,
            slope1_bps: 800,
            slope2_bps: 10_000,
            kink_bps: 8_000,
            trailing_epochs: 12,
            horizon_epochs: 1_200,
        };
        let links = Links { token, stablecoin: coin, oracle, feed: 0, escrow };
        let logic = upload_logic(&mut client, &issuer, "credit_vault").await?;
        let vault = client.instantiate("credit_vault", &issuer, &mut CreditVaultRef::new(params, links, logic)).extra_gas_portion(MARGIN).submit().await?.account_id;
        let custodian = Identity { class: InvestorClass::Custodian, ..kyc.clone() };
        ok(client.call(&issuer, &calls.registry.register(vault, custodian)).extra_gas_portion(MARGIN).submit().await?.return_value())?;
        let mut vault_calls = ink_e2e::create_call_builder::<CreditVault>(vault);

        // Utilization 90% in the first epochs; a keeper checkpoints around 30 USDC of rent.
        let first = (now_ms()? - genesis) / EPOCH_MS;
        report(&mut client, &mut calls, [&reporter_a, &reporter_b], genesis, first..first + 2, 9_000).await?;
        checkpoints(&mut client, &mut calls, &mut vault_calls, &liquidator, token, 3, 30 * USDC).await?;

        // Lender deposits 500; the borrower locks 1,000 GPU-hours and borrows 150, repays 20.
        client.call(&lender, &calls.coin.approve(vault, 500 * USDC)).extra_gas_portion(MARGIN).submit().await?;
        assert_eq!(ok(client.call(&lender, &vault_calls.deposit(500 * USDC)).extra_gas_portion(MARGIN).submit().await?.return_value())?, 500 * USDC);
        client.call(&borrower, &calls.token.approve(vault, 1_000 * GPU_HOUR)).extra_gas_portion(MARGIN).submit().await?;
        ok(client.call(&borrower, &vault_calls.lock(1_000 * GPU_HOUR)).extra_gas_portion(MARGIN).submit().await?.return_value())?;
        let refused = client.call(&borrower, &vault_calls.borrow(160 * USDC)).extra_gas_portion(MARGIN).submit().await;
        assert!(refused.is_err(), "above the 155.52 USDC limit");
        assert_eq!(ok(client.call(&borrower, &vault_calls.borrow(150 * USDC)).extra_gas_portion(MARGIN).submit().await?.return_value())?, 150 * USDC);
        assert_eq!(client.call(&issuer, &calls.coin.balance_of(id(&borrower))).dry_run().await?.return_value(), 1_150 * USDC);
        client.call(&borrower, &calls.coin.approve(vault, 20 * USDC)).extra_gas_portion(MARGIN).submit().await?;
        let paid = ok(client.call(&borrower, &vault_calls.repay(id(&borrower), 20 * USDC)).extra_gas_portion(MARGIN).submit().await?.return_value())?;
        assert!(paid <= 20 * USDC && paid + 1 >= 20 * USDC, "{paid}");
        assert_eq!(client.call(&issuer, &calls.coin.balance_of(id(&borrower))).dry_run().await?.return_value(), 1_150 * USDC - paid);
        assert_eq!(client.call(&issuer, &calls.coin.balance_of(vault)).dry_run().await?.return_value(), 350 * USDC + paid);

        // Utilization falls to 20%; a keeper refreshes every epoch until the trailing epochs'
        // checkpoints all show it: 138.24 USDC for the pool, the borrower's half 69.12,
        // liquidation above 48.38 < ≈ 130 of debt.
        let now_epoch = (now_ms()? - genesis) / EPOCH_MS;
        report(&mut client, &mut calls, [&reporter_a, &reporter_b], genesis, now_epoch..now_epoch + 4, 2_000).await?;
        checkpoints(&mut client, &mut calls, &mut vault_calls, &liquidator, token, 13, 3 * USDC).await?;
        let health = client.call(&issuer, &vault_calls.health(id(&borrower))).dry_run().await?.return_value();
        let health = ok(health)?;
        assert!(health.debt > health.liquidation_limit, "{health:?}");

        // The outsider is not verified: the token refuses to hand it collateral; nothing moves.
        client.call(&outsider, &calls.coin.approve(vault, 100 * USDC)).extra_gas_portion(MARGIN).submit().await?;
        let dry = client.call(&outsider, &vault_calls.liquidate(id(&borrower), 50 * USDC)).dry_run().await?.return_value();
        assert_eq!(dry, Err(Error::TokenRefused));
        // The verified liquidator repays 50 USDC (what the index units it burns are worth, to the
        // unit) and receives that plus 5% in tokens at the liquidation value.
        client.call(&liquidator, &calls.coin.approve(vault, 50 * USDC)).extra_gas_portion(MARGIN).submit().await?;
        let valuation = ok(client.call(&issuer, &vault_calls.valuation()).dry_run().await?.return_value())?;
        let seized = ok(client.call(&liquidator, &vault_calls.liquidate(id(&borrower), 50 * USDC)).extra_gas_portion(MARGIN).submit().await?.return_value())?;
        let paid = 1_000 * USDC - client.call(&issuer, &calls.coin.balance_of(id(&liquidator))).dry_run().await?.return_value();
        assert!(paid <= 50 * USDC && paid + 1 >= 50 * USDC, "{paid}");
        assert_eq!(seized, paid * 10_500 / 10_000 * valuation.inputs.supply / valuation.liquidation_value());
        assert_eq!(client.call(&issuer, &calls.token.balance_of(id(&liquidator))).dry_run().await?.return_value(), seized);
        assert_eq!(client.call(&issuer, &calls.token.balance_of(vault)).dry_run().await?.return_value(), 1_000 * GPU_HOUR - seized);
        Ok(())
    })
}
