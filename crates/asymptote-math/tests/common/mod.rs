//! Shared generators and helpers for the property tests: random pools, random operation
//! sequences, exact (integer) comparisons and the rounding-granularity bound.
#![allow(dead_code)]

use asymptote_math::price::select_price;
use asymptote_math::{
    create, mul_div, Config, InitialSplit, Prices, Side, SkewConfig, State, MINIMUM_SUPPLY, Q128,
    Q256M, U256,
};
use proptest::prelude::*;

/// Wide enough for a product of three 256-bit numbers (cross-multiplied ratios).
pub type U1024 = ruint::Uint<1024, 16>;

pub const PPM: u64 = 1_000_000;

pub fn u(x: u128) -> U256 {
    U256::from(x)
}

pub fn w(x: U256) -> U1024 {
    U1024::from(x)
}

/// `MARK * ppm / 10^6`, at least 1.
pub fn price_at(mark: U256, ppm: u64) -> U256 {
    mul_div(mark, U256::from(ppm), U256::from(PPM))
        .unwrap()
        .max(u(1))
}

/// Power of the SHORT side for a LONG power `xk`.
pub fn short_xk(xk: U256) -> U256 {
    Q256M / xk
}

/// Coefficient granularity of one side at power `xk` (`g = xk / Q128`, real):
/// `floor(g + 1/(4g))` units of reserve.
///
/// Derivation (target reserve `t`, collateral `R`, `D = R - t`):
/// * power branch: `v = ceil(t / g)`, so `v g < t + g` and the re-evaluated `floor(v g)`
///   overshoots `t` by less than `g` (by 0 when `g <= 1`); if the overshoot crosses `R/2`
///   the flat value is `<= v g` (because `R - R^2/(4u) <= u`), so the bound still holds;
/// * flat branch: `den = floor(4 D g) > 4 D g - 1` and `v < R^2/den + 1`, so
///   `4 v g < 4 g R^2/den + 4 g` and the re-evaluated `R - r' >= R^2/(4 v g)
///   > (D - 1/(4g)) (1 - den/R^2) >= D - 1/(4g) - 4 D^2 g / R^2 > D - 1/(4g) - g`.
///
/// Both give an overshoot `< g + 1/(4g)`; it is an integer, so it is at most the floor.
/// The bound is 1 for `g` in about `(0.134, 1.866)` and grows as `x^K` or `x^-K` grows:
/// one unit of coefficient is worth `x^K` units of reserve on the power branch, and on the
/// flat branch the floored denominator `4 (R - r) x^K` has a relative step `1/(4 D g)`.
pub fn grain(xk: U256) -> U256 {
    let q = U1024::from(Q128);
    let x = U1024::from(xk);
    let four = U1024::from(4u8);
    let bound = (four * x * x + q * q) / (four * x * q);
    U256::from(bound)
}

/// `a / b <= c / d + e` for non-negative rationals (`b, d > 0`), exactly.
pub fn ratio_le_plus(a: U1024, b: U1024, c: U1024, d: U1024, e: U1024) -> bool {
    a * d <= (c + e * d) * b
}

// ---------------------------------------------------------------- pool generators

/// Which funding a generated pool has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Funding {
    None,
    InterestOnly,
    PremiumOnly,
    Both,
    Any,
}

#[derive(Debug, Clone)]
pub struct PoolSpec {
    pub k: u32,
    pub mark: U256,
    pub deposit: U256,
    /// Initial split in weights (LONG, SHORT, LP), each 20..=1000.
    pub weights: (u64, u64, u64),
    /// Creation price in ppm of MARK.
    pub price_ppm: u64,
    pub interest_hl: u64,
    pub premium_hl: u64,
    /// Opening fee in basis points (0: OPEN_RATE = Q128).
    pub open_fee_bp: u64,
    pub fee_divisor: u64,
}

impl PoolSpec {
    pub fn config(&self) -> Config {
        let mut c = Config::new(self.k, self.mark);
        c.interest_hl = self.interest_hl;
        c.premium_hl = self.premium_hl;
        c.open_rate = if self.open_fee_bp == 0 {
            Q128
        } else {
            mul_div(Q128, u(10_000 - self.open_fee_bp as u128), u(10_000)).unwrap()
        };
        c.fee_divisor = self.fee_divisor;
        c.skew = SkewConfig::NONE;
        c
    }

    pub fn price(&self) -> U256 {
        price_at(self.mark, self.price_ppm)
    }

