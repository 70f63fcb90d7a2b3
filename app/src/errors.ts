// Every way a transaction can fail, named, with what the user should do about it.
// Program errors come from the IDL (codes 6000+); each has a hint below (a test checks that
// none is missing). Anchor's framework errors come from @anchor-lang/core's own table.
import { LangErrorCode, LangErrorMessage } from "@anchor-lang/core";
import { PublicKey } from "@solana/web3.js";
import { PROGRAM_ID, PYTH_RECEIVER_PROGRAM_ID, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from "./constants";
import { IDL } from "./generated/asymptote";

/** What to do, per Asymptote error name. */
export const PROGRAM_ERROR_HINTS: Record<string, string> = {
  MathDivisionByZero: "the pool math hit a division by zero; report the pool and transaction to the maintainers",
  MathOverflow: "an amount is too large for the pool math; try a smaller amount",
  MathUnderflow: "the pool math underflowed; try a smaller amount, or report the transaction",
  InvalidPower: "K must be between 1 and 16",
  InvalidMark: "MARK must be positive (0 at creation takes the oracle price)",
  PremiumHalfLifeOne: "use a premium half-life of 0 (off) or at least 2 slots",
  InvalidOpenRate: "the opening fee must be between 0 and 10 %",
  InvalidSkewConfig: "lower the skew lambda or cap to within their bounds",
  ZeroPrice: "the oracle returned a zero price; wait for a valid price",
  ClockWentBackwards: "the cluster clock is behind the pool's timers; retry in a few slots",
  SameSide: "choose two different sides",
  ZeroAmount: "enter an amount above zero",
  InitialReserveTooSmall: "deposit more, or give every side a larger initial share",
  MinimumSupply: "you are trying to burn more tokens than the pool can release; close a smaller amount",
  MinimumReserve: "the receiving side would be left with too little; trade a larger amount",
  SideExhausted: "this side's reserve reached 0 after an extreme price and cannot take new value; trade another side",
  LongReserveDecreased: "the trade would take value from LONG holders; trade a smaller amount or retry after a price update",
  ShortReserveDecreased: "the trade would take value from SHORT holders; trade a smaller amount or retry after a price update",
  LpReserveDecreased: "the trade would take value from LPs; trade a smaller amount",
  CollateralIncreased: "this token input cannot raise the pool's collateral; check the sides",
  InputSideNotReduced: "the input is too small to be worth a unit of collateral; trade a larger amount",
  Insolvent: "the trade would leave the pool insolvent; trade a smaller amount",
  SkewCapExceeded: "the pool is too imbalanced for this trade; trade a smaller amount or the other side",
  InputTooSmall: "the amount cannot buy a single unit; trade a larger amount",
  InvalidPoolParameter: "a pool parameter is out of bounds (K 1..16, half-lives <= 800,000,000 slots, fee <= 10 %, fee divisor <= 100); see the README",
  InvalidOracleParameter: "an oracle limit is out of bounds (max age 1..3600 s pull / 1..9000 slots legacy, 0 < open conf <= close conf <= 20 %, 0 < EMA divergence <= 50 %)",
  DepositTooSmall: "the initial deposit must be at least 1,000,000 atoms of collateral",
  InvalidSide: "open and close take long, short or lp; swap takes two of them",
  SlippageExceeded: "the price moved: quote again, or allow more slippage (--slippage-bps / --min-out)",
  MaxInputExceeded: "the trade would cost more than your maximum; quote again",
  Expired: "the transaction landed after its expiry slot; send it again",
  ZeroOutput: "the trade would pay out nothing; trade a larger amount",
  AmountTooLarge: "the amount does not fit in 64 bits; use a smaller amount",
  NotUpgradeAuthority: "initialize_config must be signed by the program's upgrade authority (the deploy wallet)",
  NotAdmin: "sign with the protocol admin's wallet (see `asymptote config`)",
  NotAdminOrGuardian: "sign with the admin's or the guardian's wallet (see `asymptote config`)",
  GuardianCannotUnpause: "the guardian may only add pause bits; ask the admin to unpause",
  NotPendingAdmin: "sign with the wallet that was proposed as the new admin",
  NoPendingAdmin: "the admin must propose a new admin first",
  InvalidPauseBits: "use only the known pause flags: create-pool, open, close, swap, accrue, collect-fees",
  Paused: "this operation is paused by the protocol; wait for the admin to unpause it (see `asymptote config`)",
  WrongMint: "a token account or mint does not belong to this pool's side; check the pool address and side",
  UnsupportedMintExtension: "this Token-2022 collateral mint has an extension the program refuses (only metadata and group extensions are allowed)",
  CollateralShortfall: "the vault received less than you paid (transfer fee?); this collateral cannot be used",
  VaultBelowBooks: "the pool's vault does not cover its books; stop and report the pool to the maintainers",
  NothingToCollect: "no whole atom of protocol fees is owed yet; try later",
  OracleWrongOwner: "the oracle account is not a Pyth account; pass the pool's price feed account (--oracle)",
  OracleWrongAccount: "pass the pool's own legacy Pyth price account (see `asymptote pool`)",
  OracleInvalidData: "the oracle account is not a Pyth price update; pass the pool's price feed account (--oracle)",
  OracleWrongFeed: "the price update is for another feed; pass an update for the pool's feed id (see `asymptote pool`)",
  OracleNotFullyVerified: "post a fully verified price update (not a partially verified one)",
  OracleStale: "the oracle price is too old; post a fresh price update (or wait for the feed to update) and retry",
  OracleFromFuture: "the price's publish time is ahead of the cluster clock; retry in a few seconds",
  OracleNotMonotonic: "the price update is older than one this pool already used; use a newer update",
  OracleNotTrading: "the legacy Pyth feed is not trading (market closed or halted); retry when it trades",
  OracleNonPositive: "the oracle price is zero or negative; wait for a valid price",
  OracleExponentOutOfRange: "this feed's exponent is not supported (must be -18..0); use another feed",
  OracleConfidenceTooWide: "the oracle's confidence interval is too wide right now; retry when the market is calmer",
  OracleEmaDivergence: "spot is too far from its EMA for opening; retry later or close instead",
  OracleNoFallbackPrice: "the pool never recorded a valid price; post a fresh price update",
};

/** Hints for the Anchor framework errors a user can cause. */
const ANCHOR_HINTS: Partial<Record<keyof typeof LangErrorCode, string>> = {
  InstructionFallbackNotFound: "the program does not know this instruction: is the program id or the deployed version right?",
  InstructionDidNotDeserialize: "the instruction data does not match the deployed program: update the client or the program",
  AccountNotInitialized: "an account does not exist yet: check the pool address, or create your token account first",
  AccountOwnedByWrongProgram: "an account belongs to another program: check the addresses (mint, token account, oracle)",
  AccountDiscriminatorMismatch: "an account has the wrong type: check the pool / config address",
  AccountNotEnoughKeys: "the instruction is missing accounts: update the client",
  AccountDidNotDeserialize: "an account could not be decoded: is the program version right?",
  ConstraintTokenOwner: "the token account is not owned by the signer: use your own token account",
  ConstraintTokenMint: "the token account is for another mint: use an account of the pool's mint",
  ConstraintAddress: "an account is not the one the program expects: check the pool, config and program id",
  ConstraintSeeds: "a derived address does not match: check the pool address and the program id",
  ConstraintHasOne: "an account does not belong to this pool: check the pool address",
  ConstraintSigner: "a required signature is missing: sign with the right wallet",
  ConstraintMut: "an account must be writable: update the client",
  ConstraintRaw: "an account failed a constraint: check the addresses",
  AccountNotSigner: "a required signature is missing: sign with the right wallet",
  InvalidProgramId: "a program account is wrong (SPL Token vs Token-2022?): check the collateral's token program",
  ConstraintMintTokenProgram: "the mint belongs to another token program: check the collateral's token program",
  ConstraintTokenTokenProgram: "the token account belongs to another token program",
  RequireKeysEqViolated: "an account does not match: check the addresses",
  DeclaredProgramIdMismatch: "the deployed program's id differs from the client's: pass --program-id",
};

/** Errors of Pyth's receiver program (rec5EK...), in the order of its error.rs. */
const PYTH_RECEIVER_ERRORS = [
  "InvalidWormholeMessage",
  "DeserializeMessageFailed",
  "InvalidPriceUpdate",
  "UnsupportedMessageType",
  "InvalidDataSource",
  "InsufficientFunds",
  "WrongWriteAuthority",
  "WrongVaaOwner",
  "DeserializeVaaFailed",
  "InsufficientGuardianSignatures",
  "InvalidVaaVersion",
  "GuardianSetMismatch",
  "InvalidGuardianOrder",
  "InvalidGuardianIndex",
  "InvalidSignature",
  "InvalidGuardianKeyRecovery",
  "WrongGuardianSetOwner",
  "InvalidGuardianSetPda",
  "GuardianSetExpired",
];
/** Pyth SDK `GetPriceError`, raised by programs that read through the SDK (offset 10000 + Anchor's 6000). */
const PYTH_SDK_ERRORS = [
  "PriceTooOld",
  "MismatchedFeedId",
  "InsufficientVerificationLevel",
  "FeedIdMustBe32Bytes",
  "FeedIdNonHexCharacter",
];

/** SPL Token (and Token-2022) error codes a trader can cause. */
const TOKEN_ERRORS: Record<number, [string, string]> = {
  0: ["NotRentExempt", "the account needs more SOL for rent"],
  1: ["InsufficientFunds", "your token balance is too low for this amount"],
  3: ["MintMismatch", "the token account is for another mint"],
  4: ["OwnerMismatch", "the token account is not yours"],
  17: ["AccountFrozen", "the token account is frozen"],
};

export interface ExplainedError {
  /** Error name, e.g. `SlippageExceeded`. */
  name: string;
  /** Numeric code when the failure was a custom program error. */
  code?: number;
  /** The program's own message, when it has one. */
  message: string;
  /** What to do about it. */
  hint: string;
}

/** The IDL here is camelCased (as Anchor's TS types are); error names are PascalCase in Rust. */
const pascalCase = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);
export const PROGRAM_ERRORS = new Map<number, { name: string; msg: string }>(
  IDL.errors.map((e) => [e.code as number, { name: pascalCase(e.name), msg: e.msg }]),
);
const ANCHOR_NAMES = new Map(
  Object.entries(LangErrorCode).map(([name, code]) => [code, name as keyof typeof LangErrorCode]),
);

