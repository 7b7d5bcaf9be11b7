//! Registry + GPU-hour token + stablecoin on a real pallet-contracts runtime (drink):
//! identities pushed by the registry to every bound token in the same call, compliance checked
//! in the token with no cross-contract call, and O(1) yield streamed over the yield period.
use compute_rwa_common::{ComplianceRules, Credential, HolderRecord, InvestorClass};
use e2e_tests::sandbox::{account, assert_front, call, call_err, call_ok, delegate_calls, deploy, emitted, identity, ink_id, Suite, POOL, POOL_GPU_HOURS, YIELD_PERIOD};
use pool_admin::admin::{Redemption, RedemptionStatus};
use e2e_tests::TestResult;
use gpu_hour_token::gpu_hour_token::{Holding, TokenState};
use gpu_hour_token::token::TokenError as TokenFailure;
use pool_admin::pool_admin::Error;
use gpu_hour_token::token::TokenError;
use psp22::PSP22Error;

fn transfer_args(to: &drink::AccountId32, amount: u128) -> Vec<String> {
    vec![to.to_string(), amount.to_string(), "[]".into()]
}

#[test]
fn compliant_and_non_compliant_transfers() -> TestResult {
    let mut suite = Suite::deploy()?;
    let (bob, charlie, dave) = (account(2), account(3), account(4));
    suite.register(&[bob.clone(), charlie.clone()])?;
    suite.fund(&dave)?;

    // Minting to an account the registry never verified fails in the token's own check.
    assert_eq!(suite.admin_err::<()>("mint", &[dave.to_string(), "1".into()])?, Error::Token(TokenError::RecipientNotVerified));
    suite.admin_ok::<()>("mint", &[bob.to_string(), "1000000".into()])?;

    let token = suite.token.clone();
    suite.as_actor(&bob, |s| {
        e2e_tests::sandbox::call_ok::<(), PSP22Error>(&mut s.session, &token, "PSP22::transfer", &transfer_args(&charlie, 400_000))
    })?;
    let (ref_time, proof_size) = suite.last_weight();
    println!("weight of a compliant transfer: ref_time {ref_time}, proof_size {proof_size}");
    assert!(ref_time > 0 && proof_size > 0);

    let refused = suite.as_actor(&bob, |s| {
        e2e_tests::sandbox::call_err::<(), PSP22Error>(&mut s.session, &token, "PSP22::transfer", &transfer_args(&dave, 1))
    })?;
    assert_eq!(refused, PSP22Error::Custom("RecipientNotVerified".into()));

    suite.admin_ok::<()>("pause", &[])?;
    let paused = suite.as_actor(&bob, |s| {
        e2e_tests::sandbox::call_err::<(), PSP22Error>(&mut s.session, &token, "PSP22::transfer", &transfer_args(&charlie, 1))
    })?;
    assert_eq!(paused, PSP22Error::Custom("Paused".into()));
    suite.admin_ok::<()>("unpause", &[])?;

    assert_eq!(suite.balance(&token, &bob)?, 600_000);
    assert_eq!(suite.balance(&token, &charlie)?, 400_000);
    assert_eq!(suite.balance(&token, &dave)?, 0);
    assert_eq!(suite.token_state()?.holders, 2);
    Ok(())
}

#[test]
fn supply_is_capped_by_attested_capacity() -> TestResult {
    let mut suite = Suite::deploy()?;
    let bob = account(2);
    suite.register(&[bob.clone()])?;
    let capacity = POOL_GPU_HOURS * 1_000_000;
    suite.admin_ok::<()>("mint", &[bob.to_string(), capacity.to_string()])?;
    assert_eq!(suite.admin_err::<()>("mint", &[bob.to_string(), "1".into()])?, Error::Token(TokenError::CapacityExceeded));
    assert_eq!(
        suite.admin_err::<()>("attest_capacity", &[(POOL_GPU_HOURS - 1).to_string(), format!("0x{}", "00".repeat(32)), "\"\"".into()])?,
        Error::Token(TokenError::CapacityBelowIssued)
    );
    Ok(())
}

