"""Writes about the catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from essaim.accounts.rules import acting_role
from essaim.catalogue.models import Course, CourseOutcome, Prerequisite
from essaim.core.exceptions import ServiceError
from essaim.core.services import audit_log
from essaim.framework.models import FrameworkVersion

SEED = Path(__file__).resolve().parent / "data" / "courses.json"


@transaction.atomic(durable=True)
def catalogue_load_seed(*, acting_user: Any = None) -> list[Course]:
    """Create the common catalogue drawn from the commitment, if missing. Idempotent."""
    data = json.loads(SEED.read_text(encoding="utf-8"))
    framework = FrameworkVersion.objects.filter(version=data["framework_version"]).first()
    if framework is None:
        raise ServiceError(_("Le référentiel %(version)s n’est pas chargé.") % {"version": data["framework_version"]})
    competencies = {c.code: c for c in framework.competencies.all()}
    levels = {lvl.code: lvl for lvl in framework.levels.all()}
    created = []
    by_code = {c.code: c for c in Course.objects.filter(code__in=[d["code"] for d in data["courses"]])}
    for entry in data["courses"]:
        if entry["code"] in by_code:
            continue
        fields = {k: v for k, v in entry.items() if k not in {"outcomes", "prerequisites"}}
        course = Course.objects.create(framework=framework, status=Course.Status.PUBLISHED, **fields)
        for competency_code, level_code in entry["outcomes"]:
            if competency_code not in competencies or level_code not in levels:
                raise ServiceError(f"Unknown competency or level in the seed: {competency_code}/{level_code}")
            CourseOutcome.objects.create(
                course=course, competency=competencies[competency_code], level=levels[level_code]
            )
        for group, options in enumerate(entry["prerequisites"], start=1):
            for option in options:
                Prerequisite.objects.create(course=course, group=group, required_course=by_code[option])
        by_code[course.code] = course
        created.append(course)
        audit_log(actor=acting_user, role=acting_role(acting_user), action="catalogue.course.create", target=course)
    return created
