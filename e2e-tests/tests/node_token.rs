//! Issuer and investors on a real substrate-contracts-node (ink_e2e): identities pushed by the
//! registry and caught up by `sync`, attest, mint, compliant and refused transfers, yield
//! distributed, streamed over one second and claimed.
#![cfg(feature = "node")]
use compute_rwa_common::{Credential, IdentityCheck, YieldDistributor};
use e2e_tests::node::{client, id, now_ms, run, sleep_until, NodeClient};
use e2e_tests::TestResult;
use gpu_hour_token::gpu_hour_token::{GpuHourToken, Holding};
use gpu_hour_token::pool::PoolInfo;
use identity_registry::identity_registry::{IdentityRegistry, IdentityRegistryRef};
use identity_registry::registry::{Identity, InvestorClass};
use ink::primitives::AccountId;
use ink_e2e::{alice, ChainBackend, ContractsBackend, Keypair};
use psp22::{PSP22Error, PSP22};
use stablecoin::stablecoin::{Stablecoin, StablecoinRef};

const FUNDS: u128 = 1_000_000_000_000_000;
const YIELD_PERIOD_MS: u64 = 1_000;

fn kyc() -> Identity {
    Identity { verified: true, country: 276, kyc_expiry: 4_102_444_800_000, class: InvestorClass::Accredited, claim_hash: None }
}

fn pool() -> PoolInfo {
    PoolInfo {
        gpu_model: "NVIDIA H100 SXM 80GB".into(),
        gpu_count: 8,
        region: "eu-central".into(),
        datacenter_tier: 3,
        period_start: 0,
        period_end: 720 * 3_600_000,
        attestation_hash: [0; 32],
        attestation_uri: String::new(),
    }
}

struct Deployed {
    coin: AccountId,
    registry: AccountId,
    token: AccountId,
    admin: AccountId,
}

async fn deploy(client: &mut NodeClient, issuer: &Keypair) -> TestResult<Deployed> {
    let coin = client.instantiate("stablecoin", issuer, &mut StablecoinRef::new(None, None)).submit().await?.account_id;
    let registry = client.instantiate("identity_registry", issuer, &mut IdentityRegistryRef::new()).submit().await?.account_id;
    let token = e2e_tests::node::deploy_token(client, issuer, pool(), registry, coin).await?;
    let admin = e2e_tests::node::deploy_admin(client, issuer, token).await?;
    Ok(Deployed { coin, registry, token, admin })
}

