// The pool on chain: @polkadot/api + @polkadot/api-contract with our contracts' metadata and the
// CLI's deployment.json. Reads are dry runs; sends dry-run first, so refusals cost nothing, and
// carry half again the dry run's gas (unused gas is refunded).
import { ApiPromise, WsProvider } from "@polkadot/api";
import { ContractPromise } from "@polkadot/api-contract";
import type { Signer } from "@polkadot/api/types";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { EventRecord, WeightV2 } from "@polkadot/types/interfaces";
import type { Codec } from "@polkadot/types/types";
import { ContractError, describe, VAULT_HINTS, variantDocs, withHints, type VariantDocs } from "./errors";
import { withMargin } from "./gas";

/** Every contract a pool can have, in deployment order; the credit vault and the market only where pool.toml has a `[vault]` and a `[market]`. */
export const CONTRACTS = ["stablecoin", "identity_registry", "gpu_hour_token", "pool_admin", "utilization_oracle", "rental_escrow", "credit_vault", "gpu_market"] as const;
/** Contracts deployed as a front over their full build's code, which `logic` answers (the CLI's `ContractName::has_front`). */
export const FRONTS: readonly Name[] = ["gpu_hour_token", "utilization_oracle", "rental_escrow", "credit_vault"];
export type Name = (typeof CONTRACTS)[number];
/** The contracts every pool has. */
export type Core = Exclude<Name, "credit_vault" | "gpu_market">;

/** One contract's record in deployment.json. */
export interface Deployed {
  address: string;
  code_hash: string;
  /** A front's recorded logic code: the full build it runs by delegate call (see FRONTS). */
  logic?: string;
}

/** What `compute-rwa deploy-pool` wrote (the fields the app uses). */
export interface Deployment {
  url: string;
  contracts: Record<Core, Deployed> & { credit_vault?: Deployed; gpu_market?: Deployed };
  /** Where records written before the fourteenth session kept the token's logic hash. */
  token_logic?: string;
  feed: number;
  attested_gpu_hours: number;
  attestation_hash: string;
  reporters: string[];
  investors: string[];
}

/** Who signs: a development keypair, or an extension account with its injected signer. */
export type Account = { address: string; pair: KeyringPair } | { address: string; signer: Signer };

/** Progress of a transaction, for the status line. */
export type Progress = (step: string) => void;

type AnyCodec = Codec & Record<string, unknown>;

/** Unwraps `Result` codecs: `Ok(x)` → x; `Err(e)` throws a ContractError explained by `docs`. */
export function unwrap(codec: Codec, docs: VariantDocs): Codec {
  const value = codec as AnyCodec;
  if (typeof value.isErr === "boolean") {
    if (value.isErr) throw describe((value.asErr as Codec).toHuman(), docs);
    return value.asOk as Codec;
  }
  return codec;
}

/** A numeric codec (or a struct field of one) as a bigint. */
export function big(codec: Codec, field?: string): bigint {
  const target = field === undefined ? codec : ((codec as unknown as { get(f: string): Codec }).get(field) as Codec);
  if (target === undefined) throw new Error(`no field ${field}`);
  return BigInt(target.toString());
}

/** A struct field as a codec. */
export function get(codec: Codec, field: string): Codec {
  const value = (codec as unknown as { get(f: string): Codec | undefined }).get(field);
  if (value === undefined) throw new Error(`no field ${field}`);
  return value;
}

/** A struct field as a codec, or undefined when the struct has no such field. */
export function maybe(codec: Codec, field: string): Codec | undefined {
  return (codec as unknown as { get(f: string): Codec | undefined }).get(field);
}

/** `Some(x)` → x, `None` → undefined. */
export function some(codec: Codec): Codec | undefined {
  const option = codec as AnyCodec;
  return option.isSome ? (option.unwrap as () => Codec)() : undefined;
}

export class Pool {
  private constructor(
    readonly api: ApiPromise,
    readonly deployment: Deployment,
    readonly contracts: Partial<Record<Name, ContractPromise>>,
    readonly docs: Partial<Record<Name, VariantDocs>>,
    readonly isDevChain: boolean,
  ) {}

