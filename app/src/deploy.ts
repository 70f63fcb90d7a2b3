// After `anchor deploy`: initialise the protocol config (the deploy wallet is the upgrade
// authority and becomes the admin) and, with --create-pool, create a first pool on a Pyth
// feed. Idempotent: an existing config is reported, not re-created.
// Used by migrations/deploy.ts (as Anchor's migration hook and as a script).
import { parseArgs } from "node:util";
import { Connection, PublicKey } from "@solana/web3.js";
import { AsymptoteClient, keypairWallet, type WalletLike } from "./client";
import { LEGACY_PYTH_PROGRAM_IDS } from "./constants";
import { clusterName, clusterUrl, loadKeypair, parsePublicKey, walletPath } from "./cli/environment";
import { formatConfig } from "./cli/format";
import { errorLine, runCli, type CliIo } from "./cli/main";
import { UserInputError } from "./units";

export interface ConfigOptions {
  guardian?: PublicKey;
  feeRecipient?: PublicKey;
  legacyPythProgram: PublicKey;
}

/** Create the config unless it exists; returns true when it was created. */
export async function ensureConfig(client: AsymptoteClient, options: ConfigOptions, log: (line: string) => void): Promise<boolean> {
  const existing = await client.fetchConfig();
  if (existing) {
    log("protocol config already initialised:");
    log(formatConfig(existing));
    return false;
  }
  const result = await client.initializeConfig(options);
  log(`protocol config initialised (signature ${result.signature}):`);
  log(formatConfig(await client.requireConfig()));
  return true;
}

/** Anchor's migration hook: `module.exports = async (provider) => ...` in migrations/deploy.ts. */
export async function anchorMigration(provider: { connection: Connection; wallet: WalletLike }): Promise<void> {
  const client = AsymptoteClient.connect(provider.connection, provider.wallet);
  const name = clusterName(provider.connection.rpcEndpoint);
  const legacy = process.env.ASYMPTOTE_LEGACY_PYTH_PROGRAM
    ? new PublicKey(process.env.ASYMPTOTE_LEGACY_PYTH_PROGRAM)
    : name === "other"
      ? provider.wallet.publicKey // no legacy Pyth on local validators: any key disables it in practice
      : LEGACY_PYTH_PROGRAM_IDS[name];
  await ensureConfig(client, { legacyPythProgram: legacy }, (line) => console.log(line));
}

const POOL_FLAGS = [
  "collateral",
  "feed-id",
  "legacy-price-account",
  "deposit",
  "oracle",
  "nonce",
  "k",
  "opening-fee-bps",
  "fee-divisor",
  "interest-half-life",
  "premium-half-life",
  "max-age",
  "long-bps",
  "short-bps",
] as const;

export const DEPLOY_USAGE = `usage: deploy.ts [--cluster devnet] [--wallet KEY.json] [--guardian KEY] [--fee-recipient KEY]
                 [--legacy-pyth-program ID] [--create-pool --collateral MINT --feed-id HEX --deposit AMOUNT [pool options]]
Initialises the protocol config (the wallet must be the program's upgrade authority) and,
with --create-pool, creates a first pool (pool options as in \`asymptote create-pool\`).`;

/** Script entry: returns the exit code. */
export async function deployMain(argv: string[], io: CliIo): Promise<number> {
  try {
    type Option = { type: "string" | "boolean"; short?: string };
    const options: Record<string, Option> = {
      cluster: { type: "string", short: "u" },
      wallet: { type: "string", short: "k" },
      "create-pool": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    };
    for (const name of ["guardian", "fee-recipient", "legacy-pyth-program", "program-id", ...POOL_FLAGS]) {
      options[name] = { type: "string" };
    }
    let values: Record<string, string | boolean | undefined>;
    try {
      values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
    } catch (error) {
      throw new UserInputError("BadFlag", (error as Error).message.split("\n")[0]);
    }
    if (values.help) {
      io.stdout(DEPLOY_USAGE);
      return 0;
    }
    const str = (name: string) => values[name] as string | undefined;
    const url = clusterUrl(str("cluster"), io.env);
    const keypair = loadKeypair(walletPath(str("wallet"), io.env));
    const name = clusterName(url);
    const legacyFlag = str("legacy-pyth-program");
    if (!legacyFlag && name === "other") {
      throw new UserInputError("MissingArgument", "--legacy-pyth-program is required on this cluster (no known default)");
    }
    const legacyPythProgram = legacyFlag
      ? parsePublicKey(legacyFlag, "legacy Pyth program id")
      : LEGACY_PYTH_PROGRAM_IDS[name as "devnet" | "mainnet"];
    const programId = str("program-id") ? parsePublicKey(str("program-id"), "program id") : undefined;
    const transport = io.transport;
    const client = transport
      ? new AsymptoteClient(transport, keypairWallet(keypair), { programId })
      : AsymptoteClient.connect(new Connection(url, "confirmed"), keypairWallet(keypair), { programId });
    await ensureConfig(
      client,
      {
        legacyPythProgram,
        guardian: str("guardian") ? parsePublicKey(str("guardian"), "guardian") : undefined,
        feeRecipient: str("fee-recipient") ? parsePublicKey(str("fee-recipient"), "fee recipient") : undefined,
      },
      io.stdout,
    );
    if (!values["create-pool"]) return 0;
    const poolArgs = ["create-pool"];
    for (const flag of [...POOL_FLAGS, "cluster", "wallet", "program-id"]) {
      const value = str(flag);
      if (value !== undefined) poolArgs.push(`--${flag}`, value);
    }
    return await runCli(poolArgs, io);
  } catch (error) {
    io.stderr(errorLine(error));
    return 1;
  }
}
