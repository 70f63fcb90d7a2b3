#!/usr/bin/env python3
"""Generate vectors/derion_worked_examples.json (asymptote-vectors/1) from the worked,
EVM-verified numbers of derion-math.md section 9. Exact integers only.

Every expected number is copied from the document; the only computations are the prices
(MARK * m for the linear oracle, floor(sqrt(3000 m) * 2^128) by exact integer square root
for the sqrt oracle) and, where a funding step is observed through an LP deposit of X, the
stated R or rC after funding plus X.

usage: scripts/gen_worked_vectors.py [OUT]   (default: vectors/derion_worked_examples.json)
"""

import json
import math
import os
import sys

Q128 = 1 << 128
E18 = 10**18

# Section 9 preamble: R = 1000e18, a = b = v(Q128, floor(R/3), R).
R0 = 1000 * E18
A0 = 333333333333333333333
B0 = 333333333333333333334
THIRD = 333333333333333333333  # rA = rB at MARK; also sA = sB
THIRD_LP = 333333333333333333334  # rC at MARK; also sC
DAY = 86400
INTEREST_HL = 99813195  # section 9.3
PREMIUM_HL = 998132  # section 9.4

# S1: linear oracle, MARK = 3000 * 2^128, price = MARK * m.
MARK_S1 = 3000 * Q128


def s1(num, den=1):
    """MARK_S1 * num / den, exact for the moves used here."""
    assert (MARK_S1 * num) % den == 0
    return MARK_S1 * num // den


# S2/S3: sqrt oracle, MARK = floor(sqrt(3000) * 2^128), price = floor(sqrt(3000 m) * 2^128).
MARK_SQRT = math.isqrt(3000 * Q128 * Q128)
assert MARK_SQRT == 18638032828384775282319963703418886257025  # as stated in section 9.1


