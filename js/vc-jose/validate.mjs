// Verify a VC 2.0 credential secured with VC-JOSE-COSE, offline, with tools nobody on the
// project wrote: @transmute/verifiable-credentials checks each JWS against the key its `kid`
// resolves to and returns the credential (context, status entry); the revocation bit is read
// with Digital Bazaar's @digitalbazaar/vc-bitstring-status-list (W3C Recommendation encoding).
// Every URL is answered from `resources`, filled by the Python test from what Essaim publishes.
// stdin: {"credential": "<compact JWS>", "resources": {"<url>": "<body>"}}
import transmute from "@transmute/verifiable-credentials";
import { decodeList } from "@digitalbazaar/vc-bitstring-status-list";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { credential, resources } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const TYPE = "application/vc-ld+jwt";
const encode = (text) => new TextEncoder().encode(text);

const resolver = {
  resolve: async ({ id, content, purpose }) => {
    if (purpose === "verification-material" && content !== undefined) {
      const token = new TextDecoder().decode(content);
      const header = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString("utf8"));
      if (!(header.kid in resources)) throw new Error(`kid does not resolve: ${header.kid}`);
      return { type: "application/jwk+json", content: encode(resources[header.kid]) };
    }
    throw new Error(`not available offline: ${id} (${purpose})`);
  },
};
const verify = (token) => transmute.verifier({ resolver }).verify({ type: TYPE, content: encode(token) });

const out = { verified: false };
try {
  const vc = await verify(credential);
  out.verified = true;
  out.context = vc["@context"];
  out.type = vc.type;
  out.subject = vc.credentialSubject?.id;
  const entry = vc.credentialStatus;
  if (entry && entry.type === "BitstringStatusListEntry") {
    const listed = await verify(resources[entry.statusListCredential]);
    if (listed.id !== entry.statusListCredential) throw new Error("status list id mismatch");
    const list = await decodeList({ encodedList: listed.credentialSubject.encodedList });
    out.status = {
      purpose: listed.credentialSubject.statusPurpose,
      [entry.statusPurpose]: list.getStatus(parseInt(entry.statusListIndex, 10)),
    };
  }
} catch (error) {
  out.error = String(error);
}
process.stdout.write(JSON.stringify(out));
