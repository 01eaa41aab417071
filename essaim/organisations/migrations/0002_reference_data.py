"""Ship the INSEE regions and départements and the ministries with the schema, so every
database — demo, test, production — has them (sources: organisations/data/SOURCES.md)."""

import csv
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _rows(name):
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load(apps, schema_editor):
    Region = apps.get_model("organisations", "Region")
    Departement = apps.get_model("organisations", "Departement")
    Organisation = apps.get_model("organisations", "Organisation")
    for row in _rows("regions.csv"):
        Region.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})
    for row in _rows("departements.csv"):
        Departement.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "region_id": row["region_code"]}
        )
    for row in _rows("ministries.csv"):
        org, _created = Organisation.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "short_name": row["short_name"],
                "kind": "ministry",
                "siret": row.get("siret") or "",
            },
        )
        if not org.path:
            org.path = f"/{org.pk}/"
            org.save(update_fields=["path"])


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
