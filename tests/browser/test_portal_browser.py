"""A visitor in a real browser (Playwright driving Debian's Chromium): home → channel → article → print."""

from __future__ import annotations

import os
import re

import pytest

from fulian.counters.backends import get_counter
from fulian.counters.services import set_page_views
from tests.browser.conftest import CHROMIUM
from tests.factories import make_article, make_channel, make_home

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _count(page) -> int:
    return int(page.locator(".page-views").inner_text())


def test_home_channel_article_print_and_the_counter_goes_up(live_server, browser_page, settings):
    settings.VIEW_REPEAT_WINDOW_SECONDS = 0  # each reload is a new view in this test
    home = make_home()
    channel = make_channel(home, "信息快递", "xinxi")
    make_channel(home, "要闻", "yaowen")
    article = make_article(channel, "铜陵市召开维权联席会议")
    set_page_views(page_id=article.pk, count=19251)
    page = browser_page

    page.goto(live_server.url + "/")
    assert page.locator("nav.channels").get_by_role("link", name="信息快递").is_visible()
    assert "总访问量" in page.locator("footer").inner_text()

    page.locator("nav.channels").get_by_role("link", name="信息快递").click()
    page.wait_for_url(re.compile(r"/xinxi/$"))
    assert "当前位置" in page.locator(".breadcrumb").inner_text()

    page.locator(".channel-list").get_by_role("link", name="铜陵市召开维权联席会议").click()
    page.wait_for_url(re.compile(article.url + "$"))
    assert page.locator("h1").inner_text() == "铜陵市召开维权联席会议"
    first = _count(page)
    assert first == 19252

    page.reload()
    assert _count(page) == first + 1
    assert get_counter().page_views(article.pk) == first + 1

    # Enhancements that need JavaScript show up and work.
    page.get_by_role("button", name="大").click()
    assert "fs-l" in (page.locator("#article-body").get_attribute("class") or "")
    assert page.get_by_role("button", name="【关闭窗口】").is_visible()

    page.get_by_role("link", name="【打印此页】").click()
    page.wait_for_url(re.compile(r"/print/$"))
    assert page.locator("h1").inner_text() == "铜陵市召开维权联席会议"
    assert page.locator("nav.channels").count() == 0  # a clean print layout
    assert get_counter().page_views(article.pk) == first + 1  # printing is not another view


def test_keyboard_users_can_skip_to_the_content_and_switch_to_care_mode(live_server, browser_page):
    home = make_home()
    make_channel(home, "信息快递", "xinxi")
    page = browser_page
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "跳到主要内容"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"

    page.get_by_role("link", name=re.compile("关怀模式")).click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.className") == "care"
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size >= 22
    page.reload()
    assert page.evaluate("document.documentElement.className") == "care"  # remembered
