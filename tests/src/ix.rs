//! One typed helper per instruction: addresses, instruction builders, and a pool fixture.

use anchor_lang::prelude::Pubkey;
use anchor_lang::{AnchorDeserialize, InstructionData, ToAccountMetas};
use anchor_spl::associated_token::get_associated_token_address_with_program_id;
use asymptote::constants::*;
use asymptote::events::TradeSide;
use asymptote::instructions::{
    CloseArgs, CreatePoolArgs, InitializeConfigArgs, OpenArgs, PoolQuote, SwapArgs, TradeQuote,
};
use asymptote::state::{OracleConfig, OracleSource, PoolParams};
use pyth_sdk_solana::state::PriceStatus;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_program_test::BanksClientError;
use solana_signer::Signer;

use crate::{PythPrice, TestEnv, TOKEN};

pub const PROGRAM: Pubkey = asymptote::ID;

pub fn config_address() -> Pubkey {
    Pubkey::find_program_address(&[CONFIG_SEED], &PROGRAM).0
}

pub fn event_authority() -> Pubkey {
    Pubkey::find_program_address(&[b"__event_authority"], &PROGRAM).0
}

pub fn pool_address(collateral_mint: &Pubkey, oracle_key: &[u8; 32], nonce: u64) -> Pubkey {
    Pubkey::find_program_address(
        &[
            POOL_SEED,
            collateral_mint.as_ref(),
            oracle_key,
            &nonce.to_le_bytes(),
        ],
        &PROGRAM,
    )
    .0
}

pub fn pool_pda(seed: &[u8], pool: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[seed, pool.as_ref()], &PROGRAM).0
}

/// Every address of one pool.
#[derive(Debug, Clone, Copy)]
pub struct PoolKeys {
    pub pool: Pubkey,
    pub authority: Pubkey,
    pub vault: Pubkey,
    pub long_mint: Pubkey,
    pub short_mint: Pubkey,
    pub lp_mint: Pubkey,
    pub collateral_mint: Pubkey,
    pub collateral_program: Pubkey,
    /// The account passed as the oracle (price update or legacy price account).
    pub oracle: Pubkey,
}

impl PoolKeys {
    pub fn derive(
        collateral_mint: Pubkey,
        collateral_program: Pubkey,
        oracle_key: [u8; 32],
        oracle: Pubkey,
        nonce: u64,
    ) -> Self {
        let pool = pool_address(&collateral_mint, &oracle_key, nonce);
        Self {
            pool,
            authority: pool_pda(AUTHORITY_SEED, &pool),
            vault: pool_pda(VAULT_SEED, &pool),
            long_mint: pool_pda(LONG_MINT_SEED, &pool),
            short_mint: pool_pda(SHORT_MINT_SEED, &pool),
            lp_mint: pool_pda(LP_MINT_SEED, &pool),
            collateral_mint,
            collateral_program,
            oracle,
        }
    }

    pub fn mint(&self, side: TradeSide) -> Pubkey {
        match side {
            TradeSide::Long => self.long_mint,
            TradeSide::Short => self.short_mint,
            TradeSide::Lp => self.lp_mint,
            TradeSide::Collateral => self.collateral_mint,
        }
    }
}