#[test]
fn yield_reaches_holders_pro_rata_and_is_claimed_in_stablecoin() -> TestResult {
    let mut suite = Suite::deploy()?;
    let holders = [account(2), account(3), account(4)];
    suite.register(&holders)?;
    for (holder, amount) in holders.iter().zip([100_000u128, 200_000, 300_000]) {
        suite.admin_ok::<()>("mint", &[holder.to_string(), amount.to_string()])?;
    }
    let (coin, token) = (suite.coin.clone(), suite.token.clone());
    e2e_tests::sandbox::call_ok::<(), PSP22Error>(&mut suite.session, &coin, "PSP22::approve", &[token.to_string(), "600".into()])?;
    suite.token_ok::<()>("YieldDistributor::distribute", &["600".into()])?;
    assert_eq!(suite.balance(&coin, &token)?, 600, "distribute pulled the stablecoin in");

    // Released linearly over the yield period: nothing at once, half at half time, all at the end.
    let claimable = |s: &mut Suite, who: &drink::AccountId32| s.holding(who).map(|h| h.claimable);
    assert_eq!(claimable(&mut suite, &holders[2])?, 0);
    let early = suite.as_actor(&holders[0], |s| s.token_err::<u128>("claim", &[]))?;
    assert_eq!(early, TokenError::NothingToClaim);
    suite.advance(YIELD_PERIOD / 2);
    assert_eq!(claimable(&mut suite, &holders[2])?, 150);
    let totals = suite.token_state()?.rewards;
    assert_eq!((totals.distributed, totals.streaming, totals.stream_end), (600, 300, YIELD_PERIOD));
    suite.advance(YIELD_PERIOD / 2);

    for (holder, expected) in holders.iter().zip([100u128, 200, 300]) {
        let claimed = suite.as_actor(holder, |s| s.token_ok::<u128>("claim", &[]))?;
        assert_eq!(claimed, expected);
        assert_eq!(suite.balance(&coin, holder)?, expected);
    }
    assert_eq!(suite.balance(&coin, &token)?, 0, "every unit paid out");
    let nothing = suite.as_actor(&holders[0], |s| s.token_err::<u128>("claim", &[]))?;
    assert_eq!(nothing, TokenError::NothingToClaim);
    Ok(())
}

/// Weight of `claim` and `transfer` with `holders` holders (each holding the same amount).
fn costs_with_holders(holders: usize) -> TestResult<[(u64, u64); 2]> {
    let mut suite = Suite::deploy()?;
    let accounts: Vec<_> = (0..holders).map(|i| drink::AccountId32::new(index_key(i))).collect();
    suite.register(&accounts)?;
    suite.mint(&accounts, 100_000)?;
    let (coin, token) = (suite.coin.clone(), suite.token.clone());
    e2e_tests::sandbox::call_ok::<(), PSP22Error>(&mut suite.session, &coin, "PSP22::approve", &[token.to_string(), "1000000".into()])?;
    suite.token_ok::<()>("YieldDistributor::distribute", &["1000000".into()])?;
    suite.pass_yield_period();
    let (first, second) = (accounts[0].clone(), accounts[1].clone());
    suite.as_actor(&first, |s| s.token_ok::<u128>("claim", &[]))?;
    let claim = suite.last_weight();
    suite.as_actor(&first, |s| {
        e2e_tests::sandbox::call_ok::<(), PSP22Error>(&mut s.session, &token, "PSP22::transfer", &transfer_args(&second, 1_000))
    })?;
    Ok([claim, suite.last_weight()])
}

fn index_key(i: usize) -> [u8; 32] {
    let mut key = [7u8; 32];
    key[..8].copy_from_slice(&(i as u64).to_le_bytes());
    key
}

