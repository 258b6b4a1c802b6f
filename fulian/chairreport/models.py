"""The chair's yearly work report to the joint meeting (联席会议工作报告).

A draft is assembled from the platform's data (contacts and cases by category, referrals by
unit and how fast they were answered, minor-protection figures, ledger coverage, letter
scores): `figures` keeps the numbers as they were when assembled, `sections` the text the
secretariat edits. Finalising freezes both; the PDF and the Word file are made from them.
Only aggregates are ever stored here — never a name, a case number or anything that points at
one person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fulian.jointmeeting.models import SECRETARIAT_ACTIONS, JointMeetingRecord

User = settings.AUTH_USER_MODEL


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    FINAL = "final", _("已定稿")


class ChairReport(JointMeetingRecord):
    """One year's report, owned by the secretariat's organisation."""

    role_actions = {"secretariat": SECRETARIAT_ACTIONS}

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("标题"), max_length=120)
    speaker = models.CharField(_("报告人"), max_length=60, blank=True, help_text=_("如“市妇联主席 徐某某”。"))
    # [{"heading": "…", "body": "…"}, …]: the editable text, in order.
    sections = models.JSONField(_("正文"), default=list)
    # The figures as assembled: {"contacts": {...}, "cases": {...}, "referrals": [...], ...}.
    figures = models.JSONField(_("数据"), default=dict)
    assembled_at = models.DateTimeField(_("数据生成时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    finalised_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("联席会议工作报告")
        verbose_name_plural = _("联席会议工作报告")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title
