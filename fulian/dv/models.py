"""反家庭暴力法 measures on a case: police warning letters (告诫书, arts. 16-17) with their follow-up
visits, and personal safety protection orders (人身安全保护令, arts. 23-32) with their extensions and
reported violations.

Everything here hangs off a case and is reached only through it (the case is the ScopedRecord):
a view fetches the case with `get_for_user` and then the row filtered by that case. Personal texts
are encrypted; the timeline (CaseEvent) carries only dates, units and statutory labels.

Time limits (see services.py, which enforces them):
- the court rules within 72 hours of the application, 24 hours when urgent (art. 28): `ruling_due`
  is stored so the overdue scan is an index range scan on the few pending orders;
- an order is valid at most six months from the ruling (art. 30), and each extension at most six
  months from the previous expiry. "Six months" is calendar months: the same day of the month six
  months on, or that month's last day when it has no such day (ruled 2026-08-31 → 2027-02-28).
  `valid_until` is the last day the order is in force.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fulian.security.fields import EncryptedTextField

User = settings.AUTH_USER_MODEL

URGENT_RULING = dt.timedelta(hours=24)
ORDINARY_RULING = dt.timedelta(hours=72)
# Days before an order's expiry when the caseworker is reminded (to ask the court for an extension).
EXPIRY_NOTICE_DAYS = 14


class WarningLetter(models.Model):
    """A police warning letter (家庭暴力告诫书) issued to the abuser, as the federation learned of it."""

    case = models.ForeignKey("fulian_cases.Case", on_delete=models.CASCADE, related_name="warning_letters")
    number = models.CharField(_("告诫书编号"), max_length=50)
    police_unit = models.CharField(_("出具告诫书的公安机关"), max_length=100)
    issued_on = models.DateField(_("出具日期"))
    abuser = models.ForeignKey(
        "fulian_cases.Party", verbose_name=_("加害人"), on_delete=models.PROTECT, related_name="+"
    )
    victim = models.ForeignKey(
        "fulian_cases.Party", verbose_name=_("受害人"), on_delete=models.PROTECT, related_name="+"
    )
    facts = EncryptedTextField(_("家庭暴力事实"), blank=True)
    delivered_to_abuser_on = models.DateField(_("送交加害人日期"), null=True, blank=True)
    delivered_to_victim_on = models.DateField(_("送交受害人日期"), null=True, blank=True)
    committee_notified_on = models.DateField(_("通知居（村）民委员会日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("告诫书")
        verbose_name_plural = _("告诫书")
        ordering = ["issued_on", "pk"]

    def __str__(self) -> str:
        return f"{self.police_unit} {self.issued_on}"


class WarningVisit(models.Model):
    """A follow-up visit (查访) by the police and the residents'/villagers' committee (art. 17)."""

    letter = models.ForeignKey(WarningLetter, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("查访日期"))
    visited_by = models.CharField(_("查访单位"), max_length=100)
    abuse_stopped = models.BooleanField(_("加害人已停止家庭暴力"), null=True, blank=True)
    findings = EncryptedTextField(_("查访情况"))
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("告诫书查访")
        verbose_name_plural = _("告诫书查访")
        ordering = ["visited_on", "pk"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.visited_by}"


class Outcome(models.TextChoices):
    PENDING = "pending", _("待裁定")
    GRANTED = "granted", _("准予")
    REFUSED = "refused", _("驳回")


class Measure(models.TextChoices):
    # The four measures of art. 29, in the statute's order.
    NO_VIOLENCE = "no_violence", _("禁止被申请人实施家庭暴力")
    NO_CONTACT = "no_contact", _("禁止被申请人骚扰、跟踪、接触申请人及其相关近亲属")
    MOVE_OUT = "move_out", _("责令被申请人迁出申请人住所")
    OTHER = "other", _("保护申请人人身安全的其他措施")


class BehalfReason(models.TextChoices):
    # Art. 23 para. 2: when the federation (among others) may apply on the victim's behalf.
    NONE = "", _("—")
    INCAPACITY = "incapacity", _("当事人是无民事行为能力人或限制民事行为能力人")
    COERCION = "coercion", _("当事人因受到强制、威吓等原因无法申请")


class ProtectionOrder(models.Model):
    """An application for a personal safety protection order and what the court decided on it."""

    case = models.ForeignKey("fulian_cases.Case", on_delete=models.CASCADE, related_name="protection_orders")
    applicant = models.ForeignKey(
        "fulian_cases.Party", verbose_name=_("申请人（受害人）"), on_delete=models.PROTECT, related_name="+"
    )
    respondent = models.ForeignKey(
        "fulian_cases.Party", verbose_name=_("被申请人"), on_delete=models.PROTECT, related_name="+"
    )
    on_behalf = models.BooleanField(_("由妇联代为申请"), default=False)
    behalf_reason = models.CharField(
        _("代为申请的原因"), max_length=12, choices=BehalfReason.choices, blank=True, default=""
    )
    court = models.CharField(_("受理法院"), max_length=100)
    applied_at = models.DateTimeField(_("申请时间"))
    urgent = models.BooleanField(_("情况紧急"), default=False)
    ruling_due = models.DateTimeField(_("应裁定时间"), editable=False)
    measures_requested = models.JSONField(_("申请的措施"), default=list)
    other_requested = EncryptedTextField(_("申请的其他措施"), blank=True)
    facts = EncryptedTextField(_("事实与理由"), blank=True)
    ruled_at = models.DateTimeField(_("裁定时间"), null=True, blank=True)
    ruling_number = models.CharField(_("裁定书文号"), max_length=60, blank=True)
    outcome = models.CharField(_("裁定结果"), max_length=8, choices=Outcome.choices, default=Outcome.PENDING)
    measures_granted = models.JSONField(_("裁定的措施"), default=list)
    other_granted = EncryptedTextField(_("裁定的其他措施"), blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    revoke_reason = EncryptedTextField(_("撤销原因"), blank=True)
    # The two reminders, each raised once: the ruling overdue, and expiry near for this valid_until.
    ruling_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    expiry_alerted_for = models.DateField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("人身安全保护令")
        verbose_name_plural = _("人身安全保护令")
        ordering = ["applied_at", "pk"]
        indexes = [
            # Only the few orders waiting for a ruling: the overdue scan and "my work" read a range of it.
            models.Index(
                fields=["ruling_due"], condition=models.Q(outcome="pending"), name="fulian_dv_ruling_pending_idx"
            ),
            # Orders in force, by expiry: "expires within 14 days" is a range of it.
            models.Index(
                fields=["valid_until"],
                condition=models.Q(outcome="granted", revoked_on__isnull=True),
                name="fulian_dv_order_expiry_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.court} {self.applied_at:%Y-%m-%d}"

    @staticmethod
    def due_for(applied_at: dt.datetime, urgent: bool) -> dt.datetime:
        """Art. 28: the court rules within 24 hours of an urgent application, 72 hours otherwise."""
        return applied_at + (URGENT_RULING if urgent else ORDINARY_RULING)

    @property
    def ruled_on(self) -> dt.date | None:
        from django.utils import timezone

        return timezone.localdate(self.ruled_at) if self.ruled_at else None

    @property
    def ruled_late(self) -> bool:
        """Ruled after the time limit (a ruling exactly at the due time is on time)."""
        return self.ruled_at is not None and self.ruled_at > self.ruling_due

    def ruling_overdue(self, now: dt.datetime) -> bool:
        return self.outcome == Outcome.PENDING and now > self.ruling_due

    @property
    def granted(self) -> bool:
        return self.outcome == Outcome.GRANTED

    def in_force(self, day: dt.date) -> bool:
        """Granted, on or after the ruling day, up to valid_until, and not revoked by that day."""
        ruled = self.ruled_on
        return (
            self.granted
            and ruled is not None
            and self.valid_until is not None
            and ruled <= day <= self.valid_until
            and (self.revoked_on is None or day < self.revoked_on)
        )

    def expiring(self, today: dt.date) -> bool:
        return (
            self.granted
            and self.revoked_on is None
            and self.valid_until is not None
            and 0 <= (self.valid_until - today).days <= EXPIRY_NOTICE_DAYS
        )

    def status_label(self, today: dt.date) -> Any:
        if self.outcome != Outcome.GRANTED:
            return self.get_outcome_display()
        if self.revoked_on is not None and self.revoked_on <= today:
            return _("已撤销")
        if self.valid_until is not None and self.valid_until < today:
            return _("已失效")
        return _("有效")

    def measure_labels(self, which: str = "granted") -> list[Any]:
        codes = self.measures_granted if which == "granted" else self.measures_requested
        return [Measure(code).label for code in Measure.values if code in (codes or [])]


class OrderExtension(models.Model):
    """The court extended an order before it lapsed (art. 30): the new expiry and its decision."""

    order = models.ForeignKey(ProtectionOrder, on_delete=models.CASCADE, related_name="extensions")
    decided_on = models.DateField(_("裁定延长日期"))
    decision = models.CharField(_("延长裁定文号"), max_length=60)
    previous_valid_until = models.DateField(_("原有效期至"))
    valid_until = models.DateField(_("延长至"))
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("保护令延长")
        verbose_name_plural = _("保护令延长")
        ordering = ["decided_on", "pk"]

    def __str__(self) -> str:
        return f"{self.previous_valid_until} → {self.valid_until}"


class OrderViolation(models.Model):
    """The respondent breached the order (art. 34): what happened and to whom it was reported."""

    order = models.ForeignKey(ProtectionOrder, on_delete=models.CASCADE, related_name="violations")
    occurred_on = models.DateField(_("发生日期"))
    description = EncryptedTextField(_("违反情况"))
    reported_to_police = models.BooleanField(_("已报告公安机关"), default=False)
    reported_to_court = models.BooleanField(_("已报告人民法院"), default=False)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("违反保护令")
        verbose_name_plural = _("违反保护令")
        ordering = ["occurred_on", "pk"]

    def __str__(self) -> str:
        return str(self.occurred_on)
