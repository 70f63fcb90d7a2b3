// A running protocol in LiteSVM for the end-to-end tests: config, a collateral mint, a Pyth
// pull price account, helpers to fund users and move prices.
import {
  createAssociatedTokenAccountIdempotentInstruction,
  createInitializeMint2Instruction,
  createMintToInstruction,
  getAssociatedTokenAddressSync,
  MINT_SIZE,
} from "@solana/spl-token";
import { Keypair, type PublicKey, SystemProgram } from "@solana/web3.js";
import {
  AsymptoteClient,
  encodePriceUpdateV2,
  keypairWallet,
  PYTH_RECEIVER_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
} from "../../src";
import { airdrop, setAccount, startRuntime, type LiteSvmTransport } from "./litesvm";

export const FEED_ID = new Uint8Array(32).fill(7);
export const DECIMALS = 6;
export const EXPONENT = -8;

export class Fixture {
  readonly svm;
  readonly transport: LiteSvmTransport;
  readonly admin: Keypair;
  readonly guardian = Keypair.generate();
  readonly feeRecipient = Keypair.generate();
  readonly legacyPythProgram = Keypair.generate().publicKey;
  readonly mintAuthority = Keypair.generate();
  readonly oracle = Keypair.generate().publicKey;
  mint!: PublicKey;

  constructor() {
    const { svm, transport, upgradeAuthority } = startRuntime();
    this.svm = svm;
    this.transport = transport;
    this.admin = upgradeAuthority;
    for (const k of [this.guardian, this.feeRecipient, this.mintAuthority]) airdrop(svm, k.publicKey, 10_000_000_000n);
  }

  client(signer: Keypair): AsymptoteClient {
    return new AsymptoteClient(this.transport, keypairWallet(signer));
  }

  async createMint(decimals = DECIMALS): Promise<PublicKey> {
    const mint = Keypair.generate();
    const rent = this.svm.minimumBalanceForRentExemption(BigInt(MINT_SIZE));
    await this.client(this.mintAuthority).send(
      [
        SystemProgram.createAccount({
          fromPubkey: this.mintAuthority.publicKey,
          newAccountPubkey: mint.publicKey,
          lamports: Number(rent),
          space: MINT_SIZE,
          programId: TOKEN_PROGRAM_ID,
        }),
        createInitializeMint2Instruction(mint.publicKey, decimals, this.mintAuthority.publicKey, null),
      ],
      [mint],
    );
    this.mint = mint.publicKey;
    return mint.publicKey;
  }

  /** A funded user holding `atoms` of collateral in their associated account. */
  async user(atoms: bigint): Promise<Keypair> {
    const user = Keypair.generate();
    this.fund(user.publicKey);
    const ata = getAssociatedTokenAddressSync(this.mint, user.publicKey);
    await this.client(this.mintAuthority).send([
      createAssociatedTokenAccountIdempotentInstruction(this.mintAuthority.publicKey, ata, user.publicKey, this.mint),
      createMintToInstruction(this.mint, ata, this.mintAuthority.publicKey, atoms),
    ]);
    return user;
  }

  /** Post a calm price (EMA = spot, confidence 0.05 %) published now, exponent -8. */
  postPrice(price: bigint, publishTime = this.svm.getClock().unixTimestamp): void {
    const data = encodePriceUpdateV2({
      writeAuthority: this.admin.publicKey,
      verificationLevel: { kind: "full" },
      priceMessage: {
        feedId: FEED_ID,
        price,
        conf: price / 2000n,
        exponent: EXPONENT,
        publishTime,
        prevPublishTime: publishTime - 1n,
        emaPrice: price,
        emaConf: price / 2000n,
      },
      postedSlot: this.svm.getClock().slot,
    });
    setAccount(this.svm, this.oracle, { lamports: 10_000_000, data, owner: PYTH_RECEIVER_PROGRAM_ID, executable: false });
  }

  fund(to: PublicKey, amount = 10_000_000_000n): void {
    airdrop(this.svm, to, amount);
  }

  /** A funded keypair with no tokens. */
  keypair(): Keypair {
    const k = Keypair.generate();
    this.fund(k.publicKey);
    return k;
  }

  async tokenBalance(owner: PublicKey, mint: PublicKey): Promise<bigint> {
    const account = await this.transport.getAccountInfo(getAssociatedTokenAddressSync(mint, owner));
    return account ? account.data.readBigUInt64LE(64) : 0n;
  }
}
