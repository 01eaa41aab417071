"""Writes about people: profiles, posts, roles, magic links, API tokens, ProConnect sign-ins."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from essaim.accounts import roles
from essaim.accounts.models import (
    SCOPED_ROLES,
    ApiToken,
    LoginAttempt,
    LoginToken,
    ProConnectIdentity,
    Role,
    RoleAssignment,
    User,
    hash_secret,
)
from essaim.accounts.rules import acting_role
from essaim.core.client_ip import rate_limit_address
from essaim.core.exceptions import ServiceError
from essaim.core.outbox import outbox_enqueue
from essaim.core.services import audit_log, model_changes, snapshot
from essaim.organisations.models import Affiliation, Organisation

PROFILE_FIELDS = ["given_name", "usual_name", "preferred_language", "unit", "region", "mute_optional_notifications"]


# Profile and posts -----------------------------------------------------------------
@transaction.atomic(durable=True)
def user_update_profile(*, user: User, acting_user: User, **fields: Any) -> User:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown profile fields: {sorted(unknown)}")
    before = snapshot(user, list(fields))
    for name, value in fields.items():
        setattr(user, name, value)
    changes = model_changes(user, before=before, fields=list(fields))
    if changes:
        user.save(update_fields=[*changes.keys()])
        audit_log(
            actor=acting_user,
            role=acting_role(acting_user, user),
            action="accounts.user.update",
            target=user,
            summary=_("Profil mis à jour"),
            changes=changes,
        )
    return user


def _affiliation_change(
    *,
    user: User,
    organisation: Organisation,
    unit: str,
    acting_user: User | None,
    source: str,
    start_date: dt.date | None = None,
) -> Affiliation | None:
    """Close the current post and open the new one. Not atomic itself: callers are."""
    start = start_date or timezone.localdate()
    current = Affiliation.objects.select_for_update().filter(user=user, end_date__isnull=True).first()
    if current and current.organisation_id == organisation.pk and current.unit == unit:
        return None
    if current:
        if start < current.start_date:
            raise ServiceError(_("La nouvelle affectation ne peut pas commencer avant l’actuelle."))
        current.end_date = start
        current.save(update_fields=["end_date"])
    affiliation = Affiliation.objects.create(
        user=user, organisation=organisation, unit=unit, start_date=start, source=source
    )
    previous_org = user.organisation
    user.organisation = organisation
    user.unit = unit
    if organisation.region_id and not user.region_id:
        user.region_id = organisation.region_id
    user.save(update_fields=["organisation", "unit", "region"])
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, user),
        action="organisations.affiliation.change",
        target=user,
        summary=_("Nouvelle affectation : %(org)s") % {"org": organisation},
        changes={
            "organisation": [str(previous_org) if previous_org else None, str(organisation)],
            "unit": unit,
        },
    )
    return affiliation


@transaction.atomic(durable=True)
def affiliation_change(
    *,
    user: User,
    organisation: Organisation,
    unit: str = "",
    acting_user: User,
    start_date: dt.date | None = None,
) -> Affiliation | None:
    """A person changes post: the history keeps the old one, their record follows them."""
    source = Affiliation.Source.SELF if acting_user.pk == user.pk else Affiliation.Source.ADMIN
    return _affiliation_change(
        user=user,
        organisation=organisation,
        unit=unit,
        acting_user=acting_user,
        source=source,
        start_date=start_date,
    )


# Roles -----------------------------------------------------------------------------
@transaction.atomic(durable=True)
def role_grant(
    *, user: User, role: str, organisation: Organisation | None = None, acting_user: User | None
) -> RoleAssignment:
    """`acting_user` is None for the system (e.g. `seed_demo`)."""
    if role not in Role.values:
        raise ServiceError(_("Rôle inconnu."))
    if role in SCOPED_ROLES and organisation is None:
        raise ServiceError(_("Ce rôle s’exerce sur une organisation : indiquez laquelle."))
    if role not in SCOPED_ROLES and role != Role.TRAINER:
        organisation = None
    if role == Role.LAB_COORDINATOR and organisation is not None and organisation.kind != Organisation.Kind.LAB:
        raise ServiceError(_("La coordination s’exerce sur un laboratoire d’innovation publique."))
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organisation=organisation, revoked_at=None, defaults={"granted_by": acting_user}
    )
    if created:
        audit_log(
            actor=acting_user,
            role=acting_role(acting_user),
            action="accounts.role.grant",
            target=user,
            summary=_("Rôle attribué : %(role)s") % {"role": assignment},
            changes={"role": role, "organisation": organisation.pk if organisation else None},
        )
    roles.forget_roles(user)
    return assignment


@transaction.atomic(durable=True)
def role_revoke(*, assignment: RoleAssignment, acting_user: User) -> None:
    if assignment.revoked_at is not None:
        return
    assignment.revoked_at = timezone.now()
    assignment.save(update_fields=["revoked_at"])
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user),
        action="accounts.role.revoke",
        target=assignment.user,
        summary=_("Rôle retiré : %(role)s") % {"role": assignment},
        changes={"role": assignment.role, "organisation": assignment.organisation_id},
    )
    roles.forget_roles(assignment.user)


# Login attempts, lockout and rate limits --------------------------------------------
def _recent(kind: str, window_s: int, **filters: Any) -> int:
    since = timezone.now() - dt.timedelta(seconds=window_s)
    return LoginAttempt.objects.filter(kind=kind, created_at__gte=since, **filters).count()


def login_material_purge(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    tokens, _detail = LoginToken.objects.filter(expires_at__lt=now - dt.timedelta(days=1)).delete()
    attempts, _detail = LoginAttempt.objects.filter(created_at__lt=now - dt.timedelta(days=7)).delete()
    return tokens + attempts


# Magic links -----------------------------------------------------------------------
#: Roles whose holders sign in by e-mail: people without a ProConnect identity.
MAGIC_LINK_ROLES = frozenset({Role.PARTNER, Role.TRAINER})
#: Roles that must go through ProConnect and its `acr` (or the password with lockout).
PROCONNECT_ONLY_ROLES = frozenset({Role.PROGRAMME_ADMIN, Role.ORGANISER, Role.LAB_COORDINATOR})


def magic_link_refused_message() -> str:
    return _(
        "Le lien de connexion par courriel est réservé aux partenaires et aux formateurs externes. "
        "Les agents publics et l’équipe du programme se connectent avec ProConnect."
    )


def magic_link_allowed(*, user: User) -> bool:
    """Partners and external trainers only: an account bound to ProConnect, staff, or one
    holding a role over organisations would otherwise get around ProConnect and its `acr`."""
    if not user.is_active or user.is_staff or user.is_superuser:
        return False
    if user.auth_source == User.AuthSource.PROCONNECT or user.proconnect_sub:
        return False
    if ProConnectIdentity.objects.filter(user=user).exists():
        return False
    held = set(RoleAssignment.objects.active().filter(user=user).values_list("role", flat=True))
    return not (held & PROCONNECT_ONLY_ROLES) and bool(held & MAGIC_LINK_ROLES)


@transaction.atomic(durable=True)
def magic_link_request(*, email: str, ip_address: str | None, next_url: str = "") -> bool:
    """Send a sign-in link if an active account has this address.

    Always behaves the same for the caller (no account enumeration); returns whether a
    link was sent, for tests and logs. Raises ServiceError when rate-limited.
    """
    email = email.strip().lower()
    counted = rate_limit_address(ip_address)  # an IPv6 client counts as its /64
    window = settings.MAGIC_LINK_MAX_AGE_S
    if _recent(LoginAttempt.Kind.MAGIC_LINK_REQUEST, window, email=email) >= settings.MAGIC_LINK_MAX_PER_EMAIL or (
        counted
        and _recent(LoginAttempt.Kind.MAGIC_LINK_REQUEST, window, ip_address=counted) >= settings.MAGIC_LINK_MAX_PER_IP
    ):
        raise ServiceError(
            _("Trop de demandes de lien de connexion. Réessayez dans quelques minutes."), code="rate_limited"
        )
    LoginAttempt.objects.create(kind=LoginAttempt.Kind.MAGIC_LINK_REQUEST, email=email, ip_address=counted)
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        return False
    if not magic_link_allowed(user=user):
        # Same answer on screen (no account enumeration); the owner reads why in the mail.
        with translation.override(user.preferred_language):
            subject = _("Connexion à Essaim : utilisez ProConnect")
            body = render_to_string("accounts/email/magic_link_refused.txt", {"user": user})
        from essaim.core.tasks import send_email

        outbox_enqueue(
            task=send_email,
            kwargs={"subject": subject, "body": body, "to": [user.email]},
            ref=f"accounts.user:{user.pk}",
        )
        audit_log(actor=None, action="accounts.magic_link.refuse", target=user, ip_address=ip_address)
        return False
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    LoginToken.objects.create(
        user=user,
        token_hash=hash_secret(secret),
        created_at=now,
        expires_at=now + dt.timedelta(seconds=window),
        next_url=next_url[:500],
    )
    link = settings.SITE_URL + reverse("accounts:magic-link", kwargs={"token": secret})
    with translation.override(user.preferred_language):
        subject = _("Votre lien de connexion à Essaim")
        body = render_to_string("accounts/email/magic_link.txt", {"user": user, "link": link, "minutes": window // 60})
    from essaim.core.tasks import send_email

    # sensitive: the body holds a login secret, cleared from the outbox once sent.
    outbox_enqueue(
        task=send_email,
        kwargs={"subject": subject, "body": body, "to": [user.email]},
        ref=f"accounts.user:{user.pk}",
        sensitive=True,
    )
    audit_log(actor=user, role="self", action="accounts.magic_link.request", target=user, ip_address=ip_address)
    return True


@transaction.atomic(durable=True)
def magic_link_consume(*, secret: str, ip_address: str | None) -> tuple[User, str]:
    """Use a link once. Returns the user and where to go next."""
    token = (
        LoginToken.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(token_hash=hash_secret(secret), purpose=LoginToken.Purpose.LOGIN)
        .first()
    )
    now = timezone.now()
    if token is None:
        raise ServiceError(_("Ce lien de connexion n’est pas valide."), code="unknown")
    if token.used_at is not None:
        raise ServiceError(_("Ce lien de connexion a déjà servi. Demandez-en un nouveau."), code="used")
    if token.expires_at <= now:
        raise ServiceError(_("Ce lien de connexion a expiré. Demandez-en un nouveau."), code="expired")
    if not token.user.is_active:
        raise ServiceError(_("Ce compte est désactivé."), code="inactive")
    if not magic_link_allowed(user=token.user):
        raise ServiceError(magic_link_refused_message(), code="not_allowed")
    token.used_at = now
    token.save(update_fields=["used_at"])
    LoginAttempt.objects.create(
        kind=LoginAttempt.Kind.MAGIC_LINK_USE, email=token.user.email, ip_address=ip_address, succeeded=True
    )
    user = token.user
    if user.auth_source == User.AuthSource.LOCAL:
        user.auth_source = User.AuthSource.EMAIL
        user.save(update_fields=["auth_source"])
    audit_log(actor=user, role="self", action="accounts.login.magic_link", target=user, ip_address=ip_address)
    return user, token.next_url


# API tokens ------------------------------------------------------------------------
TOKEN_PREFIX = "essaim_"  # noqa: S105 - a public prefix, not a secret


@transaction.atomic(durable=True)
def api_token_create(
    *, user: User, name: str, acting_user: User, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its clear value, shown once and never stored."""
    name = name.strip()
    if not name:
        raise ServiceError(_("Donnez un nom au jeton (par exemple l’outil qui l’utilisera)."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ServiceError(_("La date d’expiration doit être dans le futur."))
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=prefix, token_hash=hash_secret(raw), expires_at=expires_at
    )
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, token),
        action="accounts.api_token.create",
        target=token,
        summary=_("Jeton d’API créé : %(name)s") % {"name": token.name},
    )
    return token, raw


