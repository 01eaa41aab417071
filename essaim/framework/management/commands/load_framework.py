from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from essaim.core.exceptions import ServiceError
from essaim.framework.documents import parse_json
from essaim.framework.models import FrameworkVersion
from essaim.framework.services import SEED_PATH, framework_import, framework_import_csv, framework_load_seed


class Command(BaseCommand):
    help = (
        "Import a version of the competency framework from a JSON or CSV file (by extension) as a "
        "draft, or publish it with --publish. --seed loads the shipped framework (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="a .json or .csv file")
        parser.add_argument("--publish", action="store_true", help="publish the imported version at once")
        parser.add_argument("--framework-version", default="", help="version of a CSV file, e.g. 2026.2")
        parser.add_argument("--title", default="", help="title of a CSV file")
        parser.add_argument("--seed", action="store_true", help=f"load and publish {SEED_PATH.name}")

    def handle(self, *args, path, publish, framework_version, title, seed, **options):
        if seed:
            seed_version = parse_json(SEED_PATH.read_text(encoding="utf-8"))["version"]
            existed = FrameworkVersion.objects.filter(version=seed_version).exists()
            framework = framework_load_seed()
            state = "already present" if existed else "loaded and published"
            self.stdout.write(self.style.SUCCESS(f"Framework {framework.version}: {state}."))
            return
        if not path:
            raise CommandError("Give the path of a .json or .csv file (or --seed).")
        file = Path(path)
        if file.suffix.lower() not in {".json", ".csv"}:
            raise CommandError(f"{file.name}: expected a .json or .csv file.")
        try:
            text = file.read_text(encoding="utf-8-sig")
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: no such file.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: the file is not UTF-8 text.") from exc
        try:
            if file.suffix.lower() == ".json":
                data = parse_json(text)
                if framework_version:
                    data["version"] = framework_version
                if title:
                    data["title"] = title
                framework = framework_import(data=data, acting_user=None, publish=publish)
            else:
                if not framework_version or not title:
                    raise CommandError("A CSV file needs --framework-version and --title.")
                framework = framework_import_csv(
                    text=text, version=framework_version, title=title, acting_user=None, publish=publish
                )
        except ServiceError as exc:
            raise CommandError(f"{file.name}: {exc.message}") from exc
        counts = f"{framework.levels.count()} levels, {framework.competencies.count()} competencies"
        state = "published" if framework.is_frozen else "imported as a draft"
        self.stdout.write(self.style.SUCCESS(f"Framework {framework.version} {state} ({counts})."))
