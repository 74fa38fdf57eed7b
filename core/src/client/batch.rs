//! Push-notification keys and batch decryption.

use std::collections::BTreeMap;

use xmtp_proto::message_api::v1::Envelope;

#[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
use super::PARALLEL_MIN_BATCH;
use super::{Client, Message};
use crate::decoder::Decoded;
use crate::{push, Error};

impl Client {
    /// Push-notification HMAC keys per V2 conversation for the periods −1, 0, +1 around
    /// `now_ms`, optionally only for some topics.
    pub fn hmac_keys(&self, now_ms: u64, topics: Option<&[String]>) -> BTreeMap<String, Vec<(u64, [u8; 32])>> {
        self.reader
            .v2_conversations()
            .into_iter()
            .filter(|c| topics.is_none_or(|t| t.contains(&c.topic)))
            .map(|c| {
                let keys = push::hmac_keys_around(c.key_material.expose(), self.address(), now_ms)
                    .into_iter()
                    .map(|(p, k)| (p, *k))
                    .collect();
                (c.topic.clone(), keys)
            })
            .collect()
    }

    /// Decrypt many envelopes of known conversations: one result per envelope, in order.
    /// Verified sender bundles and conversation secrets are cached across the batch, and the
    /// V2 content signatures are verified together ([`EnvelopeReader::read_batch`]). With the
    /// `parallel` feature (native targets) large batches are split across threads, each of
    /// which verifies its part as one batch.
    pub fn decrypt_batch(&mut self, envelopes: &[Envelope]) -> Vec<Result<Message, Error>> {
        #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
        {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            if threads > 1 && envelopes.len() >= PARALLEL_MIN_BATCH {
                return self.decrypt_parallel(envelopes, threads);
            }
        }
        self.reader.read_batch(envelopes, &mut *self.rng).into_iter().map(|(_, r)| into_message(r)).collect()
    }

    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    pub(super) fn decrypt_parallel(&mut self, envelopes: &[Envelope], threads: usize) -> Vec<Result<Message, Error>> {
        let chunk = envelopes.len().div_ceil(threads);
        let workers: Vec<_> = envelopes
            .chunks(chunk)
            .map(|part| (part, self.reader.clone(), crate::crypto::batch::SeededRng::from_rng(&mut *self.rng)))
            .collect();
        std::thread::scope(|s| {
            let handles: Vec<_> = workers
                .into_iter()
                .map(|(part, mut reader, mut rng)| {
                    s.spawn(move || {
                        reader.read_batch(part, &mut rng).into_iter().map(|(_, r)| into_message(r)).collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        })
    }
}

/// A read result as a message: anything but a message is `WrongVersion`, as for single reads.
fn into_message(result: Result<Decoded, Error>) -> Result<Message, Error> {
    match result? {
        Decoded::Message { message, content } => Ok(Message { message, content }),
        _ => Err(crate::message::MessageError::WrongVersion.into()),
    }
}
