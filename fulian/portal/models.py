"""Wagtail page types and site settings of the public portal (门户网站)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, Revision
from wagtail.search import index
from wagtail.url_routing import RouteResult

from fulian.pagecache.memo import remember
from fulian.portal.blocks import ArticleBodyBlock

PUBLISH_ACTIONS = ("action-publish", "action-submit", "action-workflow-action")


class ConfidentialityReviewError(ValidationError):
    """Raised when something tries to publish a page nobody has reviewed for personal data."""


class ReviewedPageForm(WagtailAdminPageForm):
    """Refuses publishing or submitting for approval until the confidentiality box is ticked.

    Drafts may be saved unticked: the review is a gate on making a page public, not on writing it.
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        wants_public = any(self.data.get(action) for action in PUBLISH_ACTIONS)
        if wants_public and not cleaned.get("confidentiality_reviewed"):
            self.add_error(
                "confidentiality_reviewed",
                _("发布前必须完成保密审查：确认页面不含个人信息（姓名、电话、住址、身份证号、案情等）后勾选此项。"),
            )
        return cleaned


class PortalPage(Page):
    """Fields and behaviour shared by every public page type."""

    confidentiality_reviewed = models.BooleanField(
        _("已通过保密审查"),
        default=False,
        help_text=_("我已核对：本页不含任何个人信息（当事人姓名、电话、住址、身份证号、案情细节等）。"),
    )

    base_form_class = ReviewedPageForm
    review_panels = [FieldPanel("confidentiality_reviewed")]

    # Counted pages show 被阅览数 and add to 总访问量.
    counts_views = True

    class Meta:
        abstract = True

    def publish(self, revision: Revision, *args: Any, **kwargs: Any) -> Any:
        # Last line of defence for paths that bypass the edit form (bulk publish, API, scripts).
        if not getattr(revision.as_object(), "confidentiality_reviewed", False):
            raise ConfidentialityReviewError(_("该页面尚未通过保密审查，不能发布。"))
        return super().publish(revision, *args, **kwargs)

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        from fulian.counters.services import count_request_view

        if self.counts_views:
            count_request_view(request, page_id=self.pk)
        return super().serve(request, *args, **kwargs)


class HomePage(PortalPage):
    """网站首页."""

    welcome_text = models.CharField(_("欢迎语"), max_length=120, default="欢迎访问铜陵市妇联网站！")
    hotline_intro = models.TextField(
        _("12338 热线简介"), blank=True, default="妇女维权公益服务热线，提供法律咨询、婚姻家庭咨询和心理咨询服务。"
    )
    latest_per_channel = models.PositiveSmallIntegerField(_("每个栏目显示条数"), default=6)

    content_panels = [
        *Page.content_panels,
        FieldPanel("welcome_text"),
        FieldPanel("hotline_intro"),
        FieldPanel("latest_per_channel"),
    ]
    settings_panels = [*Page.settings_panels, *PortalPage.review_panels]
    subpage_types = ["portal.ChannelPage", "portal.SectionPage", "portal.StandardPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("网站首页")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from fulian.portal import selectors

        context = super().get_context(request, *args, **kwargs)
        context["headlines"] = remember(("headlines", self.pk), lambda: selectors.headline_articles(self))
        context["notices"] = remember(("notices", self.pk), lambda: selectors.notices(self))
        context["channel_blocks"] = remember(
            ("channel-blocks", self.pk),
            lambda: selectors.latest_by_channel(self, per_channel=self.latest_per_channel),
        )
        return context


class ChannelPage(PortalPage):
    """栏目: a news channel such as 信息快递 or 维权行动."""

    intro = models.CharField(_("栏目简介"), max_length=300, blank=True)
    page_size = models.PositiveSmallIntegerField(_("每页条数"), default=20)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("page_size")]
    settings_panels = [*Page.settings_panels, *PortalPage.review_panels]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.ArticlePage"]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    class Meta:
        verbose_name = _("新闻栏目")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from fulian.portal import selectors

        context = super().get_context(request, *args, **kwargs)
        number = selectors.parse_page_number(request.GET.get("page"))
        context["articles"] = remember(
            ("channel-page", self.pk, number), lambda: selectors.channel_article_page(self, number)
        )
        # Counts move without a publish: the ranking is refreshed at least once a minute.
        context["most_read"] = remember(("most-read", self.pk), lambda: selectors.most_read(self), seconds=60)
        return context


