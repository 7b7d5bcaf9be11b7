//! `pool.toml`: everything `deploy-pool` needs, checked field by field before anything is sent.
use crate::chain::account;
use anyhow::{Context, Result};
use gpu_hour_token::rewards::{DEFAULT_YIELD_PERIOD_MS, MAX_YIELD_PERIOD_MS, MIN_YIELD_PERIOD_MS};
use rental_escrow::escrow::{Offer, MAX_PRICE_RANGE, MAX_RENTAL_EPOCHS, MAX_SLA_TIERS};
use serde::Deserialize;
use std::path::Path;
use utilization_oracle::oracle::{MAX_REPORTERS, MIN_EPOCH_LENGTH};

use compute_rwa_common::{BPS, MS_PER_HOUR};
const MS_PER_DAY: u64 = 24 * MS_PER_HOUR;

/// A pool deployment, as written by the issuer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolConfig {
    pub token: TokenSection,
    pub pool: PoolSection,
    pub attestation: AttestationSection,
    pub stablecoin: ReuseOrDeploy,
    #[serde(default)]
    pub registry: ReuseOrDeploy,
    pub oracle: OracleSection,
    pub escrow: EscrowSection,
    pub offer: OfferSection,
    /// A credit vault lending the stablecoin against the pool's tokens (none when absent).
    pub vault: Option<VaultSection>,
    /// A market trading the pool's tokens for the stablecoin (none when absent).
    pub market: Option<MarketSection>,
    /// The token's transfer rules, read straight into the contracts' `ComplianceRules` (one
    /// field per compliance module, each off at 0); every module off when absent.
    pub compliance: Option<compute_rwa_common::ComplianceRules>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenSection {
    pub name: String,
    pub symbol: String,
    /// How long each yield distribution streams to holders (ms, 1 s ..= 365 days; default 1 day).
    #[serde(default = "default_yield_period")]
    pub yield_period_ms: u64,
}

