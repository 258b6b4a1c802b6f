import django.db.models.deletion
from django.db import migrations, models

# Copy each document's date and channel onto its postings, so existing indexes keep working
# without a rebuild.
FILL = """
UPDATE fulian_search_searchposting SET
    published_at = (SELECT d.published_at FROM fulian_search_searchdocument d
                    WHERE d.page_id = fulian_search_searchposting.document_id),
    channel_id = (SELECT d.channel_id FROM fulian_search_searchdocument d
                  WHERE d.page_id = fulian_search_searchposting.document_id)
"""

COUNT = """
INSERT INTO fulian_search_searchterm (token, documents)
SELECT token, COUNT(*) FROM fulian_search_searchposting GROUP BY token
"""


class Migration(migrations.Migration):
    dependencies = [
        ("fulian_search", "0003_index_without_constraint"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                ("token", models.CharField(max_length=32, primary_key=True, serialize=False)),
                ("documents", models.IntegerField()),
            ],
        ),
        migrations.AddField(
            model_name="searchposting", name="published_at", field=models.DateTimeField(null=True)
        ),
        migrations.AddField(model_name="searchposting", name="channel_id", field=models.IntegerField(null=True)),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunSQL(COUNT, migrations.RunSQL.noop),
        migrations.AlterField(model_name="searchposting", name="published_at", field=models.DateTimeField()),
        migrations.AlterField(model_name="searchposting", name="channel_id", field=models.IntegerField()),
        migrations.AlterField(
            model_name="searchposting",
            name="document",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="postings",
                to="fulian_search.searchdocument",
            ),
        ),
        migrations.RemoveIndex(model_name="searchposting", name="fulian_search_token_idx"),
        migrations.AddIndex(
            model_name="searchposting",
            index=models.Index(fields=["token", "document", "weight", "published_at"], name="fulian_search_probe_idx"),
        ),
        migrations.AddIndex(
            model_name="searchposting",
            index=models.Index(
                fields=["token", "-weight", "-published_at", "channel_id", "document"], name="fulian_search_rank_idx"
            ),
        ),
    ]
