// `emit_cpi!` events: the program invokes itself with data = EVENT_IX_TAG_LE ++ event
// discriminator ++ borsh(event), signed by its event authority. An indexer finds them among
// the transaction's inner instructions (logs may be truncated; inner instructions are not).
import { createHash } from "node:crypto";
import type { IdlEvents } from "@anchor-lang/core";
import { utils } from "@anchor-lang/core";
import { type PublicKey, type VersionedTransactionResponse } from "@solana/web3.js";
import { coder, toBigints, type Bigints } from "./coder";
import { PROGRAM_ID } from "./constants";
import type { Asymptote } from "./generated/asymptote";

/**
 * anchor-lang's `EVENT_IX_TAG_LE`: the u64 `0x1d9acb512ea545e4` (the first 8 bytes of
 * sha256("anchor:event") read big-endian) written little-endian, i.e. those bytes reversed.
 */
export const EVENT_IX_TAG = Buffer.from(
  createHash("sha256").update("anchor:event").digest().subarray(0, 8),
).reverse();

type Events = IdlEvents<Asymptote>;
export type EventName = Extract<keyof Events, string>;
/** A decoded event: `name` narrows `data`. Amounts are bigint. */
export type AsymptoteEvent = { [N in EventName]: { name: N; data: Bigints<Events[N]> } }[EventName];

/** One instruction executed inside a transaction (top-level or CPI). */
export interface ExecutedInstruction {
  programId: PublicKey;
  data: Uint8Array;
}

/** Decode one self-invocation's data; null when it is not an event of this program. */
export function decodeEventInstruction(data: Uint8Array): AsymptoteEvent | null {
  const bytes = Buffer.from(data);
  if (bytes.length < 16 || !bytes.subarray(0, 8).equals(EVENT_IX_TAG)) return null;
  const decoded = coder.events.decode(bytes.subarray(8).toString("base64"));
  if (!decoded) return null;
  const fields: unknown = decoded.data;
  return { name: String(decoded.name), data: toBigints(fields) } as AsymptoteEvent;
}

/** Every Asymptote event among a transaction's inner instructions, in execution order. */
export function parseEvents(instructions: ExecutedInstruction[], programId = PROGRAM_ID): AsymptoteEvent[] {
  const events: AsymptoteEvent[] = [];
  for (const ix of instructions) {
    if (!ix.programId.equals(programId)) continue;
    const event = decodeEventInstruction(ix.data);
    if (event) events.push(event);
  }
  return events;
}

/** The inner instructions of a fetched transaction (`connection.getTransaction`). */
export function innerInstructionsOf(tx: VersionedTransactionResponse): ExecutedInstruction[] {
  const keys = tx.transaction.message.getAccountKeys({ accountKeysFromLookups: tx.meta?.loadedAddresses });
  const out: ExecutedInstruction[] = [];
  for (const group of tx.meta?.innerInstructions ?? []) {
    for (const ix of group.instructions) {
      const programId = keys.get(ix.programIdIndex);
      if (programId) out.push({ programId, data: utils.bytes.bs58.decode(ix.data) });
    }
  }
  return out;
}

/** Events of a fetched transaction: what an indexer calls for each signature of the program. */
export function eventsOfTransaction(tx: VersionedTransactionResponse, programId = PROGRAM_ID): AsymptoteEvent[] {
  return parseEvents(innerInstructionsOf(tx), programId);
}
