"""panva oidc-provider (js/oidc-provider/proconnect.mjs), configured like ProConnect, run by
the tests as the independent identity provider. See that script for what it models."""

from __future__ import annotations

import json
import re
import select
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.nodetools import node_tool_dir

CALLBACK_PATH = "/connexion/proconnect/retour/"
LOGGED_OUT_PATH = "/deconnexion/terminee/"
DEFAULT_SCOPES = "openid given_name usual_name email uid siret idp_id"
SECRET = "secret-de-test-proconnect-0123456789"

CAMILLE = "camille.durand@finances.gouv.fr"
ADMIN = "admin@modernisation.gouv.fr"
DGFIP_SIRET = "11000201100044"
INTERIOR_SIRET = "11000401400012"


def _person(email: str, given: str, usual: str, siret: str, **extra: str) -> dict[str, str]:
    return {
        "email": email,
        "given_name": given,
        "usual_name": usual,
        "uid": email.split("@")[0],
        "siret": siret,
        **extra,
    }


CAMILLE_CLAIMS = _person(CAMILLE, "Camille", "Durand", DGFIP_SIRET, organizational_unit="Bureau des méthodes")
ACCOUNTS: list[dict[str, Any]] = [
    {
        "id": "camille-fi1",
        "label": "Camille Durand — FI des ministères économiques",
        "fi": "fia-bercy",
        "acr": "eidas1",
        "sub": "sub-camille-fia-bercy",
        "claims": CAMILLE_CLAIMS,
    },
    # The same person through another FI: another sub (ProConnect's pairwise-per-FI subs).
    {
        "id": "camille-fi2",
        "label": "Camille Durand — FI avec double authentification",
        "fi": "fia-mfa",
        "acr": "eidas2",
        "sub": "sub-camille-fia-mfa",
        "claims": CAMILLE_CLAIMS,
    },
    {
        "id": "dominique-eidas2",
        "label": "Dominique Martin — eidas2",
        "fi": "fia-interieur",
        "acr": "eidas2",
        "sub": "sub-dominique",
        "claims": _person("dominique.martin@interieur.gouv.fr", "Dominique", "Martin", INTERIOR_SIRET),
    },
    {
        "id": "lou-eidas0",
        "label": "Lou Petit — eidas0",
        "fi": "fi-faible",
        "acr": "eidas0",
        "sub": "sub-lou",
        "claims": _person("lou.petit@interieur.gouv.fr", "Lou", "Petit", INTERIOR_SIRET),
    },
    # A federation that answers eidas0 although eidas1+ was asked: Essaim must check acr itself.
    {
        "id": "sam-eidas0-lax",
        "label": "Sam Roux — eidas0 sans contrôle",
        "fi": "fi-faible",
        "acr": "eidas0",
        "sub": "sub-sam",
        "ignore_acr": True,
        "claims": _person("sam.roux@interieur.gouv.fr", "Sam", "Roux", INTERIOR_SIRET),
    },
    # Someone whose FI lets them assert the programme admin's address.
    {
        "id": "usurpateur",
        "label": "Usurpateur — adresse de l’administration",
        "fi": "fi-laxiste",
        "acr": "eidas1",
        "sub": "sub-usurpateur",
        "claims": _person(ADMIN, "Faux", "Administrateur", DGFIP_SIRET),
    },
]


@dataclass
class NodeProConnect:
    base_urls: list[str]
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    issuer: str = ""
    fi_origin: str = ""
    _process: subprocess.Popen[str] | None = None

    def start(self) -> NodeProConnect:
        folder = node_tool_dir("oidc-provider")
        self.clients = {
            "essaim-rs256": {"scope": DEFAULT_SCOPES, "alg": "RS256"},
            "essaim-es256": {"scope": f"{DEFAULT_SCOPES} organizational_unit", "alg": "ES256"},
        }
        config = {
            "clients": [
                {
                    "client_id": client_id,
                    "client_secret": SECRET,
                    "redirect_uris": [base + CALLBACK_PATH for base in self.base_urls],
                    "post_logout_redirect_uris": [base + LOGGED_OUT_PATH for base in self.base_urls],
                    **client,
                }
                for client_id, client in self.clients.items()
            ],
            "accounts": ACCOUNTS,
        }
        path = Path(tempfile.mkstemp(prefix="essaim-oidc-", suffix=".json")[1])
        path.write_text(json.dumps(config))
        self._process = subprocess.Popen(
            ["node", str(folder / "proconnect.mjs"), str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self._process.stdout is not None
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline and not line.startswith("READY "):
            ready, _w, _x = select.select([self._process.stdout], [], [], 1)
            if ready:
                line = self._process.stdout.readline()
                if not line:
                    break
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError("js/oidc-provider/proconnect.mjs did not start")
        info = json.loads(line.removeprefix("READY "))
        self.issuer, self.fi_origin = info["issuer"], info["fi"]
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def point_settings_at(self, settings: Any, *, client_id: str = "essaim-rs256", site_url: str = "") -> None:
        settings.PROCONNECT_ENABLED = True
        settings.PROCONNECT_DOMAIN = self.issuer
        settings.OIDC_OP_ISSUER = self.issuer
        settings.OIDC_RP_CLIENT_ID = client_id
        settings.OIDC_RP_CLIENT_SECRET = SECRET
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{self.issuer}/authorize"
        settings.OIDC_OP_TOKEN_ENDPOINT = f"{self.issuer}/token"
        settings.OIDC_OP_USER_ENDPOINT = f"{self.issuer}/userinfo"
        settings.OIDC_OP_JWKS_ENDPOINT = f"{self.issuer}/jwks"
        settings.OIDC_OP_LOGOUT_ENDPOINT = f"{self.issuer}/session/end"
        settings.OIDC_RP_SCOPES = self.clients[client_id]["scope"]
        if site_url:
            settings.SITE_URL = site_url

    def fi_logouts(self) -> int:
        return int(requests.get(f"{self.fi_origin}/stats", timeout=5).json()["fiLogouts"])


def play_at_provider(authorize_url: str, account: str, *, session: requests.Session | None = None) -> str:
    """Be the person at the provider (no browser): returns the URL it sends back to Essaim."""
    browser = session or requests.Session()
    url = authorize_url
    origin = re.match(r"https?://[^/]+", authorize_url).group(0)  # type: ignore[union-attr]
    for _hop in range(10):
        answer = browser.get(url, allow_redirects=False, timeout=10)
        if answer.is_redirect:
            location = answer.headers["Location"]
            if location.startswith("/"):
                location = origin + location
            if not location.startswith(origin):
                return location
            url = location
            continue
        form = re.search(r'<form method="post" action="([^"]+)"', answer.text)
        assert form, (answer.status_code, answer.text[:500])
        answer = browser.post(
            origin + form.group(1), data={"account": account, "password": "x"}, allow_redirects=False, timeout=10
        )
        url = answer.headers["Location"]
        if url.startswith("/"):
            url = origin + url
        if not url.startswith(origin):
            return url
    raise AssertionError("the provider kept redirecting")
