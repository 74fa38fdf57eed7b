//! The consent list: actions replayed in timestamp order (facts §10), whatever order they
//! arrive in.

use std::collections::BTreeMap;

use crate::consent::ConsentAction;

/// Consent for an address, group or inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsentState {
    /// No action seen.
    Unknown,
    /// Allowed.
    Allowed,
    /// Denied.
    Denied,
}

/// All consent actions seen, keyed by (envelope timestamp, arrival sequence), and the resulting
/// state of each entry (`address-<value>`, `groupId-<value>`, `inboxId-<value>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentList {
    actions: BTreeMap<(u64, u64), ConsentAction>,
    states: BTreeMap<String, ConsentState>,
    seq: u64,
}

impl ConsentList {
    /// The key of an address entry.
    pub fn address_key(address: &str) -> String {
        format!("address-{address}")
    }

    /// Add an action seen at `timestamp_ns`; returns the entries whose state changed.
    pub fn add(&mut self, timestamp_ns: u64, action: ConsentAction) -> Vec<(String, ConsentState)> {
        self.seq += 1;
        self.actions.insert((timestamp_ns, self.seq), action);
        let before = std::mem::take(&mut self.states);
        for a in self.actions.values() {
            let lists: [(&Vec<String>, &str, ConsentState); 6] = [
                (&a.allow_addresses, "address", ConsentState::Allowed),
                (&a.deny_addresses, "address", ConsentState::Denied),
                (&a.allow_groups, "groupId", ConsentState::Allowed),
                (&a.deny_groups, "groupId", ConsentState::Denied),
                (&a.allow_inbox_ids, "inboxId", ConsentState::Allowed),
                (&a.deny_inbox_ids, "inboxId", ConsentState::Denied),
            ];
            for (values, kind, state) in lists {
                for v in values {
                    self.states.insert(format!("{kind}-{v}"), state);
                }
            }
        }
        self.states.iter().filter(|(k, s)| before.get(*k) != Some(s)).map(|(k, s)| (k.clone(), *s)).collect()
    }

    /// The state of an entry key.
    pub fn state(&self, key: &str) -> ConsentState {
        self.states.get(key).copied().unwrap_or(ConsentState::Unknown)
    }

    /// All entries with a state.
    pub fn entries(&self) -> impl Iterator<Item = (&str, ConsentState)> {
        self.states.iter().map(|(k, s)| (k.as_str(), *s))
    }

    /// The actions, in replay order, with their timestamps (for export).
    pub fn actions(&self) -> impl Iterator<Item = (u64, &ConsentAction)> {
        self.actions.iter().map(|((ts, _), a)| (*ts, a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow(a: &str) -> ConsentAction {
        ConsentAction { allow_addresses: vec![a.into()], ..Default::default() }
    }
    fn deny(a: &str) -> ConsentAction {
        ConsentAction { deny_addresses: vec![a.into()], ..Default::default() }
    }

    #[test]
    fn replays_in_timestamp_order_whatever_the_arrival_order() {
        let mut l = ConsentList::default();
        assert_eq!(l.add(20, deny("0xA")), vec![("address-0xA".to_string(), ConsentState::Denied)]);
        // An older allow arriving late does not override the newer deny.
        assert!(l.add(10, allow("0xA")).is_empty());
        assert_eq!(l.state("address-0xA"), ConsentState::Denied);
        assert_eq!(l.add(30, allow("0xA")), vec![("address-0xA".to_string(), ConsentState::Allowed)]);
        // Several arms in one action apply in field order: deny after allow.
        let both = ConsentAction {
            allow_addresses: vec!["0xB".into()],
            deny_addresses: vec!["0xB".into()],
            ..Default::default()
        };
        l.add(40, both);
        assert_eq!(l.state("address-0xB"), ConsentState::Denied);
        assert_eq!(l.state("address-0xC"), ConsentState::Unknown);
    }
}
