"""A session's format follows where it meets: sessions scheduled before read their course's
format (« À distance » for a session at Place Beauvau)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Session = apps.get_model("training", "Session")
    Session.objects.filter(venue="remote").exclude(format="remote").update(format="remote")
    Session.objects.exclude(venue="remote").filter(format="remote").update(format="in_person")


class Migration(migrations.Migration):
    dependencies = [("training", "0005_calendar_feed")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
