// The CLI's argument and error handling, offline: every user mistake is one named line on
// stderr and a non-zero exit, never a stack trace.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Keypair } from "@solana/web3.js";
import { clusterUrl, walletPath } from "../src/cli/environment";
import { cli, walletFile } from "./support/cli";

const POOL = Keypair.generate().publicKey.toBase58();
const noStack = (text: string) => assert.doesNotMatch(text, /\n\s+at /, "no stack trace");

describe("CLI arguments and errors", () => {
  it("prints usage: exit 2 without a command, 0 with --help", async () => {
    const bare = await cli([]);
    assert.equal(bare.code, 2);
    assert.match(bare.out, /usage: asymptote/);
    assert.equal((await cli(["--help"])).code, 0);
  });

  const cases: [string, string[], RegExp][] = [
    ["unknown command", ["frobnicate"], /^error: UnknownCommand: /],
    ["unknown flag", ["config", "--bogus"], /^error: BadFlag: .*bogus/],
    ["bad cluster", ["config", "-u", "moon"], /^error: BadCluster: unknown cluster "moon"/],
    ["missing wallet file", ["open", POOL, "long", "1", "-k", "/nonexistent/id.json"], /^error: WalletNotFound: no wallet file at \/nonexistent\/id.json/],
    ["bad pool address", ["pool", "not-a-key"], /^error: BadAddress: "not-a-key" is not a valid pool address/],
    ["bad pause flag", ["pause", "everything", "-k", walletFile(Keypair.generate())], /^error: BadPauseFlag: unknown pause flag "everything"/],
    ["bad number", ["create-pool", "--k", "two", "--collateral", POOL, "--feed-id", "00".repeat(32), "-k", walletFile(Keypair.generate())], /^error: BadNumber: --k must be a whole number/],
    ["no oracle for create-pool", ["create-pool", "--collateral", POOL, "-k", walletFile(Keypair.generate())], /^error: MissingArgument: pass exactly one of --feed-id/],
  ];
  for (const [name, argv, expected] of cases) {
    it(name, async () => {
      const run = await cli(argv);
      assert.equal(run.code, 1);
      assert.match(run.err, expected);
      noStack(run.err);
    });
  }

  it("an unreachable cluster is named", async () => {
    const run = await cli(["config", "-u", "http://127.0.0.1:9"]);
    assert.equal(run.err, "error: NetworkError: cannot reach the cluster: check --cluster (or ANCHOR_PROVIDER_URL) and your connection");
  });

  it("a malformed wallet file is named", async () => {
    const path = join(tmpdir(), `bad-wallet-${process.pid}.json`);
    writeFileSync(path, "[1,2,3]");
    const run = await cli(["accrue", POOL, "-k", path]);
    assert.match(run.err, /^error: BadWallet: /);
  });

  it("cluster and wallet come from flags, then Anchor's environment, then defaults", () => {
    assert.equal(clusterUrl(undefined, {}), "https://api.devnet.solana.com");
    assert.equal(clusterUrl(undefined, { ANCHOR_PROVIDER_URL: "http://x:1" }), "http://x:1");
    assert.equal(clusterUrl("localnet", { ANCHOR_PROVIDER_URL: "http://x:1" }), "http://127.0.0.1:8899");
    assert.equal(walletPath(undefined, { ANCHOR_WALLET: "/w.json" }), "/w.json");
    assert.equal(walletPath("/flag.json", { ANCHOR_WALLET: "/w.json" }), "/flag.json");
    assert.match(walletPath(undefined, {}), /\.config\/solana\/id\.json$/);
  });
});
