//! Property tests: random sequences of every state-changing operation keep the token's
//! books exact, streamed yield goes to holders by balance × time held, the `check_transfer`
//! read names exactly the rule a transfer meets, and the compliance modules hold: no arrival
//! at a class the rules exclude, no window with more sends than the limit, no minted unit sent
//! before its lockup ends.
use crate::rewards::REWARD_SCALE;
use crate::token::{ComplianceRules, TokenData, TokenError};
use crate::token_tests::{account, unverified, verified, BLOCKED, CAPACITY, POOL_LIMIT};
use compute_rwa_common::{Credential, InvestorClass, Party};
use std::collections::{BTreeMap, BTreeSet};
use ink::primitives::AccountId;
use proptest::prelude::*;

/// Account 2 is accredited, account 3 a custodian (a credit vault), account 4 is never verified
/// and account 5 lives in the country the rules may block; the others are retail investors.
const ACCOUNTS: u8 = 6;
/// Yield period at the start of each case (ms).
const PERIOD: u64 = 10_000;

#[derive(Debug, Clone)]
enum Op {
    Mint(u8, u128),
    Transfer(u8, u8, u128),
    /// Spender, from, to, amount.
    TransferFrom(u8, u8, u8, u128),
    Approve(u8, u8, u128),
    IncreaseAllowance(u8, u8, u128),
    DecreaseAllowance(u8, u8, u128),
    FreezePartial(u8, u128),
    UnfreezePartial(u8, u128),
    SetFrozen(u8, bool),
    SetPaused(bool),
    /// Max holders, max balance, whether the country of account 5 is blocked, allowed classes,
    /// transfer limit (0: off) and window, lockup (0: off).
    SetRules(u32, u128, bool, u8, u128, u64, u64),
    /// New capacity relative to what was issued (negative: refused).
    Attest(i128),
    BurnFrom(u8, u128),
    Redeem(u8, u128),
    ForcedTransfer(u8, u8, u128),
    Recover(u8, u8),
    Distribute(u128),
    Claim(u8),
    SetYieldPeriod(u64),
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0..ACCOUNTS;
    let amount = 0u128..400;
    prop_oneof![
        3 => (who.clone(), amount.clone()).prop_map(|(a, n)| Op::Mint(a, n)),
        4 => (who.clone(), who.clone(), amount.clone()).prop_map(|(a, b, n)| Op::Transfer(a, b, n)),
        2 => (who.clone(), who.clone(), who.clone(), amount.clone()).prop_map(|(s, a, b, n)| Op::TransferFrom(s, a, b, n)),
        1 => (who.clone(), who.clone(), amount.clone()).prop_map(|(a, s, n)| Op::Approve(a, s, n)),
        1 => (who.clone(), who.clone(), amount.clone()).prop_map(|(a, s, n)| Op::IncreaseAllowance(a, s, n)),
        1 => (who.clone(), who.clone(), amount.clone()).prop_map(|(a, s, n)| Op::DecreaseAllowance(a, s, n)),
        1 => (who.clone(), amount.clone()).prop_map(|(a, n)| Op::FreezePartial(a, n)),
        1 => (who.clone(), amount.clone()).prop_map(|(a, n)| Op::UnfreezePartial(a, n)),
        1 => (who.clone(), any::<bool>()).prop_map(|(a, f)| Op::SetFrozen(a, f)),
        1 => any::<bool>().prop_map(Op::SetPaused),
        2 => (
            (0u32..6, prop_oneof![Just(0u128), 100u128..1_500], any::<bool>(), 0u8..8),
            (prop_oneof![Just(0u128), 50u128..600], 1_000u64..20_000, prop_oneof![Just(0u64), 1_000u64..30_000]),
        )
            .prop_map(|((h, b, c, k), (l, w, u))| Op::SetRules(h, b, c, k, l, w, u)),
        1 => (-300i128..3_000).prop_map(Op::Attest),
        1 => (who.clone(), amount.clone()).prop_map(|(a, n)| Op::BurnFrom(a, n)),
        1 => (who.clone(), amount.clone()).prop_map(|(a, n)| Op::Redeem(a, n)),
        1 => (who.clone(), who.clone(), amount.clone()).prop_map(|(a, b, n)| Op::ForcedTransfer(a, b, n)),
        1 => (who.clone(), who.clone()).prop_map(|(a, b)| Op::Recover(a, b)),
        3 => (0u128..5_000).prop_map(Op::Distribute),
        2 => who.prop_map(Op::Claim),
        1 => (0u64..25_000).prop_map(Op::SetYieldPeriod),
        4 => (0u64..12_000).prop_map(Op::Advance),
    ]
}

