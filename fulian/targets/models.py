"""目标管理责任书: each member unit's yearly letter of targets, its periodic returns, and the assessment.

A year (`TargetYear`) holds one letter per signing unit. A letter's targets carry a weight (the
weights of a letter total 100), what is measured and how it is scored: a secretariat's rating
(达到 / 部分达到 / 未达到) or the share of the target value reached. A target may name a
platform indicator (`indicators.py`): its value is then computed from the platform's own data
(referrals answered on time, mandatory reports, visits made…), never typed in. The secretariat
sets the return rounds (what period, due when); each unit's liaison fills its return, one line
per target, with evidence attached. Once the year is closed nothing more is reported. Scores
are per target, between 0 and its weight; a unit's total is their sum, and the year's ranking
orders the totals.

Letters and returns belong to the unit's organisation (see `fulian.jointmeeting.models`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.jointmeeting.models import SECRETARIAT_ACTIONS, JointMeetingRecord, MemberUnit

User = settings.AUTH_USER_MODEL


class TargetYear(models.Model):
    """The year's round of letters: its title, and whether it is closed to returns and edits."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(
        _("责任书名称"), max_length=120, help_text=_("如“铜陵市预防性侵未成年人、维护女童人身权益工作目标管理责任书”。")
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("责任书年度")
        verbose_name_plural = _("责任书年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}"

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("起草中")
    SIGNED = "signed", _("已签订")


class Letter(JointMeetingRecord):
    """One unit's letter for one year. `organisation` is the unit's organisation."""

    # The secretariat drafts, signs and scores; the unit's liaison reads its own letter.
    role_actions = {"secretariat": SECRETARIAT_ACTIONS, "liaison": ("view",)}

    year = models.ForeignKey(TargetYear, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="letters")
    unit = models.ForeignKey(MemberUnit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="letters")
    preamble = models.TextField(_("正文（目标之前）"), blank=True)
    closing = models.TextField(_("考核与奖惩条款"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=LetterStatus.choices, default=LetterStatus.DRAFT)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("目标管理责任书")
        verbose_name_plural = _("目标管理责任书")
        ordering = ["year", "unit__order", "pk"]
        constraints = [models.UniqueConstraint(fields=["year", "unit"], name="fulian_targets_letter_once_per_year")]

    def __str__(self) -> str:
        return f"{self.year.year} {self.unit}"


class SignatorySide(models.TextChoices):
    JOINT_MEETING = "issuer", _("甲方（联席会议）")
    UNIT = "unit", _("乙方（责任单位）")


class Signatory(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="signatories")
    side = models.CharField(_("签订方"), max_length=10, choices=SignatorySide.choices)
    name = models.CharField(_("姓名"), max_length=30)
    title = models.CharField(_("职务"), max_length=60)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("签订人")
        verbose_name_plural = _("签订人")
        ordering = ["side", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.title} {self.name}"


class Scoring(models.TextChoices):
    RATED = "rated", _("评定：达到 / 部分达到 / 未达到")
    PROPORTIONAL = "proportional", _("按完成比例计分")


class Target(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="targets")
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("目标任务"))
    indicator = models.CharField(
        _("平台指标"), max_length=40, blank=True, help_text=_("选择后由平台数据计算完成值，不能手工填写。")
    )
    measure = models.CharField(_("考核方式"), max_length=200, blank=True)
    target_value = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2, null=True, blank=True)
    value_unit = models.CharField(_("计量单位"), max_length=10, blank=True, help_text=_("如“%”“件”“次”。"))
    weight = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    scoring = models.CharField(_("计分规则"), max_length=12, choices=Scoring.choices, default=Scoring.RATED)

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["letter_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "number"], name="fulian_targets_target_number_once"),
            models.CheckConstraint(condition=Q(weight__gt=0, weight__lte=100), name="fulian_targets_weight_range"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:30]}"


class ReturnRound(models.Model):
    """A reporting round the secretariat sets: the period it covers and when returns are due."""

    year = models.ForeignKey(TargetYear, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(_("名称"), max_length=60, help_text=_("如“上半年”“全年”。"))
    period_end = models.DateField(_("统计截止日期"))
    due_on = models.DateField(_("报送期限"))
    remind_days = models.PositiveSmallIntegerField(_("提前提醒天数"), default=5)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("报送轮次")
        verbose_name_plural = _("报送轮次")
        ordering = ["year", "due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["year", "title"], name="fulian_targets_round_title_once")]

    def __str__(self) -> str:
        return f"{self.year.year} {self.title}"


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已报送")


class Return(JointMeetingRecord):
    """One unit's return for one round. `organisation` is the unit's organisation."""

    round = models.ForeignKey(ReturnRound, verbose_name=_("报送轮次"), on_delete=models.PROTECT, related_name="returns")
    letter = models.ForeignKey(Letter, verbose_name=_("责任书"), on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(_("状态"), max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Why the secretariat sent a submitted return back; shown to the unit until it submits again.
    correction = models.TextField(_("退回修改意见"), blank=True)

    class Meta:
        verbose_name = _("进展报送")
        verbose_name_plural = _("进展报送")
        ordering = ["round", "letter__unit__order", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "letter"], name="fulian_targets_return_once")]

    def __str__(self) -> str:
        return f"{self.round} {self.letter.unit}"


class ReturnLine(models.Model):
    """Progress on one target in one return. Evidence files are attached to the return."""

    return_record = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="+")
    value_reached = models.DecimalField(_("完成值"), max_digits=12, decimal_places=2, null=True, blank=True)
    explanation = models.TextField(_("完成情况说明"), blank=True)

    class Meta:
        verbose_name = _("目标进展")
        verbose_name_plural = _("目标进展")
        ordering = ["target__number"]
        constraints = [models.UniqueConstraint(fields=["return_record", "target"], name="fulian_targets_line_once")]

    def __str__(self) -> str:
        return f"{self.return_record} {self.target.number}"


class ReturnReminder(models.Model):
    """A reminder sent (once) to a unit that has not yet submitted a round's return."""

    round = models.ForeignKey(ReturnRound, on_delete=models.CASCADE, related_name="reminders")
    unit = models.ForeignKey(MemberUnit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=[("due", _("即将到期")), ("overdue", _("已逾期"))])
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("报送提醒")
        verbose_name_plural = _("报送提醒")
        constraints = [
            models.UniqueConstraint(fields=["round", "unit", "kind"], name="fulian_targets_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.unit} {self.kind}"


class Rating(models.TextChoices):
    REACHED = "reached", _("达到")
    PARTLY = "partly", _("部分达到")
    NOT_REACHED = "not", _("未达到")


class Score(models.Model):
    """The secretariat's score of one target: between 0 and the target's weight."""

    target = models.OneToOneField(Target, on_delete=models.CASCADE, related_name="score")
    rating = models.CharField(_("评定"), max_length=10, choices=Rating.choices, blank=True)
    # For a platform indicator, the figure computed when the score was set (kept: the data moves on).
    computed_value = models.DecimalField(_("平台计算值"), max_digits=14, decimal_places=2, null=True, blank=True)
    value = models.DecimalField(_("完成值"), max_digits=14, decimal_places=2, null=True, blank=True)
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)
    note = models.TextField(_("评分说明"), blank=True)
    scored_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    scored_at = models.DateTimeField(_("评分时间"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("目标得分")
        verbose_name_plural = _("目标得分")
        constraints = [models.CheckConstraint(condition=Q(points__gte=0), name="fulian_targets_points_not_negative")]

    def __str__(self) -> str:
        return f"{self.target} {self.points}"
