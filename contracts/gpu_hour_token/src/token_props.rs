//! Property tests: random sequences of every balance-changing operation keep the
//! token's books exact.
use crate::rewards::REWARD_SCALE;
use crate::token::TokenData;
use crate::token_tests::{account, unverified, verified, CAPACITY, POOL_LIMIT};
use compute_rwa_common::Party;
use ink::primitives::AccountId;
use proptest::prelude::*;

const ACCOUNTS: u8 = 5;

#[derive(Debug, Clone)]
enum Op {
    Mint(u8, u128),
    Transfer(u8, u8, u128),
    FreezePartial(u8, u128),
    UnfreezePartial(u8, u128),
    SetFrozen(u8, bool),
    BurnFrom(u8, u128),
    Redeem(u8, u128),
    ForcedTransfer(u8, u8, u128),
    Recover(u8, u8),
    Distribute(u128),
    Claim(u8),
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0..ACCOUNTS;
    let amount = 0u128..400;
    prop_oneof![
        3 => (who.clone(), amount.clone()).prop_map(|(a, n)| Op::Mint(a, n)),
        4 => (who.clone(), who.clone(), amount.clone()).prop_map(|(a, b, n)| Op::Transfer(a, b, n)),
        1 => (who.clone(), amount.clone()).prop_map(|(a, n)| Op::FreezePartial(a, n)),
        1 => (who.clone(), amount.clone()).prop_map(|(a, n)| Op::UnfreezePartial(a, n)),
        1 => (who.clone(), any::<bool>()).prop_map(|(a, f)| Op::SetFrozen(a, f)),
        1 => (who.clone(), amount.clone()).prop_map(|(a, n)| Op::BurnFrom(a, n)),
        1 => (who.clone(), amount.clone()).prop_map(|(a, n)| Op::Redeem(a, n)),
        1 => (who.clone(), who.clone(), amount.clone()).prop_map(|(a, b, n)| Op::ForcedTransfer(a, b, n)),
        1 => (who.clone(), who.clone()).prop_map(|(a, b)| Op::Recover(a, b)),
        3 => (0u128..5_000).prop_map(Op::Distribute),
        2 => who.prop_map(Op::Claim),
    ]
}

/// Account 4 is never verified.
fn party(index: u8) -> Party {
    if index == ACCOUNTS - 1 {
        unverified()
    } else {
        verified()
    }
}

/// What each account should have received, computed independently of the accumulator.
#[derive(Default)]
struct Ledger {
    claimed: [u128; ACCOUNTS as usize],
    /// Σ over distributions of floor(pool × balance / supply).
    ideal: [u128; ACCOUNTS as usize],
    /// Distributions each account took part in (rounding bound: 1 unit each).
    rounds: [u128; ACCOUNTS as usize],
    held: u128,
}

fn apply(data: &mut TokenData, ledger: &mut Ledger, op: &Op) {
    let acc = |i: u8| account(i + 1);
    match *op {
        Op::Mint(to, n) => drop(data.mint(acc(to), n, party(to))),
        Op::Transfer(from, to, n) => drop(data.transfer(acc(from), acc(to), n, (party(from), party(to)))),
        Op::FreezePartial(a, n) => drop(data.freeze_partial(acc(a), n)),
        Op::UnfreezePartial(a, n) => drop(data.unfreeze_partial(acc(a), n)),
        Op::SetFrozen(a, frozen) => data.set_frozen(acc(a), frozen),
        Op::BurnFrom(a, n) => drop(data.burn_from(acc(a), n)),
        Op::Redeem(a, n) => drop(data.redeem(acc(a), n, 0)),
        Op::ForcedTransfer(from, to, n) => drop(data.forced_transfer(acc(from), acc(to), n, party(to))),
        Op::Recover(lost, new) => {
            if data.recover(acc(lost), acc(new), party(new)).is_ok() {
                // The new wallet inherits the lost one's entitlement.
                let (l, n) = (usize::from(lost), usize::from(new));
                for column in [&mut ledger.claimed, &mut ledger.ideal, &mut ledger.rounds] {
                    column[n] += column[l];
                    column[l] = 0;
                }
            }
        }
        Op::Distribute(n) => {
            let supply = data.total_supply();
            if data.distribute(n, 0, 0).is_ok() {
                if supply == 0 {
                    ledger.held += n;
                } else {
                    let pool = n + std::mem::take(&mut ledger.held);
                    for i in 0..ACCOUNTS {
                        let balance = data.balance_of(acc(i));
                        if balance > 0 {
                            ledger.ideal[usize::from(i)] += pool * balance / supply;
                            ledger.rounds[usize::from(i)] += 1;
                        }
                    }
                }
            }
        }
        Op::Claim(a) => {
            if let Ok(paid) = data.claim(acc(a)) {
                ledger.claimed[usize::from(a)] += paid;
            }
        }
    }
}

fn check(data: &TokenData, ledger: &Ledger) -> Result<(), TestCaseError> {
    let accounts: Vec<AccountId> = (1..=ACCOUNTS).map(account).collect();
    let balances: Vec<u128> = accounts.iter().map(|a| data.balance_of(*a)).collect();
    prop_assert_eq!(balances.iter().sum::<u128>(), data.total_supply());
    prop_assert!(data.total_supply() + data.redeemed() <= data.capacity());
    prop_assert_eq!(data.holders() as usize, balances.iter().filter(|b| **b > 0).count());
    for (a, balance) in accounts.iter().zip(&balances) {
        prop_assert!(data.frozen_amount(*a) <= *balance);
    }

    // Yield: exact in scaled units, nothing created or lost.
    let totals = data.rewards().totals();
    let entitlements: u128 = accounts.iter().zip(&balances).map(|(a, b)| data.rewards().entitlement_scaled(*a, *b).unwrap()).sum();
    prop_assert_eq!(
        REWARD_SCALE * (totals.distributed - totals.undistributed),
        entitlements + REWARD_SCALE * totals.claimed + totals.carried_remainder
    );
    prop_assert_eq!(totals.undistributed, ledger.held);
    let claimable: u128 = accounts.iter().map(|a| data.claimable(*a).unwrap()).sum();
    prop_assert!(totals.distributed - totals.claimed >= claimable, "stablecoin held covers every claim");
    prop_assert_eq!(totals.claimed, ledger.claimed.iter().sum::<u128>());

    // Each account within one unit per distribution of its exact pro-rata share.
    for (i, a) in accounts.iter().enumerate() {
        let received = ledger.claimed[i] + data.claimable(*a).unwrap();
        let (ideal, rounds) = (ledger.ideal[i], ledger.rounds[i]);
        prop_assert!(received + rounds >= ideal && received <= ideal + rounds, "account {} got {} for ideal {}±{}", i, received, ideal, rounds);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn books_stay_exact(ops in proptest::collection::vec(op(), 1..60)) {
        let mut outcome = Ok(());
        // A fresh off-chain storage per case.
        ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
            let mut data = TokenData::default();
            data.attest(CAPACITY, POOL_LIMIT, [0; 32], 0, account(0)).unwrap();
            let mut ledger = Ledger::default();
            outcome = ops.iter().try_for_each(|op| {
                apply(&mut data, &mut ledger, op);
                check(&data, &ledger).map_err(|e| TestCaseError::fail(format!("after {op:?}: {e}")))
            });
            Ok(())
        }).unwrap();
        outcome?;
    }
}
