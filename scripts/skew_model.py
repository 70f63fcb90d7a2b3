#!/usr/bin/env python3
"""Independent exact model of an Asymptote pool (SPEC sections 1-6), written from
shared/SPEC.md and not from the Rust code, and the generator of vectors/skew_charge.json.

Exact integers only: no floating point touches a value. Covers what replaying trades with
collateral on one side needs: xk with the inversion and the de-power fallback (section 2),
price selection (section 2), r() and v() (section 3), funding (section 5: interest decaying
the coefficients, premium, protocol fee, exp2 from shared/vectors/exp2_table.json), the
transition (section 4: every check and amount, MINIMUM_SUPPLY / MINIMUM_RESERVE = 1000,
opening fee) and the skew charge and cap (section 6). Token -> token trades are modelled
only with lambda = 0 (SPEC does not say how a token -> token trade pays the skew charge),
which is enough to replay the Derion vectors as a self-test.

usage:
  scripts/skew_model.py                 self-test, then write vectors/skew_charge.json
  scripts/skew_model.py selftest        replay the Derion vectors with this model only
  scripts/skew_model.py check FILE...   replay any asymptote-vectors/1 file with this model
  scripts/skew_model.py gen [OUT]       write the skew-charge vectors (default path above)
  scripts/skew_model.py fuzz N SEED OUT write N random cases (model expectations) for a
                                        differential run: scripts/conformance OUT

Paths: the shared directory is $ASYMPTOTE_SHARED, else ../shared next to the repository.

Where SPEC is silent, this model reads it as follows (each checked against the Rust by the
vectors or the differential fuzz, and none of them reached by vectors/skew_charge.json):
  * LP price selection when both prices give the same rC: the lower price.
  * Protocol fee when the interest term is negative (max(., 1) lifting a reserve from 0):
    0, not floor(negative / FEE_DIVISOR); FEE_DIVISOR = 0: no fee.
  * Order of refusals: section 4 step 4 checks, then 4ab <= R1^2, then the skew cap, then
    the supply and reserve minimums of step 5 (the Rust checks the cap before step 5 and
    the solvency last, so a trade failing both the cap and solvency is named differently).
  * Names of refusals SPEC does not name (used by `fuzz` only) follow the Rust's.
"""

import json
import os
import sys

# --------------------------------------------------------------------------- section 1

