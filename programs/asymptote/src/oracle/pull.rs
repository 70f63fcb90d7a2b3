//! Pyth pull oracle: `PriceUpdateV2` accounts posted through the receiver program.

use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::{PriceUpdateV2, VerificationLevel};

use super::RawPrice;
use crate::error::AsymptoteError;
use crate::state::PoolOracle;

pub(super) fn read(limits: &PoolOracle, account: &AccountInfo, clock: &Clock) -> Result<RawPrice> {
    require_keys_eq!(
        *account.owner,
        pyth_solana_receiver_sdk::ID,
        AsymptoteError::OracleWrongOwner
    );
    let data = account.try_borrow_data()?;
    // Checks the account discriminator (a TwapUpdate or any other type is refused).
    let update = PriceUpdateV2::try_deserialize(&mut &data[..])
        .map_err(|_| error!(AsymptoteError::OracleInvalidData))?;
    require!(
        update.verification_level == VerificationLevel::Full,
        AsymptoteError::OracleNotFullyVerified
    );
    let message = &update.price_message;
    require!(
        message.feed_id == limits.key,
        AsymptoteError::OracleWrongFeed
    );
    let oldest = clock
        .unix_timestamp
        .saturating_sub(i64::from(limits.max_age));
    Ok(RawPrice {
        stale: message.publish_time < oldest,
        price: message.price,
        conf: message.conf,
        ema: message.ema_price,
        ema_conf: message.ema_conf,
        exponent: message.exponent,
        publish_time: message.publish_time,
    })
}