    /// Create the pool at slot `now`: `None` if the split is refused (e.g. a reserve below
    /// the minimum for a tiny deposit).
    pub fn create(&self, now: u64) -> Option<State> {
        let (l, s, c) = self.weights;
        let total = U256::from(l + s + c);
        let long = mul_div(self.deposit, U256::from(l), total).unwrap();
        let short = mul_div(self.deposit, U256::from(s), total).unwrap();
        let split = InitialSplit::Reserves { long, short };
        create(&self.config(), self.deposit, split, self.price(), now)
            .ok()
            .map(|(state, _)| state)
    }
}

/// MARK: on-chain-sized integers, 1e21-scale ones, and Q128-scaled ones (sqrt-oracle style).
pub fn mark_strategy() -> impl Strategy<Value = U256> {
    prop_oneof![
        3 => (1_000_000_000u128..=1_000_000_000_000_000_000u128).prop_map(u),
        1 => (100_000_000_000_000_000_000u128..=10_000_000_000_000_000_000_000u128).prop_map(u),
        1 => (1u128..=1_000_000u128).prop_map(|m| u(m) << 128),
    ]
}

/// Deposit R: mostly u64 on-chain amounts, some at the 1e21 scale of the vectors, a few small.
pub fn deposit_strategy() -> impl Strategy<Value = U256> {
    prop_oneof![
        4 => (1_000_000_000u128..=1_000_000_000_000_000_000u128).prop_map(u),
        2 => (100_000_000_000_000_000_000u128..=10_000_000_000_000_000_000_000u128).prop_map(u),
        1 => (100_000u128..=1_000_000_000u128).prop_map(u),
    ]
}

/// A price ratio in ppm of MARK within 0.2x ..= 5x, half below MARK and half above.
pub fn price_ppm_strategy() -> impl Strategy<Value = u64> {
    prop_oneof![
        1 => Just(PPM),
        4 => 200_000u64..=PPM,
        4 => PPM..=5 * PPM,
    ]
}

pub fn half_life_strategy() -> impl Strategy<Value = u64> {
    prop_oneof![
        2 => Just(0u64),
        1 => 2u64..=64,
        2 => 64u64..=100_000,
        2 => 100_000u64..=1_000_000_000,
    ]
}

/// A premium half-life: 0 or >= 2 (1 is refused by the configuration).
pub fn premium_hl_strategy() -> impl Strategy<Value = u64> {
    half_life_strategy().prop_map(|h| if h == 1 { 2 } else { h })
}

pub fn pool_strategy(funding: Funding) -> impl Strategy<Value = PoolSpec> {
    let hls = match funding {
        Funding::None => (Just(0u64), Just(0u64)).boxed(),
        Funding::InterestOnly => (1u64..=1_000_000_000, Just(0u64)).boxed(),
        Funding::PremiumOnly => (Just(0u64), 2u64..=1_000_000_000).boxed(),
        Funding::Both => (1u64..=1_000_000_000, 2u64..=1_000_000_000).boxed(),
        Funding::Any => (half_life_strategy(), premium_hl_strategy()).boxed(),
    };
    (
        1u32..=8,
        mark_strategy(),
        deposit_strategy(),
        (20u64..=1000, 20u64..=1000, 20u64..=1000),
        price_ppm_strategy(),
        hls,
        prop_oneof![2 => Just(0u64), 1 => 1u64..=300],
        prop_oneof![Just(0u64), Just(5u64), 1u64..=10],
    )
        .prop_map(
            |(k, mark, deposit, weights, price_ppm, (ihl, phl), open_fee_bp, fee_divisor)| {
                PoolSpec {
                    k,
                    mark,
                    deposit,
                    weights,
                    price_ppm,
                    interest_hl: ihl,
                    premium_hl: phl,
                    open_fee_bp,
                    fee_divisor,
                }
            },
        )
}

// ---------------------------------------------------------------- operations

/// How much of something an operation moves.
#[derive(Debug, Clone, Copy)]
pub enum Size {
    /// Parts per million: of the holdings for a token, of `2 R` for collateral.
    Ppm(u64),
    /// An absolute amount (clamped to the holdings for a token).
    Units(u64),
    /// All of the holdings (for collateral: `R`).
    All,
}

#[derive(Debug, Clone, Copy)]
pub enum Op {
    Trade {
        side_in: Side,
        side_out: Side,
        size: Size,
    },
    /// Open `R -> side` and close everything received `side -> R`, same slot, one price.
    RoundTrip { side: Side, size: Size },
    /// Let slots pass.
    Advance(u64),
    /// New spot price (ppm of MARK) and EMA spread (ppm of the spot, signed).
    Move { spot_ppm: u64, spread_ppm: i64 },
    /// The funding crank.
    Crank,
}

