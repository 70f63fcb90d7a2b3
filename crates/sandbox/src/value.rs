//! Reading the pool: its split and skew at a price, and what holdings are worth.
//! Read-only uses of the math core; every state change goes through the program.

use asymptote::state::{math_supply, PoolParams};
use asymptote_math::skew::{skew, Skew};
use asymptote_math::{mul_div, Reserves, State, U256};

use crate::params::normalised;

/// The pool's split and skew at one price.
#[derive(Debug, Clone, Copy)]
pub struct Valued {
    pub reserves: Reserves,
    pub skew: Skew,
}

/// `(rA, rB, rC)` and the skew of `state` at the Pyth price `spot` (exponent -8).
pub fn split_at(params: &PoolParams, state: &State, spot: i64) -> Result<Valued, String> {
    let config = params.math_config().map_err(|e| e.to_string())?;
    let err = |e: asymptote_math::PoolError| format!("{e:?}");
    let reserves = state
        .reserves_at(&config, U256::from(normalised(spot)))
        .map_err(err)?;
    let (long, short, lp) = (reserves.long, reserves.short, reserves.lp);
    let skew = skew(&config.skew, config.k, state.r, long, short, lp).map_err(err)?;
    Ok(Valued { reserves, skew })
}

impl Valued {
    /// Value (sub-atoms, floored) of `[collateral, LONG, SHORT, LP]` atoms held, at the
    /// pool's token prices `r_side / supply` (supplies count the dead shares).
    pub fn holdings_value(&self, state: &State, held: [u64; 4]) -> U256 {
        let mut value = U256::from(held[0]) << 64;
        let sides = [
            (held[1], self.reserves.long, state.supply_long),
            (held[2], self.reserves.short, state.supply_short),
            (held[3], self.reserves.lp, state.supply_lp),
        ];
        for (amount, reserve, supply) in sides {
            if amount > 0 && supply > U256::ZERO {
                value += mul_div(U256::from(amount), reserve, supply).unwrap_or_default();
            }
        }
        value
    }
}

/// Price of one whole token (10^decimals atoms) of a side, in collateral units, for display.
pub fn token_price(reserve: U256, mint_supply: u64) -> f64 {
    let supply = math_supply(mint_supply);
    if supply.is_zero() {
        return 0.0;
    }
    // reserve is in sub-atoms of collateral, supply in atoms: the 2^64 cancels the scale.
    f64::from(reserve) / f64::from(supply) / 2f64.powi(64)
}
