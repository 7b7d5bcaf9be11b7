//! The seeded invariant campaign on the real Wasm (see `e2e_tests::campaign`).
//!
//! `CAMPAIGN_OPS` operations in total (default 2,000), from `CAMPAIGN_SEED` (default 1), on a
//! fresh deployment every `CAMPAIGN_SEGMENT` operations (default 1,000; segment `i` uses seed
//! `seed + i`). On a failure it prints the seed, the step and a shortened failing sequence.
//! `scripts/fuzz.sh --ops N --seed S` runs it; `docs/reliability.md` records long runs.
use e2e_tests::campaign::{generate, run, shrink, Stats};
use std::time::Instant;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn invariant_campaign() {
    let (total, seed, segment) = (env("CAMPAIGN_OPS", 2_000), env("CAMPAIGN_SEED", 1), env("CAMPAIGN_SEGMENT", 1_000).max(1));
    let shrink_budget = usize::try_from(env("CAMPAIGN_SHRINK", 80)).unwrap_or(80);
    let started = Instant::now();
    let mut stats = Stats::default();
    let mut done = 0u64;
    let mut index = 0u64;
    while done < total {
        let n = segment.min(total - done);
        let segment_seed = seed.wrapping_add(index);
        let ops = generate(segment_seed, usize::try_from(n).unwrap_or(usize::MAX));
        match run(&ops) {
            Ok(s) => stats.merge(&s),
            Err(failure) => {
                println!("CAMPAIGN FAILED: seed {seed}, segment {index} (segment seed {segment_seed}), step {}: {}", failure.step, failure.message);
                println!("reproduce: scripts/fuzz.sh --ops {n} --seed {segment_seed} --segment {n}");
                let (short, why) = shrink(&ops, &failure, shrink_budget);
                println!("shortened to {} operations (fails at step {}: {}):", short.len(), why.step, why.message);
                for (i, op) in short.iter().enumerate() {
                    println!("  {i:>4} {op:?}");
                }
                panic!("invariant campaign failed: seed {segment_seed}, step {}: {}", failure.step, failure.message);
            }
        }
        done += n;
        index += 1;
        println!("campaign: {done}/{total} operations, {:.0} s", started.elapsed().as_secs_f64());
    }
    let secs = started.elapsed().as_secs_f64();
    println!("CAMPAIGN|seed {seed}|ops {}|segments {index}|accepted {}|refused {}|rentals {}|epochs with honest reports {}|liveness settles {}|{secs:.0} s",
        stats.ops, stats.accepted, stats.refused, stats.rentals, stats.finalized_epochs, stats.settled_epochs);
    for (target, (accepted, refused)) in &stats.per_target {
        println!("CAMPAIGN-TARGET|{target}|{}|{accepted}|{refused}", accepted + refused);
    }
    for (kind, n) in &stats.per_kind {
        println!("CAMPAIGN-KIND|{kind}|{n}");
    }
    assert_eq!(stats.ops as u64, total, "every operation ran");
    assert!(stats.accepted > 0 && stats.refused > 0, "the mix exercises both accepted and refused calls");
}

/// The operation mix of a campaign without running it (`--ignored`): operations per contract and
/// per kind for `CAMPAIGN_OPS`/`CAMPAIGN_SEED`/`CAMPAIGN_SEGMENT`, as generated (attempted).
#[test]
#[ignore = "prints the mix of a given campaign; run with --ignored"]
fn operation_mix() {
    let (total, seed, segment) = (env("CAMPAIGN_OPS", 2_000), env("CAMPAIGN_SEED", 1), env("CAMPAIGN_SEGMENT", 1_000).max(1));
    let mut per_target = std::collections::BTreeMap::<String, u64>::new();
    let mut per_kind = std::collections::BTreeMap::<String, u64>::new();
    let (mut done, mut index) = (0u64, 0u64);
    while done < total {
        let n = segment.min(total - done);
        for op in generate(seed.wrapping_add(index), usize::try_from(n).unwrap_or(usize::MAX)) {
            *per_target.entry(format!("{:?}", op.kind.target())).or_default() += 1;
            *per_kind.entry(format!("{:?}", op.kind)).or_default() += 1;
        }
        done += n;
        index += 1;
    }
    for (target, n) in &per_target {
        println!("MIX-TARGET|{target}|{n}");
    }
    for (kind, n) in &per_kind {
        println!("MIX-KIND|{kind}|{n}");
    }
    assert_eq!(per_target.values().sum::<u64>(), total);
}
