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


class TestChineseSearch:
    def test_words_inside_longer_runs_are_found_and_highlighted(self, channel, client):
        article = make_article(channel, "最美家庭表彰大会召开", text="会议表彰了一批好家庭。")
        html = client.get("/search/", {"q": "家庭"}).content.decode()
        assert article.url in html
        assert "最美<mark>家庭</mark>表彰大会召开" in html
        assert "找到 1 条结果" in html

    def test_synonyms_find_each_other(self, channel, client):
        make_article(channel, "反家庭暴力法宣传进社区")
        make_article(channel, "性侵害未成年人案件一站式询问")
        assert "反<mark>家庭暴力</mark>法宣传进社区" in client.get("/search/", {"q": "家暴"}).content.decode()
        assert "<mark>性侵害</mark>未成年人" in client.get("/search/", {"q": "性侵"}).content.decode()

    def test_domain_words_stay_whole(self, channel, client):
        make_article(channel, "申请人身安全保护令的流程")
        html = client.get("/search/", {"q": "保护令"}).content.decode()
        assert "申请<mark>人身安全保护令</mark>的流程" in html or "人身安全<mark>保护令</mark>" in html

    def test_title_matches_rank_first(self, channel, client):
        import datetime as dt

        from django.utils import timezone

        body_only = make_article(channel, "社区活动简讯", text="活动中介绍了12338热线。", published_at=timezone.now())
        in_title = make_article(channel, "12338热线服务介绍", published_at=timezone.now() - dt.timedelta(days=400))
        html = client.get("/search/", {"q": "12338"}).content.decode()
        assert html.index(in_title.url) < html.index(body_only.url)

    def test_channel_and_date_filters(self, home, channel, client):
        import datetime as dt

        from django.utils import timezone

        from tests.factories import make_channel

        other = make_channel(home, "要闻")
        old = make_article(channel, "心理咨询讲座（旧）", published_at=timezone.now() - dt.timedelta(days=800))
        new = make_article(other, "心理咨询讲座（新）", published_at=timezone.now() - dt.timedelta(days=1))
        html = client.get("/search/", {"q": "心理咨询", "channel": str(other.pk)}).content.decode()
        assert new.url in html
        assert old.url not in html
        since = (timezone.now() - dt.timedelta(days=30)).date().isoformat()
        html = client.get("/search/", {"q": "心理咨询", "from": since}).content.decode()
        assert new.url in html
        assert old.url not in html
        assert client.get("/search/", {"q": "心理咨询", "from": "2026-99-99", "channel": "abc"}).status_code == 200

    def test_unpublished_articles_leave_the_index(self, channel, client):
        article = make_article(channel, "即将撤下的家庭教育文章")
        article.unpublish()
        assert "找到 0 条结果" in client.get("/search/", {"q": "家庭教育"}).content.decode()

    def test_nothing_found_suggests_popular_searches(self, home, client):
        html = client.get("/search/", {"q": "完全不存在的词语组合"}).content.decode()
        assert "大家常搜" in html

    def test_a_single_character_gets_a_hint(self, home, client):
        assert "请输入至少两个字" in client.get("/search/", {"q": "家"}).content.decode()


def test_traditional_characters_find_simplified_articles(channel, client):
    article = make_article(channel, "申请人身安全保护令的流程")
    html = client.get("/search/", {"q": "保護令"}).content.decode()
    assert article.url in html
    assert "保护令</mark>" in html
