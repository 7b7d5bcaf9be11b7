//! The `compute-rwa` binary against a running substrate-contracts-node (`CONTRACTS_NODE_URL`):
//! deploy-pool, register, mint, reporters' calls, then an audit that passes — and fails once the
//! deployment's expectations are tampered with. Also: bad config, refusals, unreachable node.
#![cfg(feature = "node")]
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
const CHARLIE: &str = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";
const DAVE: &str = "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy";
const EVE: &str = "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw";
const FERDIE: &str = "5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL";
/// The example pool's epoch length and yield period (ms).
const EPOCH_MS: u64 = 3_600;
const YIELD_PERIOD_MS: u64 = 5_000;

/// This crate's directory, read at run time: a test binary from the shared build cache may have
/// been compiled in another clone (as `e2e_tests::artifacts_dir` does).
fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

/// Runs the CLI in `dir` against the test node.
fn cli(dir: &Path, args: &[&str]) -> Output {
    let url = std::env::var("CONTRACTS_NODE_URL").unwrap_or_else(|_| "ws://127.0.0.1:9944".into());
    let artifacts = std::env::var_os("COMPUTE_RWA_ARTIFACTS").map_or_else(|| manifest_dir().join("../target/ink"), PathBuf::from);
    Command::new(env!("CARGO_BIN_EXE_compute-rwa"))
        .current_dir(dir)
        .env("COMPUTE_RWA_URL", url)
        .env("COMPUTE_RWA_ARTIFACTS", artifacts)
        .env_remove("COMPUTE_RWA_SURI")
        .args(args)
        .output()
        .expect("the compute-rwa binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts success and returns stdout.
fn succeeds(output: Output) -> String {
    assert!(output.status.success(), "failed: {}\n{}", stdout(&output), stderr(&output));
    stdout(&output)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("compute-rwa-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    std::fs::copy(manifest_dir().join("pool.example.toml"), dir.join("pool.toml")).expect("example config");
    dir
}

fn now_ms() -> u64 {
    u64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis()).expect("ms")
}

/// Sleeps until `ms` (Unix time), then submits one transaction: a dev node seals a block per
/// transaction and its dry runs see the last block's time, so this moves their clock past `ms`.
fn wait_until(dir: &Path, ms: u64) {
    std::thread::sleep(std::time::Duration::from_millis(ms.saturating_sub(now_ms())));
    succeeds(cli(dir, &["call", "coin", "PSP22::approve", BOB, "0"]));
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The audit's figures for the check named `name` (from `--output json audit`).
fn figures_of(checks: &[serde_json::Value], name: &str) -> String {
    let found = checks.iter().find(|c| c["check"] == name).unwrap_or_else(|| panic!("no check {name}"));
    found["figures"].as_str().expect("figures").to_string()
}

fn edit_deployment(dir: &Path, from: &str, edit: impl Fn(&mut serde_json::Value)) -> &'static str {
    let mut deployment: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join(from)).expect("read")).expect("json");
    edit(&mut deployment);
    std::fs::write(dir.join("tampered.json"), deployment.to_string()).expect("write");
    "tampered.json"
}

