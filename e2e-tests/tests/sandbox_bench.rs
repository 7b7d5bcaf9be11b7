//! Scaling figures for docs/benchmarks.md, run by `scripts/bench.sh` (ignored in tests: it
//! measures, it does not judge; the per-message figures come from `sandbox_bench_all.rs`).
//! Each line: `SCALE|<contract>|<message>|<with>|<ref_time>|<proof_size>`.
use e2e_tests::sandbox::{account, ANY_DEPOSIT, call_ok, report, Suite};
use e2e_tests::TestResult;
use psp22::PSP22Error;

/// (transfer, claim) weights with `holders` equal holders, after one distribution.
fn holder_costs(holders: usize) -> TestResult<[(u64, u64); 2]> {
    let mut suite = Suite::deploy()?;
    let accounts: Vec<_> = (0..holders)
        .map(|i| {
            let mut key = [9u8; 32];
            key[..8].copy_from_slice(&(i as u64).to_le_bytes());
            drink::AccountId32::new(key)
        })
        .collect();
    suite.register(&accounts)?;
    suite.mint(&accounts, 100_000)?;
    let (coin, token) = (suite.coin.clone(), suite.token.clone());
    call_ok::<(), PSP22Error>(&mut suite.session, &coin, "PSP22::approve", &[token.to_string(), "1000000".into()])?;
    suite.token_ok::<()>("YieldDistributor::distribute", &["1000000".into()])?;
    // Mid-stream: the transfer and the claim both release a slice of the distribution.
    suite.advance(e2e_tests::sandbox::YIELD_PERIOD / 2);
    let (first, second) = (accounts[0].clone(), accounts[1].clone());
    suite.as_actor(&first, |s| call_ok::<(), PSP22Error>(&mut s.session, &token, "PSP22::transfer", &[second.to_string(), "1000".into(), "[]".into()]))?;
    let transfer = suite.last_weight();
    suite.as_actor(&first, |s| s.token_ok::<u128>("claim", &[]))?;
    Ok([transfer, suite.last_weight()])
}

const SIZES: [u64; 4] = [10, 100, 1_000, 10_000];
/// Rentals and epochs can only be added one call at a time (holders come in batches of 50), and
/// drink's cost per call grows with the chain's state and its call record: a 10,000-rental run was
/// still opening rentals after 17 minutes with 8 GB of memory, so these stop at 1,000.
const SIZES_ONE_BY_ONE: [u64; 3] = [10, 100, 1_000];

#[test]
#[ignore]
fn scaling_with_holders_rentals_and_epochs() -> TestResult {
    for holders in SIZES {
        let [transfer, claim] = holder_costs(usize::try_from(holders)?)?;
        println!("SCALE|gpu_hour_token|transfer|{holders} holders|{}|{}", transfer.0, transfer.1);
        println!("SCALE|gpu_hour_token|claim|{holders} holders|{}|{}", claim.0, claim.1);
    }
    settle_with_rentals()?;
    submit_with_epochs()
}

/// Settles one more rental after 10, 100 and 1,000 rentals (1 GPU for 1 epoch each,
/// 8 per epoch) have been opened by one renter.
fn settle_with_rentals() -> TestResult {
    let mut suite = Suite::deploy()?;
    let (renter, escrow) = (account(51), suite.escrow.clone());
    suite.fund(&renter)?;
    suite.coin_ok("mint", &[renter.to_string(), "100000000000".into()])?;
    suite.as_actor(&renter, |s| s.coin_ok("PSP22::approve", &[escrow.to_string(), "100000000000".into()]))?;
    let (mut opened, mut next_epoch) = (0u64, 1u64);
    for rentals in SIZES_ONE_BY_ONE {
        let mut last = (0u64, 0u64);
        while opened < rentals {
            let start = next_epoch;
            let id = suite.as_actor(&renter, |s| s.escrow_ok::<u64>("open", &["1".into(), start.to_string(), "1".into(), ANY_DEPOSIT.into()]))?;
            last = (id, start);
            opened += 1;
            if opened % 8 == 0 {
                // the pool's 8 GPUs are booked for `next_epoch`
                next_epoch += 1;
            }
        }
        let (id, epoch) = last;
        suite.report_all(epoch, &report(8_000, 9_990))?;
        suite.escrow_ok::<()>("settle", &[id.to_string(), epoch.to_string()])?;
        let (ref_time, proof_size) = suite.last_weight();
        println!("SCALE|rental_escrow|settle|{rentals} rentals|{ref_time}|{proof_size}");
        next_epoch = epoch + 2; // the clock is now past `epoch`: later rentals start after it
    }
    Ok(())
}

/// The finalizing `submit` after 10, 100 and 1,000 finalized epochs.
fn submit_with_epochs() -> TestResult {
    let mut suite = Suite::deploy()?;
    let mut done = 0;
    for epochs in SIZES_ONE_BY_ONE {
        for epoch in done..epochs - 1 {
            suite.report_all(epoch, &report(8_000, 9_990))?;
        }
        let submits = suite.report_all(epochs - 1, &report(8_000, 9_990))?;
        println!("SCALE|utilization_oracle|submit (finalizing)|{epochs} epochs|{}|{}", submits[2].0, submits[2].1);
        done = epochs;
    }
    Ok(())
}
