#!/usr/bin/env node
// `asymptote`: the command line for the common jobs. Every user mistake and every program
// refusal ends as one line `error: <Name>: <what to do>` and a non-zero exit, no stack trace
// (set ASYMPTOTE_DEBUG=1 to see one).
import { parseArgs } from "node:util";
import { Connection, type PublicKey } from "@solana/web3.js";
import { oracleAccountFor, oracleSource } from "../accounts";
import { AsymptoteClient, keypairWallet } from "../client";
import type { OracleSource, Side, TradeSide } from "../coder";
import { LEGACY_PYTH_PROGRAM_IDS, PAUSE_ALL, PAUSE_BITS, PROGRAM_ID, SUB_ATOM_BITS, type PauseName } from "../constants";
import { TransactionFailed } from "../errors";
import { parseFeedId } from "../pyth";
import { describePool, minOutWithSlippage } from "../quotes";
import { RpcTransport, type Transport } from "../transport";
import { parseAmount, UserInputError } from "../units";
import { clusterName, clusterUrl, loadKeypair, parsePublicKey, walletPath } from "./environment";
import { formatConfig, formatEvent, formatPool, formatQuote, kebab } from "./format";

export const USAGE = `usage: asymptote <command> [arguments] [options]

commands:
  config                                 show the protocol config
  pools                                  list every pool
  pool <POOL>                            a pool: values per side, token prices, funding per day
  quote <POOL> open <SIDE> <AMOUNT>      what opening would give (AMOUNT of collateral)
  quote <POOL> close <SIDE> <AMOUNT>     what closing would pay (AMOUNT of side tokens)
  quote <POOL> swap <FROM> <TO> <AMOUNT> what a swap would give
  open <POOL> <SIDE> <AMOUNT>            pay AMOUNT collateral for LONG, SHORT or LP
  close <POOL> <SIDE> <AMOUNT|all>       sell side tokens for collateral
  swap <POOL> <FROM> <TO> <AMOUNT|all>   side tokens for another side's
  accrue <POOL>                          crank funding
  collect-fees <POOL>                    pay protocol fees to the fee recipient
  pause <FLAG...>                        add pause flags (admin or guardian)
  unpause <FLAG...>                      remove pause flags (admin)
  create-pool --collateral MINT --feed-id HEX --deposit AMOUNT [pool options]

SIDE is long, short or lp. Amounts are in human units (e.g. 12.5). Pause FLAGs:
create-pool, open, close, swap, accrue, collect-fees, all.

options:
  -u, --cluster <devnet|testnet|mainnet|localnet|URL>  default: $ANCHOR_PROVIDER_URL, else devnet
  -k, --wallet <keypair.json>    default: $ANCHOR_WALLET, else ~/.config/solana/id.json
  --program-id <ID>              default: ${PROGRAM_ID.toBase58()}
  --oracle <ACCOUNT>             price account to pass (default: the pool's legacy account, or
                                 Pyth's sponsored feed account for its feed id)
  --slippage-bps <N>             accepted slippage against a fresh quote (default 50)
  --min-out <AMOUNT>             explicit least output (overrides --slippage-bps)
  --priority-fee <MICROLAMPORTS> compute-unit price
pool options (create-pool): --legacy-price-account KEY (instead of --feed-id), --nonce N, --k N,
  --opening-fee-bps N, --fee-divisor N, --interest-half-life SLOTS, --premium-half-life SLOTS,
  --max-age N, --long-bps N --short-bps N
`;

const OPTIONS = {
  cluster: { type: "string", short: "u" },
  wallet: { type: "string", short: "k" },
  "program-id": { type: "string" },
  oracle: { type: "string" },
  "slippage-bps": { type: "string" },
  "min-out": { type: "string" },
  "priority-fee": { type: "string" },
  collateral: { type: "string" },
  "feed-id": { type: "string" },
  "legacy-price-account": { type: "string" },
  deposit: { type: "string" },
  nonce: { type: "string" },
  k: { type: "string" },
  "opening-fee-bps": { type: "string" },
  "fee-divisor": { type: "string" },
  "interest-half-life": { type: "string" },
  "premium-half-life": { type: "string" },
  "max-age": { type: "string" },
  "long-bps": { type: "string" },
  "short-bps": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Options = Partial<Record<keyof typeof OPTIONS, string | boolean>>;

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Replaces the RPC connection (tests run the CLI against LiteSVM). */
  transport?: Transport;
}

