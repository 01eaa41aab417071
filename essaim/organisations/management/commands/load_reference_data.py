from django.core.management.base import BaseCommand

from essaim.organisations.services import reference_data_load


class Command(BaseCommand):
    help = "Load or refresh regions, départements (INSEE COG) and ministries from the shipped CSV files."

    def handle(self, *args, **options):
        counts = reference_data_load()
        self.stdout.write(self.style.SUCCESS(", ".join(f"{v} {k}" for k, v in counts.items())))
