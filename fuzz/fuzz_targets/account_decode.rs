//! Account data the program reads.
//!
//! * `Pool` and `ProtocolConfig` as `AccountLoader` reads them (length and, in one pass, the
//!   discriminator checked, then the packed bytes in place): no panic; on a decoded pool,
//!   `math_state` then `store` leaves the books unchanged and `params.math_config` does not
//!   panic.
//! * The oracle readers through `oracle::read_unless_stale` (the pool's source picks the
//!   `PriceUpdateV2` or the legacy Pyth reader), on an `AccountInfo` built here with
//!   fuzzer-chosen key, owner and data: arbitrary bytes, or a well-formed account whose
//!   fields the fuzzer picks. No panic; a price read is positive and is the raw price
//!   scaled to 18 decimals; then `oracle::check` and `oracle::candidates` (the widened
//!   prices are at least 1 and move against the trader).

#![no_main]

use anchor_lang::prelude::{AccountInfo, Clock, Pubkey};
use anchor_lang::{AccountSerialize, Discriminator};
use arbitrary::Arbitrary;
use asymptote::constants::{
    BPS, MAX_CONF_BPS, MAX_EMA_DIVERGENCE_BPS, MAX_PRICE_AGE_SECONDS, MAX_PRICE_AGE_SLOTS,
};
use asymptote::oracle::{self, PriceUse};
use asymptote::state::{OracleConfig, OracleSource, Pool, ProtocolConfig};
use asymptote_fuzz::SideGen;
use asymptote_math::{Side, U256};
use libfuzzer_sys::fuzz_target;
use pyth_sdk_solana::state::{AccountType, PriceStatus, SolanaPriceAccount, MAGIC, VERSION_2};
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};

#[derive(Debug, Arbitrary)]
struct Input {
    /// Bytes for the `Pool` and `ProtocolConfig` decoders.
    account: Vec<u8>,
    /// With the real discriminator in front (else the bytes as they are).
    pool_discriminator: bool,
    oracle: OracleInput,
}

#[derive(Debug, Arbitrary)]
struct OracleInput {
    legacy: bool,
    data: OracleData,
    /// The account's owner is the expected program (else a fuzzer-chosen key).
    right_owner: bool,
    other_owner: [u8; 32],
    /// The account's key / feed id is the pool's (else a fuzzer-chosen key).
    right_key: bool,
    key: [u8; 32],
    max_age: u32,
    max_conf_bps_open: u16,
    max_conf_bps_close: u16,
    max_ema_divergence_bps: u16,
    conf_widening_bps: u16,
    clock_slot: u64,
    clock_time: i64,
    last_publish_time: i64,
    close: bool,
    side_in: SideGen,
    side_out: SideGen,
}

#[derive(Debug, Arbitrary)]
enum OracleData {
    Raw(Vec<u8>),
    Pull {
        full: bool,
        price: i64,
        conf: u64,
        exponent: i32,
        publish_time: i64,
        ema_price: i64,
        ema_conf: u64,
        posted_slot: u64,
    },
    Legacy {
        status: u8,
        price: i64,
        conf: u64,
        exponent: i32,
        pub_slot: u64,
        ema_price: i64,
        ema_conf: i64,
        timestamp: i64,
    },
}

/// The raw fields a well-formed oracle account carries: (price, ema, exponent).
type Raw = Option<(i64, i64, i32)>;

fn oracle_bytes(data: &OracleData, feed_id: [u8; 32]) -> (Vec<u8>, Raw) {
    match *data {
        OracleData::Raw(ref bytes) => (bytes.clone(), None),
        OracleData::Pull {
            full,
            price,
            conf,
            exponent,
            publish_time,
            ema_price,
            ema_conf,
            posted_slot,
        } => {
            let update = PriceUpdateV2 {
                write_authority: Pubkey::default(),
                verification_level: if full {
                    VerificationLevel::Full
                } else {
                    VerificationLevel::Partial { num_signatures: 5 }
                },
                price_message: PriceFeedMessage {
                    feed_id,
                    price,
                    conf,
                    exponent,
                    publish_time,
                    prev_publish_time: publish_time.saturating_sub(1),
                    ema_price,
                    ema_conf,
                },
                posted_slot,
            };
            let mut bytes = Vec::new();
            update
                .try_serialize(&mut bytes)
                .expect("serialize PriceUpdateV2");
            (bytes, Some((price, ema_price, exponent)))
        }
        OracleData::Legacy {
            status,
            price,
            conf,
            exponent,
            pub_slot,
            ema_price,
            ema_conf,
            timestamp,
        } => {
            let mut account: SolanaPriceAccount = bytemuck::Zeroable::zeroed();
            account.magic = MAGIC;
            account.ver = VERSION_2;
            account.atype = AccountType::Price as u32;
            account.expo = exponent;
            account.agg.price = price;
            account.agg.conf = conf;
            account.agg.pub_slot = pub_slot;
            account.agg.status = match status % 5 {
                0 => PriceStatus::Unknown,
                1 => PriceStatus::Halted,
                2 => PriceStatus::Auction,
                3 => PriceStatus::Ignored,
                _ => PriceStatus::Trading,
            };
            account.ema_price.val = ema_price;
            account.ema_conf.val = ema_conf;
            account.timestamp = timestamp;
            let bytes = bytemuck::bytes_of(&account).to_vec();
            (bytes, Some((price, ema_price, exponent)))
        }
    }
}

/// A pool with the given oracle limits: all-zero books and parameters (zeroed, so the
/// target keeps up with fields added to `Pool`).
fn pool_with(oracle: OracleConfig) -> Pool {
    let mut pool: Pool = bytemuck::Zeroable::zeroed();
    pool.version = Pool::VERSION;
    pool.params.k = 2;
    pool.params.mark = 1;
    pool.oracle = oracle.into();
    pool
}