@transaction.atomic(durable=True)
def api_token_revoke(*, token: ApiToken, acting_user: User) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(
            actor=acting_user,
            role=acting_role(acting_user, token),
            action="accounts.api_token.revoke",
            target=token,
            summary=_("Jeton d’API révoqué : %(name)s") % {"name": token.name},
        )
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a bearer token, or None. Records its last use at most once a
    minute, through the task queue."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    try:
        token = ApiToken.objects.usable().select_related("user").get(token_hash=hash_secret(raw))
    except ApiToken.DoesNotExist:
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        from essaim.accounts.tasks import touch_api_token

        touch_api_token(token.pk, now.isoformat())
    return token.user


# ProConnect ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ProConnectSignIn:
    """The outcome of a verified ProConnect sign-in: a user to log in, or none because the
    address belongs to an account that must first be proven (a link was sent to it).

    `link_token_id` is the pending proof: the caller keeps it in the browser that presented
    the identity, the only one where the mailed link may then be used."""

    user: User | None
    proof_sent: bool = False
    link_token_id: int | None = None


def _claim(claims: dict[str, Any], name: str) -> str | None:
    """The claim as a string, or None when ProConnect did not send it (keep what we had)."""
    value = claims.get(name)
    if value is None or value == "":
        return None
    return str(value).strip()


