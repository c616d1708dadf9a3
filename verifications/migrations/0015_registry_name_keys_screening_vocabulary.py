"""Re-key the offline register: ``name_key`` is now computed with the screening vocabulary's
legal forms and tokenizer (``verifications.names.normalise``), the one name normaliser. Keys
written by the old 45-word list would no longer match what lookups compute. Batched, so a large
table never holds all rows in memory; ``registry_load`` writes the new keys anyway."""

from django.db import migrations

BATCH = 5000


def rekey(apps, schema_editor):  # noqa: ANN001 - migration signature
    from verifications.names import normalise

    RegistryEntity = apps.get_model("verifications", "RegistryEntity")
    limit = RegistryEntity._meta.get_field("name_key").max_length
    last = 0
    while True:
        rows = list(
            RegistryEntity.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "legal_name", "name_key")[:BATCH]
        )
        if not rows:
            return
        changed = []
        for row in rows:
            key = normalise(row.legal_name)[:limit]
            if key != row.name_key:
                row.name_key = key
                changed.append(row)
        RegistryEntity.objects.bulk_update(changed, ["name_key"], batch_size=1000)
        last = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [("verifications", "0014_verification_livemode")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop, elidable=True)]