pub fn side_strategy() -> impl Strategy<Value = Side> {
    prop_oneof![
        Just(Side::Collateral),
        Just(Side::Long),
        Just(Side::Short),
        Just(Side::Lp),
    ]
}

pub fn size_strategy() -> impl Strategy<Value = Size> {
    prop_oneof![
        6 => (1u64..=PPM).prop_map(Size::Ppm),
        2 => (1u64..=5_000).prop_map(Size::Units),
        1 => Just(Size::All),
    ]
}

pub fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => (side_strategy(), side_strategy(), size_strategy()).prop_map(
            |(side_in, side_out, size)| Op::Trade { side_in, side_out, size }
        ),
        2 => (
            prop_oneof![Just(Side::Long), Just(Side::Short), Just(Side::Lp)],
            size_strategy()
        )
            .prop_map(|(side, size)| Op::RoundTrip { side, size }),
        3 => prop_oneof![
            Just(1u64),
            1u64..=1_000,
            1_000u64..=1_000_000,
            1_000_000u64..=100_000_000,
        ]
        .prop_map(Op::Advance),
        3 => (
            price_ppm_strategy(),
            prop_oneof![Just(0i64), -20_000i64..=20_000],
        )
            .prop_map(|(spot_ppm, spread_ppm)| Op::Move { spot_ppm, spread_ppm }),
        2 => Just(Op::Crank),
    ]
}

// ---------------------------------------------------------------- the simulated world

/// A pool and the world around it: who holds the tokens, what the vault holds.
#[derive(Debug, Clone)]
pub struct World {
    pub config: Config,
    pub state: State,
    pub now: u64,
    pub spot_ppm: u64,
    pub ema_ppm: u64,
    /// Tokens held by traders (LONG, SHORT, LP): the supply minus the dead shares.
    pub hold: [U256; 3],
    /// Collateral in the vault: R plus the protocol fees owed.
    pub vault: U256,
    pub fees_owed: U256,
}

pub fn index(side: Side) -> usize {
    match side {
        Side::Long => 0,
        Side::Short => 1,
        Side::Lp => 2,
        Side::Collateral => usize::MAX,
    }
}

impl World {
    pub fn new(spec: &PoolSpec, now: u64) -> Option<Self> {
        let state = spec.create(now)?;
        let dead = U256::from(MINIMUM_SUPPLY);
        Some(Self {
            config: spec.config(),
            hold: [
                state.supply_long - dead,
                state.supply_short - dead,
                state.supply_lp - dead,
            ],
            vault: state.r,
            fees_owed: U256::ZERO,
            state,
            now,
            spot_ppm: spec.price_ppm,
            ema_ppm: spec.price_ppm,
        })
    }

    pub fn prices(&self) -> Prices {
        Prices::new(
            price_at(self.config.mark, self.spot_ppm),
            price_at(self.config.mark, self.ema_ppm),
        )
    }

    pub fn holding(&self, side: Side) -> U256 {
        self.hold[index(side)]
    }

    /// The input amount an operation asks for.
    pub fn amount(&self, side_in: Side, size: Size) -> U256 {
        if side_in == Side::Collateral {
            return match size {
                Size::Ppm(p) => mul_div(self.state.r << 1, U256::from(p), U256::from(PPM)).unwrap(),
                Size::Units(n) => U256::from(n),
                Size::All => self.state.r,
            };
        }
        let hold = self.holding(side_in);
        match size {
            Size::Ppm(p) => mul_div(hold, U256::from(p), U256::from(PPM)).unwrap(),
            Size::Units(n) => U256::from(n).min(hold),
            Size::All => hold,
        }
    }

    /// The price the crank (and LP operations) use.
    pub fn crank_xk(&self) -> U256 {
        select_price(
            self.config.mark,
            self.config.k,
            &self.state,
            self.prices(),
            Side::Collateral,
            Side::Collateral,
        )
        .unwrap()
        .xk
    }
}

/// Probes used to check `rA + rB + rC == R` "at every price": the current candidates and a
/// spread of fixed ratios of MARK.
pub const PROBE_PPM: [u64; 7] = [
    200_000, 333_333, 800_000, PPM, 1_250_000, 3_000_000, 5_000_000,
];