fn default_yield_period() -> u64 {
    DEFAULT_YIELD_PERIOD_MS
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSection {
    pub gpu_model: String,
    pub gpu_count: u32,
    pub region: String,
    /// Uptime Institute tier, 1–4.
    pub datacenter_tier: u8,
    /// Start of the tokenization period (ms since the Unix epoch); the deployment time when absent.
    pub period_start_ms: Option<u64>,
    pub period_days: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestationSection {
    /// Attested GPU-hours; at most GPUs × period hours.
    pub gpu_hours: u64,
    /// SHA-256 (or similar) of the attestation document, 32 bytes as 0x-hex.
    pub document_hash: String,
    pub document_uri: String,
}

/// An existing contract to reuse (`address`), or a new one to deploy (our stablecoin takes `name`/`symbol`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReuseOrDeploy {
    pub address: Option<String>,
    pub name: Option<String>,
    pub symbol: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OracleSection {
    pub reporters: Vec<String>,
    pub quorum: u32,
    pub epoch_length_ms: u64,
    /// Start of epoch 0; the deployment time when absent.
    pub genesis_ms: Option<u64>,
    pub report_window_ms: u64,
    pub max_age_ms: u64,
    pub max_wh_per_gpu_hour: u64,
    pub tolerance_bps: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscrowSection {
    pub operator: String,
    pub arbiter: String,
    pub operator_fee_bps: u64,
    /// How long after an epoch ends the oracle has to finalize it before it can be refunded
    /// (at least `oracle.report_window_ms`).
    pub grace_period_ms: u64,
    pub dispute_window_ms: u64,
    /// After the dispute window, how long the arbiter has to resolve a dispute before anyone may
    /// settle the epoch as undisputed (default one day).
    #[serde(default = "default_arbitration_period_ms")]
    pub arbitration_period_ms: u64,
}

fn default_arbitration_period_ms() -> u64 {
    86_400_000
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferSection {
    /// Stablecoin units per GPU-hour.
    pub price_per_gpu_hour: u64,
    pub min_epochs: u32,
    pub max_epochs: u32,
    pub available_gpus: u32,
    #[serde(default)]
    pub cancellation_fee_bps: u64,
    /// Notice (ms before a rental's first epoch) below which cancelling pays the fee too.
    #[serde(default)]
    pub cancellation_notice_ms: u64,
    #[serde(default)]
    pub sla: Vec<SlaTierSection>,
    /// Demand pricing: booked GPUs where the steep slope begins (0 and no slopes: a flat price).
    #[serde(default)]
    pub kink_gpus: u32,
    /// Units per GPU-hour added by each GPU booked below the kink.
    #[serde(default)]
    pub slope_below: u64,
    /// Units per GPU-hour added by each GPU booked above it (≥ slope_below).
    #[serde(default)]
    pub slope_above: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaTierSection {
    pub below_bps: u64,
    pub credit_bps: u64,
}

/// The credit vault's `[vault]` section: its risk and rate parameters, read straight into the
/// vault's own `Params` (bounded there; an unknown or missing field is an error), and the country
/// it is registered in as a custodian.
#[derive(Debug, Clone)]
pub struct VaultSection {
    pub params: credit_vault::vault::Params,
    /// ISO 3166 numeric country the vault is registered in (the registry's custodian record).
    pub country: u16,
}

impl<'de> Deserialize<'de> for VaultSection {
    fn deserialize<D: serde::Deserializer<'de>>(from: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut table = toml::Table::deserialize(from)?;
        let country = table.remove("country").ok_or_else(|| D::Error::missing_field("country"))?;
        let country = u16::deserialize(country).map_err(D::Error::custom)?;
        let params = credit_vault::vault::Params::deserialize(toml::Value::Table(table)).map_err(D::Error::custom)?;
        Ok(VaultSection { params, country })
    }
}

/// `[market]`: the GPU-hour market's fee, paid by buyers to the pool's operator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketSection {
    /// Fee in bps of every payment (at most 1,000), to the escrow's operator.
    pub fee_bps: u16,
}

/// One thing wrong with a config, with the field it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl PoolConfig {
    /// Reads and parses `path` (syntax and type errors name their line and field).
    pub fn load(path: &Path) -> Result<PoolConfig> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("{} is not a valid pool config", path.display()))
    }

    /// Every rule the contracts would refuse, plus the ones only tooling can check, at once.
    pub fn problems(&self) -> Vec<Problem> {
        let mut found = Problems::default();
        let pool = &self.pool;
        // Texts travel in cargo-contract's notation, which has no `\u{…}` or `\0` escapes.
        for (field, text) in [
            ("token.name", &self.token.name),
            ("token.symbol", &self.token.symbol),
            ("pool.gpu_model", &self.pool.gpu_model),
            ("pool.region", &self.pool.region),
            ("attestation.document_uri", &self.attestation.document_uri),
        ] {
            let escaped = format!("{text:?}");
            found.check(!escaped.contains("\\u{") && !escaped.contains("\\0"), field, "must be printable text (no control or combining characters)");
        }
        found.check(!self.token.name.trim().is_empty(), "token.name", "must not be empty");
        found.check(!self.token.symbol.trim().is_empty(), "token.symbol", "must not be empty");
        found.check(
            (MIN_YIELD_PERIOD_MS..=MAX_YIELD_PERIOD_MS).contains(&self.token.yield_period_ms),
            "token.yield_period_ms",
            &format!("must be between {MIN_YIELD_PERIOD_MS} (1 s) and {MAX_YIELD_PERIOD_MS} (365 days)"),
        );
        found.check(pool.gpu_count > 0, "pool.gpu_count", "must be at least 1");
        found.check((1..=4).contains(&pool.datacenter_tier), "pool.datacenter_tier", "must be 1, 2, 3 or 4");
        found.check(pool.period_days > 0, "pool.period_days", "must be at least 1");
        let period_hours = pool.period_days.saturating_mul(24);
        let capacity_limit = u64::from(pool.gpu_count).saturating_mul(period_hours);
        found.check(
            self.attestation.gpu_hours <= capacity_limit,
            "attestation.gpu_hours",
            &format!("{} exceeds GPUs × period hours = {capacity_limit}", self.attestation.gpu_hours),
        );
        found.check(hash32(&self.attestation.document_hash).is_some(), "attestation.document_hash", "must be 32 bytes of 0x-hex");
        self.check_reuse_or_deploy(&mut found);
        self.check_oracle(&mut found);
        self.check_escrow(&mut found);
        self.check_offer(&mut found);
        if let Some(rules) = &self.compliance {
            found.check(
                rules.validate().is_ok(),
                "compliance",
                &format!(
                    "at most {} blocked_countries; allowed_classes at most {} (retail 1 + accredited 2 + institutional 4); \
                     a transfer_limit needs a transfer_window; transfer_window and lockup at most {} ms (ten years)",
                    compute_rwa_common::MAX_BLOCKED_COUNTRIES,
                    compute_rwa_common::compliance::INVESTOR_CLASSES,
                    compute_rwa_common::compliance::MAX_RULE_PERIOD_MS
                ),
            );
        }
        if let Some(vault) = &self.vault {
            found.check(
                vault.params.validate().is_ok(),
                "vault",
                "parameters out of bounds: 0 < ltv_bps ≤ liquidation_threshold_bps ≤ 9000, threshold × (1 + bonus) < 100%, \
                 liquidation_bonus_bps ≤ 2000, haircut_bps < 10000, 0 < close_factor_bps ≤ 10000, 0 < kink_bps < 10000, \
                 each rate ≤ 10000, 3 ≤ trailing_epochs ≤ 12, trailing_epochs ≤ horizon_epochs ≤ 100 × trailing_epochs",
            );
            found.check((1..=999).contains(&vault.country), "vault.country", "must be an ISO 3166 numeric code (1–999)");
        }
        if let Some(market) = &self.market {
            found.check(market.fee_bps <= gpu_market::market::MAX_FEE_BPS, "market.fee_bps", "must be at most 1000 (10%)");
        }
        found.0
    }

    fn check_reuse_or_deploy(&self, found: &mut Problems) {
        match &self.stablecoin.address {
            Some(address) => found.address(address, "stablecoin.address"),
            None => found.check(
                self.stablecoin.name.is_some() && self.stablecoin.symbol.is_some(),
                "stablecoin",
                "give `address` to reuse a stablecoin, or `name` and `symbol` to deploy one",
            ),
        }
        if let Some(address) = &self.registry.address {
            found.address(address, "registry.address");
        }
    }

    fn check_oracle(&self, found: &mut Problems) {
        let oracle = &self.oracle;
        let reporters = u32::try_from(oracle.reporters.len()).unwrap_or(u32::MAX);
        for (i, reporter) in oracle.reporters.iter().enumerate() {
            found.address(reporter, &format!("oracle.reporters[{i}]"));
        }
        found.check(reporters <= MAX_REPORTERS, "oracle.reporters", &format!("at most {MAX_REPORTERS}"));
        found.check(oracle.quorum >= 1 && oracle.quorum <= reporters, "oracle.quorum", "must be between 1 and the number of reporters");
        found.check(oracle.epoch_length_ms >= MIN_EPOCH_LENGTH, "oracle.epoch_length_ms", &format!("must be at least {MIN_EPOCH_LENGTH}"));
        found.check(oracle.report_window_ms > 0, "oracle.report_window_ms", "must be positive");
        found.check(oracle.max_age_ms > 0, "oracle.max_age_ms", "must be positive");
        found.check(oracle.tolerance_bps <= u64::from(BPS), "oracle.tolerance_bps", "must be at most 10000");
    }

    fn check_escrow(&self, found: &mut Problems) {
        found.address(&self.escrow.operator, "escrow.operator");
        found.address(&self.escrow.arbiter, "escrow.arbiter");
        found.check(self.escrow.operator_fee_bps <= u64::from(BPS), "escrow.operator_fee_bps", "must be at most 10000");
        found.check(
            self.escrow.grace_period_ms >= self.oracle.report_window_ms,
            "escrow.grace_period_ms",
            &format!("must be at least oracle.report_window_ms ({})", self.oracle.report_window_ms),
        );
        // A dispute contests the oracle's figures, which may come only as the report window
        // closes: the window to dispute must outlast it.
        found.check(
            self.escrow.dispute_window_ms > self.oracle.report_window_ms,
            "escrow.dispute_window_ms",
            &format!("must exceed oracle.report_window_ms ({}): a dispute needs the oracle's figures", self.oracle.report_window_ms),
        );
        found.check(self.escrow.arbitration_period_ms > 0, "escrow.arbitration_period_ms", "must be positive");
    }

    fn check_offer(&self, found: &mut Problems) {
        let offer = &self.offer;
        found.check(offer.price_per_gpu_hour > 0, "offer.price_per_gpu_hour", "must be positive");
        found.check(offer.min_epochs >= 1, "offer.min_epochs", "must be at least 1");
        found.check(offer.min_epochs <= offer.max_epochs, "offer.max_epochs", "must be at least min_epochs");
        found.check(offer.max_epochs <= MAX_RENTAL_EPOCHS, "offer.max_epochs", &format!("at most {MAX_RENTAL_EPOCHS}"));
        found.check(offer.available_gpus <= self.pool.gpu_count, "offer.available_gpus", "must not exceed pool.gpu_count");
        found.check(offer.cancellation_fee_bps <= u64::from(BPS), "offer.cancellation_fee_bps", "must be at most 10000");
        found.check(offer.sla.len() <= MAX_SLA_TIERS, "offer.sla", &format!("at most {MAX_SLA_TIERS} tiers"));
        for (i, tier) in offer.sla.iter().enumerate() {
            found.check(tier.below_bps <= u64::from(BPS), &format!("offer.sla[{i}].below_bps"), "must be at most 10000");
            found.check(tier.credit_bps <= u64::from(BPS), &format!("offer.sla[{i}].credit_bps"), "must be at most 10000");
        }
        found.check(offer.kink_gpus <= offer.available_gpus, "offer.kink_gpus", "must not exceed available_gpus");
        found.check(offer.slope_below <= offer.slope_above, "offer.slope_above", "must be at least slope_below (the curve steepens at the kink)");
        // The escrow's own rule: the last GPU's price within MAX_PRICE_RANGE × the base.
        let curve = Offer {
            price_per_gpu_hour: u128::from(offer.price_per_gpu_hour),
            available_gpus: offer.available_gpus,
            kink_gpus: offer.kink_gpus,
            slope_below: u128::from(offer.slope_below),
            slope_above: u128::from(offer.slope_above),
            ..Offer::default()
        };
        found.check(
            curve.within_price_range(),
            "offer.slope_above",
            &format!("the last GPU may cost at most {MAX_PRICE_RANGE} × price_per_gpu_hour"),
        );
    }

    /// Start and end of the tokenization period (ms).
    pub fn period(&self, now_ms: u64) -> (u64, u64) {
        let start = self.pool.period_start_ms.unwrap_or(now_ms);
        (start, start.saturating_add(self.pool.period_days.saturating_mul(MS_PER_DAY)))
    }
}