fn instruction(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: PROGRAM,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

pub fn initialize_config_ix(authority: &Pubkey, args: InitializeConfigArgs) -> Instruction {
    instruction(
        asymptote::accounts::InitializeConfig {
            authority: *authority,
            config: config_address(),
            program_data: crate::program_data_address(&PROGRAM),
            system_program: anchor_lang::system_program::ID,
            event_authority: event_authority(),
            program: PROGRAM,
        },
        asymptote::instruction::InitializeConfig { args },
    )
}

pub fn create_pool_ix(
    creator: &Pubkey,
    keys: &PoolKeys,
    creator_collateral: &Pubkey,
    args: CreatePoolArgs,
) -> Instruction {
    let ata = |mint: &Pubkey| get_associated_token_address_with_program_id(creator, mint, &TOKEN);
    instruction(
        asymptote::accounts::CreatePool {
            creator: *creator,
            config: config_address(),
            pool: keys.pool,
            pool_authority: keys.authority,
            collateral_mint: keys.collateral_mint,
            vault: keys.vault,
            long_mint: keys.long_mint,
            short_mint: keys.short_mint,
            lp_mint: keys.lp_mint,
            creator_collateral: *creator_collateral,
            creator_long: ata(&keys.long_mint),
            creator_short: ata(&keys.short_mint),
            creator_lp: ata(&keys.lp_mint),
            oracle: keys.oracle,
            token_program: TOKEN,
            collateral_token_program: keys.collateral_program,
            associated_token_program: anchor_spl::associated_token::ID,
            system_program: anchor_lang::system_program::ID,
            event_authority: event_authority(),
            program: PROGRAM,
        },
        asymptote::instruction::CreatePool { args },
    )
}

pub fn open_ix(
    trader: &Pubkey,
    keys: &PoolKeys,
    trader_collateral: &Pubkey,
    trader_side: &Pubkey,
    args: OpenArgs,
) -> Instruction {
    instruction(
        asymptote::accounts::Open {
            trader: *trader,
            config: config_address(),
            pool: keys.pool,
            pool_authority: keys.authority,
            vault: keys.vault,
            collateral_mint: keys.collateral_mint,
            trader_collateral: *trader_collateral,
            side_mint: keys.mint(args.side),
            trader_side: *trader_side,
            oracle: keys.oracle,
            token_program: TOKEN,
            collateral_token_program: keys.collateral_program,
            event_authority: event_authority(),
            program: PROGRAM,
        },
        asymptote::instruction::Open { args },
    )
}

pub fn close_ix(
    trader: &Pubkey,
    keys: &PoolKeys,
    trader_collateral: &Pubkey,
    trader_side: &Pubkey,
    args: CloseArgs,
) -> Instruction {
    instruction(
        asymptote::accounts::Close {
            trader: *trader,
            config: config_address(),
            pool: keys.pool,
            pool_authority: keys.authority,
            vault: keys.vault,
            collateral_mint: keys.collateral_mint,
            trader_collateral: *trader_collateral,
            side_mint: keys.mint(args.side),
            trader_side: *trader_side,
            oracle: keys.oracle,
            token_program: TOKEN,
            collateral_token_program: keys.collateral_program,
            event_authority: event_authority(),
            program: PROGRAM,
        },
        asymptote::instruction::Close { args },
    )
}

pub fn swap_ix(
    trader: &Pubkey,
    keys: &PoolKeys,
    trader_in: &Pubkey,
    trader_out: &Pubkey,
    args: SwapArgs,
) -> Instruction {
    instruction(
        asymptote::accounts::Swap {
            trader: *trader,
            config: config_address(),
            pool: keys.pool,
            pool_authority: keys.authority,
            mint_in: keys.mint(args.side_in),
            trader_in: *trader_in,
            mint_out: keys.mint(args.side_out),
            trader_out: *trader_out,
            oracle: keys.oracle,
            token_program: TOKEN,
            event_authority: event_authority(),
            program: PROGRAM,
        },
        asymptote::instruction::Swap { args },
    )
}

pub fn accrue_ix(keys: &PoolKeys) -> Instruction {
    instruction(
        asymptote::accounts::Accrue {
            config: config_address(),
            pool: keys.pool,
            oracle: keys.oracle,
            event_authority: event_authority(),
            program: PROGRAM,
        },
        asymptote::instruction::Accrue {},
    )
}

pub fn collect_fees_ix(keys: &PoolKeys, recipient_collateral: &Pubkey) -> Instruction {
    instruction(
        asymptote::accounts::CollectProtocolFees {
            config: config_address(),
            pool: keys.pool,
            pool_authority: keys.authority,
            vault: keys.vault,
            collateral_mint: keys.collateral_mint,
            recipient_collateral: *recipient_collateral,
            collateral_token_program: keys.collateral_program,
            event_authority: event_authority(),
            program: PROGRAM,
        },
        asymptote::instruction::CollectProtocolFees {},
    )
}

pub fn set_pause_ix(signer: &Pubkey, paused: u16) -> Instruction {
    instruction(
        asymptote::accounts::SetPause {
            signer: *signer,
            config: config_address(),
            event_authority: event_authority(),
            program: PROGRAM,
        },
        asymptote::instruction::SetPause { paused },
    )
}

pub fn propose_admin_ix(admin: &Pubkey, proposed: Pubkey) -> Instruction {
    instruction(
        asymptote::accounts::ProposeAdmin {
            admin: *admin,
            config: config_address(),
            event_authority: event_authority(),
            program: PROGRAM,
        },
        asymptote::instruction::ProposeAdmin { proposed },
    )
}

pub fn accept_admin_ix(new_admin: &Pubkey) -> Instruction {
    instruction(
        asymptote::accounts::AcceptAdmin {
            new_admin: *new_admin,
            config: config_address(),
            event_authority: event_authority(),
            program: PROGRAM,
        },
        asymptote::instruction::AcceptAdmin {},
    )
}

pub fn set_roles_ix(admin: &Pubkey, guardian: Pubkey, fee_recipient: Pubkey) -> Instruction {
    instruction(
        asymptote::accounts::SetRoles {
            admin: *admin,
            config: config_address(),
            event_authority: event_authority(),
            program: PROGRAM,
        },
        asymptote::instruction::SetRoles {
            guardian,
            fee_recipient,
        },
    )
}

pub fn quote_trade_ix(
    keys: &PoolKeys,
    side_in: TradeSide,
    side_out: TradeSide,
    amount: u64,
) -> Instruction {
    // For a collateral side any of the pool's mints will do (it is not read).
    let mint_for = |side: TradeSide| match side {
        TradeSide::Collateral => keys.lp_mint,
        other => keys.mint(other),
    };
    instruction(
        asymptote::accounts::QuoteTrade {
            config: config_address(),
            pool: keys.pool,
            mint_in: mint_for(side_in),
            mint_out: mint_for(side_out),
            oracle: keys.oracle,
        },
        asymptote::instruction::QuoteTrade {
            side_in,
            side_out,
            amount,
        },
    )
}

pub fn quote_pool_ix(keys: &PoolKeys) -> Instruction {
    instruction(
        asymptote::accounts::QuotePool {
            config: config_address(),
            pool: keys.pool,
            long_mint: keys.long_mint,
            short_mint: keys.short_mint,
            lp_mint: keys.lp_mint,
            oracle: keys.oracle,
        },
        asymptote::instruction::QuotePool {},
    )
}

/// Default pool economics for tests: K = 2, a day of interest at 0.06 %/day and a premium,
/// 0.3 % opening fee, protocol takes 1/5 of interest, no skew charge.
pub fn default_params() -> PoolParams {
    PoolParams {
        k: 2,
        mark: 0,
        interest_half_life: 249_532_987, // ~0.06 %/day of a power-branch side (216,000 slots/day)
        premium_half_life: 2_495_330,
        opening_fee_bps: 30,
        fee_divisor: 5,
        skew_lambda: 0,
        skew_cap: 0,
        skew_depth_cap: 0,
    }
}

pub fn default_oracle(source: OracleSource, key: [u8; 32]) -> OracleConfig {
    OracleConfig {
        source,
        key,
        max_age: match source {
            OracleSource::PythPull => 60,
            OracleSource::PythLegacy => 150,
        },
        max_conf_bps_open: 100,
        max_conf_bps_close: 500,
        max_ema_divergence_bps: 500,
        conf_widening_bps: 0,
    }
}

/// Create-pool arguments with the default economics and oracle limits, one third per side.
pub fn pool_args(
    nonce: u64,
    source: OracleSource,
    oracle_key: [u8; 32],
    deposit: u64,
) -> CreatePoolArgs {
    CreatePoolArgs {
        nonce,
        params: default_params(),
        oracle: default_oracle(source, oracle_key),
        deposit,
        long_bps: 0,
        short_bps: 0,
    }
}

/// A running protocol: config initialised, one pool created and seeded.
pub struct Fixture {
    pub env: TestEnv,
    pub admin: Keypair,
    pub guardian: Keypair,
    pub fee_recipient: Keypair,
    pub creator: Keypair,
    pub keys: PoolKeys,
    pub source: OracleSource,
    pub feed_id: [u8; 32],
    pub decimals: u8,
    /// Price in Pyth units (exponent -8) the fixture last posted.
    pub price: PythPrice,
}

pub struct FixtureOptions {
    pub mode: crate::Mode,
    pub token_program: crate::TokenProgram,
    pub source: OracleSource,
    pub collateral_program: Pubkey,
    pub decimals: u8,
    pub params: PoolParams,
    pub deposit: u64,
    /// Pyth price with exponent -8 (e.g. 150_00000000 = 150.0).
    pub price: i64,
    /// Initial LONG / SHORT shares of the deposit (bps; both 0 = one third each).
    pub long_bps: u16,
    pub short_bps: u16,
    /// Oracle limits (source and key are the fixture's own); `None` = `default_oracle`.
    pub oracle_limits: Option<OracleConfig>,
}

impl Default for FixtureOptions {
    fn default() -> Self {
        Self {
            mode: crate::Mode::from_env(),
            token_program: crate::TokenProgram::from_env(crate::Mode::from_env()),
            source: OracleSource::PythPull,
            collateral_program: TOKEN,
            decimals: 6,
            params: default_params(),
            deposit: 1_000_000_000_000, // 1,000,000.000000
            price: 150_00000000,
            long_bps: 0,
            short_bps: 0,
            oracle_limits: None,
        }
    }
}

pub const EXPONENT: i32 = -8;

impl Fixture {
    pub async fn new() -> Self {
        Self::with(FixtureOptions::default()).await
    }

    pub async fn with(opts: FixtureOptions) -> Self {
        let mut env = TestEnv::start_with(opts.mode, opts.token_program).await;
        let admin = env.upgrade_authority.insecure_clone();
        let guardian = Keypair::new();
        let fee_recipient = Keypair::new();
        env.airdrop(&guardian.pubkey(), 1_000_000_000).await;
        let init = initialize_config_ix(
            &admin.pubkey(),
            InitializeConfigArgs {
                guardian: guardian.pubkey(),
                fee_recipient: fee_recipient.pubkey(),
                legacy_pyth_program: env.legacy_pyth_program,
            },
        );
        env.send(&[init], &[&admin])
            .await
            .expect("initialize_config");

        let collateral_mint = env
            .create_mint_with(opts.collateral_program, opts.decimals, &[])
            .await;
        let now = env.clock().await;
        let price = PythPrice::at(opts.price, EXPONENT, now.unix_timestamp);
        let (oracle, oracle_key, feed_id) = match opts.source {
            OracleSource::PythPull => {
                let feed_id = [7u8; 32];
                let account = Pubkey::new_unique();
                env.post_price_update(&account, feed_id, &price);
                (account, feed_id, feed_id)
            }
            OracleSource::PythLegacy => {
                let account = Pubkey::new_unique();
                env.post_legacy_price(&account, &price, PriceStatus::Trading, now.slot);
                (account, account.to_bytes(), account.to_bytes())
            }
        };
        let keys = PoolKeys::derive(
            collateral_mint,
            opts.collateral_program,
            oracle_key,
            oracle,
            0,
        );
        let (creator, creator_collateral) = env
            .user_with(&collateral_mint, &opts.collateral_program, opts.deposit)
            .await;
        let oracle = match opts.oracle_limits {
            Some(limits) => OracleConfig {
                source: opts.source,
                key: oracle_key,
                ..limits
            },
            None => default_oracle(opts.source, oracle_key),
        };
        let args = CreatePoolArgs {
            nonce: 0,
            params: opts.params,
            oracle,
            deposit: opts.deposit,
            long_bps: opts.long_bps,
            short_bps: opts.short_bps,
        };
        let ix = create_pool_ix(&creator.pubkey(), &keys, &creator_collateral, args);
        env.send(&[ix], &[&creator]).await.expect("create_pool");
        Fixture {
            env,
            admin,
            guardian,
            fee_recipient,
            creator,
            keys,
            source: opts.source,
            feed_id,
            decimals: opts.decimals,
            price,
        }
    }

    /// Post a new oracle price (spot = EMA) published now, at `price` (exponent -8).
    pub async fn set_price(&mut self, price: i64) {
        let now = self.env.clock().await;
        self.post(PythPrice::at(price, EXPONENT, now.unix_timestamp))
            .await;
    }

    /// Move the price up by 0.01%: the next instruction sees a price the pool has not used.
    pub async fn nudge_price(&mut self) {
        let price = self.price.price;
        self.set_price(price + price / 10_000).await;
    }

    /// Post an arbitrary price as the pool's oracle account.
    pub async fn post(&mut self, p: PythPrice) {
        let slot = self.env.clock().await.slot;
        match self.source {
            OracleSource::PythPull => {
                self.env
                    .post_price_update(&self.keys.oracle, self.feed_id, &p)
            }
            OracleSource::PythLegacy => {
                self.env
                    .post_legacy_price(&self.keys.oracle, &p, PriceStatus::Trading, slot)
            }
        }
        self.price = p;
    }

    /// Advance slots (and time), then re-post the current price as fresh.
    pub async fn advance(&mut self, slots: u64) {
        self.env.advance_slots(slots).await;
        let price = self.price.price;
        self.set_price(price).await;
    }

    /// A trader holding `amount` collateral and empty LONG/SHORT/LP accounts.
    pub async fn trader(&mut self, amount: u64) -> Trader {
        let (keypair, collateral) = self
            .env
            .user_with(
                &self.keys.collateral_mint,
                &self.keys.collateral_program,
                amount,
            )
            .await;
        let owner = keypair.pubkey();
        let long = self.env.ata(&owner, &self.keys.long_mint, &TOKEN).await;
        let short = self.env.ata(&owner, &self.keys.short_mint, &TOKEN).await;
        let lp = self.env.ata(&owner, &self.keys.lp_mint, &TOKEN).await;
        Trader {
            keypair,
            collateral,
            long,
            short,
            lp,
        }
    }

    /// The creator as a trader, with its collateral account (created if missing).
    pub async fn creator_with_collateral(&mut self) -> Trader {
        let (owner, mint, program) = (
            self.creator.pubkey(),
            self.keys.collateral_mint,
            self.keys.collateral_program,
        );
        let collateral = self.env.ata(&owner, &mint, &program).await;
        self.creator_trader(collateral)
    }

    /// The creator as a trader (holds the initial LONG/SHORT/LP).
    pub fn creator_trader(&self, collateral: Pubkey) -> Trader {
        let owner = self.creator.pubkey();
        let ata =
            |mint: &Pubkey| get_associated_token_address_with_program_id(&owner, mint, &TOKEN);
        Trader {
            keypair: self.creator.insecure_clone(),
            collateral,
            long: ata(&self.keys.long_mint),
            short: ata(&self.keys.short_mint),
            lp: ata(&self.keys.lp_mint),
        }
    }

    pub async fn open(
        &mut self,
        t: &Trader,
        side: TradeSide,
        amount_in: u64,
        min_out: u64,
    ) -> Result<(), BanksClientError> {
        let ix = self.open_instruction(t, side, amount_in, min_out);
        self.env.send(&[ix], &[&t.keypair]).await
    }

    /// The instruction [`Fixture::open`] sends (no expiry), for a caller that sends it
    /// itself (measured, or with others).
    pub fn open_instruction(
        &self,
        t: &Trader,
        side: TradeSide,
        amount_in: u64,
        min_out: u64,
    ) -> Instruction {
        let args = OpenArgs {
            side,
            amount_in,
            min_out,
            expiry_slot: 0,
        };
        open_ix(
            &t.pubkey(),
            &self.keys,
            &t.collateral,
            &t.account(side),
            args,
        )
    }

    pub async fn close(
        &mut self,
        t: &Trader,
        side: TradeSide,
        amount: u64,
        min_out: u64,
    ) -> Result<(), BanksClientError> {
        let ix = close_ix(
            &t.pubkey(),
            &self.keys,
            &t.collateral,
            &t.account(side),
            CloseArgs {
                side,
                amount,
                min_out,
                expiry_slot: 0,
            },
        );
        self.env.send(&[ix], &[&t.keypair]).await
    }

    pub async fn swap(
        &mut self,
        t: &Trader,
        side_in: TradeSide,
        side_out: TradeSide,
        amount: u64,
        min_out: u64,
    ) -> Result<(), BanksClientError> {
        let ix = swap_ix(
            &t.pubkey(),
            &self.keys,
            &t.account(side_in),
            &t.account(side_out),
            SwapArgs {
                side_in,
                side_out,
                amount,
                min_out,
                expiry_slot: 0,
            },
        );
        self.env.send(&[ix], &[&t.keypair]).await
    }

    pub async fn accrue(&mut self) -> Result<(), BanksClientError> {
        let ix = accrue_ix(&self.keys);
        self.env.send(&[ix], &[]).await
    }

    pub async fn quote_trade(
        &mut self,
        side_in: TradeSide,
        side_out: TradeSide,
        amount: u64,
    ) -> Result<TradeQuote, BanksClientError> {
        let ix = quote_trade_ix(&self.keys, side_in, side_out, amount);
        let data = self.env.simulate_return(&[ix], &[]).await?;
        Ok(TradeQuote::deserialize(&mut data.as_slice()).expect("quote data"))
    }

    pub async fn quote_pool(&mut self) -> Result<PoolQuote, BanksClientError> {
        let ix = quote_pool_ix(&self.keys);
        let data = self.env.simulate_return(&[ix], &[]).await?;
        Ok(PoolQuote::deserialize(&mut data.as_slice()).expect("pool quote data"))
    }

    /// The posted Pyth price as the program normalises it (exponent -8 -> 18 decimals).
    pub fn oracle_price(&self) -> asymptote::oracle::OraclePrice {
        let scale = 10u128.pow((18 + self.price.exponent) as u32);
        asymptote::oracle::OraclePrice {
            price: self.price.price as u128 * scale,
            conf: u128::from(self.price.conf) * scale,
            ema: self.price.ema as u128 * scale,
            ema_conf: u128::from(self.price.ema_conf) * scale,
            publish_time: self.price.publish_time,
        }
    }

    /// What the next exact-input trade must do on chain: the program's own settlement code
    /// run off chain on the pool as it is now (oracle checks aside).
    pub async fn settle_off_chain(
        &mut self,
        side_in: TradeSide,
        side_out: TradeSide,
        budget: u64,
    ) -> anchor_lang::Result<Box<asymptote::instructions::common::Executed>> {
        let pool = self.pool().await;
        self.settle_on(&pool, side_in, side_out, budget).await
    }

    /// `settle_off_chain` on the pool with its kept powers erased: every `x^K` computed
    /// afresh, as the math core computes it without a memo.
    pub async fn settle_from_scratch(
        &mut self,
        side_in: TradeSide,
        side_out: TradeSide,
        budget: u64,
    ) -> Box<asymptote::instructions::common::Executed> {
        let mut pool = self.pool().await;
        pool.books.powers_price = [0; 32];
        pool.books.powers_xk = [0; 32];
        pool.books.powers_xk_short = [0; 32];
        assert_eq!(pool.known_powers(), None);
        self.settle_on(&pool, side_in, side_out, budget)
            .await
            .expect("settlement from scratch")
    }

    /// The program's settlement of an exact-input trade on `pool`, at the current slot,
    /// oracle price and mint supplies.
    async fn settle_on(
        &mut self,
        pool: &asymptote::state::Pool,
        side_in: TradeSide,
        side_out: TradeSide,
        budget: u64,
    ) -> anchor_lang::Result<Box<asymptote::instructions::common::Executed>> {
        let slot = self.env.clock().await.slot;
        let mut supplies = [(asymptote_math::Side::Collateral, 0); 2];
        for (i, side) in [side_in, side_out].into_iter().enumerate() {
            if side != TradeSide::Collateral {
                let mint = self.keys.mint(side);
                supplies[i] = (side.into(), self.env.supply(&mint).await);
            }
        }
        let price = self.oracle_price();
        asymptote::instructions::exact_input::exact_input(
            pool,
            &price,
            slot,
            side_in.into(),
            side_out.into(),
            budget,
            supplies,
        )
    }

    /// `settle_off_chain` for a trade the test expects to succeed.
    pub async fn expect_trade(
        &mut self,
        side_in: TradeSide,
        side_out: TradeSide,
        budget: u64,
    ) -> Box<asymptote::instructions::common::Executed> {
        self.settle_off_chain(side_in, side_out, budget)
            .await
            .expect("off-chain settlement")
    }

    pub async fn pool(&mut self) -> asymptote::state::Pool {
        let key = self.keys.pool;
        self.env.anchor_account(&key).await
    }

    pub async fn config(&mut self) -> asymptote::state::ProtocolConfig {
        self.env.anchor_account(&config_address()).await
    }

    /// Raw bytes of every account an instruction could touch, to prove a failure changed nothing.
    pub async fn snapshot(&mut self, extra: &[Pubkey]) -> Vec<Option<Vec<u8>>> {
        let mut keys = vec![
            self.keys.pool,
            self.keys.vault,
            self.keys.long_mint,
            self.keys.short_mint,
            self.keys.lp_mint,
            config_address(),
        ];
        keys.extend_from_slice(extra);
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            out.push(self.env.account(&key).await.map(|a| a.data));
        }
        out
    }
}

/// A user with collateral and LONG / SHORT / LP token accounts.
pub struct Trader {
    pub keypair: Keypair,
    pub collateral: Pubkey,
    pub long: Pubkey,
    pub short: Pubkey,
    pub lp: Pubkey,
}

impl Trader {
    pub fn pubkey(&self) -> Pubkey {
        self.keypair.pubkey()
    }

    pub fn account(&self, side: TradeSide) -> Pubkey {
        match side {
            TradeSide::Long => self.long,
            TradeSide::Short => self.short,
            TradeSide::Lp => self.lp,
            TradeSide::Collateral => self.collateral,
        }
    }

    pub fn accounts(&self) -> Vec<Pubkey> {
        vec![self.collateral, self.long, self.short, self.lp]
    }
}
