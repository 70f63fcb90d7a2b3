//! Legacy Pyth price accounts (push oracle), parsed from their bytes with pyth-sdk-solana.

use anchor_lang::prelude::*;
use pyth_sdk_solana::state::{load_price_account, PriceStatus};

use super::RawPrice;
use crate::error::AsymptoteError;
use crate::state::PoolOracle;

pub(super) fn read(
    limits: &PoolOracle,
    account: &AccountInfo,
    pyth_program: &Pubkey,
    clock: &Clock,
) -> Result<RawPrice> {
    require_keys_eq!(
        *account.owner,
        *pyth_program,
        AsymptoteError::OracleWrongOwner
    );
    require!(
        account.key.to_bytes() == limits.key,
        AsymptoteError::OracleWrongAccount
    );
    let data = account.try_borrow_data()?;
    let feed = load_price_account::<32, ()>(&data)
        .map_err(|_| error!(AsymptoteError::OracleInvalidData))?;
    require!(
        feed.agg.status == PriceStatus::Trading,
        AsymptoteError::OracleNotTrading
    );
    require!(
        feed.agg.pub_slot <= clock.slot,
        AsymptoteError::OracleFromFuture
    );
    require!(feed.ema_conf.val >= 0, AsymptoteError::OracleInvalidData);
    Ok(RawPrice {
        stale: clock.slot - feed.agg.pub_slot > u64::from(limits.max_age),
        price: feed.agg.price,
        conf: feed.agg.conf,
        ema: feed.ema_price.val,
        ema_conf: feed.ema_conf.val as u64,
        exponent: feed.expo,
        publish_time: feed.timestamp,
    })
}
