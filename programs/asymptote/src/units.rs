//! Collateral precision on chain.
//!
//! The math core reproduces Derion to the unit, including its rounding: re-solving a
//! coefficient (rounded up) can hand the receiving side up to about `x^K` units of reserve
//! more than its target, taken from LP. On an EVM pool those units are wei; in `u64` atoms
//! they could be worth more than a transaction fee. The program therefore runs the math on
//! collateral in *sub-atoms*: atoms times `2^64`. The curve's rounding dust stays below one
//! atom for any `x^K < 2^64`, and what moves in or out of the vault is rounded to whole
//! atoms in the pool's favour (payments up, payouts down), the difference staying in `R`.
//! Token amounts (LONG, SHORT, LP) stay in atoms: the math core only uses their ratios.

use anchor_lang::prelude::*;
use asymptote_math::U256;

use crate::error::AsymptoteError;

/// Fraction bits of a sub-atom.
pub const SUB_ATOM_BITS: usize = 64;

/// Atoms to sub-atoms.
pub fn sub_atoms(atoms: u64) -> U256 {
    U256::from(atoms) << SUB_ATOM_BITS
}

/// Sub-atoms to whole atoms rounded down (what a user receives), and the remainder.
pub fn atoms_down(x: U256) -> Result<(u64, U256)> {
    let whole = x >> SUB_ATOM_BITS;
    let rest = x - (whole << SUB_ATOM_BITS);
    Ok((narrow(whole)?, rest))
}

/// Sub-atoms to whole atoms rounded up (what a user pays), and the surplus it leaves.
pub fn atoms_up(x: U256) -> Result<(u64, U256)> {
    let (whole, rest) = atoms_down(x)?;
    if rest.is_zero() {
        return Ok((whole, U256::ZERO));
    }
    let up = whole.checked_add(1).ok_or(AsymptoteError::AmountTooLarge)?;
    Ok((up, (U256::from(1u8) << SUB_ATOM_BITS) - rest))
}

/// A token amount or a sub-atom field narrowed to the width it is stored in.
pub fn narrow<T: TryFrom<U256>>(x: U256) -> Result<T> {
    T::try_from(x).map_err(|_| error!(AsymptoteError::AmountTooLarge))
}
