//! Pool configuration, state and creation.

use crate::curve::{check_solvent, coefficient, evaluate};
use crate::error::{ArithmeticError, PoolError, PoolResult};
use crate::price::{inverse_xk, xk};
use crate::skew::SkewConfig;
use crate::wide::{div, mul_div_up, q128_div_up_by, sub, Q128, U256};

/// The last `MINIMUM_SUPPLY` units of every token supply are locked for ever (dead shares).
pub const MINIMUM_SUPPLY: u64 = 1000;
/// A side receiving value must keep at least this reserve.
pub const MINIMUM_RESERVE: u64 = 1000;
/// Largest power accepted at configuration (x^64 already spans 2^±128 for a 4x price move).
pub const MAX_K: u32 = 64;
/// Protocol-fee divisor of the reference: one fifth of the interest.
pub const DEFAULT_FEE_DIVISOR: u64 = 5;

/// One of the four things a pool trades: collateral R and its three tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Collateral,
    Long,
    Short,
    Lp,
}

impl Side {
    pub const ALL: [Side; 4] = [Side::Collateral, Side::Long, Side::Short, Side::Lp];

    pub fn is_token(self) -> bool {
        self != Side::Collateral
    }

    /// LONG or SHORT: the sides an opening fee applies to.
    pub fn is_position(self) -> bool {
        matches!(self, Side::Long | Side::Short)
    }
}

/// Immutable pool parameters. Time is in slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Power `K` of the price ratio (positive).
    pub k: u32,
    /// Reference price; only `price / MARK` matters.
    pub mark: U256,
    /// Interest half-life in slots (0 disables interest).
    pub interest_hl: u64,
    /// Premium half-life in slots (0 disables the premium; 1 is refused).
    pub premium_hl: u64,
    /// Opening rate in Q128 (`Q128` = no opening fee).
    pub open_rate: U256,
    /// An estimate from below of `2^256 / open_rate`, within a few units (0: none). The
    /// opening fee's gross-up `ceil(v Q128 / open_rate)` then comes from products, checked
    /// exactly, instead of a quotient, and the exact-input model takes it as is; any
    /// estimate gives the same trades.
    pub open_rate_inverse: U256,
    /// Protocol fee = interest / `fee_divisor` (0: no protocol fee).
    pub fee_divisor: u64,
    /// hAMM skew charge (`lambda = 0`: none, exactly Derion).
    pub skew: SkewConfig,
}

impl Config {
    /// Derion defaults for a power and a mark: no funding, no fees, no skew charge.
    pub fn new(k: u32, mark: U256) -> Self {
        Self {
            k,
            mark,
            interest_hl: 0,
            premium_hl: 0,
            open_rate: Q128,
            open_rate_inverse: U256::ZERO,
            fee_divisor: DEFAULT_FEE_DIVISOR,
            skew: SkewConfig::NONE,
        }
    }

    /// `ceil(value Q128 / open_rate)`: what `value` into LONG or SHORT costs with the opening
    /// fee.
    pub fn grossed_up(&self, value: U256) -> Result<U256, ArithmeticError> {
        if self.open_rate_inverse.is_zero() {
            mul_div_up(value, Q128, self.open_rate)
        } else {
            q128_div_up_by(value, self.open_rate, self.open_rate_inverse)
        }
    }

    pub fn validate(&self) -> PoolResult<()> {
        if self.k == 0 || self.k > MAX_K {
            return Err(PoolError::InvalidPower);
        }
        if self.mark.is_zero() {
            return Err(PoolError::InvalidMark);
        }
        if self.premium_hl == 1 {
            return Err(PoolError::PremiumHalfLifeOne);
        }
        if self.open_rate.is_zero() || self.open_rate > Q128 {
            return Err(PoolError::InvalidOpenRate);
        }
        self.skew.validate()
    }
}

