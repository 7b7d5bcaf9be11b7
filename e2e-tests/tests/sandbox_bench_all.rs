//! Weight and storage deposit of every public message of every contract, for docs/benchmarks.md
//! (`scripts/bench.sh`; ignored in tests: it measures, it does not judge). Each call must succeed
//! (a revert fails the run). Lines: `BENCH|<contract>|<message>|<ref_time>|<proof_size>|<deposit>`.
use drink::session::NO_ENDOWMENT;
use drink::AccountId32;
use e2e_tests::sandbox::{account, arbiter, ANY_DEPOSIT, deploy, deposit, feed_config, identity, operator, report, reporters, Suite, HOUR, POOL};
use e2e_tests::TestResult;
use ink::scale::{Decode, Error, Input};

/// Any return value, skipped: the call's success is what matters here.
struct Any;

impl Decode for Any {
    fn decode<I: Input>(input: &mut I) -> Result<Self, Error> {
        while input.read_byte().is_ok() {}
        Ok(Any)
    }
}

/// The suite plus Cardinal's reference PSP22, and the name each address is reported under.
struct Meter {
    suite: Suite,
    contracts: Vec<(&'static str, AccountId32)>,
}

impl Meter {
    /// Calls `message` as `actor` and prints its cost under `label`.
    fn labelled(&mut self, actor: &AccountId32, contract: &str, message: &str, label: &str, args: &[String]) -> TestResult {
        self.call(actor, contract, message, args)?;
        let (ref_time, proof_size) = self.suite.last_weight();
        println!("BENCH|{contract}|{label}|{ref_time}|{proof_size}|{}", deposit(&self.suite.session));
        Ok(())
    }

    /// Calls `message` as `actor`; fails unless it succeeds.
    fn call(&mut self, actor: &AccountId32, contract: &str, message: &str, args: &[String]) -> TestResult {
        let address = self.contracts.iter().find(|(name, _)| *name == contract).map(|(_, a)| a.clone()).ok_or(format!("no {contract}"))?;
        self.suite.session.set_actor(actor.clone());
        let outcome = self.suite.session.call_with_address::<_, Any>(address, message, args, NO_ENDOWMENT);
        self.suite.session.set_actor(self.suite.issuer.clone());
        outcome.map_err(|e| format!("{contract}::{message} failed: {e:?}"))?.map_err(|e| format!("{contract}::{message}: {e:?}"))?;
        Ok(())
    }

    fn run(&mut self, actor: &AccountId32, contract: &str, message: &str, args: &[String]) -> TestResult {
        self.labelled(actor, contract, message, message, args)
    }

    /// Two-step ownership handover to `heir` and back (measures the first pair).
    fn ownership(&mut self, contract: &str) -> TestResult {
        let (issuer, heir) = (self.suite.issuer.clone(), account(77));
        self.suite.fund(&heir)?;
        self.run(&issuer, contract, "Ownable2Step::owner", &[])?;
        self.run(&issuer, contract, "Ownable2Step::transfer_ownership", &[format!("Some({heir})")])?;
        self.run(&heir, contract, "Ownable2Step::pending_owner", &[])?;
        self.run(&heir, contract, "Ownable2Step::accept_ownership", &[])?;
        self.labelled(&heir, contract, "Ownable2Step::transfer_ownership", "Ownable2Step::transfer_ownership (back)", &[format!("Some({issuer})")])?;
        self.labelled(&issuer, contract, "Ownable2Step::accept_ownership", "Ownable2Step::accept_ownership (back)", &[])
    }