fn party(index: u8) -> Party {
    match index {
        2 => Party { class: InvestorClass::Accredited, ..verified() },
        3 => Party { class: InvestorClass::Custodian, ..verified() },
        4 => unverified(),
        5 => Party { verified: true, country: BLOCKED, class: InvestorClass::Retail },
        _ => verified(),
    }
}

fn acc(index: u8) -> AccountId {
    account(index + 1)
}

/// An independent, continuous model of the stream: what each account should have
/// received, in real numbers, plus what the token should hold in stablecoin.
struct Ledger {
    now: u64,
    /// Stablecoin the token holds: distributed − claimed.
    held: u128,
    claimed: [u128; ACCOUNTS as usize],
    ideal: [f64; ACCOUNTS as usize],
    streaming: f64,
    undistributed: f64,
    stream_end: u64,
    last: u64,
    period: u64,
    /// Distinct instants at which the token may have released (rounding bound: 2 units each).
    instants: u32,
    /// Per account, since the rules last changed: units minted (when, how many) and units that
    /// left by agent operations or redemptions (when, how many) — the lockup's model.
    minted: [Vec<(u64, u128)>; ACCOUNTS as usize],
    removed: [Vec<(u64, u128)>; ACCOUNTS as usize],
    /// Per account, the transfer limit's model of its window: (start, units sent in it).
    window: [(u64, u128); ACCOUNTS as usize],
}

impl Ledger {
    fn new() -> Self {
        Self {
            now: 0,
            held: 0,
            claimed: [0; ACCOUNTS as usize],
            ideal: [0.0; ACCOUNTS as usize],
            streaming: 0.0,
            undistributed: 0.0,
            stream_end: 0,
            last: 0,
            period: PERIOD,
            instants: 1,
            minted: Default::default(),
            removed: Default::default(),
            window: Default::default(),
        }
    }

    /// Releases the stream up to `now` over the balances of that moment.
    fn update(&mut self, data: &TokenData) {
        let now = self.now.max(self.last);
        let elapsed = now.min(self.stream_end).saturating_sub(self.last);
        if elapsed > 0 && self.streaming > 0.0 {
            let released = self.streaming * elapsed as f64 / (self.stream_end - self.last) as f64;
            self.streaming -= released;
            let supply = data.total_supply();
            if supply == 0 {
                self.undistributed += released;
            } else {
                for i in 0..ACCOUNTS {
                    self.ideal[usize::from(i)] += released * data.balance_of(acc(i)) as f64 / supply as f64;
                }
            }
        }
        if now > self.last {
            self.instants += 1;
        }
        self.last = now;
    }

    /// Units the model's window of `account` holds at `now` under `rules` (0 once it ended).
    fn window_sent(&self, rules: &ComplianceRules, account: u8, now: u64) -> u128 {
        let (start, sent) = self.window[usize::from(account)];
        if rules.transfer_limit != 0 && now < start + rules.transfer_window { sent } else { 0 }
    }

