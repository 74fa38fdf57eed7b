//! Key bundles and publish tokens.

use crate::fixture::*;

// Keys
// ---------------------------------------------------------------------------------------------

#[test]
fn key_bundle_private_key_mismatch() {
    let base = v1_proto(&fx().alice);
    // The identity's private key replaced by another scalar.
    let mut v1 = base.clone();
    v1.identity_key.as_mut().unwrap().union = secp_private(&[0x55; 32]);
    let err = PrivateKeyBundle::from_v1(&v1).unwrap_err();
    assert_eq!(err, KeyError::KeyMismatch);
    assert_eq!(err.code(), "key.mismatch");
    // The pre-key's private key replaced.
    let mut v1 = base.clone();
    v1.pre_keys[0].union = secp_private(&[0x55; 32]);
    assert_eq!(PrivateKeyBundle::from_v1(&v1).unwrap_err(), KeyError::KeyMismatch);
    // Through the encoded form, and in the V2 form.
    let encoded = pb::PrivateKeyBundle { version: Some(pb::private_key_bundle::Version::V1(v1)) }.encode_to_vec();
    assert_eq!(PrivateKeyBundle::from_bytes(&encoded).unwrap_err(), KeyError::KeyMismatch);
    let mut v2 = v2_proto(&fx().alice);
    v2.pre_keys[0].union =
        Some(pb::signed_private_key::Union::Secp256k1(pb::signed_private_key::Secp256k1 { bytes: vec![0x55; 32] }));
    assert_eq!(PrivateKeyBundle::from_v2(&v2).unwrap_err(), KeyError::KeyMismatch);
    // A private key that is not a scalar.
    let mut v1 = base;
    v1.pre_keys[0].union = secp_private(&[0; 32]);
    assert_eq!(PrivateKeyBundle::from_v1(&v1).unwrap_err(), KeyError::Crypto(CryptoError::InvalidPrivateKey));
}

#[test]
fn key_bundle_pre_key_signed_by_another_key() {
    let alice = &fx().alice;
    let mut v1 = v1_proto(alice);
    v1.pre_keys = vec![legacy_pre_key(&key(0x66), IDENTITY_MS, fx().carol.identity().secret())];
    let err = PrivateKeyBundle::from_v1(&v1).unwrap_err();
    assert_eq!(err, KeyError::PreKeyNotSigned);
    assert_eq!(err.code(), "key.prekey_not_signed");
    // Signed by the pre-key itself.
    v1.pre_keys = vec![legacy_pre_key(&key(0x66), IDENTITY_MS, &key(0x66))];
    assert_eq!(PrivateKeyBundle::from_v1(&v1).unwrap_err(), KeyError::PreKeyNotSigned);
    // Control: signed by the identity key, it is accepted.
    v1.pre_keys = vec![legacy_pre_key(&key(0x66), IDENTITY_MS, alice.identity().secret())];
    assert_eq!(PrivateKeyBundle::from_v1(&v1).unwrap().address(), alice.address());
    // A bundle without pre-keys.
    v1.pre_keys.clear();
    assert_eq!(PrivateKeyBundle::from_v1(&v1).unwrap_err(), KeyError::NoPreKey);
}

#[test]
fn key_bundle_identity_signed_by_no_wallet() {
    let alice = &fx().alice;
    // V2 form: the identity signature in the key arm instead of the wallet arm.
    let mut v2 = v2_proto(alice);
    let public = v2.identity_key.as_mut().unwrap().public_key.as_mut().unwrap();
    let (sig, arm) = keys::signature_from_proto(public.signature.as_ref().unwrap()).unwrap();
    assert_eq!(arm, SignatureArm::Wallet);
    public.signature = Some(keys::signature_to_proto(&sig, SignatureArm::Ecdsa));
    let err = PrivateKeyBundle::from_v2(&v2).unwrap_err();
    assert_eq!(err, KeyError::IdentityNotWalletSigned);
    assert_eq!(err.code(), "key.identity_not_wallet_signed");
    // Legacy form: a signature from which no key can be recovered (r = s = 0).
    let mut v1 = v1_proto(alice);
    let public = v1.identity_key.as_mut().unwrap().public_key.as_mut().unwrap();
    public.signature =
        Some(keys::signature_to_proto(&crypto::RecoverableSignature::new(&[0; 64], 0).unwrap(), SignatureArm::Ecdsa));
    assert_eq!(PrivateKeyBundle::from_v1(&v1).unwrap_err(), KeyError::IdentityNotWalletSigned);
    // No signature at all.
    let mut v1 = v1_proto(alice);
    v1.identity_key.as_mut().unwrap().public_key.as_mut().unwrap().signature = None;
    assert_eq!(
        PrivateKeyBundle::from_v1(&v1).unwrap_err(),
        KeyError::Decode(DecodeError::Missing("public_key.signature"))
    );
}

