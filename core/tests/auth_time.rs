//! Publish tokens and time: a token is accepted only while its date is within one hour before
//! and five minutes (clock skew) after the node's clock, so none outlives its validity.

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use xmtp_core::auth::{self, AuthError, AuthToken, TOKEN_CLOCK_SKEW_NS, TOKEN_VALIDITY_NS};
use xmtp_core::keys::{LocalWallet, PrivateKeyBundle};

const NOW_NS: u64 = 1_700_000_000_000_000_000;

fn keys() -> PrivateKeyBundle {
    let mut rng = ChaCha20Rng::seed_from_u64(99);
    LocalWallet::generate(&mut rng).create_identity(&mut rng, NOW_NS / 1_000_000 - 1000)
}

fn token(keys: &PrivateKeyBundle, created_ns: u64) -> String {
    AuthToken::create(keys, created_ns).unwrap().to_base64()
}

#[test]
fn tokens_dated_beyond_the_clock_skew_are_refused() {
    let k = keys();
    assert_eq!(auth::verify_token(&token(&k, NOW_NS), NOW_NS).unwrap(), *k.address());
    // Within the skew: accepted (clocks disagree by a few minutes).
    assert!(auth::verify_token(&token(&k, NOW_NS + TOKEN_CLOCK_SKEW_NS), NOW_NS).is_ok());
    // Beyond it: refused, with its own code.
    let err = auth::verify_token(&token(&k, NOW_NS + TOKEN_CLOCK_SKEW_NS + 1_000_000), NOW_NS).unwrap_err();
    assert_eq!(err, AuthError::NotYetValid);
    assert_eq!(err.code(), "auth.not_yet_valid");
    assert!(err.to_string().contains("future"), "{err}");
}

#[test]
fn a_token_dated_at_the_largest_timestamp_is_never_valid() {
    let k = keys();
    let far = token(&k, u64::MAX);
    for now in [0, NOW_NS, u64::MAX - TOKEN_VALIDITY_NS, u64::MAX - TOKEN_CLOCK_SKEW_NS - 1_000_000_000] {
        assert_eq!(auth::verify_token(&far, now), Err(AuthError::NotYetValid), "at {now}");
    }
}

#[test]
fn no_token_is_accepted_more_than_an_hour_after_its_date() {
    let k = keys();
    // Whatever the date, the latest clock that accepts the token is date + 1 h.
    for created in [NOW_NS, NOW_NS + TOKEN_CLOCK_SKEW_NS, NOW_NS + 10 * TOKEN_VALIDITY_NS] {
        let t = token(&k, created);
        assert!(auth::verify_token(&t, created + TOKEN_VALIDITY_NS).is_ok());
        assert_eq!(auth::verify_token(&t, created + TOKEN_VALIDITY_NS + 1), Err(AuthError::Expired));
        // And the earliest is date − 5 min.
        assert!(auth::verify_token(&t, created - TOKEN_CLOCK_SKEW_NS).is_ok());
        assert_eq!(auth::verify_token(&t, created - TOKEN_CLOCK_SKEW_NS - 1), Err(AuthError::NotYetValid));
    }
}
