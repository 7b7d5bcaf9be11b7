//! Helpers shared by the drink (`tests/sandbox_*.rs`) and ink_e2e (`tests/node_*.rs`) suites.
//!
//! Both load the release artifacts collected by `scripts/build.sh`, so the tests exercise
//! exactly the Wasm that gets deployed and never build a contract themselves.

use std::path::PathBuf;

/// Boxed error for `?` in tests.
pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// A contract's `Result` as a test result (contract errors are not `std::error::Error`).
pub fn ok<T, E: std::fmt::Debug>(result: Result<T, E>) -> TestResult<T> {
    result.map_err(|error| format!("contract returned {error:?}").into())
}

/// Directory holding `<name>/<name>.{contract,wasm,json}`: `COMPUTE_RWA_ARTIFACTS` (set by
/// `scripts/test.sh`), else `target/ink` of the checkout `cargo test` runs in. Read at run time:
/// a test binary from the shared build cache may have been compiled in another clone.
pub fn artifacts_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("COMPUTE_RWA_ARTIFACTS") {
        return PathBuf::from(dir);
    }
    let package = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    package.join("../target/ink")
}

/// Path of a built artifact, with a hint to run the build when it is missing.
pub fn artifact(name: &str, extension: &str) -> PathBuf {
    let path = artifacts_dir().join(name).join(format!("{name}.{extension}"));
    assert!(path.exists(), "{} missing: run scripts/build.sh first", path.display());
    path
}

pub mod node;
pub mod sandbox;
pub mod campaign;