    /// A voluntary send of `amount` by `from`, as the transfer limit's model decides it: whether
    /// it fits the limit (custodians and an unlimited token: always).
    fn fits(&self, rules: &ComplianceRules, from: u8, amount: u128) -> bool {
        rules.transfer_limit == 0
            || party(from).class == InvestorClass::Custodian
            || self.window_sent(rules, from, self.now) + amount <= rules.transfer_limit
    }

    /// After a voluntary send by `from` the token accepted: the model's window takes it (a new
    /// window starts with the first send after the last one ended) and must equal the token's
    /// record; and no unit minted within the lockup left, unless an agent or a redemption took it.
    fn sent(&mut self, data: &TokenData, from: u8, amount: u128) -> Result<(), TestCaseError> {
        let (now, rules, i) = (self.now, data.rules(), usize::from(from));
        if party(from).class == InvestorClass::Custodian {
            return Ok(());
        }
        if rules.transfer_limit != 0 {
            let running = self.window_sent(&rules, from, now);
            let start = if running == 0 { now } else { self.window[i].0 };
            self.window[i] = (start, running + amount);
            let record = data.record(acc(from));
            prop_assert_eq!((record.window_start, record.sent), self.window[i], "the token's window is the model's");
            prop_assert!(record.sent <= rules.transfer_limit);
        }
        if rules.lockup != 0 {
            let recent: Vec<&(u64, u128)> = self.minted[i].iter().filter(|(at, _)| now < at + rules.lockup).collect();
            if let Some(first) = recent.first().map(|(at, _)| *at) {
                let locked: u128 = recent.iter().map(|(_, n)| n).sum();
                let taken: u128 = self.removed[i].iter().filter(|(at, _)| *at >= first).map(|(_, n)| n).sum();
                prop_assert!(data.balance_of(acc(from)) + taken >= locked, "account {} sent locked units", from);
            }
        }
        Ok(())
    }

    /// A recovery moved `lost`'s holdings to `new`: the lockup's lots follow them, and the two
    /// windows still running add up in the later one (ended ones are not revived).
    fn recovered(&mut self, rules: &ComplianceRules, lost: u8, new: u8) {
        let (l, n) = (usize::from(lost), usize::from(new));
        for list in [&mut self.minted, &mut self.removed] {
            let moved = std::mem::take(&mut list[l]);
            list[n].extend(moved);
            list[n].sort_unstable();
        }
        let (a, b) = (self.window_sent(rules, lost, self.now), self.window_sent(rules, new, self.now));
        let start = match (a, b) {
            (0, _) => self.window[n].0,
            (_, 0) => self.window[l].0,
            _ => self.window[l].0.max(self.window[n].0),
        };
        self.window[n] = (start, a + b);
        self.window[l] = (0, 0);
    }
}

