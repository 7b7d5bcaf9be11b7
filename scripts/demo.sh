#!/usr/bin/env bash
# The README's demo: a local node, one pool deployed and run through its whole life with the
# `compute-rwa` CLI, one narrated line per step, ending with the auditor's report (all PASS).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

step() { printf '\n\033[1m▶ %s\033[0m\n' "$*"; }
say()  { printf '  %s\n' "$*"; }

command -v cargo-contract >/dev/null 2>&1 && [ -x "$CONTRACTS_NODE" ] || bash scripts/setup.sh
step "Build the contracts (release) and the compute-rwa CLI"
bash scripts/build.sh
# The CLI as the tests build it, so nothing compiles again after scripts/test.sh.
with_progress "build the CLI" "~22 min cold, seconds warm" "$ROOT/target/build-cli.log" build_cli_for_tests \
  || { tail -40 "$ROOT/target/build-cli.log" >&2; exit 1; }
trap 'bash "$ROOT/scripts/node.sh" stop >/dev/null 2>&1 || true' EXIT
step "Start a local substrate-contracts-node"
bash scripts/node.sh start

WORK="$ROOT/target/demo"
rm -rf "$WORK" && mkdir -p "$WORK"
cp cli/pool.example.toml "$WORK/pool.toml"
cd "$WORK"
source "$ROOT/scripts/pool-story.sh"
# Runs the CLI, printing its result; `as //Name` picks the signer (the issuer, Alice, otherwise).
cli() { rwa "$@"; }
as() { local suri="$1"; shift; quiet --suri "$suri" "$@"; }
gpuh() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1e6:,.6f}'.rstrip('0').rstrip('.'))" "$1"; }

step "Issuer deploys a pool of 8 × NVIDIA H100 for 30 days (config: pool.toml)"
cli deploy-pool --config pool.toml
say "attested capacity $(gpuh "$(read_value token state | field capacity)") GPU-hours; offer from 2.5 USDC per GPU-hour (+0.1 per GPU booked up to 6, +0.5 above), 10% credit below 99% uptime, 10% operator fee"
say "the escrow took its epoch schedule from the oracle's feed: $(read_value escrow schedule)"
YIELD_MS=$(read_value token state | field yield_period)
say "rent paid to holders streams to them over the token's yield period: $YIELD_MS ms here (a day by default)"

step "Issuer registers two KYC'd investors from a CSV file"
story_register
say "registered identities: $(read_value registry identity_count)"

step "Issuer mints 2,000 GPU-hours to Bob and 1,000 to Charlie"
story_mint
say "Bob $(gpuh "$(read_value token PSP22::balance_of "$BOB")"), Charlie $(gpuh "$(read_value token PSP22::balance_of "$CHARLIE")") GPU-hours"

step "Bob tries to send tokens to Dave, who has no KYC: compliance refuses"
if cli --suri //Bob call token PSP22::transfer "$DAVE" 1000000 '[]' 2>"$WORK/refused.txt"; then
  echo "unexpected: the transfer went through" >&2; exit 1
fi
say "$(tail -1 "$WORK/refused.txt")"

step "The forward curve: the price of one more GPU-hour in the coming epochs (nothing booked yet)"
cli rent curve --epochs 4
step "Dave books all 8 GPUs for three epochs at the escrow's quote: each GPU pays the price at the GPUs booked before it"
story_rent
say "rental 0 covers epochs $START–$((START + 2)): deposited $(read_value escrow rental 0 | grep -o 'deposited: [0-9]*' | cut -d' ' -f2) units (23.2 USDC an hour, 0.0232 USDC per 3.6 s epoch; the eighth GPU at 3.6 USDC)"
say "the forward curve now: those epochs are full"
cli rent curve --from "$((START - 1))" --epochs 5

step "The GPUs run; after the rental Eve and Ferdie report each epoch (the last one short: 6 of 8 milli-GPU-hours at 97% uptime)"
story_report
say "finalized epoch $((START + 2)): $(read_value oracle epoch 0 "$((START + 2))")"
say "each epoch finalized at its last eligible report; had a reporter stayed silent, anyone could call the oracle's finalize on a majority once the report window closed (settle does so itself)"

step "Anyone settles the epochs: fee to the operator, rent to holders, shortfall and SLA credit back to Dave"
story_settle
say "rental 0 ledger: $(read_value escrow rental 0 | grep -o 'ledger: Ledger {[^}]*}')"
say "claimable right after settlement: Bob $(read_value token holding "$BOB" | field claimable), Charlie $(read_value token holding "$CHARLIE" | field claimable) USDC units; still streaming: $(read_value token state | field streaming)"

step "The rent streams to holders: wait out the yield period (${YIELD_MS} ms) before they claim"
wait_until $(( $(date +%s%3N) + YIELD_MS + 500 ))
say "claimable now: Bob $(read_value token holding "$BOB" | field claimable), Charlie $(read_value token holding "$CHARLIE" | field claimable) USDC units; still streaming: $(read_value token state | field streaming)"

step "Investors claim their yield; Dave withdraws his refund; the operator withdraws fees"
as //Bob call token claim
as //Charlie call token claim
as //Dave call escrow withdraw
as //Alice call escrow withdraw_fees
say "USDC units: Bob $(read_value coin PSP22::balance_of "$BOB"), Charlie $(read_value coin PSP22::balance_of "$CHARLIE"), Dave $(read_value coin PSP22::balance_of "$DAVE") (of 100000)"

