//! Asymptote: a perpetual AMM on Derion's asymptotic power curves, with per-slot funding,
//! an hAMM skew charge and Pyth prices. This file only routes: each instruction lives in
//! `instructions/`, the pool math in the `asymptote-math` crate.

use anchor_lang::prelude::*;

/// Logs a label and the compute units left when the program is built with
/// `ASYMPTOTE_CU_TRACE=1` in the environment (`scripts/cu-profile`); compiles to nothing
/// otherwise. Consecutive readings differ by the work between them plus about 200 CU of
/// logging.
#[macro_export]
macro_rules! cu_trace {
    ($label:literal) => {
        if option_env!("ASYMPTOTE_CU_TRACE").is_some() {
            anchor_lang::prelude::msg!($label);
            solana_program::log::sol_log_compute_units();
        }
    };
}

#[cfg(target_os = "solana")]
use asymptote_sbf_mem as _;

pub mod constants;
pub mod cpi;
pub mod error;
pub mod events;
pub mod instructions;
pub mod oracle;
pub mod state;
pub mod token_view;
pub mod units;

use instructions::*;

declare_id!("6Ujz35dN6GVnopp7w1vrrGKDAY33RyepSfds7qHsnxTd");

#[program]
pub mod asymptote {
    use super::*;

    /// Create the protocol config (upgrade authority only; it becomes the admin).
    pub fn initialize_config(
        ctx: Context<InitializeConfig>,
        args: InitializeConfigArgs,
    ) -> Result<()> {
        initialize_config::initialize_config(ctx, args)
    }

    /// Create a pool (permissionless) and seed it with the creator's deposit.
    pub fn create_pool(ctx: Context<CreatePool>, args: CreatePoolArgs) -> Result<()> {
        create_pool::create_pool(ctx, args)
    }

    /// Collateral in, LONG / SHORT / LP out (exact input).
    pub fn open(ctx: Context<Open>, args: OpenArgs) -> Result<()> {
        open::open(ctx, args)
    }

    /// LONG / SHORT / LP in, collateral out.
    pub fn close(ctx: Context<Close>, args: CloseArgs) -> Result<()> {
        close::close(ctx, args)
    }

    /// One side's tokens for another's.
    pub fn swap(ctx: Context<Swap>, args: SwapArgs) -> Result<()> {
        swap::swap(ctx, args)
    }

    /// Permissionless funding crank.
    pub fn accrue(ctx: Context<Accrue>) -> Result<()> {
        accrue::accrue(ctx)
    }

    /// Send a pool's protocol fees to the fee recipient (permissionless).
    pub fn collect_protocol_fees(ctx: Context<CollectProtocolFees>) -> Result<()> {
        collect_protocol_fees::collect_protocol_fees(ctx)
    }

    /// Admin: any pause bits; guardian: may only add bits.
    pub fn set_pause(ctx: Context<SetPause>, paused: u16) -> Result<()> {
        set_pause::set_pause(ctx, paused)
    }

    /// Admin hand-over, step one.
    pub fn propose_admin(ctx: Context<ProposeAdmin>, proposed: Pubkey) -> Result<()> {
        propose_admin::propose_admin(ctx, proposed)
    }

    /// Admin hand-over, step two (signed by the proposed admin).
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        accept_admin::accept_admin(ctx)
    }

    /// Admin: replace the guardian and the fee recipient.
    pub fn set_roles(
        ctx: Context<SetRoles>,
        guardian: Pubkey,
        fee_recipient: Pubkey,
    ) -> Result<()> {
        set_roles::set_roles(ctx, guardian, fee_recipient)
    }

    /// Read-only: what an open, close or swap would do now.
    pub fn quote_trade(
        ctx: Context<QuoteTrade>,
        side_in: events::TradeSide,
        side_out: events::TradeSide,
        amount: u64,
    ) -> Result<TradeQuote> {
        quote_trade::quote_trade(ctx, side_in, side_out, amount)
    }

    /// Read-only: the pool at the current price with funding accrued virtually.
    pub fn quote_pool(ctx: Context<QuotePool>) -> Result<PoolQuote> {
        quote_pool::quote_pool(ctx)
    }
}
