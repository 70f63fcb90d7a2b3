//! Properties of the skew charge and cap (SPEC section 6) and of the exact-input open.
//!
//! (a) splitting a collateral-in trade in one slot: what a split saves is bounded by the
//!     rounding plus an exactly computed path term (the charge and fees of the earlier
//!     pieces land in `rC`, which deepens `L` for the later ones; see `split_bound`);
//! (b) an open and the close of everything it minted cost at least the opening fee and the
//!     skew charges, minus the coefficient granularity and the share of the own surplus that
//!     a flat-branch side takes back;
//! (c) after every trade that raises `|N|` or removes LP, `|N| <= b_max L` holds on the
//!     target the cap is defined on, with `N` and `L` recomputed here (the post-trade pool,
//!     surplus included, is only measured: see `CapStats::post_over`). This found token ->
//!     token trades ending over the cap (the charge's re-solve was not re-capped; fixed in
//!     `transition.rs`, seed kept in `skew_properties.proptest-regressions`);
//! (d) `lambda = 0` is exactly the Derion path, whatever `psi`;
//! (e) the exact-input open fits the budget and one more unit of value would not (or is
//!     refused by `trade`) whenever its search converges, which is required where the cost
//!     is smooth: both sides on the power branch, coefficient granularity <= 2 on both
//!     sides, no refusal met (elsewhere the open found still fits; see `open_exact_input`).
//!
//! All comparisons are exact integer arithmetic (U1024 where products need it).
#![cfg(test)]

mod common;

use asymptote_math::skew::Skew;
use asymptote_math::{
    accrue_funding, create, open_exact_input_with_stats, trade, Config, InitialSplit, PoolError,
    Prices, Reserves, Side, SkewConfig, State, Trade, TradeOutcome, U256, U64F64,
};
use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError};

type Check = Result<(), TestCaseError>;

const Q64_U128: u128 = 1 << 64;

// ---------------------------------------------------------------- generators

/// `lambda` in a realistic range: 0.001 ..= 2 (raw 64.64), mostly below 0.1.
fn lambda_strategy() -> impl Strategy<Value = u128> {
    prop_oneof![
        3 => (Q64_U128 / 1000)..=(Q64_U128 / 10),
        1 => (Q64_U128 / 10)..=(2 * Q64_U128),
    ]
}

/// `psi` as a fraction (ppm) of the deposit, 0 = no depth cap.
fn psi_ppm_strategy() -> impl Strategy<Value = u64> {
    prop_oneof![2 => Just(0u64), 1 => 10_000u64..=PPM]
}

fn skew_config(lambda: u128, b_max: u128, psi_ppm: u64, deposit: U256) -> SkewConfig {
    SkewConfig {
        lambda: U64F64::from_bits(lambda),
        b_max: U64F64::from_bits(b_max),
        psi: if psi_ppm == 0 {
            U256::ZERO
        } else {
            mul_ppm(deposit, psi_ppm).max(u(1))
        },
    }
}

fn mul_ppm(x: U256, ppm: u64) -> U256 {
    asymptote_math::mul_div(x, U256::from(ppm), U256::from(PPM)).unwrap()
}

fn open(side_out: Side, amount: U256) -> Trade {
    Trade {
        side_in: Side::Collateral,
        side_out,
        amount,
    }
}

fn close(side_in: Side, amount: U256) -> Trade {
    Trade {
        side_in,
        side_out: Side::Collateral,
        amount,
    }
}

fn position_side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Long), Just(Side::Short), Just(Side::Lp)]
}

/// `Phi = lambda N^2 / (2 L)` with `lambda` raw 64.64: `lambda_raw N^2 / (2^65 L)`, floored
/// and ceiled (`L > 0`).
/// `Phi` of a reported skew (a charged pool always reports it).
fn phi(lambda: u128, s: &Option<Skew>) -> (U1024, U1024) {
    let s = s
        .as_ref()
        .expect("a pool with a skew charge reports its skew");
    let num = U1024::from(lambda) * w(s.magnitude) * w(s.magnitude);
    let den = w(s.depth) << 65;
    let (q, r) = num.div_rem(den);
    (q, if r.is_zero() { q } else { q + U1024::from(1u8) })
}

// ---------------------------------------------------------------- (a) splitting

