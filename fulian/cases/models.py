"""维权个案: cases, their parties, incidents, consents, services, tasks, notes, timeline — and
referrals to the joint meeting's member units.

A case and a referral are the sensitive records (ScopedRecord): every lookup goes through
fulian/security/access.py. Everything else hangs off a case and is reached only through it.
A referral belongs to the member unit it is sent to, so the unit's liaison finds it in their
own scope and sees only what the referral carries, never the case.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fulian.people.models import Sex
from fulian.security.access import ScopedRecord
from fulian.security.fields import BlindIndexField, EncryptedTextField
from fulian.security.identity import mask_id_number, mask_name, mask_phone, mask_text

User = settings.AUTH_USER_MODEL


class Status(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ASSESSED = "assessed", _("已评估")
    PLANNED = "planned", _("已制定方案")
    IN_SERVICE = "in_service", _("服务中")
    FOLLOW_UP = "follow_up", _("跟踪回访")
    CLOSED = "closed", _("已结案")


class Approval(models.TextChoices):
    NONE = "", _("无")
    PLAN = "plan", _("服务方案待审批")
    CLOSE = "close", _("结案待审批")


class Case(ScopedRecord):
    role_actions = {
        "caseworker": ("view", "create", "edit", "close", "reveal"),
        "supervisor": ("view", "create", "edit", "close", "export", "reveal"),
        "grassroots": ("view", "create", "edit"),
        "hotline_operator": ("view", "create"),
        "counsellor": ("view",),
    }

    number = models.CharField(_("案号"), max_length=40, unique=True, editable=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    pending = models.CharField(_("待审批"), max_length=8, choices=Approval.choices, blank=True, default="")
    category = models.ForeignKey(
        "fulian_hotline.Category", verbose_name=_("问题分类"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    subcategory = models.ForeignKey(
        "fulian_hotline.Category", verbose_name=_("细分类"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    minor_involved = models.BooleanField(_("涉及未成年人"), default=False)
    summary = EncryptedTextField(_("案情摘要"), blank=True)
    assessment = EncryptedTextField(_("评估意见"), blank=True)
    plan = EncryptedTextField(_("服务方案"), blank=True)
    close_reason = EncryptedTextField(_("结案说明"), blank=True)
    caseworker = models.ForeignKey(
        User, verbose_name=_("承办人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(_("立案时间"), db_index=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The earliest open deadline of the case's tasks and referrals, kept by the services: "overdue"
    # in lists is one indexed comparison instead of two subqueries per case.
    next_deadline = models.DateField(_("最近期限"), null=True, blank=True, editable=False)
    # Set when the retention period has passed and the personal data was erased (statistics stay).
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("维权个案")
        verbose_name_plural = _("维权个案")
        ordering = ["-opened_at", "-pk"]
        permissions = [
            ("approve_case", _("可以审批服务方案和结案")),
            ("export_minor_identified", _("可以导出未成年人保护个案的儿童身份信息")),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "-opened_at"], name="fulian_case_org_status_idx"),
            # A caseworker's own cases, newest first ("mine" in the list, "my work").
            models.Index(fields=["caseworker", "-opened_at"], name="fulian_case_mine_idx"),
            models.Index(fields=["next_deadline"], name="fulian_case_deadline_idx"),
            # The few cases waiting for approval, found without reading the others.
            models.Index(fields=["updated_at"], condition=~models.Q(pending=""), name="fulian_case_pending_idx"),
            # Closed cases still holding personal data, by closing date: the retention sweep.
            models.Index(
                fields=["closed_at"], condition=models.Q(anonymised_at__isnull=True), name="fulian_case_retention_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def overdue(self) -> bool:
        from django.utils import timezone

        return self.next_deadline is not None and self.next_deadline < timezone.localdate()

    def files_visible_to(self, user: Any) -> bool:
        from fulian.cases.privacy import may_see_parties

        return may_see_parties(user, self)


class CaseNumber(models.Model):
    """The last case number given per organisation and year: locked and incremented, never repeated."""

    organisation = models.ForeignKey("fulian_orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="fulian_cases_one_sequence")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class PartyRole(models.TextChoices):
    HELPED = "helped", _("求助人")
    FAMILY = "family", _("家庭成员")
    ALLEGED = "alleged", _("加害人")
    OTHER = "other", _("其他相关人")


class Party(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("身份"), max_length=8, choices=PartyRole.choices)
    name = EncryptedTextField(_("姓名"), blank=True)
    phone = EncryptedTextField(_("电话"), blank=True)
    phone_index = BlindIndexField(source="phone", kind="phone")
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_number_index = BlindIndexField(source="id_number", kind="id_number")
    address = EncryptedTextField(_("住址"), blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    age = models.PositiveSmallIntegerField(_("年龄"), null=True, blank=True)
    relationship = models.CharField(_("与求助人关系"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {mask_name(self.name) if self.name else ''}"

    @property
    def under_14(self) -> bool:
        return self.age is not None and self.age < 14

    def masked(self) -> dict[str, str]:
        return {
            "name": mask_name(self.name) if self.name else "",
            "phone": mask_phone(self.phone) if self.phone else "",
            "id_number": mask_id_number(self.id_number) if self.id_number else "",
            "address": mask_text(self.address) if self.address else "",
        }


class IncidentType(models.TextChoices):
    # The six GBV core types (GBVIMS), then the federation's own category on the incident.
    RAPE = "rape", _("强奸")
    SEXUAL_ASSAULT = "sexual_assault", _("性侵犯")
    PHYSICAL = "physical", _("身体伤害")
    FORCED_MARRIAGE = "forced_marriage", _("强迫婚姻")
    DENIAL = "denial", _("剥夺资源、机会或服务")
    PSYCHOLOGICAL = "psychological", _("精神（心理）伤害")
    NONE = "none", _("非性别暴力事件")


class Incident(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="incidents")
    occurred_on = models.DateField(_("发生日期"))
    place = EncryptedTextField(_("发生地点"), blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=IncidentType.choices)
    category = models.ForeignKey(
        "fulian_hotline.Category", verbose_name=_("问题分类"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    reported_to_police = models.BooleanField(_("此前已报警"), default=False)
    description = EncryptedTextField(_("经过"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["occurred_on", "pk"]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()}"


class ConsentPurpose(models.TextChoices):
    SERVICES = "services", _("接受服务")
    SHARE = "share", _("向成员单位提供信息")
    POLICE = "police", _("报警")


class ConsentGiver(models.TextChoices):
    SELF = "self", _("本人")
    GUARDIAN = "guardian", _("监护人")


class Consent(models.Model):
    """One purpose agreed (or refused) by the person — or their guardian for a child under 14."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("用途"), max_length=8, choices=ConsentPurpose.choices)
    # For sharing: the member unit it covers.
    member_unit = models.ForeignKey(
        "fulian_orgs.Organisation", verbose_name=_("成员单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    given = models.BooleanField(_("同意"), default=True)
    given_by = models.CharField(_("同意人"), max_length=8, choices=ConsentGiver.choices, default=ConsentGiver.SELF)
    guardian_name = EncryptedTextField(_("监护人姓名"), blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("知情同意")
        verbose_name_plural = _("知情同意")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return self.get_purpose_display()


class ServiceKind(models.TextChoices):
    LEGAL_ADVICE = "legal_advice", _("法律咨询")
    LEGAL_AID = "legal_aid", _("法律援助")
    COUNSELLING = "counselling", _("心理疏导")
    MEDIATION = "mediation", _("婚姻家庭纠纷调解")
    ACCOMPANIMENT = "accompaniment", _("陪同报警或出庭")
    SHELTER = "shelter", _("临时庇护")
    RELIEF = "relief", _("救助帮扶")
    MEDICAL = "medical", _("医疗救助")
    EMPLOYMENT = "employment", _("就业帮扶")


class CaseService(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("服务类型"), max_length=16, choices=ServiceKind.choices)
    provider = models.CharField(_("提供方"), max_length=100)
    delivered_on = models.DateField(_("日期"))
    outcome = EncryptedTextField(_("效果"), blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["delivered_on", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


class TaskKind(models.TextChoices):
    ASSESSMENT = "assessment", _("评估")
    FOLLOW_UP = "follow_up", _("回访")
    OTHER = "other", _("其他")


class CaseTask(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("类型"), max_length=12, choices=TaskKind.choices, default=TaskKind.OTHER)
    title = models.CharField(_("事项"), max_length=100)
    due_on = models.DateField(_("期限"), db_index=True)
    assignee = models.ForeignKey(
        User, verbose_name=_("负责人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("待办事项")
        verbose_name_plural = _("待办事项")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["assignee", "done_at", "due_on"], name="fulian_task_mine_idx"),
            models.Index(
                fields=["due_on"],
                condition=models.Q(done_at__isnull=True, escalated_at__isnull=False),
                name="fulian_task_escalated_idx",
            ),
            # The alert job reads only open tasks not yet raised (a range of this, not every task due).
            models.Index(
                fields=["due_on"],
                condition=models.Q(done_at__isnull=True, escalated_at__isnull=True),
                name="fulian_task_to_raise_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = EncryptedTextField(_("内容"))
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工作记录")
        verbose_name_plural = _("工作记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class CaseEvent(models.Model):
    """The case's timeline: what happened, when, by whom. Written with the change, never personal data."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=32)
    # Plain text built from codes and labels (status names, unit names, dates), never a person's data.
    summary = models.CharField(max_length=200)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.summary


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("待接收")
    ACCEPTED = "accepted", _("已接收")
    REJECTED = "rejected", _("已退回")
    DONE = "done", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


class Referral(ScopedRecord):
    """A request to a member unit: owned by that unit (its scope), carrying only what it shares."""

    role_actions = {
        "liaison": ("view", "edit"),
        "caseworker": ("view", "create", "edit"),
        "supervisor": ("view", "create", "edit", "close"),
        "grassroots": ("view", "create", "edit"),
    }

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    request = EncryptedTextField(_("转介事项"))
    # What the unit may know about the person, written for this referral (minimum necessary).
    shared_details = EncryptedTextField(_("提供给成员单位的信息"), blank=True)
    deadline = models.DateField(_("答复期限"), db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    sent_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(_("转介时间"))
    consent_override = EncryptedTextField(_("未经同意转介的理由"), blank=True)
    override_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reject_reason = EncryptedTextField(_("退回理由"), blank=True)
    result = EncryptedTextField(_("办理结果"), blank=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("超期提醒时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "status", "deadline"], name="fulian_referral_unit_idx"),
            models.Index(fields=["deadline"], condition=models.Q(escalated_at__isnull=False),
                         name="fulian_referral_escalated_idx"),
            # The alert job: open referrals not yet raised, by deadline.
            models.Index(fields=["deadline"], condition=models.Q(status__in=["sent", "accepted"], escalated_at__isnull=True),
                         name="fulian_referral_to_raise_idx"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.case.number} → {self.organisation}"

    @property
    def is_open(self) -> bool:
        return self.status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED)


class ReferralAction(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="actions")
    text = EncryptedTextField(_("办理情况"))
    by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"#{self.pk}"
