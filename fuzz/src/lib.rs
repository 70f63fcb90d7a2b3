//! Input generators shared by the fuzz targets (`fuzz_targets/*.rs`).
//!
//! libFuzzer mutates bytes; `arbitrary` turns them into the structured values below. Each
//! generator mixes the program's own domain (collateral in sub-atoms `atoms << 64`, `u128`
//! marks and prices, the bounds `create_pool` accepts) with raw 256-bit values, so both the
//! realistic and the extreme ends of the math core are reached.

use arbitrary::{Arbitrary, Result, Unstructured};
use asymptote_math::{
    create, mul_div, Config, InitialSplit, Prices, Side, SkewConfig, State, Q128, U256, U64F64,
};

/// A U256 with a fuzzer-chosen shape: each 64-bit limb is zero, all ones, the top bit, one,
/// or raw, and the whole value is shifted right by 0..=255 bits. Edge limbs reach the
/// carry, normalisation and add-back paths of the 512-bit arithmetic far more often than
/// uniform bytes would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wide(pub U256);

impl<'a> Arbitrary<'a> for Wide {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut limbs = [0u64; 4];
        for limb in &mut limbs {
            *limb = match u.int_in_range(0u8..=7)? {
                0 => 0,
                1 => u64::MAX,
                2 => 1 << 63,
                3 => 1,
                4 => u64::MAX << u.int_in_range(0u32..=63)?,
                _ => u.arbitrary()?,
            };
        }
        let shift: u8 = u.arbitrary()?;
        Ok(Wide(U256::from_limbs(limbs) >> usize::from(shift)))
    }
}

/// A 64.64 fixed-point value (raw bits) spread over magnitudes: zero, 2^-64, 1, and raw
/// bits shifted right by 0..=128, so typical values (0.01 .. 4) are as likely as extremes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixed64(pub u128);

impl<'a> Arbitrary<'a> for Fixed64 {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let raw: u128 = u.arbitrary()?;
        let shift: u8 = u.arbitrary()?;
        Ok(Fixed64(match shift {
            250..=255 => 0,
            245..=249 => 1,
            240..=244 => 1 << 64,
            _ => raw.checked_shr(u32::from(shift % 129)).unwrap_or(0),
        }))
    }
}

/// A positive `u128` scaled to a U256 (`Raw` also reaches beyond 2^128).
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Magnitude {
    Small(u16),
    U64(u64),
    U128(u128),
    Raw(Wide),
}

impl Magnitude {
    pub fn value(self) -> U256 {
        match self {
            Magnitude::Small(x) => U256::from(x),
            Magnitude::U64(x) => U256::from(x),
            Magnitude::U128(x) => U256::from(x),
            Magnitude::Raw(w) => w.0,
        }
    }

    /// The value, at least 1.
    pub fn positive(self) -> U256 {
        self.value().max(U256::from(1u8))
    }
}

/// A price relative to the pool's mark: `mark * (1 + num) / (1 + den)` (ratios from 1/65536
/// to 65536), or an absolute value.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum PriceGen {
    AtMark,
    Ratio { num: u8, den: u8 },
    FineRatio { num: u16, den: u16 },
    Absolute(Magnitude),
}

impl PriceGen {
    pub fn price(self, mark: U256) -> U256 {
        let ratio = |num: u64, den: u64| {
            mul_div(mark, U256::from(num + 1), U256::from(den + 1))
                .unwrap_or(mark)
                .max(U256::from(1u8))
        };
        match self {
            PriceGen::AtMark => mark,
            PriceGen::Ratio { num, den } => ratio(u64::from(num), u64::from(den)),
            PriceGen::FineRatio { num, den } => ratio(u64::from(num), u64::from(den)),
            PriceGen::Absolute(m) => m.value(),
        }
    }
}

/// Spot and EMA candidates: usually close to each other.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct PricesGen {
    pub spot: PriceGen,
    /// EMA = spot * (1 +- bps / 10000) when `Some`; an independent price when `None`.
    pub ema_offset_bps: Option<i16>,
    pub ema: PriceGen,
}

impl PricesGen {
    pub fn prices(self, mark: U256) -> Prices {
        let spot = self.spot.price(mark);
        let ema = match self.ema_offset_bps {
            Some(bps) => {
                let factor = 10_000i64 + i64::from(bps);
                mul_div(
                    spot,
                    U256::from(factor.max(1) as u64),
                    U256::from(10_000u64),
                )
                .unwrap_or(spot)
            }
            None => self.ema.price(mark),
        };
        Prices::new(spot, ema)
    }
}

/// Pool parameters: `Program` stays inside what `create_pool` accepts, `Raw` covers the
/// math core's whole `Config` domain (including configurations `validate` refuses).
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum ConfigGen {
    Program {
        k: u8,
        mark: u128,
        interest_hl: u32,
        premium_hl: u32,
        opening_fee_bps: u16,
        fee_divisor: u8,
        lambda: Fixed64,
        b_max: Fixed64,
        psi_atoms: u64,
    },
    Raw {
        k: u32,
        mark: Magnitude,
        interest_hl: u64,
        premium_hl: u64,
        open_rate: Wide,
        fee_divisor: u64,
        lambda: Fixed64,
        b_max: Fixed64,
        psi: Magnitude,
    },
}

/// `atoms << 64`: the program's collateral unit.
pub fn sub_atoms(atoms: u64) -> U256 {
    U256::from(atoms) << 64
}