/// What `n` pieces in one slot pay together versus the whole trade.
///
/// Bound. Each piece pays `S_i = ceil(max(0, Phi(after_i) - Phi(before_i))) >= Phi(after_i)
/// - Phi(before_i)` and the gross is sub-additive (`sum ceil(x_i) >= ceil(sum x_i)`), while
/// the whole trade pays `S <= Phi(after) - Phi(before_1) + 1` (or 0). Telescoping,
///
/// `sum S_i >= Phi(after_n) - Phi(before_1) + sum_{i<n} [Phi(after_i) - Phi(before_{i+1})]`,
///
/// so `sum cost_i >= cost - 1 - P` with the path term
/// `P = [Phi(after) - Phi(after_n)] - sum_{i<n} [Phi(after_i) - Phi(before_{i+1})]`.
/// `P` is not rounding: the charge is computed on the target split (before the surplus),
/// and the surplus (opening fee and charge) then stays in `R` and deepens `rC` before the
/// next piece (SPEC 4 step 6). For two pieces on the power branch with the surplus `s` of
/// the first, `P = lambda s (N_2^2 - N_1^2) / (2 L (L + s))`, about `S_2 s / L`: second
/// order, but not bounded by `n` units (measured in `splitting_saves_a_second_order_amount`).
/// Here every `Phi` is replaced by its floor or ceiling in the direction that enlarges `P`,
/// which adds at most `2n` units to it.
fn split_bound(lambda: u128, whole: &TradeOutcome, pieces: &[TradeOutcome]) -> U1024 {
    let last = &pieces[pieces.len() - 1];
    let mut plus = phi(lambda, &whole.skew_after).1;
    let mut minus = phi(lambda, &last.skew_after).0;
    for pair in pieces.windows(2) {
        // subtract Phi(after_i) - Phi(before_{i+1}): add the ceiling of before, the floor of after
        plus += phi(lambda, &pair[1].skew_before).1;
        minus += phi(lambda, &pair[0].skew_after).0;
    }
    plus.saturating_sub(minus)
}

fn split_strategy() -> impl Strategy<Value = (PoolSpec, u128, u64, Side, u64, Vec<u64>)> {
    (
        pool_strategy(Funding::None),
        lambda_strategy(),
        psi_ppm_strategy(),
        position_side(),
        1u64..=400_000,                             // value, ppm of R
        prop::collection::vec(1u64..=1_000, 2..=8), // piece weights
    )
}