#[test]
fn issuer_mints_investors_transfer_and_claim_yield() -> TestResult {
    run(async {
        let mut client = client(&["stablecoin", "identity_registry", "gpu_hour_token", "gpu_hour_token_logic", "pool_admin"]).await?;
        let issuer = alice();
        let investor_a = client.create_and_fund_account(&issuer, FUNDS).await;
        let investor_b = client.create_and_fund_account(&issuer, FUNDS).await;
        let outsider = client.create_and_fund_account(&issuer, FUNDS).await;
        let (a, b, stranger) = (id(&investor_a), id(&investor_b), id(&outsider));
        let suite = deploy(&mut client, &issuer).await?;
        let mut registry = ink_e2e::create_call_builder::<IdentityRegistry>(suite.registry);
        let mut token = ink_e2e::create_call_builder::<GpuHourToken>(suite.token);
        let mut admin = ink_e2e::create_call_builder::<pool_admin::pool_admin::PoolAdmin>(suite.admin);
        let mut coin = ink_e2e::create_call_builder::<Stablecoin>(suite.coin);

        // Registered before the registry binds the token: the token knows nothing of them yet.
        client.call(&issuer, &registry.register_batch(vec![(a, kyc())])).submit().await?;
        let expected = Credential { verified_until: kyc().kyc_expiry, country: 276, class: InvestorClass::Accredited };
        assert_eq!(client.call(&issuer, &registry.credential(a)).dry_run().await?.return_value(), Some(expected));
        client.call(&issuer, &admin.attest_capacity(5_760, [0xab; 32], "ipfs://attestation".into())).submit().await?;
        let unknown = client.call(&issuer, &admin.mint(a, 3_000_000)).dry_run().await?.return_value();
        assert_eq!(unknown, Err(pool_admin::pool_admin::Error::Token(gpu_hour_token::token::TokenError::RecipientNotVerified)));
        // Only the owner binds; then changes are pushed, and anyone can `sync` the earlier ones.
        let refused = client.call(&outsider, &registry.bind_token(suite.token)).dry_run().await?.return_value();
        assert_eq!(refused, Err(identity_registry::identity_registry::Error::NotOwner));
        assert_eq!(client.call(&issuer, &registry.bind_token(suite.token)).submit().await?.return_value(), Ok(()));
        assert_eq!(client.call(&issuer, &registry.bound_tokens()).dry_run().await?.return_value(), vec![suite.token]);
        client.call(&issuer, &registry.register_batch(vec![(b, kyc())])).submit().await?;
        let credential = |holding: Result<Holding, _>| holding.map(|h: Holding| h.credential);
        assert_eq!(credential(client.call(&issuer, &token.holding(b)).dry_run().await?.return_value()), Ok(Some(expected)), "pushed");
        assert_eq!(credential(client.call(&issuer, &token.holding(a)).dry_run().await?.return_value()), Ok(None), "registered before the binding");
        assert_eq!(client.call(&outsider, &token.sync(vec![a, stranger].into())).submit().await?.return_value(), Ok(()));
        assert_eq!(credential(client.call(&issuer, &token.holding(a)).dry_run().await?.return_value()), Ok(Some(expected)), "synced");
        assert_eq!(credential(client.call(&issuer, &token.holding(stranger)).dry_run().await?.return_value()), Ok(None));

        client.call(&issuer, &admin.mint(a, 3_000_000)).submit().await?;
        client.call(&issuer, &admin.mint(b, 1_000_000)).submit().await?;
        client.call(&investor_a, &token.transfer(b, 1_000_000, Vec::new())).submit().await?;

        let refused = client.call(&investor_a, &token.transfer(stranger, 1, Vec::new())).dry_run().await?;
        assert_eq!(refused.return_value(), Err(PSP22Error::Custom("RecipientNotVerified".into())));
        // A suspension in the registry reaches the token in the same call.
        let mut suspended = kyc();
        suspended.verified = false;
        client.call(&issuer, &registry.update(b, suspended)).submit().await?;
        let refused = client.call(&investor_a, &token.transfer(b, 1, Vec::new())).dry_run().await?;
        assert_eq!(refused.return_value(), Err(PSP22Error::Custom("RecipientNotVerified".into())));
        client.call(&issuer, &registry.update(b, kyc())).submit().await?;

        for (who, expected) in [(a, 2_000_000), (b, 2_000_000), (stranger, 0)] {
            let balance = client.call(&issuer, &token.balance_of(who)).dry_run().await?.return_value();
            assert_eq!(balance, expected);
        }

        // Rent of 1,000 stablecoin units goes to the two equal holders, 500 each, released over
        // the yield period: nothing at once, all of it a period later.
        assert_eq!(client.call(&issuer, &admin.set_yield_period(YIELD_PERIOD_MS)).submit().await?.return_value(), Ok(()));
        assert_eq!(client.call(&issuer, &token.state()).dry_run().await?.return_value().yield_period, YIELD_PERIOD_MS);
        client.call(&issuer, &coin.mint(id(&issuer), 1_000)).submit().await?;
        client.call(&issuer, &coin.approve(suite.token, 1_000)).submit().await?;
        // Distributors only: the issuer is not one until the admin's owner says so.
        let refused = client.call(&issuer, &token.distribute(1_000)).dry_run().await?.return_value();
        assert_eq!(refused, Err(compute_rwa_common::DistributeError::NotDistributor));
        assert_eq!(client.call(&issuer, &admin.set_distributor(id(&issuer), true)).submit().await?.return_value(), Ok(()));
        client.call(&issuer, &token.distribute(1_000)).submit().await?;
        let distributed_at = now_ms()?;
        let at_once = client.call(&issuer, &token.holding(a)).dry_run().await?.return_value().map(|h| h.claimable);
        assert_eq!(at_once, Ok(0), "the dry run sees the distribution's block time");
        sleep_until(distributed_at + YIELD_PERIOD_MS + 300).await?;
        // Dev nodes seal a block per transaction and dry runs see the last block's time: one
        // transaction moves the chain's clock past the stream's end.
        client.call(&issuer, &coin.approve(suite.token, 0)).submit().await?;
        for investor in [&investor_a, &investor_b] {
            let claimed = client.call(investor, &token.claim()).submit().await?.return_value();
            assert_eq!(claimed, Ok(500));
            let paid = client.call(investor, &coin.balance_of(id(investor))).dry_run().await?.return_value();
            assert_eq!(paid, 500);
        }
        Ok(())
    })
}
