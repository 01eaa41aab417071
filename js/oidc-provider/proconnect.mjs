// panva oidc-provider (OpenID Certified, the library ProConnect's federation runs) set up
// the way ProConnect behaves, for Essaim's tests. Not a copy of ProConnect: its points that
// bite a relying party.
//
// - endpoints under /api/v2 with ProConnect's paths (authorize, token, userinfo, jwks,
//   session/end) and discovery at /api/v2/.well-known/openid-configuration;
// - client_secret_post only; id_token and userinfo as signed JWTs (RS256 or ES256 per client);
// - acr values eidas0..eidas3 asked through `claims`; an essential acr the FI's answer does
//   not satisfy ends in access_denied (ProConnect does so; `value` means exactly that one);
// - a per-client list of allowed scopes: asking for another one gives invalid_scope;
// - a different `sub` per identity provider (FI) for the same person;
// - at logout, a hop through the FI on another origin before the provider ends its session.
//
// Usage: node proconnect.mjs <config.json>; prints one line `READY {"issuer":…,"fi":…}`.
// config: {clients: [{client_id, client_secret, redirect_uris, post_logout_redirect_uris,
//          scope, alg}], accounts: [{id, label, fi, acr, sub, claims: {…}, ignore_acr?}]}
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider, { errors, interactionPolicy } from 'oidc-provider';

const PREFIX = '/api/v2';
const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = new Map(config.accounts.map((account) => [account.id, account]));
const bySub = new Map(config.accounts.map((account) => [account.sub, account]));
const esc = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function signingKeys() {
  const pairs = {
    RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  };
  return Object.entries(pairs).map(([alg, { privateKey }]) => ({
    ...privateKey.export({ format: 'jwk' }),
    alg,
    use: 'sig',
    kid: `${alg.toLowerCase()}-${randomBytes(4).toString('hex')}`,
  }));
}

// The scopes ProConnect knows, and the claims each one releases.
const CLAIMS = {
  openid: ['sub'],
  email: ['email'],
  given_name: ['given_name'],
  usual_name: ['usual_name'],
  uid: ['uid'],
  siret: ['siret'],
  siren: ['siren'],
  idp_id: ['idp_id'],
  idp_acr: ['idp_acr'],
  organizational_unit: ['organizational_unit'],
  belonging_population: ['belonging_population'],
  phone: ['phone'],
  custom: ['custom'],
  acr: null,
};

// The FI: another origin. It keeps its own session cookie, ended by the logout hop.
const fiSessions = new Set();
const fiServer = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/deconnexion/') {
    const cookie = /fi_session=([a-f0-9]+)/.exec(req.headers.cookie || '');
    if (cookie) fiSessions.delete(cookie[1]);
    fiLogouts += 1;
    const back = url.searchParams.get('retour') || '';
    if (!back.startsWith(issuerOrigin)) {
      res.writeHead(400).end('bad retour');
      return;
    }
    res.writeHead(302, { Location: back, 'Set-Cookie': 'fi_session=; Max-Age=0; Path=/' }).end();
    return;
  }
  if (url.pathname === '/stats') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ fiLogouts }));
    return;
  }
  res.writeHead(404).end();
});
let fiLogouts = 0;
let issuerOrigin = '';

function acrRequest(params) {
  // What the RP asked for: {essential, values: [...]} from `claims`, else acr_values.
  try {
    const acr = JSON.parse(params.claims || '{}')?.id_token?.acr;
    if (acr && typeof acr === 'object') {
      const values = acr.value !== undefined ? [acr.value] : acr.values || [];
      return { essential: acr.essential === true, values };
    }
  } catch {
    return { essential: false, values: [] };
  }
  return { essential: false, values: (params.acr_values || '').split(' ').filter(Boolean) };
}

