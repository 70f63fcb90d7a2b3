//! Test harness of the Asymptote program (Mango-v4 style): a `TestEnv` around a
//! solana-program-test bank, one typed helper per instruction, real SPL Token / Token-2022
//! programs, real Pyth account bytes, and snapshots to prove a failed instruction changed
//! nothing.
//!
//! The same tests run natively (`processor!`, default) or against the compiled SBF program
//! (`ASYMPTOTE_TEST_MODE=sbf`, with `SBF_OUT_DIR` pointing at `target/deploy`).

pub mod attack;
pub mod env;
pub mod ix;
pub mod oracle;
pub mod tokens;

pub use attack::*;
pub use env::*;
pub use ix::*;
pub use oracle::*;
pub use solana_program_test::BanksClientError;
pub use tokens::*;
