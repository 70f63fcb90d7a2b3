// Every program-derived address the program uses, derived exactly as its seeds say.
import { PublicKey } from "@solana/web3.js";
import {
  ASSOCIATED_TOKEN_PROGRAM_ID,
  BPF_LOADER_UPGRADEABLE_ID,
  PROGRAM_ID,
  PYTH_PUSH_ORACLE_PROGRAM_ID,
  SEEDS,
  TOKEN_PROGRAM_ID,
} from "./constants";

const pda = (seeds: (Buffer | Uint8Array)[], program: PublicKey): PublicKey =>
  PublicKey.findProgramAddressSync(seeds, program)[0];

const seed = (s: string): Buffer => Buffer.from(s, "utf8");

export function u64Le(value: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(value);
  return out;
}

export const configAddress = (programId = PROGRAM_ID): PublicKey =>
  pda([seed(SEEDS.config)], programId);

/** Signer of `emit_cpi!` self-invocations. */
export const eventAuthorityAddress = (programId = PROGRAM_ID): PublicKey =>
  pda([seed(SEEDS.eventAuthority)], programId);

/** The program's ProgramData account under the upgradeable loader. */
export const programDataAddress = (programId = PROGRAM_ID): PublicKey =>
  pda([programId.toBuffer()], BPF_LOADER_UPGRADEABLE_ID);

/** `["pool", collateral_mint, oracle key (32 bytes), nonce u64 LE]`. */
export function poolAddress(
  collateralMint: PublicKey,
  oracleKey: Uint8Array,
  nonce: bigint,
  programId = PROGRAM_ID,
): PublicKey {
  if (oracleKey.length !== 32) throw new RangeError("oracle key must be 32 bytes");
  return pda(
    [seed(SEEDS.pool), collateralMint.toBuffer(), Buffer.from(oracleKey), u64Le(nonce)],
    programId,
  );
}

export type PoolSeedName = "authority" | "vault" | "long" | "short" | "lp";

export const poolChildAddress = (
  name: PoolSeedName,
  pool: PublicKey,
  programId = PROGRAM_ID,
): PublicKey => pda([seed(SEEDS[name]), pool.toBuffer()], programId);

/** Every address that belongs to one pool. */
export interface PoolAddresses {
  pool: PublicKey;
  authority: PublicKey;
  vault: PublicKey;
  longMint: PublicKey;
  shortMint: PublicKey;
  lpMint: PublicKey;
}

export function poolAddresses(pool: PublicKey, programId = PROGRAM_ID): PoolAddresses {
  return {
    pool,
    authority: poolChildAddress("authority", pool, programId),
    vault: poolChildAddress("vault", pool, programId),
    longMint: poolChildAddress("long", pool, programId),
    shortMint: poolChildAddress("short", pool, programId),
    lpMint: poolChildAddress("lp", pool, programId),
  };
}

/** Associated token account (the side tokens always live under classic SPL Token). */
export const associatedTokenAddress = (
  owner: PublicKey,
  mint: PublicKey,
  tokenProgram = TOKEN_PROGRAM_ID,
): PublicKey => pda([owner.toBuffer(), tokenProgram.toBuffer(), mint.toBuffer()], ASSOCIATED_TOKEN_PROGRAM_ID);

/**
 * Pyth's sponsored price feed account for a feed id: a `PriceUpdateV2` kept fresh by the
 * push oracle, `[shard u16 LE, feed id]` under the push oracle program.
 */
export function sponsoredPriceFeedAddress(feedId: Uint8Array, shard = 0): PublicKey {
  const shardBytes = Buffer.alloc(2);
  shardBytes.writeUInt16LE(shard);
  return pda([shardBytes, Buffer.from(feedId)], PYTH_PUSH_ORACLE_PROGRAM_ID);
}
