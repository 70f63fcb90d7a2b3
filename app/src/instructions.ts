// One builder per instruction: `xxxIx(...)` returns the TransactionInstruction with every
// account derived. Account order and writable/signer flags come from the IDL itself, so a
// builder cannot drift from the program's account list.
import { type PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import { coder, toBns, tradeSideEnum } from "./coder";
import type {
  CloseArgs,
  CreatePoolArgs,
  InitializeConfigArgs,
  OpenArgs,
  Side,
  SwapArgs,
  TradeSide,
} from "./coder";
import {
  ASSOCIATED_TOKEN_PROGRAM_ID,
  PROGRAM_ID,
  TOKEN_PROGRAM_ID,
} from "./constants";
import { IDL, type Asymptote } from "./generated/asymptote";
import {
  associatedTokenAddress,
  configAddress,
  eventAuthorityAddress,
  poolAddress,
  poolAddresses,
  programDataAddress,
  type PoolAddresses,
} from "./pda";

type IdlInstruction = Asymptote["instructions"][number];
export type InstructionName = IdlInstruction["name"];
type AccountsOf<N extends InstructionName> = Extract<IdlInstruction, { name: N }>["accounts"][number]["name"];
export type AccountMap<N extends InstructionName> = Record<AccountsOf<N>, PublicKey>;

interface IdlAccountFlags {
  name: string;
  writable?: boolean;
  signer?: boolean;
}

/** Build an instruction from its IDL entry, its accounts by name and its encoded arguments. */
export function buildInstruction<N extends InstructionName>(
  name: N,
  accounts: AccountMap<N>,
  args: Record<string, unknown>,
  programId = PROGRAM_ID,
): TransactionInstruction {
  const entry = IDL.instructions.find((ix) => ix.name === name);
  if (!entry) throw new Error(`unknown instruction ${name}`);
  const given = accounts as Record<string, PublicKey | undefined>;
  const keys = (entry.accounts as readonly IdlAccountFlags[]).map((account) => {
    const pubkey = given[account.name];
    if (!pubkey) throw new Error(`${name}: account ${account.name} missing`);
    return { pubkey, isWritable: account.writable === true, isSigner: account.signer === true };
  });
  return new TransactionInstruction({ programId, keys, data: coder.instruction.encode(name, args) });
}

/** The two accounts `#[event_cpi]` appends to an instruction. */
const eventAccounts = (programId: PublicKey) => ({
  eventAuthority: eventAuthorityAddress(programId),
  program: programId,
});

/** The addresses of a pool that instructions need, from the pool account's own fields. */
export interface PoolContext extends PoolAddresses {
  collateralMint: PublicKey;
  collateralTokenProgram: PublicKey;
  /** The oracle account passed to the program (price update or legacy price account). */
  oracle: PublicKey;
}

export function sideMint(pool: PoolContext, side: TradeSide): PublicKey {
  switch (side) {
    case "long":
      return pool.longMint;
    case "short":
      return pool.shortMint;
    case "lp":
      return pool.lpMint;
    case "collateral":
      return pool.collateralMint;
  }
}

export function initializeConfigIx(
  authority: PublicKey,
  args: InitializeConfigArgs,
  programId = PROGRAM_ID,
): TransactionInstruction {
  return buildInstruction(
    "initializeConfig",
    {
      authority,
      config: configAddress(programId),
      programData: programDataAddress(programId),
      systemProgram: SystemProgram.programId,
      ...eventAccounts(programId),
    },
    { args },
    programId,
  );
}

export interface CreatePoolAccounts {
  creator: PublicKey;
  collateralMint: PublicKey;
  /** SPL Token or Token-2022: the collateral mint's owner. */
  collateralTokenProgram: PublicKey;
  /** The creator's collateral token account (defaults to the associated account). */
  creatorCollateral?: PublicKey;
  /** The oracle account read at creation. */
  oracle: PublicKey;
}

export function createPoolIx(
  accounts: CreatePoolAccounts,
  args: CreatePoolArgs,
  programId = PROGRAM_ID,
): TransactionInstruction {
  const pool = poolAddress(accounts.collateralMint, Uint8Array.from(args.oracle.key), args.nonce, programId);
  const keys = poolAddresses(pool, programId);
  const ata = (mint: PublicKey) => associatedTokenAddress(accounts.creator, mint);
  return buildInstruction(
    "createPool",
    {
      creator: accounts.creator,
      config: configAddress(programId),
      pool,
      poolAuthority: keys.authority,
      collateralMint: accounts.collateralMint,
      vault: keys.vault,
      longMint: keys.longMint,
      shortMint: keys.shortMint,
      lpMint: keys.lpMint,
      creatorCollateral:
        accounts.creatorCollateral ??
        associatedTokenAddress(accounts.creator, accounts.collateralMint, accounts.collateralTokenProgram),
      creatorLong: ata(keys.longMint),
      creatorShort: ata(keys.shortMint),
      creatorLp: ata(keys.lpMint),
      oracle: accounts.oracle,
      tokenProgram: TOKEN_PROGRAM_ID,
      collateralTokenProgram: accounts.collateralTokenProgram,
      associatedTokenProgram: ASSOCIATED_TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
      ...eventAccounts(programId),
    },
    { args: toBns(args) },
    programId,
  );
}

/** A trader's token accounts; each defaults to the trader's associated account. */
export interface TraderAccounts {
  trader: PublicKey;
  collateral?: PublicKey;
  long?: PublicKey;
  short?: PublicKey;
  lp?: PublicKey;
}

export function traderAccount(pool: PoolContext, t: TraderAccounts, side: TradeSide): PublicKey {
  const explicit = t[side];
  if (explicit) return explicit;
  const program = side === "collateral" ? pool.collateralTokenProgram : TOKEN_PROGRAM_ID;
  return associatedTokenAddress(t.trader, sideMint(pool, side), program);
}

export interface OpenParams {
  side: Side;
  /** Collateral atoms the trader pays at most. */
  amountIn: bigint;
  /** Fewest side tokens accepted. */
  minOut: bigint;
  /** Last slot the trade may land in (0 = none). */
  expirySlot?: bigint;
}

export function openIx(
  pool: PoolContext,
  trader: TraderAccounts,
  params: OpenParams,
  programId = PROGRAM_ID,
): TransactionInstruction {
  const args: OpenArgs = {
    side: tradeSideEnum(params.side),
    amountIn: params.amountIn,
    minOut: params.minOut,
    expirySlot: params.expirySlot ?? 0n,
  };
  return buildInstruction(
    "open",
    collateralTradeAccounts(pool, trader, params.side, programId),
    { args: toBns(args) },
    programId,
  );
}

export interface CloseParams {
  side: Side;
  /** Side tokens offered (the pool burns at most this many). */
  amount: bigint;
  /** Least collateral atoms accepted. */
  minOut: bigint;
  expirySlot?: bigint;
}

export function closeIx(
  pool: PoolContext,
  trader: TraderAccounts,
  params: CloseParams,
  programId = PROGRAM_ID,
): TransactionInstruction {
  const args: CloseArgs = {
    side: tradeSideEnum(params.side),
    amount: params.amount,
    minOut: params.minOut,
    expirySlot: params.expirySlot ?? 0n,
  };
  return buildInstruction(
    "close",
    collateralTradeAccounts(pool, trader, params.side, programId),
    { args: toBns(args) },
    programId,
  );
}

export interface SwapParams {
  sideIn: Side;
  sideOut: Side;
  amount: bigint;
  minOut: bigint;
  expirySlot?: bigint;
}

export function swapIx(
  pool: PoolContext,
  trader: TraderAccounts,
  params: SwapParams,
  programId = PROGRAM_ID,
): TransactionInstruction {
  const args: SwapArgs = {
    sideIn: tradeSideEnum(params.sideIn),
    sideOut: tradeSideEnum(params.sideOut),
    amount: params.amount,
    minOut: params.minOut,
    expirySlot: params.expirySlot ?? 0n,
  };
  return buildInstruction(
    "swap",
    {
      ...tradeAccounts(pool, trader.trader, programId),
      mintIn: sideMint(pool, params.sideIn),
      traderIn: traderAccount(pool, trader, params.sideIn),
      mintOut: sideMint(pool, params.sideOut),
      traderOut: traderAccount(pool, trader, params.sideOut),
    },
    { args: toBns(args) },
    programId,
  );
}

/** Accounts open, close and swap share. */
function tradeAccounts(pool: PoolContext, trader: PublicKey, programId: PublicKey) {
  return {
    trader,
    config: configAddress(programId),
    pool: pool.pool,
    poolAuthority: pool.authority,
    oracle: pool.oracle,
    tokenProgram: TOKEN_PROGRAM_ID,
    ...eventAccounts(programId),
  };
}

/** Accounts of a trade between collateral and one side (open, close). */
function collateralTradeAccounts(
  pool: PoolContext,
  trader: TraderAccounts,
  side: Side,
  programId: PublicKey,
) {
  return {
    ...tradeAccounts(pool, trader.trader, programId),
    vault: pool.vault,
    collateralMint: pool.collateralMint,
    traderCollateral: traderAccount(pool, trader, "collateral"),
    sideMint: sideMint(pool, side),
    traderSide: traderAccount(pool, trader, side),
    collateralTokenProgram: pool.collateralTokenProgram,
  };
}

export function accrueIx(pool: PoolContext, programId = PROGRAM_ID): TransactionInstruction {
  return buildInstruction(
    "accrue",
    { config: configAddress(programId), pool: pool.pool, oracle: pool.oracle, ...eventAccounts(programId) },
    {},
    programId,
  );
}

/** `recipientCollateral` defaults to the fee recipient's associated collateral account. */
export function collectProtocolFeesIx(
  pool: PoolContext,
  feeRecipient: PublicKey,
  recipientCollateral?: PublicKey,
  programId = PROGRAM_ID,
): TransactionInstruction {
  return buildInstruction(
    "collectProtocolFees",
    {
      config: configAddress(programId),
      pool: pool.pool,
      poolAuthority: pool.authority,
      vault: pool.vault,
      collateralMint: pool.collateralMint,
      recipientCollateral:
        recipientCollateral ??
        associatedTokenAddress(feeRecipient, pool.collateralMint, pool.collateralTokenProgram),
      collateralTokenProgram: pool.collateralTokenProgram,
      ...eventAccounts(programId),
    },
    {},
    programId,
  );
}

export function setPauseIx(signer: PublicKey, paused: number, programId = PROGRAM_ID): TransactionInstruction {
  return buildInstruction(
    "setPause",
    { signer, config: configAddress(programId), ...eventAccounts(programId) },
    { paused },
    programId,
  );
}

export function proposeAdminIx(admin: PublicKey, proposed: PublicKey, programId = PROGRAM_ID): TransactionInstruction {
  return buildInstruction(
    "proposeAdmin",
    { admin, config: configAddress(programId), ...eventAccounts(programId) },
    { proposed },
    programId,
  );
}

export function acceptAdminIx(newAdmin: PublicKey, programId = PROGRAM_ID): TransactionInstruction {
  return buildInstruction(
    "acceptAdmin",
    { newAdmin, config: configAddress(programId), ...eventAccounts(programId) },
    {},
    programId,
  );
}

export function setRolesIx(
  admin: PublicKey,
  guardian: PublicKey,
  feeRecipient: PublicKey,
  programId = PROGRAM_ID,
): TransactionInstruction {
  return buildInstruction(
    "setRoles",
    { admin, config: configAddress(programId), ...eventAccounts(programId) },
    { guardian, feeRecipient },
    programId,
  );
}

/** Read-only: what a trade would do now. For a collateral side any pool mint will do (unused). */
export function quoteTradeIx(
  pool: PoolContext,
  sideIn: TradeSide,
  sideOut: TradeSide,
  amount: bigint,
  programId = PROGRAM_ID,
): TransactionInstruction {
  const mintFor = (side: TradeSide) => (side === "collateral" ? pool.lpMint : sideMint(pool, side));
  return buildInstruction(
    "quoteTrade",
    {
      config: configAddress(programId),
      pool: pool.pool,
      mintIn: mintFor(sideIn),
      mintOut: mintFor(sideOut),
      oracle: pool.oracle,
    },
    toBns({ sideIn: tradeSideEnum(sideIn), sideOut: tradeSideEnum(sideOut), amount }),
    programId,
  );
}

/** Read-only: the pool at the current price with funding accrued virtually. */
export function quotePoolIx(pool: PoolContext, programId = PROGRAM_ID): TransactionInstruction {
  return buildInstruction(
    "quotePool",
    {
      config: configAddress(programId),
      pool: pool.pool,
      longMint: pool.longMint,
      shortMint: pool.shortMint,
      lpMint: pool.lpMint,
      oracle: pool.oracle,
    },
    {},
    programId,
  );
}