fn check_split(
    spec: &PoolSpec,
    lambda: u128,
    psi_ppm: u64,
    side: Side,
    value_ppm: u64,
    weights: &[u64],
) -> Check {
    let Some(state) = spec.create(0) else {
        return Ok(());
    };
    let mut config = spec.config();
    config.skew = skew_config(lambda, 0, psi_ppm, spec.deposit);
    let prices = Prices::single(spec.price());
    let value = mul_ppm(state.r, value_ppm);
    let total: u64 = weights.iter().sum();
    let mut parts: Vec<U256> = weights
        .iter()
        .map(|&x| asymptote_math::mul_div(value, U256::from(x), U256::from(total)).unwrap())
        .collect();
    let assigned = parts.iter().fold(U256::ZERO, |a, &b| a + b);
    parts[0] += value - assigned;
    if parts.iter().any(|p| p.is_zero()) {
        return Ok(());
    }
    let Ok(whole) = trade(&config, &state, prices, 0, open(side, value)) else {
        return Ok(());
    };
    let mut s = state;
    let mut pieces = Vec::new();
    for &part in &parts {
        match trade(&config, &s, prices, 0, open(side, part)) {
            Ok(out) => {
                s = out.state;
                pieces.push(out);
            }
            Err(_) => return Ok(()),
        }
    }
    let paid = pieces.iter().fold(U1024::ZERO, |a, p| a + w(p.amount_in));
    let n = U1024::from(pieces.len());
    let path = split_bound(lambda, &whole, &pieces);
    // sum cost_i >= cost - 1 - P, with P enlarged by at most 2n by the integer Phi: so
    // sum cost_i + n + P_int >= cost holds a fortiori (n >= 2).
    prop_assert!(
        paid + n + path >= w(whole.amount_in),
        "{side:?} split {parts:?}: pieces paid {paid}, whole {} (path term {path})",
        whole.amount_in
    );
    // Without any skew charge on the pieces there is no path term: the plain bound.
    if pieces.iter().all(|p| p.skew_charge.is_zero()) && whole.skew_charge.is_zero() {
        prop_assert!(paid + n >= w(whole.amount_in));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// (a) Splitting one collateral-in trade into pieces in one slot saves at most the
    /// rounding plus the path term of `split_bound`.
    #[test]
    fn splitting_saves_at_most_rounding_plus_the_surplus_path_term(
        (spec, lambda, psi_ppm, side, value_ppm, weights) in split_strategy()
    ) {
        check_split(&spec, lambda, psi_ppm, side, value_ppm, &weights)?;
    }
}

/// The path term in numbers (same pool as the skew-charge vectors): opening 100e18 of LONG
/// at MARK on the 1000e18 thirds pool, `lambda` 0.02, whole versus ten pieces of 10e18.
/// The whole pays S = 1.2e18; the ten pieces together pay 1867083252632780 (about 0.16% of
/// S) less, because each piece's charge deepens `rC` for the next. At `lambda = 1` the same
/// split saves 4.08e18 of S = 60e18 (6.8%). The figures are those of the independent
/// model (`scripts/skew_model.py`), which agrees with this crate to the unit.
#[test]
fn splitting_saves_a_second_order_amount() {
    let mark = U256::from(3000u32) << 128;
    let deposit = U256::from(1000u128 * 1_000_000_000_000_000_000);
    let cases = [
        (
            Q64_U128 / 50,
            "101199999999999999999",
            "101198132916747367219",
        ),
        (Q64_U128, "160000000000000000000", "155916698343671910319"),
    ];
    for (lambda, whole_paid, split_paid) in cases {
        let mut config = Config::new(2, mark);
        config.skew = skew_config(lambda, 0, 0, deposit);
        let (state, _) = create(&config, deposit, InitialSplit::Thirds, mark, 0).unwrap();
        let prices = Prices::single(mark);
        let tenth = U256::from(10u128 * 1_000_000_000_000_000_000);
        let whole = trade(&config, &state, prices, 0, open(Side::Long, tenth * u(10))).unwrap();
        let mut s = state;
        let mut pieces = Vec::new();
        for _ in 0..10 {
            let out = trade(&config, &s, prices, 0, open(Side::Long, tenth)).unwrap();
            s = out.state;
            pieces.push(out);
        }
        let paid = pieces.iter().fold(U256::ZERO, |a, p| a + p.amount_in);
        assert_eq!(whole.amount_in.to_string(), whole_paid);
        assert_eq!(paid.to_string(), split_paid);
        let path = split_bound(lambda, &whole, &pieces);
        assert!(w(paid) + U1024::from(10u8) + path >= w(whole.amount_in));
        // the strict form "pieces pay at least the whole minus n units" does not hold
        assert!(w(paid) + U1024::from(10u8) < w(whole.amount_in));
        // the saving is the path term to within the 2n units of its integer evaluation
        let saving = w(whole.amount_in - paid);
        assert!(saving <= path + U1024::from(1u8) && path <= saving + U1024::from(21u8));
    }
}

// ---------------------------------------------------------------- (b) round trips

fn side_grain(side: Side, xk: U256) -> U256 {
    match side {
        Side::Long => grain(xk),
        Side::Short => grain(short_xk(xk)),
        Side::Lp | Side::Collateral => U256::ZERO,
    }
}

/// `(b)`: open `value` of `side` and close every token minted, one slot, the two candidate
/// prices (each trade takes the one worse for the trader).
///
/// Bound. The open pays `v + fee + S_open`, credits the re-evaluated target
/// `rX1 <= rX + v + o1` (`o1 <= grain` of the side at the open's price, 0 for LP) and mints
/// `n <= sX (rX1 - rX) / rX`, i.e. `n rX1 / (sX + n) <= rX1 - rX`. The surplus `fee + S_open`
/// stays in `R` without a re-solve: on the power branch it leaves `rX` alone, on the flat
/// branch it lifts it, and for LP all of it lands in `rC`. The close values the `n` tokens at
/// the pool's actual reserve `rX'` at its own price, so it pays at most
/// `rX1 - rX + ceil(n max(rX' - rX1, 0) / (sX + n))` and keeps its own charge `S_close`. If
/// the close burns fewer than `n` tokens (its own re-solve overshoots by `o2 <= grain`; LP
/// values `amount - 1`), the leftovers are valued at the pool after the close, which adds at
/// most `o2` and their share of the close's surplus. So, with `W` what the trader ends with
/// (collateral plus leftovers): `paid + o1 + o2 + leaks + 1 >= W + fee + S_open + S_close`.
/// Tight: adding 1% of the fees and 3 units to the right side fails at once.
fn check_round_trip(
    config: &Config,
    state: &State,
    prices: Prices,
    side: Side,
    value: U256,
) -> Check {
    let Ok(opened) = trade(config, state, prices, 0, open(side, value)) else {
        return Ok(());
    };
    let n = opened.amount_out;
    if n.is_zero() {
        return Ok(());
    }
    let Ok(closed) = trade(config, &opened.state, prices, 0, close(side, n)) else {
        return Ok(());
    };
    if closed.amount_in > n {
        // burns more than the trader holds (the program's burn would fail): no round trip
        return Ok(());
    }
    // the re-evaluated target of a trade: for LP, R1 - rA1 - rB1 (`after.lp` has the surplus)
    let target = |o: &TradeOutcome, r1: U256| match side {
        Side::Lp => r1 - o.after.long - o.after.short,
        _ => o.after.get(side),
    };
    let sum = |r: &Reserves| r.long + r.short + r.lp;
    // open: target at R + v, actual reserve of the pool after the open at the close's price
    let t1 = target(&opened, sum(&opened.before) + opened.value);
    let a1 = closed.before.get(side);
    let s1 = opened.state.supply(side);
    let leak1 = (w(n) * w(a1.saturating_sub(t1)) + w(s1) - U1024::from(1u8)) / w(s1);
    // close: leftovers and their share of the close's surplus, at the pool after the close
    let leftover = n - closed.amount_in;
    let t2 = target(&closed, sum(&closed.before) - closed.value);
    let a2 = Reserves::of(&closed.state, closed.price.xk)
        .unwrap()
        .get(side);
    let s2 = closed.state.supply(side);
    let leak2 = (w(leftover) * w(a2.saturating_sub(t2)) + w(s2) - U1024::from(1u8)) / w(s2);
    let o = side_grain(side, opened.price.xk) + side_grain(side, closed.price.xk);
    let taken_close = closed.value - closed.amount_out;
    let fees = w(opened.opening_fee) + w(opened.skew_charge) + w(taken_close);
    // W * s2 = received * s2 + leftover * a2
    let lhs = (w(opened.amount_in) + w(o) + leak1 + leak2 + U1024::from(1u8)) * w(s2);
    let rhs = (w(closed.amount_out) + fees) * w(s2) + w(leftover) * w(a2);
    prop_assert!(
        lhs >= rhs,
        "{side:?} {value}: paid {} received {} + {leftover} tokens ({a2}/{s2}), fee {} \
         S_open {} S_close {taken_close}, grain {o}, leaks {leak1} {leak2}",
        opened.amount_in,
        closed.amount_out,
        opened.opening_fee,
        opened.skew_charge,
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(800))]

    /// (b) Open then close at one slot and price costs at least the fees and charges.
    #[test]
    fn round_trip_costs_at_least_the_fees(
        spec in pool_strategy(Funding::None),
        lambda in lambda_strategy(),
        psi_ppm in psi_ppm_strategy(),
        side in position_side(),
        value_ppm in 1u64..=500_000,
        spread_ppm in prop_oneof![Just(0u64), 1u64..=20_000],
    ) {
        let Some(state) = spec.create(0) else { return Ok(()) };
        let mut config = spec.config();
        config.skew = skew_config(lambda, 0, psi_ppm, spec.deposit);
        let spot = spec.price();
        // the two candidate prices: open and close each take the worse one for the trader
        let prices = Prices::new(spot, spot + mul_ppm(spot, spread_ppm));
        let value = mul_ppm(state.r, value_ppm).max(u(1));
        check_round_trip(&config, &state, prices, side, value)?;
    }
}