/** Name and hint of a custom error code raised by `program` (Asymptote when omitted). */
export function explainCode(code: number, program: PublicKey = PROGRAM_ID): ExplainedError {
  if (program.equals(TOKEN_PROGRAM_ID) || program.equals(TOKEN_2022_PROGRAM_ID)) {
    const [name, hint] = TOKEN_ERRORS[code] ?? [`TokenError${code}`, "the token program refused the transfer"];
    return { name, code, message: name, hint };
  }
  if (program.equals(PYTH_RECEIVER_PROGRAM_ID)) {
    const name = PYTH_RECEIVER_ERRORS[code - 6000] ?? `PythReceiverError${code}`;
    return { name, code, message: name, hint: "Pyth's receiver refused the price update: fetch a fresh update from Hermes and post it again" };
  }
  const programError = PROGRAM_ERRORS.get(code);
  if (programError && program.equals(PROGRAM_ID)) {
    return {
      name: programError.name,
      code,
      message: programError.msg,
      hint: PROGRAM_ERROR_HINTS[programError.name] ?? programError.msg,
    };
  }
  const anchorName = ANCHOR_NAMES.get(code);
  if (anchorName) {
    return {
      name: anchorName,
      code,
      message: LangErrorMessage.get(code) ?? anchorName,
      hint: ANCHOR_HINTS[anchorName] ?? LangErrorMessage.get(code) ?? "check the accounts and the program version",
    };
  }
  const sdkName = PYTH_SDK_ERRORS[code - 16000];
  if (sdkName) {
    return { name: sdkName, code, message: sdkName, hint: "post a fresh, fully verified price update for the right feed" };
  }
  return { name: `Custom${code}`, code, message: `custom program error ${code}`, hint: "unknown error code; see the transaction logs" };
}

