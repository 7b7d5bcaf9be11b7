#!/usr/bin/env bash
# Installs everything compute-rwa needs on a fresh Debian 12 machine; safe to rerun.
# See docs/toolchain.md for why each piece is pinned the way it is.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUST_WEB_VERSION="1.85.0+dfsg3-1~deb12u3"
TOOLCHAIN_NAME="ink-wasm"
CARGO_CONTRACT_VERSION="5.0.3"
NODE_VERSION="0.42.0"
# The node's official Linux release (paritytech/substrate-contracts-node), tried first. The archive's
# SHA-256 is the one pinned by public Nix packagings of this release (not re-measured here: these
# machines cannot reach the release host); a mismatch falls back to the next source.
NODE_RELEASE_URL="${COMPUTE_RWA_NODE_RELEASE_URL:-https://github.com/paritytech/substrate-contracts-node/releases/download/v$NODE_VERSION/substrate-contracts-node-linux.tar.gz}"
NODE_RELEASE_SHA256="${COMPUTE_RWA_NODE_RELEASE_SHA256-a631b4e83dd05e4beaccbd770be709ac41914183d443116c2e4d244161590265}"
SHARED_BIN="${COMPUTE_RWA_SHARED_BIN:-$ROOT/../shared/bin}"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
# The node goes where every other script looks for it (env.sh's CONTRACTS_NODE).
NODE_BIN="${CONTRACTS_NODE:-$HOME/.cache/compute-rwa/tools/substrate-contracts-node}"
TOOLS_DIR="$(dirname "$NODE_BIN")"

say()  { printf '[setup] %s\n' "$*"; }
fail() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

