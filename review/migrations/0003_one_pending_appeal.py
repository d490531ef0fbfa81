"""One pending appeal per application, enforced by the database.

Before the constraint, parallel requests could file several pending appeals of
one decision. Such duplicates are merged first, or the constraint could not be
created: the earliest pending appeal stays, the later statements are appended
to it (with who filed them and when), and the duplicates go.
"""

from django.db import migrations, models


def merge_duplicate_pending_appeals(apps, schema_editor):
    Appeal = apps.get_model("review", "Appeal")
    pending = Appeal.objects.filter(outcome="pending").order_by("application_id", "filed_at", "pk")
    kept = {}
    for appeal in pending:
        first = kept.setdefault(appeal.application_id, appeal)
        if first.pk == appeal.pk:
            continue
        if appeal.statement.strip() and appeal.statement.strip() != first.statement.strip():
            first.statement += f"\n\nFiled again on {appeal.filed_at:%Y-%m-%d %H:%M} UTC:\n{appeal.statement}"
            first.save(update_fields=["statement"])
        appeal.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0002_one_current_decision"),
    ]

    operations = [
        migrations.RunPython(merge_duplicate_pending_appeals, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="appeal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("outcome", "pending")), fields=("application",), name="one_pending_appeal"
            ),
        ),
    ]