/** A transaction the cluster (or the in-process runtime) refused. */
export class TransactionFailed extends Error {
  readonly explained: ExplainedError;
  constructor(
    explained: ExplainedError,
    readonly logs: string[],
    readonly instructionIndex?: number,
    readonly raw?: unknown,
  ) {
    super(`${explained.name}: ${explained.hint}`);
    this.name = "TransactionFailed";
    this.explained = explained;
  }
}

/** Runtime errors that are not custom codes (a `TransactionError` or an `InstructionError` name). */
const RUNTIME_HINTS: Record<string, string> = {
  AccountNotFound: "the fee payer has no SOL on this cluster: fund the wallet (devnet: `solana airdrop 1`)",
  InsufficientFundsForFee: "the wallet cannot pay the fee: add SOL",
  InsufficientFundsForRent: "the wallet cannot pay the rent of new accounts: add SOL",
  BlockhashNotFound: "the blockhash expired before the transaction landed: send it again",
  AlreadyProcessed: "this exact transaction was already processed",
  ComputationalBudgetExceeded: "the transaction ran out of compute units: raise the compute-unit limit",
  ProgramFailedToComplete: "the program ran out of compute units: raise the compute-unit limit",
  MissingRequiredSignature: "a required signature is missing: sign with the right wallet",
  InvalidAccountData: "an account has unexpected data: check the addresses",
  IncorrectProgramId: "an account belongs to another program: check the addresses",
  AccountAlreadyInitialized: "the account already exists (pool with this nonce, or the config)",
  ProgramAccountNotFound: "the program is not deployed on this cluster: check --cluster and --program-id",
};

