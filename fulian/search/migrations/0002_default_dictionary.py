from django.db import migrations

WORDS = ["妇联", "最美家庭", "巾帼", "12338", "人身安全保护令", "一站式", "强制报告", "告诫书", "联席会议", "留守儿童"]
SYNONYMS = ["家暴，家庭暴力", "性侵，性侵害", "婚调，婚姻家庭纠纷调解", "两癌，宫颈癌，乳腺癌", "保护令，人身安全保护令"]


def seed(apps, schema_editor):
    SearchWord = apps.get_model("fulian_search", "SearchWord")
    SearchSynonym = apps.get_model("fulian_search", "SearchSynonym")
    for word in WORDS:
        SearchWord.objects.get_or_create(word=word)
    for words in SYNONYMS:
        SearchSynonym.objects.get_or_create(words=words)


class Migration(migrations.Migration):
    dependencies = [("fulian_search", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
