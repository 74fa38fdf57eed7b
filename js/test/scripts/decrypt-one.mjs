// node decrypt-one.mjs PACKAGE_ENTRY < {"state", "envelope": {contentTopic, timestampNs, message (base64)}}
// Reads one envelope with an exported state, as a notification handler would: a fresh process,
// no client, no network (fetch throws). Prints the result as JSON.
import { pathToFileURL } from "node:url";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { state, envelope } = JSON.parse(input);
globalThis.fetch = () => {
  throw new Error("no network here");
};
const { Client } = await import(pathToFileURL(process.argv[2]).href);
try {
  const r = await Client.decryptEnvelope(state, {
    contentTopic: envelope.contentTopic,
    timestampNs: BigInt(envelope.timestampNs),
    message: new Uint8Array(Buffer.from(envelope.message, "base64")),
  });
  const out = r.message
    ? { message: { id: r.message.id, sender: r.message.senderAddress, content: r.message.content, sentNs: String(r.message.sentAtNs) } }
    : { invitation: { ...r.invitation, createdAt: r.invitation.createdAt.toISOString() } };
  console.log(JSON.stringify(out));
} catch (e) {
  console.log(JSON.stringify({ error: { name: e.name, code: e.code } }));
}
