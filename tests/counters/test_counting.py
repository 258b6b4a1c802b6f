"""被阅览数 and 总访问量: who counts, what is ignored, and that counts survive publishing."""

from __future__ import annotations

import pytest
from django.test import Client

from fulian.counters.backends import get_counter
from fulian.counters.models import PageViews, VisitTotal
from fulian.counters.services import flush_to_database, record_view, set_page_views, set_site_visits
from fulian.counters.visitors import client_address, countable_visitor, is_crawler, visitor_key
from tests.factories import BROWSER_UA, make_article

pytestmark = pytest.mark.django_db


def _views(article) -> int:
    return get_counter().page_views(article.pk)


def _visitor(address: str, ua: str = BROWSER_UA) -> Client:
    return Client(HTTP_USER_AGENT=ua, REMOTE_ADDR=address)


class TestWhatCounts:
    def test_each_visitor_counts_once(self, channel, counter_backend):
        article = make_article(channel)
        for i in range(5):
            _visitor(f"10.0.0.{i}").get(article.url)
        assert _views(article) == 5
        assert get_counter().site_visits() == 5

    def test_a_quick_reload_by_the_same_visitor_is_not_counted(self, channel, counter_backend):
        article = make_article(channel)
        visitor = _visitor("10.0.0.1")
        visitor.get(article.url)
        visitor.get(article.url)
        assert _views(article) == 1

    def test_a_reload_after_the_window_counts_again(self, channel, counter_backend, settings):
        settings.VIEW_REPEAT_WINDOW_SECONDS = 0
        article = make_article(channel)
        visitor = _visitor("10.0.0.1")
        visitor.get(article.url)
        visitor.get(article.url)
        assert _views(article) == 2

    @pytest.mark.parametrize(
        "ua",
        [
            "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
            "Mozilla/5.0 (compatible; bingbot/2.0)",
            "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
            "curl/8.5.0",
            "python-requests/2.32",
            "",
        ],
    )
    def test_crawlers_are_not_counted(self, channel, counter_backend, ua):
        article = make_article(channel)
        response = _visitor("10.0.0.1", ua).get(article.url)
        assert response.status_code == 200
        assert _views(article) == 0
        assert "<!--pv-->0<!--/pv-->" in response.content.decode()  # shown, not raised

    def test_the_page_shows_the_count_including_this_view(self, channel, counter_backend):
        article = make_article(channel)
        set_page_views(page_id=article.pk, count=19251)
        html = _visitor("10.0.0.9").get(article.url).content.decode()
        assert "<!--pv-->19252<!--/pv-->" in html

    def test_channel_and_home_views_add_to_the_site_total(self, home, channel, counter_backend):
        set_site_visits(count=100)
        visitor = _visitor("10.0.0.1")
        visitor.get("/")
        visitor.get(channel.url)
        assert get_counter().site_visits() == 102
        assert "<!--sv-->102<!--/sv-->" in visitor.get("/search/?q=x").content.decode()


class TestCountsSurviveEditing:
    def test_publishing_a_new_revision_keeps_the_count(self, channel, counter_backend):
        article = make_article(channel)
        set_page_views(page_id=article.pk, count=41)
        _visitor("10.0.0.1").get(article.url)
        article.title = "改过的标题"
        article.save_revision().publish()
        flush_to_database()
        assert _views(article) == 42
        assert PageViews.objects.get(page_id=article.pk).count == 42

    def test_imported_counts_are_the_starting_point(self, channel, counter_backend):
        article = make_article(channel)
        set_page_views(page_id=article.pk, count=19252)
        assert _views(article) == 19252
        with pytest.raises(ValueError, match="negative"):
            set_page_views(page_id=article.pk, count=-1)


@pytest.mark.parametrize("counter_backend", ["redis"], indirect=True)
class TestRedisCounts:
    def test_the_database_copy_catches_up_on_flush(self, channel, counter_backend):
        article = make_article(channel)
        for i in range(3):
            _visitor(f"10.0.1.{i}").get(article.url)
        assert not PageViews.objects.filter(page_id=article.pk, count=3).exists()
        assert flush_to_database() == 1
        assert PageViews.objects.get(page_id=article.pk).count == 3
        assert VisitTotal.objects.get(name="site").count == 3

    def test_a_restarted_redis_starts_from_the_database(self, channel, counter_backend):
        article = make_article(channel)
        set_page_views(page_id=article.pk, count=500)
        get_counter().client.flushdb()  # type: ignore[union-attr]
        tally = record_view(page_id=article.pk, visitor="v1")
        assert tally.counted
        assert tally.page_views == 501


class TestVisitors:
    def test_known_crawlers_and_scripts(self):
        assert is_crawler("Mozilla/5.0 (compatible; YisouSpider/5.0)")
        assert not is_crawler(BROWSER_UA)
        assert not is_crawler(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.47"
        )

    def test_forwarded_address_is_believed_only_from_our_proxy(self, settings):
        assert client_address({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}) == "1.2.3.4"
        assert client_address({"REMOTE_ADDR": "5.6.7.8", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}) == "5.6.7.8"
        # A forged hop before the real one is ignored.
        assert client_address({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "9.9.9.9, 1.2.3.4"}) == "1.2.3.4"

    def test_the_visitor_key_holds_no_address_and_changes_daily(self):
        import datetime as dt

        key = visitor_key("1.2.3.4", BROWSER_UA, today=dt.date(2026, 11, 29))
        assert "1.2.3.4" not in key
        assert len(key) == 24
        assert key != visitor_key("1.2.3.4", BROWSER_UA, today=dt.date(2026, 11, 30))

    def test_requests_the_edge_counts_are_not_counted_twice(self):
        environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": BROWSER_UA, "HTTP_X_FULIAN_EDGE_COUNTS": "1"}
        assert countable_visitor(environ) is None
        # …but only a trusted proxy may say so.
        assert countable_visitor({**environ, "REMOTE_ADDR": "8.8.8.8"}) is not None
