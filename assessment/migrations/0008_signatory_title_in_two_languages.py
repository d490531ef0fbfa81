from django.db import migrations, models


def english_from_original(apps, schema_editor):
    """The titles written so far are English: copied into the new English column."""
    apps.get_model("assessment", "Cycle").objects.update(signatory_title_en=models.F("signatory_title"))


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0007_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="cycle",
            name="signatory_title_en",
            field=models.CharField(blank=True, max_length=160, null=True),
        ),
        migrations.AddField(
            model_name="cycle",
            name="signatory_title_fr",
            field=models.CharField(blank=True, max_length=160, null=True),
        ),
        migrations.RunPython(english_from_original, migrations.RunPython.noop),
    ]
