// Run the CLI in-process and capture what it prints.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Keypair } from "@solana/web3.js";
import { runCli } from "../../src/cli/main";
import type { Transport } from "../../src";

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function cli(argv: string[], options: { transport?: Transport; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
    env: options.env ?? {},
    transport: options.transport,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const dir = mkdtempSync(join(tmpdir(), "asymptote-cli-"));

/** A keypair file the CLI can load. */
export function walletFile(keypair: Keypair): string {
  const path = join(dir, `${keypair.publicKey.toBase58()}.json`);
  writeFileSync(path, JSON.stringify(Array.from(keypair.secretKey)));
  return path;
}
