// The high-level client: each `xxx()` builds the instruction with `xxxIx()`, adds what the
// transaction needs around it (token accounts, compute budget), signs, sends, confirms and
// returns the decoded events. Quotes run the program's read-only instructions in simulation.
import { createAssociatedTokenAccountIdempotentInstruction } from "@solana/spl-token";
import {
  ComputeBudgetProgram,
  type Connection,
  type Keypair,
  type PublicKey,
  Transaction,
  type Signer,
  type TransactionInstruction,
} from "@solana/web3.js";
import { decodeConfig, fetchAllPools, fetchConfig, fetchPool, poolContext } from "./accounts";
import {
  decodeType,
  type CreatePoolArgs,
  type OracleConfig,
  type OracleSource,
  type Pool,
  type PoolParams,
  type PoolQuote,
  type ProtocolConfig,
  type Side,
  type TradeQuote,
  type TradeSide,
} from "./coder";
import { CREATE_POOL_COMPUTE_UNITS, PROGRAM_ID, TOKEN_PROGRAM_ID } from "./constants";
import { TransactionFailed } from "./errors";
import { parseEvents, type AsymptoteEvent } from "./events";
import {
  acceptAdminIx,
  accrueIx,
  closeIx,
  collectProtocolFeesIx,
  createPoolIx,
  initializeConfigIx,
  openIx,
  proposeAdminIx,
  quotePoolIx,
  quoteTradeIx,
  setPauseIx,
  setRolesIx,
  sideMint,
  swapIx,
  traderAccount,
  type CloseParams,
  type OpenParams,
  type PoolContext,
  type SwapParams,
} from "./instructions";
import { associatedTokenAddress, configAddress, poolAddress } from "./pda";
import { RpcTransport, type Simulation, type Transport } from "./transport";
import { UserInputError } from "./units";

/** Anything that can sign a transaction for its public key (a wallet adapter, a Keypair wrapper). */
export interface WalletLike {
  publicKey: PublicKey;
  signTransaction<T extends Transaction>(tx: T): Promise<T>;
}

export const keypairWallet = (keypair: Keypair): WalletLike => ({
  publicKey: keypair.publicKey,
  async signTransaction<T extends Transaction>(tx: T): Promise<T> {
    tx.partialSign(keypair);
    return tx;
  },
});

export interface SendResult {
  signature: string;
  events: AsymptoteEvent[];
  logs: string[];
  computeUnits?: bigint;
}

export interface ClientOptions {
  programId?: PublicKey;
  /** Priority fee in micro-lamports per compute unit (0: none). */
  computeUnitPriceMicroLamports?: number;
}

/** Pool economics used when `createPool` is not told otherwise (README: "create_pool bounds"). */
export const DEFAULT_POOL_PARAMS: PoolParams = {
  k: 2,
  mark: 0n,
  interestHalfLife: 249_532_987n, // 0.06 %/day on a power-branch side at 216,000 slots/day
  premiumHalfLife: 2_495_330n,
  openingFeeBps: 30,
  feeDivisor: 5n,
  skewLambda: 0n,
  skewCap: 0n,
  skewDepthCap: 0n,
};

export function defaultOracleLimits(source: OracleSource): Omit<OracleConfig, "source" | "key"> {
  return {
    maxAge: source === "pythPull" ? 60 : 150,
    maxConfBpsOpen: 100,
    maxConfBpsClose: 500,
    maxEmaDivergenceBps: 500,
    confWideningBps: 0,
  };
}

export interface CreatePoolRequest {
  collateralMint: PublicKey;
  /** Pull: the feed id. Legacy: the price account's address bytes. */
  oracleKey: Uint8Array;
  source: OracleSource;
  /** The account read at creation (a PriceUpdateV2 for pull, the price account for legacy). */
  oracleAccount: PublicKey;
  /** Initial collateral, atoms. */
  deposit: bigint;
  nonce?: bigint;
  params?: Partial<PoolParams>;
  oracleLimits?: Partial<Omit<OracleConfig, "source" | "key">>;
  longBps?: number;
  shortBps?: number;
  creatorCollateral?: PublicKey;
}

export class AsymptoteClient {
  readonly programId: PublicKey;

  constructor(
    readonly transport: Transport,
    readonly wallet?: WalletLike,
    readonly options: ClientOptions = {},
  ) {
    this.programId = options.programId ?? PROGRAM_ID;
  }

  static connect(connection: Connection, wallet?: WalletLike, options?: ClientOptions): AsymptoteClient {
    return new AsymptoteClient(new RpcTransport(connection), wallet, options);
  }

  /** The signing wallet's key (a clear error when the client is read-only). */
  get walletKey(): PublicKey {
    if (!this.wallet) throw new UserInputError("NoWallet", "this operation needs a wallet (--wallet or ANCHOR_WALLET)");
    return this.wallet.publicKey;
  }

