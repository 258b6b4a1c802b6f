"""The federation's complaint categories used in its statistics (editable afterwards in the admin)."""

from django.db import migrations

CATEGORIES = [
    ("政治权利", []),
    ("文化教育", []),
    ("人身权益", []),
    ("财产权益", []),
    ("劳动和社会保障", ["劳动权益", "社会保障", "社会保险", "性别歧视"]),
    ("婚姻家庭", ["家庭纠纷", "干涉婚姻", "外遇/重婚/同居", "离婚", "家庭暴力", "子女抚养", "财产分割", "其他"]),
    ("综合/其他", []),
]


def seed(apps, schema_editor):
    Category = apps.get_model("fulian_hotline", "Category")
    for order, (name, children) in enumerate(CATEGORIES, start=1):
        parent, _ = Category.objects.get_or_create(parent=None, name=name, defaults={"order": order})
        for child_order, child in enumerate(children, start=1):
            Category.objects.get_or_create(parent=parent, name=child, defaults={"order": child_order})


class Migration(migrations.Migration):
    dependencies = [("fulian_hotline", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
