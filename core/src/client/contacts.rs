//! Contacts: publishing the own bundle and resolving others'.

use xmtp_proto::message_api::v1::Envelope;

use super::{query, Client, Event, OpId, Page, Pending, RequestKind, Resolving, StartRequest, BATCH_SIZE};
use crate::contact::{self, ContactVersion};
use crate::crypto::Address;
use crate::{topic, Error};

impl Client {
    /// Publish the own contact (V1 and V2 bundles) unless the newest published one is current.
    /// Finishes with [`Event::ContactPublished`].
    pub fn publish_contact(&mut self) -> OpId {
        let op = self.new_op();
        let q = query(&topic::contact(self.address()), 0, 0, false, 5, None);
        self.queue(RequestKind::Query(q), Pending::OwnContact { op });
        op
    }

    pub(super) fn after_own_contact(&mut self, op: OpId, page: &Page, now_ns: u64) {
        self.report_malformed(page);
        let own = self.reader.keys().public_bundle();
        let newest = contact::newest_valid(self.address(), page.envelopes.iter().map(|e| e.message.as_slice()));
        if newest
            .is_some_and(|c| c.version == ContactVersion::V2 && c.bundle.to_signed_proto() == own.to_signed_proto())
        {
            self.emit(Event::ContactPublished { op, published: false });
            return;
        }
        let t = topic::contact(self.address());
        let ts = crate::whole_ms(now_ns);
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
            let env = Envelope { content_topic: t.clone(), timestamp_ns: ts + i as u64 * crate::NS_PER_MS, message: b };
            if let Err(e) = self.publish(vec![env], now_ns, Pending::PublishContact { op, last: i + 1 == n }) {
                self.fail_op(op, e);
                return;
            }
        }
    }

    /// Look up the newest valid contact of each address (batch queries, 50 per request).
    /// Finishes with one [`Event::ContactsResolved`] holding every address in the order given,
    /// whatever the number of batches (`canMessage` is whether a contact was found).
    pub fn resolve_contacts(&mut self, addresses: &[Address]) -> OpId {
        let op = self.new_op();
        self.resolve_contacts_then(op, addresses, None);
        op
    }

    pub(super) fn resolve_contacts_then(&mut self, op: OpId, addresses: &[Address], then_start: Option<StartRequest>) {
        if addresses.is_empty() {
            self.emit(Event::ContactsResolved { op, results: Vec::new() });
            return;
        }
        let results = addresses.iter().map(|a| (a.clone(), false)).collect();
        let remaining = addresses.len().div_ceil(BATCH_SIZE);
        self.resolving.insert(op, Resolving { results, remaining, then_start });
        for (i, chunk) in addresses.chunks(BATCH_SIZE).enumerate() {
            let queries = chunk.iter().map(|a| query(&topic::contact(a), 0, 0, false, 5, None)).collect();
            let pending = Pending::Contacts { op, addresses: chunk.to_vec(), offset: i * BATCH_SIZE };
            self.queue(RequestKind::BatchQuery(queries), pending);
        }
    }

    pub(super) fn after_contacts(
        &mut self,
        op: OpId,
        addresses: &[Address],
        offset: usize,
        pages: &[Page],
        now_ns: u64,
    ) {
        let mut found = Vec::with_capacity(addresses.len());
        for (i, addr) in addresses.iter().enumerate() {
            let page = pages.get(i);
            if let Some(p) = page {
                self.report_malformed(p);
            }
            let contact =
                page.and_then(|p| contact::newest_valid(addr, p.envelopes.iter().map(|e| e.message.as_slice())));
            if let Some(c) = &contact {
                self.contacts.insert(addr.clone(), c.clone());
            }
            found.push(contact.is_some());
        }
        let Some(state) = self.resolving.get_mut(&op) else { return };
        for (i, ok) in found.into_iter().enumerate() {
            if let Some(slot) = state.results.get_mut(offset + i) {
                slot.1 = ok;
            }
        }
        state.remaining = state.remaining.saturating_sub(1);
        if state.remaining > 0 {
            return;
        }
        let Some(done) = self.resolving.remove(&op) else { return };
        match done.then_start {
            Some(start) => self.continue_start(op, start, now_ns),
            None => self.emit(Event::ContactsResolved { op, results: done.results }),
        }
    }
}