  // ---- reads -------------------------------------------------------------------------

  fetchConfig(): Promise<ProtocolConfig | null> {
    return fetchConfig(this.transport, this.programId);
  }

  fetchPool(address: PublicKey): Promise<Pool | null> {
    return fetchPool(this.transport, address, this.programId);
  }

  fetchAllPools(): Promise<{ address: PublicKey; pool: Pool }[]> {
    return fetchAllPools(this.transport, this.programId);
  }

  /** A pool and its instruction context; throws a named error when it does not exist. */
  async loadPool(address: PublicKey, oracle?: PublicKey): Promise<{ pool: Pool; context: PoolContext }> {
    const pool = await this.fetchPool(address);
    if (!pool) throw new UserInputError("PoolNotFound", `no Asymptote pool at ${address.toBase58()} on this cluster`);
    return { pool, context: poolContext(address, pool, oracle) };
  }

  async requireConfig(): Promise<ProtocolConfig> {
    const account = await this.transport.getAccountInfo(configAddress(this.programId));
    if (!account) {
      throw new UserInputError("ConfigNotInitialized", "the protocol config does not exist: run migrations/deploy.ts first");
    }
    return decodeConfig(account.data);
  }

  // ---- quotes (program's read-only instructions, simulated) --------------------------

  /** What a trade of at most `amount` (collateral atoms or side tokens) would do now. */
  async quoteTrade(
    pool: PoolContext,
    sideIn: TradeSide,
    sideOut: TradeSide,
    amount: bigint,
    payer?: PublicKey,
  ): Promise<TradeQuote> {
    const simulation = await this.simulate([quoteTradeIx(pool, sideIn, sideOut, amount, this.programId)], payer);
    return decodeType<TradeQuote>("tradeQuote", returnData(simulation));
  }

  /** The pool at the current price, funding accrued virtually. */
  async quotePool(pool: PoolContext, payer?: PublicKey): Promise<PoolQuote> {
    const simulation = await this.simulate([quotePoolIx(pool, this.programId)], payer);
    return decodeType<PoolQuote>("poolQuote", returnData(simulation));
  }

  async simulate(instructions: TransactionInstruction[], payer?: PublicKey): Promise<Simulation> {
    const tx = new Transaction();
    tx.add(...instructions);
    tx.feePayer = payer ?? this.walletKey;
    tx.recentBlockhash = (await this.transport.getLatestBlockhash()).blockhash;
    return this.transport.simulateTransaction(tx);
  }

  // ---- transactions ------------------------------------------------------------------

  /** Sign with the wallet (fee payer) and `signers`, send, confirm, decode the events. */
  async send(instructions: TransactionInstruction[], signers: Signer[] = []): Promise<SendResult> {
    const wallet = this.wallet;
    if (!wallet) throw new UserInputError("NoWallet", "sending needs a wallet (--wallet or ANCHOR_WALLET)");
    const tx = new Transaction();
    const price = this.options.computeUnitPriceMicroLamports ?? 0;
    if (price > 0) tx.add(ComputeBudgetProgram.setComputeUnitPrice({ microLamports: price }));
    tx.add(...instructions);
    tx.feePayer = wallet.publicKey;
    const blockhash = await this.transport.getLatestBlockhash();
    tx.recentBlockhash = blockhash.blockhash;
    if (signers.length > 0) tx.partialSign(...signers);
    const signed = await wallet.signTransaction(tx);
    const sent = await this.transport.sendTransaction(signed, blockhash);
    return {
      signature: sent.signature,
      logs: sent.logs,
      computeUnits: sent.computeUnits,
      events: parseEvents(sent.innerInstructions, this.programId),
    };
  }

  initializeConfig(args: {
    guardian?: PublicKey;
    feeRecipient?: PublicKey;
    legacyPythProgram: PublicKey;
  }): Promise<SendResult> {
    const authority = this.walletKey;
    return this.send([
      initializeConfigIx(
        authority,
        {
          guardian: args.guardian ?? authority,
          feeRecipient: args.feeRecipient ?? authority,
          legacyPythProgram: args.legacyPythProgram,
        },
        this.programId,
      ),
    ]);
  }

  /** The create_pool arguments a request resolves to (defaults filled in). */
  createPoolArgs(request: CreatePoolRequest): CreatePoolArgs {
    return {
      nonce: request.nonce ?? 0n,
      params: { ...DEFAULT_POOL_PARAMS, ...request.params },
      oracle: {
        source: { [request.source]: {} } as unknown as OracleConfig["source"],
        key: Array.from(request.oracleKey),
        ...defaultOracleLimits(request.source),
        ...request.oracleLimits,
      },
      deposit: request.deposit,
      longBps: request.longBps ?? 0,
      shortBps: request.shortBps ?? 0,
    };
  }