Q64 = 1 << 64
Q126 = 1 << 126
Q128 = 1 << 128
Q256M = (1 << 256) - 1
U256_LIMIT = 1 << 256
MINIMUM_SUPPLY = 1000
MINIMUM_RESERVE = 1000

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("ASYMPTOTE_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))


class Refused(Exception):
    """A refused operation; `name` is the vector's `expect_error` spelling where SPEC has
    one (MinimumSupply, MinimumReserve, SkewCapExceeded), else a descriptive name."""

    def __init__(self, name, detail=""):
        super().__init__(f"{name}: {detail}" if detail else name)
        self.name = name


def fits(x):
    if not 0 <= x < U256_LIMIT:
        raise Refused("Overflow", str(x))
    return x


def mul_div(a, b, d):
    if d == 0:
        raise Refused("DivisionByZero")
    return fits(a * b // d)


def mul_div_up(a, b, d):
    if d == 0:
        raise Refused("DivisionByZero")
    return fits(-((-a * b) // d))


def ceil_div(a, d):
    return -((-a) // d)


# --------------------------------------------------------------------------- exp2, decay


def load_exp2_table():
    with open(os.path.join(SHARED, "vectors", "exp2_table.json")) as f:
        doc = json.load(f)
    table = {}
    for e in doc["entries"]:
        table[int(e["bit"])] = int(e["value_q128"])
    assert sorted(table) == list(range(64)), "exp2 table must have bits 0..63"
    return table


EXP2_TABLE = load_exp2_table()


def exp2_q64(x):
    """2^x for a 64.64 value `x` (a Python int, the raw 64.64 bits, may be negative):
    start from 2^127, multiply (floored, >> 128) by the table entry of every set bit of the
    fractional part, highest bit first, shift right by 63 - floor(x). 0 below -64."""
    if x < -64 * Q64:
        return 0
    assert x < 64 * Q64
    integer = x >> 64  # floor
    fraction = x - (integer << 64)  # in [0, 2^64)
    result = 1 << 127
    for bit in range(63, -1, -1):
        if fraction >> bit & 1:
            result = result * EXP2_TABLE[bit] >> 128
    return result >> (63 - integer)


def decay(t, hl):
    """decay(t, HL) = exp2(-floor(t * 2^64 / HL)) in Q64."""
    assert hl > 0
    return exp2_q64(-((t * Q64) // hl))


assert decay(86400, 99813195) == 18435679347126027009  # derion-math.md 9.3

# --------------------------------------------------------------------------- section 2


def xk_of(p, mark, k):
    if p <= 0 or mark <= 0:
        raise Refused("ZeroPrice")
    swapped = mark < p
    num, den = (mark, p) if swapped else (p, mark)
    x = mul_div(Q128, num, den)
    # square-and-multiply, every product floored by Q128; first factor x if K odd else Q128
    z = x if k & 1 else Q128
    e = k >> 1
    sq = x
    while e:
        sq = mul_div(sq, sq, Q128)
        if e & 1:
            z = mul_div(z, sq, Q128)
        e >>= 1
    if z == 0:
        # de-power: the largest j <= K with (num/den)^j > 0, from Q128
        z = Q128
        for _ in range(k):
            nxt = mul_div(z, num, den)
            if nxt == 0:
                break
            z = nxt
    if swapped:
        z = Q256M // z
    return z


# --------------------------------------------------------------------------- section 3


def r_of(v, xk, big_r):
    u = mul_div(v, xk, Q128)
    if u <= big_r // 2:
        return u
    four_u = mul_div(v, xk, Q126)
    return big_r - ceil_div(big_r * big_r, four_u)


def v_of(r, xk, big_r):
    if r <= big_r // 2:
        return mul_div_up(r, Q128, xk)
    if r >= big_r:
        raise Refused("Underflow", "v(r >= R)")
    den = mul_div(big_r - r, xk, Q126)
    return mul_div_up(big_r, big_r, den)


def split(big_r, a, b, xk):
    ra = r_of(a, xk, big_r)
    rb = r_of(b, Q256M // xk, big_r)
    return ra, rb


# --------------------------------------------------------------------------- pool


class Config:
    def __init__(self, d):
        self.k = int(d["k"])
        self.mark = int(d["mark"])
        self.interest_hl = int(d.get("interest_hl", 0))
        self.premium_hl = int(d.get("premium_hl", 0))
        self.open_rate = int(d.get("open_rate", Q128))
        self.fee_divisor = int(d.get("fee_divisor", 5))
        self.lam = int(d.get("lambda_q64", 0))
        self.b_max = int(d.get("b_max_q64", 0))
        self.psi = int(d.get("psi", 0))
        assert self.k > 0 and self.premium_hl != 1 and 0 < self.open_rate <= Q128


class Pool:
    def __init__(self, cfg, t, price, big_r, a, b):
        self.cfg = cfg
        xk = xk_of(price, cfg.mark, cfg.k)
        if 4 * a * b > big_r * big_r:
            raise Refused("Insolvent")
        ra, rb = split(big_r, a, b, xk)
        rc = big_r - ra - rb
        self.big_r, self.a, self.b = big_r, a, b
        # after init the supplies equal the reserves (SPEC section 10)
        self.supply = {"LONG": ra, "SHORT": rb, "LP": rc}
        self.last_interest = t
        self.last_premium = t
        self.init_reserves = (ra, rb, rc)

    def clone(self):
        p = Pool.__new__(Pool)
        p.__dict__.update(self.__dict__)
        p.supply = dict(self.supply)
        return p

    def view(self, price):
        xk = xk_of(price, self.cfg.mark, self.cfg.k)
        ra, rb = split(self.big_r, self.a, self.b, xk)
        return ra, rb, self.big_r - ra - rb

    # ----------------------------------------------------------------- section 2: price

    def select(self, twap, spot, side_in, side_out):
        hi, lo = max(twap, spot), min(twap, spot)
        if side_out == "LONG" or side_in == "SHORT":
            return hi
        if side_out == "SHORT" or side_in == "LONG":
            return lo
        # LP in or out: the price with the larger rC. SPEC does not say which one a tie
        # picks; this model keeps the lower (a tie is only possible when both give the
        # same rC, but rA and rB may still differ).
        rc_hi = self.view(hi)[2]
        rc_lo = self.view(lo)[2]
        return hi if rc_hi > rc_lo else lo

    # ----------------------------------------------------------------- section 5: funding

    def funding(self, xk, ra, rb, now):
        cfg = self.cfg
        big_r = self.big_r
        if now < self.last_interest or now < self.last_premium:
            raise Refused("ClockWentBackwards")
        rc_before = big_r - ra - rb
        last_interest, last_premium = self.last_interest, self.last_premium
        t_i = now - self.last_interest
        if cfg.interest_hl > 0 and t_i > 0:
            f = decay(t_i, cfg.interest_hl)
            a2 = mul_div_up(self.a, f, Q64)
            b2 = mul_div_up(self.b, f, Q64)
            ra2, rb2 = split(big_r, a2, b2, xk)
            if ra2 < ra or rb2 < rb:
                ra, rb = max(ra2, 1), max(rb2, 1)
                last_interest = now
        if cfg.premium_hl > 0:
            d = abs(ra - rb)
            if d > 1:
                d -= 1
                t_p = now - self.last_premium
                hl2 = ceil_div((cfg.premium_hl // 2) * big_r, ra + rb)
                half = d // 2
                p = half - mul_div_up(half, decay(t_p, hl2), Q64)
                if p > 0:
                    if ra > rb:
                        ra, rb = ra - p, rb + p
                    else:
                        ra, rb = ra + p, rb - p
                    last_premium += t_p
        fee = 0
        if cfg.fee_divisor > 0:
            # SPEC: floor((R - rA - rB - rC_before) / FEE_DIVISOR). The numerator is the
            # interest; it can be negative when max(., 1) lifts a reserve that was 0 (e.g.
            # rA 1 -> max(0, 1), rB 0 -> max(0, 1): -1), which SPEC does not cover. A
            # negative fee is meaningless (it would be paid *by* the protocol), so this
            # model reads it as 0 (reported as a SPEC gap; the Rust clamps the same way).
            fee = max(big_r - ra - rb - rc_before, 0) // cfg.fee_divisor
        return big_r - fee, ra, rb, fee, last_interest, last_premium

    # ----------------------------------------------------------------- section 6: skew

    def skew(self, big_r, ra, rb):
        k = self.cfg.k
        e_long = k * min(ra, big_r - ra)
        e_short = k * min(rb, big_r - rb)
        rc = big_r - ra - rb
        depth = rc if self.cfg.psi == 0 else min(rc, self.cfg.psi)
        return e_long - e_short, depth

    def charge(self, n0, l0, n1, l1):
        lam = self.cfg.lam
        if lam == 0:
            return 0
        if l0 <= 0 or l1 <= 0:
            raise Refused("DivisionByZero", "skew depth 0")
        num = lam * (n1 * n1 * l0 - n0 * n0 * l1)
        if num <= 0:
            return 0
        return ceil_div(num, 2 * l0 * l1 * Q64)

    def cap(self, n0, n1, l1, removes_lp):
        if self.cfg.b_max == 0:
            return
        if abs(n1) > abs(n0) or removes_lp:
            # |N1| > b_max * L1 with b_max = b_max_q64 / 2^64
            if abs(n1) * Q64 > self.cfg.b_max * l1:
                raise Refused("SkewCapExceeded", f"|N1| {abs(n1)} L1 {l1}")

    # ----------------------------------------------------------------- section 4: trade

    def trade(self, now, twap, spot, side_in, side_out, amount):
        """Returns (new pool, outcome dict); `self` is not changed."""
        cfg = self.cfg
        if side_in == side_out:
            raise Refused("SameSide")
        if amount <= 0:
            raise Refused("ZeroAmount")
        # 1. price, reserves
        price = self.select(twap, spot, side_in, side_out)
        xk = xk_of(price, cfg.mark, cfg.k)
        xks = Q256M // xk
        ra, rb = split(self.big_r, self.a, self.b, xk)
        # 2. funding
        big_r, ra, rb, fee, last_i, last_p = self.funding(xk, ra, rb, now)
        rc = big_r - ra - rb
        if rc < 0:
            raise Refused("Insolvent", "rC < 0 after funding")
        res = {"LONG": ra, "SHORT": rb, "LP": rc}
        # 3. target
        r1, ra1, rb1 = big_r, ra, rb
        if side_in == "R":
            value = amount
            r1 += value
            if side_out == "LONG":
                ra1 += value
            elif side_out == "SHORT":
                rb1 += value
        else:
            s = self.supply[side_in]
            if side_in == "LP":
                rcp = rc - 1 if rc > 1 else rc
                value = mul_div(rcp, amount - 1, s)
            else:
                value = mul_div(amount, res[side_in], s)
            if side_in == "LONG":
                ra1 -= value
            elif side_in == "SHORT":
                rb1 -= value
            if side_out == "R":
                r1 -= value
            elif side_out == "LONG":
                ra1 += value
            elif side_out == "SHORT":
                rb1 += value
            if ra1 < 0 or rb1 < 0 or r1 <= 0:
                raise Refused("Underflow", "input larger than its reserve")
        a1 = v_of(ra1, xk, r1)
        b1 = v_of(rb1, xks, r1)
        ra1, rb1 = r_of(a1, xk, r1), r_of(b1, xks, r1)
        rc1 = r1 - ra1 - rb1
        # 4. checks (as the reference does)
        if side_in == "R":
            if ra1 < ra:
                raise Refused("LongReserveDecreased")
            if rb1 < rb:
                raise Refused("ShortReserveDecreased")
        else:
            if r1 > big_r:
                raise Refused("CollateralIncreased")
            if side_in != "LONG" and ra1 < ra:
                raise Refused("LongReserveDecreased")
            if side_in != "SHORT" and rb1 < rb:
                raise Refused("ShortReserveDecreased")
        if 4 * a1 * b1 > r1 * r1:
            raise Refused("Insolvent")
        if rc1 < 0:
            raise Refused("Insolvent", "rC1 < 0")
        # section 6: skew from the post-funding split and the re-evaluated target
        n0, l0 = self.skew(big_r, ra, rb)
        n1, l1 = self.skew(r1, ra1, rb1)
        self.cap(n0, n1, l1, side_in == "LP")
        if side_in != "R" and side_out != "R" and cfg.lam != 0:
            raise Refused("Unspecified", "token -> token with lambda > 0 (SPEC is silent)")
        s_charge = self.charge(n0, l0, n1, l1)
        # 5. amounts
        res1 = {"LONG": ra1, "SHORT": rb1, "LP": rc1}
        new = self.clone()
        if side_in == "R":
            amount_in = r1 - big_r
        else:
            r0, rr1 = res[side_in], res1[side_in]
            if rr1 >= r0:
                raise Refused("InputSideNotReduced")
            s = self.supply[side_in]
            amount_in = mul_div_up(s, r0 - rr1, r0)
            if s - amount_in < MINIMUM_SUPPLY:
                raise Refused("MinimumSupply")
        if side_out == "R":
            amount_out = big_r - r1
        else:
            r0, rr1 = res[side_out], res1[side_out]
            if rr1 < MINIMUM_RESERVE:
                raise Refused("MinimumReserve")
            if rr1 < r0:
                raise Refused({"LONG": "LongReserveDecreased", "SHORT": "ShortReserveDecreased"}.get(side_out, "LpReserveDecreased"))
            amount_out = mul_div(self.supply[side_out], rr1 - r0, r0)
        opening_fee = 0
        if side_out in ("LONG", "SHORT"):
            grossed = mul_div_up(amount_in, Q128, cfg.open_rate)
            opening_fee = grossed - amount_in
            amount_in = grossed
        # 6. store; R keeps what was actually paid in / not paid out
        if side_in == "R":
            amount_in += s_charge
            new.big_r = big_r + amount_in
        elif side_out == "R":
            amount_out = max(amount_out - s_charge, 0)
            new.big_r = big_r - amount_out
        else:
            new.big_r = r1
        new.a, new.b = a1, b1
        new.last_interest, new.last_premium = last_i, last_p
        if side_in != "R":
            new.supply[side_in] -= amount_in
        if side_out != "R":
            new.supply[side_out] += amount_out
        out = {
            "amount_in": amount_in,
            "amount_out": amount_out,
            "r": new.big_r,
            "a": a1,
            "b": b1,
            "fee": fee,
            "skew_charge": s_charge,
            "opening_fee": opening_fee,
            "supply_long": new.supply["LONG"],
            "supply_short": new.supply["SHORT"],
            "supply_lp": new.supply["LP"],
            # not vector fields: for the report and the generator's assertions
            "_value": value,
            "_n0": n0,
            "_l0": l0,
            "_n1": n1,
            "_l1": l1,
            "_price": price,
            "_before": (ra, rb, rc),
            "_after": (ra1, rb1, rc1),
        }
        return new, out


# --------------------------------------------------------------------------- replay


def replay_case(case):
    """Replay one vector case with the model. Returns a list of differences (empty: pass)."""
    cfg = Config(case["config"])
    pool = None
    diffs = []
    for i, st in enumerate(case["steps"]):
        op = st["op"]
        if op == "init":
            pool = Pool(cfg, int(st["t"]), int(st["price"]), int(st["r"]), int(st["a"]), int(st["b"]))
            got = dict(zip(("r_long", "r_short", "r_lp"), pool.init_reserves))
        elif op == "view":
            got = dict(zip(("r_long", "r_short", "r_lp"), pool.view(int(st["price"]))))
        elif op == "trade":
            try:
                new, got = pool.trade(
                    int(st["t"]),
                    int(st["twap"]),
                    int(st["spot"]),
                    st["side_in"],
                    st["side_out"],
                    int(st["amount"]),
                )
            except Refused as e:
                if st.get("expect_error") != e.name:
                    diffs.append(f"step {i}: refused {e}, expected {st.get('expect_error')}")
                    return diffs
                continue
            if "expect_error" in st:
                diffs.append(f"step {i}: succeeded, expected {st['expect_error']}")
                return diffs
            pool = new
        else:
            diffs.append(f"step {i}: unknown op {op}")
            return diffs
        for key, want in st.get("expect", {}).items():
            if key not in got:
                diffs.append(f"step {i}: unknown expect field {key}")
            elif got[key] != int(want):
                diffs.append(f"step {i} ({op}): {key} expected {want} got {got[key]}")
    return diffs


def check_files(paths):
    bad = 0
    total = 0
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        assert doc["format"] == "asymptote-vectors/1", path
        for case in doc["cases"]:
            total += 1
            diffs = replay_case(case)
            if diffs:
                bad += 1
                print(f"FAIL  {path} :: {case['name']}")
                for d in diffs:
                    print(f"        {d}")
            else:
                print(f"pass  {path} :: {case['name']}")
    print(f"model: {total - bad} passed, {bad} failed")
    return bad == 0


def selftest():
    files = [os.path.join(SHARED, "vectors", "derion_public.json")]
    worked = os.path.join(ROOT, "vectors", "derion_worked_examples.json")
    if os.path.exists(worked):
        files.append(worked)
    return check_files(files)


# --------------------------------------------------------------------------- generator

E18 = 10**18
MARK = 3000 * Q128  # linear oracle of the Derion vectors: price = MARK * m
LAMBDA_2PCT = Q64 * 2 // 100  # lambda = 0.02 (raw 64.64, floored)
LAMBDA_5PCT = Q64 * 5 // 100
OPEN_RATE_30BP = Q128 * 997 // 1000  # 0.3% opening fee (floored rate)
DAY = 86400
INTEREST_HL = 99813195
PREMIUM_HL = 998132


def px(num, den=1):
    assert (MARK * num) % den == 0
    return MARK * num // den


def config(**kw):
    """A K = 2 case config at MARK with lambda 0.02 and no fees, funding, cap or depth cap;
    keywords override (numbers given as ints, written as the format wants them)."""
    c = {
        "k": 2,
        "mark": str(MARK),
        "interest_hl": 0,
        "premium_hl": 0,
        "open_rate": str(Q128),
        "fee_divisor": 5,
        "lambda_q64": str(LAMBDA_2PCT),
        "b_max_q64": "0",
        "psi": "0",
    }
    plain = ("k", "interest_hl", "premium_hl", "fee_divisor")
    for key, value in kw.items():
        c[key] = value if key in plain else str(value)
    return c


def init(big_r, a, b, price=MARK, t=0):
    return {"op": "init", "t": t, "price": str(price), "r": str(big_r), "a": str(a), "b": str(b)}


def thirds(big_r):
    """R, a, b of the Derion preamble at MARK: a = v(floor(R/3)), b = v(floor(R/3)) at Q256M/Q128."""
    third = big_r // 3
    return big_r, v_of(third, Q128, big_r), v_of(third, Q256M // Q128, big_r)


def tr(side_in, side_out, amount, price=MARK, t=0, twap=None, error=None):
    """A trade step. `amount` may be a callable of (pool, tokens received so far)."""
    st = {
        "op": "trade",
        "t": t,
        "twap": str(twap if twap is not None else price),
        "spot": str(price),
        "side_in": side_in,
        "side_out": side_out,
        "amount": amount,
    }
    if error:
        st["expect_error"] = error
    return st


def view(price):
    return {"op": "view", "price": str(price)}


TRADE_FIELDS = ("amount_in", "amount_out", "r", "a", "b", "fee", "skew_charge")


def build(name, cfg, steps, checks=None):
    """Run the steps through the model, fill in every expectation, and return the case.
    Amounts given as callables are resolved against the pool before the step (e.g. "all the
    tokens received so far"). `checks(outcomes)` asserts what the case is meant to show."""
    cfg_obj = Config(cfg)
    pool = None
    out_steps = []
    outcomes = []
    received = {"LONG": 0, "SHORT": 0, "LP": 0}
    for st in steps:
        st = dict(st)
        op = st["op"]
        if op == "init":
            pool = Pool(cfg_obj, st["t"], int(st["price"]), int(st["r"]), int(st["a"]), int(st["b"]))
            st["expect"] = {k: str(v) for k, v in zip(("r_long", "r_short", "r_lp"), pool.init_reserves)}
        elif op == "view":
            st["expect"] = {k: str(v) for k, v in zip(("r_long", "r_short", "r_lp"), pool.view(int(st["price"])))}
        else:
            amount = st["amount"]
            if callable(amount):
                amount = amount(pool, received)
            st["amount"] = str(amount)
            want_error = st.get("expect_error")
            try:
                new, got = pool.trade(st["t"], int(st["twap"]), int(st["spot"]), st["side_in"], st["side_out"], amount)
            except Refused as e:
                if want_error != e.name:
                    raise AssertionError(f"{name}: step refused with {e}, expected {want_error}") from e
                outcomes.append(e.name)
                out_steps.append(st)
                continue
            if want_error:
                raise AssertionError(f"{name}: step succeeded, expected {want_error}: {got}")
            pool = new
            if st["side_out"] != "R":
                received[st["side_out"]] += got["amount_out"]
            if st["side_in"] != "R":
                received[st["side_in"]] -= got["amount_in"]
            st["expect"] = {k: str(got[k]) for k in TRADE_FIELDS}
            outcomes.append(got)
        out_steps.append(st)
    if checks:
        checks(outcomes)
    return {"name": name, "config": cfg, "steps": out_steps}


def held(side):
    return lambda pool, received: received[side]


def held_part(side, num, den):
    return lambda pool, received: received[side] * num // den


def supply_part(side, num, den):
    return lambda pool, received: pool.supply[side] * num // den


def generate():
    R3 = thirds(1000 * E18)  # the Derion preamble pool
    cases = []

    def ok(o):
        assert isinstance(o, dict), f"refused: {o}"
        return o

    # 1. LONG open at MARK with an opening fee, a reducing SHORT open, a raising SHORT close
    #    and a reducing LONG close.
    def c1(o):
        o = [ok(x) for x in o]
        assert o[0]["skew_charge"] > 0 and o[0]["_n0"] == 0 and o[0]["_n1"] > 0
        assert o[1]["skew_charge"] == 0 and abs(o[1]["_n1"]) < abs(o[1]["_n0"])
        assert o[2]["skew_charge"] > 0 and abs(o[2]["_n1"]) > abs(o[2]["_n0"])
        assert o[3]["skew_charge"] == 0 and abs(o[3]["_n1"]) < abs(o[3]["_n0"])

    cases.append(
        build(
            "K=2 lambda 0.02, fee 0.3%, at MARK: open LONG (charged), open SHORT (lowers |N|, 0), close SHORT (charged), close LONG (0)",
            config(open_rate=OPEN_RATE_30BP),
            [
                init(*R3),
                tr("R", "LONG", 100 * E18),
                tr("R", "SHORT", 30 * E18),
                tr("SHORT", "R", held("SHORT")),
                tr("LONG", "R", held("LONG")),
            ],
            c1,
        )
    )

    # 2. SHORT at -10%: open SHORT (charged), close half the LONG supply side? No: close LONG
    #    raises |N| on a short-heavy pool (charged close), then close SHORT (0).
    def c2(o):
        o = [ok(x) for x in o]
        assert o[0]["skew_charge"] > 0 and o[0]["_n1"] < 0
        assert o[1]["skew_charge"] > 0 and abs(o[1]["_n1"]) > abs(o[1]["_n0"])
        assert o[2]["skew_charge"] == 0

    cases.append(
        build(
            "K=2 lambda 0.02 at -10%: open SHORT (charged), close LONG on a short-heavy pool (charged), close SHORT (0)",
            config(),
            [
                init(*R3),
                tr("R", "SHORT", 120 * E18, price=px(9, 10)),
                tr("LONG", "R", supply_part("LONG", 1, 4), price=px(9, 10)),
                tr("SHORT", "R", held("SHORT"), price=px(9, 10)),
            ],
            c2,
        )
    )

    # 3. LP at +10% on a long-heavy pool: add LP (L up: 0), remove LP (charged, value - S),
    #    remove more LP with twap != spot (price with the larger rC).
    def c3(o):
        o = [ok(x) for x in o]
        assert o[0]["skew_charge"] > 0  # the LONG open
        assert o[1]["skew_charge"] == 0 and o[1]["_l1"] > o[1]["_l0"]
        assert o[2]["skew_charge"] > 0 and o[2]["_l1"] < o[2]["_l0"]
        assert o[3]["skew_charge"] > 0

    cases.append(
        build(
            "K=2 lambda 0.02 at +10%: open LONG, add LP (0), remove LP (charged), remove LP with twap 3300 spot 3333",
            config(),
            [
                init(*R3),
                tr("R", "LONG", 150 * E18, price=px(11, 10)),
                tr("R", "LP", 200 * E18, price=px(11, 10)),
                tr("LP", "R", held_part("LP", 1, 2), price=px(11, 10)),
                tr("LP", "R", supply_part("LP", 1, 5), price=px(1111, 1000), twap=px(11, 10)),
            ],
            c3,
        )
    )

    # 4. +50%: LONG on the flat branch, SHORT on the power branch. Then
    #    E_long = K (R - rA) = K (rB + rC) and E_short = K rB, so N = K rC and L = rC:
    #    Phi = lambda K^2 rC / 2 depends on rC only. Trades that leave rC alone pay 0 (up to
    #    the re-solve's rounding), adding LP pays lambda K^2 / 2 per unit of rC, removing LP
    #    pays 0. (A property of SPEC's exposure E = K min(r, R - r), see the report.)
    def c4(o):
        o = [ok(x) for x in o]
        assert o[0]["_after"][0] > o[0]["r"] // 2, "LONG must be on the flat branch"
        for x in o:
            assert x["_n1"] == 2 * x["_l1"] and x["_n0"] == 2 * x["_l0"], x
        assert o[0]["skew_charge"] == 0  # LONG open
        assert o[1]["skew_charge"] == 0  # SHORT open
        assert o[2]["skew_charge"] == 0  # SHORT close
        assert o[3]["skew_charge"] > 0  # LP add
        assert o[4]["skew_charge"] == 0  # LP remove

    cases.append(
        build(
            "K=2 lambda 0.02 at +50% (LONG on the flat branch, N = K rC): open LONG (0), open SHORT (0), close SHORT (0), add LP (charged), remove LP (0)",
            config(),
            [
                init(*R3),
                view(px(3, 2)),
                tr("R", "LONG", 100 * E18, price=px(3, 2)),
                tr("R", "SHORT", 50 * E18, price=px(3, 2)),
                tr("SHORT", "R", supply_part("SHORT", 1, 3), price=px(3, 2)),
                tr("R", "LP", 40 * E18, price=px(3, 2)),
                tr("LP", "R", supply_part("LP", 1, 3), price=px(3, 2)),
            ],
            c4,
        )
    )

    # 4b. Same geometry with a cap b_max = 1 < K: N / L = K = 2 is over the cap, an LP add
    #     raises |N| and is refused, a LONG open (|N| unchanged) passes, an LP removal
    #     (always checked) is refused.
    def c4b(o):
        assert o[0] == "SkewCapExceeded"
        x = ok(o[1])
        assert x["_n1"] == x["_n0"]
        assert o[2] == "SkewCapExceeded"

    cases.append(
        build(
            "K=2 lambda 0.02 b_max 1 at +50% (N = K rC): add LP refused by the cap, open LONG passes, remove LP refused",
            config(b_max_q64=Q64),
            [
                init(*R3),
                tr("R", "LP", 10 * E18, price=px(3, 2), error="SkewCapExceeded"),
                tr("R", "LONG", 10 * E18, price=px(3, 2)),
                tr("LP", "R", supply_part("LP", 1, 100), price=px(3, 2), error="SkewCapExceeded"),
            ],
            c4b,
        )
    )

    # 5. A trade that lowers |N| pays nothing, however large lambda is.
    def c5(o):
        o = [ok(x) for x in o]
        assert o[0]["skew_charge"] > 0
        for x in o[1:]:
            assert x["skew_charge"] == 0 and abs(x["_n1"]) < abs(x["_n0"])

    cases.append(
        build(
            "K=2 lambda 0.05: open LONG 200e18, then three trades that lower |N| pay no charge",
            config(lambda_q64=LAMBDA_5PCT),
            [
                init(*R3),
                tr("R", "LONG", 200 * E18),
                tr("LONG", "R", held_part("LONG", 1, 3)),
                tr("R", "SHORT", 40 * E18),
                tr("LONG", "R", held_part("LONG", 1, 2)),
            ],
            c5,
        )
    )

    # 6. Depth cap psi = 100e18 < rC: L = psi on both ends while rC stays above psi, so an
    #    LP removal that keeps rC >= psi is free; one that takes rC below psi pays.
    def c6(o):
        o = [ok(x) for x in o]
        psi = 100 * E18
        assert o[0]["_l0"] == psi and o[0]["_l1"] == psi and o[0]["skew_charge"] > 0
        assert o[1]["_l1"] == psi and o[1]["skew_charge"] == 0
        assert o[2]["_l0"] == psi and o[2]["_l1"] < psi and o[2]["skew_charge"] > 0
        assert o[3]["skew_charge"] == 0

    cases.append(
        build(
            "K=2 lambda 0.02 psi 100e18 (below rC): open LONG (L = psi), remove LP keeping rC > psi (0), remove LP below psi (charged), open SHORT (0)",
            config(psi=100 * E18),
            [
                init(*R3),
                tr("R", "LONG", 60 * E18),
                tr("LP", "R", supply_part("LP", 1, 10)),
                tr("LP", "R", supply_part("LP", 3, 4)),
                tr("R", "SHORT", 20 * E18),
            ],
            c6,
        )
    )

    # 7. The cap refuses a raising trade; a smaller one passes; a price move pushes |N|
    #    past the cap (no check on moves); a lowering trade still passes; raising is refused.
    b_max_half = Q64 // 2

    def c7(o):
        assert o[0] == "SkewCapExceeded"
        ok(o[1])
        assert o[2] == "SkewCapExceeded"
        x = ok(o[3])
        assert abs(x["_n0"]) * Q64 > b_max_half * x["_l0"], "the pool must start over the cap"
        assert abs(x["_n1"]) < abs(x["_n0"])
        assert o[4] == "SkewCapExceeded"

    cases.append(
        build(
            "K=2 lambda 0.02 b_max 0.5: open LONG 100e18 refused (|N|/L = 0.6), 50e18 passes, at +10% a LONG open is refused, a LONG close passes over the cap, a SHORT close is refused",
            config(b_max_q64=b_max_half),
            [
                init(*R3),
                tr("R", "LONG", 100 * E18, error="SkewCapExceeded"),
                tr("R", "LONG", 50 * E18),
                tr("R", "LONG", 1 * E18, price=px(11, 10), error="SkewCapExceeded"),
                tr("LONG", "R", held_part("LONG", 1, 5), price=px(11, 10)),
                tr("SHORT", "R", supply_part("SHORT", 1, 100), price=px(11, 10), error="SkewCapExceeded"),
            ],
            c7,
        )
    )

    # 8. LP removal refused by the cap (|N| unchanged, L falls), a smaller removal passes.
    def c8(o):
        ok(o[0])
        assert o[1] == "SkewCapExceeded"
        x = ok(o[2])
        assert x["skew_charge"] > 0

    cases.append(
        build(
            "K=2 lambda 0.02 b_max 0.5: open LONG 50e18, removing half the LP is refused by the cap, 10% passes (charged)",
            config(b_max_q64=b_max_half),
            [
                init(*R3),
                tr("R", "LONG", 50 * E18),
                tr("LP", "R", supply_part("LP", 1, 2), error="SkewCapExceeded"),
                tr("LP", "R", supply_part("LP", 1, 10)),
            ],
            c8,
        )
    )

    # 9. lambda = 0: the Derion public vectors' numbers, unchanged, with the skew fields
    #    present (and a non-binding cap in one of them).
    with open(os.path.join(SHARED, "vectors", "derion_public.json")) as f:
        public = json.load(f)["cases"]
    for name in ("S1 open LONG 100 at mark, close at +10%", "S1 at 9 decimals: open LONG, day of funding, close"):
        src = next(c for c in public if c["name"] == name)
        cfg = dict(src["config"])
        cfg.update({"lambda_q64": "0", "b_max_q64": "0", "psi": "0"})
        steps = json.loads(json.dumps(src["steps"]))
        for st in steps:
            if st["op"] == "trade" and "expect" in st:
                st["expect"]["skew_charge"] = "0"
        case = {"name": f"lambda 0 equals Derion: {name}", "config": cfg, "steps": steps}
        diffs = replay_case(case)
        assert not diffs, diffs
        cases.append(case)
    # the same with a cap that does not bind and a depth cap: lambda = 0 still charges 0
    src = next(c for c in public if c["name"] == "S1 open SHORT 100 at mark, then LP add")
    cfg = dict(src["config"])
    cfg.update({"lambda_q64": "0", "b_max_q64": str(Q64 * 4), "psi": str(50 * E18)})
    steps = json.loads(json.dumps(src["steps"]))
    for st in steps:
        if st["op"] == "trade":
            st["expect"]["skew_charge"] = "0"
    case = {"name": "lambda 0 equals Derion (psi 50e18, b_max 4 reached exactly: |N1| = 4 L1 passes): S1 open SHORT 100 at mark, then LP add", "config": cfg, "steps": steps}
    assert not replay_case(case)
    cases.append(case)

    # 10. Funding elapsed before a charged trade: the charge is computed on the split after
    #     interest, premium and the protocol fee.
    def c10(o):
        o = [ok(x) for x in o]
        assert o[1]["fee"] > 0 and o[1]["skew_charge"] > 0
        assert o[2]["fee"] > 0 and o[2]["skew_charge"] > 0

    cases.append(
        build(
            "K=2 lambda 0.02 with interest and premium: open LONG, a day later at +10% open LONG (funding then charge), an hour later remove LP",
            config(interest_hl=INTEREST_HL, premium_hl=PREMIUM_HL, open_rate=OPEN_RATE_30BP),
            [
                init(*R3),
                tr("R", "LONG", 100 * E18),
                tr("R", "LONG", 20 * E18, price=px(11, 10), t=DAY),
                tr("LP", "R", supply_part("LP", 1, 4), price=px(11, 10), t=DAY + 3600),
            ],
            c10,
        )
    )

    # 11. R = 1e15 scale.
    def c11(o):
        o = [ok(x) for x in o]
        assert o[0]["skew_charge"] > 0
        assert o[1]["skew_charge"] == 0
        assert o[2]["skew_charge"] > 0

    cases.append(
        build(
            "K=2 lambda 0.02 at R = 1e15: open SHORT, add LP, remove LP, close LONG at -10%, close SHORT",
            config(),
            [
                init(*thirds(10**15)),
                tr("R", "SHORT", 10**14),
                tr("R", "LP", 5 * 10**13, price=px(9, 10)),
                tr("LP", "R", held_part("LP", 1, 1), price=px(9, 10)),
                tr("LONG", "R", supply_part("LONG", 1, 5), price=px(9, 10)),
                tr("SHORT", "R", held("SHORT"), price=px(9, 10)),
            ],
            c11,
        )
    )

    # 12. K = 3 (odd power: the first factor is x), lambda 0.05 and an opening fee.
    def c12(o):
        o = [ok(x) for x in o]
        assert o[0]["skew_charge"] > 0 and o[0]["_n1"] < 0
        assert o[1]["skew_charge"] > 0
        assert all(x["_after"][0] <= x["r"] // 2 for x in o), "stay on the power branch"

    cases.append(
        build(
            "K=3 lambda 0.05 fee 0.3%: at -10% open SHORT (charged), close LONG (charged); at +10% open LONG, close SHORT",
            config(k=3, lambda_q64=LAMBDA_5PCT, open_rate=OPEN_RATE_30BP),
            [
                init(*thirds(1000 * E18)),
                tr("R", "SHORT", 80 * E18, price=px(9, 10)),
                tr("LONG", "R", supply_part("LONG", 1, 10), price=px(9, 10)),
                tr("R", "LONG", 60 * E18, price=px(11, 10)),
                tr("SHORT", "R", held("SHORT"), price=px(11, 10)),
            ],
            c12,
        )
    )

    # 13. A charge larger than the value on a close: the payout floors at 0. A long-heavy
    #     pool from creation (rA 450e18, rB 100e18, rC 450e18: N / L = 1.56) with lambda 4:
    #     removing dL of LP costs about lambda (N/L)^2 / 2 = 4.8 times its value.
    def c13(o):
        o = [ok(x) for x in o]
        for x in o:
            assert x["skew_charge"] >= x["_value"] and x["amount_out"] == 0, x

    cases.append(
        build(
            "K=2 lambda 4 on a long-heavy pool: LP removals whose charge exceeds their value pay out 0",
            config(lambda_q64=Q64 * 4),
            [
                init(1000 * E18, 450 * E18, 100 * E18),
                tr("LP", "R", 10**9),
                tr("LP", "R", supply_part("LP", 1, 10)),
            ],
            c13,
        )
    )
    return cases


def write_vectors(path):
    cases = generate()
    doc = {
        "format": "asymptote-vectors/1",
        "source": "scripts/skew_model.py: independent exact-integer model of SPEC sections 1-6 (skew charge and cap), checked against the Derion public vectors",
        "cases": cases,
    }
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    # the file must replay with the model itself
    assert check_files([path])
    print(f"wrote {len(cases)} cases to {path}")


def fuzz_cases(n, seed):
    """Random cases (collateral on one side of every trade) with the model's expectations,
    for a differential run against the Rust runner. Integer-only randomness."""
    import random

    rng = random.Random(seed)
    cases = []
    while len(cases) < n:
        k = rng.choice([1, 2, 2, 3, 4, 8])
        mark = rng.choice([MARK, 10**12, rng.randrange(10**9, 10**18)])
        big_r = rng.choice([10**9, 10**12, 10**15, 10**18, 1000 * E18, rng.randrange(10**7, 10**24)])
        ppm0 = rng.choice([10**6, rng.randrange(500_000, 2_000_000)])
        p0 = max(mark * ppm0 // 10**6, 1)
        xk0 = xk_of(p0, mark, k)
        w = [rng.randrange(50, 1000) for _ in range(3)]
        ra0 = big_r * w[0] // sum(w)
        rb0 = big_r * w[1] // sum(w)
        try:
            a0 = v_of(ra0, xk0, big_r)
            b0 = v_of(rb0, Q256M // xk0, big_r)
            Pool(Config({"k": k, "mark": mark}), 0, p0, big_r, a0, b0)
        except Refused:
            continue
        lam = rng.choice([0, Q64 // 100, Q64 * 2 // 100, Q64 // 10, Q64, rng.randrange(0, 8 * Q64)])
        b_max = rng.choice([0, 0, Q64 // 4, Q64 // 2, Q64, 3 * Q64, rng.randrange(0, 8 * Q64)])
        psi = rng.choice([0, 0, big_r // 10, big_r // 3, rng.randrange(1, big_r)])
        cfg = config(
            k=k,
            interest_hl=rng.choice([0, 0, 1000, 99813195, rng.randrange(2, 10**9)]),
            premium_hl=rng.choice([0, 0, 998132, rng.randrange(2, 10**8)]),
            open_rate=rng.choice([Q128, Q128, OPEN_RATE_30BP, Q128 - rng.randrange(0, Q128 // 20)]),
            fee_divisor=rng.choice([5, 5, 0, 3]),
            lambda_q64=lam,
            b_max_q64=b_max,
            psi=psi,
        )
        cfg["mark"] = str(mark)
        steps = [init(big_r, a0, b0, price=p0)]
        t = 0
        ppm = ppm0
        for _ in range(rng.randrange(2, 9)):
            if rng.randrange(3) == 0:
                t += rng.choice([1, 400, 86400, rng.randrange(1, 10**7)])
            if rng.randrange(3) == 0:
                ppm = rng.randrange(300_000, 3_000_000)
            spot = max(mark * ppm // 10**6, 1)
            twap = spot if rng.randrange(2) else max(mark * (ppm + rng.randrange(-30_000, 30_000)) // 10**6, 1)
            side = rng.choice(["LONG", "SHORT", "LP"])
            if rng.randrange(2):
                amount = rng.choice([1, 1000, big_r // 1000, big_r // 10, big_r // 2, rng.randrange(1, 2 * big_r)])
                amount = max(amount, 1)
                steps.append(tr("R", side, amount, price=spot, twap=twap, t=t))
            else:
                num = rng.randrange(1, 1000)
                steps.append(tr(side, "R", supply_part(side, num, 1000), price=spot, twap=twap, t=t))
        # resolve: run the model, record either expectations or the refusal name
        cfg_obj = Config(cfg)
        pool = None
        out = []
        for st in steps:
            st = dict(st)
            if st["op"] == "init":
                pool = Pool(cfg_obj, 0, int(st["price"]), int(st["r"]), int(st["a"]), int(st["b"]))
                out.append(st)
                continue
            amount = st["amount"]
            if callable(amount):
                amount = max(amount(pool, None), 1)
            st["amount"] = str(amount)
            try:
                new, got = pool.trade(st["t"], int(st["twap"]), int(st["spot"]), st["side_in"], st["side_out"], amount)
                st["expect"] = {k2: str(got[k2]) for k2 in TRADE_FIELDS}
                pool = new
            except Refused as e:
                st["expect_error"] = e.name
            out.append(st)
        cases.append({"name": f"fuzz seed {seed} #{len(cases)}", "config": cfg, "steps": out})
    return cases


def main(argv):
    cmd = argv[1] if len(argv) > 1 else "all"
    if cmd == "selftest":
        return 0 if selftest() else 1
    if cmd == "check":
        return 0 if check_files(argv[2:]) else 1
    if cmd == "gen":
        write_vectors(argv[2] if len(argv) > 2 else os.path.join(ROOT, "vectors", "skew_charge.json"))
        return 0
    if cmd == "fuzz":
        n, seed, path = int(argv[2]), int(argv[3]), argv[4]
        doc = {"format": "asymptote-vectors/1", "source": "skew_model.py fuzz", "cases": fuzz_cases(n, seed)}
        with open(path, "w") as f:
            json.dump(doc, f)
        print(f"wrote {n} random cases to {path}")
        return 0
    if cmd == "all":
        if not selftest():
            return 1
        write_vectors(os.path.join(ROOT, "vectors", "skew_charge.json"))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