    /// Grants `role` to `account` and reads it back.
    fn role(&mut self, contract: &str, role: &str, account: &AccountId32) -> TestResult {
        let issuer = self.suite.issuer.clone();
        self.run(&issuer, contract, "AccessControl::set_role", &[role.into(), account.to_string(), "true".into()])?;
        self.run(&issuer, contract, "AccessControl::has_role", &[role.into(), account.to_string()])
    }
}

fn s(value: impl ToString) -> String {
    value.to_string()
}

#[test]
#[ignore]
fn every_message() -> TestResult {
    let mut suite = Suite::deploy()?;
    let reference = deploy(&mut suite.session, "reference_psp22", "new", &[s(1_000_000_000_000u128), "None".into(), "None".into(), s(6)])?;
    let contracts = vec![
        ("stablecoin", suite.coin.clone()),
        ("identity_registry", suite.registry.clone()),
        ("gpu_hour_token", suite.token.clone()),
        ("pool_admin", suite.admin.clone()),
        ("utilization_oracle", suite.oracle.clone()),
        ("rental_escrow", suite.escrow.clone()),
        ("reference_psp22", reference),
    ];
    let mut m = Meter { suite, contracts };
    let issuer = m.suite.issuer.clone();
    let [bob, charlie, dave, erin, frank, renter, agent] = [2, 3, 4, 5, 6, 51, 60].map(account);
    for who in [&bob, &charlie, &dave, &erin, &frank, &renter, &agent] {
        m.suite.fund(who)?;
    }
    registry(&mut m, &issuer, [&bob, &charlie, &dave, &erin, &agent])?;
    token(&mut m, &issuer, [&bob, &charlie, &dave, &erin, &frank, &agent])?;
    escrow_and_oracle(&mut m, &issuer, &renter, &agent)?;
    psp22_messages(&mut m, "stablecoin", &issuer, &bob, &charlie)?;
    m.run(&issuer, "stablecoin", "mint", &[bob.to_string(), s(1_000)])?;
    m.run(&bob, "stablecoin", "burn", &[s(100)])?;
    m.role("stablecoin", "Minter", &agent)?;
    m.ownership("stablecoin")?;
    psp22_messages(&mut m, "reference_psp22", &issuer, &bob, &charlie)
}

/// The PSP22 and PSP22Metadata messages: `owner` holds tokens and pays `to` (who already holds
/// some, as in the reference comparison); `spender` spends an allowance.
fn psp22_messages(m: &mut Meter, contract: &str, owner: &AccountId32, to: &AccountId32, spender: &AccountId32) -> TestResult {
    if contract == "stablecoin" {
        m.run(owner, contract, "mint", &[owner.to_string(), s(1_000_000_000)])?;
    }
    m.call(owner, contract, "PSP22::transfer", &[to.to_string(), s(1), "[]".into()])?;
    m.run(owner, contract, "PSP22::transfer", &[to.to_string(), s(1_000), "[]".into()])?;
    m.run(owner, contract, "PSP22::approve", &[spender.to_string(), s(1_000)])?;
    m.run(owner, contract, "PSP22::increase_allowance", &[spender.to_string(), s(10)])?;
    m.run(owner, contract, "PSP22::decrease_allowance", &[spender.to_string(), s(10)])?;
    m.run(spender, contract, "PSP22::transfer_from", &[owner.to_string(), spender.to_string(), s(500), "[]".into()])?;
    m.run(owner, contract, "PSP22::total_supply", &[])?;
    m.run(owner, contract, "PSP22::balance_of", &[to.to_string()])?;
    m.run(owner, contract, "PSP22::allowance", &[owner.to_string(), spender.to_string()])?;
    for message in ["PSP22Metadata::token_name", "PSP22Metadata::token_symbol", "PSP22Metadata::token_decimals"] {
        m.run(owner, contract, message, &[])?;
    }
    Ok(())
}

fn registry(m: &mut Meter, issuer: &AccountId32, [bob, charlie, dave, erin, agent]: [&AccountId32; 5]) -> TestResult {
    let c = "identity_registry";
    // The suite binds its token: every change below is pushed to it.
    m.labelled(issuer, c, "register", "register (1 bound token)", &[bob.to_string(), identity(276)])?;
    let batch = [charlie, dave, erin].map(|who| format!("({who}, {})", identity(276)));
    m.labelled(issuer, c, "register_batch", "register_batch (3, 1 bound token)", &[format!("[{}]", batch.join(", "))])?;
    m.labelled(issuer, c, "register_batch", "register_batch (50, 1 bound token)", &[full_batch(100)])?;
    m.run(issuer, c, "update", &[bob.to_string(), identity(250)])?;
    m.run(issuer, c, "register", &[agent.to_string(), identity(276)])?;
    m.run(issuer, c, "remove", &[agent.to_string()])?;
    m.run(issuer, c, "identity", &[bob.to_string()])?;
    m.run(issuer, c, "identity_count", &[])?;
    m.role(c, "Agent", agent)?;
    m.run(issuer, c, "IdentityCheck::is_verified", &[bob.to_string()])?;
    m.run(issuer, c, "IdentityCheck::credential", &[bob.to_string()])?;
    // The most tokens a registry pushes to (MAX_BOUND_TOKENS = 8): seven more, bound and unbound.
    let (registry, coin) = (m.suite.registry.clone(), m.suite.coin.clone());
    let logic = m.suite.token_logic.clone();
    let token_args = |i: u32| [format!("Some(\"T{i}\")"), "None".into(), POOL.into(), registry.to_string(), coin.to_string(), logic.clone()];
    let extra: Vec<AccountId32> = (0..7).map(|i| deploy(&mut m.suite.session, "gpu_hour_token", "new", &token_args(i))).collect::<TestResult<_>>()?;
    m.run(issuer, c, "bind_token", &[extra[0].to_string()])?;
    for token in &extra[1..] {
        m.call(issuer, c, "bind_token", &[token.to_string()])?;
    }
    m.run(issuer, c, "bound_tokens", &[])?;
    m.labelled(issuer, c, "register", "register (8 bound tokens)", &[account(99).to_string(), identity(276)])?;
    m.labelled(issuer, c, "register_batch", "register_batch (50, 8 bound tokens)", &[full_batch(150)])?;
    m.labelled(issuer, c, "remove", "remove (8 bound tokens)", &[account(99).to_string()])?;
    m.run(issuer, c, "unbind_token", &[extra[0].to_string(), s(false)])?;
    for token in &extra[1..] {
        m.call(issuer, c, "unbind_token", &[token.to_string(), s(false)])?;
    }
    m.ownership(c)
}

/// A full registry batch (50 records) for accounts `first..first + 50`.
fn full_batch(first: u8) -> String {
    let records: Vec<String> = (first..first + 50).map(|b| format!("({}, {})", account(b), identity(276))).collect();
    format!("[{}]", records.join(", "))
}

fn token(m: &mut Meter, issuer: &AccountId32, [bob, charlie, dave, erin, frank, agent]: [&AccountId32; 6]) -> TestResult {
    let (c, a) = ("gpu_hour_token", "pool_admin");
    m.run(issuer, c, "state", &[])?;
    for message in ["token", "attestation_count", "redemption_count"] {
        m.run(issuer, a, message, &[])?;
    }
    m.run(issuer, a, "attestation", &[s(0)])?;
    m.run(issuer, a, "attest_capacity", &[s(5_760), format!("0x{}", "cd".repeat(32)), "\"ipfs://attestation/2\"".into()])?;
    m.run(issuer, a, "mint", &[bob.to_string(), s(1_000_000_000)])?;
    let mints = [charlie, dave].map(|who| format!("({who}, 1000000000)"));
    m.labelled(issuer, a, "batch_mint", "batch_mint (2)", &[format!("[{}]", mints.join(", "))])?;
    psp22_messages(m, c, bob, charlie, dave)?;
    m.run(issuer, c, "check_transfer", &[bob.to_string(), charlie.to_string(), s(1)])?;
    m.run(issuer, c, "holding", &[bob.to_string()])?;
    m.labelled(erin, c, "sync", "sync (2)", &[format!("[{bob}, {charlie}]")])?;

    // Yield: the issuer pays 1 USDC to holders, streamed over one second (still in epoch 0 of
    // the feed, so the escrow's rentals below start in the future); holders claim.
    m.run(issuer, a, "set_yield_period", &[s(1_000)])?;
    let token = m.suite.token.clone();
    m.run(issuer, "stablecoin", "PSP22::approve", &[token.to_string(), s(1_000_000)])?;
    m.run(issuer, c, "YieldDistributor::distribute", &[s(1_000_000)])?;
    let now = m.suite.now();
    m.suite.set_time(now + 1_000);
    m.labelled(issuer, c, "holding", "holding (with yield)", &[bob.to_string()])?;
    m.run(bob, c, "claim", &[])?;
    m.run(charlie, c, "claim_to", &[frank.to_string()])?;
    m.run(issuer, c, "distributions", &[s(0), s(10)])?;
    m.run(issuer, a, "set_distributor", &[agent.to_string(), s(true)])?;

    // Enforcement, through the admin.
    m.run(issuer, a, "set_frozen", &[bob.to_string(), s(true)])?;
    m.labelled(issuer, a, "batch_set_frozen", "batch_set_frozen (1)", &[format!("[({bob}, false)]")])?;
    m.run(issuer, a, "freeze_partial", &[bob.to_string(), s(100)])?;
    m.labelled(issuer, c, "holding", "holding (frozen)", &[bob.to_string()])?;
    m.run(issuer, a, "unfreeze_partial", &[bob.to_string(), s(100)])?;
    m.labelled(issuer, a, "batch_freeze_partial", "batch_freeze_partial (1)", &[format!("[({bob}, 100)]")])?;
    m.run(issuer, a, "unfreeze_partial", &[bob.to_string(), s(100)])?;
    m.run(issuer, a, "forced_transfer", &[bob.to_string(), charlie.to_string(), s(100)])?;
    m.labelled(issuer, a, "batch_forced_transfer", "batch_forced_transfer (1)", &[format!("[({charlie}, {bob}, 100)]")])?;
    m.run(issuer, a, "recover", &[dave.to_string(), erin.to_string()])?;
    m.run(issuer, a, "burn_from", &[bob.to_string(), s(100)])?;
    m.run(issuer, a, "pause", &[])?;
    m.run(issuer, a, "unpause", &[])?;
    m.run(issuer, a, "set_compliance", &["ComplianceRules { max_holders: 1000, max_balance: 0, blocked_countries: [408], allowed_classes: 0, transfer_limit: 0, transfer_window: 0, lockup: 0 }".into()])?;
    // The same transfer with every module on: the sender's record is read and written as well.
    let every_module = "ComplianceRules { max_holders: 1000, max_balance: 1000000000000, blocked_countries: [408], allowed_classes: 7, \
                        transfer_limit: 1000000000000, transfer_window: 86400000, lockup: 86400000 }";
    m.labelled(issuer, a, "set_compliance", "set_compliance (every module on)", &[every_module.into()])?;
    m.labelled(charlie, c, "PSP22::transfer", "PSP22::transfer (every compliance module on)", &[bob.to_string(), s(1_000), "[]".into()])?;

    // Redemption.
    m.run(charlie, a, "redeem", &[s(10_000_000)])?;
    m.run(issuer, a, "redemption", &[s(0)])?;
    m.run(issuer, a, "fulfill_redemption", &[s(0)])?;
    m.role(a, "Agent", agent)?;
    m.ownership(a)
}

fn escrow_and_oracle(m: &mut Meter, issuer: &AccountId32, renter: &AccountId32, agent: &AccountId32) -> TestResult {
    let (e, o) = ("rental_escrow", "utilization_oracle");
    let (operator, arbiter) = (operator(), arbiter());
    let escrow = m.suite.escrow.clone();
    // In epoch 0: three rentals (A 4 GPUs epochs 1–3, then extended to 4; B 2 GPUs epoch 1; C 2 GPUs epochs 5–6).
    m.run(issuer, "stablecoin", "mint", &[renter.to_string(), s(100_000_000)])?;
    m.run(renter, "stablecoin", "PSP22::approve", &[escrow.to_string(), s(100_000_000)])?;
    m.labelled(renter, e, "open", "open (4 GPUs, 3 epochs)", &[s(4), s(1), s(3), ANY_DEPOSIT.into()])?;
    m.labelled(renter, e, "extend", "extend (1 epoch)", &[s(0), s(1), ANY_DEPOSIT.into()])?;
    m.labelled(renter, e, "open", "open (2 GPUs, 1 epoch)", &[s(2), s(1), s(1), ANY_DEPOSIT.into()])?;
    m.labelled(renter, e, "open", "open (2 GPUs, 2 epochs)", &[s(2), s(5), s(2), ANY_DEPOSIT.into()])?;
    m.labelled(renter, e, "cancel", "cancel (2 future epochs)", &[s(2)])?;
    m.labelled(issuer, e, "quote", "quote (2 GPUs, 3 epochs)", &[s(2), s(2), s(3)])?;
    m.labelled(issuer, e, "forward_curve", "forward_curve (24 epochs)", &[s(0), s(24)])?;
    m.run(issuer, e, "epoch_cost", &[s(0), s(1)])?;

    // The oracle: governance (a second feed whose only reporter is evicted), then epoch 1
    // reported by all three reporters.
    m.run(issuer, o, "feed_count", &[])?;
    m.run(issuer, o, "feed", &[s(0)])?;
    m.run(issuer, o, "add_reporter", &[s(0), agent.to_string()])?;
    m.run(issuer, o, "remove_reporter", &[s(0), agent.to_string()])?;
    m.run(issuer, o, "set_quorum", &[s(0), s(2)])?;
    m.run(issuer, o, "create_feed", &[feed_config(&m.suite.token), format!("[{agent}]"), s(1)])?;
    m.run(issuer, o, "evict_reporter", &[s(1), agent.to_string()])?;
    m.run(issuer, o, "UtilizationFeed::schedule", &[s(0)])?;
    m.suite.set_time(2 * HOUR + 1);
    let [first, second, third] = reporters();
    m.run(issuer, o, "current_epoch", &[s(0)])?;
    m.labelled(&first, o, "submit", "submit (pending)", &[s(0), s(1), report(8_000, 9_990)])?;
    m.run(issuer, o, "pending_reports", &[s(0), s(1)])?;
    m.call(&second, o, "submit", &[s(0), s(1), report(7_900, 9_700)])?;
    m.labelled(&third, o, "submit", "submit (finalizing)", &[s(0), s(1), report(7_950, 9_800)])?;
    for message in ["latest", "latest_unchecked"] {
        m.run(issuer, o, message, &[s(0)])?;
    }
    m.run(issuer, o, "epoch", &[s(0), s(1)])?;
    m.labelled(issuer, o, "eligible", "eligible (finalized epoch)", &[s(0), s(1)])?;
    m.run(issuer, o, "efficiency", &[s(0), s(1)])?;
    m.run(issuer, o, "UtilizationFeed::finalized_epoch", &[s(0), s(1)])?;
    m.labelled(issuer, o, "history", "history (10 epochs)", &[s(0), s(0), s(10)])?;
    m.run(issuer, o, "submission", &[s(0), s(1), first.to_string()])?;
    m.run(issuer, o, "reporter_window", &[s(0), first.to_string()])?;
    m.ownership(o)?;

    // Settlement of epoch 1: A from the oracle, B disputed and resolved; withdrawals.
    m.labelled(issuer, e, "settle", "settle (pays holders)", &[s(0), s(1)])?;
    m.run(renter, e, "dispute", &[s(1), s(1)])?;
    m.run(&arbiter, e, "resolve", &[s(1), s(1), s(1_000)])?;
    m.run(renter, e, "withdraw", &[])?;
    m.run(&operator, e, "withdraw_fees", &[])?;
    m.run(&operator, e, "set_offer", &[e2e_tests::sandbox::OFFER.into()])?;

    // Epoch 2 of A: two of three report; after the report window anyone finalizes it. The
    // token refuses the yield (the escrow's distributor role revoked): the settle defers it,
    // and once the role is back anyone pushes it.
    m.suite.set_time(3 * HOUR + 1);
    m.call(&first, o, "submit", &[s(0), s(2), report(8_000, 9_990)])?;
    m.call(&second, o, "submit", &[s(0), s(2), report(7_900, 9_700)])?;
    m.labelled(issuer, o, "eligible", "eligible (open epoch)", &[s(0), s(2)])?;
    m.suite.set_time(4 * HOUR);
    m.labelled(renter, o, "finalize", "finalize (2 of 3 after the window)", &[s(0), s(2)])?;
    m.call(issuer, "pool_admin", "set_distributor", &[escrow.to_string(), s(false)])?;
    m.labelled(renter, e, "settle", "settle (yield deferred)", &[s(0), s(2)])?;
    m.call(issuer, "pool_admin", "set_distributor", &[escrow.to_string(), s(true)])?;
    m.run(renter, e, "push_yield", &[])?;

    // Epoch 3 of A: two of three report; after the window the settle finalizes it through
    // the oracle's `UtilizationFeed::finalize_epoch`, measured on its own for epoch 4.
    m.call(&first, o, "submit", &[s(0), s(3), report(8_000, 9_990)])?;
    m.call(&second, o, "submit", &[s(0), s(3), report(7_900, 9_700)])?;
    m.suite.set_time(5 * HOUR);
    m.labelled(issuer, e, "settle", "settle (finalizes on 2 of 3)", &[s(0), s(3)])?;
    m.call(&first, o, "submit", &[s(0), s(4), report(8_000, 9_990)])?;
    m.call(&second, o, "submit", &[s(0), s(4), report(7_900, 9_700)])?;
    m.suite.set_time(6 * HOUR);
    m.run(renter, o, "UtilizationFeed::finalize_epoch", &[s(0), s(4)])?;

    // The arbiter changes in two steps; the resolved dispute keeps its arbiter.
    let next_arbiter = account(43);
    m.suite.fund(&next_arbiter)?;
    m.run(issuer, e, "propose_arbiter", &[format!("Some({next_arbiter})")])?;
    m.run(issuer, e, "pending_arbiter", &[])?;
    m.run(&next_arbiter, e, "accept_arbiter", &[])?;
    m.run(issuer, e, "dispute_arbiter", &[s(1), s(1)])?;
    for message in ["config", "schedule", "offer", "parties", "rental_count", "totals", "logic"] {
        m.run(issuer, e, message, &[])?;
    }
    m.run(issuer, e, "rental", &[s(0)])?;
    m.run(issuer, e, "rentals_of", &[renter.to_string(), s(0), s(10)])?;
    m.run(issuer, e, "epoch_state", &[s(0), s(1)])?;
    m.run(issuer, e, "booked_gpus", &[s(2)])?;
    m.run(issuer, e, "refundable", &[renter.to_string()])?;
    m.ownership(e)
}