#[test]
fn deploy_operate_and_audit_a_pool() {
    let dir = scratch("lifecycle");
    let deployed = succeeds(cli(&dir, &["deploy-pool", "--config", "pool.toml"]));
    assert_eq!(deployed.lines().count(), 9, "a header and eight contracts (the example pool has a vault and a market):\n{deployed}");
    let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("deployment.json")).expect("written")).expect("json");
    assert_eq!(record["attested_gpu_hours"], 5_760);
    assert_eq!(record["reporters"].as_array().map(Vec::len), Some(2));
    // The config's yield period and offer reached the token and the escrow; the escrow took its
    // schedule from the feed (the config no longer gives the escrow one).
    assert!(succeeds(cli(&dir, &["read", "token", "state"])).contains(&format!("yield_period: {YIELD_PERIOD_MS},")));
    assert!(succeeds(cli(&dir, &["read", "escrow", "offer"])).contains("cancellation_notice_ms: 7200"));
    // The vault's custodian record outlasts the period by a year: it must still unwind after it.
    let vault = record["contracts"]["credit_vault"]["address"].as_str().expect("the example has a vault");
    let custody = succeeds(cli(&dir, &["read", "registry", "identity", vault]));
    let period_end = record["deployed_at_ms"].as_u64().expect("time") + 30 * 86_400_000;
    assert!(custody.contains(&format!("kyc_expiry: {}, class: Custodian", period_end + 366 * 86_400_000)), "{custody}");
    let schedule = succeeds(cli(&dir, &["read", "escrow", "schedule"]));
    let genesis = record["deployed_at_ms"].as_u64().expect("genesis");
    assert_eq!(schedule.trim(), format!("EpochSchedule {{ genesis: {genesis}, epoch_length: {EPOCH_MS}, gpus: 8, report_window: 60000 }}"));

    std::fs::write(dir.join("investors.csv"), format!("account,country,kyc_expiry_ms,class\n{BOB},276,4102444800000,accredited\n{CHARLIE},250,4102444800000,retail\n")).expect("csv");
    succeeds(cli(&dir, &["register", "--csv", "investors.csv"]));
    let minted = succeeds(cli(&dir, &["--output", "json", "mint", "--to", BOB, "--gpu-hours", "3000"]));
    let minted: serde_json::Value = serde_json::from_str(&minted).expect("json");
    assert_eq!((minted["units"].as_u64(), minted["supply"].as_u64()), (Some(3_000_000_000), Some(3_000_000_000)));

    // Bob, as himself, transfers to Charlie; the same to unverified Dave is refused and named.
    succeeds(cli(&dir, &["--suri", "//Bob", "call", "token", "PSP22::transfer", CHARLIE, "1000000000", "[]"]));
    let refused = cli(&dir, &["--suri", "//Bob", "call", "token", "PSP22::transfer", DAVE, "1", "[]"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("RecipientNotVerified"), "{}", stderr(&refused));
    let refused_mint = cli(&dir, &["mint", "--to", DAVE, "--gpu-hours", "1"]);
    assert_eq!(refused_mint.status.code(), Some(2));
    assert!(stderr(&refused_mint).contains("RecipientNotVerified"), "{}", stderr(&refused_mint));
    assert_eq!(succeeds(cli(&dir, &["read", "token", "PSP22::balance_of", CHARLIE])).trim(), "1000000000");

    // Issuer operations are the issuer's: Bob may not mint, add reporters or set the offer.
    for (args, refusal) in [
        (vec!["mint", "--to", BOB, "--gpu-hours", "1"], "MissingRole(Agent)"),
        (vec!["add-reporter", DAVE], "NotOwner"),
        (vec!["set-offer", "--config", "repriced.toml"], "MissingRole(Operator)"),
        (vec!["set-compliance", "--config", "repriced.toml"], "NotOwner"),
    ] {
        std::fs::write(dir.join("repriced.toml"), std::fs::read_to_string(dir.join("pool.toml")).expect("config").replace("price_per_gpu_hour = 2500000", "price_per_gpu_hour = 3000000")).expect("write");
        let refused = cli(&dir, &[&["--suri", "//Bob"], args.as_slice()].concat());
        assert_eq!(refused.status.code(), Some(2), "{args:?}");
        assert!(stderr(&refused).contains(refusal), "{args:?}: {}", stderr(&refused));
    }
    let renoticed = std::fs::read_to_string(dir.join("repriced.toml")).expect("config").replace("cancellation_notice_ms = 7200", "cancellation_notice_ms = 86400000");
    std::fs::write(dir.join("repriced.toml"), renoticed).expect("write");
    succeeds(cli(&dir, &["set-offer", "--config", "repriced.toml"]));
    let offer = succeeds(cli(&dir, &["read", "escrow", "offer"]));
    assert!(offer.contains("price_per_gpu_hour: 3000000") && offer.contains("cancellation_notice_ms: 86400000"), "{offer}");
    // The config's compliance modules reached the token; a new rule set names its refusals, and
    // the config's own is back in force with one command.
    let rules = |dir: &Path| succeeds(cli(dir, &["read", "token", "state"]));
    assert!(rules(&dir).contains("blocked_countries: [408], allowed_classes: 0, transfer_limit: 1500000000, transfer_window: 86400000, lockup: 0"), "{}", rules(&dir));
    std::fs::write(dir.join("accredited.toml"), std::fs::read_to_string(dir.join("pool.toml")).expect("config").replace("allowed_classes = 0 ", "allowed_classes = 2 ")).expect("write");
    succeeds(cli(&dir, &["set-compliance", "--config", "accredited.toml"]));
    assert!(rules(&dir).contains("allowed_classes: 2,"), "{}", rules(&dir));
    let check = cli(&dir, &["read", "token", "check_transfer", BOB, CHARLIE, "1"]);
    assert!(format!("{}{}", stdout(&check), stderr(&check)).contains("ClassNotAllowed"), "Charlie is retail: {}{}", stdout(&check), stderr(&check));
    let refused = cli(&dir, &["--suri", "//Bob", "call", "token", "PSP22::transfer", CHARLIE, "1", "[]"]);
    assert!(stderr(&refused).contains("ClassNotAllowed"), "{}", stderr(&refused));
    succeeds(cli(&dir, &["set-compliance", "--config", "pool.toml"]));
    assert!(rules(&dir).contains("allowed_classes: 0,"), "{}", rules(&dir));
    succeeds(cli(&dir, &["add-reporter", DAVE]));
    let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("deployment.json")).expect("json")).expect("json");
    assert_eq!(record["reporters"][2], DAVE, "the deployment remembers the new reporter");
    assert!(succeeds(cli(&dir, &["read", "oracle", "feed", "0"])).contains("sets: 2"), "a second reporter set, from the next epoch");
    assert!(succeeds(cli(&dir, &["read", "oracle", "reporter_window", "0", DAVE])).contains("from: "));

    // A signer without funds is told so.
    let poor = cli(&dir, &["--suri", "//NobodyFunded", "call", "coin", "PSP22::approve", BOB, "1"]);
    assert_eq!(poor.status.code(), Some(2));
    assert!(stderr(&poor).contains("insufficient funds"), "{}", stderr(&poor));

    // Every eligible reporter attests the last ended epoch, which finalizes it at once, so the
    // feed is fresh (Dave counts from the epoch after his addition). A dev node's dry runs see
    // the last block's time: wait for epoch 0 to end, then move the clock with one transaction.
    wait_until(&dir, genesis + EPOCH_MS + 300);
    let current: u64 = succeeds(cli(&dir, &["read", "oracle", "current_epoch", "0"])).trim().parse().expect("epoch");
    let epoch = (current - 1).to_string();
    let eligible = succeeds(cli(&dir, &["read", "oracle", "eligible", "0", &epoch]));
    let report = "Report { gpu_milli_hours: 8, utilization_bps: 9200, uptime_bps: 9990, energy_wh: 5, avg_power_w: 690 }";
    let reporters: Vec<_> = [("//Eve", EVE), ("//Ferdie", FERDIE), ("//Dave", DAVE)].into_iter().filter(|(_, address)| eligible.contains(address)).collect();
    assert!(reporters.len() >= 2, "{eligible}");
    for (suri, _) in &reporters {
        succeeds(cli(&dir, &["--suri", suri, "call", "oracle", "submit", "0", &epoch, report]));
    }
    assert!(succeeds(cli(&dir, &["read", "oracle", "epoch", "0", &epoch])).contains("gpu_milli_hours: 8"), "finalized by the last eligible report");

    // The issuer pays 3 USDC of rent to holders (2,000 and 1,000 GPU-h): it streams over the yield
    // period, so nothing is claimable in its block and the audit counts it as streaming.
    // Events of the called contract decode by name (issue 16 item 8: they printed as unknown).
    let minted = json(&succeeds(cli(&dir, &["--output", "json", "call", "coin", "mint", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "3000000"])));
    assert_eq!(minted["events"], serde_json::json!(["Transfer"]), "{minted}");
    succeeds(cli(&dir, &["call", "coin", "PSP22::approve", record["contracts"]["gpu_hour_token"]["address"].as_str().expect("token"), "3000000"]));
    // Distributors only: the issuer becomes one through the pool admin (the escrow already is).
    let refused = cli(&dir, &["call", "token", "YieldDistributor::distribute", "3000000"]);
    assert!(stderr(&refused).contains("NotDistributor"), "{}", stderr(&refused));
    succeeds(cli(&dir, &["call", "admin", "set_distributor", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "true"]));
    succeeds(cli(&dir, &["call", "token", "YieldDistributor::distribute", "3000000"]));
    let distributed_at = now_ms();
    assert!(succeeds(cli(&dir, &["read", "token", "holding", BOB])).contains("claimable: 0,"), "a fresh stream has released nothing");
    let totals = succeeds(cli(&dir, &["read", "token", "state"]));
    assert!(totals.contains("streaming: 3000000"), "{totals}");

    let audit = succeeds(cli(&dir, &["audit"]));
    assert!(audit.contains("audit: 18 checks, 18 PASS, 0 FAIL"), "{audit}");
    assert!(audit.contains("supply 3000 GPU-h + redeemed 0 GPU-h = 3000 GPU-h ≤ 5760 GPU-h"), "{audit}");
    let checks: Vec<serde_json::Value> = serde_json::from_str(&succeeds(cli(&dir, &["--output", "json", "audit"]))).expect("json");
    assert!(checks.iter().all(|c| c["pass"] == true) && checks.len() == 18, "{checks:#?}");
    assert_eq!(figures_of(&checks, "tokens held ≥ collateral locked + recovered"), "vault holds 0 GPU-h ≥ collateral 0 GPU-h + recovered 0 GPU-h");

    // The vault: no checkpoint yet, so nothing to borrow against; a keeper takes this epoch's.
    let status = succeeds(cli(&dir, &["vault"]));
    assert!(status.contains("none yet: nothing to borrow against"), "{status}");
    let refreshed = json(&succeeds(cli(&dir, &["--output", "json", "call", "vault", "refresh"])));
    assert_eq!((refreshed["returned"].as_str(), refreshed["events"].clone()), (Some("true"), serde_json::json!(["Checkpointed"])), "{refreshed}");
    let streaming = figures_of(&checks, "distributed = claimed + claimable + undistributed + streaming + dust");
    assert_eq!(streaming, "3 USDC = 0 USDC + 0 USDC + 0 USDC + 3 USDC + dust 0 (< 4 units)");
    assert_eq!(figures_of(&checks, "stablecoin held ≥ claimable + undistributed + streaming"), "token holds 3 USDC ≥ 0 USDC + 0 USDC + 3 USDC = 3 USDC");
    let identities = figures_of(&checks, "token's identities = the registry's");
    assert!(identities.starts_with("registry pushes to the token; ") && identities.ends_with(" known investors agree"), "{identities}");
    let escrow_feed = figures_of(&checks, "escrow reads the pool's feed");
    assert!(escrow_feed.ends_with(&format!("({genesis}, {EPOCH_MS}, 8, 60000), feed's ({genesis}, {EPOCH_MS}, 8, 60000)")), "{escrow_feed}");

    // Past the yield period everything is released: Bob (2/3 of the supply) claims 2 USDC, and the
    // books still balance with nothing streaming.
    wait_until(&dir, distributed_at + YIELD_PERIOD_MS + 200);
    assert!(succeeds(cli(&dir, &["read", "token", "holding", BOB])).contains("claimable: 2000000,"));
    let claimed = json(&succeeds(cli(&dir, &["--suri", "//Bob", "--output", "json", "call", "token", "claim"])));
    assert_eq!(claimed["returned"], "2000000", "{claimed}");
    let checks: Vec<serde_json::Value> = serde_json::from_str(&succeeds(cli(&dir, &["--output", "json", "audit"]))).expect("json");
    assert!(checks.iter().all(|c| c["pass"] == true), "{checks:#?}");
    assert_eq!(figures_of(&checks, "distributed = claimed + claimable + undistributed + streaming + dust"), "3 USDC = 2 USDC + 1 USDC + 0 USDC + 0 USDC + dust 0 (< 4 units)");

    // The market: Bob offers 10 GPU-hours at 2.5 USDC; Charlie buys 4 of them (10 USDC, 1% of it
    // to the operator); unverified Dave is refused by the token and nothing moves; Bob cancels.
    for (who, amount) in [(CHARLIE, "100000000"), (DAVE, "100000000")] {
        succeeds(cli(&dir, &["call", "coin", "mint", who, amount]));
    }
    let posted = json(&succeeds(cli(&dir, &["--suri", "//Bob", "--output", "json", "market", "post", "sell", "--price", "2.5", "--gpu-hours", "10"])));
    assert_eq!((posted[0]["section"].as_str(), posted[0]["id"].as_str()), (Some("posted"), Some("1")), "{posted}");
    assert!(posted[0]["detail"].as_str().expect("detail").contains("fee at most 100 bps"), "the market's fee read before posting: {posted}");
    // Accepting at most 0.5% while the market charges 1%: refused by name, nothing posted.
    let refused = cli(&dir, &["--suri", "//Bob", "market", "post", "sell", "--price", "2.5", "--gpu-hours", "1", "--max-fee-bps", "50"]);
    assert!(stderr(&refused).contains("FeeAboveLimit"), "{}", stderr(&refused));
    // Charlie also bids 2 USDC for 1 GPU-hour: paying for Bob's offer afterwards must leave that
    // bid funded (review 11, L2: the fill's approval used to replace the allowance behind it).
    let bid = json(&succeeds(cli(&dir, &["--suri", "//Charlie", "--output", "json", "market", "post", "buy", "--price", "2", "--gpu-hours", "1"])));
    assert_eq!(bid[0]["id"].as_str(), Some("2"), "{bid}");
    let filled = json(&succeeds(cli(&dir, &["--suri", "//Charlie", "--output", "json", "market", "fill", "1", "--gpu-hours", "4"])));
    assert!(filled[0]["detail"].as_str().expect("detail").starts_with("paid 10 USDC, fee at most 100 bps; events "), "{filled}");
    assert_eq!(succeeds(cli(&dir, &["read", "token", "PSP22::balance_of", CHARLIE])).trim(), "1004000000");
    assert_eq!(succeeds(cli(&dir, &["read", "coin", "PSP22::balance_of", BOB])).trim(), "11900000", "2 USDC claimed + 9.9 USDC");
    assert_eq!(succeeds(cli(&dir, &["read", "coin", "PSP22::balance_of", CHARLIE])).trim(), "90000000");
    let cleared = cli(&dir, &["call", "market", "clear", "2"]);
    assert!(stderr(&cleared).contains("NotClearable"), "the bid is still funded: {}", stderr(&cleared));
    succeeds(cli(&dir, &["--suri", "//Charlie", "market", "cancel", "2"]));
    let refused = cli(&dir, &["--suri", "//Dave", "market", "fill", "1", "--gpu-hours", "1"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("TokenRefused"), "{}", stderr(&refused));
    assert_eq!(succeeds(cli(&dir, &["read", "coin", "PSP22::balance_of", DAVE])).trim(), "100000000");
    let book = succeeds(cli(&dir, &["market", "book"]));
    assert!(book.lines().any(|l| l.contains("sell") && l.contains("2.5") && l.contains(" 6 ") && l.contains("fee 100 bps")), "{book}");
    assert!(book.lines().any(|l| l.contains("volume") && l.contains("2.5") && l.contains("1 fills, 10 USDC paid")), "{book}");
    let refused = cli(&dir, &["--suri", "//Charlie", "market", "cancel", "1"]);
    assert!(stderr(&refused).contains("NotMaker"), "{}", stderr(&refused));
    succeeds(cli(&dir, &["--suri", "//Bob", "market", "cancel", "1"]));
    assert!(!succeeds(cli(&dir, &["market", "book"])).lines().any(|l| l.starts_with("sell")));

    // Demand-priced rental: the escrow's quote for all 8 GPUs over two epochs some 20 epochs ahead
    // (the repriced offer: 3 USDC + 0.1 per GPU booked up to 6 + 0.5 above, so 27.2 USDC an hour and
    // 0.0272 USDC a 3.6 s epoch; the eighth GPU at 4.1), booked at it by Dave (renting needs no KYC),
    // after which the forward curve shows those epochs full and a quote there is refused by name.
    let current: u64 = succeeds(cli(&dir, &["read", "oracle", "current_epoch", "0"])).trim().parse().expect("epoch");
    let start = (current + 20).to_string();
    let quoted = json(&succeeds(cli(&dir, &["--output", "json", "rent", "quote", "8", &start, "2"])));
    assert_eq!((quoted[0]["price"].as_str(), quoted[0]["detail"].as_str()), (Some("4.1"), Some("8 GPUs × 2 epochs: deposit 0.0544 USDC")), "{quoted}");
    let booked = json(&succeeds(cli(&dir, &["--suri", "//Dave", "--output", "json", "rent", "book", "8", &start, "2"])));
    assert!(booked[1]["detail"].as_str().expect("detail").starts_with("rental 0: deposited 0.0544 USDC; events "), "{booked}");
    assert_eq!(succeeds(cli(&dir, &["read", "coin", "PSP22::balance_of", DAVE])).trim(), "99945600", "exactly the quote");
    let from = (current + 19).to_string();
    let curve = json(&succeeds(cli(&dir, &["--output", "json", "rent", "curve", "--from", &from, "--epochs", "4"])));
    let prices: Vec<_> = curve.as_array().expect("rows").iter().map(|row| row["price"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(prices, ["3", "full", "full", "3"], "{curve}");
    let refused = cli(&dir, &["rent", "quote", "1", &start, "1"]);
    assert!(stderr(&refused).contains("CapacityUnavailable"), "{}", stderr(&refused));
    let audit = succeeds(cli(&dir, &["audit"]));
    assert!(audit.contains("audit: 18 checks, 18 PASS, 0 FAIL") && audit.contains("0.0544 USDC = 0 USDC + 0 USDC + 0 USDC + 0.0544 USDC"), "{audit}");

    // Tampered expectations: a different attested capacity, different code, an unknown holder.
    let tampered = edit_deployment(&dir, "deployment.json", |d| d["attested_gpu_hours"] = 5_761.into());
    let failed = cli(&dir, &["audit", "--deployment", tampered]);
    assert_eq!(failed.status.code(), Some(1));
    let failed = stdout(&failed);
    assert!(failed.contains("audit: 18 checks, 17 PASS, 1 FAIL"), "{failed}");
    assert!(failed.lines().any(|l| l.contains("capacity is the attested one") && l.contains("FAIL")), "{failed}");
    let tampered = edit_deployment(&dir, "deployment.json", |d| d["contracts"]["rental_escrow"]["code_hash"] = format!("0x{}", "00".repeat(32)).into());
    let failed = stdout(&cli(&dir, &["audit", "--deployment", tampered]));
    assert!(failed.contains("different code at: rental_escrow"), "{failed}");
    // Each front's logic code (its delegate): the token, the oracle, the escrow and the vault must run the recorded one.
    let deployment: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("deployment.json")).expect("read")).expect("json");
    for name in ["gpu_hour_token", "utilization_oracle", "rental_escrow", "credit_vault"] {
        let logic = succeeds(cli(&dir, &["read", name, "logic"]));
        let recorded = deployment["contracts"][name]["logic"].as_str().expect("recorded");
        assert!(logic.contains(recorded.trim_start_matches("0x")) && recorded.len() == 66, "{logic} / {recorded}");
        let tampered = edit_deployment(&dir, "deployment.json", |d| d["contracts"][name]["logic"] = format!("0x{}", "00".repeat(32)).into());
        let failed = stdout(&cli(&dir, &["audit", "--deployment", tampered]));
        assert!(failed.contains(&format!("different code at: {name} (logic)")), "{failed}");
    }
    let tampered = edit_deployment(&dir, "deployment.json", |d| d["investors"] = serde_json::json!([BOB]));
    let failed = stdout(&cli(&dir, &["audit", "--deployment", tampered]));
    assert!(failed.lines().any(|l| l.contains("Σ balances of known holders") && l.contains("FAIL")), "{failed}");
}

