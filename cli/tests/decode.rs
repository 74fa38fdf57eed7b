//! `xmtp decode` end to end: the binary on envelopes written by xmtp-js 13.0.4.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn xmtp(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xmtp"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run xmtp");
    let mut pipe = child.stdin.take().expect("stdin");
    pipe.write_all(stdin.unwrap_or("").as_bytes()).expect("write stdin");
    drop(pipe);
    child.wait_with_output().expect("wait")
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s.trim()).expect("base64")
}

#[test]
fn decodes_every_envelope_of_the_sample() {
    let out = xmtp(&["decode", "--keys", "samples/alice.keys", "samples/envelopes.json"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines = lines(&out);
    assert_eq!(lines.len(), 46);
    let kinds = |k: &str| lines.iter().filter(|l| l["kind"] == k).count();
    assert_eq!((kinds("contact"), kinds("privatestore"), kinds("invite")), (5, 3, 4));
    assert_eq!((kinds("v2-message"), kinds("v1-message"), kinds("intro"), kinds("userpreferences")), (19, 5, 4, 6));
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["index"], i);
        // alice reads everything except bob's and carol's own consent actions.
        let others_prefs = l["kind"] == "userpreferences" && l["error"]["code"] == "message.not_participant";
        assert!(l["ok"] == true || others_prefs, "line {i}: {l}");
    }
    let first = lines.iter().find(|l| l["kind"] == "v2-message").unwrap();
    assert_eq!(first["content"], "Hello Bob, plain ASCII here.");
    assert_eq!(first["contentType"], "xmtp.org/text:1.0");
    assert_eq!(first["id"].as_str().unwrap().len(), 64);
    assert!(first["sentNs"].as_str().unwrap().parse::<u64>().is_ok());
    let invite = lines.iter().find(|l| l["kind"] == "invite" && !l["context"].is_null()).unwrap();
    assert_eq!(invite["context"]["conversationId"], "xmtp.org/interop/1");
    let gzip = lines.iter().find(|l| l["content"].as_str().is_some_and(|c| c.starts_with("GZIP:"))).unwrap();
    assert_eq!(gzip["ok"], true);
    let custom = lines.iter().find(|l| l["contentType"] == "example.org/custom:1.0").unwrap();
    assert_eq!(custom["fallback"], "Custom content: interop");
    assert_eq!(custom["contentError"]["code"], "content.unknown_type");
}

#[test]
fn tampered_and_malformed_envelopes_fail_alone() {
    let text = std::fs::read_to_string(root().join("samples/envelopes.json")).unwrap();
    let mut envs: Vec<Value> = serde_json::from_str(&text).unwrap();
    let idx = envs.iter().position(|e| e["contentTopic"].as_str().unwrap().contains("/m-")).unwrap();
    let mut tampered = b64(envs[idx]["message"].as_str().unwrap());
    // The middle of a V2 message lies in the AEAD ciphertext (the tail holds `sender_hmac` and
    // `should_push`, which the protocol does not authenticate).
    let mid = tampered.len() / 2;
    tampered[mid] ^= 0x01;
    envs[idx]["message"] = base64::engine::general_purpose::STANDARD.encode(&tampered).into();
    envs.push(serde_json::json!({"contentTopic": "/xmtp/0/m-x/proto", "timestampNs": "1", "message": "%%%"}));
    envs.push(serde_json::json!({"contentTopic": "/xmtp/0/m-x/proto", "timestampNs": "1", "message": "AAAA"}));
    let input = serde_json::to_string(&envs).unwrap();
    let out = xmtp(&["decode", "--keys", "samples/alice.keys"], Some(&input));
    assert!(out.status.success());
    let lines = lines(&out);
    assert_eq!(lines.len(), envs.len());
    assert_eq!(lines[idx]["ok"], false);
    assert_eq!(lines[idx]["error"]["code"], "crypto.decryption_failed");
    assert_eq!(lines[idx + 1]["ok"], true, "the next message is unaffected");
    let n = lines.len();
    assert_eq!(lines[n - 2]["error"]["code"], "decode.malformed");
    assert_eq!(lines[n - 1]["error"]["code"], "message.unknown_conversation");
}

#[test]
fn json_lines_input_and_hex_keys() {
    let text = std::fs::read_to_string(root().join("samples/envelopes.json")).unwrap();
    let envs: Vec<Value> = serde_json::from_str(&text).unwrap();
    let jsonl: String = envs.iter().map(|e| format!("{e}\n")).collect();
    let keys_b64 = std::fs::read_to_string(root().join("samples/alice.keys")).unwrap();
    let dir = std::env::temp_dir().join(format!("xmtp-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hex_keys = dir.join("alice.hex");
    std::fs::write(&hex_keys, hex::encode(b64(&keys_b64))).unwrap();
    let raw_keys = dir.join("alice.bin");
    std::fs::write(&raw_keys, b64(&keys_b64)).unwrap();
    for keys in [&hex_keys, &raw_keys] {
        let out = xmtp(&["decode", "--keys", keys.to_str().unwrap()], Some(&jsonl));
        assert!(out.status.success());
        let lines = lines(&out);
        assert_eq!(lines.len(), envs.len());
        assert_eq!(lines.iter().filter(|l| l["ok"] == true).count(), 44);
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn unusable_keys_or_input_exit_2_with_a_clear_message() {
    let out = xmtp(&["decode", "--keys", "samples/envelopes.json", "samples/envelopes.json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("valid private key bundle"));
    let out = xmtp(&["decode", "--keys", "samples/missing.keys", "samples/envelopes.json"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = xmtp(&["decode", "--keys", "samples/alice.keys"], Some("this is not json"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read envelopes"));
}
