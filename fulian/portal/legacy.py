"""Reading saved pages of the old site (铜陵市妇联网, an ASP site): HTML or text dumps, UTF-8 or GBK.

An old article page looks like this once its markup is gone:

    网站首页 走进妇联 信息快递 …                       ← navigation (dropped)
    信息快递 当前位置:首页 >> 信息快递                  ← channel
    创新措施细化责任┃铜陵市召开…                         ← title
    发布时间: 2020-05-22 16:58:10 被阅览数: 19252 次     ← publish time, old view count
    …body…
    【打印此页】 【返回】 【顶部】 【关闭窗口】            ← end of the body (dropped, with all after)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils import timezone

ENCODINGS = ("utf-8", "gb18030")  # gb18030 reads GBK and GB2312 pages too
MAX_BYTES = 5 * 1024 * 1024

LOCATION_RE = re.compile(r"当前位置\s*[:：]?\s*(.+)")
PUBLISHED_RE = re.compile(
    r"发布时间\s*[:：]\s*(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
VIEWS_RE = re.compile(r"被阅览数\s*[:：]\s*(\d+)")
SOURCE_RE = re.compile(r"来源\s*[:：]\s*([^\s　]+)")
AUTHOR_RE = re.compile(r"作者\s*[:：]\s*([^\s　]+)")
LEGACY_ID_RE = re.compile(r"newsinfo(?:\.asp\?id=|_|-)(\d+)", re.IGNORECASE)
BODY_END_RE = re.compile(r"【打印此页】|【关闭窗口】|^上一条|^下一条|版权所有")
# Lines that are only image placeholders left by the text dump: "01", "3主席讲话", "8签责任书9签责任书".
IMAGE_PLACEHOLDER_RE = re.compile(r"^\s*(?:\d{1,3}[\u4e00-\u9fff]{0,8}\s*)+$")

META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([a-zA-Z0-9_-]+)""", re.IGNORECASE)


class LegacySkip(Exception):
    """A file that cannot be imported; the message says why, in Chinese, for the import report."""


@dataclass
class LegacyArticle:
    channel: str
    title: str
    published_at: dt.datetime
    paragraphs: list[str]
    views: int = 0
    source: str = ""
    author: str = ""
    legacy_id: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        raw = f"{self.channel}|{self.title}|{self.published_at.isoformat()}"
        return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def decode(data: bytes) -> str:
    """The page's text: the charset its HTML declares, else UTF-8, else GBK (gb18030)."""
    declared = META_CHARSET_RE.search(data[:4096])
    candidates: list[str] = []
    if declared:
        name = declared.group(1).decode("ascii", "ignore").lower()
        candidates.append("gb18030" if name in {"gbk", "gb2312", "gb18030", "x-gbk"} else name)
    candidates += [e for e in ENCODINGS if e not in candidates]
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise LegacySkip("无法识别文件的文字编码（既不是 UTF-8 也不是 GBK）")


class _TextExtractor(HTMLParser):
    BLOCK = {
        "p",
        "div",
        "br",
        "tr",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "section",
        "article",
        "td",
        "title",
    }
    SKIP = {"script", "style", "noscript", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.canonical = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        if tag in self.BLOCK:
            self.parts.append("\n")
        if tag == "link" and dict(attrs).get("rel") == "canonical":
            self.canonical = dict(attrs).get("href") or ""
        if tag == "img" and not self.skipping:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return "".join(extractor.parts), extractor.canonical


def parse(data: bytes, *, file_name: str = "") -> LegacyArticle:
    if len(data) > MAX_BYTES:
        raise LegacySkip("文件过大（超过 5 MB），不像是一篇文章页面")
    text = decode(data)
    legacy_hint = file_name
    if "<" in text and re.search(r"<(html|body|div|p|table)\b", text, re.IGNORECASE):
        text, canonical = html_to_text(text)
        legacy_hint += " " + canonical
    lines = [" ".join(line.replace("\u3000", " ").split()) for line in text.splitlines()]
    return _parse_lines(lines, legacy_hint)


def _parse_lines(lines: list[str], legacy_hint: str) -> LegacyArticle:
    published_at = None
    channel = ""
    title = ""
    start = None
    for index, line in enumerate(lines):
        if not channel and (match := LOCATION_RE.search(line)):
            channel = re.split(r">>|＞＞|>|＞|»", match.group(1))[-1].strip()
        if match := PUBLISHED_RE.search(line):
            year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
            try:
                naive = dt.datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - made aware below
            except ValueError:
                raise LegacySkip(f"发布时间无效：{match.group(0)}") from None
            published_at = timezone.make_aware(naive, timezone.get_default_timezone())
            title = next((previous for previous in reversed(lines[:index]) if previous), "")
            start = index
            break
    if published_at is None or start is None:
        raise LegacySkip("找不到“发布时间”，不像是旧网站的文章页面")
    if not channel:
        raise LegacySkip("找不到“当前位置”，无法确定栏目")
    if not title or LOCATION_RE.search(title):
        raise LegacySkip("找不到文章标题")
    header = lines[start]
    views = VIEWS_RE.search(header)
    source = SOURCE_RE.search(header)
    author = AUTHOR_RE.search(header)

    paragraphs: list[str] = []
    for line in lines[start + 1 :]:
        if BODY_END_RE.search(line):
            break
        if not line or IMAGE_PLACEHOLDER_RE.match(line):
            continue
        paragraphs.append(line)
    legacy_id = LEGACY_ID_RE.search(legacy_hint)
    article = LegacyArticle(
        channel=channel,
        title=title[:255],
        published_at=published_at,
        paragraphs=paragraphs,
        views=int(views.group(1)) if views else 0,
        source=source.group(1) if source else "",
        author=author.group(1) if author else "",
        legacy_id=int(legacy_id.group(1)) if legacy_id else None,
    )
    if not paragraphs:
        article.warnings.append("正文为空")
    return article
