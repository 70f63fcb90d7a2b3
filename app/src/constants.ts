// Addresses and fixed numbers of the on-chain program (mirrors programs/asymptote/src/constants.rs).
import { PublicKey } from "@solana/web3.js";
import { IDL } from "./generated/asymptote";

export const PROGRAM_ID = new PublicKey(IDL.address);

export const SEEDS = {
  config: "config",
  pool: "pool",
  authority: "authority",
  vault: "vault",
  long: "long",
  short: "short",
  lp: "lp",
  eventAuthority: "__event_authority",
} as const;

export const TOKEN_PROGRAM_ID = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
export const TOKEN_2022_PROGRAM_ID = new PublicKey("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");
export const ASSOCIATED_TOKEN_PROGRAM_ID = new PublicKey(
  "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL",
);
export const BPF_LOADER_UPGRADEABLE_ID = new PublicKey(
  "BPFLoaderUpgradeab1e11111111111111111111111",
);
/** Owner of every `PriceUpdateV2` account (Pyth pull oracle). */
export const PYTH_RECEIVER_PROGRAM_ID = new PublicKey(
  "rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ",
);
/** Writes Pyth's sponsored, continuously updated price feed accounts. */
export const PYTH_PUSH_ORACLE_PROGRAM_ID = new PublicKey(
  "pythWSnswVUd12oZpeFP8e9CVaEqJg25g1Vtc2biRsT",
);
/** Owner program of legacy Pyth price accounts, per cluster (stored in the protocol config). */
export const LEGACY_PYTH_PROGRAM_IDS = {
  devnet: new PublicKey("gSbePebfvPy7tRqimPoVecS2UsBvYv46ynrzWocc92s"),
  mainnet: new PublicKey("FsJ3A3u2vn5cTVofAjvy6y5kwABJAqYWpe4975bi2epH"),
} as const;

/** Collateral inside the program is kept in sub-atoms: atoms x 2^64 (see units.rs). */
export const SUB_ATOM_BITS = 64n;
export const SUB_ATOMS_PER_ATOM = 1n << SUB_ATOM_BITS;
/** Dead shares per side counted by the pool and never minted. */
export const MINIMUM_SUPPLY = 1000n;
/** Oracle prices are normalised to 18 decimals. */
export const PRICE_DECIMALS = 18;
export const BPS = 10_000n;
/** Solana's target slot time is 400 ms: 216,000 slots per day. */
export const SLOTS_PER_DAY = 216_000n;
/** `create_pool` costs about 245k compute units, above the 200k default. */
export const CREATE_POOL_COMPUTE_UNITS = 400_000;

/** Pause bits, one per instruction family. */
export const PAUSE_BITS = {
  createPool: 1 << 0,
  open: 1 << 1,
  close: 1 << 2,
  swap: 1 << 3,
  accrue: 1 << 4,
  collectFees: 1 << 5,
} as const;
export const PAUSE_ALL = (1 << 6) - 1;
export type PauseName = keyof typeof PAUSE_BITS;
