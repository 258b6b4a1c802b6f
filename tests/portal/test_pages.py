"""What a visitor sees on the home, channel, article and 走进妇联 pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from fulian.counters.services import set_page_views
from fulian.portal.context_processors import date_line
from fulian.portal.models import Department, DepartmentsPage, Leader, LeadershipPage, SectionPage
from tests.factories import make_article, make_channel

pytestmark = pytest.mark.django_db

OLD_SITE_CHANNELS = [
    "走进妇联",
    "信息快递",
    "要闻",
    "铜都巾帼",
    "创业行动",
    "维权行动",
    "文明行动",
    "关爱行动",
    "基层信息",
    "最美家庭",
]


def _nav(html: str) -> list[str]:
    bar = html.split('class="channels"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r">([^<>]+)</a>", bar)


class TestHomePage:
    def test_it_shows_all_eleven_channels_in_editor_order(self, home, client):
        section = SectionPage(title="走进妇联", slug="zoujin", show_in_menus=True, confidentiality_reviewed=True)
        home.add_child(instance=section)
        section.save_revision().publish()
        for title in OLD_SITE_CHANNELS[1:]:
            make_channel(home, title)
        html = client.get("/").content.decode()
        assert _nav(html) == ["网站首页", *OLD_SITE_CHANNELS]

    def test_editors_can_rename_and_reorder_channels(self, home, client):
        first = make_channel(home, "信息快递")
        second = make_channel(home, "要闻")
        second.move(first, pos="left")
        first.title = "工作动态"
        first.save_revision().publish()
        assert _nav(client.get("/").content.decode()) == ["网站首页", "要闻", "工作动态"]

    def test_it_shows_the_frame_date_line_hotline_and_search(self, home, client):
        html = client.get("/").content.decode()
        assert "铜陵市妇联" in html
        assert "今天是" in html
        assert date_line() in html
        assert "12338" in html
        assert 'role="search"' in html
        assert 'name="q"' in html
        assert "emblem.svg" in html

    def test_it_lists_headlines_notices_and_latest_per_channel(self, home, channel, client):
        from wagtail.images.models import Image
        from wagtail.images.tests.utils import get_test_image_file

        cover = Image.objects.create(title="题图", file=get_test_image_file())
        make_article(channel, "头条新闻标题", cover=cover, is_headline=True)
        make_article(channel, "关于开展寻访活动的通知", is_notice=True)
        older = make_article(channel, "较早的文章", published_at=timezone.now() - dt.timedelta(days=30))
        html = client.get("/").content.decode()
        assert "头条新闻标题" in html.split('class="headlines"')[1]
        assert "关于开展寻访活动的通知" in html.split('class="ticker"')[1]
        box = html.split('class="channel-box"')[1]
        assert box.index("关于开展寻访活动的通知") < box.index(older.title)

    def test_date_line_is_in_chinese_with_weekday(self):
        moment = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
        assert date_line(moment) == "2026年11月29日 星期日"


class TestFooter:
    def test_it_shows_every_footer_field_from_site_settings(self, home, client):
        html = client.get("/").content.decode()
        footer = html.split('class="site-footer"')[1]
        for text in [
            "版权所有",
            "主办单位",
            "0562-2832832",
            "0562-2832833",
            "office@example.com",
            "技术支持",
            "信息中心",
            "0562-12318",
            "皖公网安备 34070202000291号",
            'href="https://beian.mps.gov.cn/"',
            "皖ICP备08002462号-1",
            "3407000001",
            "总访问量",
        ]:
            assert text in footer, text

    def test_editing_the_settings_changes_the_footer(self, home, client):
        from fulian.portal.models import PortalSettings

        PortalSettings.objects.update(phone="0562-9999999")
        assert "0562-9999999" in client.get("/").content.decode()


class TestChannelPage:
    def test_it_lists_articles_newest_first_with_breadcrumb(self, channel, client):
        make_article(channel, "旧文章", published_at=timezone.now() - dt.timedelta(days=5))
        make_article(channel, "新文章", published_at=timezone.now() - dt.timedelta(days=1))
        html = client.get(channel.url).content.decode()
        assert '当前位置：<a href="/">首页</a> &gt;&gt; <span aria-current="page">信息快递</span>' in html
        assert html.index("新文章") < html.index("旧文章")

    def test_it_paginates(self, channel, client):
        channel.page_size = 2
        channel.save_revision().publish()
        for i in range(5):
            make_article(channel, f"第{i}篇", published_at=timezone.now() - dt.timedelta(days=i + 1))
        page2 = client.get(channel.url, {"page": "2"}).content.decode()
        assert "第2篇" in page2
        assert "第0篇" not in page2
        assert "第 2 / 3 页" in page2

    @pytest.mark.parametrize("raw", ["abc", "-1", "0", "99999", "1e10", "２", "1" * 500, "%00", "'; DROP TABLE"])
    def test_bad_page_numbers_give_a_page_not_an_error(self, channel, client, raw):
        make_article(channel, "唯一文章")
        response = client.get(channel.url, {"page": raw})
        assert response.status_code == 200
        assert "唯一文章" in response.content.decode()

    def test_it_shows_the_most_read_articles(self, channel, client):
        quiet = make_article(channel, "少人读的文章")
        popular = make_article(channel, "多人读的文章")
        set_page_views(page_id=quiet.pk, count=3)
        set_page_views(page_id=popular.pk, count=300)
        box = client.get(channel.url).content.decode().split('class="most-read"')[1]
        assert box.index("多人读的文章") < box.index("少人读的文章")

    def test_unknown_channel_slug_is_a_styled_chinese_404(self, channel, client):
        response = client.get("/no-such-channel/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "抱歉，您访问的页面不存在" in html
        assert "信息快递" in html


class TestArticlePage:
    def test_it_shows_every_element_of_the_old_article_page(self, channel, browser_client):
        when = dt.datetime(2020, 5, 22, 16, 58, 10, tzinfo=timezone.get_current_timezone())
        article = make_article(channel, "联席会议召开", published_at=when, source="市妇联", author="李静")
        set_page_views(page_id=article.pk, count=19251)
        html = browser_client.get(article.url).content.decode()
        assert "<h1" in html
        assert "联席会议召开" in html
        assert "发布时间：<time" in html
        assert "2020-05-22 16:58:10" in html
        assert "来源：市妇联" in html
        assert "作者：李静" in html
        assert "被阅览数：" in html
        assert "19252" in html
        for tool in ["【打印此页】", "【返回】", "【顶部】", "【关闭窗口】"]:
            assert tool in html
        assert 'data-font="l"' in html
        assert 'data-font="m"' in html
        assert 'data-font="s"' in html
        assert "上一条" in html
        assert "下一条" in html
        assert "当前位置" in html
        assert channel.title in html

    def test_previous_and_next_follow_publish_date_not_tree_order(self, channel, client):
        now = timezone.now()
        # Created newest first, so tree order is the reverse of date order.
        newest = make_article(channel, "三月的文章", published_at=now - dt.timedelta(days=1))
        middle = make_article(channel, "二月的文章", published_at=now - dt.timedelta(days=30))
        oldest = make_article(channel, "一月的文章", published_at=now - dt.timedelta(days=60))
        html = client.get(middle.url).content.decode()
        nav = html.split('class="prev-next"')[1]
        assert f'<a href="{oldest.url}" rel="prev">' in nav
        assert f'<a href="{newest.url}" rel="next">' in nav

    def test_neighbours_stay_within_the_channel(self, home, channel, client):
        other = make_channel(home, "要闻")
        article = make_article(channel, "本栏目文章")
        make_article(other, "别的栏目文章", published_at=timezone.now() - dt.timedelta(days=3))
        html = client.get(article.url).content.decode()
        assert "别的栏目文章" not in html
        assert html.count("没有了") == 2

    def test_rich_body_renders_headings_tables_and_attachments(self, channel, client):
        from django.core.files.base import ContentFile
        from wagtail.documents.models import Document

        doc = Document.objects.create(title="报名表", file=ContentFile(b"x", name="form.pdf"))
        article = make_article(channel, "有附件的文章")
        article.body = [
            {"type": "heading", "value": "一、工作要求"},
            {
                "type": "table",
                "value": {
                    "data": [["区县", "户数"], ["铜官区", "12"]],
                    "first_row_is_table_header": True,
                    "table_caption": "统计",
                },
            },
            {"type": "attachment", "value": {"document": doc.pk, "title": "报名表下载"}},
        ]
        article.save_revision().publish()
        html = client.get(article.url).content.decode()
        assert "<h2>一、工作要求</h2>" in html
        assert "<caption>统计</caption>" in html
        assert "<th" in html
        assert "铜官区" in html
        assert "报名表下载" in html
        assert "（PDF）" in html

    def test_print_view_is_clean_and_does_not_count_again(self, channel, browser_client):
        article = make_article(channel, "打印测试")
        browser_client.get(article.url)
        response = browser_client.get(article.url + "print/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "打印测试" in html
        assert "print.css" in html
        assert 'class="channels"' not in html
        assert 'class="site-footer"' not in html
        assert "<!--pv-->1<!--/pv-->" in html

    def test_print_route_of_unknown_article_is_404(self, channel, client):
        assert client.get(channel.url + "nothing/print/").status_code == 404


class TestAboutSection:
    def test_leadership_and_departments_pages(self, home, client):
        section = SectionPage(title="走进妇联", slug="zoujin", show_in_menus=True, confidentiality_reviewed=True)
        home.add_child(instance=section)
        section.save_revision().publish()
        leaders = LeadershipPage(
            title="领导班子",
            slug="lingdao",
            confidentiality_reviewed=True,
            leaders=[Leader(name="孙慧琴", title="主席", duties="主持全面工作", departments="办公室")],
        )
        section.add_child(instance=leaders)
        leaders.save_revision().publish()
        depts = DepartmentsPage(
            title="内设机构",
            slug="jigou",
            confidentiality_reviewed=True,
            departments=[Department(name="权益部", duties="维权工作", phone="0562-2881201")],
        )
        section.add_child(instance=depts)
        depts.save_revision().publish()
        html = client.get("/zoujin/lingdao/").content.decode()
        assert "孙慧琴" in html
        assert "主持全面工作" in html
        assert "分管部门" in html
        html = client.get("/zoujin/jigou/").content.decode()
        assert "权益部" in html
        assert "0562-2881201" in html
        assert "领导班子" in client.get("/zoujin/").content.decode()


class TestBadInput:
    @pytest.mark.parametrize(
        "path",
        [
            "/does-not-exist/",
            "/xinxi/../../etc/passwd",
            "/%E4%B8%AD%E6%96%87/",
            "/" + "a" * 2000 + "/",
            "/xinxi/%00/",
            "/admin-old/newsinfo.asp",
        ],
    )
    def test_unknown_urls_get_the_styled_404(self, channel, client, path):
        response = client.get(path)
        assert response.status_code == 404
        assert "抱歉，您访问的页面不存在" in response.content.decode()

    @pytest.mark.parametrize("query", ["x=" + "y" * 5000, "page=1&page=2", "%ff%fe=1", "a[]=1&b[c]=2", "q=<script>"])
    def test_odd_query_strings_are_ignored(self, channel, client, query):
        make_article(channel, "文章")
        for url in ["/", channel.url]:
            response = client.get(f"{url}?{query}")
            assert response.status_code == 200
            assert "<script>" not in response.content.decode().split("</head>", 1)[1].replace('<script src="', "")


def test_the_page_is_usable_without_javascript(channel, client):
    article = make_article(channel, "无脚本")
    html = client.get(article.url).content.decode()
    assert "<script>" not in html  # no inline script (CSP forbids them)
    assert re.search(r'<a href="[^"]+print/" class="print-link">', html)  # printing works by link
    assert '<span class="font-size" hidden>' in html  # JS-only controls stay hidden without JS


def test_a_server_error_gets_a_plain_chinese_page_without_details(channel, client, monkeypatch):
    from fulian.portal.models import ChannelPage

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(ChannelPage, "get_context", broken)
    client.raise_request_exception = False
    response = client.get(channel.url)
    assert response.status_code == 500
    html = response.content.decode()
    assert "抱歉，服务暂时不可用" in html
    assert "secret internal detail" not in html


def test_visitors_can_switch_to_english_and_back(channel, client):
    article = make_article(channel, "英文测试")
    response = client.post("/i18n/setlang/", {"language": "en", "next": article.url})
    assert response.status_code == 302
    html = client.get(article.url).content.decode()
    assert '<html lang="en"' in html
    assert "Published" in html
    assert "Views" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": article.url})
    assert "发布时间" in client.get(article.url).content.decode()


def test_the_browser_language_does_not_change_the_site_language(channel, client):
    html = client.get(channel.url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-Hans"' in html


class TestCareModeSwitch:
    def test_it_returns_to_the_page_it_was_clicked_on(self, channel, client):
        response = client.get("/care/?on=1", HTTP_REFERER=f"http://testserver{channel.url}")
        assert response.status_code == 302
        assert response["Location"] == f"http://testserver{channel.url}"
        assert response.cookies["care"].value == "1"
        assert response.cookies["care"]["httponly"]

    @pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
    def test_it_never_sends_visitors_to_another_site(self, home, client, target):
        response = client.get("/care/", {"on": "1", "next": target})
        assert response["Location"] == "/"

    def test_switching_off_clears_the_cookie(self, home, client):
        client.cookies["care"] = "1"
        response = client.get("/care/?on=0")
        assert response.cookies["care"].value == ""