  /** Loads `deployment.json` and each contract's metadata from `base`, and connects to the node. */
  static async open(base: string, url?: string): Promise<Pool> {
    const deployment = (await fetchJson(`${base}/deployment.json`)) as Deployment;
    const names = deployedNames(deployment);
    const metadata = await Promise.all(names.map((name) => fetchJson(`${base}/${name}.json`)));
    const endpoint = url ?? deployment.url;
    const api = await ApiPromise.create({ provider: new WsProvider(endpoint), noInitWarn: true, throwOnConnect: true }).catch((e) => {
      throw new Error(`cannot reach a node at ${endpoint}: ${e}`);
    });
    const contracts: Partial<Record<Name, ContractPromise>> = {};
    const docs: Partial<Record<Name, VariantDocs>> = {};
    names.forEach((name, i) => {
      contracts[name] = new ContractPromise(api, metadata[i] as Record<string, unknown>, deployment.contracts[name]!.address);
      const documented = variantDocs(metadata[i] as { types?: unknown[] });
      // The vault's refusals also say what to do about them (errors.ts).
      docs[name] = name === "credit_vault" ? withHints(documented, VAULT_HINTS) : documented;
    });
    const chain = (await api.rpc.system.chain()).toString();
    return new Pool(api, deployment, contracts, docs, ["Development", "Local Testnet"].includes(chain));
  }

  /** The contracts this deployment has, in deployment order. */
  get names(): Name[] {
    return deployedNames(this.deployment);
  }

  /** Whether the pool has a credit vault. */
  get hasVault(): boolean {
    return this.contracts.credit_vault !== undefined;
  }

  /** Whether the pool has a GPU-hour market. */
  get hasMarket(): boolean {
    return this.contracts.gpu_market !== undefined;
  }

  /** `name`'s address in deployment.json. */
  address(name: Name): string {
    const record = this.deployment.contracts[name];
    if (!record) throw new Error(`this deployment has no ${name}`);
    return record.address;
  }

  private contract(name: Name): ContractPromise {
    const contract = this.contracts[name];
    if (!contract) throw new Error(`this deployment has no ${name}`);
    return contract;
  }

  private errorDocs(name: Name): VariantDocs {
    return this.docs[name] ?? new Map();
  }

  private method(name: Name, label: string): string {
    const message = this.contract(name).abi.messages.find((m) => m.identifier === label);
    if (!message) throw new Error(`${name} has no message ${label}`);
    return message.method;
  }

  /** Dry runs may use a whole block; real calls use what the dry run needed. */
  private gasLimit(): WeightV2 {
    const limits = this.api.consts.system.blockWeights as unknown as { maxBlock: Codec };
    return this.api.registry.createType("WeightV2", limits.maxBlock) as unknown as WeightV2;
  }

  /** The gas for a transaction whose dry run needed `required` (see `withMargin`). */
  private transactionGas(required: Codec): WeightV2 {
    const weights = this.api.consts.system.blockWeights as unknown as { maxBlock: Codec; perClass: { normal: { maxExtrinsic: Codec & { isSome: boolean; unwrap(): Codec } } } };
    const maxExtrinsic = weights.perClass.normal.maxExtrinsic;
    const most = maxExtrinsic.isSome ? maxExtrinsic.unwrap() : weights.maxBlock;
    const parts = (w: Codec) => ({ refTime: big(w, "refTime"), proofSize: big(w, "proofSize") });
    return this.api.registry.createType("WeightV2", withMargin(parts(required), parts(most))) as unknown as WeightV2;
  }

  /** Dry-runs `label` (e.g. "PSP22::balance_of") as `caller`: the value inside `Ok`, or a ContractError. */
  async read(name: Name, label: string, args: unknown[] = [], caller?: string): Promise<Codec> {
    const from = caller ?? this.address(name);
    const query = this.contract(name).query[this.method(name, label)];
    const { result, output } = await query(from, { gasLimit: this.gasLimit(), storageDepositLimit: null }, ...args);
    if (result.isErr) throw this.dispatchError(result.asErr);
    if (!output) throw new Error(`${name}::${label} returned nothing`);
    return unwrap(unwrap(output, this.errorDocs(name)), this.errorDocs(name));
  }

  /**
   * Dry-runs `label` as of block `hash`: the contract answers with that block's storage and time
   * (what it would have said then). `undefined` when the contract did not exist yet.
   */
  async readAt(hash: string, name: Name, label: string, args: unknown[] = [], caller?: string): Promise<Codec | undefined> {
    const contract = this.contract(name);
    const message = contract.abi.findMessage(this.method(name, label));
    const at = await this.api.at(hash);
    const call = (at.call as unknown as { contractsApi: { call(...a: unknown[]): Promise<Codec & { result: AnyCodec & { isErr: boolean; asErr: unknown; asOk: { data: Codec } } }> } }).contractsApi.call;
    const address = this.address(name);
    const raw = await call(caller ?? address, address, 0, this.gasLimit(), null, message.toU8a(args));
    if (raw.result.isErr) {
      const error = this.dispatchError(raw.result.asErr as Parameters<Pool["dispatchError"]>[0]);
      if (error instanceof ContractError && error.variant.endsWith("::ContractNotFound")) return undefined;
      throw error;
    }
    if (!message.returnType) throw new Error(`${name}::${label} returns nothing`);
    const output = contract.abi.registry.createTypeUnsafe(message.returnType.lookupName || message.returnType.type, [raw.result.asOk.data.toU8a(true)], { isPedantic: true });
    return unwrap(unwrap(output, this.errorDocs(name)), this.errorDocs(name));
  }

