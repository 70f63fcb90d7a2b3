//! Every refusal of the program is a named error. Math-core refusals map one to one.

use anchor_lang::prelude::*;
use asymptote_math::{ArithmeticKind, PoolError};

#[error_code]
pub enum AsymptoteError {
    // --- math core (asymptote_math::PoolError) ---
    #[msg("Arithmetic: division by zero")]
    MathDivisionByZero,
    #[msg("Arithmetic: overflow")]
    MathOverflow,
    #[msg("Arithmetic: underflow")]
    MathUnderflow,
    #[msg("K must be in 1..=MAX_K")]
    InvalidPower,
    #[msg("MARK must be positive")]
    InvalidMark,
    #[msg("PREMIUM_HL = 1 would divide by zero; use 0 or >= 2")]
    PremiumHalfLifeOne,
    #[msg("Opening rate out of range")]
    InvalidOpenRate,
    #[msg("Skew parameters out of range")]
    InvalidSkewConfig,
    #[msg("Zero price")]
    ZeroPrice,
    #[msg("Clock went backwards relative to the pool's timers")]
    ClockWentBackwards,
    #[msg("Side in and side out are the same")]
    SameSide,
    #[msg("Amount is zero")]
    ZeroAmount,
    #[msg("Initial split leaves a side below the minimum reserve")]
    InitialReserveTooSmall,
    #[msg("A token supply would fall below MINIMUM_SUPPLY")]
    MinimumSupply,
    #[msg("The receiving side would keep less than MINIMUM_RESERVE")]
    MinimumReserve,
    #[msg("The LONG reserve would decrease")]
    LongReserveDecreased,
    #[msg("The SHORT reserve would decrease")]
    ShortReserveDecreased,
    #[msg("The LP reserve would decrease")]
    LpReserveDecreased,
    #[msg("A token input would raise the pool's collateral")]
    CollateralIncreased,
    #[msg("The input is too small to move its side")]
    InputSideNotReduced,
    #[msg("The state would be insolvent (4ab > R^2)")]
    Insolvent,
    #[msg("The trade would exceed the skew cap")]
    SkewCapExceeded,
    #[msg("The input cannot buy a single unit of value")]
    InputTooSmall,

    // --- parameters and instruction arguments ---
    #[msg("Pool parameter out of its documented bounds")]
    InvalidPoolParameter,
    #[msg("Oracle parameter out of its documented bounds")]
    InvalidOracleParameter,
    #[msg("Initial deposit below the minimum")]
    DepositTooSmall,
    #[msg("Side not allowed for this instruction")]
    InvalidSide,
    #[msg("Output below the caller's minimum")]
    SlippageExceeded,
    #[msg("Input above the caller's maximum")]
    MaxInputExceeded,
    #[msg("The transaction's expiry slot has passed")]
    Expired,
    #[msg("The trade would pay out nothing")]
    ZeroOutput,
    #[msg("An amount does not fit in u64")]
    AmountTooLarge,

    // --- accounts and authority ---
    #[msg("Signer is not the program's upgrade authority")]
    NotUpgradeAuthority,
    #[msg("Signer is not the admin")]
    NotAdmin,
    #[msg("Signer is not the admin or the guardian")]
    NotAdminOrGuardian,
    #[msg("The guardian may only pause")]
    GuardianCannotUnpause,
    #[msg("Signer is not the pending admin")]
    NotPendingAdmin,
    #[msg("No admin hand-over is pending")]
    NoPendingAdmin,
    #[msg("Unknown pause bits")]
    InvalidPauseBits,
    #[msg("This instruction is paused")]
    Paused,
    #[msg("Mint does not belong to this pool's side")]
    WrongMint,
    #[msg("Collateral mint has a Token-2022 extension that is not allowed")]
    UnsupportedMintExtension,
    #[msg("The vault received less than the amount paid")]
    CollateralShortfall,
    #[msg("Vault balance is below the pool's books")]
    VaultBelowBooks,
    #[msg("No protocol fees to collect")]
    NothingToCollect,

