// Funding rates per day, on bigint only. The program charges funding per slot
// (crates/asymptote-math/src/funding.rs, docs/spec.md section 6):
//   interest: the LONG and SHORT coefficients decay by f = decay(t, interest_half_life),
//             so a side on its power branch (r = a x^K) pays 1 - f of its reserve over t;
//             a side on the flat branch pays less, in proportion to its effective leverage;
//   premium:  moves p = floor(D/2) (1 - g) from the larger of LONG/SHORT to the smaller,
//             D = |rA - rB| - 1, g = decay(t, ceil(premium_half_life/2 * R / (rA + rB)));
//   protocol: takes floor(interest / fee_divisor) of the interest.
// `decay` below is the program's own (ABDK exp2 on 64.64, same table and flooring), so a
// rate computed here is what the program would charge over that many idle slots.
import { SLOTS_PER_DAY } from "./constants";

const Q64 = 1n << 64n;

/** 2^(2^-i) x 2^128 - 2^128 for i = 1..64, from shared/vectors/exp2_table.json. */
const FRACTION_FACTORS: readonly bigint[] = [
  0x6a09e667f3bcc908b2fb1366ea957d3en, 0x306fe0a31b7152de8d5a46305c85edecn, 0x172b83c7d517adcdf7c8c50eb14a791fn,
  0x0b5586cf9890f6298b92b71842a98363n, 0x059b0d31585743ae7c548eb68ca417fdn, 0x02c9a3e778060ee6f7caca4f7a29bde8n,
  0x0163da9fb33356d84a66ae336dcdfa3fn, 0x00b1afa5abcbed6129ab13ec11dc9543n, 0x0058c86da1c09ea1ff19d294cf2f679bn,
  0x002c605e2e8cec506d21bfc89a23a00fn, 0x00162f3904051fa128bca9c55c31e5dfn, 0x000b175effdc76ba38e31671ca939725n,
  0x00058ba01fb9f96d6cacd4b180917c3dn, 0x0002c5cc37da9491d0985c348c68e7b3n, 0x000162e525ee054754457d5995292026n,
  0x0000b17255775c040618bf4a4ade83fcn, 0x000058b91b5bc9ae2eed81e9b7d4cfabn, 0x00002c5c89d5ec6ca4d7c8acc017b7c9n,
  0x0000162e43f4f831060e02d839a9d16dn, 0x00000b1721bcfc99d9f890ea06911763n, 0x0000058b90cf1e6d97f9ca14dbcc1628n,
  0x000002c5c863b73f016468f6bac5ca2bn, 0x00000162e430e5a18f6119e3c02282a5n, 0x000000b1721835514b86e6d96efd1bfen,
  0x00000058b90c0b48c6be5df846c5b2efn, 0x0000002c5c8601cc6b9e94213c72737an, 0x000000162e42fff037df38aa2b219f06n,
  0x0000000b17217fba9c739aa5819f44f9n, 0x000000058b90bfcdee5acd3c1cedc823n, 0x00000002c5c85fe31f35a6a30da1be50n,
  0x0000000162e42ff0999ce3541b9fffcfn, 0x00000000b17217f80f4ef5aadda45554n, 0x0000000058b90bfbf8479bd5a81b51adn,
  0x000000002c5c85fdf84bd62ae30a74ccn, 0x00000000162e42fefb2fed257559bdaan, 0x000000000b17217f7d5a7716bba4a9aen,
  0x00000000058b90bfbe9ddbac5e109ccen, 0x0000000002c5c85fdf4b15de6f17eb0dn, 0x000000000162e42fefa494f1478fde05n,
  0x0000000000b17217f7d20cf927c8e94cn, 0x000000000058b90bfbe8f71cb4e4b33dn, 0x00000000002c5c85fdf477b662b26945n,
  0x0000000000162e42fefa3ae53369388cn, 0x00000000000b17217f7d1d351a389d40n, 0x0000000000058b90bfbe8e8b2d3d4eden,
  0x000000000002c5c85fdf4741bea6e77en, 0x00000000000162e42fefa39fe95583c2n, 0x000000000000b17217f7d1cfb72b45e1n,
  0x00000000000058b90bfbe8e7cc35c3f0n, 0x0000000000002c5c85fdf473e242ea38n, 0x000000000000162e42fefa39f02b772cn,
  0x0000000000000b17217f7d1cf7d83c1an, 0x000000000000058b90bfbe8e7bdcbe2en, 0x00000000000002c5c85fdf473dea871fn,
  0x0000000000000162e42fefa39ef44d91n, 0x00000000000000b17217f7d1cf79e949n, 0x0000000000000058b90bfbe8e7bce544n,
  0x000000000000002c5c85fdf473de6ecan, 0x00000000000000162e42fefa39ef366fn, 0x000000000000000b17217f7d1cf79afan,
  0x00000000000000058b90bfbe8e7bcd6dn, 0x0000000000000002c5c85fdf473de6b2n, 0x000000000000000162e42fefa39ef358n,
  0x0000000000000000b17217f7d1cf79abn,
];