#[test]
fn claim_and_transfer_cost_the_same_with_10_or_1000_holders() -> TestResult {
    let small = costs_with_holders(10)?;
    let large = costs_with_holders(1_000)?;
    for ((name, few), many) in ["claim", "transfer"].iter().zip(small).zip(large) {
        let ratio = many.0 as f64 / few.0 as f64;
        println!("flatness {name}: ref_time {} (10 holders) vs {} (1000 holders), ratio {ratio:.4}; proof_size {} vs {}", few.0, many.0, few.1, many.1);
        assert!(ratio <= 1.05, "{name} grew with holders: {ratio}");
        assert!(many.1 as f64 / few.1 as f64 <= 1.05, "{name} proof size grew with holders");
    }
    Ok(())
}

type RegistryError = identity_registry::identity_registry::Error;

/// Whether `token` is bound, and its bindings so far.
fn binding(suite: &mut Suite, token: &drink::AccountId32) -> TestResult<(bool, u32)> {
    let state = call::<TokenState>(&mut suite.session, token, "state", &[])?;
    Ok((state.bound, state.binding))
}

/// What `token` keeps about `who`, next to what the registry says.
fn views(suite: &mut Suite, token: &drink::AccountId32, who: &drink::AccountId32) -> TestResult<(Option<Credential>, Option<Credential>)> {
    let registry = suite.registry.clone();
    let kept = call_ok::<Holding, TokenFailure>(&mut suite.session, token, "holding", &[who.to_string()])?.credential;
    let truth = call::<Option<Credential>>(&mut suite.session, &registry, "IdentityCheck::credential", &[who.to_string()])?;
    Ok((kept, truth))
}

