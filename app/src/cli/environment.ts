// Cluster and wallet for the CLI: flags first, then Anchor's environment
// (ANCHOR_PROVIDER_URL, ANCHOR_WALLET), then devnet and the Solana CLI's default key.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Keypair, PublicKey } from "@solana/web3.js";
import { UserInputError } from "../units";

const CLUSTERS: Record<string, string> = {
  devnet: "https://api.devnet.solana.com",
  testnet: "https://api.testnet.solana.com",
  mainnet: "https://api.mainnet-beta.solana.com",
  "mainnet-beta": "https://api.mainnet-beta.solana.com",
  localnet: "http://127.0.0.1:8899",
  localhost: "http://127.0.0.1:8899",
};

export function clusterUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const chosen = flag ?? env.ANCHOR_PROVIDER_URL ?? "devnet";
  const named = CLUSTERS[chosen];
  if (named) return named;
  if (/^https?:\/\//.test(chosen)) return chosen;
  throw new UserInputError(
    "BadCluster",
    `unknown cluster "${chosen}": use devnet, testnet, mainnet, localnet or an http(s) URL`,
  );
}

/** The cluster name for per-cluster defaults (legacy Pyth program). */
export function clusterName(url: string): "devnet" | "mainnet" | "other" {
  if (url.includes("devnet")) return "devnet";
  if (url.includes("mainnet")) return "mainnet";
  return "other";
}

export function walletPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const path = flag ?? env.ANCHOR_WALLET ?? join(homedir(), ".config", "solana", "id.json");
  return path.startsWith("~/") ? join(homedir(), path.slice(2)) : path;
}

export function loadKeypair(path: string): Keypair {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UserInputError(
      "WalletNotFound",
      `no wallet file at ${path}: pass --wallet <keypair.json> or set ANCHOR_WALLET (create one with \`solana-keygen new\`)`,
    );
  }
  try {
    const bytes = JSON.parse(text) as unknown;
    if (!Array.isArray(bytes) || bytes.length !== 64) throw new Error("length");
    return Keypair.fromSecretKey(Uint8Array.from(bytes as number[]));
  } catch {
    throw new UserInputError("BadWallet", `${path} is not a Solana keypair file (a JSON array of 64 numbers)`);
  }
}

export function parsePublicKey(text: string | undefined, what: string): PublicKey {
  if (text === undefined) throw new UserInputError("MissingArgument", `missing ${what}`);
  try {
    return new PublicKey(text);
  } catch {
    throw new UserInputError("BadAddress", `"${text}" is not a valid ${what} (base58 address)`);
  }
}
