"""Load the Tongling demo site: channels, 走进妇联 pages, 50+ articles, footer settings, demo users.

Idempotent: when the demo home page exists it only refreshes the demo users' groups.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from pathlib import Path
from typing import Any

from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.models import Page, Site

from fulian.counters.services import set_page_views, set_site_visits
from fulian.portal.models import (
    ChannelPage,
    Department,
    DepartmentsPage,
    HomePage,
    Leader,
    LeadershipPage,
    PortalSettings,
    SectionPage,
    StandardPage,
)
from fulian.portal.services import article_publish_new, stream_from_plain

CONTENT = Path(__file__).resolve().parents[2] / "content"

# The old site's channel bar, in its order (网站首页 is the home page itself).
CHANNELS = [
    ("xinxi", "信息快递", "市妇联工作动态和各类信息的快速发布。"),
    ("yaowen", "要闻", "全市妇女工作重要新闻。"),
    ("jinguo", "铜都巾帼", "各行各业巾帼典型和先进事迹。"),
    ("chuangye", "创业行动", "巾帼创业就业、技能培训和创业贷款。"),
    ("weiquan", "维权行动", "妇女儿童维权、反家暴、预防性侵害未成年人和12338热线。"),
    ("wenming", "文明行动", "家庭文明建设、家风家教和巾帼志愿服务。"),
    ("guanai", "关爱行动", "两癌检查与救助、春蕾助学、留守儿童关爱。"),
    ("jiceng", "基层信息", "县区、乡镇（街道）和村（社区）妇联动态。"),
    ("zuimei", "最美家庭", "最美家庭寻访、评选与展示。"),
]


PALETTE = [(168, 16, 42), (122, 11, 30), (200, 120, 40), (60, 110, 150), (90, 140, 80), (150, 60, 120)]


def _cover_image(title: str, seed: int) -> Image:
    """A simple generated picture (no text, no people) so the headline slideshow has images."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    rng = random.Random(seed)  # noqa: S311 - decoration, not security
    base = PALETTE[seed % len(PALETTE)]
    img = PILImage.new("RGB", (1200, 675), base)
    draw = ImageDraw.Draw(img)
    for _ in range(14):
        x, y, r = rng.randint(0, 1200), rng.randint(0, 675), rng.randint(40, 260)
        tint = tuple(min(255, c + rng.randint(30, 90)) for c in base)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tint)
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=80)
    image = Image(title=title[:255])
    image.file = ImageFile(io.BytesIO(buffer.getvalue()), name=f"cover-{seed}.jpg")
    image.save()
    return image


class Command(BaseCommand):
    help = "载入铜陵市妇联演示网站（可重复运行）。"

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            if HomePage.objects.exists():
                self.stdout.write("演示网站已存在，跳过内容载入。")
            else:
                self._load_site()
            self._load_users()

    def _load_site(self) -> None:
        root = Page.get_first_root_node()
        for welcome in root.get_children().exclude(content_type__model="homepage"):
            welcome.delete()
        home = HomePage(title="网站首页", slug="home", confidentiality_reviewed=True, show_in_menus=False)
        root.add_child(instance=home)
        home.save_revision().publish()
        Site.objects.all().delete()
        site = Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="铜陵市妇联"
        )

        PortalSettings.objects.update_or_create(
            site=site,
            defaults={
                "site_name": "铜陵市妇联",
                "hotline": "12338",
                "copyright_holder": "铜陵市妇联网",
                "organiser": "铜陵市妇女联合会",
                "address": "安徽省铜陵市铜官区长江西路（市政务中心）",
                "postcode": "244000",
                "phone": "0562-2832832",
                "fax": "0562-2832832",
                "email": "tlfulian@example.com",
                "tech_support": "铜陵市妇联信息中心",
                "report_label": "扫黄打非举报电话",
                "report_phone": "0562-12318",
                "police_filing_no": "皖公网安备 34070202000291号",
                "police_filing_url": "https://beian.mps.gov.cn/#/query/webSearch?code=34070202000291",
                "icp_no": "皖ICP备08002462号-1",
                "icp_url": "https://beian.miit.gov.cn/",
                "site_code": "3407000001",
            },
        )

        self._load_about(home)
        channels = {}
        for slug, title, intro in CHANNELS:
            channel = ChannelPage(
                title=title, slug=slug, intro=intro, show_in_menus=True, confidentiality_reviewed=True
            )
            home.add_child(instance=channel)
            channel.save_revision().publish()
            channels[slug] = channel

        articles = json.loads((CONTENT / "articles.json").read_text(encoding="utf-8"))
        tz = timezone.get_current_timezone()
        # Oldest first, so that tree order differs from nothing in particular and dates decide 上一条/下一条.
        for seed, item in enumerate(sorted(articles, key=lambda a: a["published"])):
            published = dt.datetime.strptime(item["published"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)
            cover = _cover_image(item["title"], seed) if item.get("headline") else None
            article = article_publish_new(
                channel=channels[item["channel"]],
                title=item["title"],
                published_at=published,
                source=item.get("source", ""),
                author=item.get("author", ""),
                summary=item.get("summary", ""),
                body=stream_from_plain(item["body"]),
                cover=cover,
                is_headline=bool(item.get("headline")),
                is_notice=bool(item.get("notice")),
                confidentiality_reviewed=True,
            )
            set_page_views(page_id=article.pk, count=int(item.get("views", 0)))
        set_site_visits(count=32137668)
        self.stdout.write(f"已载入 {len(channels)} 个新闻栏目、{len(articles)} 篇文章。")

    def _load_about(self, home: HomePage) -> None:
        about = json.loads((CONTENT / "about.json").read_text(encoding="utf-8"))
        section = SectionPage(
            title="走进妇联",
            slug="zoujin",
            show_in_menus=True,
            confidentiality_reviewed=True,
            intro="<p>了解铜陵市妇女联合会的职能、领导班子、内设机构和联系方式。</p>",
        )
        home.add_child(instance=section)
        section.save_revision().publish()
        pages: list[Page] = [
            StandardPage(
                title="妇联简介",
                slug="jianjie",
                body=stream_from_plain([{"type": "paragraph", "text": p} for p in about["introduction"]]),
            ),
            LeadershipPage(
                title="领导班子",
                slug="lingdao",
                leaders=[
                    Leader(name=x["name"], title=x["title"], duties=x["duties"], departments=x["departments"])
                    for x in about["leaders"]
                ],
            ),
            DepartmentsPage(
                title="内设机构",
                slug="jigou",
                departments=[
                    Department(name=x["name"], duties=x["duties"], phone=x.get("phone", ""))
                    for x in about["departments"]
                ],
            ),
            StandardPage(
                title="联系我们",
                slug="lianxi",
                body=stream_from_plain(
                    [
                        {
                            "type": "table",
                            "caption": "联系方式",
                            "rows": [["项目", "内容"]] + [[c["label"], c["value"]] for c in about["contacts"]],
                        }
                    ]
                ),
            ),
        ]
        for page in pages:
            page.show_in_menus = True
            page.confidentiality_reviewed = True
            section.add_child(instance=page)
            page.save_revision().publish()

    def _load_users(self) -> None:
        from fulian.demo.organisations import load_all

        load_all()
