"""The directory's ministry copies were the root of the organisation's path (an association,
a lab, or the service itself when the path was missing): recompute them with the rule of
`organisations.ministry_id_of` (top-most organisation of kind ministry, else none)."""

from django.db import migrations


def recompute(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    DirectoryProfile = apps.get_model("network", "DirectoryProfile")
    DirectorySkill = apps.get_model("network", "DirectorySkill")
    orgs = {
        pk: (parent, kind, path)
        for pk, parent, kind, path in Organisation.objects.values_list("pk", "parent_id", "kind", "path")
    }

    def ministry_of(pk):
        chain, current = [], pk
        while current is not None and current in orgs and current not in chain and len(chain) < 32:
            chain.insert(0, current)
            current = orgs[current][0]
        return next((o for o in chain if orgs[o][1] == "ministry"), None)

    for profile in DirectoryProfile.objects.select_related("user").only("pk", "ministry_id", "user__organisation_id"):
        ministry = ministry_of(profile.user.organisation_id) if profile.user.organisation_id else None
        if ministry != profile.ministry_id:
            DirectoryProfile.objects.filter(pk=profile.pk).update(ministry_id=ministry)
            DirectorySkill.objects.filter(profile_id=profile.pk).update(ministry_id_copy=ministry)


class Migration(migrations.Migration):
    dependencies = [("network", "0002_lab_pilots"), ("organisations", "0002_reference_data")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
