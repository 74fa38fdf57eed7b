//! Wycheproof test vectors (`tests/vectors/wycheproof/`) run against the core's primitives:
//! ECDSA verification (Bitcoin policy: DER input, low-S only), HKDF-SHA256, ECDH, and
//! AES-256-GCM (`crypto::aes256_gcm_seal`/`open`, the layer under the protocol's `Ciphertext`).
//! HMAC-SHA256 has a file of its own (`wycheproof_hmac.rs`).
//!
//! Every test counts the cases it ran and asserts the count, so a parsing mistake cannot make it
//! pass by running nothing.

mod common;

use common::{hx, st, vectors};
use serde_json::Value;
use xmtp_core::crypto::{self, PrivateKey, PublicKey};

/// All test cases of a Wycheproof file, each with its group.
fn cases(file: &str) -> Vec<(Value, Value)> {
    let v = vectors(&format!("wycheproof/{file}"));
    let mut out = Vec::new();
    for group in v["testGroups"].as_array().expect("testGroups") {
        for t in group["tests"].as_array().expect("tests") {
            out.push((group.clone(), t.clone()));
        }
    }
    out
}

fn id(t: &Value) -> u64 {
    t["tcId"].as_u64().expect("tcId")
}

fn result(t: &Value) -> &str {
    st(&t["result"])
}

// ---------------------------------------------------------------------------------------------
// ECDSA secp256k1 SHA-256, Bitcoin variant
// ---------------------------------------------------------------------------------------------

/// One strict-DER TLV: returns (tag, contents, rest). Only definite, minimal lengths are DER.
fn der_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        // 0x80 (indefinite) and lengths of more than 4 bytes are not DER here.
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (bytes, r) = rest.split_at(n);
        rest = r;
        // Minimal: no leading zero byte, and the long form only for lengths ≥ 128.
        if bytes[0] == 0 {
            return None;
        }
        let len = bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        if len < 0x80 {
            return None;
        }
        len
    };
    if rest.len() < len {
        return None;
    }
    let (contents, rest) = rest.split_at(len);
    Some((tag, contents, rest))
}

/// A non-negative DER INTEGER as 32 big-endian bytes, or `None` if it is not minimal, negative or
/// does not fit 256 bits (such a value cannot be a scalar below the group order).
fn der_uint256(contents: &[u8]) -> Option<[u8; 32]> {
    let (&first, _) = contents.split_first()?;
    if first & 0x80 != 0 {
        return None; // negative
    }
    let mut digits = contents;
    if first == 0 {
        if contents.len() == 1 {
            return Some([0; 32]);
        }
        if contents[1] & 0x80 == 0 {
            return None; // superfluous leading zero
        }
        digits = &contents[1..];
    }
    if digits.len() > 32 {
        return None;
    }
    let mut out = [0u8; 32];
    out[32 - digits.len()..].copy_from_slice(digits);
    Some(out)
}

/// `SEQUENCE { INTEGER r, INTEGER s }` in strict DER → `r ‖ s` (64 bytes).
fn der_signature_to_compact(der: &[u8]) -> Option<[u8; 64]> {
    let (tag, seq, rest) = der_tlv(der)?;
    if tag != 0x30 || !rest.is_empty() {
        return None;
    }
    let (tag_r, r, seq) = der_tlv(seq)?;
    let (tag_s, s, seq) = der_tlv(seq)?;
    if tag_r != 0x02 || tag_s != 0x02 || !seq.is_empty() {
        return None;
    }
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&der_uint256(r)?);
    out[32..].copy_from_slice(&der_uint256(s)?);
    Some(out)
}

#[test]
fn der_helper_sanity() {
    // r = 1, s = 2.
    let sig = der_signature_to_compact(&hex::decode("3006020101020102").unwrap()).unwrap();
    assert_eq!((sig[31], sig[63]), (1, 2));
    // Long-form length for a short sequence, superfluous zero, negative, trailing byte: all refused.
    for bad in ["308106020101020102", "300702020001020102", "3006020181020102", "300602010102010200"] {
        assert!(der_signature_to_compact(&hex::decode(bad).unwrap()).is_none(), "{bad}");
    }
}