/** 2^x for a signed 64.64 exponent `bits` (x = bits / 2^64), Q64 result, the program's rounding. */
export function exp2Q64(bits: bigint): bigint {
  if (bits >= 64n << 64n) throw new RangeError("exp2 overflow");
  if (bits < -(64n << 64n)) return 0n;
  const fraction = BigInt.asUintN(64, bits);
  let result = 1n << 127n;
  for (let i = 0; i < 64; i++) {
    if (fraction & (1n << BigInt(63 - i))) result += (result * FRACTION_FACTORS[i]) >> 128n;
  }
  const integer = bits >> 64n; // floor, also for negative values
  return result >> (63n - integer);
}

/** 2^(-t / halfLife) in Q64, as the program computes it (0 after 64 half-lives). */
export function decayQ64(t: bigint, halfLife: bigint): bigint {
  if (halfLife <= 0n) throw new RangeError("half-life must be positive");
  if (halfLife >= 1n << 128n) return Q64;
  const exponent = (t << 64n) / halfLife;
  if (exponent > 64n << 64n) return 0n;
  return exp2Q64(-exponent);
}

/** Share of a power-branch LONG or SHORT reserve paid as interest over `slots`, in Q64. */
export function interestRateQ64(interestHalfLife: bigint, slots = SLOTS_PER_DAY): bigint {
  return interestHalfLife === 0n ? 0n : Q64 - decayQ64(slots, interestHalfLife);
}

export interface PremiumOverPeriod {
  /** Collateral moved from the larger side to the smaller (same unit as the reserves). */
  amount: bigint;
  payer: "long" | "short" | "none";
  /** `amount` as a share of the payer's reserve, Q64. */
  payerRateQ64: bigint;
  /** `amount` as a share of the receiver's reserve, Q64. */
  receiverRateQ64: bigint;
}

/** Premium over `slots` on the given reserves (R, rA, rB in one unit, e.g. sub-atoms). */
export function premiumOver(
  premiumHalfLife: bigint,
  r: bigint,
  rLong: bigint,
  rShort: bigint,
  slots = SLOTS_PER_DAY,
): PremiumOverPeriod {
  const none: PremiumOverPeriod = { amount: 0n, payer: "none", payerRateQ64: 0n, receiverRateQ64: 0n };
  const gap = rLong > rShort ? rLong - rShort : rShort - rLong;
  if (premiumHalfLife === 0n || gap <= 1n || rLong + rShort === 0n) return none;
  const halfGap = (gap - 1n) >> 1n;
  const halfLife = ceilDiv((premiumHalfLife / 2n) * r, rLong + rShort);
  const g = halfLife === 0n ? 0n : decayQ64(slots, halfLife);
  const amount = halfGap - ceilDiv(halfGap * g, Q64);
  if (amount <= 0n) return none;
  const [payerReserve, receiverReserve] = rLong > rShort ? [rLong, rShort] : [rShort, rLong];
  return {
    amount,
    payer: rLong > rShort ? "long" : "short",
    payerRateQ64: (amount * Q64) / payerReserve,
    receiverRateQ64: receiverReserve === 0n ? 0n : (amount * Q64) / receiverReserve,
  };
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;
