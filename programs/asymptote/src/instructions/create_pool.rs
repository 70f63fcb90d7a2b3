use anchor_lang::prelude::*;
use anchor_spl::associated_token::AssociatedToken;
use anchor_spl::token::{Mint as SideMint, Token, TokenAccount as SideAccount};
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::state::Mint as Mint2022;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use asymptote_math::{create, InitialSplit, Reserves, Side, MINIMUM_SUPPLY, U256};

use super::common::{authority_seeds, mint_side, snapshot, transfer_collateral, Collateral};
use crate::constants::*;
use crate::error::{math_err, AsymptoteError};
use crate::events::PoolCreated;
use crate::oracle::{self, PriceUse};
use crate::state::{OracleConfig, Pool, PoolBooks, PoolParams, ProtocolConfig};
use crate::units::{atoms_down, sub_atoms};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct CreatePoolArgs {
    /// Distinguishes pools on the same collateral and oracle.
    pub nonce: u64,
    /// Economics; `mark = 0` takes the current oracle price.
    pub params: PoolParams,
    pub oracle: OracleConfig,
    /// Initial collateral (atoms).
    pub deposit: u64,
    /// Initial LONG and SHORT shares of the deposit at the current price (bps); both 0
    /// means one third each. LP gets the rest.
    pub long_bps: u16,
    pub short_bps: u16,
}

/// Create a pool (permissionless): the vault, the three side mints, the creator's three
/// token accounts; the deposit is split into LONG, SHORT and LP at the current price and
/// `MINIMUM_SUPPLY` of each side is kept as dead shares (never minted).
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: CreatePoolArgs)]
pub struct CreatePool<'info> {
    #[account(mut)]
    pub creator: Signer<'info>,
    #[account(mut, address = CONFIG_ADDRESS_AND_BUMP.0)]
    pub config: AccountLoader<'info, ProtocolConfig>,
    #[account(
        init,
        payer = creator,
        space = Pool::SPACE,
        seeds = [POOL_SEED, collateral_mint.key().as_ref(), args.oracle.key.as_ref(), &args.nonce.to_le_bytes()],
        bump,
    )]
    pub pool: AccountLoader<'info, Pool>,
    /// CHECK: PDA that owns the vault and mints the side tokens; holds no data.
    #[account(seeds = [AUTHORITY_SEED, pool.key().as_ref()], bump)]
    pub pool_authority: UncheckedAccount<'info>,
    #[account(mint::token_program = collateral_token_program)]
    pub collateral_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        init,
        payer = creator,
        seeds = [VAULT_SEED, pool.key().as_ref()],
        bump,
        token::mint = collateral_mint,
        token::authority = pool_authority,
        token::token_program = collateral_token_program,
    )]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(
        init,
        payer = creator,
        seeds = [LONG_MINT_SEED, pool.key().as_ref()],
        bump,
        mint::decimals = collateral_mint.decimals,
        mint::authority = pool_authority,
        mint::token_program = token_program,
    )]
    pub long_mint: Box<Account<'info, SideMint>>,
    #[account(
        init,
        payer = creator,
        seeds = [SHORT_MINT_SEED, pool.key().as_ref()],
        bump,
        mint::decimals = collateral_mint.decimals,
        mint::authority = pool_authority,
        mint::token_program = token_program,
    )]
    pub short_mint: Box<Account<'info, SideMint>>,
    #[account(
        init,
        payer = creator,
        seeds = [LP_MINT_SEED, pool.key().as_ref()],
        bump,
        mint::decimals = collateral_mint.decimals,
        mint::authority = pool_authority,
        mint::token_program = token_program,
    )]
    pub lp_mint: Box<Account<'info, SideMint>>,
    #[account(
        mut,
        token::mint = collateral_mint,
        token::authority = creator,
        token::token_program = collateral_token_program,
    )]
    pub creator_collateral: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(
        init,
        payer = creator,
        associated_token::mint = long_mint,
        associated_token::authority = creator,
        associated_token::token_program = token_program,
    )]
    pub creator_long: Box<Account<'info, SideAccount>>,
    #[account(
        init,
        payer = creator,
        associated_token::mint = short_mint,
        associated_token::authority = creator,
        associated_token::token_program = token_program,
    )]
    pub creator_short: Box<Account<'info, SideAccount>>,
    #[account(
        init,
        payer = creator,
        associated_token::mint = lp_mint,
        associated_token::authority = creator,
        associated_token::token_program = token_program,
    )]
    pub creator_lp: Box<Account<'info, SideAccount>>,
    /// CHECK: read and validated by `oracle::fetch` against `args.oracle`.
    pub oracle: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub collateral_token_program: Interface<'info, TokenInterface>,
    pub associated_token_program: Program<'info, AssociatedToken>,
    pub system_program: Program<'info, System>,
}