#[test]
fn identities_reach_every_bound_token_in_the_same_call() -> TestResult {
    let mut suite = Suite::deploy()?;
    let (registry, coin) = (suite.registry.clone(), suite.coin.clone());
    let (bob, charlie, outsider) = (account(2), account(3), account(99));
    suite.fund(&outsider)?;
    let token_args = ["None".into(), "None".into(), POOL.into(), registry.to_string(), coin.to_string(), suite.token_logic.clone()];
    let second = deploy(&mut suite.session, "gpu_hour_token", "new", &token_args)?;
    // Bob registers before the second token is bound: only the suite's token hears of him.
    suite.register(&[bob.clone()])?;
    let first = suite.token.clone();
    assert_eq!(views(&mut suite, &first, &bob)?.0, views(&mut suite, &first, &bob)?.1);
    assert!(views(&mut suite, &first, &bob)?.0.is_some());
    assert_eq!(views(&mut suite, &second, &bob)?.0, None);

    // Only the owner binds, only a token of this registry can be bound, and only once.
    let refused = suite.as_actor(&outsider, |s| call_err::<(), RegistryError>(&mut s.session, &registry, "bind_token", &[second.to_string()]))?;
    assert_eq!(refused, RegistryError::NotOwner);
    // Another issuer's registry (a different deployer, hence a different address).
    let other_registry = suite.as_actor(&outsider, |s| deploy(&mut s.session, "identity_registry", "new", &[]))?;
    let foreign_args = ["None".into(), "None".into(), POOL.into(), other_registry.to_string(), coin.to_string(), suite.token_logic.clone()];
    let foreign = deploy(&mut suite.session, "gpu_hour_token", "new", &foreign_args)?;
    let refused = call_err::<(), RegistryError>(&mut suite.session, &registry, "bind_token", &[foreign.to_string()])?;
    assert_eq!(refused, RegistryError::PushFailed(e2e_tests::sandbox::ink_id(&foreign)), "the token answers only its own registry");
    call_ok::<(), RegistryError>(&mut suite.session, &registry, "bind_token", &[second.to_string()])?;
    let again = call_err::<(), RegistryError>(&mut suite.session, &registry, "bind_token", &[second.to_string()])?;
    assert_eq!(again, RegistryError::AlreadyBound);
    let bound = call::<Vec<drink::AccountId32>>(&mut suite.session, &registry, "bound_tokens", &[])?;
    assert_eq!(bound, vec![first.clone(), second.clone()]);

    // Anyone may sync the second token with what the registry already knew.
    suite.as_actor(&outsider, |s| call_ok::<(), gpu_hour_token::token::TokenError>(&mut s.session, &second, "sync", &[format!("[{bob}]")]))?;
    let (kept, truth) = views(&mut suite, &second, &bob)?;
    assert_eq!((kept.is_some(), kept), (true, truth));

    // From now on every change reaches both tokens in the registry's own call.
    suite.register(&[charlie.clone()])?;
    call_ok::<(), RegistryError>(&mut suite.session, &registry, "update", &[bob.to_string(), identity(250)])?;
    for token in [&first, &second] {
        for who in [&bob, &charlie] {
            let (kept, truth) = views(&mut suite, token, who)?;
            assert!(kept.is_some() && kept == truth, "{token} keeps {kept:?} for {who}, the registry {truth:?}");
        }
        assert_eq!(views(&mut suite, token, &bob)?.0.map(|c| c.country), Some(250));
    }
    suite.mint(&[bob.clone()], 1_000_000)?;
    call_ok::<(), RegistryError>(&mut suite.session, &registry, "remove", &[charlie.to_string()])?;
    for token in [&first, &second] {
        assert_eq!(views(&mut suite, token, &charlie)?, (None, None), "a removal reaches every bound token at once");
    }
    let refused = suite.as_actor(&bob, |s| call_err::<(), PSP22Error>(&mut s.session, &first, "PSP22::transfer", &transfer_args(&charlie, 1)))?;
    assert_eq!(refused, PSP22Error::Custom("RecipientNotVerified".into()));

    // Unbound, the second token cannot hear of changes, so it verifies nobody (fail closed);
    // the first still hears of them.
    call_ok::<(), RegistryError>(&mut suite.session, &registry, "unbind_token", &[second.to_string(), "false".into()])?;
    assert_eq!(binding(&mut suite, &second)?, (false, 1));
    call_ok::<(), RegistryError>(&mut suite.session, &registry, "update", &[bob.to_string(), identity(276)])?;
    assert_eq!(views(&mut suite, &first, &bob)?.0.map(|c| c.country), Some(276));
    assert_eq!(views(&mut suite, &second, &bob)?.0, None, "an unbound token honours no credential");
    let refused = suite.as_actor(&outsider, |s| call_err::<(), gpu_hour_token::token::TokenError>(&mut s.session, &second, "sync", &[format!("[{bob}]")]))?;
    assert_eq!(refused, TokenError::NotBound);
    let gone = call_err::<(), RegistryError>(&mut suite.session, &registry, "unbind_token", &[second.to_string(), "false".into()])?;
    assert_eq!(gone, RegistryError::NotBound);
    // Bound again, what it kept from the first binding stays void until synced.
    call_ok::<(), RegistryError>(&mut suite.session, &registry, "bind_token", &[second.to_string()])?;
    assert_eq!(binding(&mut suite, &second)?, (true, 2));
    assert_eq!(views(&mut suite, &second, &bob)?.0, None);
    suite.as_actor(&outsider, |s| call_ok::<(), gpu_hour_token::token::TokenError>(&mut s.session, &second, "sync", &[format!("[{bob}]")]))?;
    let (kept, truth) = views(&mut suite, &second, &bob)?;
    assert_eq!((kept.map(|c| c.country), kept), (Some(276), truth));
    Ok(())
}