#[test]
fn problems_are_reported_before_anything_is_sent() {
    let dir = scratch("errors");
    let config = std::fs::read_to_string(dir.join("pool.toml")).expect("config");
    let broken = config
        .replace("gpu_count = 8", "gpu_count = 0")
        .replace("quorum = 2", "quorum = 3")
        .replace("operator_fee_bps = 1000", "operator_fee_bps = 20000")
        .replace("grace_period_ms = 60000", "grace_period_ms = 59999")
        .replace("yield_period_ms = 5000", "yield_period_ms = 500");
    std::fs::write(dir.join("broken.toml"), broken).expect("write");
    let refused = cli(&dir, &["deploy-pool", "--config", "broken.toml"]);
    assert_eq!(refused.status.code(), Some(2));
    let message = stderr(&refused);
    for field in ["token.yield_period_ms", "pool.gpu_count", "attestation.gpu_hours", "oracle.quorum", "escrow.operator_fee_bps", "escrow.grace_period_ms", "offer.available_gpus"] {
        assert!(message.contains(field), "{field} missing from:\n{message}");
    }
    assert!(!dir.join("deployment.json").exists(), "nothing deployed");

    let limits: serde_json::Value = serde_json::from_str(&succeeds(cli(&dir, &["--output", "json", "limits"]))).expect("json");
    assert!(limits["max_code_len"].as_u64() > Some(64 * 1024), "{limits}");
    assert!(limits["normal_max_total"][0].as_u64() <= limits["max_block"][0].as_u64(), "{limits}");

    let unreachable = cli(&dir, &["--url", "ws://127.0.0.1:9", "deploy-pool", "--config", "pool.toml"]);
    assert_eq!(unreachable.status.code(), Some(2));
    assert!(stderr(&unreachable).contains("cannot reach a node at ws://127.0.0.1:9"), "{}", stderr(&unreachable));
}

#[test]
fn a_wrong_address_is_named() {
    let dir = scratch("address");
    succeeds(cli(&dir, &["deploy-pool", "--config", "pool.toml"]));
    // The token's address swapped for the registry's: the registry has no `state` message.
    let swapped = edit_deployment(&dir, "deployment.json", |d| d["contracts"]["gpu_hour_token"]["address"] = d["contracts"]["identity_registry"]["address"].clone());
    let wrong = cli(&dir, &["read", "--deployment", swapped, "token", "state"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(stderr(&wrong).contains("wrong address or contract?"), "{}", stderr(&wrong));
    // An account that is no contract at all.
    let nobody = edit_deployment(&dir, "deployment.json", |d| d["contracts"]["gpu_hour_token"]["address"] = DAVE.into());
    let missing = cli(&dir, &["read", "--deployment", nobody, "token", "state"]);
    assert!(stderr(&missing).contains(&format!("no contract at {DAVE}")), "{}", stderr(&missing));
}