@transaction.atomic(durable=True)
def user_sign_in_with_proconnect(*, claims: dict[str, Any], issuer: str) -> ProConnectSignIn:
    """Find or create the account behind verified ProConnect claims, and refresh it.

    Only `issuer` + `sub` identify a person (OIDC Core §5.7). An unknown identity whose
    e-mail belongs to an existing account is never bound to it here: a link is sent to that
    address, and the identity is bound only when it is used (`proconnect_link_confirm`).
    The SIRET places the person in a registered organisation; a change of SIRET is a change
    of post and is kept in the history. An absent claim keeps what we had.
    """
    sub = _claim(claims, "sub") or ""
    email = (_claim(claims, "email") or "").lower()
    if not sub or not email:
        raise ServiceError(_("ProConnect n’a pas transmis votre identifiant ou votre adresse électronique."))
    identity = (
        ProConnectIdentity.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(issuer=issuer, sub=sub)
        .first()
    )
    created = False
    if identity is not None:
        user = identity.user
    else:
        existing = User.objects.select_for_update().filter(email=email).first()
        if existing is not None:
            if not existing.is_active:
                raise ServiceError(_("Ce compte est désactivé. Contactez l’équipe du programme."))
            token_id = _proconnect_link_proof_send(user=existing, claims=claims, issuer=issuer, sub=sub)
            return ProConnectSignIn(user=None, proof_sent=True, link_token_id=token_id)
        # `proconnect_sub` (legacy, unique) keeps the first identity's sub when it is free.
        legacy_sub = None if User.objects.filter(proconnect_sub=sub).exists() else sub
        user = User(email=email, auth_source=User.AuthSource.PROCONNECT, proconnect_sub=legacy_sub)
        user.set_unusable_password()
        user.save()
        identity = ProConnectIdentity.objects.create(user=user, issuer=issuer, sub=sub)
        created = True
    if not user.is_active:
        raise ServiceError(_("Ce compte est désactivé. Contactez l’équipe du programme."))
    now = timezone.now()
    identity.idp_id = (_claim(claims, "idp_id") or identity.idp_id)[:255]
    identity.last_login_at = now
    identity.save(update_fields=["idp_id", "last_login_at"])
    user.proconnect_uid = (_claim(claims, "uid") or user.proconnect_uid)[:255]
    user.proconnect_idp_id = identity.idp_id
    user.auth_source = User.AuthSource.PROCONNECT
    email_changed = False
    if email != user.email and not User.objects.filter(email=email).exclude(pk=user.pk).exists():
        user.email = email
        email_changed = True
    user.given_name = (_claim(claims, "given_name") or user.given_name)[:150]
    user.usual_name = (_claim(claims, "usual_name") or _claim(claims, "family_name") or user.usual_name)[:150]
    user.last_login = now
    user.save()
    audit_log(
        actor=user,
        role="self",
        action="accounts.user.create_proconnect" if created else "accounts.login.proconnect",
        target=user,
        summary=_("Compte créé via ProConnect") if created else _("Connexion via ProConnect"),
        changes={"idp_id": identity.idp_id},
    )
    if email_changed and not created:
        # Proofs and sign-in links go to this address: its change is traced, not the
        # addresses themselves (personal data kept out of the audit trail).
        audit_log(
            actor=user,
            role="self",
            action="accounts.user.email_change",
            target=user,
            summary=_("Adresse électronique mise à jour depuis ProConnect"),
            changes={"idp_id": identity.idp_id},
        )
    siret = _claim(claims, "siret")
    unit = _claim(claims, "organizational_unit")
    organisation = Organisation.objects.filter(siret=siret).first() if siret else None
    if organisation is not None:
        if unit is None:
            # No unit sent: same post if the organisation is the same, else an unknown unit.
            unit = user.unit if user.organisation_id == organisation.pk else ""
        _affiliation_change(
            user=user,
            organisation=organisation,
            unit=unit[:255],
            acting_user=user,
            source=Affiliation.Source.PROCONNECT,
        )
    elif unit and not user.unit:
        user.unit = unit[:255]
        user.save(update_fields=["unit"])
    return ProConnectSignIn(user=user)


