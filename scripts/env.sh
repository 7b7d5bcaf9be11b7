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
# Every test build selects the whole workspace with the same features, so each dependency compiles
# once for all test levels: a narrower selection (`-p e2e-tests`, `--exclude`) unifies features
# differently and compiles the shared polkadot-sdk crates again (issue 19: 97 crates twice).
TEST_SCOPE=(--workspace --features e2e-tests/node,compute-rwa-cli/node)
# Builds target/debug/compute-rwa as the tests build it (no second build of the CLI's tree).
build_cli_for_tests() { cargo test "${TEST_SCOPE[@]}" --test against_node --no-run -q; }
# Contracts in deployment order; `common` is a library, not a contract.
CONTRACTS=(stablecoin identity_registry gpu_hour_token pool_admin utilization_oracle rental_escrow credit_vault gpu_market)
export CONTRACTS

# One numeric field of a struct the CLI printed, e.g. `compute-rwa read token state | field capacity`.
field() { grep -o "\b$1: [0-9]*" | head -1 | cut -d' ' -f2; }

# Builds contract $1 (release; cargo-contract builds in $CARGO_TARGET_DIR/ink/$1) and copies its
# .contract/.wasm/.json to $ARTIFACTS/$1/; cargo's output goes to stdout.
build_contract() {
  local features=()
  if has_front "$1"; then
    # A contract with a `front` feature builds twice from one source: its full build is the code
    # the deployed front runs by delegate call for the messages it hands on (artifact
    # <name>_logic), and the front (`--features front`) is what the contract's account runs; both
    # have the same metadata (docs/design.md).
    cargo contract build --release --manifest-path "$ROOT/contracts/$1/Cargo.toml" || return 1
    mkdir -p "$ARTIFACTS/${1}_logic"
    for ext in contract wasm json; do cp "$CARGO_TARGET_DIR/ink/$1/$1.$ext" "$ARTIFACTS/${1}_logic/${1}_logic.$ext"; done
    features=(--features front)
  fi
  cargo contract build --release "${features[@]}" --manifest-path "$ROOT/contracts/$1/Cargo.toml" || return 1
  mkdir -p "$ARTIFACTS/$1"
  cp "$CARGO_TARGET_DIR/ink/$1/$1".{contract,wasm,json} "$ARTIFACTS/$1/"
}

# Whether contract $1 deploys as a front over its full build's logic code (a `front` feature).
has_front() {
  grep -q '^front = ' "$ROOT/contracts/$1/Cargo.toml"
}

# Runs "$@" with all its output in LOG; while it runs, prints one line a minute (elapsed time, the
# step's expected duration, crates compiled so far and the one being compiled), so a cold build is
# never silent. Returns the command's status.
with_progress() {
  local label="$1" expected="$2" log="$3"; shift 3
  local started=$SECONDS pid crates current
  "$@" >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null || break
    crates="$(grep -ac '^ *Compiling ' "$log" || true)"
    current="$(grep -a '^ *Compiling ' "$log" | tail -n1 | sed -E 's/^ *Compiling ([^ ]+ v[^ ]+).*/\1/' || true)"
    # A step that runs other steps (build.sh) shows their latest line instead of cargo's.
    [ -n "$current" ] || current="$(grep -av '^ *$' "$log" | tail -n1 | cut -c1-100 || true)"
    printf '[%s] %d min elapsed (expected %s): %s crates compiled%s\n' "$label" $(((SECONDS - started) / 60)) \
      "$expected" "${crates:-0}" "${current:+, now: $current}"
  done
  wait "$pid"
}
