"""重点家庭台账: the households a village or community keeps watch over, their members, care visits
and the risk grade that sets how often they are visited.

A family is a sensitive record (ScopedRecord) owned by its village or community office, so the
township, county and city above see it too; members, visits and grade changes are reached only
through their family. Family types and risk grades are lookups the system administrator keeps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fulian.people.models import Sex
from fulian.security.access import ScopedRecord
from fulian.security.fields import BlindIndexField, EncryptedTextField
from fulian.security.identity import mask_id_number, mask_name, mask_phone, mask_text, years_since

User = settings.AUTH_USER_MODEL


class FamilyType(models.Model):
    """贫困, 单亲, 失亲, 矛盾多, 留守儿童… — a family may be several at once."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("家庭类型")
        verbose_name_plural = _("家庭类型")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class RiskGrade(models.Model):
    """红 / 橙 / 黄 by default: each grade sets how often its families are visited."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    colour = models.CharField(_("颜色"), max_length=7, default="#999999", help_text=_("如 #d32f2f"))
    visit_every_days = models.PositiveSmallIntegerField(_("走访周期（天）"))
    # Higher is more serious: raising a family to the most serious grade prompts opening a case.
    severity = models.PositiveSmallIntegerField(_("严重程度"), default=0)
    opens_case = models.BooleanField(_("提示立案"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("风险等级")
        verbose_name_plural = _("风险等级")
        ordering = ["-severity", "pk"]

    def __str__(self) -> str:
        return self.name


class Family(ScopedRecord):
    role_actions = {
        # The village cadre visits the family: she may see its full details (after a fresh login, audited).
        "grassroots": ("view", "create", "edit", "reveal"),
        "caseworker": ("view", "create", "edit"),
        "supervisor": ("view", "create", "edit", "export", "reveal"),
    }

    number = models.CharField(_("台账编号"), max_length=30, unique=True, editable=False)
    head_name = EncryptedTextField(_("户主姓名"))
    address = EncryptedTextField(_("住址"), blank=True)
    grid = models.CharField(_("网格"), max_length=50, blank=True)
    cadre = models.ForeignKey(
        User, verbose_name=_("包保干部"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    types = models.ManyToManyField(FamilyType, verbose_name=_("家庭类型"), related_name="+")
    grade = models.ForeignKey(RiskGrade, verbose_name=_("风险等级"), on_delete=models.PROTECT, related_name="+")
    grade_reason = EncryptedTextField(_("定级理由"), blank=True)
    needs = EncryptedTextField(_("需求"), blank=True)
    cases = models.ManyToManyField("fulian_cases.Case", verbose_name=_("关联个案"), blank=True, related_name="+")
    # The next visit the grade calls for: "overdue" is one indexed comparison.
    next_visit_on = models.DateField(_("下次走访"))
    last_visit_on = models.DateField(_("最近走访"), null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("重点家庭")
        verbose_name_plural = _("重点家庭")
        ordering = ["next_visit_on", "pk"]
        permissions = [("import_family", _("可以导入台账"))]
        indexes = [
            # A cadre's own families by next visit (her overdue list).
            models.Index(fields=["cadre", "next_visit_on"], name="fulian_family_cadre_idx"),
            # An office's families by next visit (the supervisor's overdue list, the city's counts).
            models.Index(fields=["organisation", "next_visit_on"], name="fulian_family_org_visit_idx"),
            # The city's figures group by office and grade: read from this index alone.
            models.Index(
                fields=["organisation", "grade", "next_visit_on", "last_visit_on"],
                include=["id"],
                name="fulian_family_org_grade_idx",
            ),
            # A county's or the city's overdue list: read in visit order, stopping at a page, with the
            # office checked per row (an office's own index would read every overdue family first).
            models.Index(fields=["next_visit_on", "id"], name="fulian_family_visit_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def overdue(self, today: dt.date) -> bool:
        return self.next_visit_on < today


class FamilySequence(models.Model):
    """The last ledger number given per office: locked and advanced (by a whole import at once)."""

    organisation = models.OneToOneField("fulian_orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.last}"


class Relationship(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDPARENT = "grandparent", _("祖父母、外祖父母")
    GRANDCHILD = "grandchild", _("孙子女、外孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Member(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members")
    name = EncryptedTextField(_("姓名"))
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_number_index = BlindIndexField(source="id_number", kind="id_number")
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    relationship = models.CharField(_("与户主关系"), max_length=12, choices=Relationship.choices)
    phone = EncryptedTextField(_("电话"), blank=True)
    school_or_work = EncryptedTextField(_("就学或就业"), blank=True)
    health = EncryptedTextField(_("健康与残疾情况"), blank=True)
    # The same person recorded in another family, confirmed by a cadre after the ID-number warning.
    same_person_as = models.ForeignKey(
        "self", verbose_name=_("同一人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["pk"]

    def __str__(self) -> str:
        return mask_name(self.name)

    def age(self, on: dt.date | None = None) -> int | None:
        return None if self.birth_date is None else years_since(self.birth_date, on)

    @property
    def minor(self) -> bool:
        age = self.age()
        return age is not None and age < 18

    def masked(self) -> dict[str, str]:
        # A child's name is never shown even in part outside the family page's reveal.
        name = "" if not self.name else ("未成年人" if self.minor else mask_name(self.name))
        return {
            "name": name,
            "id_number": mask_id_number(self.id_number) if self.id_number else "",
            "phone": mask_phone(self.phone) if self.phone else "",
            "school_or_work": mask_text(self.school_or_work, 2) if self.school_or_work else "",
            "health": "……" if self.health else "",
        }


class VisitMethod(models.TextChoices):
    HOME = "home", _("入户走访")
    PHONE = "phone", _("电话")
    VIDEO = "video", _("视频")


class Help(models.TextChoices):
    RELIEF_MONEY = "relief_money", _("救助资金")
    GOODS = "goods", _("物资")
    REFERRAL = "referral", _("转介")
    MEDIATION = "mediation", _("调解")
    LEGAL_ADVICE = "legal_advice", _("法律咨询")
    PSYCHOLOGICAL = "psychological", _("心理疏导")


class Visit(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("走访日期"))
    visitors = models.CharField(_("走访人"), max_length=100)
    method = models.CharField(_("方式"), max_length=8, choices=VisitMethod.choices, default=VisitMethod.HOME)
    findings = EncryptedTextField(_("了解到的情况"), blank=True)
    needs_found = EncryptedTextField(_("发现的需求"), blank=True)
    help_given = models.JSONField(_("提供的帮助"), default=list, blank=True)
    relief_amount = models.DecimalField(_("救助金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    follow_up = EncryptedTextField(_("需跟进事项"), blank=True)
    # Findings that call for a case: violence in the home, or a child in danger.
    violence_found = models.BooleanField(_("发现家庭暴力"), default=False)
    child_in_danger = models.BooleanField(_("发现儿童处于危险"), default=False)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-pk"]
        # With the family: the visits of a period are read from the index alone (the joint
        # meeting's families-visited indicator, the city's monthly figures).
        indexes = [models.Index(fields=["visited_on", "family"], name="fulian_visit_day_idx")]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d}"

    def help_labels(self) -> list[str]:
        labels = dict(Help.choices)
        return [str(labels.get(code, code)) for code in self.help_given]


class GradeChange(models.Model):
    """Every change of a family's grade, with its reason: the city's "changes over time"."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="grade_changes")
    from_grade = models.ForeignKey(RiskGrade, null=True, on_delete=models.PROTECT, related_name="+")
    to_grade = models.ForeignKey(RiskGrade, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField(_("理由"), blank=True)
    at = models.DateTimeField(db_index=True)
    by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_grade_id} → {self.to_grade_id}"