#[test]
fn ecdsa_secp256k1_sha256_bitcoin() {
    let all = cases("ecdsa_secp256k1_sha256_bitcoin_test.json");
    let (mut valid, mut invalid, mut invalid_der, mut invalid_by_verify) = (0, 0, 0, 0);
    for (group, t) in &all {
        let key = &group["publicKey"];
        assert_eq!(st(&key["curve"]), "secp256k1");
        assert_eq!(st(&group["sha"]), "SHA-256");
        let public = PublicKey::from_uncompressed(&hx(&key["uncompressed"]))
            .unwrap_or_else(|e| panic!("group public key of tc {}: {e}", id(t)));
        let digest = crypto::sha256(&hx(&t["msg"]));
        let compact = der_signature_to_compact(&hx(&t["sig"]));
        let verdict = compact.map(|sig| public.verify_prehash(&digest, &sig));
        match result(t) {
            "valid" => {
                valid += 1;
                let Some(verdict) = verdict else { panic!("tc {}: valid signature is not strict DER", id(t)) };
                assert_eq!(verdict, Ok(()), "tc {} ({}) must verify", id(t), st(&t["comment"]));
            }
            "invalid" => {
                invalid += 1;
                match verdict {
                    None => invalid_der += 1,
                    Some(v) => {
                        assert!(v.is_err(), "tc {} ({}) must be rejected", id(t), st(&t["comment"]));
                        invalid_by_verify += 1;
                    }
                }
            }
            other => panic!("tc {}: unexpected result {other}", id(t)),
        }
    }
    assert_eq!(all.len(), 463);
    assert_eq!((valid, invalid), (162, 301));
    // 217 invalid cases are not strict DER and 15 hold integers wider than 256 bits; the other 69
    // are well-formed and must be refused by `verify_prehash` itself (high S, r or s out of range,
    // zero, wrong values).
    assert_eq!((invalid_der, invalid_by_verify), (232, 69));
}

