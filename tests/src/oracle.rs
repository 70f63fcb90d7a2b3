//! Real Pyth account bytes: pull-oracle `PriceUpdateV2` and legacy price accounts.

use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountSerialize;
use pyth_sdk_solana::state::{AccountType, PriceStatus, SolanaPriceAccount, MAGIC, VERSION_2};
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use solana_account::Account;

use crate::TestEnv;

/// One Pyth price as a feed publishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PythPrice {
    pub price: i64,
    pub conf: u64,
    pub ema: i64,
    pub ema_conf: u64,
    pub exponent: i32,
    pub publish_time: i64,
}

impl PythPrice {
    /// A calm price: EMA equal to spot, confidence 0.05 %.
    pub fn at(price: i64, exponent: i32, publish_time: i64) -> Self {
        Self {
            price,
            conf: (price / 2000) as u64,
            ema: price,
            ema_conf: (price / 2000) as u64,
            exponent,
            publish_time,
        }
    }
}

/// `PriceUpdateV2` account bytes, owned by the Pyth receiver program.
pub fn price_update_account(
    feed_id: [u8; 32],
    p: &PythPrice,
    level: VerificationLevel,
    posted_slot: u64,
) -> Account {
    let update = PriceUpdateV2 {
        write_authority: Pubkey::new_unique(),
        verification_level: level,
        price_message: PriceFeedMessage {
            feed_id,
            price: p.price,
            conf: p.conf,
            exponent: p.exponent,
            publish_time: p.publish_time,
            prev_publish_time: p.publish_time - 1,
            ema_price: p.ema,
            ema_conf: p.ema_conf,
        },
        posted_slot,
    };
    let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
    update
        .try_serialize(&mut data)
        .expect("serialize PriceUpdateV2");
    Account {
        lamports: 10_000_000,
        data,
        owner: pyth_solana_receiver_sdk::ID,
        executable: false,
        rent_epoch: 0,
    }
}

/// Legacy Pyth price account bytes (`SolanaPriceAccount`), owned by `pyth_program`.
pub fn legacy_price_account(
    pyth_program: &Pubkey,
    p: &PythPrice,
    status: PriceStatus,
    pub_slot: u64,
) -> Account {
    let mut feed = SolanaPriceAccount {
        magic: MAGIC,
        ver: VERSION_2,
        atype: AccountType::Price as u32,
        expo: p.exponent,
        timestamp: p.publish_time,
        ..Default::default()
    };
    feed.agg.price = p.price;
    feed.agg.conf = p.conf;
    feed.agg.status = status;
    feed.agg.pub_slot = pub_slot;
    feed.ema_price.val = p.ema;
    feed.ema_conf.val = p.ema_conf as i64;
    feed.size = std::mem::size_of::<SolanaPriceAccount>() as u32;
    Account {
        lamports: 10_000_000,
        data: bytemuck::bytes_of(&feed).to_vec(),
        owner: *pyth_program,
        executable: false,
        rent_epoch: 0,
    }
}

impl TestEnv {
    /// Write (or overwrite) a pull-oracle price update at `key`, fully verified.
    pub fn post_price_update(&mut self, key: &Pubkey, feed_id: [u8; 32], p: &PythPrice) {
        self.post_price_update_with(key, feed_id, p, VerificationLevel::Full);
    }

    pub fn post_price_update_with(
        &mut self,
        key: &Pubkey,
        feed_id: [u8; 32],
        p: &PythPrice,
        level: VerificationLevel,
    ) {
        self.set_account(key, price_update_account(feed_id, p, level, 0));
    }

    /// Write (or overwrite) a legacy price account at `key`.
    pub fn post_legacy_price(
        &mut self,
        key: &Pubkey,
        p: &PythPrice,
        status: PriceStatus,
        pub_slot: u64,
    ) {
        let program = self.legacy_pyth_program;
        self.set_account(key, legacy_price_account(&program, p, status, pub_slot));
    }
}
