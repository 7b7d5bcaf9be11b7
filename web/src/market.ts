// The GPU-hour market view: both books as the market pages them (best first), the volume and
// average price of recent epochs, and posting, filling and cancelling orders as the chosen
// account. Every figure is the market's own answer; the token's compliance decides each trade
// (a refusal is shown with the contract's own words).
import type { Codec } from "@polkadot/types/types";
import { amountForm, approve, onSubmit, type Signer } from "./actions";
import { big, get, type Pool, some } from "./chain";
import { barChart } from "./charts";
import { date, formatUnits, gpuHours, parseUnits, short, usdc } from "./format";
import { card, escape, status } from "./ui";

/** Token units per GPU-hour: prices are per this many units. */
export const UNITS_PER_GPU_HOUR = 1_000_000n;
/** Orders shown per side. */
const DEPTH = 10;
/** Most orders one `page` read returns (the market's `MAX_PAGE`). */
const PAGE = 50;
/** Recent epochs whose trading is charted. */
export const VOLUME_EPOCHS = 12;
/** Coming epochs of the forward curve. */
export const FORWARD_EPOCHS = 12;
/** Blocks searched for recent fills (the market's `Filled` events). */
export const FILL_BLOCKS = 60;

/** Stablecoin for `amount` token units at `price` per GPU-hour, rounded up (the market's `cost`). */
export function cost(amount: bigint, price: bigint): bigint {
  return (amount * price + UNITS_PER_GPU_HOUR - 1n) / UNITS_PER_GPU_HOUR;
}

/** What taking `amount` of an order with `left` units at `price` pays: its cost before less after. */
export function fillCost(left: bigint, amount: bigint, price: bigint): bigint {
  return cost(left, price) - cost(left - amount, price);
}

/** The escrow's demand curve: the price per GPU-hour of one more GPU where `booked` are booked
 * (the contract's `Offer::marginal_price`). */
export interface Curve {
  base: bigint;
  kink: bigint;
  below: bigint;
  above: bigint;
}

export function marginalPrice(c: Curve, booked: bigint): bigint {
  const under = booked < c.kink ? booked : c.kink;
  return c.base + c.below * under + c.above * (booked - under);
}

/** The offer's curve in words, with the price of the pool's last GPU. */
export function curveLine(c: Curve, available: bigint): string {
  if (c.below === 0n && c.above === 0n) return "one price for every GPU";
  const last = available > 0n ? marginalPrice(c, available - 1n) : c.base;
  return `+${usdc(c.below)} per GPU booked up to ${c.kink}, +${usdc(c.above)} above · the last GPU ${usdc(last)}`;
}

/** The forward curve as chart points: each epoch's price of one more GPU-hour in USDC (0: full). */
export function forwardPoints(from: bigint, prices: (bigint | null)[]): { label: string; value: number }[] {
  return prices.map((p, i) => ({ label: (from + BigInt(i)).toString(), value: p === null ? 0 : Number(p) / 1e6 }));
}

/** The volume-weighted price per GPU-hour of an epoch's trading (0 without trades). */
export function averagePrice(units: bigint, notional: bigint): bigint {
  return units === 0n ? 0n : (notional * UNITS_PER_GPU_HOUR) / units;
}

export type Side = "Sell" | "Buy";

/** One open order as the market keeps it. */
export interface Order {
  id: bigint;
  side: Side;
  maker: string;
  price: bigint;
  amount: bigint;
  expiry: bigint;
  /** The most fee its fills pay (bps): the market's fee when it was posted. */
  feeBps: bigint;
}

/** The fee (bps) a fill of `o` pays under the market fee `marketFeeBps`: the order's own, or a
 * lower one set since (the contract's `fill`). The app shows it and passes it as the fill's
 * `max_fee_bps`, so a fee raised after the page was read refuses the fill. */
export function fillFeeBps(o: Pick<Order, "feeBps">, marketFeeBps: bigint): bigint {
  return o.feeBps < marketFeeBps ? o.feeBps : marketFeeBps;
}

/** Where an order of `side` at `price` belongs in `book` (best first): after the last order at a
 * better or equal price (`null`: at the top). */
export function place(book: Order[], side: Side, price: bigint): bigint | null {
  const ahead = book.filter((o) => (side === "Sell" ? o.price <= price : o.price >= price));
  return ahead.length ? ahead[ahead.length - 1].id : null;
}

function order(id: bigint, value: Codec): Order {
  return {
    id,
    side: get(value, "side").toString() as Side,
    maker: get(value, "maker").toString(),
    price: big(value, "price"),
    amount: big(value, "amount"),
    expiry: big(value, "expiry"),
    feeBps: big(value, "feeBps"),
  };
}

/** Up to `limit` orders of `side`'s book from the top. */
async function book(pool: Pool, side: Side, limit: number): Promise<Order[]> {
  const page = (await pool.read("gpu_market", "page", [side, null, null, limit])) as unknown as Codec[];
  return page.map((entry) => {
    const [id, value] = entry as unknown as Codec[];
    return order(big(id), value);
  });
}

