// What the client needs from a cluster. `RpcTransport` talks to a JSON-RPC node; the tests
// plug LiteSVM into the same interface, so the code path is the one users run.
import {
  type Connection,
  type PublicKey,
  VersionedTransaction,
  type AccountInfo,
  type Commitment,
  type GetProgramAccountsFilter,
  type Transaction,
} from "@solana/web3.js";
import { codeFromLogs, explainCode, failingProgram, transactionFailed, TransactionFailed } from "./errors";
import { innerInstructionsOf, type ExecutedInstruction } from "./events";

export interface Blockhash {
  blockhash: string;
  lastValidBlockHeight: number;
}

export interface SentTransaction {
  signature: string;
  logs: string[];
  /** Inner instructions (CPIs), where `emit_cpi!` events live. */
  innerInstructions: ExecutedInstruction[];
  computeUnits?: bigint;
}

export interface Simulation {
  logs: string[];
  returnData: Buffer | null;
  computeUnits?: bigint;
}

export interface Transport {
  getAccountInfo(address: PublicKey): Promise<AccountInfo<Buffer> | null>;
  getMultipleAccountsInfo(addresses: PublicKey[]): Promise<(AccountInfo<Buffer> | null)[]>;
  /** Accounts of a program matching a discriminator (RPC only; in-process runtimes may not index). */
  getProgramAccounts(
    programId: PublicKey,
    filters: GetProgramAccountsFilter[],
  ): Promise<{ pubkey: PublicKey; account: AccountInfo<Buffer> }[]>;
  getLatestBlockhash(): Promise<Blockhash>;
  getSlot(): Promise<bigint>;
  /** Send a signed transaction and wait for confirmation; throws TransactionFailed. */
  sendTransaction(tx: Transaction, blockhash: Blockhash): Promise<SentTransaction>;
  /** Simulate without signatures; throws TransactionFailed when the program refuses. */
  simulateTransaction(tx: Transaction): Promise<Simulation>;
}

/** The program of each top-level instruction, to name a failing instruction's error. */
export const programOfInstruction =
  (tx: Transaction) =>
  (index: number): PublicKey | undefined =>
    tx.instructions[index]?.programId;

export class RpcTransport implements Transport {
  constructor(
    readonly connection: Connection,
    readonly commitment: Commitment = "confirmed",
  ) {}

  getAccountInfo(address: PublicKey) {
    return this.connection.getAccountInfo(address, this.commitment);
  }

  getMultipleAccountsInfo(addresses: PublicKey[]) {
    return this.connection.getMultipleAccountsInfo(addresses, this.commitment);
  }

  async getProgramAccounts(programId: PublicKey, filters: GetProgramAccountsFilter[]) {
    const accounts = await this.connection.getProgramAccounts(programId, { commitment: this.commitment, filters });
    return accounts.map(({ pubkey, account }) => ({ pubkey, account }));
  }

  getLatestBlockhash() {
    return this.connection.getLatestBlockhash(this.commitment);
  }

  async getSlot() {
    return BigInt(await this.connection.getSlot(this.commitment));
  }

  async sendTransaction(tx: Transaction, blockhash: Blockhash): Promise<SentTransaction> {
    const programOf = programOfInstruction(tx);
    let signature: string;
    try {
      signature = await this.connection.sendRawTransaction(tx.serialize(), { preflightCommitment: this.commitment });
    } catch (error) {
      throw preflightFailure(error, programOf);
    }
    const confirmation = await this.connection.confirmTransaction({ signature, ...blockhash }, this.commitment);
    const fetched = await this.connection.getTransaction(signature, {
      commitment: this.commitment === "processed" ? "confirmed" : (this.commitment as "confirmed" | "finalized"),
      maxSupportedTransactionVersion: 0,
    });
    const logs = fetched?.meta?.logMessages ?? [];
    if (confirmation.value.err) throw transactionFailed(confirmation.value.err, logs, programOf);
    return {
      signature,
      logs,
      innerInstructions: fetched ? innerInstructionsOf(fetched) : [],
      computeUnits: fetched?.meta?.computeUnitsConsumed !== undefined ? BigInt(fetched.meta.computeUnitsConsumed) : undefined,
    };
  }

  async simulateTransaction(tx: Transaction): Promise<Simulation> {
    const message = tx.compileMessage();
    const versioned = new VersionedTransaction(message);
    const result = await this.connection.simulateTransaction(versioned, {
      sigVerify: false,
      replaceRecentBlockhash: true,
      commitment: this.commitment,
    });
    const logs = result.value.logs ?? [];
    if (result.value.err) throw transactionFailed(result.value.err, logs, programOfInstruction(tx));
    const returned = result.value.returnData;
    return {
      logs,
      returnData: returned ? Buffer.from(returned.data[0], "base64") : null,
      computeUnits: result.value.unitsConsumed !== undefined ? BigInt(result.value.unitsConsumed) : undefined,
    };
  }
}

/** A preflight refusal (web3.js SendTransactionError) as a named TransactionFailed. */
function preflightFailure(error: unknown, programOf: (i: number) => PublicKey | undefined): unknown {
  const e = error as { logs?: string[]; transactionError?: { logs?: string[] }; message?: string };
  const logs = e.logs ?? e.transactionError?.logs ?? [];
  const message = e.message ?? "";
  const code = codeFromLogs([message, ...logs]);
  if (code !== undefined) {
    const index = /Error processing Instruction (\d+)/.exec(message);
    const instruction = index ? Number(index[1]) : undefined;
    const program = failingProgram(logs, instruction !== undefined ? programOf(instruction) : undefined);
    return new TransactionFailed(explainCode(code, program), logs, instruction, error);
  }
  const named = /Transaction simulation failed: (?:Error processing Instruction \d+: )?(.+)$/m.exec(message);
  if (named) return transactionFailed(pascal(named[1]), logs, programOf);
  return error;
}

/** "Attempt to debit an account but found no record of a prior credit." -> AccountNotFound. */
function pascal(text: string): string {
  if (/no record of a prior credit/i.test(text)) return "AccountNotFound";
  if (/Blockhash not found/i.test(text)) return "BlockhashNotFound";
  if (/insufficient funds for fee/i.test(text)) return "InsufficientFundsForFee";
  if (/insufficient funds for rent/i.test(text)) return "InsufficientFundsForRent";
  if (/already been processed/i.test(text)) return "AlreadyProcessed";
  return text.replace(/[^A-Za-z ]/g, "").replace(/(?:^| )(\w)/g, (_, c: string) => c.toUpperCase());
}