#[test]
fn identity_creation_and_storage_refuse_the_wrong_wallet() {
    let f = fx();
    let creation = IdentityCreation::from_parts(key(0x11), IDENTITY_MS, key(0x22), IDENTITY_MS + 1);
    let sig = wallet_sign(&f.carol_wallet, &creation.signature_request().text);
    let err = creation.complete(&sig, Some(f.alice.address())).unwrap_err();
    assert_eq!(err, KeyError::WrongWallet);
    assert_eq!(err.code(), "key.wrong_wallet");
    // Storing Alice's keys with Carol's wallet signature.
    let seal = KeyStorageSeal::new(&f.alice, &mut rng(50)).unwrap();
    let sig = wallet_sign(&f.carol_wallet, &seal.signature_request().text);
    assert_eq!(seal.complete(&sig, &mut rng(51)).unwrap_err(), KeyError::WrongWallet);
    // Loading stored keys with another signature.
    let seal = KeyStorageSeal::new(&f.carol, &mut rng(52)).unwrap();
    let text = seal.signature_request().text;
    let stored = seal.complete(&wallet_sign(&f.carol_wallet, &text), &mut rng(53)).unwrap();
    let other = wallet_sign(&key(0x77), &text);
    let err = KeyStorageOpen::new(&stored).unwrap().complete(&other).unwrap_err();
    assert_eq!(err, KeyError::StorageDecryptFailed);
    assert_eq!(err.code(), "key.storage_decrypt_failed");
    assert_eq!(KeyStorageOpen::new(&stored).unwrap().complete(&[]).unwrap_err(), KeyError::StorageDecryptFailed);
}

// ---------------------------------------------------------------------------------------------
// Auth tokens
// ---------------------------------------------------------------------------------------------

fn token_parts(token: &AuthToken) -> api::Token {
    api::Token::decode(token.as_bytes()).unwrap()
}

fn token_b64(token: &api::Token) -> String {
    STANDARD.encode(token.encode_to_vec())
}

/// A token by `keys` whose auth data names `wallet_addr` (signed correctly by the identity key).
fn token_naming(keys: &PrivateKeyBundle, wallet_addr: &str) -> String {
    let auth_data = api::AuthData { wallet_addr: wallet_addr.to_string(), created_ns: TOKEN_NS }.encode_to_vec();
    let sig = keys.sign_with_identity(&crypto::keccak256(&auth_data));
    token_b64(&api::Token {
        identity_key: Some(keys.identity().public().to_legacy_proto().unwrap()),
        auth_data_bytes: auth_data,
        auth_data_signature: Some(keys::signature_to_proto(&sig, SignatureArm::Ecdsa)),
    })
}

