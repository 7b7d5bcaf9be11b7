#!/usr/bin/env bash
# Tests the release-download path of scripts/setup.sh (scripts/fetch-release.sh) against servers on
# 127.0.0.1: a good archive, a pinned and a wrong SHA-256, a corrupt archive, a binary of the wrong
# version, a missing file, a server that never answers and a closed port; then setup's order
# (official release, else the prebuilt binary, else the source build) and the path it reports.
# Prints a cargo-style result line.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
passed=0; failed=0
ok()  { passed=$((passed + 1)); echo "test $1 ... ok"; }
bad() { failed=$((failed + 1)); echo "test $1 ... FAILED: $2"; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Archives: a stand-in node that reports a version, laid out as the release lays it out.
fake_archive() { # name version
  local dir="$work/build-$1/artifacts/substrate-contracts-node-linux"
  mkdir -p "$dir"
  printf '#!/bin/sh\necho "substrate-contracts-node %s-test"\n' "$2" >"$dir/substrate-contracts-node"
  chmod +x "$dir/substrate-contracts-node"
  tar -czf "$work/srv/$1.tar.gz" -C "$work/build-$1" artifacts
}
mkdir -p "$work/srv"
fake_archive good 0.42.0
fake_archive old 0.41.0
head -c 4096 /dev/urandom >"$work/srv/corrupt.tar.gz"
good_sha="$(sha256sum "$work/srv/good.tar.gz" | cut -d' ' -f1)"

port="$(free_port)"
( cd "$work/srv" && exec python3 -m http.server "$port" --bind 127.0.0.1 ) >/dev/null 2>&1 &
pids+=($!)
silent="$(free_port)"
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
held = []
while True:
    c, _ = s.accept(); held.append(c)' "$silent" &
pids+=($!)
closed="$(free_port)"
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done

fetch() { # url dest [sha]
  FETCH_CONNECT_TIMEOUT=2 FETCH_STALL_TIME=2 FETCH_MAX_TIME=20 \
    bash "$ROOT/scripts/fetch-release.sh" "$1" substrate-contracts-node 0.42.0 "$2" "${3:-}" 2>"$work/err"
}
base="http://127.0.0.1:$port"

if fetch "$base/good.tar.gz" "$work/bin/node1" && "$work/bin/node1" --version | grep -q 0.42.0; then ok good_archive_installs; else bad good_archive_installs "$(cat "$work/err")"; fi
if fetch "$base/good.tar.gz" "$work/bin/node2" "$good_sha"; then ok pinned_checksum_matches; else bad pinned_checksum_matches "$(cat "$work/err")"; fi

# Every refusal leaves an existing binary untouched and names the reason.
refused() { # name expected-reason url [sha]
  echo previous >"$work/bin/kept"
  if fetch "$3" "$work/bin/kept" "${4:-}"; then bad "$1" "accepted"; return; fi
  if [ "$(cat "$work/bin/kept")" != previous ]; then bad "$1" "the existing binary was replaced"; return; fi
  if grep -q "$2" "$work/err"; then ok "$1"; else bad "$1" "expected '$2', got: $(cat "$work/err")"; fi
}
refused wrong_checksum_is_refused "expected $(printf 0%.0s {1..64})" "$base/good.tar.gz" "$(printf 0%.0s {1..64})"
refused corrupt_archive_is_refused "does not unpack" "$base/corrupt.tar.gz"
refused wrong_version_is_refused "expected version 0.42.0" "$base/old.tar.gz"
refused missing_file_is_refused "download from" "$base/absent.tar.gz"
started=$SECONDS
refused silent_server_times_out "download from" "http://127.0.0.1:$silent/good.tar.gz"
[ $((SECONDS - started)) -le 15 ] && ok silent_server_gives_up_within_15_s || bad silent_server_gives_up_within_15_s "took $((SECONDS - started)) s"
refused closed_port_is_refused "download from" "http://127.0.0.1:$closed/good.tar.gz"

# setup.sh --node-only: the release first, then the prebuilt binary, saying which it used.
setup_node() { # release-url node-path
  FETCH_CONNECT_TIMEOUT=2 FETCH_STALL_TIME=2 FETCH_MAX_TIME=20 COMPUTE_RWA_NODE_RELEASE_URL="$1" COMPUTE_RWA_NODE_RELEASE_SHA256="" \
    COMPUTE_RWA_SHARED_BIN="$work/shared" CONTRACTS_NODE="$2" bash "$ROOT/scripts/setup.sh" --node-only 2>&1
}
mkdir -p "$work/shared"
printf '#!/bin/sh\necho "substrate-contracts-node 0.42.0-prebuilt"\n' >"$work/prebuilt"
xz -c "$work/prebuilt" >"$work/shared/substrate-contracts-node-0.42.0.xz"
echo "$(sha256sum "$work/prebuilt" | cut -d' ' -f1)  substrate-contracts-node" >"$work/shared/SHA256SUMS"
out="$(setup_node "$base/good.tar.gz" "$work/tools1/substrate-contracts-node")"
if grep -q "from the official release" <<<"$out" && "$work/tools1/substrate-contracts-node" --version | grep -q 0.42.0-test; then
  ok setup_takes_the_official_release_first
else bad setup_takes_the_official_release_first "$out"; fi
out="$(setup_node "$base/corrupt.tar.gz" "$work/tools2/substrate-contracts-node")"
if grep -q "official release unavailable" <<<"$out" && grep -q "from prebuilt binary" <<<"$out" \
  && "$work/tools2/substrate-contracts-node" --version | grep -q 0.42.0-prebuilt; then
  ok setup_falls_back_to_the_prebuilt_binary
else bad setup_falls_back_to_the_prebuilt_binary "$out"; fi
out="$(setup_node "$base/absent.tar.gz" "$work/tools1/substrate-contracts-node")"
if grep -q "already installed" <<<"$out"; then ok setup_keeps_an_installed_node; else bad setup_keeps_an_installed_node "$out"; fi

echo "test result: $([ "$failed" -eq 0 ] && echo ok || echo FAILED). $passed passed; $failed failed; 0 ignored; 0 measured; 0 filtered out (fetch-release)"
[ "$failed" -eq 0 ]
