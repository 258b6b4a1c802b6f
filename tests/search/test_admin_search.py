"""The admin's own search boxes cut Chinese text into words like the site search does."""

from __future__ import annotations

import pytest
from wagtail.search.backends import get_search_backend

from fulian.portal.models import ArticlePage
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_a_word_inside_a_longer_title_is_found_in_the_page_explorer(channel, admin_client):
    article = make_article(channel, "最美家庭表彰大会隆重举行")
    make_article(channel, "巾帼创业培训班开班")
    html = admin_client.get("/admin/pages/search/", {"q": "家庭"}).content.decode()
    assert f"/admin/pages/{article.pk}/edit/" in html
    assert "巾帼创业培训班开班" not in html


def test_the_index_holds_words_not_runs_of_characters(channel):
    article = make_article(channel, "最美家庭表彰大会")
    backend = get_search_backend()
    found = list(backend.search("表彰", ArticlePage.objects.all()))
    assert found == [article]
    assert list(backend.search("最美家庭", ArticlePage.objects.all())) == [article]
    assert list(backend.search("运动会", ArticlePage.objects.all())) == []


def test_traditional_characters_find_simplified_titles(channel):
    article = make_article(channel, "妇联开展家庭教育讲座")
    assert list(get_search_backend().search("婦聯", ArticlePage.objects.all())) == [article]