#[test]
fn auth_token_tampered() {
    let alice = &fx().alice;
    let token = AuthToken::create(alice, TOKEN_NS).unwrap();
    assert_eq!(auth::verify_token(&token.header_value(), TOKEN_NS).unwrap(), *alice.address());
    // Auth data changed after signing.
    let mut t = token_parts(&token);
    let last = t.auth_data_bytes.len() - 1;
    t.auth_data_bytes[last] ^= 1;
    let err = auth::verify_token(&token_b64(&t), TOKEN_NS).unwrap_err();
    assert_eq!(err, AuthError::BadSignature);
    assert_eq!(err.code(), "auth.bad_signature");
    // The signature of another token (one millisecond later).
    let later = token_parts(&AuthToken::create(alice, TOKEN_NS + 1_000_000).unwrap());
    let mut t = token_parts(&token);
    t.auth_data_signature = later.auth_data_signature;
    assert_eq!(auth::verify_token(&token_b64(&t), TOKEN_NS), Err(AuthError::BadSignature));
    // Signed by Bob's identity key while presenting Alice's.
    let mut t = token_parts(&token);
    let sig = fx().bob.sign_with_identity(&crypto::keccak256(&t.auth_data_bytes));
    t.auth_data_signature = Some(keys::signature_to_proto(&sig, SignatureArm::Ecdsa));
    assert_eq!(auth::verify_token(&token_b64(&t), TOKEN_NS), Err(AuthError::BadSignature));
    // Signature in the wallet arm.
    let mut t = token_parts(&token);
    let (sig, _) = keys::signature_from_proto(t.auth_data_signature.as_ref().unwrap()).unwrap();
    t.auth_data_signature = Some(keys::signature_to_proto(&sig, SignatureArm::Wallet));
    assert_eq!(auth::verify_token(&token_b64(&t), TOKEN_NS), Err(AuthError::BadSignature));
    // Identity key whose wallet signature is unusable.
    let mut t = token_parts(&token);
    t.identity_key.as_mut().unwrap().signature =
        Some(keys::signature_to_proto(&crypto::RecoverableSignature::new(&[0; 64], 0).unwrap(), SignatureArm::Ecdsa));
    let err = auth::verify_token(&token_b64(&t), TOKEN_NS).unwrap_err();
    assert_eq!(err, AuthError::IdentityNotWalletSigned);
    assert_eq!(err.code(), "auth.identity_not_wallet_signed");
    // Not base64, not a token.
    assert_eq!(
        auth::verify_token("Bearer !!!", TOKEN_NS),
        Err(AuthError::Decode(DecodeError::Malformed("token base64")))
    );
    assert_eq!(
        auth::verify_token(&STANDARD.encode([0xff]), TOKEN_NS),
        Err(AuthError::Decode(DecodeError::Malformed("Token")))
    );
    assert_eq!(auth::verify_token("", TOKEN_NS), Err(AuthError::Decode(DecodeError::Missing("token.identity_key"))));
}

#[test]
fn auth_token_expired() {
    let token = AuthToken::create(&fx().alice, TOKEN_NS).unwrap();
    let b64 = token.to_base64();
    assert!(auth::verify_token(&b64, TOKEN_NS + auth::TOKEN_VALIDITY_NS).is_ok());
    let err = auth::verify_token(&b64, TOKEN_NS + auth::TOKEN_VALIDITY_NS + 1).unwrap_err();
    assert_eq!(err, AuthError::Expired);
    assert_eq!(err.code(), "auth.expired");
    assert_eq!(auth::verify_token(&b64, u64::MAX), Err(AuthError::Expired));
}

#[test]
fn auth_token_wallet_mismatch() {
    let f = fx();
    // Control: a hand-built token naming its own wallet verifies.
    assert_eq!(
        auth::verify_token(&token_naming(&f.alice, f.alice.address().as_str()), TOKEN_NS).unwrap(),
        *f.alice.address()
    );
    let err = auth::verify_token(&token_naming(&f.alice, f.bob.address().as_str()), TOKEN_NS).unwrap_err();
    assert_eq!(err, AuthError::WalletMismatch);
    assert_eq!(err.code(), "auth.wallet_mismatch");
    // The comparison is exact: the address must be in its checksummed form.
    let lower = f.alice.address().as_str().to_lowercase();
    assert_ne!(lower, f.alice.address().as_str());
    assert_eq!(auth::verify_token(&token_naming(&f.alice, &lower), TOKEN_NS), Err(AuthError::WalletMismatch));
}

// ---------------------------------------------------------------------------------------------