fn apply(data: &mut TokenData, ledger: &mut Ledger, op: &Op) -> Result<(), TestCaseError> {
    ledger.update(data);
    let now = ledger.now;
    let balances: Vec<u128> = (0..ACCOUNTS).map(|a| data.balance_of(acc(a))).collect();
    match *op {
        Op::Mint(to, n) => {
            if data.mint(acc(to), n, party(to), now).is_ok() {
                ledger.minted[usize::from(to)].push((now, n));
            }
        }
        Op::Transfer(from, to, n) | Op::TransferFrom(_, from, to, n) => {
            let spender = match *op {
                Op::TransferFrom(spender, ..) => spender,
                _ => from,
            };
            let before = data.allowance(acc(from), acc(spender));
            let fits = ledger.fits(&data.rules(), from, n);
            let read = data.check_voluntary(acc(from), acc(to), n, (party(from), party(to)), now).map(drop);
            let result = data.transfer_from(acc(spender), acc(from), acc(to), n, (party(from), party(to)), now).map(drop);
            if from != to && n > 0 {
                if spender == from || before >= n {
                    prop_assert_eq!(read, result, "check_transfer names the rule the transfer meets");
                }
                if result == Err(TokenError::TransferLimitExceeded) {
                    prop_assert!(!fits, "refused a send the limit allows");
                } else if result.is_ok() {
                    prop_assert!(fits, "accepted a send beyond the limit");
                }
                if result.is_ok() {
                    if spender != from {
                        prop_assert_eq!(data.allowance(acc(from), acc(spender)), before - n, "allowance spent exactly");
                    }
                    ledger.sent(data, from, n)?;
                }
            }
        }
        Op::Approve(owner, spender, n) => drop(data.approve(acc(owner), acc(spender), n)),
        Op::IncreaseAllowance(owner, spender, n) => drop(data.increase_allowance(acc(owner), acc(spender), n)),
        Op::DecreaseAllowance(owner, spender, n) => drop(data.decrease_allowance(acc(owner), acc(spender), n)),
        Op::FreezePartial(a, n) => drop(data.freeze_partial(acc(a), n)),
        Op::UnfreezePartial(a, n) => drop(data.unfreeze_partial(acc(a), n)),
        Op::SetFrozen(a, frozen) => data.set_frozen(acc(a), frozen),
        Op::SetPaused(paused) => data.set_paused(paused),
        Op::SetRules(max_holders, max_balance, block, allowed_classes, transfer_limit, transfer_window, lockup) => {
            let blocked_countries = if block { vec![BLOCKED] } else { Vec::new() };
            let rules = ComplianceRules { max_holders, max_balance, blocked_countries, allowed_classes, transfer_limit, transfer_window, lockup };
            data.set_rules(rules).unwrap();
            // The lockup's model speaks of units minted under the current rules only.
            ledger.minted = Default::default();
            ledger.removed = Default::default();
        }
        Op::Attest(offset) => {
            let issued = (data.total_supply() + data.redeemed()) as i128;
            let capacity = u128::try_from(issued + offset).unwrap_or_default();
            let result = data.attest(capacity, POOL_LIMIT);
            assert_eq!(result.is_ok(), capacity as i128 >= issued, "capacity below issued is refused, anything else accepted");
        }
        Op::BurnFrom(a, n) | Op::Redeem(a, n) => {
            let result = match *op {
                Op::BurnFrom(..) => data.burn_from(acc(a), n, now),
                _ => data.redeem(acc(a), n, now),
            };
            if result.is_ok() {
                ledger.removed[usize::from(a)].push((now, n));
            }
        }
        Op::ForcedTransfer(from, to, n) => {
            if data.forced_transfer(acc(from), acc(to), n, party(to), now).is_ok() {
                ledger.removed[usize::from(from)].push((now, n));
            }
        }
        Op::Recover(lost, new) => {
            if data.recover(acc(lost), acc(new), party(new), now).is_ok() {
                // The new wallet inherits the lost one's entitlement, lockup and window.
                let (l, n) = (usize::from(lost), usize::from(new));
                ledger.claimed[n] += std::mem::take(&mut ledger.claimed[l]);
                ledger.ideal[n] += std::mem::take(&mut ledger.ideal[l]);
                ledger.recovered(&data.rules(), lost, new);
            }
        }
        Op::Distribute(n) => {
            if data.distribute(n, 0, now).is_ok() {
                ledger.held += n;
                ledger.streaming += n as f64 + std::mem::take(&mut ledger.undistributed);
                ledger.stream_end = ledger.last + ledger.period;
            }
        }
        Op::Claim(a) => {
            if let Ok(paid) = data.claim(acc(a), now) {
                ledger.claimed[usize::from(a)] += paid;
                ledger.held -= paid;
            }
        }
        Op::SetYieldPeriod(period) => {
            if data.set_yield_period(period).is_ok() {
                ledger.period = period;
            }
        }
        Op::Advance(ms) => ledger.now += ms,
    }
    // Whatever arrived at an account arrived at an admitted class.
    let allowed = data.rules().allowed_classes;
    for (a, before) in (0..ACCOUNTS).zip(balances) {
        let class = party(a).class;
        if data.balance_of(acc(a)) > before && allowed != 0 && class != InvestorClass::Custodian {
            prop_assert!(allowed & class.bit() != 0, "{:?} received under classes {}", class, allowed);
        }
    }
    // Brings the model up to `now` (after `Advance`) for the checks.
    ledger.update(data);
    Ok(())
}

