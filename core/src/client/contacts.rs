//! Contacts: publishing the own bundle and resolving others'.

use super::*;

impl Client {
    /// Publish the own contact (V1 and V2 bundles) unless the newest published one is current.
    pub fn publish_contact(&mut self) -> OpId {
        let op = self.new_id();
        let q = query(&topic::contact(self.address()), 0, 0, false, 5, None);
        self.queue(RequestKind::Query(q), Some(Pending::OwnContact { op }));
        op
    }

    pub(super) fn after_own_contact(&mut self, op: OpId, page: &Page, now_ns: u64) {
        let own = self.reader.keys().public_bundle();
        let newest = contact::newest_valid(self.address(), page.envelopes.iter().map(|e| e.message.as_slice()));
        if newest
            .is_some_and(|c| c.version == ContactVersion::V2 && c.bundle.to_signed_proto() == own.to_signed_proto())
        {
            self.events.push_back(Event::ContactPublished { op, published: false });
            return;
        }
        let t = topic::contact(self.address());
        let ts = now_ns / 1_000_000 * 1_000_000;
        let v1 = contact::encode_v1(self.reader.keys()).map_err(Error::from);
        let v2 = contact::encode_v2(self.reader.keys());
        let mut bundles = Vec::new();
        if let Ok(v1) = v1 {
            bundles.push(v1);
        }
        bundles.push(v2);
        let n = bundles.len();
        for (i, b) in bundles.into_iter().enumerate() {
            // The V2 bundle goes last and 1 ms later, so a descending query finds it first.
            let env = Envelope { content_topic: t.clone(), timestamp_ns: ts + i as u64 * 1_000_000, message: b };
            if let Err(e) = self.publish(vec![env], now_ns, Pending::PublishContact { op, last: i + 1 == n }) {
                self.fail_op(op, e);
                return;
            }
        }
    }

    /// Look up the newest valid contact of each address (batch queries, 50 per request);
    /// finishes with [`Event::ContactsResolved`]. `canMessage` is whether one was found.
    pub fn resolve_contacts(&mut self, addresses: &[Address]) -> OpId {
        let op = self.new_id();
        self.resolve_contacts_then(op, addresses, None);
        op
    }

    pub(super) fn resolve_contacts_then(&mut self, op: OpId, addresses: &[Address], then_start: Option<StartRequest>) {
        if addresses.is_empty() {
            self.events.push_back(Event::ContactsResolved { op, results: Vec::new() });
            return;
        }
        let chunks: Vec<Vec<Address>> = addresses.chunks(BATCH_SIZE).map(<[Address]>::to_vec).collect();
        let n = chunks.len();
        self.outstanding_syncs.insert(op, n);
        for chunk in chunks {
            let queries = chunk.iter().map(|a| query(&topic::contact(a), 0, 0, false, 5, None)).collect();
            let pending = Pending::Contacts { op, addresses: chunk, then_start: then_start.clone() };
            self.queue(RequestKind::BatchQuery(queries), Some(pending));
        }
    }

    pub(super) fn after_contacts(
        &mut self,
        op: OpId,
        addresses: &[Address],
        pages: &[Page],
        then_start: Option<StartRequest>,
        now_ns: u64,
    ) {
        let mut results = Vec::with_capacity(addresses.len());
        for (i, addr) in addresses.iter().enumerate() {
            let found = pages
                .get(i)
                .and_then(|p| contact::newest_valid(addr, p.envelopes.iter().map(|e| e.message.as_slice())));
            if let Some(c) = &found {
                self.contacts.insert(addr.clone(), c.clone());
            }
            results.push((addr.clone(), found.is_some()));
        }
        let left = self.outstanding_syncs.get(&op).copied().unwrap_or(1).saturating_sub(1);
        if left == 0 {
            self.outstanding_syncs.remove(&op);
        } else {
            self.outstanding_syncs.insert(op, left);
        }
        match then_start {
            Some(start) => self.continue_start(op, start, now_ns),
            None => self.events.push_back(Event::ContactsResolved { op, results }),
        }
    }
}
