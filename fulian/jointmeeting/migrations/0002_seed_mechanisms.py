"""The five work mechanisms of the national notice, as this city names them; the secretariat may rename,
add or retire them (their exact names differ from place to place)."""

from django.db import migrations

MECHANISMS = [
    ("强制报告机制", "密切接触未成年人行业的各类组织及其从业人员发现未成年人遭受或疑似遭受侵害的，立即向公安机关报案或举报。"),
    ("一站式询问救助机制", "性侵害未成年人案件询问、身体检查、证据提取、心理疏导在一个场所一次完成。"),
    ("入职查询机制", "密切接触未成年人行业招录人员时查询性侵害、虐待等违法犯罪记录。"),
    ("信息通报与共享机制", "成员单位之间通报案件线索、办理进展和统计数据。"),
    ("联合宣传教育机制", "进学校、进社区、进家庭开展预防性侵害宣传教育。"),
]


def seed(apps, schema_editor):
    Mechanism = apps.get_model("fulian_jointmeeting", "Mechanism")
    for order, (name, description) in enumerate(MECHANISMS, start=1):
        Mechanism.objects.get_or_create(name=name, defaults={"description": description, "order": order})


class Migration(migrations.Migration):
    dependencies = [("fulian_jointmeeting", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
