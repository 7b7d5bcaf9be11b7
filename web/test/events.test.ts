/// <reference types="node" />
// Issue 16 item 8: every event of every contract decodes from our metadata with
// @polkadot/api-contract, as wallets and explorers decode them: found by its signature topic,
// every byte of its fields consumed. Reads the built contracts (scripts/build.sh).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Abi } from "@polkadot/api-contract";
import { u8aConcat } from "@polkadot/util";
import { describe as group, expect, it } from "vitest";

const ARTIFACTS = process.env.COMPUTE_RWA_ARTIFACTS ?? resolve(__dirname, "../../target/ink");
const CONTRACTS = ["stablecoin", "identity_registry", "gpu_hour_token", "pool_admin", "utilization_oracle", "rental_escrow", "credit_vault", "gpu_market"];

group("contract events", () => {
  for (const name of CONTRACTS) {
    it(`every event of ${name} decodes by its signature topic`, () => {
      const abi = new Abi(JSON.parse(readFileSync(`${ARTIFACTS}/${name}/${name}.json`, "utf8")));
      const topics = abi.events.map((event) => event.signatureTopic);
      expect(topics.every((topic) => typeof topic === "string" && topic.length === 66)).toBe(true);
      expect(new Set(topics).size).toBe(topics.length);
      expect(abi.events.length).toBeGreaterThan(3);
      for (const event of abi.events) {
        // The smallest value of each field, encoded as the contract would emit it.
        const data = u8aConcat(...event.args.map((arg) => abi.registry.createType(arg.type.lookupName || arg.type.type).toU8a()));
        const record = {
          topics: [abi.registry.createType("H256", event.signatureTopic)],
          event: { data: [null, abi.registry.createType("Bytes", data)] },
        };
        // decodeEvent takes a pallet EventRecord; this literal has the two fields it reads.
        const decoded = abi.decodeEvent(record as unknown as Parameters<Abi["decodeEvent"]>[0]);
        expect(decoded.event.identifier).toBe(event.identifier);
        expect(decoded.args.reduce((used, arg) => used + arg.encodedLength, 0)).toBe(data.length);
      }
    });
  }
});
