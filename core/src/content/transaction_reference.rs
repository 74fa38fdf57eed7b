//! `xmtp.org/transactionReference:1.0` (XIP-21): a reference to an on-chain transaction. No
//! parameters; content = UTF-8 JSON `{namespace?, networkId, reference, metadata?}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use xmtp_proto::message_contents as pb;

use super::{Codec, Content, ContentError, ContentTypeId, Registry};

/// A network id, kept as sent: a JSON number or a string (decimal or hex, e.g. `"0x14a34"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NetworkId {
    /// A JSON number.
    Number(serde_json::Number),
    /// A string.
    String(String),
}

/// Optional details of a transaction. Numbers are kept exactly as sent (integer or not).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionMetadata {
    /// e.g. `transfer`.
    pub transaction_type: String,
    /// e.g. `USDC`.
    pub currency: String,
    /// Amount in the currency's smallest unit.
    pub amount: serde_json::Number,
    /// Decimals of the currency.
    pub decimals: serde_json::Number,
    /// Sender address.
    pub from_address: String,
    /// Recipient address.
    pub to_address: String,
}

/// A transaction reference. Its serde form is the wire JSON (and what xmtp-js shows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionReference {
    /// Namespace of the network id, e.g. `eip155`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The network id.
    pub network_id: NetworkId,
    /// The transaction hash.
    pub reference: String,
    /// Optional details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<TransactionMetadata>,
}

impl TransactionReference {
    /// The JSON xmtp-js shows for this reference: as sent, except that numbers are JavaScript
    /// numbers (an integral value such as `1.0` shows as `1`).
    pub fn to_js_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        js_numbers(&mut v);
        v
    }
}

/// Integral floats (that a double holds exactly) as integers, recursively.
fn js_numbers(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
                if f.fract() == 0.0 && f.abs() <= MAX_SAFE {
                    // In range, so the conversion is exact.
                    *n = serde_json::Number::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(js_numbers),
        Value::Object(map) => map.values_mut().for_each(js_numbers),
        _ => {}
    }
}

/// The transaction reference codec.
#[derive(Debug, Default, Clone, Copy)]
pub struct TransactionReferenceCodec;

impl TransactionReferenceCodec {
    /// `xmtp.org/transactionReference:1.0`.
    pub fn id() -> ContentTypeId {
        ContentTypeId::new("xmtp.org", "transactionReference", 1, 0)
    }
}

impl Codec for TransactionReferenceCodec {
    fn content_type(&self) -> ContentTypeId {
        Self::id()
    }

    fn encode(&self, content: &Content, _: &Registry) -> Result<pb::EncodedContent, ContentError> {
        let Content::TransactionReference(tx) = content else {
            return Err(ContentError::WrongContentForCodec);
        };
        Ok(pb::EncodedContent {
            r#type: Some(Self::id().to_proto()),
            parameters: BTreeMap::new(),
            fallback: None,
            compression: None,
            content: serde_json::to_vec(tx).map_err(|_| ContentError::InvalidContent)?,
        })
    }

    fn decode(&self, encoded: &pb::EncodedContent, _: &Registry) -> Result<Content, ContentError> {
        serde_json::from_slice(&encoded.content)
            .map(Content::TransactionReference)
            .map_err(|_| ContentError::InvalidContent)
    }

    fn fallback(&self, content: &Content) -> Option<String> {
        let Content::TransactionReference(tx) = content else { return None };
        Some(if tx.reference.is_empty() {
            "Crypto transaction".to_string()
        } else {
            format!(
                "[Crypto transaction] Use a blockchain explorer to learn more using the transaction hash: {}",
                tx.reference
            )
        })
    }

    fn should_push(&self, _: &Content) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn json_is_kept_as_sent() {
        let reg = Registry::new();
        let sent = json!({
            "namespace": "eip155",
            "networkId": "0x14a34",
            "reference": "0xabab",
            "metadata": {"transactionType": "transfer", "currency": "USDC", "amount": 100000, "decimals": 6,
                         "fromAddress": "0x1", "toAddress": "0x2"}
        });
        let enc = pb::EncodedContent { content: serde_json::to_vec(&sent).unwrap(), ..Default::default() };
        let tx = TransactionReferenceCodec.decode(&enc, &reg).unwrap();
        assert_eq!(tx.to_json(), sent);
        let again = TransactionReferenceCodec.encode(&tx, &reg).unwrap();
        assert_eq!(TransactionReferenceCodec.decode(&again, &reg).unwrap(), tx);
        assert_eq!(
            TransactionReferenceCodec.fallback(&tx).unwrap(),
            "[Crypto transaction] Use a blockchain explorer to learn more using the transaction hash: 0xabab"
        );

        // A numeric network id and a fractional amount stay numbers of the same kind.
        let minimal = json!({"networkId": 8453, "reference": ""});
        let enc = pb::EncodedContent { content: serde_json::to_vec(&minimal).unwrap(), ..Default::default() };
        let tx = TransactionReferenceCodec.decode(&enc, &reg).unwrap();
        assert_eq!(tx.to_json(), minimal);
        assert_eq!(TransactionReferenceCodec.fallback(&tx).unwrap(), "Crypto transaction");
        let Content::TransactionReference(mut t) = tx else { unreachable!() };
        t.metadata = Some(TransactionMetadata {
            transaction_type: "t".into(),
            currency: "ETH".into(),
            amount: serde_json::Number::from_f64(0.5).unwrap(),
            decimals: 18.into(),
            from_address: "a".into(),
            to_address: "b".into(),
        });
        let enc = TransactionReferenceCodec.encode(&Content::TransactionReference(t), &reg).unwrap();
        assert_eq!(
            std::str::from_utf8(&enc.content).unwrap(),
            r#"{"networkId":8453,"reference":"","metadata":{"transactionType":"t","currency":"ETH","amount":0.5,"decimals":18,"fromAddress":"a","toAddress":"b"}}"#
        );
        // JavaScript has one number type: an integral float shows as an integer.
        let enc =
            pb::EncodedContent { content: br#"{"networkId":1.0,"reference":"r"}"#.to_vec(), ..Default::default() };
        let tx = TransactionReferenceCodec.decode(&enc, &reg).unwrap();
        assert_eq!(serde_json::to_string(&tx.to_json()).unwrap(), r#"{"networkId":1,"reference":"r"}"#);

        for bad in [&b"{}"[..], b"[1]", b"{\"networkId\": true, \"reference\": \"x\"}", b"\xff"] {
            let enc = pb::EncodedContent { content: bad.to_vec(), ..Default::default() };
            assert_eq!(TransactionReferenceCodec.decode(&enc, &reg), Err(ContentError::InvalidContent));
        }
    }
}