/// Token-2022 collateral may carry only these mint extensions: none of them can move,
/// freeze, tax or re-scale the vault's balance.
const ALLOWED_EXTENSIONS: [ExtensionType; 6] = [
    ExtensionType::MetadataPointer,
    ExtensionType::TokenMetadata,
    ExtensionType::GroupPointer,
    ExtensionType::TokenGroup,
    ExtensionType::GroupMemberPointer,
    ExtensionType::TokenGroupMember,
];

fn check_collateral_extensions(mint: &AccountInfo) -> Result<()> {
    if *mint.owner != anchor_spl::token_2022::ID {
        return Ok(());
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<Mint2022>::unpack(&data)?;
    for extension in state.get_extension_types()? {
        require!(
            ALLOWED_EXTENSIONS.contains(&extension),
            AsymptoteError::UnsupportedMintExtension
        );
    }
    Ok(())
}

fn validate(args: &CreatePoolArgs) -> Result<()> {
    let p = &args.params;
    let param = |ok: bool| -> Result<()> {
        require!(ok, AsymptoteError::InvalidPoolParameter);
        Ok(())
    };
    param((1..=MAX_K).contains(&{ p.k }))?;
    param(p.interest_half_life <= MAX_HALF_LIFE_SLOTS)?;
    param(p.premium_half_life != 1 && p.premium_half_life <= MAX_HALF_LIFE_SLOTS)?;
    param(p.opening_fee_bps <= u32::from(MAX_OPENING_FEE_BPS))?;
    param(p.fee_divisor <= MAX_FEE_DIVISOR)?;
    param(
        asymptote_math::U64F64::from_bits(p.skew_lambda) <= asymptote_math::SkewConfig::MAX_LAMBDA,
    )?;
    param(u32::from(args.long_bps) + u32::from(args.short_bps) < BPS as u32)?;
    param((args.long_bps == 0) == (args.short_bps == 0))?;
    let o = &args.oracle;
    let oracle_param = |ok: bool| -> Result<()> {
        require!(ok, AsymptoteError::InvalidOracleParameter);
        Ok(())
    };
    let max_age = match o.source {
        crate::state::OracleSource::PythPull => MAX_PRICE_AGE_SECONDS,
        crate::state::OracleSource::PythLegacy => MAX_PRICE_AGE_SLOTS,
    };
    oracle_param(o.max_age > 0 && o.max_age <= max_age)?;
    oracle_param(o.max_conf_bps_open > 0 && o.max_conf_bps_open <= o.max_conf_bps_close)?;
    oracle_param(o.max_conf_bps_close <= MAX_CONF_BPS)?;
    oracle_param(
        o.max_ema_divergence_bps > 0 && o.max_ema_divergence_bps <= MAX_EMA_DIVERGENCE_BPS,
    )?;
    oracle_param(u64::from(o.conf_widening_bps) <= 4 * BPS)?;
    require!(
        args.deposit >= MIN_INITIAL_DEPOSIT,
        AsymptoteError::DepositTooSmall
    );
    Ok(())
}

pub fn create_pool(ctx: Context<CreatePool>, args: CreatePoolArgs) -> Result<()> {
    let mut protocol = ctx.accounts.config.load_mut()?;
    protocol.require_not_paused(pause::CREATE_POOL)?;
    validate(&args)?;
    check_collateral_extensions(&ctx.accounts.collateral_mint.to_account_info())?;
    let clock = Clock::get()?;
    let pool_key = ctx.accounts.pool.key();

    let mut pool_data = ctx.accounts.pool.load_init()?;
    let pool = &mut *pool_data;
    pool.version = Pool::VERSION;
    pool.bump = ctx.bumps.pool;
    pool.authority_bump = ctx.bumps.pool_authority;
    pool.vault_bump = ctx.bumps.vault;
    pool.long_mint_bump = ctx.bumps.long_mint;
    pool.short_mint_bump = ctx.bumps.short_mint;
    pool.lp_mint_bump = ctx.bumps.lp_mint;
    pool.collateral_decimals = ctx.accounts.collateral_mint.decimals;
    pool.nonce = args.nonce;
    pool.creator = ctx.accounts.creator.key();
    pool.authority = ctx.accounts.pool_authority.key();
    pool.collateral_mint = ctx.accounts.collateral_mint.key();
    pool.collateral_token_program = ctx.accounts.collateral_token_program.key();
    pool.vault = ctx.accounts.vault.key();
    pool.long_mint = ctx.accounts.long_mint.key();
    pool.short_mint = ctx.accounts.short_mint.key();
    pool.lp_mint = ctx.accounts.lp_mint.key();
    pool.oracle = args.oracle.into();
    pool.books = PoolBooks {
        r: 0,
        a: [0; 32],
        b: [0; 32],
        powers_price: [0; 32],
        powers_xk: [0; 32],
        powers_xk_short: [0; 32],
        last_interest_slot: clock.slot,
        last_premium_slot: clock.slot,
        last_publish_time: i64::MIN,
        last_price: 0,
        last_ema_price: 0,
        last_price_slot: 0,
        protocol_fees_owed: 0,
        circulating_long: 0,
        circulating_short: 0,
        circulating_lp: 0,
    };
    pool.created_slot = clock.slot;
    pool.reserved = [0; Pool::RESERVED];

    let price = oracle::fetch(
        pool,
        &ctx.accounts.oracle.to_account_info(),
        &protocol.legacy_pyth_program,
        &clock,
        PriceUse::Open,
    )?;
    let mut params = args.params;
    if params.mark == 0 {
        params.mark = price.price;
    }
    pool.params = params;

    let deposit = sub_atoms(args.deposit);
    let split = if args.long_bps == 0 {
        InitialSplit::Thirds
    } else {
        let share = |bps: u16| deposit * U256::from(bps) / U256::from(BPS);
        InitialSplit::Reserves {
            long: share(args.long_bps),
            short: share(args.short_bps),
        }
    };
    let config = pool.params.math_config()?;
    let (state, reserves) =
        create(&config, deposit, split, U256::from(price.price), clock.slot).map_err(math_err)?;
    pool.store(&state)?;
    protocol.pool_count = protocol.pool_count.saturating_add(1);

    // Collateral in first, then the creator's tokens (reserves minus the dead shares).
    let collateral_mint = ctx.accounts.collateral_mint.to_account_info();
    let collateral = Collateral::of(
        pool,
        &ctx.accounts.collateral_token_program,
        &collateral_mint,
    );
    transfer_collateral(
        &collateral,
        &ctx.accounts.creator_collateral.to_account_info(),
        &ctx.accounts.vault.to_account_info(),
        &ctx.accounts.creator.to_account_info(),
        &[],
        args.deposit,
    )?;
    ctx.accounts.vault.reload()?;
    require!(
        ctx.accounts.vault.amount == args.deposit,
        AsymptoteError::CollateralShortfall
    );
    let bump = [pool.authority_bump];
    let seeds = authority_seeds(&pool_key, &bump);
    let authority = ctx.accounts.pool_authority.to_account_info();
    // One token per atom of reserve, less the dead shares that are never minted.
    let minted = |r: U256| -> Result<u64> {
        atoms_down(r)?
            .0
            .checked_sub(MINIMUM_SUPPLY)
            .ok_or_else(|| error!(AsymptoteError::InitialReserveTooSmall))
    };
    let (long, short, lp) = (
        minted(reserves.long)?,
        minted(reserves.short)?,
        minted(reserves.lp)?,
    );
    pool.books.circulating_long = long;
    pool.books.circulating_short = short;
    pool.books.circulating_lp = lp;
    mint_side(
        &ctx.accounts.token_program,
        &ctx.accounts.long_mint.to_account_info(),
        &ctx.accounts.creator_long.to_account_info(),
        &authority,
        &seeds,
        long,
    )?;
    mint_side(
        &ctx.accounts.token_program,
        &ctx.accounts.short_mint.to_account_info(),
        &ctx.accounts.creator_short.to_account_info(),
        &authority,
        &seeds,
        short,
    )?;
    mint_side(
        &ctx.accounts.token_program,
        &ctx.accounts.lp_mint.to_account_info(),
        &ctx.accounts.creator_lp.to_account_info(),
        &authority,
        &seeds,
        lp,
    )?;

    let books = snapshot_all(pool, &reserves, long, short, lp)?;
    emit_cpi!(PoolCreated {
        pool: pool_key,
        creator: pool.creator,
        collateral_mint: pool.collateral_mint,
        long_mint: pool.long_mint,
        short_mint: pool.short_mint,
        lp_mint: pool.lp_mint,
        nonce: pool.nonce,
        params: pool.params,
        oracle: args.oracle,
        deposit: args.deposit,
        price: price.price,
        slot: clock.slot,
        books,
    });
    Ok(())
}

fn snapshot_all(
    pool: &Pool,
    reserves: &Reserves,
    long: u64,
    short: u64,
    lp: u64,
) -> Result<crate::events::PoolSnapshot> {
    let mut snap = snapshot(pool, reserves, [(Side::Long, long), (Side::Short, short)])?;
    snap.supply_lp = lp;
    Ok(snap)
}
