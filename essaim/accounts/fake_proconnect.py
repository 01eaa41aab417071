"""A small, self-contained OpenID Connect issuer that mimics ProConnect.

Why: the login flow must be exercised for real (tests and the local demo) without
network access to the State's federation. This issuer signs genuine RS256 tokens,
publishes a JWKS and a discovery document with ProConnect's path shape
(``/api/v2/...``), and enforces the ProConnect rules that bite relying parties
(state/nonce of at least 32 characters, unknown authorize parameters refused,
single-use codes, signed userinfo served as ``application/jwt``). So
mozilla-django-oidc runs its real code path against it.

It also offers hooks to forge bad tokens (bad signature, wrong audience, wrong
nonce, expired) so tests can prove the relying party rejects them.

Only the standard library, PyJWT and cryptography are used, and nothing from
Django, so it can be started from pytest, a management command or
``python -m essaim.accounts.fake_proconnect --port 8010``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hmac
import html
import json
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

__all__ = ["DEFAULT_IDENTITIES", "FakeProConnect", "ForgeKind", "IdTokenOverride", "main"]

IdTokenOverride = Callable[[dict[str, Any]], str]
ForgeKind = Literal["bad_signature", "wrong_audience", "wrong_nonce", "expired"]

API_PREFIX = "/api/v2"
ALGORITHM = "RS256"
DEFAULT_ACR = "eidas1"
MIN_STATE_NONCE_LENGTH = 32  # ProConnect refuses shorter state/nonce values.
MAX_BODY_BYTES = 64 * 1024

AUTHORIZE_PARAMS = frozenset(
    {
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "acr_values",
        "claims",
        "prompt",
        "login_hint",
        "idp_hint",
    }
)
REQUIRED_IDENTITY_FIELDS = ("sub", "given_name", "usual_name", "uid", "siret", "idp_id")
OPTIONAL_IDENTITY_FIELDS = ("email", "organizational_unit", "acr")
USERINFO_FIELDS = (
    "sub",
    "email",
    "given_name",
    "usual_name",
    "uid",
    "siret",
    "idp_id",
    "organizational_unit",
)

DEFAULT_IDENTITIES: dict[str, dict[str, str]] = {
    "camille.durand@finances.gouv.fr": {
        "sub": "pc-sub-camille",
        "given_name": "Camille",
        "usual_name": "Durand",
        "uid": "camille.durand",
        "siret": "11000201100044",
        "idp_id": "fia1v2",
        "organizational_unit": "Direction générale des Finances publiques",
    },
    # The same person through another FI: ProConnect gives another sub.
    "camille.durand@finances.gouv.fr (fia-mfa)": {
        "sub": "pc-sub-camille-mfa",
        "email": "camille.durand@finances.gouv.fr",
        "given_name": "Camille",
        "usual_name": "Durand",
        "uid": "camille.durand",
        "siret": "11000201100044",
        "idp_id": "fia-mfa",
        "acr": "eidas2",
    },
    # No organizational_unit on purpose: ProConnect does not always send it.
    "dominique.martin@interieur.gouv.fr": {
        "sub": "pc-sub-dominique",
        "given_name": "Dominique",
        "usual_name": "Martin",
        "uid": "dominique.martin",
        "siret": "11000401400012",
        "idp_id": "fia1v2",
    },
}

SUPPORTED_SCOPES = [
    "openid",
    "given_name",
    "usual_name",
    "email",
    "uid",
    "siret",
    "siren",
    "organizational_unit",
    "belonging_population",
    "phone",
    "idp_id",
    "idp_acr",
    "custom",
]
SUPPORTED_CLAIMS = [
    "sub",
    "given_name",
    "usual_name",
    "email",
    "uid",
    "siret",
    "siren",
    "organizational_unit",
    "belonging_population",
    "phone",
    "idp_id",
    "idp_acr",
    "amr",
    "acr",
]


class _PlainError(Exception):
    """An error answered as plain text (authorize and logout endpoints)."""

    def __init__(self, message: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(message)
        self.status = status


class _OAuthError(Exception):
    """An RFC 6749 error answered as JSON (token and userinfo endpoints)."""

    def __init__(self, error: str, description: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class _AuthorizationCode:
    client_id: str
    redirect_uri: str
    nonce: str
    email: str
    acr: str
    auth_time: int
    expires_at: float


@dataclass(frozen=True)
class _AccessGrant:
    client_id: str
    email: str
    expires_at: float


class _OneShotOverride:
    """Wraps an override installed by ``forge()``; kept as a type to tell it apart in reprs."""

    def __init__(self, kind: str, func: IdTokenOverride) -> None:
        self.kind = kind
        self._func = func

    def __call__(self, claims: dict[str, Any]) -> str:
        return self._func(claims)

    def __repr__(self) -> str:
        return f"<forged id_token: {self.kind}>"


def _normalise_identities(identities: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Validate identities and key them by their lower-cased login (login_hint matching is
    case-insensitive). The login is usually the e-mail; two logins may share one e-mail
    with different subs: the same person through two FIs, as ProConnect gives them."""
    result: dict[str, dict[str, str]] = {}
    for key, raw in identities.items():
        if not isinstance(raw, Mapping):
            raise ValueError(f"identity {key!r} must be a mapping")
        missing = [name for name in REQUIRED_IDENTITY_FIELDS if not raw.get(name)]
        if missing:
            raise ValueError(f"identity {key!r} lacks {', '.join(missing)}")
        identity = {
            name: str(raw[name]) for name in (*REQUIRED_IDENTITY_FIELDS, *OPTIONAL_IDENTITY_FIELDS) if raw.get(name)
        }
        identity.setdefault("email", key)
        login = key.strip().lower()
        if login in result:
            raise ValueError(f"duplicate identity login {login!r}")
        result[login] = identity
    if not result:
        raise ValueError("at least one identity is required")
    return result


