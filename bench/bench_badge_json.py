"""badge.json benchmark: how many Data Integrity proofs (eddsa-rdfc-2022: two RDFC-1.0
canonicalizations by pyld over the vendored contexts, SHA-256, Ed25519) per second one
process signs, and what verifying one costs. badge.json is signed when it is downloaded, so
this is the cost of a download; the JSON-LD status list is signed once per cache period.

No database: a representative OpenBadgeCredential is built by `vc.build_credential` from a
snapshot like the issuer's. BENCH_BADGE_N (default 200) proofs. Prints figures only.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essaim.settings")
os.environ.setdefault("ESSAIM_ENV", "test")
N = int(os.environ.get("BENCH_BADGE_N", "200"))


def main() -> int:
    import django

    django.setup()
    from django.conf import settings

    from essaim.credentials import integrity, vc

    settings.CREDENTIALS_KEY_DIR = Path(tempfile.mkdtemp(prefix="bench-badge-"))
    settings.CREDENTIALS_EDDSA_SIGNING_KEY = ""
    issued = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    snapshot = {
        "name": "Camille Durand",
        "course_code": "fondamentaux",
        "course_title": "Facilitation : les fondamentaux",
        "course_summary": "Résumé",
        "threshold": 80,
        "kind": "completion",
        "framework": "Référentiel 2026",
        "outcomes": [
            {
                "competency": "animer",
                "competency_name": "Animer un atelier",
                "level": "decouvrir",
                "level_name": "Découvrir",
            }
        ]
        * 3,
        "start_date": "2026-11-02",
        "end_date": "2026-11-03",
    }
    credential = vc.build_credential(
        credential_id="4f0e1c9a-0000-4000-8000-000000000001",
        code="ABCD-EFGH",
        status_index=17,
        snapshot=snapshot,
        email="camille@example.gouv.fr",
        subject_id=vc.subject_identifier(1),
        issued_at=issued,
        expires_at=None,
    )
    integrity.add_proof(credential, created=issued)  # warm-up: contexts parsed, key loaded
    start = time.perf_counter()
    for _ in range(N):
        signed = integrity.add_proof(credential, created=issued)
    sign_s = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(N):
        assert integrity.verify_proof(signed)
    verify_s = time.perf_counter() - start
    start = time.perf_counter()
    status = vc.status_list_document(list(range(0, 131_072, 97)), now=issued)
    status_s = time.perf_counter() - start
    print(f"  badge.json proofs signed: {N} in {sign_s:.2f} s = {N / sign_s:.1f}/s ({1000 * sign_s / N:.1f} ms each)")
    print(f"  badge.json proofs verified: {N} in {verify_s:.2f} s ({1000 * verify_s / N:.1f} ms each)")
    print(
        f"  JSON-LD status list (131,072 bits, {len(status['credentialSubject']['encodedList'])} chars) signed in "
        f"{1000 * status_s:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