def _proconnect_link_proof_send(*, user: User, claims: dict[str, Any], issuer: str, sub: str) -> int:
    """Mail the account's address a single-use link that binds this ProConnect identity, and
    return the pending link's id.

    At most one pending link per account and identity: asking again does not send more.
    """
    now = timezone.now()
    pending = LoginToken.objects.filter(
        user=user,
        purpose=LoginToken.Purpose.PROCONNECT_LINK,
        link_issuer=issuer,
        link_sub=sub,
        used_at__isnull=True,
        expires_at__gt=now,
    ).first()
    if pending is not None:
        return pending.pk
    secret = secrets.token_urlsafe(32)
    window = settings.MAGIC_LINK_MAX_AGE_S
    token = LoginToken.objects.create(
        user=user,
        purpose=LoginToken.Purpose.PROCONNECT_LINK,
        token_hash=hash_secret(secret),
        created_at=now,
        expires_at=now + dt.timedelta(seconds=window),
        link_issuer=issuer[:255],
        link_sub=sub[:255],
        link_idp_id=(_claim(claims, "idp_id") or "")[:255],
        link_uid=(_claim(claims, "uid") or "")[:255],
    )
    link = settings.SITE_URL + reverse("accounts:proconnect-link", kwargs={"token": secret})
    with translation.override(user.preferred_language):
        subject = _("Relier votre identité ProConnect à votre compte Essaim")
        body = render_to_string(
            "accounts/email/proconnect_link.txt", {"user": user, "link": link, "minutes": window // 60}
        )
    from essaim.core.tasks import send_email

    # sensitive: the body holds the linking secret, cleared from the outbox once sent.
    outbox_enqueue(
        task=send_email,
        kwargs={"subject": subject, "body": body, "to": [user.email]},
        ref=f"accounts.user:{user.pk}",
        sensitive=True,
    )
    audit_log(
        actor=None,
        action="accounts.proconnect.link_request",
        target=user,
        summary=_("Demande de liaison d’une identité ProConnect : lien envoyé à l’adresse du compte"),
        changes={"idp_id": _claim(claims, "idp_id")},
    )
    return token.pk


@transaction.atomic(durable=True)
def proconnect_link_confirm(*, secret: str, presented_token_ids: Collection[int], ip_address: str | None) -> User:
    """Bind the ProConnect identity a link was sent for, once its owner opens it.

    Opening the link proves control of the account's address, not that the address's owner
    is the person who presented the identity: whoever holds an identity asserting someone
    else's address could otherwise wait for that person to click. So the link binds only in
    the browser that presented the identity (`presented_token_ids`, kept in its session),
    which then proves both. Names are left alone.
    """
    token = (
        LoginToken.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(token_hash=hash_secret(secret), purpose=LoginToken.Purpose.PROCONNECT_LINK)
        .first()
    )
    if token is None:
        raise ServiceError(_("Ce lien n’est pas valide."), code="unknown")
    if token.used_at is not None:
        raise ServiceError(
            _("Ce lien a déjà servi. Reconnectez-vous avec ProConnect pour en recevoir un autre."), code="used"
        )
    if token.expires_at <= timezone.now():
        raise ServiceError(
            _("Ce lien a expiré. Reconnectez-vous avec ProConnect pour en recevoir un autre."), code="expired"
        )
    if token.pk not in presented_token_ids:
        # Not spent: its owner may still open it in the right browser.
        raise ServiceError(
            _(
                "Ouvrez ce lien dans le navigateur où vous venez de vous connecter avec ProConnect. "
                "Si vous n’avez pas tenté de vous connecter, ignorez-le : rien n’a été relié."
            ),
            code="other_browser",
        )
    user = token.user
    if not user.is_active:
        raise ServiceError(_("Ce compte est désactivé."), code="inactive")
    token.used_at = timezone.now()
    token.save(update_fields=["used_at"])
    bound = ProConnectIdentity.objects.filter(issuer=token.link_issuer, sub=token.link_sub).first()
    if bound is not None and bound.user_id != user.pk:
        raise ServiceError(_("Cette identité ProConnect est déjà reliée à un autre compte."), code="taken")
    if bound is None:
        ProConnectIdentity.objects.create(
            user=user, issuer=token.link_issuer, sub=token.link_sub, idp_id=token.link_idp_id
        )
    changes: dict[str, Any] = {"idp_id": token.link_idp_id}
    if user.auth_source != User.AuthSource.PROCONNECT:
        changes["auth_source"] = [user.auth_source, User.AuthSource.PROCONNECT]
        user.auth_source = User.AuthSource.PROCONNECT
    if not user.proconnect_sub and not User.objects.filter(proconnect_sub=token.link_sub).exists():
        user.proconnect_sub = token.link_sub
    user.save(update_fields=["auth_source", "proconnect_sub"])
    audit_log(
        actor=user,
        role="self",
        action="accounts.proconnect.link",
        target=user,
        summary=_("Identité ProConnect reliée au compte après preuve par courriel"),
        changes=changes,
        ip_address=ip_address,
    )
    return user
