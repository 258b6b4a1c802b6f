"""The minor-protection category that mandatory reports open their cases in (editable like the others)."""

from django.db import migrations


def seed(apps, schema_editor):
    Category = apps.get_model("fulian_hotline", "Category")
    Category.objects.get_or_create(parent=None, name="未成年人保护", defaults={"order": 0})


class Migration(migrations.Migration):
    dependencies = [("fulian_protection", "0001_initial"), ("fulian_hotline", "0002_categories")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
