// LiteSVM (in-process Solana runtime, npm `litesvm`) behind the client's Transport
// interface, plus the deployment the program needs: the .so under the upgradeable loader
// with our key as upgrade authority (initialize_config checks ProgramData), as
// tests/src/env.rs does for its SBF mode. litesvm 1.x speaks @solana/kit types; the client
// speaks web3.js 1.x, so transactions cross as wire bytes and keys as base58.
// (litesvm 0.7/0.8, the web3.js-1 builds, abort the process with std::bad_alloc shortly
// after running this program; 1.5 does not.)
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { address, getTransactionDecoder, lamports, type Address } from "@solana/kit";
import { type Clock, FailedTransactionMetadata, LiteSVM, type TransactionMetadata } from "litesvm";
import { Keypair, PublicKey, type AccountInfo, type GetProgramAccountsFilter, type Transaction } from "@solana/web3.js";
import { utils } from "@anchor-lang/core";
import {
  BPF_LOADER_UPGRADEABLE_ID,
  PROGRAM_ID,
  explainCode,
  explainRuntime,
  failingProgram,
  programDataAddress,
  programOfInstruction,
  TransactionFailed,
  type Blockhash,
  type ExecutedInstruction,
  type SentTransaction,
  type Simulation,
  type Transport,
} from "../../src";

export const DEFAULT_SO_PATH = join(__dirname, "..", "..", "..", "target", "deploy", "asymptote.so");
export const soPath = (): string => process.env.ASYMPTOTE_SO ?? DEFAULT_SO_PATH;
export const soExists = (): boolean => existsSync(soPath());

if (!soExists()) {
  console.error(
    `\n!!! SKIPPING the LiteSVM end-to-end tests: ${soPath()} does not exist.` +
      "\n!!! Build it with scripts/build-sbf, or point ASYMPTOTE_SO at the program's .so.\n",
  );
}

/** `UpgradeableLoaderState::ProgramData { slot: 0, upgrade_authority: Some(authority) }` ++ ELF. */
function programDataAccount(authority: PublicKey, elf: Buffer): Buffer {
  const header = Buffer.alloc(45);
  header.writeUInt32LE(3, 0);
  header.writeBigUInt64LE(0n, 4);
  header.writeUInt8(1, 12);
  authority.toBuffer().copy(header, 13);
  return Buffer.concat([header, elf]);
}

export const kitAddress = (key: PublicKey): Address => address(key.toBase58());

/** Write an account (web3.js shape) into the runtime. */
export function setAccount(svm: LiteSVM, key: PublicKey, account: AccountInfo<Uint8Array>): void {
  svm.setAccount({
    address: kitAddress(key),
    data: Uint8Array.from(account.data),
    executable: account.executable,
    lamports: lamports(BigInt(account.lamports)),
    programAddress: kitAddress(account.owner),
    space: BigInt(account.data.length),
  });
}

export function deployProgram(svm: LiteSVM, upgradeAuthority: PublicKey, elf: Buffer, programId = PROGRAM_ID): void {
  const programData = programDataAddress(programId);
  setAccount(svm, programData, {
    lamports: 1_000_000_000_000,
    data: programDataAccount(upgradeAuthority, elf),
    owner: BPF_LOADER_UPGRADEABLE_ID,
    executable: false,
  });
  const program = Buffer.alloc(36);
  program.writeUInt32LE(2, 0);
  programData.toBuffer().copy(program, 4);
  setAccount(svm, programId, { lamports: 1_000_000_000, data: program, owner: BPF_LOADER_UPGRADEABLE_ID, executable: true });
}

const decodeTransaction = (tx: Transaction) => getTransactionDecoder().decode(tx.serialize({ verifySignatures: false }));

export class LiteSvmTransport implements Transport {
  constructor(readonly svm: LiteSVM) {}

  async getAccountInfo(key: PublicKey): Promise<AccountInfo<Buffer> | null> {
    const account = this.svm.getAccount(kitAddress(key));
    if (!account.exists || (account.lamports === 0n && account.data.length === 0)) return null;
    return {
      lamports: Number(account.lamports),
      data: Buffer.from(account.data),
      owner: new PublicKey(account.programAddress),
      executable: account.executable,
    };
  }

  async getMultipleAccountsInfo(addresses: PublicKey[]) {
    return Promise.all(addresses.map((a) => this.getAccountInfo(a)));
  }