export function explainRuntime(name: string): ExplainedError {
  return { name, message: name, hint: RUNTIME_HINTS[name] ?? "the runtime refused the transaction; see the logs" };
}

/**
 * The program that raised the error: the first `Program <id> failed` line of the logs, the
 * innermost one (a token program refusing a CPI fails before the Asymptote instruction
 * that called it, which then fails with the same code).
 */
export function failingProgram(logs: string[], fallback: PublicKey | undefined): PublicKey | undefined {
  for (const line of logs) {
    const match = /^Program (\w{32,44}) failed/.exec(line);
    if (match) {
      try {
        return new PublicKey(match[1]);
      } catch {
        return fallback;
      }
    }
  }
  return fallback;
}

/**
 * Turn a transaction error value (RPC JSON: `{ InstructionError: [i, { Custom: n }] }`, or a
 * plain string) into a TransactionFailed, using the failing instruction's program.
 */
export function transactionFailed(
  err: unknown,
  logs: string[],
  programOf: (instructionIndex: number) => PublicKey | undefined,
): TransactionFailed {
  if (typeof err === "string") return new TransactionFailed(explainRuntime(err), logs, undefined, err);
  if (err && typeof err === "object" && "InstructionError" in err) {
    const [index, inner] = (err as { InstructionError: [number, unknown] }).InstructionError;
    if (inner && typeof inner === "object" && "Custom" in inner) {
      const code = Number((inner as { Custom: number }).Custom);
      const program = failingProgram(logs, programOf(index)) ?? PROGRAM_ID;
      return new TransactionFailed(explainCode(code, program), logs, index, err);
    }
    const name = typeof inner === "string" ? inner : Object.keys(inner ?? {})[0] ?? "InstructionError";
    return new TransactionFailed(explainRuntime(name), logs, index, err);
  }
  const name = err && typeof err === "object" ? Object.keys(err)[0] ?? "TransactionError" : "TransactionError";
  return new TransactionFailed(explainRuntime(name), logs, undefined, err);
}

/** The custom error code in a program's logs, when only logs are available. */
export function codeFromLogs(logs: string[]): number | undefined {
  for (const line of logs) {
    const match = /custom program error: 0x([0-9a-f]+)/i.exec(line);
    if (match) return parseInt(match[1], 16);
  }
  return undefined;
}