function loginPage(uid, details) {
  const rows = config.accounts
    .map(
      (account, index) => `<div><input type="radio" name="account" id="a${index}" value="${esc(account.id)}" required>
        <label for="a${index}">${esc(account.label)}</label></div>`,
    )
    .join('\n');
  return `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>ProConnect (test)</title></head>
<body><main><h1>ProConnect — identifiez-vous</h1>
<p>Client : ${esc(details.params.client_id)}</p>
<form method="post" action="${PREFIX}/interaction/${esc(uid)}/login">
<fieldset><legend>Compte et fournisseur d’identité</legend>${rows}</fieldset>
<label for="password">Mot de passe</label> <input id="password" name="password" type="password" required>
<button type="submit">Se connecter</button></form></main></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

const keys = signingKeys();
const port = await new Promise((resolve) => {
  const probe = http.createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});
const issuer = `http://127.0.0.1:${port}${PREFIX}`;
issuerOrigin = `http://127.0.0.1:${port}`;
await new Promise((resolve) => fiServer.listen(0, '127.0.0.1', resolve));
// "localhost" is another origin than 127.0.0.1 (and another site), like a real FI.
const fiOrigin = `http://localhost:${fiServer.address().port}`;

// The acr is judged once, by the interaction below (access_denied, as ProConnect answers),
// not by oidc-provider's re-prompt loop; `ignore_acr` models a federation that lets eidas0 by.
const policy = interactionPolicy.base();
policy.get('login').checks.remove('essential_acrs');
policy.get('login').checks.remove('essential_acr');

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    client_id: client.client_id,
    client_secret: client.client_secret,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: client.alg || 'RS256',
    userinfo_signed_response_alg: client.alg || 'RS256',
    scope: client.scope,
  })),
  jwks: { keys },
  routes: {
    authorization: '/authorize',
    token: '/token',
    userinfo: '/userinfo',
    jwks: '/jwks',
    end_session: '/session/end',
  },
  scopes: Object.keys(CLAIMS).filter((scope) => scope !== 'acr'),
  claims: CLAIMS,
  acrValues: ['eidas0', 'eidas1', 'eidas2', 'eidas3'],
  enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256'], userinfoSigningAlgValues: ['RS256', 'ES256'] },
  clientAuthMethods: ['client_secret_post'],
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // ProConnect asks nothing: the form is sent at once (the hop to the FI came before).
      async logoutSource(ctx, form) {
        ctx.body = `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Déconnexion</title></head>
<body>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>
<script nonce="${ctx.state.cspNonce || ''}">document.getElementById('op.logoutForm').requestSubmit(document.querySelector('button'))</script>
</body></html>`;
      },
    },
  },
  pkce: { required: () => false },
  cookies: { keys: [randomBytes(16).toString('hex')] },
  conformIdTokenClaims: true,
  ttl: { AuthorizationCode: 60, AccessToken: 60, IdToken: 60, Session: 3600, Interaction: 600, Grant: 3600 },
  interactions: { policy, url: (ctx, interaction) => `${PREFIX}/interaction/${interaction.uid}` },
  // ProConnect shows no consent screen: the grant covers what the client may ask for.
  async loadExistingGrant(ctx) {
    const { client, session, params } = ctx.oidc;
    const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope(params.scope || 'openid');
    if (params.claims) {
      const claims = JSON.parse(params.claims);
      grant.addOIDCClaims([...Object.keys(claims.id_token || {}), ...Object.keys(claims.userinfo || {})]);
    }
    await grant.save();
    return grant;
  },
  async findAccount(ctx, sub) {
    const account = bySub.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, idp_id: account.fi, ...account.claims };
      },
    };
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Erreur</title></head>
<body><h1>${esc(out.error)}</h1><p>${esc(out.error_description || '')}</p></body></html>`;
  },
});

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (!url.pathname.startsWith(PREFIX)) {
      res.writeHead(404).end();
      return;
    }
    const interaction = /^\/api\/v2\/interaction\/([^/]+)(\/login)?$/.exec(url.pathname);
    if (interaction && req.method === 'GET' && !interaction[2]) {
      const details = await provider.interactionDetails(req, res);
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(loginPage(details.uid, details));
      return;
    }
    if (interaction && req.method === 'POST' && interaction[2]) {
      const details = await provider.interactionDetails(req, res);
      const form = await readForm(req);
      const account = accounts.get(form.account);
      if (!account || !form.password) {
        res.writeHead(400).end('choose an account');
        return;
      }
      const asked = acrRequest(details.params);
      if (!account.ignore_acr && asked.essential && asked.values.length && !asked.values.includes(account.acr)) {
        await provider.interactionFinished(req, res, {
          error: 'access_denied',
          error_description: `acr ${account.acr} does not satisfy ${asked.values.join(' ')}`,
        });
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: account.sub, acr: account.acr, amr: ['pwd'] } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (url.pathname === `${PREFIX}/session/end` && req.method === 'GET' && !url.searchParams.has('fi_done')) {
      // Hop through the FI first, on its own origin, as ProConnect's end_session does.
      url.searchParams.set('fi_done', '1');
      const back = `${issuerOrigin}${url.pathname}?${url.searchParams}`;
      res.writeHead(302, { Location: `${fiOrigin}/deconnexion/?retour=${encodeURIComponent(back)}` }).end();
      return;
    }
    if (url.pathname === `${PREFIX}/session/end`) url.searchParams.delete('fi_done');
    req.originalUrl = `${url.pathname}${url.search}`;
    req.url = `${url.pathname.slice(PREFIX.length) || '/'}${url.search}`;
    callback(req, res);
  } catch (error) {
    if (!res.headersSent) {
      res.writeHead(error instanceof errors.OIDCProviderError ? error.statusCode : 500).end(String(error.message));
    }
  }
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`READY ${JSON.stringify({ issuer, fi: fiOrigin })}\n`);
});
