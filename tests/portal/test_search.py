"""站内搜索: odd input gets results or a clear Chinese message, never an error."""

from __future__ import annotations

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "家",
        "家" * 500,
        '" * ( ) NEAR AND OR -',
        "'; DROP TABLE wagtailcore_page; --",
        "😀👍",
        "，。！？",
        "家庭暴力 Domestic violence",
        "婦聯",
        "\x00",
        "%",
    ],
)
def test_odd_queries_never_fail(channel, client, query):
    make_article(channel, "家庭教育讲座")
    response = client.get("/search/", {"q": query, "page": "x"})
    assert response.status_code == 200
    assert "站内搜索" in response.content.decode()


def test_an_empty_query_asks_for_a_keyword(home, client):
    html = client.get("/search/", {"q": "  "}).content.decode()
    assert "请输入要搜索的关键词" in html


def test_a_long_query_is_cut_with_a_message(home, client):
    html = client.get("/search/", {"q": "家" * 300}).content.decode()
    assert "关键词过长" in html


def test_results_link_to_articles(channel, client):
    article = make_article(channel, "Wagtail search test")
    html = client.get("/search/", {"q": "Wagtail"}).content.decode()
    assert article.url in html
