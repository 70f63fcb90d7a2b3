// Fetch and decode the program's accounts: the protocol config and pools.
import { PublicKey, type AccountInfo } from "@solana/web3.js";
import { utils } from "@anchor-lang/core";
import { coder, toBigints, type OracleSource, type Pool, type ProtocolConfig } from "./coder";
import { PROGRAM_ID } from "./constants";
import { IDL } from "./generated/asymptote";
import { configAddress, sponsoredPriceFeedAddress } from "./pda";
import type { PoolContext } from "./instructions";
import type { Transport } from "./transport";

export const accountDiscriminator = (name: "pool" | "protocolConfig"): Buffer => {
  const entry = IDL.accounts.find((a) => a.name === name);
  if (!entry) throw new Error(`unknown account ${name}`);
  return Buffer.from(entry.discriminator);
};

export function decodeConfig(data: Buffer): ProtocolConfig {
  return toBigints(coder.accounts.decode("protocolConfig", data));
}

export function decodePool(data: Buffer): Pool {
  return toBigints(coder.accounts.decode("pool", data));
}

function ownedByProgram(account: AccountInfo<Buffer> | null, programId: PublicKey): account is AccountInfo<Buffer> {
  return account !== null && account.owner.equals(programId);
}

export async function fetchConfig(transport: Transport, programId = PROGRAM_ID): Promise<ProtocolConfig | null> {
  const account = await transport.getAccountInfo(configAddress(programId));
  return ownedByProgram(account, programId) ? decodeConfig(account.data) : null;
}

export async function fetchPool(transport: Transport, address: PublicKey, programId = PROGRAM_ID): Promise<Pool | null> {
  const account = await transport.getAccountInfo(address);
  return ownedByProgram(account, programId) ? decodePool(account.data) : null;
}

/** Every pool of the program (getProgramAccounts filtered on the Pool discriminator). */
export async function fetchAllPools(
  transport: Transport,
  programId = PROGRAM_ID,
): Promise<{ address: PublicKey; pool: Pool }[]> {
  const discriminator = utils.bytes.bs58.encode(accountDiscriminator("pool"));
  const accounts = await transport.getProgramAccounts(programId, [{ memcmp: { offset: 0, bytes: discriminator } }]);
  return accounts.map(({ pubkey, account }) => ({ address: pubkey, pool: decodePool(account.data) }));
}

/** Oracle source tags as the pool stores them: the variant indices of `OracleSource`. */
const ORACLE_SOURCES: readonly OracleSource[] = ["pythPull", "pythLegacy"];

/** The pool's oracle source (the pool is read in place on chain, so it keeps a one-byte tag). */
export function oracleSource(pool: Pool): OracleSource {
  const source = ORACLE_SOURCES[pool.oracle.source];
  if (source === undefined) throw new Error(`unknown oracle source tag ${pool.oracle.source}`);
  return source;
}

/**
 * The oracle account to pass for a pool: a legacy pool's fixed price account, or for a
 * pull pool Pyth's sponsored feed account for its feed id (override with any PriceUpdateV2
 * account carrying the same feed id, e.g. one you just posted).
 */
export function defaultOracleAccount(pool: Pool): PublicKey {
  return oracleAccountFor(oracleSource(pool), Uint8Array.from(pool.oracle.key));
}

/** `defaultOracleAccount` for an oracle source and key (legacy price account or feed id). */
export function oracleAccountFor(source: OracleSource, key: Uint8Array): PublicKey {
  return source === "pythLegacy" ? new PublicKey(key) : sponsoredPriceFeedAddress(key);
}

/** Everything instructions need about a pool, from its account. */
export function poolContext(address: PublicKey, pool: Pool, oracle?: PublicKey): PoolContext {
  return {
    pool: address,
    authority: pool.authority,
    vault: pool.vault,
    longMint: pool.longMint,
    shortMint: pool.shortMint,
    lpMint: pool.lpMint,
    collateralMint: pool.collateralMint,
    collateralTokenProgram: pool.collateralTokenProgram,
    oracle: oracle ?? defaultOracleAccount(pool),
  };
}