#[test]
fn a_transfer_makes_no_cross_contract_call() -> TestResult {
    let mut suite = Suite::deploy()?;
    let (bob, charlie) = (account(2), account(3));
    suite.register(&[bob.clone(), charlie.clone()])?;
    suite.mint(&[bob.clone(), charlie.clone()], 1_000_000)?;
    let token = suite.token.clone();
    let registry = suite.registry.clone();
    suite.as_actor(&bob, |s| call_ok::<(), PSP22Error>(&mut s.session, &token, "PSP22::transfer", &transfer_args(&charlie, 1)))?;
    assert_eq!(e2e_tests::sandbox::contracts_called(&suite.session), vec![token.clone()], "the transfer reached the token only");
    assert_eq!(delegate_calls(&suite.session), vec![], "and ran the front's code only");
    let admin = suite.admin.clone();
    suite.admin_ok::<()>("mint", &[bob.to_string(), "1".into()])?;
    assert_eq!(e2e_tests::sandbox::contracts_called(&suite.session), vec![token.clone(), admin], "a mint: the admin, then the token");
    assert_eq!(delegate_calls(&suite.session), vec![(token.clone(), suite.token_logic.clone())], "the front ran its logic code");
    // A registry change reaches the token in the same call.
    call_ok::<(), RegistryError>(&mut suite.session, &registry, "update", &[charlie.to_string(), identity(250)])?;
    assert_eq!(e2e_tests::sandbox::contracts_called(&suite.session), vec![token, registry], "the token's call ends first");
    Ok(())
}

/// The deployed token is its crate's front build: PSP22 in its own code, every other message run
/// by delegate call in the full build's code, fixed at construction. Both builds come from one
/// source, so they have one storage layout and one interface (what clients and wallets read),
/// and the front is the smaller code every transfer loads.
#[test]
fn the_token_runs_its_front_and_delegates_the_rest_to_one_layout() -> TestResult {
    let mut suite = Suite::deploy()?;
    let token = suite.token.clone();
    // Logic read, one layout and interface, the smaller front, the logic locked (the chain
    // refuses `remove_code` while the token depends on it: a removal would have stopped claims,
    // admin operations and the registry's pushes).
    let issuer = suite.issuer.clone();
    assert_eq!(assert_front(&mut suite.session, "gpu_hour_token", &token, issuer)?, suite.token_logic);
    // A refusal in the logic code reaches the caller as the token's own (forwarded output).
    let outsider = account(99);
    suite.fund(&outsider)?;
    let refused = suite.as_actor(&outsider, |s| call_err::<Vec<(u128, u128)>, TokenError>(&mut s.session, &token, "TokenAdmin::admin", &["[SetPaused(true)]".into()]))?;
    assert_eq!(refused, TokenError::NotAdmin);
    assert!(!suite.token_state()?.paused);
    // A front over code that was never uploaded cannot be deployed (its constructor traps).
    let (registry, coin) = (suite.registry.clone(), suite.coin.clone());
    let args = ["None".into(), "None".into(), POOL.into(), registry.to_string(), coin.to_string(), format!("0x{}", "07".repeat(32))];
    assert!(deploy(&mut suite.session, "gpu_hour_token", "new", &args).is_err());
    Ok(())
}

