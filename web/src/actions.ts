// Actions the app's views share: one-amount forms, their submission, and approving a contract
// to take what it pulls.
import { type Account, big, type Name, type Pool } from "./chain";
import { parseUnits } from "./format";
import { status } from "./ui";

/** A signing account with its display name. */
export type Signer = Account & { name: string };

/** A form with one amount field and a submit button (data-testids `${id}-amount`, `${id}-send`). */
export function amountForm(id: string, label: string, placeholder: string, button: string, extra = ""): string {
  return `<form id="${id}" class="action"><label>${label} <input id="${id}-amount" data-testid="${id}-amount" placeholder="${placeholder}" size="12" /></label><button type="submit" data-testid="${id}-send">${button}</button>${extra}</form>`;
}

/** Wires a form: parses its amount, runs `action` with it, reports progress, re-renders — after a
 * refusal too, since figures may have moved under the form (a fee raised, an order filled). */
export function onSubmit(id: string, label: string, action: (amount: bigint) => Promise<void>, rerender: () => Promise<void>) {
  document.querySelector(`#${id}`)!.addEventListener("submit", (e) => {
    e.preventDefault();
    void (async () => {
      try {
        const amount = parseUnits((document.querySelector(`#${id}-amount`) as HTMLInputElement).value);
        if (amount === null) throw new Error("enter an amount (up to 6 decimals)");
        await action(amount);
        status(`${label}: in a block; re-reading from chain…`);
        await rerender();
        status(`${label}: done; figures re-read from chain`, "ok");
      } catch (error) {
        await rerender().catch(() => undefined);
        status(`${label} refused: ${(error as Error).message}`, "error");
      }
    })();
  });
}

/** Approves `spender` (the vault, the market) to take `amount` of `token` from `account` unless it already may. */
export async function approve(pool: Pool, token: "stablecoin" | "gpu_hour_token", spender: Name, account: Signer, amount: bigint, label: string, what: string) {
  const address = pool.address(spender);
  const allowance = big(await pool.read(token, "PSP22::allowance", [account.address, address]));
  if (allowance >= amount) return;
  await pool.send(token, "PSP22::approve", [address, amount], account, (s) => status(`${label}: approving ${spender} to take ${what}: ${s}`));
}