const SIDES: readonly Side[] = ["long", "short", "lp"];

function side(text: string | undefined): Side {
  const lower = text?.toLowerCase();
  if (lower && (SIDES as readonly string[]).includes(lower)) return lower as Side;
  throw new UserInputError("BadSide", `"${text ?? ""}" is not a side: use long, short or lp`);
}

function integer(text: string | boolean | undefined, name: string, fallback?: bigint): bigint | undefined {
  if (text === undefined) return fallback;
  if (typeof text !== "string" || !/^\d+$/.test(text)) {
    throw new UserInputError("BadNumber", `--${name} must be a whole number, got "${String(text)}"`);
  }
  return BigInt(text);
}

function pauseBits(flags: string[]): number {
  if (flags.length === 0) throw new UserInputError("MissingArgument", "name at least one pause flag");
  let bits = 0;
  for (const flag of flags) {
    if (flag === "all") bits |= PAUSE_ALL;
    else {
      const entry = Object.entries(PAUSE_BITS).find(([name]) => kebab(name) === flag);
      if (!entry) throw new UserInputError("BadPauseFlag", `unknown pause flag "${flag}"`);
      bits |= PAUSE_BITS[entry[0] as PauseName];
    }
  }
  return bits;
}

class Cli {
  private clientCache?: AsymptoteClient;

  constructor(
    private readonly io: CliIo,
    private readonly options: Options,
  ) {}

  private get url(): string {
    return clusterUrl(this.options.cluster as string | undefined, this.io.env);
  }

  /** A client; with `signing`, the wallet must load (read-only commands try it but go on without). */
  client(signing: boolean): AsymptoteClient {
    if (this.clientCache && (!signing || this.clientCache.wallet)) return this.clientCache;
    const transport = this.io.transport ?? new RpcTransport(new Connection(this.url, "confirmed"));
    const path = walletPath(this.options.wallet as string | undefined, this.io.env);
    let wallet;
    try {
      wallet = keypairWallet(loadKeypair(path));
    } catch (error) {
      if (signing) throw error;
    }
    const programId = this.options["program-id"]
      ? parsePublicKey(this.options["program-id"] as string, "program id")
      : PROGRAM_ID;
    const priority = integer(this.options["priority-fee"], "priority-fee", 0n) ?? 0n;
    this.clientCache = new AsymptoteClient(transport, wallet, {
      programId,
      computeUnitPriceMicroLamports: Number(priority),
    });
    return this.clientCache;
  }

  private async pool(text: string | undefined, signing: boolean) {
    const address = parsePublicKey(text, "pool address");
    const oracle = this.options.oracle ? parsePublicKey(this.options.oracle as string, "oracle account") : undefined;
    const client = this.client(signing);
    const loaded = await client.loadPool(address, oracle);
    return { client, address, ...loaded, decimals: loaded.pool.collateralDecimals };
  }

  private slippageBps(): bigint {
    const bps = integer(this.options["slippage-bps"], "slippage-bps", 50n) ?? 50n;
    if (bps > 10_000n) throw new UserInputError("BadNumber", "--slippage-bps must be at most 10000");
    return bps;
  }

  private minOut(quoted: bigint, decimals: number): bigint {
    const explicit = this.options["min-out"];
    if (typeof explicit === "string") return parseAmount(explicit, decimals);
    return minOutWithSlippage(quoted, this.slippageBps());
  }

  private printEvents(events: { name: string }[], decimals: number, signature: string): void {
    for (const event of events) this.io.stdout(formatEvent(event as never, decimals));
    this.io.stdout(`signature: ${signature}`);
  }

