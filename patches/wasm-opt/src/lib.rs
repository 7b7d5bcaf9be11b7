//! The names `contract-build` 5.0.3 uses from `wasm-opt` 0.116 (an options builder, `Feature`,
//! `Pass`, `OptimizationError`), with no optimizer behind them: [`OptimizationOptions::run`]
//! always fails with [`OptimizationError::NotInThisBuild`]. This workspace never optimizes Wasm in
//! a host build; contracts come from the cargo-contract binary (`scripts/build.sh`).
use std::path::Path;

/// Wasm features the real builder can enable; only the one `contract-build` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// Sign-extension operators.
    SignExt,
}

/// Optimization passes; only the one `contract-build` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Lowers sign-extension operators to MVP instructions.
    SignextLowering,
}

/// Why a run failed: here, always because this build carries no optimizer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptimizationError {
    /// This workspace's host builds do not link Binaryen.
    NotInThisBuild,
}

impl std::fmt::Display for OptimizationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("this build of compute-rwa carries no Wasm optimizer: build contracts with scripts/build.sh (cargo-contract)")
    }
}

impl std::error::Error for OptimizationError {}

/// The options builder: records nothing, since nothing runs.
#[derive(Debug, Clone, Default)]
pub struct OptimizationOptions {}

impl OptimizationOptions {
    /// `-O0`.
    pub fn new_opt_level_0() -> Self {
        Self::default()
    }
    /// `-O1`.
    pub fn new_opt_level_1() -> Self {
        Self::default()
    }
    /// `-O2`.
    pub fn new_opt_level_2() -> Self {
        Self::default()
    }
    /// `-O3`.
    pub fn new_opt_level_3() -> Self {
        Self::default()
    }
    /// `-O4`.
    pub fn new_opt_level_4() -> Self {
        Self::default()
    }
    /// `-Os`.
    pub fn new_optimize_for_size() -> Self {
        Self::default()
    }
    /// `-Oz`.
    pub fn new_optimize_for_size_aggressively() -> Self {
        Self::default()
    }
    /// Only MVP features.
    pub fn mvp_features_only(&mut self) -> &mut Self {
        self
    }
    /// Enables a feature.
    pub fn enable_feature(&mut self, _feature: Feature) -> &mut Self {
        self
    }
    /// Adds a pass.
    pub fn add_pass(&mut self, _pass: Pass) -> &mut Self {
        self
    }
    /// Memory starts zeroed.
    pub fn zero_filled_memory(&mut self, _value: bool) -> &mut Self {
        self
    }
    /// Keeps debug info.
    pub fn debug_info(&mut self, _value: bool) -> &mut Self {
        self
    }
    /// Always fails: there is no optimizer in this build.
    pub fn run(&self, _infile: impl AsRef<Path>, _outfile: impl AsRef<Path>) -> Result<(), OptimizationError> {
        Err(OptimizationError::NotInThisBuild)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_run_fails_and_says_where_contracts_come_from() {
        let error = OptimizationOptions::new_optimize_for_size_aggressively()
            .mvp_features_only()
            .enable_feature(Feature::SignExt)
            .add_pass(Pass::SignextLowering)
            .zero_filled_memory(true)
            .debug_info(false)
            .run("in.wasm", "out.wasm")
            .unwrap_err();
        assert_eq!(error, OptimizationError::NotInThisBuild);
        assert!(error.to_string().contains("scripts/build.sh"));
    }
}
