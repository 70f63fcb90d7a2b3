//! Pure math of an Asymptote pool: no Solana types, usable on chain and off.
//!
//! * [`wide`]: U256 with 512-bit `mul_div` / `mul_div_up` (checked, located errors).
//! * [`exp2`]: the reference's 64.64 `exp2` and the half-life decay factor.
//! * [`price`]: `xk = (price/MARK)^K` and the choice between spot and EMA.
//! * [`curve`]: the asymptotic power curve, its inverse and the solvency condition.
//! * [`funding`]: interest, premium and protocol fee per slot.
//! * [`skew`]: the hAMM skew charge and cap.
//! * [`transition`]: trades (one side in, one side out) and the funding crank.
//! * [`exact_input`]: the exact-input open (the most value a collateral budget buys).
//! * `approx`: 64-bit-mantissa numbers for the exact-input open's model (never an amount).
//!
//! Rounding always favours the pool: what a user receives is floored, what a user pays
//! is ceiled.
#![cfg_attr(not(feature = "std"), no_std)]

mod approx;
pub mod curve;
pub mod error;
pub mod exact_input;
pub mod exp2;
pub mod funding;
pub mod pool;
pub mod price;
pub mod skew;
pub mod transition;
pub mod wide;

pub use error::{ArithmeticError, ArithmeticKind, PoolError, PoolResult};
pub use exact_input::{
    open_exact_input, open_exact_input_with_stats, open_first_guess, open_first_guess_funded,
    open_next_guess, SearchStats,
};
pub use fixed::types::{I64F64, U64F64};
pub use pool::{
    create, Config, InitialSplit, Reserves, Side, State, MINIMUM_RESERVE, MINIMUM_SUPPLY,
};
pub use price::{xk, Powers, Prices, SelectedPrice};
pub use skew::SkewConfig;
pub use transition::{
    accrue_funding, accrue_funding_at, fund, trade, trade_funded, Accrual, Funding, Trade,
    TradeOutcome,
};
pub use wide::{mul_div, mul_div_up, mul_shr, mul_shr_up, Q126, Q128, Q256M, Q64, U256, U512};