function rows(orders: Order[], who: string | undefined, fee: bigint): string {
  if (!orders.length) return '<tr><td colspan="7" class="muted">none</td></tr>';
  return orders
    .map((o) => {
      const bps = fillFeeBps(o, fee);
      return `<tr data-order="${o.id}"><td>${o.id}</td><td data-units="${o.price}">${usdc(o.price)}</td><td data-units="${o.amount}">${gpuHours(o.amount)}</td><td>${short(o.maker)}</td><td>${date(o.expiry)}</td><td data-bps="${bps}">${formatUnits(bps, 2)}%</td><td>${
        o.maker === who ? `<button type="button" class="secondary" data-cancel="${o.id}">Cancel</button>` : ""
      }</td></tr>`;
    })
    .join("");
}

let generation = 0;

/** The market view for `account` (or read-only without one). */
export async function marketPanel(pool: Pool, account: Signer | undefined, panel: HTMLElement): Promise<void> {
  const mine = ++generation;
  const state = await pool.read("gpu_market", "state");
  const [asks, bids] = await Promise.all([book(pool, "Sell", DEPTH), book(pool, "Buy", DEPTH)]);
  const epoch = big(state, "epoch");
  const first = epoch >= BigInt(VOLUME_EPOCHS - 1) ? epoch - BigInt(VOLUME_EPOCHS - 1) : 0n;
  const epochs: bigint[] = [];
  for (let e = first; e <= epoch; e++) epochs.push(e);
  const volumes = await Promise.all(epochs.map((e) => pool.read("gpu_market", "volume", [e])));
  // The forward curve from the escrow's next epoch on its feed (`None`: fully booked).
  const next = big(await pool.read("utilization_oracle", "current_epoch", [pool.deployment.feed])) + 1n;
  const forward = ((await pool.read("rental_escrow", "forward_curve", [next, FORWARD_EPOCHS])) as unknown as Codec[]).map((p) => {
    const price = some(p);
    return price ? big(price) : null;
  });
  const fills = (await pool.recentEvents("gpu_market", FILL_BLOCKS)).filter((e) => e.event === "Filled");
  if (mine !== generation) return;
  const traded = volumes.map((v, i) => ({ epoch: epochs[i], units: big(v, "units"), notional: big(v, "notional"), fills: big(v, "fills") }));
  const fee = big(state, "feeBps");
  const who = account?.address;
  const paused = get(state, "paused").toString() === "true";
  const spread = asks.length && bids.length ? `spread ${usdc(asks[0].price - bids[0].price)}` : "one side empty";
  panel.innerHTML = `${paused ? '<div class="warning" data-testid="market-paused">The market is paused: no posting and no fills; cancelling and clearing stay open.</div>' : ""}
    <div class="grid">
      ${card("Best ask", `<div class="big" data-testid="best-ask">${asks.length ? `${usdc(asks[0].price)}` : "—"}</div><div class="muted">per GPU-hour · ${spread}</div>`)}
      ${card("Best bid", `<div class="big" data-testid="best-bid">${bids.length ? `${usdc(bids[0].price)}` : "—"}</div><div class="muted">per GPU-hour</div>`)}
      ${card("Terms", `<div data-testid="market-fee" data-bps="${fee}">fee ${formatUnits(fee, 2)}% of each payment, taken from what the seller receives, to ${short(get(state, "feeRecipient").toString())}; a post or fill pays at most the fee shown here</div><div class="muted">no custody: a fill moves the tokens (the token's compliance decides) and the payment in one call, or nothing</div>`)}
    </div>
    <h2>Sell orders <span class="muted">(lowest first)</span></h2>
    <table data-testid="asks"><tr><th>#</th><th>USDC per GPU-h</th><th>left</th><th>maker</th><th>until</th><th>fee</th><th></th></tr>${rows(asks, who, fee)}</table>
    <h2>Buy orders <span class="muted">(highest first)</span></h2>
    <table data-testid="bids"><tr><th>#</th><th>USDC per GPU-h</th><th>left</th><th>maker</th><th>until</th><th>fee</th><th></th></tr>${rows(bids, who, fee)}</table>
    <h2>Recent fills <span class="muted">(the market's events in the last ${FILL_BLOCKS} blocks, newest first)</span></h2>
    <table data-testid="fills"><tr><th>block</th><th>order</th><th>maker's side</th><th>USDC per GPU-h</th><th>GPU-h</th><th>paid</th><th>taker</th></tr>${
      fills.length
        ? fills
            .map(
              (f) =>
                `<tr data-fill="${f.args.id}"><td>${f.block}</td><td>${f.args.id}</td><td>${escape(f.args.side.toString())}</td><td data-units="${big(f.args.price)}">${usdc(big(f.args.price))}</td><td data-units="${big(f.args.amount)}">${gpuHours(big(f.args.amount))}</td><td data-units="${big(f.args.cost)}">${usdc(big(f.args.cost))}</td><td>${short(f.args.taker.toString())}</td></tr>`,
            )
            .join("")
        : '<tr><td colspan="7" class="muted">none</td></tr>'
    }</table>
    <h2>Forward curve <span class="muted">(the escrow's price of one more GPU-hour in each coming epoch, set by what is booked; 0: fully booked)</span></h2>
    <div class="charts" data-testid="forward" data-from="${next}" data-prices="${forward.map((p) => p ?? "full").join(",")}">
      ${barChart("chart-forward-curve", "Forward curve", "USDC per GPU-h", forwardPoints(next, forward))}
    </div>
    <h2>Trading by epoch</h2>
    <div class="charts">
      ${barChart("chart-market-price", "Average price", "USDC per GPU-h", traded.map((t) => ({ label: t.epoch.toString(), value: Number(averagePrice(t.units, t.notional)) / 1e6 })))}
      ${barChart("chart-market-volume", "Volume", "GPU-h", traded.map((t) => ({ label: t.epoch.toString(), value: Number(t.units) / 1e6 })))}
    </div>
    ${
      account
        ? `<h2>Trade as ${escape(account.name)}</h2>
    <form id="fill" class="action"><label>Take <input id="fill-amount" data-testid="fill-amount" placeholder="GPU-hours" size="10" /></label><label>of order <input id="fill-order" data-testid="fill-order" size="5" /></label><button type="submit" data-testid="fill-send">Fill</button></form>
    ${amountForm("post", "Post", "GPU-hours", "Post", '<label><select id="post-side" data-testid="post-side"><option>Sell</option><option>Buy</option></select></label><label>at <input id="post-price" data-testid="post-price" placeholder="USDC per GPU-h" size="10" /></label><label>for <input id="post-minutes" data-testid="post-minutes" value="60" size="4" /> min</label>')}`
        : '<p class="muted">Choose an account to post, fill or cancel orders.</p>'
    }`;
  if (!account || !who) return;
  const rerender = () => marketPanel(pool, account, panel);
  /** Approves the market for `amount` more of what the account's `side` orders give than those
   * open orders commit: an approval replaces the allowance that also backs them, and approving
   * `amount` alone would leave them unfunded, for anyone to clear (review 11, L2). */
  const approveBesideOpen = async (side: Side, amount: bigint, label: string) => {
    const allowance = big(await pool.read("gpu_market", "open", [who, side])) + amount;
    await approve(pool, side === "Sell" ? "gpu_hour_token" : "stablecoin", "gpu_market", account, allowance, label, side === "Sell" ? gpuHours(allowance) : usdc(allowance));
  };
  onSubmit(
    "fill",
    "fill",
    async (amount) => {
      const id = BigInt((document.querySelector("#fill-order") as HTMLInputElement).value.trim() || "0");
      const found = some(await pool.read("gpu_market", "order", [id]));
      if (!found) throw new Error(`no open order ${id}`);
      const o = order(id, found);
      const selling = o.side === "Buy";
      const gives = selling ? amount : fillCost(o.amount, amount > o.amount ? o.amount : amount, o.price);
      // Paying for a sell order gives what the account's buy orders give; selling into a buy
      // order, what its sell orders give.
      await approveBesideOpen(selling ? "Sell" : "Buy", gives, "fill");
      // At most the fee this order showed: a fee raised since refuses the fill (FeeAboveLimit).
      await pool.send("gpu_market", "fill", [id, amount, fillFeeBps(o, fee)], account, (s) => status(`fill: ${s}`));
    },
    rerender,
  );
  onSubmit(
    "post",
    "post",
    async (amount) => {
      const side = (document.querySelector("#post-side") as HTMLSelectElement).value as Side;
      const price = parseUnits((document.querySelector("#post-price") as HTMLInputElement).value);
      if (price === null) throw new Error("enter a price (USDC per GPU-hour, up to 6 decimals)");
      const minutes = BigInt((document.querySelector("#post-minutes") as HTMLInputElement).value.trim() || "60");
      await approveBesideOpen(side, side === "Sell" ? amount : cost(amount, price), "post");
      const after = place(await book(pool, side, PAGE), side, price);
      const expiry = BigInt(Date.now()) + minutes * 60_000n;
      // At most the fee the Terms card showed: a fee raised since refuses the post (FeeAboveLimit).
      await pool.send("gpu_market", "post", [side, price, amount, expiry, after, fee], account, (s) => status(`post: ${s}`));
    },
    rerender,
  );
  panel.querySelectorAll<HTMLButtonElement>("button[data-cancel]").forEach((button) =>
    button.addEventListener("click", async () => {
      try {
        await pool.send("gpu_market", "cancel", [BigInt(button.dataset.cancel!)], account, (s) => status(`cancel: ${s}`));
        await rerender();
        status("cancel: done; figures re-read from chain", "ok");
      } catch (error) {
        status(`cancel refused: ${(error as Error).message}`, "error");
      }
    }),
  );
}