class ArticlePage(PortalPage):
    """文章: one news item."""

    published_at = models.DateTimeField(_("发布时间"), default=timezone.now, db_index=True)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    author = models.CharField(_("作者"), max_length=100, blank=True)
    summary = models.TextField(_("摘要"), blank=True, max_length=500)
    cover = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("题图"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_headline = models.BooleanField(_("首页图片新闻"), default=False, help_text=_("需要题图"))
    is_notice = models.BooleanField(_("通知公告"), default=False)
    body = StreamField(ArticleBodyBlock(), verbose_name=_("正文"), blank=True)
    # Where the article came from on the old site (newsinfo.asp?id=N), so old links keep working.
    legacy_id = models.PositiveIntegerField(_("旧网站文章编号"), null=True, blank=True, unique=True)
    # Identity of an import without a known id (channel, title, publish time), so re-runs update.
    legacy_key = models.CharField(_("旧网站导入标识"), max_length=64, blank=True, db_index=True, editable=False)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("published_at"), FieldPanel("source"), FieldPanel("author")]),
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("cover"), FieldPanel("is_headline"), FieldPanel("is_notice")], heading=_("首页展示")
        ),
        FieldPanel("body"),
        *PortalPage.review_panels,
    ]
    parent_page_types = ["portal.ChannelPage"]
    subpage_types: list[str] = []
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("published_at"),
    ]

    class Meta:
        verbose_name = _("文章")
        indexes = [models.Index(fields=["published_at"], name="portal_article_pub_idx")]

    def clean(self) -> None:
        super().clean()
        if self.is_headline and not self.cover_id:
            raise ValidationError({"cover": _("设为首页图片新闻时必须选择题图。")})

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from fulian.portal import selectors

        context = super().get_context(request, *args, **kwargs)
        context["previous_article"], context["next_article"] = remember(
            ("neighbours", self.pk), lambda: selectors.neighbours(self)
        )
        return context

    def route(self, request: HttpRequest, path_components: list[str]) -> RouteResult:
        # …/article/print/ is the clean print layout of 【打印此页】.
        if path_components == ["print"] and self.live:
            return RouteResult(self, kwargs={"print_view": True})
        return super().route(request, path_components)

    def serve(self, request: HttpRequest, *args: Any, print_view: bool = False, **kwargs: Any) -> Any:
        if not print_view:
            return super().serve(request, *args, **kwargs)
        # Printing is the same visit as reading: shown, not counted again.
        from fulian.counters.services import record_view

        request.fulian_views = record_view(page_id=self.pk, visitor=None)  # type: ignore[attr-defined]
        return TemplateResponse(request, "portal/article_print.html", self.get_context(request))


class SectionPage(PortalPage):
    """A section of standard pages, such as 走进妇联."""

    intro = RichTextField(_("简介"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    settings_panels = [*Page.settings_panels, *PortalPage.review_panels]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.StandardPage", "portal.LeadershipPage", "portal.DepartmentsPage"]

    class Meta:
        verbose_name = _("栏目（单页集合）")


class StandardPage(PortalPage):
    """A plain page: 妇联简介, 联系我们 …"""

    body = StreamField(ArticleBodyBlock(), verbose_name=_("正文"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body"), *PortalPage.review_panels]
    parent_page_types = ["portal.SectionPage", "portal.HomePage"]
    subpage_types: list[str] = []
    search_fields = [*Page.search_fields, index.SearchField("body")]

    class Meta:
        verbose_name = _("普通页面")


class LeadershipPage(PortalPage):
    """领导班子."""

    intro = models.CharField(_("简介"), max_length=300, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel("leaders", label=_("领导成员")),
        *PortalPage.review_panels,
    ]
    parent_page_types = ["portal.SectionPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("领导班子页面")


class Leader(Orderable):
    page = ParentalKey(LeadershipPage, on_delete=models.CASCADE, related_name="leaders")
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=100)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("照片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    duties = models.TextField(_("工作分工"), blank=True)
    departments = models.CharField(_("分管部门"), max_length=300, blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("title"),
        FieldPanel("photo"),
        FieldPanel("duties"),
        FieldPanel("departments"),
    ]


class DepartmentsPage(PortalPage):
    """内设机构."""

    intro = models.CharField(_("简介"), max_length=300, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel("departments", label=_("内设机构")),
        *PortalPage.review_panels,
    ]
    parent_page_types = ["portal.SectionPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("内设机构页面")


class Department(Orderable):
    page = ParentalKey(DepartmentsPage, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(_("机构名称"), max_length=100)
    duties = models.TextField(_("主要职责"), blank=True)
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)

    panels = [FieldPanel("name"), FieldPanel("duties"), FieldPanel("phone")]


@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    """页脚与站点信息：在后台「设置」中编辑."""

    site_name = models.CharField(_("网站名称"), max_length=100, default="铜陵市妇联")
    hotline = models.CharField(_("维权热线"), max_length=30, default="12338")
    copyright_holder = models.CharField(_("版权所有"), max_length=100, default="铜陵市妇联网")
    organiser = models.CharField(_("主办单位"), max_length=100, blank=True, default="铜陵市妇女联合会")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮编"), max_length=10, blank=True)
    phone = models.CharField(_("电话"), max_length=50, blank=True)
    fax = models.CharField(_("传真"), max_length=50, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    tech_support = models.CharField(_("技术支持"), max_length=100, blank=True)
    report_label = models.CharField(_("举报电话名称"), max_length=50, blank=True, default="扫黄打非举报电话")
    report_phone = models.CharField(_("举报电话"), max_length=50, blank=True)
    police_filing_no = models.CharField(_("公安备案号"), max_length=100, blank=True)
    police_filing_url = models.URLField(_("公安备案链接"), blank=True)
    icp_no = models.CharField(_("ICP 备案号"), max_length=100, blank=True)
    icp_url = models.URLField(_("ICP 备案链接"), blank=True, default="https://beian.miit.gov.cn/")
    site_code = models.CharField(_("网站标识码"), max_length=50, blank=True)

    panels = [
        MultiFieldPanel([FieldPanel("site_name"), FieldPanel("hotline")], heading=_("网站")),
        MultiFieldPanel(
            [
                FieldPanel("copyright_holder"),
                FieldPanel("organiser"),
                FieldPanel("address"),
                FieldPanel("postcode"),
                FieldRowPanel([FieldPanel("phone"), FieldPanel("fax")]),
                FieldPanel("email"),
                FieldPanel("tech_support"),
                FieldRowPanel([FieldPanel("report_label"), FieldPanel("report_phone")]),
            ],
            heading=_("页脚"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("police_filing_no"), FieldPanel("police_filing_url")]),
                FieldRowPanel([FieldPanel("icp_no"), FieldPanel("icp_url")]),
                FieldPanel("site_code"),
            ],
            heading=_("备案与标识"),
        ),
    ]

    class Meta:
        verbose_name = _("站点信息与页脚")
