from __future__ import annotations

import factory
from django.utils.text import slugify

from essaim.accounts.models import Role, RoleAssignment, User
from essaim.organisations.models import Organisation


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation de test {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Organisation.Kind.MINISTRY
    parent = None

    @factory.post_generation
    def set_path(obj, create, extracted, **kwargs):
        parent_path = obj.parent.path if obj.parent_id else "/"
        obj.path = f"{parent_path}{obj.pk}/"
        obj.save(update_fields=["path"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.gouv.fr")
    given_name = factory.Faker("first_name", locale="fr_FR")
    usual_name = factory.Faker("last_name", locale="fr_FR")
    auth_source = User.AuthSource.LOCAL
    password = factory.django.Password("mot-de-passe-de-test-2026")


def grant(user: User, role: str, organisation: Organisation | None = None) -> RoleAssignment:
    """Direct role assignment for arranging tests (the service is tested on its own)."""
    assignment = RoleAssignment.objects.create(user=user, role=role, organisation=organisation)
    if hasattr(user, "_essaim_roles"):
        del user._essaim_roles
    return assignment


__all__ = ["OrganisationFactory", "Role", "UserFactory", "grant"]
