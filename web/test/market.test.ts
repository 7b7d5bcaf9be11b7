// The market view's arithmetic is the contract's (gpu_market::market): the same figures give the
// same answers, so what the app approves is what a fill pulls.
import { describe, expect, it } from "vitest";
import { averagePrice, cost, curveLine, fillCost, fillFeeBps, forwardPoints, marginalPrice, type Order, place } from "../src/market";

const order = (id: bigint, price: bigint): Order => ({ id, side: "Sell", maker: "", price, amount: 1n, expiry: 0n, feeBps: 100n });

describe("market arithmetic", () => {
  it("rounds an order's cost up, and its fills add up to it to the unit however it is split", () => {
    // The contract's unit test: 3 units at 2.500001 USDC per GPU-hour cost 8 units; fills of one
    // unit pay 2, 3 and 3.
    expect(cost(3n, 2_500_001n)).toBe(8n);
    expect([fillCost(3n, 1n, 2_500_001n), fillCost(2n, 1n, 2_500_001n), fillCost(1n, 1n, 2_500_001n)]).toEqual([2n, 3n, 3n]);
    expect(cost(4_000_000n, 2_000_000n)).toBe(8_000_000n);
    for (const [amount, price] of [[7_777_777n, 1_234_567n], [1n, 1n], [10n ** 12n, 3n]]) {
      let left = amount;
      let paid = 0n;
      for (const take of [amount / 3n, amount / 5n, 1n]) {
        paid += fillCost(left, take, price);
        left -= take;
      }
      paid += fillCost(left, left, price);
      expect(paid).toBe(cost(amount, price));
    }
  });

  it("charges a fill the order's fee or a lower one set since, never a higher one", () => {
    // The contract's unit test: an order posted at 1% pays 1% under a 10% fee, 0.5% under 0.5%.
    expect(fillFeeBps({ feeBps: 100n }, 1_000n)).toBe(100n);
    expect(fillFeeBps({ feeBps: 100n }, 50n)).toBe(50n);
    expect(fillFeeBps({ feeBps: 1_000n }, 1_000n)).toBe(1_000n);
    expect(fillFeeBps({ feeBps: 0n }, 1_000n)).toBe(0n);
  });

  it("averages an epoch's price per GPU-hour, and none without trades", () => {
    expect(averagePrice(30_000_000n, 68_000_000n)).toBe(2_266_666n);
    expect(averagePrice(0n, 0n)).toBe(0n);
  });

  it("places a new order after every order at a better or equal price", () => {
    const asks = [order(3n, 2n), order(1n, 3n), order(2n, 4n), order(4n, 4n)];
    expect(place(asks, "Sell", 1n)).toBeNull();
    expect(place(asks, "Sell", 3n)).toBe(1n);
    expect(place(asks, "Sell", 4n)).toBe(4n);
    const bids = [order(7n, 5n), order(5n, 3n)];
    expect(place(bids, "Buy", 6n)).toBeNull();
    expect(place(bids, "Buy", 3n)).toBe(5n);
    expect(place([], "Buy", 3n)).toBeNull();
  });
});

describe("demand pricing", () => {
  // The example pool (cli/pool.example.toml): 2.5 USDC for the first GPU, +0.1 up to 6, +0.5 above.
  const example = { base: 2_500_000n, kink: 6n, below: 100_000n, above: 500_000n };

  it("prices one more GPU as the escrow's curve does", () => {
    // The contract's unit test curve: 2, 2.25, 2.5, 2.75, 3, 4, 5, 6 USDC.
    const curve = { base: 2_000_000n, kink: 4n, below: 250_000n, above: 1_000_000n };
    expect([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n].map((b) => marginalPrice(curve, b))).toEqual(
      [2_000_000n, 2_250_000n, 2_500_000n, 2_750_000n, 3_000_000n, 4_000_000n, 5_000_000n, 6_000_000n],
    );
    // Σ over all 8 GPUs of the example: 23.2 USDC an hour (the demo's quote).
    expect([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n].reduce((sum, b) => sum + marginalPrice(example, b), 0n)).toBe(23_200_000n);
  });

  it("describes the curve with its last GPU's price, or one flat price", () => {
    expect(curveLine(example, 8n)).toBe("+0.1 USDC per GPU booked up to 6, +0.5 USDC above · the last GPU 3.6 USDC");
    expect(curveLine({ ...example, below: 0n, above: 0n }, 8n)).toBe("one price for every GPU");
  });

  it("charts the forward curve by epoch, a full epoch at 0", () => {
    expect(forwardPoints(12n, [2_500_000n, null, 3_100_000n])).toEqual([
      { label: "12", value: 2.5 },
      { label: "13", value: 0 },
      { label: "14", value: 3.1 },
    ]);
  });
});