  async run(command: string | undefined, args: string[]): Promise<void> {
    switch (command) {
      case "config": {
        const config = await this.client(false).requireConfig();
        this.io.stdout(formatConfig(config));
        return;
      }
      case "pools": {
        const pools = await this.client(false).fetchAllPools();
        if (pools.length === 0) this.io.stdout("no pools");
        for (const { address, pool } of pools) {
          this.io.stdout(
            `${address.toBase58()}  collateral ${pool.collateralMint.toBase58()}  K=${pool.params.k}  ${oracleSource(pool)}  R=${pool.books.r >> SUB_ATOM_BITS} atoms`,
          );
        }
        return;
      }
      case "pool": {
        const { client, address, pool, context } = await this.pool(args[0], false);
        let view;
        try {
          view = describePool(pool, await client.quotePool(context, client.wallet?.publicKey ?? pool.creator));
        } catch (error) {
          if (!(error instanceof TransactionFailed)) throw error;
          this.io.stderr(`note: no live quote (${error.explained.name}: ${error.explained.hint})`);
        }
        this.io.stdout(formatPool(address.toBase58(), pool, context.oracle.toBase58(), view));
        return;
      }
      case "quote":
        return this.quote(args);
      case "open": {
        const { client, context, decimals } = await this.pool(args[0], true);
        const s = side(args[1]);
        const amountIn = parseAmount(args[2] ?? "", decimals);
        const quote = await client.quoteTrade(context, "collateral", s, amountIn);
        const result = await client.open(context, { side: s, amountIn, minOut: this.minOut(quote.amountOut, decimals) });
        this.printEvents(result.events, decimals, result.signature);
        return;
      }
      case "close": {
        const { client, context, decimals } = await this.pool(args[0], true);
        const s = side(args[1]);
        const amount = args[2] === "all" ? await client.balance(context, s) : parseAmount(args[2] ?? "", decimals);
        const quote = await client.quoteTrade(context, s, "collateral", amount);
        const result = await client.close(context, { side: s, amount, minOut: this.minOut(quote.amountOut, decimals) });
        this.printEvents(result.events, decimals, result.signature);
        return;
      }
      case "swap": {
        const { client, context, decimals } = await this.pool(args[0], true);
        const [from, to] = [side(args[1]), side(args[2])];
        const amount = args[3] === "all" ? await client.balance(context, from) : parseAmount(args[3] ?? "", decimals);
        const quote = await client.quoteTrade(context, from, to, amount);
        const result = await client.swap(context, {
          sideIn: from,
          sideOut: to,
          amount,
          minOut: this.minOut(quote.amountOut, decimals),
        });
        this.printEvents(result.events, decimals, result.signature);
        return;
      }
      case "accrue": {
        const { client, context, decimals } = await this.pool(args[0], true);
        const result = await client.accrue(context);
        this.printEvents(result.events, decimals, result.signature);
        return;
      }
      case "collect-fees": {
        const { client, context, decimals } = await this.pool(args[0], true);
        const result = await client.collectProtocolFees(context);
        this.printEvents(result.events, decimals, result.signature);
        return;
      }
      case "pause":
      case "unpause": {
        const bits = pauseBits(args);
        const client = this.client(true);
        const config = await client.requireConfig();
        const next = command === "pause" ? config.paused | bits : config.paused & ~bits;
        const result = await client.setPause(next);
        this.printEvents(result.events, 0, result.signature);
        return;
      }
      case "create-pool":
        return this.createPool();
      default:
        throw new UserInputError("UnknownCommand", `unknown command "${command ?? ""}": run \`asymptote --help\``);
    }
  }

  private async quote(args: string[]): Promise<void> {
    const { client, context, decimals, pool } = await this.pool(args[0], false);
    const kind = args[1];
    let sideIn: TradeSide;
    let sideOut: TradeSide;
    let amountText: string | undefined;
    if (kind === "open") [sideIn, sideOut, amountText] = ["collateral", side(args[2]), args[3]];
    else if (kind === "close") [sideIn, sideOut, amountText] = [side(args[2]), "collateral", args[3]];
    else if (kind === "swap") [sideIn, sideOut, amountText] = [side(args[2]), side(args[3]), args[4]];
    else throw new UserInputError("BadQuote", `quote what? use open, close or swap, got "${kind ?? ""}"`);
    const amount = parseAmount(amountText ?? "", decimals);
    const quote = await client.quoteTrade(context, sideIn, sideOut, amount, client.wallet?.publicKey ?? pool.creator);
    this.io.stdout(formatQuote(quote, decimals, sideIn, sideOut));
  }

