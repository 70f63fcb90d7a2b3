//! Test harness of the Asymptote program (Mango-v4 style): a `TestEnv` around a
//! solana-program-test bank, one typed helper per instruction, real SPL Token / Token-2022
//! programs, real Pyth account bytes, and snapshots to prove a failed instruction changed
//! nothing.
//!
//! The same tests run natively (`processor!`, default) or against the compiled SBF program
//! (`ASYMPTOTE_TEST_MODE=sbf`, with `SBF_OUT_DIR` pointing at `target/deploy`).

pub mod attack;
/// Run `op`, assert it failed with `expected`, and that no account in the fixture's
/// snapshot (pool, vault, mints, config) or in `extra` moved.
#[macro_export]
macro_rules! assert_refused {
    ($f:expr, $extra:expr, $expected:expr, $op:expr) => {{
        let extra: Vec<$crate::Pubkey> = $extra;
        let before = $f.snapshot(&extra).await;
        let result = $op;
        $crate::assert_error(result, $expected);
        assert_eq!(
            $f.snapshot(&extra).await,
            before,
            "a refused instruction changed state"
        );
    }};
}

pub mod env;
pub mod ix;
pub mod oracle;
pub mod tokens;

pub use anchor_lang::prelude::Pubkey;
pub use attack::*;
pub use env::*;
pub use ix::*;
pub use oracle::*;
pub use solana_program_test::BanksClientError;
pub use tokens::*;