/// Mutable pool state: collateral in the books, curve coefficients, supplies, timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    /// Collateral `R` in the pool's books (protocol fees owed are not part of it).
    pub r: U256,
    /// LONG coefficient `a`: the LONG reserve at `x = 1` on the power branch.
    pub a: U256,
    /// SHORT coefficient `b`.
    pub b: U256,
    pub supply_long: U256,
    pub supply_short: U256,
    pub supply_lp: U256,
    /// Slot of the last interest charge.
    pub last_interest: u64,
    /// Slot up to which the premium was charged.
    pub last_premium: u64,
}

impl State {
    pub fn supply(&self, side: Side) -> U256 {
        match side {
            Side::Collateral => self.r,
            Side::Long => self.supply_long,
            Side::Short => self.supply_short,
            Side::Lp => self.supply_lp,
        }
    }

    pub(crate) fn supply_mut(&mut self, side: Side) -> Option<&mut U256> {
        match side {
            Side::Collateral => None,
            Side::Long => Some(&mut self.supply_long),
            Side::Short => Some(&mut self.supply_short),
            Side::Lp => Some(&mut self.supply_lp),
        }
    }

    /// Reserves `(rA, rB, rC)` at a given price.
    pub fn reserves_at(&self, config: &Config, price: U256) -> PoolResult<Reserves> {
        let xk = xk(price, config.mark, config.k)?;
        Reserves::of(self, xk)
    }
}

/// The split of `R` at one price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reserves {
    pub long: U256,
    pub short: U256,
    pub lp: U256,
}

impl Reserves {
    pub fn of(state: &State, xk: U256) -> PoolResult<Self> {
        let (long, short) = evaluate(state.r, state.a, state.b, xk)?;
        let lp = sub(sub(state.r, long)?, short)?;
        Ok(Self { long, short, lp })
    }

    pub fn get(&self, side: Side) -> U256 {
        match side {
            Side::Long => self.long,
            Side::Short => self.short,
            Side::Lp => self.lp,
            Side::Collateral => self.long.saturating_add(self.short).saturating_add(self.lp),
        }
    }
}

/// How the initial deposit is split between LONG, SHORT and LP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitialSplit {
    /// One third each at the creation price (the default).
    Thirds,
    /// Explicit coefficients (the conformance vectors' `a`, `b`).
    Coefficients { a: U256, b: U256 },
    /// Target LONG and SHORT reserves at the creation price; LP gets the rest.
    Reserves { long: U256, short: U256 },
}

/// Create a pool holding `deposit` at `price`: coefficients from the split, supplies equal
/// to the reserves (one token = one unit of collateral), timers at `now`.
pub fn create(
    config: &Config,
    deposit: U256,
    split: InitialSplit,
    price: U256,
    now: u64,
) -> PoolResult<(State, Reserves)> {
    config.validate()?;
    let xk = xk(price, config.mark, config.k)?;
    let (a, b) = match split {
        InitialSplit::Coefficients { a, b } => (a, b),
        InitialSplit::Thirds => {
            let third = div(deposit, U256::from(3u8))?;
            (
                coefficient(third, xk, deposit)?,
                coefficient(third, inverse_xk(xk)?, deposit)?,
            )
        }
        InitialSplit::Reserves { long, short } => (
            coefficient(long, xk, deposit)?,
            coefficient(short, inverse_xk(xk)?, deposit)?,
        ),
    };
    check_solvent(deposit, a, b)?;
    let mut state = State {
        r: deposit,
        a,
        b,
        supply_long: U256::ZERO,
        supply_short: U256::ZERO,
        supply_lp: U256::ZERO,
        last_interest: now,
        last_premium: now,
    };
    let reserves = Reserves::of(&state, xk)?;
    let minimum = U256::from(MINIMUM_RESERVE);
    if reserves.long < minimum || reserves.short < minimum || reserves.lp < minimum {
        return Err(PoolError::InitialReserveTooSmall);
    }
    state.supply_long = reserves.long;
    state.supply_short = reserves.short;
    state.supply_lp = reserves.lp;
    Ok((state, reserves))
}