  /** The last `count` blocks (oldest first): number and hash. */
  async recentHashes(count: number): Promise<{ number: number; hash: string }[]> {
    const best = (await this.api.rpc.chain.getHeader()).number.toNumber();
    const numbers = Array.from({ length: Math.min(count, best + 1) }, (_, i) => best - Math.min(count, best + 1) + 1 + i);
    const blocks: { number: number; hash: string }[] = [];
    for (const number of numbers) blocks.push({ number, hash: (await this.api.rpc.chain.getBlockHash(number)).toHex() });
    return blocks;
  }

  /** The last `count` blocks (oldest first): number, hash and the block's time (ms). */
  async recentBlocks(count: number): Promise<{ number: number; hash: string; time: number }[]> {
    const blocks: { number: number; hash: string; time: number }[] = [];
    for (const { number, hash } of await this.recentHashes(count)) {
      blocks.push({ number, hash, time: Number((await this.api.query.timestamp.now.at(hash)).toString()) });
    }
    return blocks;
  }

  /** The events contract `name` emitted in the last `count` blocks (newest first), decoded with
   * its metadata: the event's name and its fields by name. */
  async recentEvents(name: Name, count: number): Promise<{ block: number; event: string; args: Record<string, Codec> }[]> {
    const contract = this.contract(name);
    const address = this.address(name);
    const found: { block: number; event: string; args: Record<string, Codec> }[] = [];
    for (const { number, hash } of (await this.recentHashes(count)).reverse()) {
      const records = (await this.api.query.system.events.at(hash)) as unknown as EventRecord[];
      for (const record of records) {
        const { event } = record;
        if (event.section !== "contracts" || event.method !== "ContractEmitted" || event.data[0].toString() !== address) continue;
        const decoded = contract.abi.decodeEvent(record);
        const args: Record<string, Codec> = {};
        decoded.event.args.forEach((arg, i) => (args[arg.name] = decoded.args[i]));
        found.push({ block: number, event: decoded.event.identifier.split("::").pop() ?? decoded.event.identifier, args });
      }
    }
    return found;
  }

  /** Sends `label` as `account` after a dry run, reporting progress; resolves once in a block. */
  async send(name: Name, label: string, args: unknown[], account: Account, progress: Progress): Promise<void> {
    progress("checking with a dry run…");
    const method = this.method(name, label);
    const contract = this.contract(name);
    const dry = await contract.query[method](account.address, { gasLimit: this.gasLimit(), storageDepositLimit: null }, ...args);
    if (dry.result.isErr) throw this.dispatchError(dry.result.asErr);
    if (dry.output) unwrap(unwrap(dry.output, this.errorDocs(name)), this.errorDocs(name));
    const tx = contract.tx[method]({ gasLimit: this.transactionGas(dry.gasRequired), storageDepositLimit: null }, ...args);
    progress("waiting for your signature…");
    await new Promise<void>((resolve, reject) => {
      const done = (status: { isInBlock: boolean; isFinalized: boolean; isReady: boolean }, dispatchError?: unknown) => {
        if (dispatchError) reject(this.dispatchError(dispatchError as Parameters<Pool["dispatchError"]>[0]));
        else if (status.isInBlock || status.isFinalized) resolve();
        else if (status.isReady) progress("submitted; waiting for a block…");
      };
      const callback = ({ status, dispatchError }: { status: { isInBlock: boolean; isFinalized: boolean; isReady: boolean }; dispatchError?: unknown }) => done(status, dispatchError);
      const sent = "pair" in account ? tx.signAndSend(account.pair, callback) : tx.signAndSend(account.address, { signer: account.signer }, callback);
      sent.catch(reject);
    });
  }

  private dispatchError(error: { isModule: boolean; asModule: unknown; toString(): string }): Error {
    if (error.isModule) {
      const meta = this.api.registry.findMetaError(error.asModule as Parameters<ApiPromise["registry"]["findMetaError"]>[0]);
      const plain = meta.name === "ContractNotFound" ? "No contract at the deployment's address." : meta.docs.join(" ");
      return new ContractError(`${meta.section}::${meta.name}`, plain);
    }
    return new Error(error.toString());
  }
}

/** The contracts `deployment` records, in deployment order. */
export function deployedNames(deployment: Deployment): Name[] {
  return CONTRACTS.filter((name) => deployment.contracts[name] !== undefined);
}

async function fetchJson(path: string): Promise<unknown> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`cannot load ${path} (${response.status}); run scripts/web.sh after a deployment`);
  return response.json();
}