/// The same cases through batch verification: every well-formed signature, with each recovery id
/// 0–3 (the file has none; the x-overflow id 2–3 reaches the cases whose `R` has x = r + n), in
/// one batch and in batches per key, must get exactly `verify_prehash`'s answer.
#[test]
fn ecdsa_secp256k1_sha256_bitcoin_in_batches() {
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;
    use xmtp_core::crypto::BatchItem;

    let all = cases("ecdsa_secp256k1_sha256_bitcoin_test.json");
    let parsed: Vec<(String, PublicKey, [u8; 32], [u8; 64])> = all
        .iter()
        .filter_map(|(group, t)| {
            let public = PublicKey::from_uncompressed(&hx(&group["publicKey"]["uncompressed"])).ok()?;
            let sig = der_signature_to_compact(&hx(&t["sig"]))?;
            Some((st(&group["publicKey"]["uncompressed"]).to_string(), public, crypto::sha256(&hx(&t["msg"])), sig))
        })
        .collect();
    assert_eq!(parsed.len(), 162 + 69);
    let single: Vec<_> = parsed.iter().map(|(_, k, d, s)| k.verify_prehash(d, s)).collect();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    for recovery in 0..4u8 {
        let items: Vec<BatchItem<'_>> = parsed.iter().map(|(_, k, d, s)| BatchItem::new(k, d, s, recovery)).collect();
        assert_eq!(crypto::verify_batch(&items, &mut rng), single, "one batch, recovery id {recovery}");
        // Per key, in file order.
        let mut start = 0;
        while start < parsed.len() {
            let end = (start..parsed.len()).find(|&i| parsed[i].0 != parsed[start].0).unwrap_or(parsed.len());
            assert_eq!(
                crypto::verify_batch(&items[start..end], &mut rng),
                single[start..end],
                "batch of one key, recovery id {recovery}"
            );
            start = end;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// HKDF-SHA256
// ---------------------------------------------------------------------------------------------

#[test]
fn hkdf_sha256_32_byte_outputs() {
    let all = cases("hkdf_sha256_test.json");
    let mut run = 0;
    for (_, t) in all.iter().filter(|(_, t)| t["size"].as_u64() == Some(32)) {
        assert_eq!(result(t), "valid", "tc {}", id(t));
        let okm = crypto::hkdf_sha256(&hx(&t["ikm"]), &hx(&t["salt"]), &hx(&t["info"]));
        assert_eq!(okm.to_vec(), hx(&t["okm"]), "tc {} ({})", id(t), st(&t["comment"]));
        run += 1;
    }
    assert_eq!(all.len(), 86);
    assert_eq!(run, 12);
}

/// The other valid lengths, through HKDF's prefix property: the output for length L is the first
/// L bytes of T(1) ‖ T(2) ‖ …, and T(1) does not depend on L. So our 32-byte output must equal
/// the first 32 bytes of a longer output and begin with a shorter one.
#[test]
fn hkdf_sha256_other_lengths_by_prefix() {
    let all = cases("hkdf_sha256_test.json");
    let (mut longer, mut shorter, mut too_large) = (0, 0, 0);
    for (_, t) in all.iter().filter(|(_, t)| t["size"].as_u64() != Some(32)) {
        let size = usize::try_from(t["size"].as_u64().unwrap()).unwrap();
        if result(t) == "invalid" {
            // Output lengths above 255 × 32 bytes; a fixed 32-byte output cannot ask for them.
            assert!(size > 255 * 32, "tc {}", id(t));
            too_large += 1;
            continue;
        }
        let okm = crypto::hkdf_sha256(&hx(&t["ikm"]), &hx(&t["salt"]), &hx(&t["info"]));
        let expected = hx(&t["okm"]);
        assert_eq!(expected.len(), size, "tc {}", id(t));
        let n = size.min(32);
        assert!(n > 0, "tc {}: empty output proves nothing", id(t));
        assert_eq!(okm[..n], expected[..n], "tc {} ({})", id(t), st(&t["comment"]));
        if size > 32 {
            longer += 1;
        } else {
            shorter += 1;
        }
    }
    assert_eq!((longer, shorter, too_large), (53, 18, 3));
}

// ---------------------------------------------------------------------------------------------
// ECDH secp256k1
// ---------------------------------------------------------------------------------------------

/// DER of `SubjectPublicKeyInfo { AlgorithmIdentifier { id-ecPublicKey, secp256k1 }, BIT STRING
/// (0 unused bits) ‖ … }` up to the 65-byte point. DER is canonical, so a named-curve secp256k1
/// key with an uncompressed point has exactly this prefix: comparing it is a strict parse.
const SPKI_SECP256K1_UNCOMPRESSED_PREFIX: &str = "3056301006072a8648ce3d020106052b8104000a034200";

/// The 65-byte point of a strict secp256k1 SPKI, or `None` for any other encoding (other curve,
/// explicit parameters, BER lengths, compressed point, trailing data, …).
fn spki_point(spki: &[u8]) -> Option<&[u8]> {
    let prefix = hex::decode(SPKI_SECP256K1_UNCOMPRESSED_PREFIX).unwrap();
    let point = spki.strip_prefix(prefix.as_slice())?;
    (point.len() == 65).then_some(point)
}

/// The private scalar as exactly 32 bytes (the file may add a leading 00 or drop leading zeros).
fn private_32(bytes: &[u8]) -> [u8; 32] {
    let mut digits = bytes;
    while digits.len() > 32 && digits[0] == 0 {
        digits = &digits[1..];
    }
    assert!(digits.len() <= 32, "private key longer than 32 bytes");
    let mut out = [0u8; 32];
    out[32 - digits.len()..].copy_from_slice(digits);
    out
}

#[derive(Default, Debug, PartialEq)]
struct EcdhTally {
    valid: usize,
    /// Invalid cases refused because the SPKI is not a secp256k1 uncompressed key.
    invalid_spki: usize,
    /// Invalid cases whose point `PublicKey::from_uncompressed` refused.
    invalid_point: usize,
    acceptable_accepted: usize,
    acceptable_refused: usize,
}

#[test]
fn ecdh_secp256k1() {
    let all = cases("ecdh_secp256k1_test.json");
    let mut tally = EcdhTally::default();
    for (group, t) in &all {
        assert_eq!(st(&group["curve"]), "secp256k1");
        let private = PrivateKey::from_bytes(&private_32(&hx(&t["private"])))
            .unwrap_or_else(|e| panic!("tc {}: private key: {e}", id(t)));
        let spki = hx(&t["public"]);
        // `None`: the SPKI is refused here; `Some(Err)`: the core refuses the point itself.
        let public = spki_point(&spki).map(PublicKey::from_uncompressed);
        let shared = match &public {
            Some(Ok(key)) => Some(private.shared_point(key)),
            _ => None,
        };
        match result(t) {
            "valid" => {
                let Some(shared) = shared else { panic!("tc {} ({}): valid key refused", id(t), st(&t["comment"])) };
                assert_eq!(shared[0], 0x04);
                assert_eq!(shared[1..33], hx(&t["shared"])[..], "tc {} ({})", id(t), st(&t["comment"]));
                tally.valid += 1;
            }
            // Wrong curves and explicit or modified parameters fail the SPKI parse; points off
            // the curve (invalid-curve attacks) in a well-formed SPKI must fail in the core.
            "invalid" => match public {
                None => tally.invalid_spki += 1,
                Some(Err(e)) => {
                    assert_eq!(e, crypto::CryptoError::InvalidPublicKey);
                    tally.invalid_point += 1;
                }
                Some(Ok(_)) => panic!("tc {} ({}): invalid public key accepted", id(t), st(&t["comment"])),
            },
            "acceptable" => match shared {
                Some(shared) => {
                    assert_eq!(shared[1..33], hx(&t["shared"])[..], "tc {}", id(t));
                    tally.acceptable_accepted += 1;
                }
                None => tally.acceptable_refused += 1,
            },
            other => panic!("tc {}: unexpected result {other}", id(t)),
        }
    }
    assert_eq!(all.len(), 748);
    assert_eq!(
        tally,
        EcdhTally { valid: 473, invalid_spki: 28, invalid_point: 18, acceptable_accepted: 0, acceptable_refused: 229 }
    );
}

// ---------------------------------------------------------------------------------------------
// AES-256-GCM (96-bit nonces, 128-bit tags)
// ---------------------------------------------------------------------------------------------

#[test]
fn aes_256_gcm() {
    let mut ran = 0;
    for (group, t) in cases("aes_gcm_test.json") {
        assert_eq!((group["keySize"].as_u64(), group["ivSize"].as_u64()), (Some(256), Some(96)), "tc {}", id(&t));
        let key: [u8; 32] = hx(&t["key"]).try_into().expect("32-byte key");
        let nonce: [u8; 12] = hx(&t["iv"]).try_into().expect("12-byte nonce");
        let (aad, msg) = (hx(&t["aad"]), hx(&t["msg"]));
        let sealed: Vec<u8> = [hx(&t["ct"]), hx(&t["tag"])].concat();
        let opened = crypto::aes256_gcm_open(&key, &nonce, &aad, &sealed);
        match result(&t) {
            "valid" => {
                assert_eq!(crypto::aes256_gcm_seal(&key, &nonce, &aad, &msg), sealed, "tc {} seal", id(&t));
                assert_eq!(opened.map(|p| p.to_vec()), Ok(msg), "tc {} open", id(&t));
            }
            "invalid" => assert!(opened.is_err(), "tc {} must be refused", id(&t)),
            other => panic!("tc {}: unexpected result {other}", id(&t)),
        }
        ran += 1;
    }
    assert_eq!(ran, 66);
}
