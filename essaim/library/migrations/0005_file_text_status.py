"""ResourceFile.text_status (issue 19: text extraction leaves the upload request). Files
uploaded before it had their text extracted in the request: documents are « done », images
have none."""

from django.db import migrations, models

IMAGE_KINDS = ("png", "jpeg", "gif", "webp", "svg")


def images_have_no_text(apps, schema_editor):
    ResourceFile = apps.get_model("library", "ResourceFile")
    ResourceFile.objects.filter(kind__in=IMAGE_KINDS).update(text_status="none")


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0004_search_tables_declared"),
    ]

    operations = [
        migrations.AddField(
            model_name="resourcefile",
            name="text_status",
            field=models.CharField(
                choices=[
                    ("none", "sans texte"),
                    ("pending", "extraction en attente"),
                    ("done", "texte lu"),
                    ("failed", "extraction impossible"),
                ],
                default="done",
                max_length=10,
                verbose_name="extraction du texte",
            ),
        ),
        migrations.RunPython(images_have_no_text, migrations.RunPython.noop),
    ]