/// The token's admin operations come only from its `pool_admin`; a batch is all or nothing
/// across both contracts (the admin's records revert with the token's refusal); redemptions are
/// recorded exactly when the token burns; the admin role can be handed over once.
#[test]
fn the_pool_admin_drives_the_token_all_or_nothing() -> TestResult {
    let mut suite = Suite::deploy()?;
    let (bob, charlie, dave) = (account(2), account(3), account(4));
    suite.register(&[bob.clone(), charlie.clone()])?;
    suite.fund(&dave)?;
    let (token, admin) = (suite.token.clone(), suite.admin.clone());
    assert_eq!(suite.token_state()?.admin, ink_id(&admin));

    // Nobody else drives the token, not even the issuer who deployed it.
    for who in [suite.issuer.clone(), bob.clone()] {
        let refused = suite.as_actor(&who, |s| {
            call_err::<Vec<(u128, u128)>, TokenError>(&mut s.session, &token, "TokenAdmin::admin", &[format!("[Mint {{ to: {bob}, amount: 1 }}]")])
        })?;
        assert_eq!(refused, TokenError::NotAdmin);
    }

    // A batch with one unverified recipient mints nothing at all.
    let batch = format!("[({bob}, 5), ({dave}, 5), ({charlie}, 5)]");
    assert_eq!(suite.admin_err::<()>("batch_mint", &[batch])?, Error::Token(TokenError::RecipientNotVerified));
    assert_eq!((suite.balance(&token, &bob)?, suite.balance(&token, &charlie)?), (0, 0));
    suite.admin_ok::<()>("batch_mint", &[format!("[({bob}, 500), ({charlie}, 300)]")])?;
    assert_eq!(call::<u128>(&mut suite.session, &token, "PSP22::total_supply", &[])?, 800);

    // A redemption burns in the token and is recorded in the admin, in one call.
    let id = suite.as_actor(&bob, |s| s.admin_ok::<u64>("redeem", &["200".into()]))?;
    assert_eq!(id, 0);
    let requested = emitted::<pool_admin::pool_admin::RedemptionRequested>(&suite.session, &admin)?;
    assert_eq!(requested.iter().map(|e| (e.id, e.holder, e.amount)).collect::<Vec<_>>(), vec![(0, ink_id(&bob), 200)]);
    assert_eq!((suite.balance(&token, &bob)?, suite.token_state()?.redeemed), (300, 200));
    let record = call::<Option<Redemption>>(&mut suite.session, &admin, "redemption", &["0".into()])?.ok_or("no record")?;
    assert_eq!((record.holder, record.amount, record.status), (ink_id(&bob), 200, RedemptionStatus::Pending));
    // Refused by the token (paused): no burn, and no record either.
    suite.admin_ok::<()>("pause", &[])?;
    let refused = suite.as_actor(&bob, |s| s.admin_err::<u64>("redeem", &["1".into()]))?;
    assert_eq!(refused, Error::Token(TokenError::Paused));
    assert_eq!(call::<u64>(&mut suite.session, &admin, "redemption_count", &[])?, 1);
    assert_eq!(suite.balance(&token, &bob)?, 300);
    suite.admin_ok::<()>("unpause", &[])?;
    suite.admin_ok::<()>("fulfill_redemption", &["0".into()])?;
    assert_eq!(suite.admin_err::<()>("fulfill_redemption", &["0".into()])?, Error::RedemptionNotPending);

    // A refused attestation leaves the history as it was.
    assert_eq!(call::<u32>(&mut suite.session, &admin, "attestation_count", &[])?, 1);
    let over = suite.admin_err::<()>("attest_capacity", &[(POOL_GPU_HOURS + 1).to_string(), format!("0x{}", "01".repeat(32)), "\"\"".into()])?;
    assert_eq!(over, Error::Token(TokenError::CapacityExceedsPool));
    assert_eq!(call::<u32>(&mut suite.session, &admin, "attestation_count", &[])?, 1);

    // Handing over: never to the token or nobody. A successor for another token cannot take
    // over; a proposal is withdrawn by proposing the admin itself; the right successor takes
    // over, and from then on only it drives the token.
    for invalid in [token.clone(), drink::AccountId32::new([0; 32])] {
        assert_eq!(suite.admin_err::<()>("hand_over", &[invalid.to_string()])?, Error::Token(TokenError::InvalidAdmin));
    }
    let bundle = || e2e_tests::sandbox::bundle("pool_admin");
    let stray = suite.session.deploy_bundle(bundle()?, "new", &[suite.coin.to_string()], vec![1], drink::session::NO_ENDOWMENT)?;
    suite.admin_ok::<()>("hand_over", &[stray.to_string()])?;
    assert_eq!(call_err::<(), Error>(&mut suite.session, &stray, "take_over", &[])?, Error::CallFailed, "it drives the stablecoin, not the token");
    let withdrawn = suite.session.deploy_bundle(bundle()?, "new", &[token.to_string()], vec![3], drink::session::NO_ENDOWMENT)?;
    suite.admin_ok::<()>("hand_over", &[withdrawn.to_string()])?;
    suite.admin_ok::<()>("hand_over", &[admin.to_string()])?;
    assert_eq!(suite.token_state()?.pending_admin, None, "the admin proposing itself withdraws the proposal");
    assert_eq!(call_err::<(), Error>(&mut suite.session, &withdrawn, "take_over", &[])?, Error::Token(TokenError::NotAdmin), "a withdrawn successor cannot take over");
    // Second review: the seller of the pool admin slips a proposal in just before the buyer
    // accepts ownership; the buyer's acceptance withdraws it, so the seller's contract cannot take over.
    let (buyer, sellers_agent) = (account(88), account(89));
    suite.fund(&buyer)?;
    call_ok::<(), compute_rwa_common::AccessError>(&mut suite.session, &admin, "AccessControl::set_role", &["Agent".into(), sellers_agent.to_string(), "true".into()])?;
    let slipped = suite.session.deploy_bundle(bundle()?, "new", &[token.to_string()], vec![4], drink::session::NO_ENDOWMENT)?;
    call_ok::<(), compute_rwa_common::AccessError>(&mut suite.session, &admin, "Ownable2Step::transfer_ownership", &[format!("Some({buyer})")])?;
    suite.admin_ok::<()>("hand_over", &[slipped.to_string()])?;
    assert_eq!(suite.token_state()?.pending_admin, Some(ink_id(&slipped)));
    suite.as_actor(&buyer, |s| call_ok::<(), compute_rwa_common::AccessError>(&mut s.session, &admin, "Ownable2Step::accept_ownership", &[]))?;
    assert_eq!(suite.token_state()?.pending_admin, None, "the buyer's acceptance withdrew the seller's proposal");
    assert_eq!(call_err::<(), Error>(&mut suite.session, &slipped, "take_over", &[])?, Error::Token(TokenError::NotAdmin));
    let refused = suite.as_actor(&sellers_agent, |s| call_err::<(), Error>(&mut s.session, &admin, "pause", &[]))?;
    assert_eq!(refused, Error::MissingRole(compute_rwa_common::Role::Agent), "the seller's agent lost the role with the sale");
    // The buyer hands ownership back for the rest of the story.
    suite.as_actor(&buyer, |s| call_ok::<(), compute_rwa_common::AccessError>(&mut s.session, &admin, "Ownable2Step::transfer_ownership", &[format!("Some({})", s.issuer)]))?;
    let issuer = suite.issuer.clone();
    suite.as_actor(&issuer, |s| call_ok::<(), compute_rwa_common::AccessError>(&mut s.session, &admin, "Ownable2Step::accept_ownership", &[]))?;
    let successor = suite.session.deploy_bundle(bundle()?, "new", &[token.to_string()], vec![2], drink::session::NO_ENDOWMENT)?;
    suite.admin_ok::<()>("hand_over", &[successor.to_string()])?;
    let state = suite.token_state()?;
    assert_eq!((state.admin, state.pending_admin), (ink_id(&admin), Some(ink_id(&successor))), "proposed, not yet accepted");
    call_ok::<(), Error>(&mut suite.session, &successor, "take_over", &[])?;
    assert_eq!((suite.token_state()?.admin, suite.token_state()?.pending_admin), (ink_id(&successor), None));
    assert_eq!(suite.admin_err::<()>("pause", &[])?, Error::Token(TokenError::NotAdmin));
    call_ok::<(), Error>(&mut suite.session, &successor, "pause", &[])?;
    assert!(suite.token_state()?.paused);
    Ok(())
}