/// Collects problems instead of stopping at the first.
#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn check(&mut self, ok: bool, field: &str, message: &str) {
        if !ok {
            self.0.push(Problem { field: field.into(), message: message.into() });
        }
    }

    fn address(&mut self, text: &str, field: &str) {
        self.check(account(text, field).is_ok(), field, &format!("`{text}` is not an SS58 address"));
    }
}

/// 32 bytes from 0x-hex.
pub fn hash32(text: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(text.strip_prefix("0x").unwrap_or(text)).ok()?;
    <[u8; 32]>::try_from(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const SAMPLE: &str = include_str!("../pool.example.toml");

    fn sample() -> PoolConfig {
        toml::from_str(SAMPLE).expect("the example config parses")
    }

    #[test]
    fn the_example_config_is_valid() {
        assert_eq!(sample().problems(), vec![]);
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_field() {
        let mut config = sample();
        config.pool.gpu_count = 0;
        config.pool.datacenter_tier = 5;
        config.attestation.document_hash = "0x12".into();
        config.oracle.quorum = 3;
        config.oracle.reporters[1] = "not-an-address".into();
        config.token.yield_period_ms = 999;
        config.escrow.operator_fee_bps = 10_001;
        config.escrow.grace_period_ms = config.oracle.report_window_ms - 1;
        config.escrow.dispute_window_ms = config.oracle.report_window_ms;
        config.escrow.arbitration_period_ms = 0;
        config.offer.min_epochs = 30;
        let vault = config.vault.as_mut().expect("the example has a vault");
        vault.params.ltv_bps = vault.params.liquidation_threshold_bps + 1;
        vault.country = 0;
        config.market.as_mut().expect("the example has a market").fee_bps = 1_001;
        let fields: Vec<_> = config.problems().into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "token.yield_period_ms",
                "pool.gpu_count",
                "pool.datacenter_tier",
                "attestation.gpu_hours",
                "attestation.document_hash",
                "oracle.reporters[1]",
                "oracle.quorum",
                "escrow.operator_fee_bps",
                "escrow.grace_period_ms",
                "escrow.dispute_window_ms",
                "escrow.arbitration_period_ms",
                "offer.max_epochs",
                "offer.available_gpus",
                "vault",
                "vault.country",
                "market.fee_bps",
            ]
        );
    }

    #[test]
    fn the_demand_curve_is_kinked_and_bounded_as_the_escrow_requires() {
        let fields = |config: PoolConfig| config.problems().into_iter().map(|p| p.field).collect::<Vec<_>>();
        let mut config = sample();
        config.offer.kink_gpus = 9;
        config.offer.slope_below = 600_000;
        assert_eq!(fields(config), ["offer.kink_gpus", "offer.slope_above"]);
        let mut steep = sample();
        // The last GPU at 2.5 + 0.6 + 21.9 = 25 USDC is the most allowed (10 × 2.5), a unit more is not.
        steep.offer.slope_above = 21_900_000;
        assert_eq!(fields(steep.clone()), Vec::<String>::new());
        steep.offer.slope_above += 1;
        assert_eq!(fields(steep), ["offer.slope_above"]);
    }

    #[test]
    fn the_vault_section_is_the_vaults_own_params_and_a_country() {
        let text = include_str!("../pool.example.toml");
        let vault = toml::from_str::<PoolConfig>(text).expect("parses").vault.expect("the example has a vault");
        let p = vault.params;
        assert_eq!((p.ltv_bps, p.liquidation_threshold_bps, p.slope2_bps, p.kink_bps, p.trailing_epochs, p.horizon_epochs), (5_000, 7_000, 10_000, 8_000, 12, 1_200));
        assert_eq!(vault.country, 276);
        for broken in [text.replace("kink_bps = 8000", "kink = 8000"), text.replace("country = 276 ", "# "), text.replace("country = 276 ", "country = \"DE\" ")] {
            assert!(toml::from_str::<PoolConfig>(&broken).is_err(), "a misspelt, missing or mistyped [vault] field is an error");
        }
    }

    #[test]
    fn capacity_may_not_exceed_gpus_times_period_hours() {
        let mut config = sample();
        config.attestation.gpu_hours = u64::from(config.pool.gpu_count) * config.pool.period_days * 24 + 1;
        let problems = config.problems();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].to_string(), "attestation.gpu_hours: 5761 exceeds GPUs × period hours = 5760");
    }

    #[test]
    fn a_stablecoin_is_reused_or_described() {
        let mut config = sample();
        config.stablecoin = ReuseOrDeploy::default();
        assert_eq!(config.problems()[0].field, "stablecoin");
        config.stablecoin.address = Some("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".into());
        assert_eq!(config.problems(), vec![]);
    }

    #[test]
    fn unknown_fields_are_refused_by_name() {
        let error = toml::from_str::<PoolConfig>(&SAMPLE.replace("gpu_count = 8", "gpu_count = 8\ngpus = 8")).expect_err("unknown field");
        assert!(error.to_string().contains("unknown field `gpus`"), "{error}");
    }

    #[test]
    fn the_grace_period_covers_the_report_window() {
        let mut config = sample();
        config.escrow.grace_period_ms = config.oracle.report_window_ms;
        assert_eq!(config.problems(), vec![], "equal is enough");
        config.oracle.report_window_ms += 1;
        let problems = config.problems();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].to_string(), "escrow.grace_period_ms: must be at least oracle.report_window_ms (60001)");
    }

    #[test]
    fn the_yield_period_is_bounded_and_defaults_to_a_day() {
        let mut config = sample();
        assert_eq!(config.token.yield_period_ms, 5_000, "the example streams yield over 5 s");
        for (period, ok) in [(999, false), (1_000, true), (31_536_000_000, true), (31_536_000_001, false)] {
            config.token.yield_period_ms = period;
            assert_eq!(config.problems().is_empty(), ok, "{period}");
        }
        let without = |keys: &[&str]| SAMPLE.lines().filter(|l| !keys.iter().any(|k| l.starts_with(k))).collect::<Vec<_>>().join("\n");
        let default: PoolConfig = toml::from_str(&without(&["yield_period_ms", "cancellation_notice_ms"])).expect("parses");
        assert_eq!(default.token.yield_period_ms, 86_400_000);
        assert_eq!(default.offer.cancellation_notice_ms, 0);
        assert_eq!(sample().offer.cancellation_notice_ms, 7_200);
    }

    #[test]
    fn the_period_starts_now_unless_given() {
        let mut config = sample();
        config.pool.period_start_ms = None;
        assert_eq!(config.period(1_000), (1_000, 1_000 + 30 * MS_PER_DAY));
        config.pool.period_start_ms = Some(5);
        assert_eq!(config.period(1_000).0, 5);
    }
}
