//! Every refusal of the math core is a named variant. Arithmetic failures carry the
//! source location of the operation that failed, so a failed transaction log says where.

use core::fmt;
use core::panic::Location;

/// What went wrong in an arithmetic primitive.
///
/// A full word, not a byte: every `Result<U256, _>` overlays this error on a U256, and a
/// one-byte kind ends at an odd offset inside it. LLVM then splits copies of the value at
/// that byte, and the SBF backend, which has no unaligned access, moves the odd-aligned
/// rest one byte at a time (two instructions a byte). Measured on SBF: 4.5k to 6.9k CU per
/// trade and per crank. `error_layout_keeps_wide_values_word_aligned` pins the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum ArithmeticKind {
    DivisionByZero,
    Overflow,
    Underflow,
}

/// An arithmetic failure and the call site that hit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArithmeticError {
    pub kind: ArithmeticKind,
    pub at: &'static Location<'static>,
}

impl ArithmeticError {
    #[track_caller]
    pub fn new(kind: ArithmeticKind) -> Self {
        Self {
            kind,
            at: Location::caller(),
        }
    }
}

/// Every way a pool operation can be refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolError {
    /// A checked arithmetic step failed (see `at` for where).
    Arithmetic(ArithmeticError),

    // --- configuration ---
    /// `K` must be in `1..=MAX_K`.
    InvalidPower,
    /// `MARK` must be positive.
    InvalidMark,
    /// `PREMIUM_HL = 1` makes the premium half-life 0 (division by zero); use 0 or >= 2.
    PremiumHalfLifeOne,
    /// `OPEN_RATE` must be in `(0, Q128]`.
    InvalidOpenRate,
    /// The skew-charge parameters are out of range.
    InvalidSkewConfig,

    // --- prices and time ---
    /// An oracle price of zero cannot be evaluated.
    ZeroPrice,
    /// `now` is before a timer of the pool.
    ClockWentBackwards,

    // --- operations ---
    /// `side_in == side_out`.
    SameSide,
    /// The trade amount is zero. (An input too small to move its side is
    /// `InputSideNotReduced`.)
    ZeroAmount,
    /// The initial split leaves a reserve below `MINIMUM_RESERVE`.
    InitialReserveTooSmall,
    /// A supply would fall below `MINIMUM_SUPPLY`.
    MinimumSupply,
    /// The receiving side's reserve would be below `MINIMUM_RESERVE`.
    MinimumReserve,
    /// The target state lowers the LONG reserve where it must not.
    LongReserveDecreased,
    /// The target state lowers the SHORT reserve where it must not.
    ShortReserveDecreased,
    /// The target state lowers the LP reserve where it must not.
    LpReserveDecreased,
    /// A token input would raise the pool's collateral.
    CollateralIncreased,
    /// The input side's reserve did not go down (the input is too small to move it).
    InputSideNotReduced,
    /// `4ab > R^2`: the state would be insolvent at some price.
    Insolvent,
    /// The skew cap `|N| <= b_max * L` would be broken by a trade that raises `|N|`.
    SkewCapExceeded,
    /// An exact-input open cannot buy even one unit of value with the given input.
    InputTooSmall,
    /// The receiving side's reserve is 0 at this price (its coefficient reached 0 after an
    /// extreme price): its tokens are worth nothing and new value cannot be priced into them.
    SideExhausted,
}

impl From<ArithmeticError> for PoolError {
    fn from(e: ArithmeticError) -> Self {
        PoolError::Arithmetic(e)
    }
}

impl PoolError {
    /// The variant's name, as used by the conformance vectors (`expect_error`).
    pub fn name(&self) -> &'static str {
        match self {
            PoolError::Arithmetic(e) => match e.kind {
                ArithmeticKind::DivisionByZero => "DivisionByZero",
                ArithmeticKind::Overflow => "Overflow",
                ArithmeticKind::Underflow => "Underflow",
            },
            PoolError::InvalidPower => "InvalidPower",
            PoolError::InvalidMark => "InvalidMark",
            PoolError::PremiumHalfLifeOne => "PremiumHalfLifeOne",
            PoolError::InvalidOpenRate => "InvalidOpenRate",
            PoolError::InvalidSkewConfig => "InvalidSkewConfig",
            PoolError::ZeroPrice => "ZeroPrice",
            PoolError::ClockWentBackwards => "ClockWentBackwards",
            PoolError::SameSide => "SameSide",
            PoolError::ZeroAmount => "ZeroAmount",
            PoolError::InitialReserveTooSmall => "InitialReserveTooSmall",
            PoolError::MinimumSupply => "MinimumSupply",
            PoolError::MinimumReserve => "MinimumReserve",
            PoolError::LongReserveDecreased => "LongReserveDecreased",
            PoolError::ShortReserveDecreased => "ShortReserveDecreased",
            PoolError::LpReserveDecreased => "LpReserveDecreased",
            PoolError::CollateralIncreased => "CollateralIncreased",
            PoolError::InputSideNotReduced => "InputSideNotReduced",
            PoolError::Insolvent => "Insolvent",
            PoolError::SkewCapExceeded => "SkewCapExceeded",
            PoolError::InputTooSmall => "InputTooSmall",
            PoolError::SideExhausted => "SideExhausted",
        }
    }
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::Arithmetic(e) => write!(f, "{} at {}", self.name(), e.at),
            other => f.write_str(other.name()),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for PoolError {}

pub type PoolResult<T> = Result<T, PoolError>;

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{align_of, size_of};

    /// Every field of an error is a whole aligned word, so an error overlaid on a U256 in
    /// a `Result` splits it only at 8-byte boundaries (see `ArithmeticKind`).
    #[test]
    fn error_layout_keeps_wide_values_word_aligned() {
        assert_eq!(
            (size_of::<ArithmeticKind>(), align_of::<ArithmeticKind>()),
            (8, 8)
        );
        assert_eq!(size_of::<ArithmeticError>(), 16);
        // The other variants live in the kind's niche: no separate tag byte.
        assert_eq!(size_of::<PoolError>(), 16);
        assert_eq!(size_of::<Result<crate::U256, PoolError>>(), 40);
    }
}
