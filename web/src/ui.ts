// Bits of HTML every view uses.
import type { Codec } from "@polkadot/types/types";

export const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

export const card = (title: string, body: string, id = "") => `<div class="card"${id ? ` data-testid="${id}"` : ""}><h3>${title}</h3>${body}</div>`;

export const text = (codec: Codec) => String(codec.toHuman());

/** The status line under the account picker (progress, refusals, done). */
export function status(message: string, kind: "ok" | "error" | "muted" = "muted") {
  const line = document.querySelector("#status");
  if (line) line.innerHTML = `<span class="${kind}">${escape(message)}</span>`;
}
