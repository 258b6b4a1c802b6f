"""Ranking on a large index: the common-word path (head of the ranking index) agrees with the exact one."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from fulian.search import selectors
from fulian.search.selectors import search_articles
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(channel):
    now = timezone.now()
    made = []
    for n in range(12):
        # Titles with 家庭 weigh more than bodies; the newest of equals comes first.
        title = f"家庭讲座第{n}期" if n % 3 == 0 else f"讲座第{n}期"
        text = "家庭教育与" * (n % 4 + 1) + ("心理咨询" if n % 2 else "法律援助")
        made.append(make_article(channel, title, text=text, published_at=now - dt.timedelta(days=30 * n)))
    return made


def _ids(outcome):
    return [hit.page_id for hit in outcome.hits]


@pytest.mark.parametrize("query", ["家庭", "家庭 心理咨询", "家暴", "讲座 法律援助"])
def test_the_common_word_path_ranks_like_the_exact_one(articles, monkeypatch, query):
    exact = search_articles(query, limit=50)
    monkeypatch.setattr(selectors, "EXACT_POSTINGS", 1)
    monkeypatch.setattr(selectors, "POOL", 2)
    common = search_articles(query, limit=50)
    assert _ids(common) == _ids(exact)
    assert common.total == exact.total


def test_a_deep_page_grows_the_pool(articles, monkeypatch):
    monkeypatch.setattr(selectors, "EXACT_POSTINGS", 1)
    monkeypatch.setattr(selectors, "POOL", 1)
    exact = search_articles("家庭", limit=50)
    assert _ids(search_articles("家庭", offset=8, limit=2)) == _ids(exact)[8:10]


def test_titles_first_then_newer(articles):
    outcome = search_articles("家庭", limit=50)
    titled = [a.pk for a in articles if a.title.startswith("家庭")]
    assert set(_ids(outcome)[: len(titled)]) == set(titled)
    # Among bodies that say 家庭 equally often, the newer article comes first.
    ranks = {pid: n for n, pid in enumerate(_ids(outcome))}
    assert ranks[articles[4].pk] < ranks[articles[8].pk]  # both say it once; 4 is newer
    assert outcome.total == 12
    assert outcome.exact


def test_the_estimate_for_common_words_is_marked(articles, monkeypatch):
    monkeypatch.setattr(selectors, "EXACT_POSTINGS", 1)
    monkeypatch.setattr(selectors, "POOL", 2)
    monkeypatch.setattr(selectors, "MAX_POOL", 2)
    outcome = search_articles("家庭 心理咨询", limit=2)
    assert not outcome.exact
    assert outcome.total >= len(outcome.hits) == 2


def test_filters_apply_on_both_paths(articles, channel, monkeypatch):
    since = (timezone.now() - dt.timedelta(days=100)).date()
    exact = search_articles("家庭", since=since, channel_id=channel.pk)
    monkeypatch.setattr(selectors, "EXACT_POSTINGS", 1)
    monkeypatch.setattr(selectors, "POOL", 2)
    assert _ids(search_articles("家庭", since=since, channel_id=channel.pk)) == _ids(exact)
    assert len(exact.hits) == 4


def _recounted():
    from django.db.models import Count

    from fulian.search.models import SearchPosting

    return {r["token"]: r["n"] for r in SearchPosting.objects.values("token").annotate(n=Count("id"))}


def test_word_frequencies_follow_every_write(articles, channel):
    from django.core.management import call_command

    from fulian.search.models import SearchTerm

    def stored():
        return dict(SearchTerm.objects.values_list("token", "documents"))

    assert stored() == _recounted()
    assert stored()["家庭"] == 12
    articles[0].unpublish()
    articles[1].delete()
    edited = articles[2].get_latest_revision_as_object()
    edited.title = "家庭暴力防治讲座"
    edited.save_revision().publish()
    assert stored() == _recounted()
    assert stored()["家庭"] == 10
    assert stored()["防治"] == 1  # the edited title's new word
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert stored() == _recounted()