// ---------------------------------------------------------------- (c) the cap

/// `K min(r, R - r)`, written out again here (not `skew::exposure`).
fn exposure(k: u32, r: U256, big_r: U256) -> U256 {
    U256::from(k) * r.min(big_r - r)
}

/// `(|N|, L)` of a split, computed independently of the crate's `skew`.
fn net_and_depth(config: &Config, big_r: U256, long: U256, short: U256) -> (U256, U256) {
    let (ea, eb) = (
        exposure(config.k, long, big_r),
        exposure(config.k, short, big_r),
    );
    let lp = big_r - long - short;
    let depth = if config.skew.psi.is_zero() {
        lp
    } else {
        lp.min(config.skew.psi)
    };
    (if ea >= eb { ea - eb } else { eb - ea }, depth)
}

/// `|N| <= b_max L` with `b_max` raw 64.64, exactly.
fn within_cap(config: &Config, n: U256, l: U256) -> bool {
    (w(n) << 64) <= U1024::from(config.skew.b_max.to_bits()) * w(l)
}

#[derive(Debug, Default)]
struct CapStats {
    checked: u64,
    refused: u64,
    /// Raising trades or LP removals whose post-trade pool (surplus included) is over the cap
    /// although their target is not. Seen only with a binding depth cap `psi` and a side on
    /// the flat branch: the surplus (charge, opening fee) stays in `R` (SPEC 4 step 6) and
    /// lifts that side's exposure `K (R - r) = K R^2 / (4u)`, while `L = psi` cannot grow.
    /// Measured (3000 sequences): 8 of 6216 checked trades, e.g. K = 3, psi = 4.59e17,
    /// b_max = 3.54: target |N1| / L1 = 3.33, pool after the trade |N| / L = 7.51, with
    /// S = 2.26e18 left in R. SPEC defines the cap on the target, so this is not asserted.
    post_over: u64,
}