  async createPool(request: CreatePoolRequest): Promise<SendResult & { pool: PublicKey }> {
    const creator = this.walletKey;
    const collateral = await this.transport.getAccountInfo(request.collateralMint);
    if (!collateral) throw new UserInputError("MintNotFound", `no mint at ${request.collateralMint.toBase58()}`);
    const args = this.createPoolArgs(request);
    const ix = createPoolIx(
      {
        creator,
        collateralMint: request.collateralMint,
        collateralTokenProgram: collateral.owner,
        creatorCollateral: request.creatorCollateral,
        oracle: request.oracleAccount,
      },
      args,
      this.programId,
    );
    const result = await this.send([ComputeBudgetProgram.setComputeUnitLimit({ units: CREATE_POOL_COMPUTE_UNITS }), ix]);
    const pool = poolAddress(request.collateralMint, request.oracleKey, args.nonce, this.programId);
    return { ...result, pool };
  }

  /** Collateral in, side tokens out; creates the trader's side token account if needed. */
  open(pool: PoolContext, params: OpenParams): Promise<SendResult> {
    const trader = this.walletKey;
    return this.send([
      this.ensureTokenAccount(pool, trader, params.side),
      openIx(pool, { trader }, params, this.programId),
    ]);
  }

  /** Side tokens in, collateral out; creates the trader's collateral account if needed. */
  close(pool: PoolContext, params: CloseParams): Promise<SendResult> {
    const trader = this.walletKey;
    return this.send([
      this.ensureTokenAccount(pool, trader, "collateral"),
      closeIx(pool, { trader }, params, this.programId),
    ]);
  }

  swap(pool: PoolContext, params: SwapParams): Promise<SendResult> {
    const trader = this.walletKey;
    return this.send([
      this.ensureTokenAccount(pool, trader, params.sideOut),
      swapIx(pool, { trader }, params, this.programId),
    ]);
  }

  accrue(pool: PoolContext): Promise<SendResult> {
    return this.send([accrueIx(pool, this.programId)]);
  }

  /** Pays the configured fee recipient (its collateral account is created if needed). */
  async collectProtocolFees(pool: PoolContext): Promise<SendResult> {
    const config = await this.requireConfig();
    return this.send([
      this.ensureTokenAccount(pool, config.feeRecipient, "collateral"),
      collectProtocolFeesIx(pool, config.feeRecipient, undefined, this.programId),
    ]);
  }

  setPause(paused: number): Promise<SendResult> {
    return this.send([setPauseIx(this.walletKey, paused, this.programId)]);
  }

  proposeAdmin(proposed: PublicKey): Promise<SendResult> {
    return this.send([proposeAdminIx(this.walletKey, proposed, this.programId)]);
  }

  acceptAdmin(): Promise<SendResult> {
    return this.send([acceptAdminIx(this.walletKey, this.programId)]);
  }

  setRoles(guardian: PublicKey, feeRecipient: PublicKey): Promise<SendResult> {
    return this.send([setRolesIx(this.walletKey, guardian, feeRecipient, this.programId)]);
  }

  /** Idempotent creation of `owner`'s associated account for a side (paid by the wallet). */
  ensureTokenAccount(pool: PoolContext, owner: PublicKey, side: TradeSide): TransactionInstruction {
    const program = side === "collateral" ? pool.collateralTokenProgram : TOKEN_PROGRAM_ID;
    const mint = sideMint(pool, side);
    return createAssociatedTokenAccountIdempotentInstruction(
      this.walletKey,
      associatedTokenAddress(owner, mint, program),
      owner,
      mint,
      program,
    );
  }

  /** The wallet's token balance for a side (0 when the account does not exist). */
  async balance(pool: PoolContext, side: TradeSide, owner = this.walletKey): Promise<bigint> {
    const account = await this.transport.getAccountInfo(traderAccount(pool, { trader: owner }, side));
    return account ? account.data.readBigUInt64LE(64) : 0n;
  }

  /** Current supply of a mint (SPL Token layout: u64 at byte 36). */
  async supply(mint: PublicKey): Promise<bigint> {
    const account = await this.transport.getAccountInfo(mint);
    if (!account) throw new UserInputError("MintNotFound", `no mint at ${mint.toBase58()}`);
    return account.data.readBigUInt64LE(36);
  }
}

function returnData(simulation: Simulation): Buffer {
  if (!simulation.returnData || simulation.returnData.length === 0) {
    throw new TransactionFailed(
      { name: "NoReturnData", message: "no return data", hint: "the program returned nothing: is the program id right?" },
      simulation.logs,
    );
  }
  return simulation.returnData;
}

export type { Side };
