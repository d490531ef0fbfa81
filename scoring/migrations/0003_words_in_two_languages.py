from django.db import migrations, models


def english_from_original(apps, schema_editor):
    """The words written so far are English: copied into the new English columns."""
    for model, field in (("Level", "name"), ("Category", "name"), ("Criterion", "title")):
        apps.get_model("scoring", model).objects.update(**{f"{field}_en": models.F(field)})


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0002_rubric_stamp"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="name_en",
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.AddField(
            model_name="category",
            name="name_fr",
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.AddField(
            model_name="criterion",
            name="title_en",
            field=models.CharField(max_length=300, null=True, verbose_name="question it reads"),
        ),
        migrations.AddField(
            model_name="criterion",
            name="title_fr",
            field=models.CharField(max_length=300, null=True, verbose_name="question it reads"),
        ),
        migrations.AddField(
            model_name="level",
            name="name_en",
            field=models.CharField(max_length=100, null=True),
        ),
        migrations.AddField(
            model_name="level",
            name="name_fr",
            field=models.CharField(max_length=100, null=True),
        ),
        migrations.RunPython(english_from_original, migrations.RunPython.noop),
    ]