need_root_for_apt() {
  [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null || fail "apt packages missing and neither root nor sudo is available"
}

apt_install() {
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq || fail "apt-get update failed (is Debian's package mirror reachable?)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --allow-downgrades "$@" \
    || fail "apt-get install failed for: $*"
}

install_debian_packages() {
  local v="$RUST_WEB_VERSION"
  local pkgs=("rustc-web=$v" "cargo-web=$v" "rust-web-src=$v" "libstd-rust-web-dev=$v"
              "libstd-rust-web-1.85=$v" "rust-web-clippy=$v" lld-19 clang libclang-dev protobuf-compiler xz-utils)
  local missing=()
  for p in "${pkgs[@]}"; do
    local name="${p%%=*}" want="${p#*=}" have
    have="$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null || true)"
    if [ -z "$have" ] || { [ "$want" != "$p" ] && [ "$have" != "$want" ]; }; then missing+=("$p"); fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    need_root_for_apt
    say "installing Debian packages: ${missing[*]}"
    apt_install "${missing[@]}"
  fi
}

# rustc looks for `rust-lld` in its own sysroot when linking Wasm.
link_wasm_linker() {
  local dest=/usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld
  [ -x /usr/lib/llvm-19/bin/lld ] || fail "lld-19 is not installed (/usr/lib/llvm-19/bin/lld missing)"
  if [ "$(readlink -f "$dest" 2>/dev/null)" != "$(readlink -f /usr/lib/llvm-19/bin/lld)" ]; then
    mkdir -p "$(dirname "$dest")" && ln -sf /usr/lib/llvm-19/bin/lld "$dest"
  fi
}

# A rustup toolchain named $TOOLCHAIN_NAME that points at Debian's rustc-web.
link_rustup_toolchain() {
  command -v rustup >/dev/null || fail "rustup is not installed"
  local dir="$HOME/.cache/compute-rwa/toolchain"
  mkdir -p "$dir/bin"
  for tool in rustc cargo rustdoc cargo-clippy clippy-driver; do
    [ -x "/usr/bin/$tool" ] || fail "/usr/bin/$tool missing (Debian rustc-web/cargo-web/rust-web-clippy)"
    ln -sfn "/usr/bin/$tool" "$dir/bin/$tool"
  done
  ln -sfn /usr/lib "$dir/lib"
  if ! rustup toolchain list | grep -q "^$TOOLCHAIN_NAME"; then
    rustup toolchain link "$TOOLCHAIN_NAME" "$dir" >/dev/null
  fi
}

# Uses a prebuilt binary from shared/bin when it matches its checksum; returns 1 otherwise.
unpack_prebuilt() {
  local name="$1" archive="$2" dest="$3"
  [ -f "$SHARED_BIN/$archive" ] && [ -f "$SHARED_BIN/SHA256SUMS" ] || return 1
  local want tmp
  want="$(awk -v n="$name" '$2==n {print $1}' "$SHARED_BIN/SHA256SUMS")"
  [ -n "$want" ] || return 1
  tmp="$(mktemp)"
  xz -dc "$SHARED_BIN/$archive" > "$tmp"
  if [ "$(sha256sum "$tmp" | cut -d' ' -f1)" != "$want" ]; then
    rm -f "$tmp"; say "checksum mismatch for prebuilt $name, building instead"; return 1
  fi
  mkdir -p "$(dirname "$dest")"
  install -m 0755 "$tmp" "$dest" && rm -f "$tmp"
}

# cargo-contract's documented install is `cargo install` from crates.io (there is no release binary
# to pin here): the prebuilt binary beside the clone, else crates.io.
install_cargo_contract() {
  if "$CARGO_BIN/cargo-contract" --version 2>/dev/null | grep -q "cargo-contract-contract $CARGO_CONTRACT_VERSION\|$CARGO_CONTRACT_VERSION"; then
    say "cargo-contract $CARGO_CONTRACT_VERSION already installed"; return
  fi
  if unpack_prebuilt cargo-contract "cargo-contract-$CARGO_CONTRACT_VERSION.xz" "$CARGO_BIN/cargo-contract"; then
    say "cargo-contract $CARGO_CONTRACT_VERSION from prebuilt binary"; return
  fi
  say "building cargo-contract $CARGO_CONTRACT_VERSION from crates.io (~30 min)"
  cargo "+$TOOLCHAIN_NAME" install cargo-contract --version "$CARGO_CONTRACT_VERSION" --locked
}

# Building the node's runtime needs a wasm32 std in the sysroot; only done on the source path.
ensure_wasm32_std() {
  local libdir=/usr/lib/rustlib/wasm32-unknown-unknown/lib
  ls "$libdir"/libstd-*.rlib >/dev/null 2>&1 && return
  local tmp; tmp="$(mktemp -d)"
  ( cd "$tmp" && cargo "+$TOOLCHAIN_NAME" new -q --lib stdprobe && cd stdprobe &&
    RUSTC_BOOTSTRAP=1 cargo "+$TOOLCHAIN_NAME" build -q --release --target wasm32-unknown-unknown \
      -Zbuild-std=std,panic_abort,panic_unwind,proc_macro,test )
  mkdir -p "$libdir"
  cp "$tmp"/stdprobe/target/wasm32-unknown-unknown/release/deps/lib*.rlib "$libdir/"
  rm -rf "$tmp"
}

# The node: its maintainers' release, else the prebuilt binary beside the clone, else a source build.
install_node() {
  if "$NODE_BIN" --version 2>/dev/null | grep -q "$NODE_VERSION"; then
    say "substrate-contracts-node $NODE_VERSION already installed at $NODE_BIN"; return
  fi
  say "substrate-contracts-node $NODE_VERSION: trying the official release ($NODE_RELEASE_URL)"
  if bash "$ROOT/scripts/fetch-release.sh" "$NODE_RELEASE_URL" substrate-contracts-node "$NODE_VERSION" "$NODE_BIN" "$NODE_RELEASE_SHA256"; then
    say "substrate-contracts-node $NODE_VERSION from the official release"; return
  fi
  say "official release unavailable; trying the prebuilt binary in $SHARED_BIN"
  if unpack_prebuilt substrate-contracts-node "substrate-contracts-node-$NODE_VERSION.xz" "$NODE_BIN"; then
    say "substrate-contracts-node $NODE_VERSION from prebuilt binary"; return
  fi
  say "building substrate-contracts-node $NODE_VERSION from crates.io (~110 min on 2 cores)"
  ensure_wasm32_std
  cargo "+$TOOLCHAIN_NAME" fetch --manifest-path /dev/null 2>/dev/null || true
  local src
  cargo "+$TOOLCHAIN_NAME" install contracts-node --version "$NODE_VERSION" --locked --root "$TOOLS_DIR/node-build" --no-track || {
    # The runtime's Wasm build cannot see the crate's lock file under `cargo install`; point it there.
    src="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/contracts-node-"$NODE_VERSION" | head -n1)"
    WASM_BUILD_WORKSPACE_HINT="$src" RUSTC_BOOTSTRAP=1 \
      cargo "+$TOOLCHAIN_NAME" install contracts-node --version "$NODE_VERSION" --locked --root "$TOOLS_DIR/node-build" --no-track
  }
  install -m 0755 "$TOOLS_DIR/node-build/bin/substrate-contracts-node" "$NODE_BIN"
}

print_versions() {
  say "versions:"
  ( cd "$ROOT" && printf '  %s\n' "$(rustc --version)" "$(cargo --version)" )
  printf '  %s\n' "$("$CARGO_BIN/cargo-contract" --version)" "$("$NODE_BIN" --version)" \
    "$(/usr/lib/llvm-19/bin/lld -flavor wasm --version)" "$(protoc --version)"
}

# `--node-only`: just the node (what scripts/test-fetch-release.sh exercises).
if [ "${1:-}" = "--node-only" ]; then
  install_node
  say "ready: node at $NODE_BIN"
  exit 0
fi

install_debian_packages
link_wasm_linker
link_rustup_toolchain
install_cargo_contract
install_node
print_versions
say "ready: node at $NODE_BIN"
