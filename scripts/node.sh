#!/usr/bin/env bash
# scripts/node.sh start|stop|status — a local substrate-contracts-node --dev on loopback.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

PID_FILE="$NODE_DIR/node.pid"
LOG_FILE="$NODE_DIR/node.log"

rpc() {
  curl -fsS -H 'Content-Type: application/json' \
    -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":[]}" "http://127.0.0.1:$NODE_PORT"
}

running() { [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

# Who listens on $NODE_PORT (empty when free): "pid/command" where ss can tell.
port_holder() {
  ss -Hltnp "sport = :$NODE_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2 |
    while read -r pid; do echo "pid $pid ($(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-120))"; done
  ss -Hltn "sport = :$NODE_PORT" 2>/dev/null | grep -q . && [ -z "$(ss -Hltnp "sport = :$NODE_PORT" 2>/dev/null | grep -o 'pid=')" ] && echo "an unknown process"
  return 0
}

# Whether the process listening on $NODE_PORT is the node we started.
ours_listens() { ss -Hltnp "sport = :$NODE_PORT" 2>/dev/null | grep -q "pid=$(cat "$PID_FILE")[,)]"; }

start() {
  if running; then echo "[node] already running (pid $(cat "$PID_FILE"))"; return; fi
  [ -x "$CONTRACTS_NODE" ] || { echo "[node] $CONTRACTS_NODE missing: run scripts/setup.sh" >&2; exit 1; }
  mkdir -p "$NODE_DIR"
  # Never take a node that is not ours for ours: refuse an occupied port, naming its holder.
  local holder; holder="$(port_holder)"
  if [ -n "$holder" ]; then
    echo "[node] port $NODE_PORT is already in use by $holder; stop it, or run with NODE_PORT=<free port> (and NODE_DIR=<own dir> for a second run in this clone)" >&2
    exit 1
  fi
  local base; base="$(mktemp -d)"
  echo "$base" > "$NODE_DIR/base-path"
  "$CONTRACTS_NODE" --dev --base-path "$base" --rpc-port "$NODE_PORT" --no-prometheus \
    --no-telemetry >"$LOG_FILE" 2>&1 &
  echo $! > "$PID_FILE"
  for _ in $(seq 1 120); do
    if rpc system_health >/dev/null 2>&1; then
      # --dev seals a block per transaction, so an idle node stays at #0: RPC readiness is enough,
      # once the process answering on the port is the one we started.
      if ours_listens; then
        echo "[node] ready on $NODE_URL (pid $(cat "$PID_FILE"), log $LOG_FILE)"; return
      fi
      echo "[node] $(port_holder) answers on port $NODE_PORT, not our node (pid $(cat "$PID_FILE")); stopping ours" >&2
      stop; exit 1
    fi
    running || { echo "[node] exited during start-up; log:" >&2; tail -20 "$LOG_FILE" >&2; exit 1; }
    sleep 0.5
  done
  echo "[node] no RPC answer after 60 s; log: $LOG_FILE" >&2; stop; exit 1
}

stop() {
  if running; then
    local pid; pid="$(cat "$PID_FILE")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    echo "[node] stopped"
  fi
  rm -f "$PID_FILE"
  if [ -f "$NODE_DIR/base-path" ]; then rm -rf "$(cat "$NODE_DIR/base-path")" "$NODE_DIR/base-path"; fi
}

status() {
  if running; then echo "[node] running (pid $(cat "$PID_FILE")): $(rpc system_health)"; else echo "[node] stopped"; return 1; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: scripts/node.sh start|stop|status" >&2; exit 2 ;;
esac