/// The class, transfer-limit and lockup modules, set through the pool admin, decide in the
/// deployed token: each refusal is named by the PSP22 error and by `check_transfer`, agents
/// are not limited, and the holder's record is readable.
#[test]
fn the_class_transfer_limit_and_lockup_modules_decide_in_the_deployed_token() -> TestResult {
    let mut suite = Suite::deploy()?;
    let (bob, charlie, erin) = (account(2), account(3), account(5));
    suite.register(&[bob.clone(), charlie.clone()])?;
    let registry = suite.registry.clone();
    let retail = identity(276).replace("Accredited", "Retail");
    call_ok::<(), identity_registry::identity_registry::Error>(&mut suite.session, &registry, "register", &[erin.to_string(), retail])?;
    suite.fund(&erin)?;
    let token = suite.token.clone();
    let hour = 3_600_000u64;
    let rules = ComplianceRules {
        allowed_classes: InvestorClass::Accredited.bit(),
        transfer_limit: 300_000,
        transfer_window: hour,
        lockup: 24 * hour,
        ..Default::default()
    };
    let text = format!(
        "ComplianceRules {{ max_holders: 0, max_balance: 0, blocked_countries: [], allowed_classes: {}, transfer_limit: 300000, transfer_window: {hour}, lockup: {} }}",
        rules.allowed_classes,
        24 * hour
    );
    // Only the owner of the pool admin sets rules; a bad rule set is refused whole.
    let refused = suite.as_actor(&bob, |s| s.admin_err::<()>("set_compliance", &[text.clone()]))?;
    assert_eq!(refused, Error::NotOwner);
    let no_window = text.replace(&format!("transfer_window: {hour}"), "transfer_window: 0");
    assert_eq!(suite.admin_err::<()>("set_compliance", &[no_window])?, Error::Token(TokenError::InvalidRule));
    suite.admin_ok::<()>("set_compliance", &[text])?;
    let updated = emitted::<pool_admin::pool_admin::ComplianceUpdated>(&suite.session, &suite.admin.clone())?;
    assert_eq!(updated.iter().map(|e| e.rules.clone()).collect::<Vec<_>>(), vec![rules.clone()]);
    assert_eq!(suite.token_state()?.rules, rules);

    let start = suite.now();
    suite.admin_ok::<()>("mint", &[bob.to_string(), "1000000".into()])?;
    assert_eq!(suite.holding(&bob)?.compliance, HolderRecord { locked: 1_000_000, locked_until: start + 24 * hour, ..Default::default() });
    let check = |s: &mut Suite, from: &drink::AccountId32, to: &drink::AccountId32, amount: u128| {
        e2e_tests::sandbox::call_result::<(), TokenError>(&mut s.session, &token.clone(), "check_transfer", &[from.to_string(), to.to_string(), amount.to_string()])
    };
    let send = |s: &mut Suite, from: &drink::AccountId32, to: &drink::AccountId32, amount: u128| {
        let token = s.token.clone();
        s.as_actor(from, |s| e2e_tests::sandbox::call_result::<(), PSP22Error>(&mut s.session, &token, "PSP22::transfer", &transfer_args(to, amount)))
    };

    // Minted units wait for the lockup.
    assert_eq!(check(&mut suite, &bob, &charlie, 1)?, Err(TokenError::TokensLocked));
    assert_eq!(send(&mut suite, &bob, &charlie, 1)?, Err(PSP22Error::Custom("TokensLocked".into())));
    suite.advance(24 * hour);
    // Then at most 300,000 units per hour leave Bob's wallet by his own hand.
    assert_eq!(send(&mut suite, &bob, &charlie, 300_000)?, Ok(()));
    assert_eq!(check(&mut suite, &bob, &charlie, 1)?, Err(TokenError::TransferLimitExceeded));
    assert_eq!(send(&mut suite, &bob, &charlie, 1)?, Err(PSP22Error::Custom("TransferLimitExceeded".into())));
    assert_eq!(suite.holding(&bob)?.compliance.sent, 300_000);
    // An agent's forced transfer is not a holder's send: neither limited nor counted.
    suite.admin_ok::<()>("forced_transfer", &[bob.to_string(), charlie.to_string(), "400000".into()])?;
    assert_eq!(suite.holding(&bob)?.compliance.sent, 300_000);
    // A retail investor is not among the admitted classes.
    assert_eq!(check(&mut suite, &charlie, &erin, 1)?, Err(TokenError::ClassNotAllowed));
    assert_eq!(send(&mut suite, &charlie, &erin, 1)?, Err(PSP22Error::Custom("ClassNotAllowed".into())));
    suite.advance(hour);
    assert_eq!(send(&mut suite, &bob, &charlie, 300_000)?, Ok(()));
    assert_eq!(suite.balance(&token, &bob)?, 0);
    assert_eq!(suite.balance(&token, &charlie)?, 1_000_000);
    assert_eq!(suite.balance(&token, &erin)?, 0);
    Ok(())
}