  private async createPool(): Promise<void> {
    const o = this.options;
    const client = this.client(true);
    const collateralMint = parsePublicKey(o.collateral as string | undefined, "--collateral mint");
    const legacy = o["legacy-price-account"] as string | undefined;
    const feed = o["feed-id"] as string | undefined;
    if ((legacy === undefined) === (feed === undefined)) {
      throw new UserInputError("MissingArgument", "pass exactly one of --feed-id (Pyth pull) or --legacy-price-account");
    }
    const source: OracleSource = legacy ? "pythLegacy" : "pythPull";
    const oracleKey = legacy ? parsePublicKey(legacy, "legacy price account").toBytes() : parseFeedId(feed as string);
    const oracleAccount = o.oracle
      ? parsePublicKey(o.oracle as string, "oracle account")
      : oracleAccountFor(source, oracleKey);
    const params: Record<string, unknown> = {};
    const k = integer(o.k, "k");
    if (k !== undefined) params.k = Number(k);
    const fee = integer(o["opening-fee-bps"], "opening-fee-bps");
    if (fee !== undefined) params.openingFeeBps = Number(fee);
    const divisor = integer(o["fee-divisor"], "fee-divisor");
    if (divisor !== undefined) params.feeDivisor = divisor;
    const interest = integer(o["interest-half-life"], "interest-half-life");
    if (interest !== undefined) params.interestHalfLife = interest;
    const premium = integer(o["premium-half-life"], "premium-half-life");
    if (premium !== undefined) params.premiumHalfLife = premium;
    const maxAge = integer(o["max-age"], "max-age");
    const nonce = integer(o.nonce, "nonce", 0n);
    const longBps = Number(integer(o["long-bps"], "long-bps", 0n));
    const shortBps = Number(integer(o["short-bps"], "short-bps", 0n));
    const mint = await client.transport.getAccountInfo(collateralMint);
    if (!mint) throw new UserInputError("MintNotFound", `no mint at ${collateralMint.toBase58()} on this cluster`);
    const decimals = mint.data.readUInt8(44);
    const result = await client.createPool({
      collateralMint,
      oracleKey,
      source,
      oracleAccount,
      deposit: parseAmount((o.deposit as string | undefined) ?? "", decimals),
      nonce,
      params,
      oracleLimits: maxAge !== undefined ? { maxAge: Number(maxAge) } : {},
      longBps,
      shortBps,
    });
    this.io.stdout(`pool: ${result.pool.toBase58()}`);
    this.printEvents(result.events, decimals, result.signature);
  }
}

/** Run the CLI; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UserInputError("BadFlag", (error as Error).message.split("\n")[0]);
    }
    const [command, ...rest] = parsed.positionals;
    if (parsed.values.help || command === undefined || command === "help") {
      io.stdout(USAGE);
      return command === undefined && !parsed.values.help ? 2 : 0;
    }
    await new Cli(io, parsed.values).run(command, rest);
    return 0;
  } catch (error) {
    io.stderr(errorLine(error));
    if (io.env.ASYMPTOTE_DEBUG) io.stderr(String((error as Error).stack ?? error));
    return 1;
  }
}

/** The one line the CLI prints for any failure. */
export function errorLine(error: unknown): string {
  if (error instanceof UserInputError) return `error: ${error.errorName}: ${error.message}`;
  if (error instanceof TransactionFailed) return `error: ${error.explained.name}: ${error.explained.hint}`;
  const message = (error as Error)?.message ?? String(error);
  if (/fetch failed|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|socket hang up|getaddrinfo/i.test(message)) {
    return "error: NetworkError: cannot reach the cluster: check --cluster (or ANCHOR_PROVIDER_URL) and your connection";
  }
  return `error: ${message}`;
}

/** Legacy Pyth program for a cluster URL (used by the deploy script). */
export const legacyPythProgramFor = (url: string): PublicKey | undefined => {
  const name = clusterName(url);
  return name === "other" ? undefined : LEGACY_PYTH_PROGRAM_IDS[name];
};

if (require.main === module) {
  void runCli(process.argv.slice(2), {
    stdout: (line) => console.log(line),
    stderr: (line) => console.error(line),
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}
