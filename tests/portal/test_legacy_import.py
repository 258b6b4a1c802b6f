"""import_legacy: saved pages of the old site become articles; old links keep working."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from fulian.counters.backends import get_counter
from fulian.counters.services import set_page_views
from fulian.portal.legacy import LegacySkip, parse
from fulian.portal.models import ArticlePage

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_c99bb1cc03427b00.txt"

OLD_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>铜陵市妇联网</title><script>var x = "当前位置";</script></head><body>
<div class="nav">网站首页 走进妇联 信息快递 要闻</div>
<div>维权行动 当前位置:首页 &gt;&gt; 维权行动</div>
<h1>妇联开展反家暴宣传进社区活动</h1>
<div>发布时间: 2019-03-08 09:05:00 被阅览数: 812 次</div>
<p>三月八日上午，市妇联在社区广场开展反家庭暴力法宣传活动。</p>
<p><img src="1.jpg" alt="1"></p>
<p>活动现场发放宣传资料五百余份。</p>
<div>【打印此页】 【返回】 【顶部】 【关闭窗口】</div>
<div>上一条 信息: 别的文章</div><div>版权所有:铜陵市妇联网</div>
</body></html>"""


@pytest.fixture
def channels(home):
    from tests.factories import make_channel

    return {title: make_channel(home, title) for title in ["信息快递", "维权行动"]}


def _import(*paths: Path, publish: bool = False) -> str:
    out = StringIO()
    call_command("import_legacy", *map(str, paths), *(["--publish"] if publish else []), stdout=out)
    return out.getvalue()


@pytest.mark.skipif(not SEED.exists(), reason="shared/seeds is not beside the checkout")
class TestTheSeedPage:
    def test_it_becomes_the_right_article(self, channels):
        output = _import(SEED)
        article = ArticlePage.objects.get()
        assert article.title.startswith("创新措施细化责任┃铜陵市召开维护妇女儿童合法权益联席会议")
        assert article.get_parent().title == "信息快递"
        assert timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M:%S %z") == "2020-05-22 16:58:10 +0800"
        assert get_counter().page_views(article.pk) == 19252
        assert "新建 1 篇" in output
        body = str(article.body)
        assert "联席会议" in body
        assert "【打印此页】" not in body
        assert "版权所有" not in body
        assert "8签责任书" not in body  # image placeholders of the text dump are dropped

    def test_it_is_a_draft_until_the_review_is_declared(self, channels):
        _import(SEED)
        assert not ArticlePage.objects.get().live
        _import(SEED, publish=True)
        article = ArticlePage.objects.get()
        assert article.live
        assert article.confidentiality_reviewed

    def test_running_twice_leaves_one_article(self, channels):
        _import(SEED, publish=True)
        output = _import(SEED, publish=True)
        assert ArticlePage.objects.count() == 1
        assert "更新 1 篇" in output

    def test_a_count_that_grew_since_is_not_lowered(self, channels):
        _import(SEED)
        article = ArticlePage.objects.get()
        set_page_views(page_id=article.pk, count=20000)
        _import(SEED)
        assert get_counter().page_views(article.pk) == 20000


class TestHtmlPages:
    def test_a_gbk_page_with_its_old_id_is_imported_and_redirected(self, channels, tmp_path, client):
        page = tmp_path / "newsinfo_123.html"
        page.write_bytes(OLD_PAGE.encode("gbk"))
        _import(page, publish=True)
        article = ArticlePage.objects.get()
        assert article.title == "妇联开展反家暴宣传进社区活动"
        assert article.get_parent().title == "维权行动"
        assert article.legacy_id == 123
        assert get_counter().page_views(article.pk) == 812
        assert "宣传资料五百余份" in str(article.body)
        response = client.get("/newsinfo.asp", {"id": "123"})
        assert response.status_code == 301
        assert response["Location"] == article.url

    def test_gbk_without_a_declared_charset_is_recognised(self):
        data = OLD_PAGE.replace('; charset=gb2312"', '"').encode("gbk")
        assert parse(data).title == "妇联开展反家暴宣传进社区活动"

    @pytest.mark.parametrize("query", ["id=999", "id=abc", "id=", "", "id=1%00", "id=" + "9" * 30, "id=１２３"])
    def test_unknown_or_malformed_old_links_are_a_styled_404(self, channels, client, query):
        response = client.get("/newsinfo.asp?" + query)
        assert response.status_code == 404
        assert "抱歉，您访问的页面不存在" in response.content.decode()


class TestBadFiles:
    def test_each_bad_file_is_reported_and_nothing_is_half_written(self, channels, tmp_path):
        undecodable = tmp_path / "binary.html"
        undecodable.write_bytes(bytes(range(128, 256)) * 4)
        no_date = tmp_path / "nodate.html"
        no_date.write_text(OLD_PAGE.replace("发布时间: 2019-03-08 09:05:00", ""), encoding="utf-8")
        bad_date = tmp_path / "baddate.html"
        bad_date.write_text(OLD_PAGE.replace("2019-03-08", "2019-13-45"), encoding="utf-8")
        unknown_channel = tmp_path / "channel.html"
        unknown_channel.write_text(OLD_PAGE.replace("维权行动", "不存在的栏目"), encoding="utf-8")
        output = _import(undecodable, no_date, bad_date, unknown_channel, tmp_path / "missing.html")
        assert ArticlePage.objects.count() == 0
        assert "无法识别文件的文字编码" in output
        assert "找不到“发布时间”" in output
        assert "发布时间无效" in output
        assert "没有“不存在的栏目”栏目" in output
        assert "文件不存在" in output
        assert "跳过 5 个文件" in output

    def test_a_folder_is_read_recursively(self, channels, tmp_path):
        (tmp_path / "a").mkdir()
        (tmp_path / "a" / "x.htm").write_bytes(OLD_PAGE.encode("gbk"))
        (tmp_path / "a" / "ignore.jpg").write_bytes(b"\xff\xd8")
        assert "新建 1 篇" in _import(tmp_path)


def test_parse_refuses_non_article_text():
    with pytest.raises(LegacySkip):
        parse("只是一段普通文字。".encode())
