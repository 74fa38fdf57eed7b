#!/usr/bin/env python3
"""Write the seed corpus of every fuzz target from the repository's test vectors.

    python3 fuzz/seeds.py [OUT_DIR]      (default: fuzz/corpus)

Each target gets OUT_DIR/<target>/seed-<name> files: real inputs (messages, bundles, tokens,
API bodies) from tests/vectors/xmtpjs-13.0.4-vectors.json and tests/vectors/xmtpjs/corpus-1.json.
Existing files are overwritten; other files in the directories (what the fuzzer found) are kept.
Only the standard library is used.
"""

import base64
import gzip
import json
import os
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(rel):
    with open(os.path.join(ROOT, "tests", "vectors", rel), encoding="utf-8") as f:
        return json.load(f)


def unhex(s):
    return bytes.fromhex(s[2:] if s.startswith("0x") else s)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "fuzz", "corpus")
    v = load("xmtpjs-13.0.4-vectors.json")
    corpus = load("xmtpjs/corpus-1.json")
    envelopes = corpus["envelopes"]
    seeds = {}

    def add(target, name, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        seeds.setdefault(target, {})[name] = data

    def category(e):
        return e["contentTopic"].split("/")[3].split("-")[0]

    def messages(cat):
        return [base64.b64decode(e["message"]) for e in envelopes if category(e) == cat]

    # The message API's JSON.
    for i, e in enumerate(envelopes[:12]):
        add("api_envelopes", f"envelope-{i}", json.dumps(e))
        add("api_responses", f"stream-line-{i}", json.dumps({"result": e}))
    add("api_envelopes", "publish", json.dumps({"envelopes": envelopes[:3]}))
    add("api_envelopes", "snake-case", json.dumps({"content_topic": "/xmtp/0/m-x/proto", "timestamp_ns": 1, "message": "AA"}))
    page = {"envelopes": envelopes[:4], "pagingInfo": {"limit": 4, "cursor": {"index": {"digest": "AAEC", "senderTimeNs": "12"}}, "direction": "SORT_DIRECTION_DESCENDING"}}
    add("api_responses", "query", json.dumps(page))
    add("api_responses", "batch", json.dumps({"responses": [page, {"envelopes": [], "pagingInfo": None}]}))
    add("api_responses", "stream-error", json.dumps({"error": {"code": 8, "message": "subscriber too slow", "details": []}}))

    # Messages, invitations, bundles, stores.
    add("message_v1", "vector", unhex(v["v1Message"]["messageBytes"]))
    for i, m in enumerate(messages("dm") + messages("intro")):
        add("message_v1", f"corpus-{i}", m)
    add("message_v2", "vector", unhex(v["v2Message"]["messageBytes"]))
    for i, m in enumerate(messages("m")[:8]):
        add("message_v2", f"corpus-{i}", m)
    add("sealed_invitation", "vector", unhex(v["sealedInvitation"]["sealedInvitationBytes"]))
    for i, m in enumerate(messages("invite")):
        add("sealed_invitation", f"corpus-{i}", m)
    for who in ("alice", "bob"):
        add("contact_bundle", f"{who}-v1", unhex(v[who]["contactBundleV1"]))
        add("contact_bundle", f"{who}-v2", unhex(v[who]["contactBundleV2"]))
        add("private_key_bundle", f"{who}-v1", unhex(v[who]["privateKeyBundleV1Encoded_PrivateKeyBundle"]))
    for i, m in enumerate(messages("contact")):
        add("contact_bundle", f"corpus-{i}", m)
    for name, ident in corpus["identities"].items():
        add("private_key_bundle", f"corpus-{name}", base64.b64decode(ident["keys"]))
    add("privatestore", "vector", unhex(v["encryptedPrivateKeyBundle"]["encryptedBundleBytes"]))
    for i, m in enumerate(messages("privatestore")):
        add("privatestore", f"corpus-{i}", m)

    # Content.
    contents = {
        "text-v1": unhex(v["v1Message"]["encodedContent"]),
        "text-v2": unhex(v["v2Message"]["encodedContent"]),
        "remote-attachment": unhex(v["remoteAttachment"]["encodedAttachment"]),
    }
    for name, data in contents.items():
        add("encoded_content", name, data)
        for pick in range(8):
            add("codecs", f"{pick}-{name}", bytes([pick]) + data)
    for pick, content in enumerate([
        b"hello",
        json.dumps({"reference": "abc", "action": "added", "content": "smile", "schema": "unicode"}).encode(),
        b"",
        b"",
        b"",
        b"",
        json.dumps({"namespace": "eip155", "networkId": 1, "reference": "0xabc"}).encode(),
        b"",
    ]):
        # An EncodedContent with only `content` (field 4).
        add("codecs", f"{pick}-plain", bytes([pick, 0x22, len(content)]) + content)
    text = b"The quick brown fox jumps over the lazy dog. " * 8
    add("compression", "deflate", b"\x00" + zlib.compress(text))
    add("compression", "gzip", b"\x01" + gzip.compress(text, mtime=0))
    add("compression", "empty-gzip", b"\x01" + gzip.compress(b"", mtime=0))

    # Consent, tokens, state.
    add("consent", "action", unhex(v["privatePreferences"]["actionBytes"]))
    add("consent", "payload", unhex(v["privatePreferences"]["payloadBytes"]))
    for i, m in enumerate(messages("userpreferences")):
        add("consent", f"corpus-{i}", m)
    add("consent", "proof", unhex(v["consentProof"]["payload"]))
    add("auth_token", "base64", v["authToken"]["tokenBase64"])
    add("auth_token", "header", "Bearer " + v["authToken"]["tokenBase64"])
    add("auth_token", "bytes", unhex(v["authToken"]["tokenBytes"]))
    alice = corpus["identities"]["alice"]
    state = {
        "version": 1,
        "keys": alice["keys"],
        "conversations": [],
        "v1Conversations": [],
        "highWater": {envelopes[0]["contentTopic"]: envelopes[0]["timestampNs"]},
        "lastSyncNs": "1795572682562000000",
        "lastConsentSyncNs": "0",
        "consent": [],
        "contacts": [e["message"] for e in envelopes if category(e) == "contact"][:2],
        "introSent": [],
    }
    add("import_state", "state", json.dumps(state))

    # Envelopes for the reader: the first byte picks the topic kind (see envelope_reader.rs).
    kinds = {"contact": 0, "privatestore": 1, "intro": 2, "invite": 3, "dm": 4, "m": 6}
    for i, e in enumerate(envelopes):
        pick = kinds.get(category(e))
        if pick is not None:
            add("envelope_reader", f"corpus-{i}", bytes([pick]) + base64.b64decode(e["message"]))
    add("envelope_reader", "v2-vector", bytes([6]) + unhex(v["v2Message"]["messageBytes"]))
    add("envelope_reader", "invite-vector", bytes([3]) + unhex(v["sealedInvitation"]["sealedInvitationBytes"]))

    total = 0
    for target, files in sorted(seeds.items()):
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(d, "seed-" + name), "wb") as f:
                f.write(data)
            total += len(data)
    print(f"seeds: {sum(len(f) for f in seeds.values())} files, {total} bytes, {len(seeds)} targets in {out}")


if __name__ == "__main__":
    main()
