//! Pyth pull oracle: `PriceUpdateV2` accounts posted through the receiver program.
//!
//! Read in place: Borsh-deserialising the whole account copies every field on SBF, and a
//! trade needs seven. The layout is the receiver program's Borsh encoding of
//! `PriceUpdateV2` (discriminator, write authority, verification level, price message,
//! posted slot); a `Full` level is the one-byte variant tag 1, `Partial` is tag 0 followed
//! by its signature count. The unit tests read bytes the SDK serialised.

use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use super::RawPrice;
use crate::error::AsymptoteError;
use crate::state::PoolOracle;

const VERIFICATION_LEVEL: usize = 8 + 32;
/// Borsh variant tags of `VerificationLevel`.
const PARTIAL: u8 = 0;
const FULL: u8 = 1;
/// The price message of a fully verified update (right after its one-byte level).
const MESSAGE: usize = VERIFICATION_LEVEL + 1;
const FEED_ID: usize = MESSAGE;
const PRICE: usize = FEED_ID + 32;
const CONF: usize = PRICE + 8;
const EXPONENT: usize = CONF + 8;
const PUBLISH_TIME: usize = EXPONENT + 4;
const EMA_PRICE: usize = PUBLISH_TIME + 8 + 8;
const EMA_CONF: usize = EMA_PRICE + 8;
const MESSAGE_END: usize = EMA_CONF + 8;

pub(super) fn read(limits: &PoolOracle, account: &AccountInfo, clock: &Clock) -> Result<RawPrice> {
    require_keys_eq!(
        *account.owner,
        pyth_solana_receiver_sdk::ID,
        AsymptoteError::OracleWrongOwner
    );
    let data = account.try_borrow_data()?;
    let message = fully_verified_message(&data)?;
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
        ema: message.ema,
        ema_conf: message.ema_conf,
        exponent: message.exponent,
        publish_time: message.publish_time,
    })
}

/// The fields of a price message the pool reads.
#[derive(Debug, PartialEq, Eq)]
struct Message {
    feed_id: [u8; 32],
    price: i64,
    conf: u64,
    exponent: i32,
    publish_time: i64,
    ema: i64,
    ema_conf: u64,
}

/// The message of a `PriceUpdateV2` whose verification is `Full`. Any other account type
/// (a `TwapUpdate`, truncated data) is `OracleInvalidData`; a partial verification is
/// `OracleNotFullyVerified`.
fn fully_verified_message(data: &[u8]) -> Result<Message> {
    let invalid = || error!(AsymptoteError::OracleInvalidData);
    if data.get(..8) != Some(PriceUpdateV2::DISCRIMINATOR) {
        return Err(invalid());
    }
    match data.get(VERIFICATION_LEVEL) {
        Some(&FULL) => {}
        Some(&PARTIAL) => return Err(error!(AsymptoteError::OracleNotFullyVerified)),
        _ => return Err(invalid()),
    }
    // One length check, then fixed offsets into the message (reading each field with
    // `token_view::bytes`, a check per field, measured about 90 CU more on SBF).
    let message = data.get(MESSAGE..MESSAGE_END).ok_or_else(invalid)?;
    let field = |offset: usize| -> [u8; 8] {
        let at = offset - MESSAGE;
        let mut out = [0u8; 8];
        out.copy_from_slice(&message[at..at + 8]);
        out
    };
    let mut feed_id = [0u8; 32];
    feed_id.copy_from_slice(&message[..32]);
    let mut exponent = [0u8; 4];
    exponent.copy_from_slice(&message[EXPONENT - MESSAGE..EXPONENT - MESSAGE + 4]);
    Ok(Message {
        feed_id,
        price: i64::from_le_bytes(field(PRICE)),
        conf: u64::from_le_bytes(field(CONF)),
        exponent: i32::from_le_bytes(exponent),
        publish_time: i64::from_le_bytes(field(PUBLISH_TIME)),
        ema: i64::from_le_bytes(field(EMA_PRICE)),
        ema_conf: u64::from_le_bytes(field(EMA_CONF)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, VerificationLevel};

    fn update(level: VerificationLevel) -> PriceUpdateV2 {
        PriceUpdateV2 {
            write_authority: Pubkey::new_from_array([7; 32]),
            verification_level: level,
            price_message: PriceFeedMessage {
                feed_id: core::array::from_fn(|i| i as u8 + 1),
                price: -3_000_123_456,
                conf: 1_234_567,
                exponent: -8,
                publish_time: 1_700_000_123,
                prev_publish_time: 1_700_000_122,
                ema_price: 2_999_000_001,
                ema_conf: 2_345_678,
            },
            posted_slot: 987_654_321,
        }
    }

    /// The bytes the receiver program stores: discriminator and Borsh body, padded to the
    /// account's allocated length.
    fn bytes(update: &PriceUpdateV2) -> Vec<u8> {
        let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
        update.try_serialize(&mut data).unwrap();
        data.resize(PriceUpdateV2::LEN, 0);
        data
    }

    #[test]
    fn reads_every_field_the_sdk_wrote() {
        let update = update(VerificationLevel::Full);
        let m = &update.price_message;
        assert_eq!(
            fully_verified_message(&bytes(&update)).unwrap(),
            Message {
                feed_id: m.feed_id,
                price: m.price,
                conf: m.conf,
                exponent: m.exponent,
                publish_time: m.publish_time,
                ema: m.ema_price,
                ema_conf: m.ema_conf,
            }
        );
        // The SDK's own reader agrees on the same bytes.
        let decoded = PriceUpdateV2::try_deserialize(&mut &bytes(&update)[..]).unwrap();
        assert_eq!(decoded.price_message.publish_time, m.publish_time);
    }

    /// The Anchor error code of a refusal.
    fn code(data: &[u8]) -> u32 {
        match fully_verified_message(data) {
            Err(anchor_lang::error::Error::AnchorError(e)) => e.error_code_number,
            other => panic!("expected an Anchor error, got {other:?}"),
        }
    }

    #[test]
    fn refuses_partial_verification_other_accounts_and_short_data() {
        let partial = bytes(&update(VerificationLevel::Partial { num_signatures: 5 }));
        assert_eq!(
            code(&partial),
            u32::from(AsymptoteError::OracleNotFullyVerified)
        );
        let full = bytes(&update(VerificationLevel::Full));
        let mut other_type = full.clone();
        other_type[0] ^= 1;
        let mut unknown_level = full.clone();
        unknown_level[VERIFICATION_LEVEL] = 2;
        for data in [other_type, unknown_level, full[..MESSAGE_END - 1].to_vec()] {
            assert_eq!(code(&data), u32::from(AsymptoteError::OracleInvalidData));
        }
        assert!(fully_verified_message(&full[..MESSAGE_END]).is_ok());
    }
}