fn run_cap_sequence(world: &mut World, ops: &[Op], stats: &mut CapStats) -> Check {
    for op in ops {
        let reqs: Vec<Trade> = match *op {
            Op::Trade {
                side_in,
                side_out,
                size,
            } => vec![Trade {
                side_in,
                side_out,
                amount: world.amount(side_in, size),
            }],
            Op::RoundTrip { side, size } => vec![open(side, world.amount(Side::Collateral, size))],
            Op::Advance(slots) => {
                world.now += slots;
                vec![]
            }
            Op::Move { spot_ppm, .. } => {
                world.spot_ppm = spot_ppm;
                world.ema_ppm = spot_ppm;
                vec![]
            }
            Op::Crank => {
                if let Ok((next, charges)) =
                    accrue_funding(&world.config, &world.state, world.prices(), world.now)
                {
                    world.fees_owed += charges.protocol_fee;
                    world.state = next;
                }
                vec![]
            }
        };
        for req in reqs {
            if req.amount.is_zero() || req.side_in == req.side_out {
                continue;
            }
            let out = match trade(&world.config, &world.state, world.prices(), world.now, req) {
                Ok(out) => out,
                Err(PoolError::SkewCapExceeded) => {
                    stats.refused += 1;
                    continue;
                }
                Err(_) => continue,
            };
            if req.side_in.is_token() && out.amount_in > world.holding(req.side_in) {
                continue;
            }
            // The split the trade starts from (after funding) and the target the cap is
            // defined on (R1, rA1, rB1 of the re-evaluated target, before any surplus).
            let r0 = out.before.long + out.before.short + out.before.lp;
            let (n0, _) = net_and_depth(&world.config, r0, out.before.long, out.before.short);
            let r1 = match (req.side_in, req.side_out) {
                (Side::Collateral, _) => r0 + out.value,
                (_, Side::Collateral) => r0 - out.value,
                _ => out.state.r,
            };
            let (n1, l1) = net_and_depth(&world.config, r1, out.after.long, out.after.short);
            if n1 > n0 || req.side_in == Side::Lp {
                stats.checked += 1;
                prop_assert!(
                    within_cap(&world.config, n1, l1),
                    "{req:?}: |N1| {n1} > b_max L1 ({l1})"
                );
                // The pool as it is after the trade (surplus in R), at the trade's price.
                let r = Reserves::of(&out.state, out.price.xk).unwrap();
                let (n, l) = net_and_depth(&world.config, out.state.r, r.long, r.short);
                if !within_cap(&world.config, n, l) {
                    stats.post_over += 1;
                }
            }
            // apply
            if req.side_in == Side::Collateral {
                world.vault += out.amount_in;
            } else {
                world.hold[index(req.side_in)] -= out.amount_in;
            }
            if req.side_out == Side::Collateral {
                world.vault -= out.amount_out;
            } else {
                world.hold[index(req.side_out)] += out.amount_out;
            }
            world.fees_owed += out.funding.protocol_fee;
            world.state = out.state;
        }
    }
    Ok(())
}

