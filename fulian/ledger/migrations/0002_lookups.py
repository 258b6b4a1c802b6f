"""The default family types and risk grades (both editable in the admin afterwards)."""

from django.db import migrations

TYPES = [("poor", "贫困"), ("single_parent", "单亲"), ("bereaved", "失亲"), ("conflict", "矛盾多"),
         ("left_children", "留守儿童"), ("left_women", "留守妇女"), ("disability", "残疾"), ("illness", "重病")]  # fmt: skip
# Red: domestic violence (visited monthly); orange: marriage conflict (every two months);
# yellow: hardship (quarterly).
GRADES = [("red", "红色", "#d32f2f", 30, 3, True), ("orange", "橙色", "#f57c00", 60, 2, False),
          ("yellow", "黄色", "#fbc02d", 90, 1, False)]  # fmt: skip


def seed(apps, schema_editor):
    FamilyType = apps.get_model("fulian_ledger", "FamilyType")
    RiskGrade = apps.get_model("fulian_ledger", "RiskGrade")
    for order, (code, name) in enumerate(TYPES):
        FamilyType.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    for code, name, colour, days, severity, opens_case in GRADES:
        RiskGrade.objects.get_or_create(
            code=code,
            defaults={"name": name, "colour": colour, "visit_every_days": days, "severity": severity,
                      "opens_case": opens_case},
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("fulian_ledger", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