def visit_due(last: dt.date, grade: Any) -> dt.date:
    return last + dt.timedelta(days=grade.visit_every_days)


# --- Excel import (fulian/ledger/imports.py) --------------------------------------------------------


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("等待检查")
    CHECKING = "checking", _("正在检查")
    INVALID = "invalid", _("有错误，未导入")
    READY = "ready", _("检查通过，待确认")
    QUEUED = "queued", _("等待导入")
    IMPORTING = "importing", _("正在导入")
    DONE = "done", _("已导入")
    FAILED = "failed", _("导入失败，未保存任何数据")
    CANCELLED = "cancelled", _("已放弃")


class LedgerImport(models.Model):
    """One uploaded ledger sheet: checked (preview), then imported all-or-nothing by a background task.

    The sheet is kept only between upload and import, sealed under the field-encryption key (never
    a plain copy on disk), and wiped as soon as it is no longer needed. Errors are (row, column,
    message) and never hold a cell's value: the uploader has her own file.
    """

    RUNNING = (ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.QUEUED, ImportStatus.IMPORTING)

    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    # The uploader's office when she uploaded: the import may create families at and below it.
    organisation = models.ForeignKey("fulian_orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    sheet = models.BinaryField(default=b"", editable=False)  # sealed upload; b"" once wiped
    size = models.PositiveIntegerField(default=0)
    # A keyed hash of the upload: the same file is never imported twice by mistake.
    digest = models.CharField(max_length=64, blank=True, db_index=True)
    rows = models.PositiveIntegerField(default=0)  # data rows read
    families = models.PositiveIntegerField(default=0)
    members = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)  # progress of the current step, out of `total`
    total = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [[row, column letter, column name, message]]
    errors_total = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=list, blank=True)
    offices = models.JSONField(default=list, blank=True)  # [[organisation id, families]] of the import
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="fulian_ledgerimport_sweep_idx")]

    def __str__(self) -> str:
        return f"{self.pk}: {self.status}"

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
