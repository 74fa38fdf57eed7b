//! Sealed invitations (`invitation::open`) as Bob and as Alice. The envelope timestamp is taken
//! from the input's own header when it has one, so that mutated inputs get past that check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message as _;
use xmtp_core::invitation;
use xmtp_proto::message_contents::{sealed_invitation, SealedInvitation, SealedInvitationHeaderV1};

fn header_ns(data: &[u8]) -> u64 {
    let Ok(sealed) = SealedInvitation::decode(data) else { return 0 };
    let Some(sealed_invitation::Version::V1(v1)) = sealed.version else { return 0 };
    SealedInvitationHeaderV1::decode(v1.header_bytes.as_slice()).map_or(0, |h| h.created_ns)
}

fuzz_target!(|data: &[u8]| {
    let f = xmtp_fuzz::fixture();
    let ns = header_ns(data);
    let _ = invitation::open(&f.bob, ns, data);
    let _ = invitation::open(&f.alice, ns, data);
    let _ = invitation::open(&f.bob, f.invitation_ns, data);
});