def _parse_single_values(raw: str) -> dict[str, str]:
    """Parse a query string or form body, refusing repeated parameters (RFC 6749 §3.1)."""
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, max_num_fields=50)
    except ValueError as exc:
        raise _PlainError(f"malformed parameters: {exc}") from exc
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values:
            raise _PlainError(f"parameter {name!r} is repeated")
        values[name] = value
    return values


def _with_query(url: str, params: Mapping[str, str]) -> str:
    """Append parameters to a URL, keeping the query it already has."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _expired(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Same claims, but issued three minutes ago and expired for two."""
    now = int(time.time())
    return {**claims, "iat": now - 180, "auth_time": now - 180, "exp": now - 120}


def _is_absolute_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and not parts.fragment


def _requested_acr(params: Mapping[str, str]) -> tuple[bool, list[str]]:
    """What the RP asked for: (essential, acceptable values) from ``claims.id_token.acr``,
    else ``acr_values``. ``value`` means exactly that one level, ``values`` any of them."""
    raw_claims = params.get("claims")
    if raw_claims:
        try:
            claims = json.loads(raw_claims)
        except ValueError as exc:
            raise _PlainError("claims is not valid JSON") from exc
        if not isinstance(claims, dict):
            raise _PlainError("claims must be a JSON object")
        id_token = claims.get("id_token") or {}
        acr = id_token.get("acr") if isinstance(id_token, dict) else None
        if isinstance(acr, dict):
            essential = acr.get("essential") is True
            if isinstance(acr.get("value"), str) and acr["value"]:
                return essential, [str(acr["value"])]
            values = acr.get("values")
            if isinstance(values, list) and all(isinstance(value, str) for value in values):
                return essential, [str(value) for value in values]
    return False, params.get("acr_values", "").split()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    provider: FakeProConnect

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hangs up; report real bugs."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            return
        super().handle_error(request, client_address)