    // --- oracle ---
    #[msg("Oracle account is not owned by the expected program")]
    OracleWrongOwner,
    #[msg("Oracle account is not this pool's oracle")]
    OracleWrongAccount,
    #[msg("Oracle account data cannot be decoded")]
    OracleInvalidData,
    #[msg("Oracle feed id does not match the pool")]
    OracleWrongFeed,
    #[msg("Price update is not fully verified")]
    OracleNotFullyVerified,
    #[msg("Oracle price is too old")]
    OracleStale,
    #[msg("Oracle price is published in the future")]
    OracleFromFuture,
    #[msg("Oracle price is older than the last one this pool used")]
    OracleNotMonotonic,
    #[msg("Oracle price is not trading")]
    OracleNotTrading,
    #[msg("Oracle price is zero or negative")]
    OracleNonPositive,
    #[msg("Oracle exponent out of range")]
    OracleExponentOutOfRange,
    #[msg("Oracle confidence interval too wide")]
    OracleConfidenceTooWide,
    #[msg("Oracle spot price diverges too far from its EMA")]
    OracleEmaDivergence,
    #[msg("No valid oracle price has been recorded yet")]
    OracleNoFallbackPrice,
    // Appended after the oracle errors so that earlier codes stay stable.
    #[msg("This side's reserve is 0 at every price: it cannot be opened")]
    SideExhausted,
}

impl From<PoolError> for AsymptoteError {
    fn from(e: PoolError) -> Self {
        match e {
            PoolError::Arithmetic(a) => match a.kind {
                ArithmeticKind::DivisionByZero => AsymptoteError::MathDivisionByZero,
                ArithmeticKind::Overflow => AsymptoteError::MathOverflow,
                ArithmeticKind::Underflow => AsymptoteError::MathUnderflow,
            },
            PoolError::InvalidPower => AsymptoteError::InvalidPower,
            PoolError::InvalidMark => AsymptoteError::InvalidMark,
            PoolError::PremiumHalfLifeOne => AsymptoteError::PremiumHalfLifeOne,
            PoolError::InvalidOpenRate => AsymptoteError::InvalidOpenRate,
            PoolError::InvalidSkewConfig => AsymptoteError::InvalidSkewConfig,
            PoolError::ZeroPrice => AsymptoteError::ZeroPrice,
            PoolError::ClockWentBackwards => AsymptoteError::ClockWentBackwards,
            PoolError::SameSide => AsymptoteError::SameSide,
            PoolError::ZeroAmount => AsymptoteError::ZeroAmount,
            PoolError::InitialReserveTooSmall => AsymptoteError::InitialReserveTooSmall,
            PoolError::MinimumSupply => AsymptoteError::MinimumSupply,
            PoolError::MinimumReserve => AsymptoteError::MinimumReserve,
            PoolError::LongReserveDecreased => AsymptoteError::LongReserveDecreased,
            PoolError::ShortReserveDecreased => AsymptoteError::ShortReserveDecreased,
            PoolError::LpReserveDecreased => AsymptoteError::LpReserveDecreased,
            PoolError::CollateralIncreased => AsymptoteError::CollateralIncreased,
            PoolError::InputSideNotReduced => AsymptoteError::InputSideNotReduced,
            PoolError::Insolvent => AsymptoteError::Insolvent,
            PoolError::SkewCapExceeded => AsymptoteError::SkewCapExceeded,
            PoolError::InputTooSmall => AsymptoteError::InputTooSmall,
            PoolError::SideExhausted => AsymptoteError::SideExhausted,
        }
    }
}

/// Convert a math-core error into an Anchor error, logging where arithmetic failed.
pub fn math_err(e: PoolError) -> anchor_lang::error::Error {
    if let PoolError::Arithmetic(a) = e {
        msg!("math: {:?} at {}:{}", a.kind, a.at.file(), a.at.line());
    }
    AsymptoteError::from(e).into()
}
