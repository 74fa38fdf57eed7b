//! Consent: loading and publishing private preferences, honouring consent proofs.

use xmtp_proto::message_api::v1::Envelope;

use super::{
    query, Client, ClientError, ConsentState, Event, OpId, Pending, RequestKind, SyncKind, PAGE_SIZE, SYNC_OVERLAP_NS,
};
use crate::consent::{self, ConsentAction};
use crate::crypto::Address;

impl Client {
    /// Load consent actions from the private preferences topic since the last load minus 10 s,
    /// replay them in timestamp order, then honour valid consent proofs of conversations whose
    /// state is unknown. Finishes with [`Event::ConsentSynced`].
    pub fn sync_consent(&mut self, now_ns: u64) -> OpId {
        let op = self.new_op();
        let t = consent::preferences_topic(self.reader.keys().identity().secret());
        let start = self.last_consent_sync_ns.saturating_sub(SYNC_OVERLAP_NS);
        let q = query(&t, start, 0, true, PAGE_SIZE, None);
        self.outstanding_syncs.insert(op, 1);
        self.queue(RequestKind::Query(q.clone()), Pending::Sync { op, query: q, kind: SyncKind::Consent });
        self.last_consent_sync_ns = now_ns;
        op
    }

    /// Publish a consent action (one envelope holding all given values) and apply it locally.
    /// Finishes with [`Event::ConsentPublished`] (or [`Event::Failed`]: the local state keeps
    /// the action, and a later [`Client::sync_consent`] shows what the network has).
    pub fn set_consent(&mut self, action: ConsentAction, now_ns: u64) -> Result<OpId, ClientError> {
        let secret = self.reader.keys().identity().secret().clone();
        let payload = consent::encrypt_action(&secret, &action.encode(), &mut *self.rng);
        let t = consent::preferences_topic(&secret);
        let ts = crate::whole_ms(now_ns);
        let op = self.new_op();
        let envelope = Envelope { content_topic: t, timestamp_ns: ts, message: payload };
        if let Err(e) = self.publish(vec![envelope], now_ns, Pending::PublishConsent { op }) {
            self.open_ops.remove(&op);
            return Err(e);
        }
        for (entry, state) in self.consent.add(ts, action) {
            self.events.push_back(Event::ConsentChanged { entry, state });
        }
        Ok(op)
    }

    pub(super) fn allow_if_unknown(&mut self, peer: &Address, now_ns: u64) {
        if self.consent_state(peer.as_str()) == ConsentState::Unknown {
            let action = ConsentAction { allow_addresses: vec![peer.to_string()], ..Default::default() };
            // A failure to build the token would already have failed the publish it follows.
            let _ = self.set_consent(action, now_ns);
        }
    }

    pub(super) fn honour_consent_proofs(&mut self, now_ns: u64) {
        let now_ms = now_ns / 1_000_000;
        let candidates: Vec<(Address, bool)> = self
            .reader
            .v2_conversations()
            .into_iter()
            .filter(|c| self.consent_state(c.peer_address.as_str()) == ConsentState::Unknown)
            .filter_map(|c| {
                let proof = c.consent_proof.as_ref()?;
                let valid =
                    consent::validate_consent_proof(proof, self.address(), c.peer_address.as_str(), now_ms).is_ok();
                Some((c.peer_address.clone(), valid))
            })
            .collect();
        for (peer, valid) in candidates {
            if valid {
                self.allow_if_unknown(&peer, now_ns);
            }
        }
    }
}