fn cap_strategy() -> impl Strategy<Value = (PoolSpec, u128, u128, u64, Vec<Op>)> {
    (
        pool_strategy(Funding::Any),
        prop_oneof![Just(0u128), lambda_strategy()],
        (Q64_U128 / 10)..=(6 * Q64_U128),
        psi_ppm_strategy(),
        prop::collection::vec(op_strategy(), 1..=30),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// (c) After every trade that raises |N| or removes LP, |N1| <= b_max L1.
    #[test]
    fn the_cap_holds_after_every_raising_trade(
        (spec, lambda, b_max, psi_ppm, ops) in cap_strategy()
    ) {
        let Some(mut world) = World::new(&spec, 1_000) else { return Ok(()) };
        world.config.skew = skew_config(lambda, b_max, psi_ppm, spec.deposit);
        let mut stats = CapStats::default();
        run_cap_sequence(&mut world, &ops, &mut stats)?;
    }
}

/// The cap generator exercises the cap: refusals happen and raising trades are checked.
/// Run with `--nocapture` for the counts, including trades whose post-trade pool (with the
/// surplus in `R`) is over the cap although their target is not.
#[test]
fn cap_sequences_refuse_and_check() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(150));
    let stats = std::cell::RefCell::new(CapStats::default());
    runner
        .run(&cap_strategy(), |(spec, lambda, b_max, psi_ppm, ops)| {
            if let Some(mut world) = World::new(&spec, 1_000) {
                world.config.skew = skew_config(lambda, b_max, psi_ppm, spec.deposit);
                run_cap_sequence(&mut world, &ops, &mut stats.borrow_mut())?;
            }
            Ok(())
        })
        .unwrap();
    let stats = stats.into_inner();
    println!("{stats:#?}");
    assert!(stats.refused > 0 && stats.checked > 0);
}

// ---------------------------------------------------------------- (d) lambda = 0

