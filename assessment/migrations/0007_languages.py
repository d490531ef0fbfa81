from django.db import migrations, models


def english_from_original(apps, schema_editor):
    """The cycle names written so far are English: copied into the new English column."""
    apps.get_model("assessment", "Cycle").objects.update(name_en=models.F("name"))


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0006_cycle_signatory"),
    ]

    operations = [
        migrations.AddField(
            model_name="cycle",
            name="name_en",
            field=models.CharField(help_text="For example 2025–2027.", max_length=50, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="cycle",
            name="name_fr",
            field=models.CharField(help_text="For example 2025–2027.", max_length=50, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="jurisdiction",
            name="language",
            field=models.CharField(
                choices=[("en", "English"), ("fr", "Français")],
                default="en",
                help_text="The language of the e-mails sent to its staff and of its designation report and certificate.",
                max_length=8,
                verbose_name="preferred language",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(blank=True, choices=[("en", "English"), ("fr", "Français")], max_length=8),
        ),
        migrations.RunPython(english_from_original, migrations.RunPython.noop),
    ]
