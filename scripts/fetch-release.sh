#!/usr/bin/env bash
# Installs a tool from its maintainers' release archive (.tar.gz):
#   scripts/fetch-release.sh URL BINARY VERSION DEST [SHA256]
# downloads URL with short timeouts and no retries, checks the archive's SHA-256 when one is
# pinned, unpacks it, finds BINARY inside, requires `BINARY --version` to report VERSION, and only
# then installs it at DEST. Any failure leaves DEST untouched, says why on stderr and exits 1, so
# the caller can fall back to another source.
# Timeouts (seconds) are overridable for tests: FETCH_CONNECT_TIMEOUT (10), FETCH_MAX_TIME (600),
# FETCH_STALL_TIME (20: abort when less than 1 KB/s arrives for that long, e.g. a silent server).
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: scripts/fetch-release.sh URL BINARY VERSION DEST [SHA256]" >&2; exit 2; }
url="$1" binary="$2" version="$3" dest="$4" sha="${5:-}"
why() { printf '[fetch] %s: %s\n' "$binary" "$*" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
curl --fail --silent --show-error --location --proto '=http,https' --retry 0 \
  --connect-timeout "${FETCH_CONNECT_TIMEOUT:-10}" --max-time "${FETCH_MAX_TIME:-600}" \
  --speed-limit 1024 --speed-time "${FETCH_STALL_TIME:-20}" \
  --output "$tmp/archive.tar.gz" "$url" 2>"$tmp/curl.err" || why "download from $url failed ($(tr '\n' ' ' <"$tmp/curl.err"))"
if [ -n "$sha" ]; then
  got="$(sha256sum "$tmp/archive.tar.gz" | cut -d' ' -f1)"
  [ "$got" = "$sha" ] || why "archive SHA-256 $got, expected $sha"
fi
mkdir "$tmp/unpacked"
tar -xzf "$tmp/archive.tar.gz" -C "$tmp/unpacked" 2>/dev/null || why "the archive from $url does not unpack (corrupt or not a .tar.gz)"
found="$(find "$tmp/unpacked" -type f -name "$binary" | head -n1)"
[ -n "$found" ] || why "no $binary in the archive"
chmod +x "$found"
reported="$("$found" --version 2>/dev/null | head -n1 || true)"
case "$reported" in
  *"$version"*) ;;
  *) why "the archive's $binary reports '${reported:-nothing}', expected version $version" ;;
esac
mkdir -p "$(dirname "$dest")"
install -m 0755 "$found" "$dest"
