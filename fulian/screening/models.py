"""Staff screening (入职查询) for people who work with children in the federation's children's centres.

《未成年人保护法》第62条: before hiring anyone who works closely with minors, a unit checks whether the
person has a record of sexual abuse, abuse, trafficking, violence and similar offences, and checks again
regularly; a person with such a record may not be hired. The query needs the person's written
authorisation, and its answer is only "有" or "无" 相关违法犯罪记录 — so this app stores that and nothing
more: no offence, no date, no notes, no free text anywhere near a result.

Three records, each owned by the office responsible (the worker's organisation): the worker, each
screening of the worker (the latest is `current`), and the worker's children's roles.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.security.access import ScopedRecord
from fulian.security.fields import BlindIndexField, EncryptedTextField
from fulian.security.identity import mask_id_number, mask_name, mask_phone

# Who acts on screening records: the federation's own casework and grassroots staff and their
# supervisors (create included). Hotline operators, counsellors and member-unit liaisons: nothing.
SCREENING_ROLE_ACTIONS = {
    "grassroots": ("view", "create", "edit"),
    "caseworker": ("view", "create", "edit"),
    "supervisor": ("view", "create", "edit"),
}


class WorkerKind(models.TextChoices):
    STAFF = "staff", _("工作人员")
    VOLUNTEER = "volunteer", _("志愿者")


class Channel(models.TextChoices):
    POLICE = "police", _("公安机关查询平台")
    EDUCATION = "education", _("教育部门查询系统")
    OTHER = "other", _("其他")


class Result(models.TextChoices):
    # Exactly two values: the query's answer is nothing more than this.
    NO_RECORD = "no_record", _("无相关违法犯罪记录")
    RECORD = "record", _("有相关违法犯罪记录")


class Decision(models.TextChoices):
    HIRE = "hire", _("录用（可从事儿童相关工作）")
    NOT_HIRE = "not_hire", _("不予录用")
    SUSPEND = "suspend", _("暂停从事儿童相关工作")


class ChildrenRoleKind(models.TextChoices):
    MANAGER = "manager", _("儿童之家管理员")
    VOLUNTEER = "volunteer", _("儿童之家志愿者")
    TUTOR = "tutor", _("辅导员")


class EndReason(models.TextChoices):
    LEFT = "left", _("离岗（本人离职或岗位调整）")
    SCREENING = "screening", _("查询结果或决定不允许从事，自动终止")


def next_check_date(checked_on: dt.date) -> dt.date:
    """The annual re-check: the same day a year later; a check on 29 February is due on 28 February,
    so the interval between two checks never exceeds one year."""
    try:
        return checked_on.replace(year=checked_on.year + 1)
    except ValueError:
        return checked_on.replace(year=checked_on.year + 1, day=28)


class ChildrenWorker(ScopedRecord):
    """A person working (or applying to work) in a children's centre (儿童之家): staff or volunteer."""

    role_actions = SCREENING_ROLE_ACTIONS

    name = EncryptedTextField(_("姓名"))
    id_number = EncryptedTextField(_("身份证号"))
    id_number_index = BlindIndexField(source="id_number", kind="id_number")
    phone = EncryptedTextField(_("电话"), blank=True)
    kind = models.CharField(_("人员类别"), max_length=12, choices=WorkerKind.choices)
    centre = models.CharField(_("儿童之家"), max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("儿童工作人员")
        verbose_name_plural = _("儿童工作人员")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "id_number_index"], name="fulian_screening_worker_once_per_office"
            ),
        ]

    def __str__(self) -> str:
        return mask_name(self.name)  # masked: a worker's string form appears in messages and logs

    def masked(self) -> dict[str, str]:
        return {
            "name": mask_name(self.name),
            "id_number": mask_id_number(self.id_number) if self.id_number else "",
            "phone": mask_phone(self.phone) if self.phone else "",
        }


class Screening(ScopedRecord):
    """One check of one worker: written authorisation, when and where it was checked, the answer
    (有 / 无 only), the decision and the next annual re-check."""

    role_actions = SCREENING_ROLE_ACTIONS

    worker = models.ForeignKey(ChildrenWorker, on_delete=models.PROTECT, related_name="screenings")
    authorised = models.BooleanField(_("已取得本人书面授权"))
    authorised_on = models.DateField(_("书面授权日期"))
    checked_on = models.DateField(_("查询日期"))
    channel = models.CharField(_("查询渠道"), max_length=12, choices=Channel.choices)
    result = models.CharField(_("查询结果"), max_length=12, choices=Result.choices)
    decision = models.CharField(_("处理决定"), max_length=12, choices=Decision.choices)
    next_check_on = models.DateField(_("下次复查日期"), db_index=True, editable=False)
    # The worker's latest check (by date, then by entry): the one that decides and is reminded.
    current = models.BooleanField(default=True, editable=False)
    reminded_at = models.DateTimeField(_("复查提醒时间"), null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("入职查询")
        verbose_name_plural = _("入职查询")
        ordering = ["-checked_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(result__in=Result.values), name="fulian_screening_result_two_values"),
            models.CheckConstraint(condition=Q(authorised=True), name="fulian_screening_written_authorisation"),
            models.CheckConstraint(
                condition=~Q(result=Result.RECORD, decision=Decision.HIRE), name="fulian_screening_record_never_hired"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checked_on.isoformat()} {self.get_channel_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.next_check_on = next_check_date(self.checked_on)
        super().save(*args, **kwargs)


class ChildrenRole(ScopedRecord):
    """A worker's assignment to a children's role; open while `ended_on` is empty."""

    role_actions = SCREENING_ROLE_ACTIONS

    worker = models.ForeignKey(ChildrenWorker, on_delete=models.PROTECT, related_name="roles")
    role = models.CharField(_("岗位"), max_length=12, choices=ChildrenRoleKind.choices)
    assigned_on = models.DateField(_("上岗日期"))
    ended_on = models.DateField(_("离岗日期"), null=True, blank=True)
    end_reason = models.CharField(_("离岗原因"), max_length=12, choices=EndReason.choices, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("儿童相关岗位")
        verbose_name_plural = _("儿童相关岗位")
        ordering = ["-assigned_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "role"], condition=Q(ended_on__isnull=True), name="fulian_screening_one_open_role"
            ),
        ]

    def __str__(self) -> str:
        return self.get_role_display()
