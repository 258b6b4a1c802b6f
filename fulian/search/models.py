"""The Chinese search index: one document per public article, and its words (postings).

Built by our own segmenter (fulian/search/segment.py) so that SQLite and PostgreSQL give the
same results with no database extension.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchWord(models.Model):
    """领域词典: words the segmenter must keep whole (妇联, 人身安全保护令, 12338 …)."""

    word = models.CharField(_("词语"), max_length=32, unique=True)

    class Meta:
        verbose_name = _("搜索词典词语")
        verbose_name_plural = _("搜索词典")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class SearchSynonym(models.Model):
    """同义词: a group of words that find each other (家暴 ↔ 家庭暴力)."""

    words = models.CharField(_("同义词组"), max_length=300, help_text=_("用逗号或空格分隔，例如：家暴，家庭暴力"))

    class Meta:
        verbose_name = _("同义词组")
        verbose_name_plural = _("同义词")

    def __str__(self) -> str:
        return self.words

    @property
    def word_list(self) -> list[str]:
        import re

        return [w for w in re.split(r"[,，、\s]+", self.words) if w]


class SearchDocument(models.Model):
    # No database constraint: the index is derived data, rebuilt from pages at any time
    # (deleting a page still removes its document, through Django's cascade).
    page = models.OneToOneField(
        "wagtailcore.Page", primary_key=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    channel_id = models.IntegerField(db_index=True)
    published_at = models.DateTimeField(db_index=True)
    title = models.CharField(max_length=255)
    text = models.TextField()

    def __str__(self) -> str:
        return self.title


class SearchPosting(models.Model):
    """One word of one document, weighted: title occurrences count ten times body ones.

    The document's date and channel are copied here so that the ranking index
    (word, weight, date) answers "the best documents for this word" by reading its first
    entries, without sorting every document that contains a common word.
    """

    token = models.CharField(max_length=32)
    # No database constraint, like the document's own link to its page: postings are written and
    # removed with their document in one transaction, and a constraint checked per row made a
    # rebuild of millions of postings several times slower on PostgreSQL.
    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="postings", db_constraint=False)
    weight = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    channel_id = models.IntegerField()

    class Meta:
        indexes = [
            # "The best documents for this word": read from the start of the word's range.
            models.Index(
                fields=["token", "-weight", "-published_at", "channel_id", "document"], name="fulian_search_rank_idx"
            ),
            # "This word's weight in these documents": one probe per document, never the table.
            models.Index(fields=["token", "document", "weight", "published_at"], name="fulian_search_probe_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.token} → {self.document_id}"


class SearchTerm(models.Model):
    """How many documents contain a word: orders a query's words and counts common ones without a scan."""

    token = models.CharField(max_length=32, primary_key=True)
    documents = models.IntegerField()  # no CHECK: an upsert row carries a negative change

    def __str__(self) -> str:
        return f"{self.token}: {self.documents}"