impl ConfigGen {
    pub fn config(self) -> Config {
        match self {
            ConfigGen::Program {
                k,
                mark,
                interest_hl,
                premium_hl,
                opening_fee_bps,
                fee_divisor,
                lambda,
                b_max,
                psi_atoms,
            } => {
                let premium_hl = u64::from(premium_hl) % 800_000_001;
                let fee_bps = u64::from(opening_fee_bps % 1_001);
                Config {
                    k: u32::from(k % 16) + 1,
                    mark: U256::from(mark.max(1)),
                    interest_hl: u64::from(interest_hl) % 800_000_001,
                    premium_hl: if premium_hl == 1 { 0 } else { premium_hl },
                    open_rate: mul_div(Q128, U256::from(10_000 - fee_bps), U256::from(10_000u64))
                        .unwrap_or(Q128),
                    fee_divisor: u64::from(fee_divisor % 101),
                    skew: SkewConfig {
                        lambda: U64F64::from_bits(lambda.0.min(1u128 << 80)),
                        b_max: U64F64::from_bits(b_max.0),
                        psi: sub_atoms(psi_atoms),
                    },
                }
            }
            ConfigGen::Raw {
                k,
                mark,
                interest_hl,
                premium_hl,
                open_rate,
                fee_divisor,
                lambda,
                b_max,
                psi,
            } => Config {
                // Mostly 1..=16 as the issue asks; larger powers (up to the core's MAX_K and
                // beyond, which `validate` refuses) one time in eight.
                k: if k % 8 == 0 { k >> 3 } else { k % 16 + 1 },
                mark: mark.value(),
                interest_hl,
                premium_hl,
                open_rate: open_rate.0,
                fee_divisor,
                skew: SkewConfig {
                    lambda: U64F64::from_bits(lambda.0),
                    b_max: U64F64::from_bits(b_max.0),
                    psi: psi.value(),
                },
            },
        }
    }
}

#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum SplitGen {
    Thirds,
    /// LONG and SHORT shares of the deposit in bps (LP gets the rest).
    Bps {
        long: u16,
        short: u16,
    },
    Reserves {
        long: Magnitude,
        short: Magnitude,
    },
    Coefficients {
        a: Wide,
        b: Wide,
    },
}

/// A pool as `pool::create` makes it.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct PoolGen {
    pub config: ConfigGen,
    /// Atoms (the program's unit is `atoms << 64`) or a raw amount.
    pub deposit: DepositGen,
    pub split: SplitGen,
    pub price: PriceGen,
    pub now: u64,
}

#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum DepositGen {
    Atoms(u64),
    Raw(Magnitude),
}

impl PoolGen {
    /// The config and the created pool, or `None` when `create` refuses (the refusal itself
    /// is checked: a config `validate` refuses never yields a pool).
    pub fn create(self) -> Option<(Config, State, U256)> {
        let config = self.config.config();
        let deposit = match self.deposit {
            DepositGen::Atoms(a) => sub_atoms(a),
            DepositGen::Raw(m) => m.value(),
        };
        let split = match self.split {
            SplitGen::Thirds => InitialSplit::Thirds,
            SplitGen::Bps { long, short } => {
                let share = |bps: u16| {
                    mul_div(deposit, U256::from(bps % 10_000), U256::from(10_000u64))
                        .unwrap_or(U256::ZERO)
                };
                InitialSplit::Reserves {
                    long: share(long),
                    short: share(short),
                }
            }
            SplitGen::Reserves { long, short } => InitialSplit::Reserves {
                long: long.value(),
                short: short.value(),
            },
            SplitGen::Coefficients { a, b } => InitialSplit::Coefficients { a: a.0, b: b.0 },
        };
        let price = self.price.price(config.mark);
        match create(&config, deposit, split, price, self.now) {
            Ok((state, _)) => {
                assert!(
                    config.validate().is_ok(),
                    "create accepted an invalid config"
                );
                Some((config, state, price))
            }
            Err(_) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum SideGen {
    Collateral,
    Long,
    Short,
    Lp,
}

impl SideGen {
    pub fn side(self) -> Side {
        match self {
            SideGen::Collateral => Side::Collateral,
            SideGen::Long => Side::Long,
            SideGen::Short => Side::Short,
            SideGen::Lp => Side::Lp,
        }
    }
}

/// An amount relative to a reference (a supply or a reserve): a fraction in 1/65536 units
/// (up to one whole), or an absolute value.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum AmountGen {
    Fraction(u16),
    Whole,
    Absolute(Magnitude),
}

impl AmountGen {
    pub fn amount(self, reference: U256) -> U256 {
        match self {
            AmountGen::Fraction(f) => {
                mul_div(reference, U256::from(f), U256::from(1u32 << 16)).unwrap_or(U256::ZERO)
            }
            AmountGen::Whole => reference,
            AmountGen::Absolute(m) => m.value(),
        }
    }
}

/// How far the clock moves before an operation.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum TimeStep {
    Same,
    Slots(u16),
    Days(u8),
    Far(u64),
    /// Before the current slot (an operation must then fail with `ClockWentBackwards`).
    Back(u16),
}

impl TimeStep {
    pub fn apply(self, now: u64) -> u64 {
        match self {
            TimeStep::Same => now,
            TimeStep::Slots(s) => now.saturating_add(u64::from(s)),
            TimeStep::Days(d) => now.saturating_add(u64::from(d) * 216_000),
            TimeStep::Far(s) => now.saturating_add(s),
            TimeStep::Back(s) => now.saturating_sub(u64::from(s) + 1),
        }
    }
}

/// `ASYMPTOTE_FUZZ_STATS=1`: the math targets print one line per refusal (`err <name>`) to
/// stderr, to tally what a corpus exercises (`scripts/fuzz` does not set it).
pub fn stats_enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("ASYMPTOTE_FUZZ_STATS").is_some())
}