step "Charlie redeems 10 GPU-hours of compute; the issuer fulfils the redemption"
as //Charlie call admin redeem 10000000
as //Alice call admin fulfill_redemption 0
say "supply $(gpuh "$(read_value token PSP22::total_supply)") GPU-hours, redeemed $(gpuh "$(read_value token state | field redeemed)")"

step "Refinancing: Charlie lends 500 USDC to the pool's credit vault; Bob borrows 2 against 1,000 of his GPU-hours"
# The vault measures rent between its checkpoints (anyone takes one an epoch) and lends against an
# earlier epoch's value: 30 USDC of rent collected off chain arrives between two checkpoints.
story_checkpoints 30000000
story_lend
story_borrow 2000000
cli vault
say "Bob holds $(gpuh "$(read_value token PSP22::balance_of "$BOB")") GPU-hours outside the vault and $(read_value coin PSP22::balance_of "$BOB") USDC units; the vault holds $(gpuh "$(read_value token PSP22::balance_of "$(vault_address)")")"

step "The collateral's yield repays the loan: the vault claims it as a holder, anyone settles Bob's share"
DEBT=$(read_value vault health "$BOB" | field debt)
story_distribute 1500000
wait_until $(( $(date +%s%3N) + YIELD_MS + 500 ))
as //Charlie call vault settle "$BOB"
say "Bob's debt $DEBT → $(read_value vault health "$BOB" | field debt) USDC units (his collateral's share of 1.5 USDC of rent: 0.5 USDC)"

step "Utilization falls to 20%: Eve and Ferdie report four epochs; once the checkpoints show it, Bob's loan is liquidatable"
LOW='Report { gpu_milli_hours: 8, utilization_bps: 2000, uptime_bps: 9990, energy_wh: 5, avg_power_w: 690 }'
FIRST=$(read_value oracle current_epoch 0)
wait_until $(( $(recorded '["deployed_at_ms"]') + (FIRST + 4) * EPOCH_MS + 500 ))
for reporter in "${REPORTERS[@]}"; do
  for epoch in "$FIRST" "$((FIRST + 1))" "$((FIRST + 2))" "$((FIRST + 3))"; do quiet --suri "$reporter" call oracle submit 0 "$epoch" "$LOW"; done
done
# Liquidation counts the highest value the trailing epochs' checkpoints saw: the fall must show in
# all of them (12 epochs of 3.6 s here) before a loan can be closed; a keeper refreshes each epoch.
story_keeper 13 300000
HEALTH=$(read_value vault health "$BOB")
say "median utilization now $(read_value vault valuation | field utilization_bps) bps; Bob's debt $(field debt <<<"$HEALTH"), liquidation above $(field liquidation_limit <<<"$HEALTH") USDC units: health factor $(field health_factor_bps <<<"$HEALTH") bps"

step "Dave, who has no KYC, tries to liquidate Bob: the token refuses to hand him collateral"
quiet call coin mint "$DAVE" 200000000
quiet --suri //Dave call coin PSP22::approve "$(vault_address)" 150000000
if cli --suri //Dave call vault liquidate "$BOB" 150000000 2>"$WORK/refused-liquidation.txt"; then
  echo "unexpected: an unverified liquidator received collateral" >&2; exit 1
fi
say "$(tail -1 "$WORK/refused-liquidation.txt")"

step "Charlie, verified, liquidates: repays half of Bob's debt (the close factor) and receives his tokens at a 5% bonus"
quiet call coin mint "$CHARLIE" 150000000
quiet --suri //Charlie call coin PSP22::approve "$(vault_address)" 150000000
CHARLIE_GPUH=$(read_value token PSP22::balance_of "$CHARLIE")
as //Charlie call vault liquidate "$BOB" 150000000
say "Charlie's GPU-hours $(gpuh "$CHARLIE_GPUH") → $(gpuh "$(read_value token PSP22::balance_of "$CHARLIE")"); Bob's debt now $(read_value vault health "$BOB" | field debt) USDC units, collateral $(gpuh "$(read_value vault health "$BOB" | field collateral)") GPU-hours"
cli vault

step "Trading: Bob offers 100 GPU-hours at 2.4 USDC each; Charlie buys 40, tokens and payment in one call (1% fee to the operator)"
BOB_USDC=$(read_value coin PSP22::balance_of "$BOB"); CHARLIE_GPUH=$(read_value token PSP22::balance_of "$CHARLIE")
story_trade
say "Bob's USDC units $BOB_USDC → $(read_value coin PSP22::balance_of "$BOB") (96 USDC less the 0.96 fee); Charlie's GPU-hours $(gpuh "$CHARLIE_GPUH") → $(gpuh "$(read_value token PSP22::balance_of "$CHARLIE")")"

step "Dave, who has no KYC, tries to buy on the market: the token refuses him the tokens, and his payment is not taken"
quiet call coin mint "$DAVE" 100000000
if cli --suri //Dave market fill 1 --gpu-hours 1 2>"$WORK/refused-trade.txt"; then
  echo "expected the token to refuse an unverified buyer" >&2; exit 1
fi
say "refused: $(grep -o 'TokenRefused' "$WORK/refused-trade.txt" | head -1); Dave still holds $(read_value coin PSP22::balance_of "$DAVE") USDC units and $(read_value token PSP22::balance_of "$DAVE") GPU-hour units"
cli market book

step "Auditor reconciles the pool from chain state"
cli audit

step "Done; stopping the node"
say "Next: scripts/web.sh serves the investor and auditor web page on a sample pool (claim yield in the browser)."
