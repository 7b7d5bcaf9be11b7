//! Issuer operations that are awkward by hand: batch registration from CSV, minting in GPU-hours.
use crate::chain::{account, AccountId};
use crate::config::hash32;
use anyhow::{bail, Result};

/// Most records per `register_batch` (the registry's `MAX_BATCH`).
pub const REGISTER_BATCH: usize = identity_registry::identity_registry::MAX_BATCH as usize;
/// Token units per GPU-hour (6 decimals).
pub const UNITS_PER_GPU_HOUR: u128 = gpu_hour_token::token::UNITS_PER_GPU_HOUR;

/// One investor's identity record, as the registry's `Identity` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvestorRecord {
    pub account: AccountId,
    pub identity: String,
}

/// Parses `account,country,kyc_expiry_ms,class[,claim_hash]` lines (a header line and blank lines
/// are skipped); reports every bad line at once, by line number and column.
pub fn parse_investors(csv: &str) -> Result<Vec<InvestorRecord>> {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in csv.lines().enumerate() {
        let line_number = index.saturating_add(1);
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if line.trim().is_empty() || (index == 0 && cells.first() == Some(&"account")) {
            continue;
        }
        match parse_record(&cells) {
            Ok(record) => records.push(record),
            Err(why) => problems.push(format!("  - line {line_number}: {why}")),
        }
    }
    if !problems.is_empty() {
        bail!("the investor file has {} bad line(s):\n{}", problems.len(), problems.join("\n"));
    }
    Ok(records)
}

fn parse_record(cells: &[&str]) -> Result<InvestorRecord, String> {
    let [address, country, expiry, class, rest @ ..] = cells else {
        return Err(format!("expected account,country,kyc_expiry_ms,class[,claim_hash], found {} column(s)", cells.len()));
    };
    let account = account(address, "account").map_err(|e| e.to_string())?;
    let country: u16 = country.parse().ok().filter(|c| (1..=999).contains(c)).ok_or(format!("country: `{country}` is not an ISO 3166 numeric code (1–999)"))?;
    let expiry: u64 = expiry.parse().map_err(|_| format!("kyc_expiry_ms: `{expiry}` is not a time in ms"))?;
    let class = match *class {
        "retail" | "Retail" => "Retail",
        "accredited" | "Accredited" => "Accredited",
        "institutional" | "Institutional" => "Institutional",
        "custodian" | "Custodian" => "Custodian",
        other => return Err(format!("class: `{other}` is not retail, accredited, institutional or custodian")),
    };
    let claim = match rest {
        [] | [""] => "None".to_string(),
        [hash] => format!("Some(0x{})", hex::encode(hash32(hash).ok_or(format!("claim_hash: `{hash}` is not 32 bytes of hex"))?)),
        _ => return Err("too many columns".into()),
    };
    let identity = format!("Identity {{ verified: true, country: {country}, kyc_expiry: {expiry}, class: {class}, claim_hash: {claim} }}");
    Ok(InvestorRecord { account, identity })
}

/// A `register_batch` argument for `records`.
pub fn batch_arg(records: &[InvestorRecord]) -> String {
    let pairs: Vec<_> = records.iter().map(|r| format!("({}, {})", r.account, r.identity)).collect();
    format!("[{}]", pairs.join(", "))
}

/// A decimal amount (`1500`, `0.25`) in base units of `decimals` places.
pub fn parse_units(text: &str, decimals: u32) -> Result<u128> {
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let places = usize::try_from(decimals)?;
    if whole.is_empty() && fraction.is_empty() || fraction.len() > places || !(whole.chars().chain(fraction.chars())).all(|c| c.is_ascii_digit()) {
        bail!("`{text}` is not an amount with at most {decimals} decimals");
    }
    let scale = 10u128.pow(decimals);
    let whole: u128 = if whole.is_empty() { 0 } else { whole.parse()? };
    let fraction: u128 = if fraction.is_empty() { 0 } else { format!("{fraction:0<places$}").parse()? };
    whole.checked_mul(scale).and_then(|w| w.checked_add(fraction)).ok_or_else(|| anyhow::anyhow!("`{text}` is too large"))
}

/// Base units as a decimal with `decimals` places, trailing zeros dropped (`1500`, `0.25`).
pub fn format_units(units: u128, decimals: u32) -> String {
    let scale = 10u128.pow(decimals);
    let (whole, fraction) = (units / scale, units % scale);
    if fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:0>width$}", width = usize::try_from(decimals).unwrap_or(0));
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
    const CHARLIE: &str = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";

    #[test]
    fn investors_are_read_from_csv_with_a_header() {
        let csv = format!("account,country,kyc_expiry_ms,class,claim_hash\n{BOB},276,4102444800000,accredited\n\n{CHARLIE},250,4102444800000,retail,0x{}\n", "ab".repeat(32));
        let records = parse_investors(&csv).expect("valid");
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].identity, "Identity { verified: true, country: 276, kyc_expiry: 4102444800000, class: Accredited, claim_hash: None }");
        assert!(records[1].identity.ends_with(&format!("claim_hash: Some(0x{}) }}", "ab".repeat(32))));
        assert_eq!(batch_arg(&records[..1]), format!("[({BOB}, {})]", records[0].identity));
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let csv = format!("{BOB},276,4102444800000,accredited\nnobody,276,1,retail\n{CHARLIE},1000,1,retail\n{CHARLIE},250,soon,vip\n{BOB},276\n");
        let error = parse_investors(&csv).expect_err("bad lines").to_string();
        assert!(error.starts_with("the investor file has 4 bad line(s)"), "{error}");
        for expected in ["line 2: account: `nobody`", "line 3: country: `1000`", "line 4: kyc_expiry_ms: `soon`", "line 5: expected account"] {
            assert!(error.contains(expected), "missing {expected:?} in {error}");
        }
    }

    #[test]
    fn amounts_convert_between_decimals_and_units() {
        assert_eq!(parse_units("3000", 6).expect("whole"), 3_000_000_000);
        assert_eq!(parse_units("0.25", 6).expect("fraction"), 250_000);
        assert_eq!(parse_units(".5", 6).expect("leading dot"), 500_000);
        assert!(parse_units("1.0000001", 6).is_err());
        assert!(parse_units("-1", 6).is_err());
        assert!(parse_units("", 6).is_err());
        assert!(parse_units("340282366920938463463374607431768211455", 6).is_err());
        assert_eq!(format_units(3_000_000_000, 6), "3000");
        assert_eq!(format_units(250_000, 6), "0.25");
        assert_eq!(format_units(1, 6), "0.000001");
    }
}