  async getProgramAccounts(programId: PublicKey, filters: GetProgramAccountsFilter[]) {
    const matches = (data: Buffer) =>
      filters.every((f) => {
        if (!("memcmp" in f)) return data.length === f.dataSize;
        const bytes = Buffer.from(utils.bytes.bs58.decode(f.memcmp.bytes));
        return data.subarray(f.memcmp.offset, f.memcmp.offset + bytes.length).equals(bytes);
      });
    return this.svm
      .getProgramAccounts(kitAddress(programId))
      .map((a) => ({
        pubkey: new PublicKey(a.address),
        account: { lamports: Number(a.lamports), data: Buffer.from(a.data), owner: programId, executable: a.executable },
      }))
      .filter((a) => matches(a.account.data));
  }

  async getLatestBlockhash(): Promise<Blockhash> {
    return { blockhash: this.svm.latestBlockhash(), lastValidBlockHeight: 0 };
  }

  async getSlot(): Promise<bigint> {
    return this.svm.getClock().slot;
  }

  async sendTransaction(tx: Transaction): Promise<SentTransaction> {
    const result = this.svm.sendTransaction(decodeTransaction(tx));
    // A new blockhash per transaction, as on a cluster: resending the same instruction
    // (a retry after a refusal) is then a new transaction, not a duplicate.
    this.svm.expireBlockhash();
    if (result instanceof FailedTransactionMetadata) throw failure(result, tx);
    return {
      signature: Buffer.from(result.signature()).toString("hex"),
      logs: result.logs(),
      innerInstructions: innerInstructions(result, tx),
      computeUnits: result.computeUnitsConsumed(),
    };
  }

  async simulateTransaction(tx: Transaction): Promise<Simulation> {
    // Quotes are simulated unsigned, as an RPC node does with sigVerify: false.
    this.svm.withSigverify(false);
    let result;
    try {
      result = this.svm.simulateTransaction(decodeTransaction(tx));
    } finally {
      this.svm.withSigverify(true);
    }
    if (result instanceof FailedTransactionMetadata) throw failure(result, tx);
    const meta = result.meta();
    return { logs: meta.logs(), returnData: Buffer.from(meta.returnData().data()), computeUnits: meta.computeUnitsConsumed() };
  }

  /** Move the clock forward by `slots`, 0.4 s per slot, and expire the blockhash. */
  advance(slots: bigint): Clock {
    const clock = this.svm.getClock();
    clock.slot += slots;
    clock.unixTimestamp += (slots * 2n) / 5n;
    this.svm.setClock(clock);
    this.svm.expireBlockhash();
    return clock;
  }
}

function innerInstructions(meta: TransactionMetadata, tx: Transaction): ExecutedInstruction[] {
  const keys = tx.compileMessage().accountKeys;
  return meta
    .innerInstructions()
    .flat()
    .map((inner) => {
      const compiled = inner.instruction();
      return { programId: keys[compiled.programIdIndex()], data: compiled.data() };
    });
}

/**
 * LiteSVM's failure as the client's named TransactionFailed. The error is read from the
 * result's text form: calling `err()` on a FailedTransactionMetadata and letting the
 * objects it returns be garbage-collected aborted the process (std::bad_alloc) here.
 */
function failure(result: FailedTransactionMetadata, tx: Transaction): TransactionFailed {
  const text = result.toString();
  const logs = result.meta().logs();
  const custom = /err: InstructionError\((\d+), Custom\((\d+)\)\)/.exec(text);
  if (custom) {
    const index = Number(custom[1]);
    const program = failingProgram(logs, programOfInstruction(tx)(index));
    return new TransactionFailed(explainCode(Number(custom[2]), program), logs, index);
  }
  const instruction = /err: InstructionError\((\d+), (\w+)/.exec(text);
  if (instruction) return new TransactionFailed(explainRuntime(instruction[2]), logs, Number(instruction[1]));
  const other = /err: (\w+)/.exec(text);
  return new TransactionFailed(explainRuntime(other ? other[1] : "TransactionError"), logs);
}

export function airdrop(svm: LiteSVM, to: PublicKey, amount: bigint): void {
  svm.airdrop(kitAddress(to), lamports(amount));
}

/** A fresh runtime with SPL Token / Token-2022 / ATA and the program deployed. */
export function startRuntime(): { svm: LiteSVM; transport: LiteSvmTransport; upgradeAuthority: Keypair } {
  const svm = new LiteSVM();
  const upgradeAuthority = Keypair.generate();
  deployProgram(svm, upgradeAuthority.publicKey, readFileSync(soPath()));
  airdrop(svm, upgradeAuthority.publicKey, 100_000_000_000n);
  const clock = svm.getClock();
  clock.slot = 1_000n;
  clock.unixTimestamp = 1_700_000_000n;
  svm.setClock(clock);
  return { svm, transport: new LiteSvmTransport(svm), upgradeAuthority };
}
