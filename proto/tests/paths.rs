//! The public module paths other crates rely on.

#[test]
fn short_and_package_paths_name_the_same_types() {
    let key: xmtp_proto::message_contents::PublicKey = xmtp_proto::xmtp::message_contents::PublicKey::default();
    let _: Option<xmtp_proto::message_contents::public_key::Union> = key.union;
    let _: Option<xmtp_proto::message_contents::signature::Union> =
        xmtp_proto::message_contents::Signature::default().union;
    let env: xmtp_proto::message_api::v1::Envelope = xmtp_proto::xmtp::message_api::v1::Envelope::default();
    let _ = env;
    let _ = xmtp_proto::message_api::v1::QueryRequest::default();
    let _ = xmtp_proto::message_api::v1::Token::default();
    let _ = xmtp_proto::message_api::v1::AuthData::default();
    // The Token refers to the message_contents types across packages.
    let token = xmtp_proto::message_api::v1::Token {
        identity_key: Some(xmtp_proto::message_contents::PublicKey::default()),
        auth_data_bytes: Vec::new(),
        auth_data_signature: Some(xmtp_proto::message_contents::Signature::default()),
    };
    assert!(token.identity_key.is_some());
}