fn check(data: &TokenData, ledger: &Ledger) -> Result<(), TestCaseError> {
    let now = ledger.now;
    let accounts: Vec<AccountId> = (0..ACCOUNTS).map(acc).collect();
    let balances: Vec<u128> = accounts.iter().map(|a| data.balance_of(*a)).collect();
    let supply = data.total_supply();
    prop_assert_eq!(balances.iter().sum::<u128>(), supply);
    prop_assert!(supply + data.redeemed() <= data.capacity());
    prop_assert_eq!(data.holders() as usize, balances.iter().filter(|b| **b > 0).count());
    for (a, balance) in accounts.iter().zip(&balances) {
        prop_assert!(data.frozen_amount(*a) <= *balance);
    }

    // Yield: exact in scaled units, nothing created or lost, as stored and as of now.
    let rewards = data.rewards();
    let stored = rewards.totals();
    for (a, balance) in accounts.iter().zip(&balances) {
        // Review 16: an account without units keeps no accumulator snapshot (it would be paid
        // for units it never held once its balance rises again).
        if *balance == 0 {
            prop_assert_eq!(rewards.snapshot(*a).paid_per_token, 0);
        }
    }
    let stored_entitlements: u128 = accounts.iter().zip(&balances).map(|(a, b)| rewards.entitlement_scaled(*a, *b).unwrap()).sum();
    prop_assert_eq!(
        REWARD_SCALE * (stored.distributed - stored.undistributed - stored.streaming),
        stored_entitlements + REWARD_SCALE * stored.claimed + stored.carried_remainder
    );
    let totals = data.reward_totals(now).unwrap();
    let entitlements: Vec<u128> =
        accounts.iter().zip(&balances).map(|(a, b)| rewards.entitlement_scaled_at(*a, *b, now, supply).unwrap()).collect();
    prop_assert_eq!(
        REWARD_SCALE * (totals.distributed - totals.undistributed - totals.streaming),
        entitlements.iter().sum::<u128>() + REWARD_SCALE * totals.claimed + totals.carried_remainder
    );
    if now >= totals.stream_end {
        prop_assert_eq!(totals.streaming, 0, "everything is released at the end of the period");
    }
    // Solvency: the stablecoin held covers every claim and everything still to release.
    prop_assert_eq!(ledger.held, totals.distributed - totals.claimed);
    let claimable: u128 = accounts.iter().map(|a| data.claimable(*a, now).unwrap()).sum();
    prop_assert!(ledger.held >= claimable + totals.undistributed + totals.streaming, "stablecoin held covers every claim");
    prop_assert_eq!(totals.claimed, ledger.claimed.iter().sum::<u128>());

    // Each account within the rounding bound of its time-weighted share (continuous model).
    let tolerance = 2.0 * f64::from(ledger.instants) + 2.0;
    for (i, entitlement) in entitlements.iter().enumerate() {
        let received = ledger.claimed[i] as f64 + *entitlement as f64 / REWARD_SCALE as f64;
        let ideal = ledger.ideal[i];
        prop_assert!((received - ideal).abs() <= tolerance, "account {} got {} for ideal {}±{}", i, received, ideal, tolerance);
    }
    Ok(())
}

/// Runs `body` in a fresh off-chain storage.
fn fresh<F: FnOnce() -> Result<(), TestCaseError>>(body: F) -> Result<(), TestCaseError> {
    let mut outcome = Ok(());
    ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
        outcome = body();
        Ok(())
    })
    .unwrap();
    outcome
}

