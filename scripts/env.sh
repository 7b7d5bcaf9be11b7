# Sourced by every script: one toolchain, one build cache outside the clone, one node binary.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
export RUSTUP_TOOLCHAIN="${RUSTUP_TOOLCHAIN:-ink-wasm}"
# Shared across clones (CI reuses the session's build); never cleaned by our scripts.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/compute-rwa/target}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CONTRACTS_NODE="${CONTRACTS_NODE:-$HOME/.cache/compute-rwa/tools/substrate-contracts-node}"
export NODE_PORT="${NODE_PORT:-9944}"
export NODE_URL="ws://127.0.0.1:$NODE_PORT"
# Collected artifacts and node logs live in the clone's own target/ (git-ignored).
export ARTIFACTS="$ROOT/target/ink"
export COMPUTE_RWA_ARTIFACTS="$ARTIFACTS"
# Overridable so two runs in one clone (or two clones) keep their nodes apart (with NODE_PORT).
export NODE_DIR="${NODE_DIR:-$ROOT/target/node}"
# Contracts in deployment order; `common` is a library, not a contract.
CONTRACTS=(stablecoin identity_registry gpu_hour_token utilization_oracle rental_escrow)
export CONTRACTS