class _FiHandler(BaseHTTPRequestHandler):
    """The agent's identity provider (FI), on another origin: ProConnect's logout hops
    through it, which a CSP form-action listing only ProConnect blocks in browsers."""

    server_version = "FakeFI/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        back = dict(parse_qsl(parts.query)).get("retour", "")
        provider: FakeProConnect = self.server.provider  # type: ignore[attr-defined]
        if parts.path != "/deconnexion/" or not back.startswith(provider.issuer + "/session/end?"):
            self.send_response(HTTPStatus.BAD_REQUEST)
            self.end_headers()
            return
        provider.fi_logouts += 1
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", back)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeProConnect/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        provider = self.server.provider
        parts = urlsplit(self.path)
        routes: dict[tuple[str, str], Callable[[_Handler, str], None]] = {
            ("GET", "/.well-known/openid-configuration"): provider._handle_discovery,
            ("GET", "/jwks"): provider._handle_jwks,
            ("GET", "/authorize"): provider._handle_authorize_get,
            ("POST", "/authorize"): provider._handle_authorize_post,
            ("POST", "/token"): provider._handle_token,
            ("GET", "/userinfo"): provider._handle_userinfo,
            ("GET", "/session/end"): provider._handle_end_session,
        }
        path = parts.path.rstrip("/") if parts.path != "/" else parts.path
        if not path.startswith(API_PREFIX):
            self.send_text(HTTPStatus.NOT_FOUND, "not found")
            return
        route = path.removeprefix(API_PREFIX)
        handler = routes.get((method, route))
        if handler is None:
            known = any(r == route for (_, r) in routes)
            if known:
                self.send_text(HTTPStatus.METHOD_NOT_ALLOWED, "method not allowed")
            else:
                self.send_text(HTTPStatus.NOT_FOUND, "not found")
            return
        try:
            handler(self, parts.query)
        except _PlainError as exc:
            self.send_text(exc.status, str(exc))
        except _OAuthError as exc:
            headers = {}
            if exc.status == HTTPStatus.UNAUTHORIZED:
                scheme = "Basic" if route == "/token" else "Bearer"
                headers["WWW-Authenticate"] = f'{scheme} error="{exc.error}"'
            self.send_json(exc.status, {"error": exc.error, "error_description": exc.description}, headers)
        except Exception as exc:  # keep the client informed instead of dropping the connection
            self.send_text(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {exc!r}")
            raise

    def read_body(self) -> str:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError as exc:
            raise _PlainError("invalid Content-Length") from exc
        if length < 0 or length > MAX_BODY_BYTES:
            raise _PlainError("request body too large", HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        return self.rfile.read(length).decode("utf-8", errors="strict") if length else ""

    def send(
        self,
        status: HTTPStatus,
        body: bytes,
        content_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_text(self, status: HTTPStatus, text: str) -> None:
        self.send(status, text.encode(), "text/plain; charset=utf-8")

    def send_json(self, status: HTTPStatus, data: Any, headers: Mapping[str, str] | None = None) -> None:
        self.send(status, json.dumps(data).encode(), "application/json", headers)

    def redirect(self, location: str) -> None:
        self.send(HTTPStatus.FOUND, b"", "text/plain; charset=utf-8", {"Location": location})


class FakeProConnect:
    """A local ProConnect look-alike issuing real RS256-signed tokens.

    Start it (``start()`` or ``with FakeProConnect() as pc:``), point the relying
    party at ``pc.issuer`` and inspect ``pc.logouts`` after a logout.
    """

    code_lifetime_seconds: float = 60
    access_token_lifetime_seconds: int = 60
    id_token_lifetime_seconds: int = 60

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        client_id: str = "essaim-local",
        client_secret: str = "essaim-local-secret",  # noqa: S107 - local demo credentials
        identities: dict[str, dict[str, Any]] | None = None,
        allowed_scopes: str = " ".join(SUPPORTED_SCOPES),
    ) -> None:
        self.host = host
        self.port = port
        self.client_id = client_id
        self.client_secret = client_secret
        self.identities: dict[str, dict[str, str]] = _normalise_identities(
            DEFAULT_IDENTITIES if identities is None else identities
        )
        #: The scopes this client was granted at ProConnect; asking another is invalid_scope.
        self.allowed_scopes = allowed_scopes.split()
        self.logouts: list[dict[str, Any]] = []
        self.fi_logouts = 0
        self._fi_server: _Server | None = None
        self.next_id_token_override: IdTokenOverride | None = None
        #: Rewrites the claims of the next userinfo answer (tests: a userinfo for someone else).
        self.next_userinfo_override: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self.kid = ""
        self._lock = threading.Lock()
        self._codes: dict[str, _AuthorizationCode] = {}
        self._access_tokens: dict[str, _AccessGrant] = {}
        self._private_key: rsa.RSAPrivateKey | None = None
        self._other_key: rsa.RSAPrivateKey | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> Self:
        """Generate a fresh signing key, bind the socket and serve from a daemon thread."""
        if self._server is not None:
            return self
        self._private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = f"fake-proconnect-{secrets.token_hex(8)}"
        server = _Server((self.host, self.port), _Handler)
        server.provider = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"fake-proconnect-{self.port}",
            daemon=True,
        )
        self._thread.start()
        fi_server = _Server((self.host, 0), _FiHandler)
        fi_server.provider = self
        self._fi_server = fi_server
        threading.Thread(target=fi_server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        return self

    @property
    def fi_origin(self) -> str:
        """The FI's origin (same host, another port: another origin for the browser)."""
        if self._fi_server is None:
            raise RuntimeError("FakeProConnect has no FI yet: call start() first")
        return self.base_url.rsplit(":", 1)[0] + f":{self._fi_server.server_address[1]}"

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if self._fi_server is not None:
            self._fi_server.shutdown()
            self._fi_server.server_close()
            self._fi_server = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def reset(self) -> None:
        """Forget codes, tokens, logouts and overrides (for a server shared between tests)."""
        with self._lock:
            self._codes.clear()
            self._access_tokens.clear()
            self.logouts.clear()
            self.next_id_token_override = None
            self.next_userinfo_override = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- URLs ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Scheme, host and port, e.g. ``http://127.0.0.1:8010``."""
        if not self.port:
            raise RuntimeError("FakeProConnect has no port yet: call start() first")
        host = "127.0.0.1" if self.host in {"", "0.0.0.0"} else self.host  # noqa: S104 - display only # nosec B104
        return f"http://{host}:{self.port}"

    @property
    def issuer(self) -> str:
        """The issuer, e.g. ``http://127.0.0.1:8010/api/v2`` (ProConnect's shape)."""
        return f"{self.base_url}{API_PREFIX}"

    def endpoints(self) -> dict[str, str]:
        """Endpoint URLs keyed by role, handy to build Django OIDC_* settings."""
        return {
            "authorization": f"{self.issuer}/authorize",
            "token": f"{self.issuer}/token",
            "userinfo": f"{self.issuer}/userinfo",
            "jwks": f"{self.issuer}/jwks",
            "end_session": f"{self.issuer}/session/end",
            "discovery": f"{self.issuer}/.well-known/openid-configuration",
        }

    # -- keys and tokens -------------------------------------------------------------

    @property
    def private_key(self) -> rsa.RSAPrivateKey:
        if self._private_key is None:
            raise RuntimeError("FakeProConnect has no key yet: call start() first")
        return self._private_key

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The public JWKS document (one RS256 signing key)."""
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig", "alg": ALGORITHM})
        return {"keys": [jwk]}

    def sign(self, claims: Mapping[str, Any], *, with_other_key: bool = False) -> str:
        """Sign claims as a JWS carrying our kid; ``with_other_key`` forges a bad signature."""
        key = self._get_other_key() if with_other_key else self.private_key
        return jwt.encode(dict(claims), key, algorithm=ALGORITHM, headers={"kid": self.kid})

    def _get_other_key(self) -> rsa.RSAPrivateKey:
        with self._lock:
            if self._other_key is None:
                self._other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            return self._other_key

    def identity(self, email: str) -> dict[str, str]:
        """Look an identity up by email (case-insensitive); KeyError if unknown."""
        return self.identities[email.strip().lower()]

    def id_token_claims(
        self,
        *,
        identity_email: str,
        nonce: str,
        acr: str = DEFAULT_ACR,
        aud: str | None = None,
        exp_delta: int | None = None,
        iss: str | None = None,
        auth_time: int | None = None,
    ) -> dict[str, Any]:
        """The claims ProConnect puts in an id_token (before signing)."""
        identity = self.identity(identity_email)
        now = int(time.time())
        exp = now + (self.id_token_lifetime_seconds if exp_delta is None else exp_delta)
        iat = min(now, exp - 60)  # an expired token was also issued in the past
        return {
            "iss": self.issuer if iss is None else iss,
            "sub": identity["sub"],
            "aud": self.client_id if aud is None else aud,
            "exp": exp,
            "iat": iat,
            "nonce": nonce,
            "acr": acr,
            "amr": ["pwd"],
            "auth_time": iat if auth_time is None else auth_time,
            "idp_id": identity["idp_id"],
        }

    def make_id_token(
        self,
        *,
        identity_email: str,
        nonce: str,
        aud: str | None = None,
        exp_delta: int = 60,
        sign_with_other_key: bool = False,
        iss: str | None = None,
    ) -> str:
        """Build an id_token outside the flow; tests use it to forge bad ones."""
        claims = self.id_token_claims(identity_email=identity_email, nonce=nonce, aud=aud, exp_delta=exp_delta, iss=iss)
        return self.sign(claims, with_other_key=sign_with_other_key)

    def forge(self, kind: ForgeKind) -> None:
        """Make the next ``/token`` answer carry a forged id_token of the given kind."""
        forgers: dict[str, IdTokenOverride] = {
            "bad_signature": lambda claims: self.sign(claims, with_other_key=True),
            "wrong_audience": lambda claims: self.sign({**claims, "aud": f"not-{self.client_id}"}),
            "wrong_nonce": lambda claims: self.sign({**claims, "nonce": secrets.token_urlsafe(32)}),
            "expired": lambda claims: self.sign(_expired(claims)),
        }
        if kind not in forgers:
            raise ValueError(f"unknown forge kind {kind!r}; expected one of {sorted(forgers)}")
        if kind == "bad_signature":
            self._get_other_key()  # generate now, not inside the request
        self.next_id_token_override = _OneShotOverride(kind, forgers[kind])

    def verify(self, token: str, *, audience: str | None = None, verify_exp: bool = True) -> dict[str, Any]:
        """Check a token we issued (signature, issuer, audience); raises jwt.InvalidTokenError."""
        return jwt.decode(
            token,
            self.private_key.public_key(),
            algorithms=[ALGORITHM],
            audience=audience or self.client_id,
            issuer=self.issuer,
            options={"verify_exp": verify_exp},
        )

    # -- endpoints -------------------------------------------------------------------

    def discovery_document(self) -> dict[str, Any]:
        endpoints = self.endpoints()
        return {
            "issuer": self.issuer,
            "authorization_endpoint": endpoints["authorization"],
            "token_endpoint": endpoints["token"],
            "userinfo_endpoint": endpoints["userinfo"],
            "jwks_uri": endpoints["jwks"],
            "end_session_endpoint": endpoints["end_session"],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "scopes_supported": SUPPORTED_SCOPES,
            "claims_supported": SUPPORTED_CLAIMS,
            "claims_parameter_supported": True,
            "request_parameter_supported": False,
            "acr_values_supported": ["eidas1", "eidas2", "eidas3"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "userinfo_signing_alg_values_supported": [ALGORITHM],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "prompt_values_supported": ["none", "login", "consent", "select_account"],
        }

    def _handle_discovery(self, request: _Handler, query: str) -> None:
        request.send_json(HTTPStatus.OK, self.discovery_document())

    def _handle_jwks(self, request: _Handler, query: str) -> None:
        request.send_json(HTTPStatus.OK, self.jwks())

    def _validate_authorize(self, params: Mapping[str, str]) -> None:
        """Apply ProConnect's authorize rules; raise a plain-text 400 on the first breach."""
        unknown = sorted(set(params) - AUTHORIZE_PARAMS)
        if unknown:
            raise _PlainError(f"unknown parameter(s): {', '.join(unknown)}")
        if params.get("client_id") != self.client_id:
            raise _PlainError("unknown client_id")
        if not _is_absolute_http_url(params.get("redirect_uri", "")):
            raise _PlainError("redirect_uri is missing or not an absolute http(s) URL")
        if params.get("response_type") != "code":
            raise _PlainError("response_type must be 'code'")
        if "openid" not in params.get("scope", "").split():
            raise _PlainError("scope must contain 'openid'")
        for name in ("state", "nonce"):
            if len(params.get(name, "")) < MIN_STATE_NONCE_LENGTH:
                raise _PlainError(f"{name} is required and must have at least {MIN_STATE_NONCE_LENGTH} characters")
        _requested_acr(params)  # validates the claims JSON

    def _handle_authorize_get(self, request: _Handler, query: str) -> None:
        params = _parse_single_values(query)
        self._validate_authorize(params)
        hint = params.get("login_hint", "").strip().lower()
        if hint in self.identities:
            request.redirect(self._issue_code(params, hint))
            return
        page = self._render_login_page(params)
        request.send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")

    def _handle_authorize_post(self, request: _Handler, query: str) -> None:
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise _PlainError("expected an application/x-www-form-urlencoded form")
        form = _parse_single_values(request.read_body())
        email = form.pop("identity", "").strip().lower()
        self._validate_authorize(form)
        if email not in self.identities:
            raise _PlainError("choose a known identity")
        request.redirect(self._issue_code(form, email))

    def _issue_code(self, params: Mapping[str, str], email: str) -> str:
        """Store a one-time code and return the redirect back to the RP.

        As ProConnect: a scope the client was not granted gives invalid_scope, and an FI
        whose level does not satisfy an essential acr gives access_denied. The id_token
        carries the level the FI answered, not the one asked for.
        """
        refused = sorted(set(params.get("scope", "").split()) - set(self.allowed_scopes))
        if refused:
            return _with_query(
                params["redirect_uri"],
                {
                    "error": "invalid_scope",
                    "error_description": f"not allowed: {' '.join(refused)}",
                    "state": params["state"],
                },
            )
        acr = self.identities[email].get("acr", DEFAULT_ACR)
        essential, acceptable = _requested_acr(params)
        if essential and acceptable and acr not in acceptable:
            return _with_query(
                params["redirect_uri"],
                {
                    "error": "access_denied",
                    "error_description": f"acr {acr} not in {acceptable}",
                    "state": params["state"],
                },
            )
        code = secrets.token_urlsafe(32)
        record = _AuthorizationCode(
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            nonce=params["nonce"],
            email=email,
            acr=acr,
            auth_time=int(time.time()),
            expires_at=time.time() + self.code_lifetime_seconds,
        )
        with self._lock:
            self._purge_expired()
            self._codes[code] = record
        return _with_query(params["redirect_uri"], {"code": code, "state": params["state"]})

    def _render_login_page(self, params: Mapping[str, str]) -> str:
        """A minimal, accessible identity picker (the demo's stand-in for the IdP)."""
        esc = html.escape
        hint = params.get("login_hint", "").strip().lower()
        selected = hint if hint in self.identities else next(iter(self.identities))
        hidden = "\n".join(
            f'      <input type="hidden" name="{esc(name)}" value="{esc(value)}">' for name, value in params.items()
        )
        choices = []
        for index, (email, identity) in enumerate(self.identities.items()):
            label = f"{identity['given_name']} {identity['usual_name']} — {identity['email']} ({identity['idp_id']})"
            unit = identity.get("organizational_unit")
            if unit:
                label += f" ({unit})"
            checked = " checked" if email == selected else ""
            choices.append(
                f'        <div><input type="radio" id="identity-{index}" name="identity" '
                f'value="{esc(email)}" required{checked}> '
                f'<label for="identity-{index}">{esc(label)}</label></div>'
            )
        options = "\n".join(choices)
        return f"""<!DOCTYPE html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Connexion — ProConnect simulé (développement)</title>
</head>
<body>
  <main>
    <h1>ProConnect simulé</h1>
    <p>Environnement de développement : choisissez l’identité d’agent avec laquelle vous connecter.</p>
    <form method="post" action="{esc(API_PREFIX)}/authorize">
{hidden}
      <fieldset>
        <legend>Identité de test</legend>
{options}
      </fieldset>
      <button type="submit">Se connecter</button>
    </form>
  </main>
</body>
</html>
"""

    def _authenticate_client(self, request: _Handler, form: dict[str, str]) -> None:
        """Accept client_secret_basic or client_secret_post, never both (RFC 6749 §2.3)."""
        authorization = request.headers.get("Authorization", "")
        if authorization.lower().startswith("basic "):
            if "client_secret" in form:
                raise _OAuthError("invalid_request", "use one client authentication method only")
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
                raw_id, _, raw_secret = decoded.partition(":")
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise _OAuthError("invalid_client", "malformed Basic credentials", HTTPStatus.UNAUTHORIZED) from exc
            client_id, client_secret = unquote(raw_id), unquote(raw_secret)
            if form.get("client_id", client_id) != client_id:
                raise _OAuthError("invalid_request", "client_id differs from the Basic credentials")
        else:
            client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        id_ok = hmac.compare_digest(client_id.encode(), self.client_id.encode())
        secret_ok = hmac.compare_digest(client_secret.encode(), self.client_secret.encode())
        if not (id_ok and secret_ok):
            raise _OAuthError("invalid_client", "client authentication failed", HTTPStatus.UNAUTHORIZED)

    def _handle_token(self, request: _Handler, query: str) -> None:
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise _OAuthError("invalid_request", "expected application/x-www-form-urlencoded")
        try:
            form = _parse_single_values(request.read_body())
        except _PlainError as exc:
            raise _OAuthError("invalid_request", str(exc)) from exc
        self._authenticate_client(request, form)
        if form.get("grant_type") != "authorization_code":
            raise _OAuthError("unsupported_grant_type", "only authorization_code is supported")
        code = form.get("code", "")
        with self._lock:
            record = self._codes.pop(code, None)  # single use, even when the rest is wrong
        if record is None:
            raise _OAuthError("invalid_grant", "unknown or already used code")
        if record.expires_at <= time.time():
            raise _OAuthError("invalid_grant", "code expired")
        if record.client_id != self.client_id:
            raise _OAuthError("invalid_grant", "code was issued to another client")
        if form.get("redirect_uri") != record.redirect_uri:
            raise _OAuthError("invalid_grant", "redirect_uri does not match the authorization request")

        claims = self.id_token_claims(
            identity_email=record.email, nonce=record.nonce, acr=record.acr, auth_time=record.auth_time
        )
        with self._lock:
            override, self.next_id_token_override = self.next_id_token_override, None
        id_token = override(dict(claims)) if override is not None else self.sign(claims)

        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._access_tokens[access_token] = _AccessGrant(
                client_id=record.client_id,
                email=record.email,
                expires_at=time.time() + self.access_token_lifetime_seconds,
            )
        request.send_json(
            HTTPStatus.OK,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": self.access_token_lifetime_seconds,
                "id_token": id_token,
            },
            {"Pragma": "no-cache"},
        )

    def _handle_userinfo(self, request: _Handler, query: str) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _OAuthError("invalid_token", "a Bearer access token is required", HTTPStatus.UNAUTHORIZED)
        with self._lock:
            grant = self._access_tokens.get(token.strip())
        if grant is None or grant.expires_at <= time.time():
            raise _OAuthError("invalid_token", "unknown or expired access token", HTTPStatus.UNAUTHORIZED)
        identity = self.identity(grant.email)
        claims: dict[str, Any] = {name: identity[name] for name in USERINFO_FIELDS if name in identity}
        claims.update({"iss": self.issuer, "aud": grant.client_id, "iat": int(time.time())})
        with self._lock:
            override, self.next_userinfo_override = self.next_userinfo_override, None
        if override is not None:
            claims = override(claims)
        request.send(HTTPStatus.OK, self.sign(claims).encode(), "application/jwt")

    def _handle_end_session(self, request: _Handler, query: str) -> None:
        params = _parse_single_values(query)
        hint = params.get("id_token_hint", "")
        redirect_uri = params.get("post_logout_redirect_uri", "")
        state = params.get("state", "")
        if not hint:
            raise _PlainError("id_token_hint is required")
        if not state:
            raise _PlainError("state is required")
        if not _is_absolute_http_url(redirect_uri):
            raise _PlainError("post_logout_redirect_uri is missing or not an absolute http(s) URL")
        try:
            # An expired hint is fine for logout (OIDC RP-Initiated Logout §2).
            claims = self.verify(hint, verify_exp=False)
        except jwt.InvalidTokenError as exc:
            raise _PlainError(f"invalid id_token_hint: {exc}") from exc
        if params.get("fi_done") != "1":
            # First the FI, on its own origin; it sends the browser back here.
            back = _with_query(f"{self.issuer}/session/end", {**params, "fi_done": "1"})
            request.redirect(_with_query(f"{self.fi_origin}/deconnexion/", {"retour": back}))
            return
        with self._lock:
            self.logouts.append(
                {
                    "sub": claims.get("sub"),
                    "state": state,
                    "post_logout_redirect_uri": redirect_uri,
                    "id_token_hint": hint,
                    "at": time.time(),
                }
            )
        request.redirect(_with_query(redirect_uri, {"state": state}))

    def _purge_expired(self) -> None:
        """Drop stale codes and tokens; caller holds the lock."""
        now = time.time()
        for code in [c for c, record in self._codes.items() if record.expires_at <= now]:
            del self._codes[code]
        for token in [t for t, grant in self._access_tokens.items() if grant.expires_at <= now]:
            del self._access_tokens[token]


def main(argv: list[str] | None = None) -> None:
    """Run the fake issuer in the foreground (``make run``) until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m essaim.accounts.fake_proconnect",
        description="Local ProConnect look-alike (development and tests only).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--client-id", default="essaim-local")
    parser.add_argument("--client-secret", default="essaim-local-secret")
    parser.add_argument(
        "--identities",
        type=Path,
        help="JSON file mapping emails to identities (sub, given_name, usual_name, uid, siret, idp_id, ...)",
    )
    args = parser.parse_args(argv)
    identities = None
    if args.identities is not None:
        try:
            identities = json.loads(args.identities.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            parser.error(f"cannot read {args.identities}: {exc}")
        if not isinstance(identities, dict):
            parser.error(f"{args.identities} must contain a JSON object keyed by email")
    try:
        provider = FakeProConnect(
            host=args.host,
            port=args.port,
            client_id=args.client_id,
            client_secret=args.client_secret,
            identities=identities,
        )
    except ValueError as exc:
        parser.error(str(exc))
    # Stop cleanly on Ctrl-C and on SIGTERM, even when started in the background
    # (where the shell leaves SIGINT ignored), so `make run` never leaves the port taken.
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    with provider:
        print(f"Fake ProConnect issuer: {provider.issuer}", flush=True)
        print(f"  discovery: {provider.endpoints()['discovery']}", flush=True)
        print(f"  identities: {', '.join(provider.identities)}", flush=True)
        stopping.wait()


if __name__ == "__main__":
    main()