/// `holders` minted at time 0 under a `period` stream.
fn minted(holders: &[u128], period: u64) -> TokenData {
    let mut data = TokenData::default();
    data.attest(CAPACITY, POOL_LIMIT).unwrap();
    data.set_yield_period(period).unwrap();
    for (i, amount) in holders.iter().enumerate() {
        data.mint(account(i as u8 + 1), *amount, verified(), 0).unwrap();
    }
    data
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn books_stay_exact(ops in proptest::collection::vec(op(), 1..80)) {
        fresh(|| {
            let mut data = TokenData::default();
            data.attest(CAPACITY, POOL_LIMIT).unwrap();
            data.set_yield_period(PERIOD).unwrap();
            let mut ledger = Ledger::new();
            ops.iter().try_for_each(|op| {
                apply(&mut data, &mut ledger, op)
                    .and_then(|()| check(&data, &ledger)).map_err(|e| TestCaseError::fail(format!("after {op:?}: {e}")))
            })
        })?;
    }

    /// An account that receives tokens, lets a distribution happen and sends them back, all
    /// at one timestamp, gets at most one unit of it, however long the stream then runs.
    #[test]
    fn an_instant_holder_gets_at_most_one_unit(
        holders in proptest::collection::vec(1u128..100_000, 1..4),
        backlog in 0u128..1_000_000_000,
        amount in 1u128..1_000_000_000,
        period in 1_000u64..100_000_000,
        at in 0u64..200_000_000,
        share in 1u128..100,
        minted_to_sniper in any::<bool>(),
    ) {
        fresh(|| {
            let mut data = minted(&holders, period);
            if backlog > 0 {
                data.distribute(backlog, 0, 0).unwrap();
            }
            let sniper = account(9);
            let size = holders[0] * share / 100 + 1;
            if minted_to_sniper {
                data.mint(sniper, size, verified(), at).unwrap();
            } else {
                data.transfer(account(1), sniper, size.min(holders[0]), (verified(), verified()), at).unwrap();
            }
            data.distribute(amount, 1, at).unwrap();
            let held = data.balance_of(sniper);
            data.forced_transfer(sniper, account(1), held, verified(), at).unwrap();
            let later = at + 2 * period;
            prop_assert!(data.rewards().entitlement_scaled_at(sniper, 0, later, data.total_supply()).unwrap() <= REWARD_SCALE);
            prop_assert!(data.claimable(sniper, later).unwrap() <= 1);
            Ok(())
        })?;
    }

    /// An account holding a share x of the supply for a fraction t of the period gets x·t of
    /// the distribution, within one unit (of its exact entitlement, sub-unit part included).
    #[test]
    fn a_holder_gets_its_share_for_the_time_held(
        others in 1u128..500_000,
        size in 1u128..500_000,
        amount in 1u128..1_000_000_000_000,
        period in 1_000u64..100_000_000,
        start in 0.0f64..1.0,
        length in 0.0f64..1.0,
        at in 0u64..1_000_000,
    ) {
        fresh(|| {
            let mut data = minted(&[others + size], period);
            let (big, holder) = (account(1), account(2));
            data.distribute(amount, 0, at).unwrap();
            let from = at + (start * period as f64) as u64;
            let until = from + (length * (at + period - from) as f64) as u64;
            let ok = (verified(), verified());
            data.transfer(big, holder, size, ok, from).unwrap();
            data.transfer(holder, big, size, ok, until).unwrap();
            let supply = others + size;
            let expected = amount as f64 * (size as f64 / supply as f64) * ((until - from) as f64 / period as f64);
            let entitlement = data.rewards().entitlement_scaled_at(holder, 0, at + 3 * period, supply).unwrap();
            let got = entitlement as f64 / REWARD_SCALE as f64;
            prop_assert!((got - expected).abs() <= 1.0 + expected * 1e-12, "got {} expected {}", got, expected);
            // The rest went to the other holder: nothing lost.
            let rest = data.rewards().entitlement_scaled_at(big, supply, at + 3 * period, supply).unwrap();
            let carried = data.reward_totals(at + 3 * period).unwrap().carried_remainder;
            prop_assert_eq!(rest + entitlement + carried, amount * REWARD_SCALE);
            Ok(())
        })?;
    }
}