def sqrt_price(num, den=1):
    """floor(sqrt(3000 * num / den) * 2^128), with 3000 * num / den an integer."""
    assert (3000 * num) % den == 0
    return math.isqrt(3000 * num // den * Q128 * Q128)


MOVES = {  # name: (num, den) of m
    "0%": (1, 1),
    "+10%": (11, 10),
    "-10%": (9, 10),
    "+50%": (3, 2),
    "-50%": (1, 2),
}

# Section 9.1, S1 table (S2 gives the same numbers to the wei): (rA, rB, rC).
S1_TABLE = {
    "0%": (333333333333333333333, 333333333333333333333, 333333333333333333334),
    "+10%": (403333333333333333332, 275482093663911845730, 321184573002754820938),
    "-10%": (269999999999999999999, 411522633744855967079, 318477366255144032922),
    "+50%": (666666666666666666666, 148148148148148148148, 185185185185185185186),
    "-50%": (83333333333333333333, 812500000000000000000, 104166666666666666667),
}

# Section 9.1, S3 table (K = 8, sqrt oracle): (rA, rB, rC).
S3_TABLE = {
    "+10%": (488033333333333333332, 227671151788356897297, 284295514878309769371),
    "-10%": (218699999999999999999, 507925000000000000000, 273375000000000000001),
    "+50%": (851851851851851851851, 65843621399176954732, 82304526748971193417),
    "-50%": (20833333333333333333, 953125000000000000000, 26041666666666666667),
}


def config(k, mark, interest_hl=0, premium_hl=0):
    return {
        "k": k,
        "mark": str(mark),
        "interest_hl": interest_hl,
        "premium_hl": premium_hl,
        "open_rate": str(Q128),
        "fee_divisor": 5,
    }


def reserves(r_long, r_short, r_lp):
    return {"r_long": str(r_long), "r_short": str(r_short), "r_lp": str(r_lp)}


def init(price, t=0):
    """The section 9 pool at its creation price (MARK): thirds, supplies = reserves."""
    return {
        "op": "init",
        "t": t,
        "price": str(price),
        "r": str(R0),
        "a": str(A0),
        "b": str(B0),
        "expect": reserves(THIRD, THIRD, THIRD_LP),
    }


def view(price, r_long, r_short, r_lp):
    return {"op": "view", "price": str(price), "expect": reserves(r_long, r_short, r_lp)}


def view_some(price, **expect):
    """A view checking only the stated fields."""
    return {"op": "view", "price": str(price),
            "expect": {key: str(value) for key, value in expect.items()}}


def trade(t, twap, spot, side_in, side_out, amount, **expect):
    return {
        "op": "trade",
        "t": t,
        "twap": str(twap),
        "spot": str(spot),
        "side_in": side_in,
        "side_out": side_out,
        "amount": str(amount),
        "expect": {key: str(value) for key, value in expect.items()},
    }


def price_moves():
    cases = []
    steps = [init(s1(1))]
    for move, (num, den) in MOVES.items():
        steps.append(view(s1(num, den), *S1_TABLE[move]))
    cases.append(
        {
            "name": "9.1 S1 linear oracle K=2: price moves 0, +-10%, +-50%",
            "config": config(2, MARK_S1),
            "steps": steps,
        }
    )
    steps = [init(MARK_SQRT)]
    for move, (num, den) in MOVES.items():
        steps.append(view(sqrt_price(num, den), *S1_TABLE[move]))
    cases.append(
        {
            "name": "9.1 S2 sqrt oracle K=4: same reserves as S1 to the wei",
            "config": config(4, MARK_SQRT),
            "steps": steps,
        }
    )
    steps = [init(MARK_SQRT)]
    for move in ["+10%", "-10%", "+50%", "-50%"]:
        num, den = MOVES[move]
        steps.append(view(sqrt_price(num, den), *S3_TABLE[move]))
    cases.append(
        {
            "name": "9.1 S3 sqrt oracle K=8: price moves +-10%, +-50%",
            "config": config(8, MARK_SQRT),
            "steps": steps,
        }
    )
    return cases


# Section 9.2, first bullet: open LONG 100e18 at MARK.
OPEN_100_AT_MARK = dict(
    amount_in=100 * E18,
    amount_out=100 * E18,
    r=1100 * E18,
    a=433333333333333333333,
    b=333333333333333333334,
)


def trades():
    mark, up10, up50 = s1(1), s1(11, 10), s1(3, 2)
    cases = [
        {
            "name": "9.2 S1 open LONG 100e18 at +50% (LONG on the flat branch)",
            "config": config(2, MARK_S1),
            "steps": [
                init(mark),
                trade(0, up50, up50, "R", "LONG", 100 * E18,
                      amount_out=50 * E18, a=403333333333333333333),
                view_some(up50, r_long=766666666666666666666),
            ],
        },
        {
            "name": "9.2 S1 add LP 100e18 at MARK, then remove 50e18 LP",
            "config": config(2, MARK_S1),
            "steps": [
                init(mark),
                trade(0, mark, mark, "R", "LP", 100 * E18, amount_out=100 * E18),
                trade(0, mark, mark, "LP", "R", 50 * E18,
                      amount_in=49999999999999999998, amount_out=49999999999999999998),
            ],
        },
        {
            "name": "9.2 S1 add LP 100e18 at +50% (a re-solved, rA kept)",
            "config": config(2, MARK_S1),
            "steps": [
                init(mark),
                trade(0, up50, up50, "R", "LP", 100 * E18,
                      amount_out=179999999999999999999, a=310256410256410256410),
            ],
        },
        {
            "name": "9.2 S1 open LONG 100e18 at MARK, swap 50e18 LONG -> SHORT at +10%",
            "config": config(2, MARK_S1),
            "steps": [
                init(mark),
                trade(0, mark, mark, "R", "LONG", 100 * E18, **OPEN_100_AT_MARK),
                trade(0, up10, up10, "LONG", "SHORT", 50 * E18,
                      amount_in=49999999999999999999, amount_out=73204999999999999998,
                      a=383333333333333333334, b=406538333333333333333),
            ],
        },
    ]
    # Price selection, twap = 3000, spot = 3030 (the pool's MARK is 3000): each trade on
    # the fresh pool, 100 R in.
    twap, spot = s1(1), s1(101, 100)
    for side_out, minted, rule in [
        ("LONG", 98029604940692089011, "buys LONG at the higher price (spot)"),
        ("SHORT", 100 * E18, "buys SHORT at the lower price (twap)"),
        ("LP", 100 * E18, "adds LP at the price with the larger rC (twap)"),
    ]:
        cases.append(
            {
                "name": f"9.2 S1 price selection twap 3000 spot 3030: R -> {side_out} {rule}",
                "config": config(2, MARK_S1),
                "steps": [
                    init(mark),
                    trade(0, twap, spot, "R", side_out, 100 * E18,
                          amount_in=100 * E18, amount_out=minted),
                ],
            }
        )
    return cases


# An LP deposit that makes a funding step observable: the trade's `fee` is the protocol
# fee of the accrual and its `r` is R after funding plus the deposit.
X = E18


def funding():
    mark, up10, up50 = s1(1), s1(11, 10), s1(3, 2)
    cases = []
    # 9.3 at MARK (main and dev agree): rA, rB 333333333333333333333 -> 333133393323336408464,
    # fee 79976003998769947, R after 999920023996001230053, rC' 333653237349328413125.
    r_after = 999920023996001230053
    cases.append(
        {
            "name": "9.3 S1 one day of interest at MARK",
            "config": config(2, MARK_S1, interest_hl=INTEREST_HL),
            "steps": [
                init(mark),
                trade(DAY, mark, mark, "R", "LP", X, amount_in=X, fee=79976003998769947,
                      r=r_after + X),
                view(mark, 333133393323336408464, 333133393323336408464,
                     333653237349328413125 + X),
            ],
        }
    )
    # 9.3 dev at +50%: rA 666666666666666666666 -> 666466606656668544769,
    # rB 148148148148148148148 -> 148059285921482848206, fee 57784447332684367,
    # R after 999942215552667315633, rC' 185416322974515922658.
    r_after = 999942215552667315633
    cases.append(
        {
            "name": "9.3 S1 one day of interest at +50% (dev: decays the coefficients)",
            "config": config(2, MARK_S1, interest_hl=INTEREST_HL),
            "steps": [
                init(mark),
                trade(DAY, up50, up50, "R", "LP", X, amount_in=X, fee=57784447332684367,
                      r=r_after + X),
                view(up50, 666466606656668544769, 148059285921482848206,
                     185416322974515922658 + X),
            ],
        }
    )
    # 9.4: S1 at +10%, one day of premium, no interest: rA 403333333333333333332 ->
    # 398332536562087378950, rB 275482093663911845730 -> 280482890435157800112, rC
    # unchanged (321184573002754820938, section 9.1), fee 0 (so R stays 1000e18).
    cases.append(
        {
            "name": "9.4 S1 one day of premium at +10%",
            "config": config(2, MARK_S1, premium_hl=PREMIUM_HL),
            "steps": [
                init(mark),
                trade(DAY, up10, up10, "R", "LP", X, amount_in=X, fee=0, r=R0 + X),
                view(up10, 398332536562087378950, 280482890435157800112,
                     321184573002754820938 + X),
            ],
        }
    )
    # 9.5 (dev, exactly 86400 elapsed): open 100 LONG at t0, close all at +10% one day
    # later: burns 100e18 A, receives 118531091934554240844 R, fee 95949062681714360,
    # final R 981372959002764044796, a 326531933704006173126, b 345698149460596225292.
    cases.append(
        {
            "name": "9.5 S1 combined day: open 100 LONG, +10% a day later, close all (dev)",
            "config": config(2, MARK_S1, interest_hl=INTEREST_HL, premium_hl=PREMIUM_HL),
            "steps": [
                init(mark),
                trade(0, mark, mark, "R", "LONG", 100 * E18, **OPEN_100_AT_MARK),
                trade(DAY, up10, up10, "LONG", "R", 100 * E18,
                      amount_in=100 * E18, amount_out=118531091934554240844,
                      fee=95949062681714360, r=981372959002764044796,
                      a=326531933704006173126, b=345698149460596225292),
            ],
        }
    )
    return cases


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        root, "vectors", "derion_worked_examples.json")
    doc = {
        "format": "asymptote-vectors/1",
        "source": "worked examples of derion-math.md section 9 (EVM-verified numbers of "
                  "Derion's dev semantics), generated by scripts/gen_worked_vectors.py",
        "cases": price_moves() + trades() + funding(),
    }
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"{out}: {len(doc['cases'])} cases")


if __name__ == "__main__":
    main()