/// Everything a trade reports except the skew fields (checked apart: neither pool
/// reports one).
fn derion_view(o: &TradeOutcome) -> impl PartialEq + std::fmt::Debug {
    (
        o.state,
        o.amount_in,
        o.amount_out,
        o.value,
        o.opening_fee,
        o.skew_charge,
        o.funding,
        o.price,
        o.before,
        o.after,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// (d) A pool with lambda = 0 (and no cap), whatever its psi, trades exactly as the
    /// pure Derion configuration, operation after operation.
    #[test]
    fn lambda_zero_is_exactly_derion(
        spec in pool_strategy(Funding::Any),
        psi_ppm in psi_ppm_strategy(),
        ops in prop::collection::vec(op_strategy(), 1..=30),
    ) {
        let Some(mut derion) = World::new(&spec, 1_000) else { return Ok(()) };
        derion.config.skew = SkewConfig::NONE;
        let mut zero = derion.clone();
        zero.config.skew = skew_config(0, 0, psi_ppm, spec.deposit);
        for op in &ops {
            let req = match *op {
                Op::Trade { side_in, side_out, size } => Trade {
                    side_in,
                    side_out,
                    amount: derion.amount(side_in, size),
                },
                Op::RoundTrip { side, size } => open(side, derion.amount(Side::Collateral, size)),
                Op::Advance(slots) => {
                    derion.now += slots;
                    zero.now += slots;
                    continue;
                }
                Op::Move { spot_ppm, spread_ppm } => {
                    let ema = spot_ppm as i128 * (PPM as i128 + spread_ppm as i128) / PPM as i128;
                    for world in [&mut derion, &mut zero] {
                        world.spot_ppm = spot_ppm;
                        world.ema_ppm = (ema as u64).clamp(200_000, 5 * PPM);
                    }
                    continue;
                }
                Op::Crank => {
                    let a = accrue_funding(&derion.config, &derion.state, derion.prices(), derion.now);
                    let b = accrue_funding(&zero.config, &zero.state, zero.prices(), zero.now);
                    prop_assert_eq!(a, b);
                    if let Ok((next, _)) = a {
                        derion.state = next;
                        zero.state = next;
                    }
                    continue;
                }
            };
            let a = trade(&derion.config, &derion.state, derion.prices(), derion.now, req);
            let b = trade(&zero.config, &zero.state, zero.prices(), zero.now, req);
            match (&a, &b) {
                (Ok(x), Ok(y)) => {
                    prop_assert_eq!(derion_view(x), derion_view(y));
                    prop_assert!(y.skew_charge.is_zero());
                    // Neither pool has a charge or a cap: no skew is computed or reported.
                    prop_assert_eq!((x.skew_before, x.skew_after), (None, None));
                    prop_assert_eq!((y.skew_before, y.skew_after), (None, None));
                    let (hold_ok, next) = (
                        !req.side_in.is_token() || x.amount_in <= derion.holding(req.side_in),
                        x.state,
                    );
                    if hold_ok {
                        for world in [&mut derion, &mut zero] {
                            if req.side_in.is_token() {
                                world.hold[index(req.side_in)] -= x.amount_in;
                            }
                            if req.side_out.is_token() {
                                world.hold[index(req.side_out)] += x.amount_out;
                            }
                            world.state = next;
                        }
                    }
                }
                (Err(x), Err(y)) => prop_assert_eq!(x, y),
                _ => prop_assert!(false, "{req:?}: {a:?} vs {b:?}"),
            }
        }
    }
}

// ---------------------------------------------------------------- (e) exact input

#[derive(Debug, Default)]
struct ExactStats {
    ok: u64,
    too_small: u64,
    charged: u64,
    evaluations: [u64; 9],
    /// Opens whose value + 1 is refused by the target checks rather than over budget, and
    /// among them those whose value + 2 would fit.
    next_refused: std::collections::BTreeMap<&'static str, u64>,
    next_next_fits: u64,
    /// Searches that returned a refusal (every value tried was refused).
    refused: std::collections::BTreeMap<&'static str, u64>,
    /// (side, largest granularity, gap left, budget) of searches that ran out of evaluations.
    not_converged: Vec<(Side, U256, U256, U256)>,
}

fn budget_strategy() -> impl Strategy<Value = (bool, u64)> {
    prop_oneof![
        1 => (Just(true), 1u64..=5_000),          // absolute units
        4 => (Just(false), 1u64..=600_000),       // ppm of R
    ]
}

#[allow(clippy::too_many_arguments)]
fn check_exact_input(
    spec: &PoolSpec,
    lambda: u128,
    psi_ppm: u64,
    side: Side,
    budget: (bool, u64),
    advance: u64,
    spread_ppm: u64,
    stats: &mut ExactStats,
) -> Check {
    let Some(state) = spec.create(0) else {
        return Ok(());
    };
    let mut config = spec.config();
    config.skew = skew_config(lambda, 0, psi_ppm, spec.deposit);
    let spot = spec.price();
    let prices = Prices::new(spot, spot + mul_ppm(spot, spread_ppm));
    let budget = if budget.0 {
        U256::from(budget.1)
    } else {
        mul_ppm(state.r, budget.1).max(u(1))
    };
    let now = advance;
    let cost = |v: U256| trade(&config, &state, prices, now, open(side, v));
    let (result, search) = open_exact_input_with_stats(&config, &state, prices, now, side, budget);
    prop_assert!(search.evaluations <= 8);
    if !search.converged {
        // Allowed only where the cost is not smooth at the unit scale (see `open_exact_input`):
        // `trade` refused values on the way, a coefficient granularity of 3 or more units on
        // either side at either candidate price (x^K or x^-K above about 2.9: the cost is a
        // staircase), or LONG or SHORT on the flat branch before the open or at the answer
        // (its re-solve at the new R jitters, its exposure K (R - r) kinks at R / 2). Even
        // then the open fits the budget.
        prop_assert!(
            result.as_ref().map_or(true, |o| o.amount_in <= budget),
            "{side:?} {budget}: {result:?}"
        );
        let coarse = [prices.spot, prices.ema]
            .into_iter()
            .map(|p| asymptote_math::xk(p, config.mark, config.k).unwrap())
            .flat_map(|x| [grain(x), grain(short_xk(x))])
            .max()
            .unwrap_or_default();
        let flat = result.as_ref().map_or(true, |o| {
            let r0 = o.before.long + o.before.short + o.before.lp;
            let r1 = r0 + o.value;
            [o.before.long, o.before.short].iter().any(|&r| r > r0 >> 1)
                || [o.after.long, o.after.short].iter().any(|&r| r > r1 >> 1)
        });
        stats.not_converged.push((side, coarse, search.gap, budget));
        prop_assert!(
            coarse >= u(3) || flat || search.refusals > 0,
            "{side:?} budget {budget}: not converged on a smooth cost: {search:?} {result:?}"
        );
        return Ok(());
    }
    stats.evaluations[search.evaluations] += 1;
    match result {
        Ok(out) => {
            stats.ok += 1;
            if !out.skew_charge.is_zero() {
                stats.charged += 1;
            }
            prop_assert!(
                out.amount_in <= budget,
                "{side:?}: paid {} > {budget}",
                out.amount_in
            );
            // it is exactly the trade of that value
            let again = cost(out.value);
            prop_assert_eq!(again.as_ref().ok(), Some(&out));
            // and one more unit of value does not fit, or is refused by `trade` itself (the
            // re-solve's rounding refuses isolated values, SPEC 4.4; see `open_exact_input`)
            match cost(out.value + u(1)) {
                Ok(n) => prop_assert!(
                    n.amount_in > budget,
                    "{side:?} budget {budget}: value {} fits, value + 1 costs {}",
                    out.value,
                    n.amount_in
                ),
                Err(e) => {
                    *stats.next_refused.entry(e.name()).or_default() += 1;
                    if cost(out.value + u(2)).is_ok_and(|n| n.amount_in <= budget) {
                        stats.next_next_fits += 1;
                    }
                }
            }
        }
        Err(PoolError::InputTooSmall) => {
            stats.too_small += 1;
            let one = cost(u(1));
            prop_assert!(
                one.as_ref().map_or(true, |o| o.amount_in > budget),
                "{side:?} budget {budget}: InputTooSmall but one unit costs {:?}",
                one.map(|o| o.amount_in)
            );
        }
        Err(e) => {
            // every value that fits the gross was refused by `trade`
            *stats.refused.entry(e.name()).or_default() += 1;
            let v_max = asymptote_math::mul_div(
                budget,
                if side == Side::Lp {
                    asymptote_math::Q128
                } else {
                    config.open_rate
                },
                asymptote_math::Q128,
            )
            .unwrap();
            if v_max <= u(64) {
                for v in 1..=v_max.to::<u64>() {
                    let o = cost(U256::from(v));
                    prop_assert!(
                        o.as_ref().map_or(true, |o| o.amount_in > budget),
                        "{side:?} budget {budget}: {e} but {v} fits"
                    );
                }
            }
        }
    }
    Ok(())
}

fn exact_strategy() -> impl Strategy<Value = (PoolSpec, u128, u64, Side, (bool, u64), u64, u64)> {
    (
        pool_strategy(Funding::Any),
        lambda_strategy(),
        psi_ppm_strategy(),
        position_side(),
        budget_strategy(),
        prop_oneof![Just(0u64), 1u64..=1_000_000],
        prop_oneof![Just(0u64), 1u64..=20_000],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// (e) The exact-input open never exceeds the budget, and one more unit of value would.
    #[test]
    fn exact_input_fits_and_leaves_at_most_one_unit(
        (spec, lambda, psi_ppm, side, budget, advance, spread) in exact_strategy()
    ) {
        let mut stats = ExactStats::default();
        check_exact_input(&spec, lambda, psi_ppm, side, budget, advance, spread, &mut stats)?;
    }
}

/// The exact-input generator reaches charged opens and the search's cost: run with
/// `--nocapture` for the distribution of `trade` evaluations per open.
#[test]
fn exact_input_search_statistics() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(3000));
    let stats = std::cell::RefCell::new(ExactStats::default());
    runner
        .run(
            &exact_strategy(),
            |(spec, lambda, psi_ppm, side, budget, advance, spread)| {
                check_exact_input(
                    &spec,
                    lambda,
                    psi_ppm,
                    side,
                    budget,
                    advance,
                    spread,
                    &mut stats.borrow_mut(),
                )
            },
        )
        .unwrap();
    let stats = stats.into_inner();
    println!("{stats:#?}");
    assert!(stats.ok > 0 && stats.charged > 0);
}