/// What the identity registry and its binding do to the token's credentials.
#[derive(Debug, Clone)]
enum IdOp {
    /// The registry records (verified until second n, country) or removes an account; the
    /// change is pushed to the token only while the registry binds it.
    Change(u8, Option<(u64, u16)>),
    Sync(u8),
    Bind,
    Unbind,
    /// The registry unbinds the token without reaching it (the notice is best-effort), then
    /// binds it again.
    LostUnbindThenBind,
}

fn id_op() -> impl Strategy<Value = IdOp> {
    prop_oneof![
        4 => (0..ACCOUNTS, proptest::option::of((0u64..4, 1u16..999))).prop_map(|(a, c)| IdOp::Change(a, c)),
        2 => (0..ACCOUNTS).prop_map(IdOp::Sync),
        1 => Just(IdOp::Bind),
        1 => Just(IdOp::Unbind),
        1 => Just(IdOp::LostUnbindThenBind),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// After any sequence of registry changes, syncs, bindings and unbindings, the token honours
    /// exactly the registry's credential of every account pushed or synced since its latest
    /// binding, and nothing else (nothing at all while unbound); so it never verifies an account
    /// the registry would not.
    #[test]
    fn the_token_honours_exactly_the_registrys_credentials_since_its_binding(ops in proptest::collection::vec(id_op(), 1..60)) {
        fresh(|| {
            let mut data = TokenData::default();
            let mut registry: BTreeMap<u8, Credential> = BTreeMap::new();
            let mut bound = false;
            // Pushed or synced since the latest binding.
            let mut renewed: BTreeSet<u8> = BTreeSet::new();
            for op in &ops {
                match *op {
                    IdOp::Change(a, change) => {
                        let credential = change.map(|(until, country)| Credential { verified_until: until * 1_000, country, class: InvestorClass::Retail });
                        match credential {
                            Some(c) => registry.insert(a, c),
                            None => registry.remove(&a),
                        };
                        if bound {
                            data.set_credential(acc(a), credential).unwrap();
                            renewed.insert(a);
                        }
                    }
                    IdOp::Sync(a) => {
                        let result = data.set_credential(acc(a), registry.get(&a).copied());
                        if bound {
                            prop_assert!(result.is_ok());
                            renewed.insert(a);
                        } else {
                            prop_assert_eq!(result, Err(TokenError::NotBound));
                        }
                    }
                    // The registry refuses to bind a bound token and to unbind an unbound one.
                    IdOp::Bind if !bound => {
                        data.set_bound(true).unwrap();
                        bound = true;
                        renewed.clear();
                    }
                    IdOp::Unbind if bound => {
                        data.set_bound(false).unwrap();
                        bound = false;
                    }
                    IdOp::LostUnbindThenBind if bound => {
                        data.set_bound(true).unwrap();
                        renewed.clear();
                    }
                    IdOp::Bind | IdOp::Unbind | IdOp::LostUnbindThenBind => {}
                }
                for a in 0..ACCOUNTS {
                    let expected = if bound && renewed.contains(&a) { registry.get(&a).copied() } else { None };
                    prop_assert_eq!(data.credential(acc(a)), expected);
                    for now in [0u64, 999, 1_000, 2_500] {
                        if data.party(acc(a), now).verified {
                            prop_assert!(registry.get(&a).is_some_and(|c| now < c.verified_until), "{} verified at {}", a, now);
                        }
                    }
                }
            }
            Ok(())
        })?;
    }
}