/// An account as `AccountLoader` reads it: at least the discriminator and the packed layout
/// (the length check of `AccountLoader::try_from`), the discriminator when `checked`, then
/// the bytes in place.
fn load<T: bytemuck::Pod + Discriminator>(bytes: &[u8], checked: bool) -> Option<T> {
    let data = bytes.get(8..8 + core::mem::size_of::<T>())?;
    if checked && bytes[..8] != *T::DISCRIMINATOR {
        return None;
    }
    Some(bytemuck::pod_read_unaligned(data))
}

/// Both accounts, with and without the discriminator check.
fn decode_accounts(bytes: &[u8]) {
    for checked in [true, false] {
        if !checked && bytes.len() < 8 {
            return;
        }
        if let Some(mut pool) = load::<Pool>(bytes, checked) {
            let _ = pool.params.math_config();
            let books = pool.books;
            let state = pool.math_state([(Side::Long, u64::MAX), (Side::Lp, 0)]);
            pool.store(&state).expect("stored books fit");
            assert_eq!(pool.books, books, "math_state then store changed the books");
        }
        if let Some(config) = load::<ProtocolConfig>(bytes, checked) {
            let _ = config.require_not_paused(config.paused);
        }
    }
}

fn read_oracle(o: &OracleInput) {
    let pyth_program = Pubkey::new_from_array([7; 32]);
    let source = if o.legacy {
        OracleSource::PythLegacy
    } else {
        OracleSource::PythPull
    };
    // Limits within what `create_pool` accepts (a pool account holds no others).
    let max_age = if o.legacy {
        MAX_PRICE_AGE_SLOTS
    } else {
        MAX_PRICE_AGE_SECONDS
    };
    let max_conf_bps_close = o.max_conf_bps_close % MAX_CONF_BPS + 1;
    let limits = OracleConfig {
        source,
        key: o.key,
        max_age: o.max_age % max_age + 1,
        max_conf_bps_open: o.max_conf_bps_open % max_conf_bps_close + 1,
        max_conf_bps_close,
        max_ema_divergence_bps: o.max_ema_divergence_bps % MAX_EMA_DIVERGENCE_BPS + 1,
        conf_widening_bps: o.conf_widening_bps % (4 * BPS as u16 + 1),
    };
    let pool = pool_with(limits);
    let (bytes, raw) = oracle_bytes(&o.data, if o.right_key { o.key } else { [0xee; 32] });
    // Account data is 8-byte aligned on chain (and `bytemuck` casts in pyth-sdk-solana
    // require it): copy into a u64-backed buffer.
    let mut words = vec![0u64; bytes.len().div_ceil(8)];
    let buffer: &mut [u8] = bytemuck::cast_slice_mut(&mut words);
    let data = &mut buffer[..bytes.len()];
    data.copy_from_slice(&bytes);

    let key = if o.legacy && o.right_key {
        Pubkey::new_from_array(o.key)
    } else {
        Pubkey::new_from_array([0xee; 32])
    };
    let owner = match (o.right_owner, o.legacy) {
        (true, true) => pyth_program,
        (true, false) => pyth_solana_receiver_sdk::ID,
        (false, _) => Pubkey::new_from_array(o.other_owner),
    };
    let mut lamports = 1_000_000u64;
    let account = AccountInfo::new(&key, false, false, &mut lamports, data, &owner, false);
    let clock = Clock {
        slot: o.clock_slot,
        unix_timestamp: o.clock_time,
        ..Clock::default()
    };

    let Ok(Some(price)) = oracle::read_unless_stale(&pool, &account, &pyth_program, &clock) else {
        return;
    };
    assert!(price.price > 0 && price.ema > 0);
    if let Some((raw_price, raw_ema, exponent)) = raw {
        let scale = 10u128.pow((18 + exponent) as u32);
        assert_eq!(price.price, raw_price as u128 * scale);
        assert_eq!(price.ema, raw_ema as u128 * scale);
    }
    let use_ = if o.close {
        PriceUse::Close
    } else {
        PriceUse::Open
    };
    if oracle::check(&price, &pool.oracle, o.last_publish_time, &clock, use_).is_err() {
        return;
    }
    let (side_in, side_out) = (o.side_in.side(), o.side_out.side());
    // Finding F2 (docs/fuzzing.md), fixed: the widening used to overflow u128 here.
    let prices = oracle::candidates(&price, limits.conf_widening_bps, side_in, side_out)
        .expect("widening fits 256 bits");
    let one = U256::from(1u8);
    assert!(prices.spot >= one && prices.ema >= one);
    let (spot, ema) = (U256::from(price.price), U256::from(price.ema));
    if side_out == Side::Long || side_in == Side::Short {
        assert!(
            prices.spot >= spot && prices.ema >= ema,
            "widened in the trader's favour"
        );
    } else if side_out == Side::Short || side_in == Side::Long {
        assert!(
            prices.spot <= spot && prices.ema <= ema,
            "widened in the trader's favour"
        );
    } else {
        assert!(prices.spot == spot && prices.ema == ema);
    }
}

fuzz_target!(|input: Input| {
    let mut bytes = Vec::with_capacity(input.account.len() + 8);
    if input.pool_discriminator {
        use anchor_lang::Discriminator;
        bytes.extend_from_slice(Pool::DISCRIMINATOR);
    }
    bytes.extend_from_slice(&input.account);
    decode_accounts(&bytes);
    read_oracle(&input.oracle);
});
