// Verify a Data Integrity secured credential (badge.json) with two independent
// implementations, offline:
//   - @digitalcredentials/verifier-core: the Digital Credentials Consortium verifier (the
//     code behind VerifierPlus and the Learner Credential Wallet);
//   - @digitalbazaar/vc + @digitalbazaar/eddsa-rdfc-2022-cryptosuite +
//     @digitalbazaar/vc-bitstring-status-list.
//
// Usage: node verify.mjs input.json  ->  prints one JSON result on stdout.
// input.json: {"credential": {...}, "documents": {"<url>": <document>, ...}} where the
// documents are what Essaim publishes (its status list, fetched by the test) plus the
// vendored JSON-LD contexts. Every HTTP request either gets one of those documents or fails:
// nothing reaches the network.
import {readFileSync} from 'node:fs';

// The libraries log on stdout; keep stdout for the one JSON result.
console.log = (...args) => console.error(...args);
const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const documents = input.documents || {};
const requested = [];

// verifier-core builds its own document loader, which fetches over HTTP(S) through the
// global fetch: serve it the published documents, refuse everything else.
globalThis.fetch = async (resource) => {
  const url = typeof resource === 'string' ? resource : resource.url;
  requested.push(url);
  if(!(url in documents)) {
    return new Response('not available offline', {status: 404});
  }
  return new Response(JSON.stringify(documents[url]), {
    status: 200, headers: {'content-type': 'application/ld+json'}
  });
};

const {verifyCredential: dccVerify} = await import('@digitalcredentials/verifier-core');
const vc = await import('@digitalbazaar/vc');
const {DataIntegrityProof} = await import('@digitalbazaar/data-integrity');
const {cryptosuite} = await import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite');
const Ed25519Multikey = await import('@digitalbazaar/ed25519-multikey');
const {checkStatus} = await import('@digitalbazaar/vc-bitstring-status-list');

function summary(error) {
  if(!error) {
    return null;
  }
  const inner = (error.errors || []).map(e => e.message);
  return [error.message, ...inner].filter(Boolean).join(' | ');
}

async function dcc(credential) {
  const result = await dccVerify({credential, knownDIDRegistries: []});
  if(result.errors) {
    return {fatal: result.errors.map(e => `${e.name}: ${e.message}`)};
  }
  const steps = {};
  for(const step of result.log || []) {
    steps[step.id] = step.error ? `error: ${step.error.name}: ${step.error.message}` : step.valid;
  }
  return {steps};
}

// did:key -> its Multikey, derived from the identifier alone (as a did:key resolver does).
async function didKeyDocument(url) {
  const [did] = url.split('#');
  const multibase = did.slice('did:key:'.length);
  const key = await Ed25519Multikey.from({
    '@context': 'https://w3id.org/security/multikey/v1',
    id: `${did}#${multibase}`, controller: did, type: 'Multikey',
    publicKeyMultibase: multibase
  });
  const method = await key.export({publicKey: true, includeContext: true});
  if(url.includes('#')) {
    return method;
  }
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did, verificationMethod: [method], assertionMethod: [method.id]
  };
}

async function documentLoader(url) {
  if(url.startsWith('did:key:')) {
    return {contextUrl: null, documentUrl: url, document: await didKeyDocument(url)};
  }
  if(url in documents) {
    return {contextUrl: null, documentUrl: url, document: documents[url]};
  }
  throw new Error(`NotFoundError: ${url} is not available offline`);
}

async function digitalbazaar(credential) {
  const suite = new DataIntegrityProof({cryptosuite});
  const result = await vc.verifyCredential({
    credential, suite, documentLoader,
    checkStatus: options => checkStatus({...options, suite, documentLoader})
  });
  return {
    verified: result.verified,
    signature: !!(result.results && result.results[0] && result.results[0].verified),
    // vc-bitstring-status-list 2.x: `verified` says the list was fetched and verified;
    // each result's `status` is the bit (true: set, here revoked).
    status: result.statusResult ? {
      verified: result.statusResult.verified,
      revoked: (result.statusResult.results || []).some(r => r.status === true),
      error: summary(result.statusResult.error)
    } : null,
    error: summary(result.error)
  };
}

const output = {
  dcc: await dcc(structuredClone(input.credential)),
  digitalbazaar: await digitalbazaar(structuredClone(input.credential)),
};
output.requested = [...new Set(requested)];
process.stdout.write(JSON.stringify(output));
