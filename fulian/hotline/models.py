"""The 12338 hotline: contacts by phone, visit, letter or online form; counselling; callers' history.

Every personal field is encrypted (fulian/security/fields.py); the caller's phone also has a
blind index, so earlier contacts from the same number are found without decrypting anything.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fulian.people.models import Sex
from fulian.security.access import ScopedRecord
from fulian.security.fields import BlindIndexField, EncryptedTextField
from fulian.security.identity import mask_name, mask_phone


class Category(models.Model):
    """The federation's two-level complaint categories (BRIEF): editable, never deleted once used."""

    parent = models.ForeignKey(
        "self", verbose_name=_("上级分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("名称"), max_length=50)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("问题分类")
        verbose_name_plural = _("问题分类")
        ordering = ["parent_id", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="fulian_hotline_category_unique")]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name


class Channel(models.TextChoices):
    PHONE = "phone", _("来电")
    VISIT = "visit", _("来访")
    LETTER = "letter", _("来信")
    ONLINE = "online", _("网上")
    OTHER = "other", _("其他")


class CallType(models.TextChoices):
    CONSULTATION = "consultation", _("咨询")
    COMPLAINT = "complaint", _("投诉求助")
    COUNSELLING = "counselling", _("心理咨询")
    SILENT = "silent", _("无声电话")
    HANG_UP = "hang_up", _("挂断")
    WRONG_NUMBER = "wrong_number", _("打错")
    PRANK = "prank", _("骚扰")


# Call types that carry no matter to record: the intake asks only for the essentials.
EMPTY_CALL_TYPES = {CallType.SILENT, CallType.HANG_UP, CallType.WRONG_NUMBER, CallType.PRANK}


class AgeBand(models.TextChoices):
    UNDER_14 = "under_14", _("14 岁以下")
    FROM_14 = "14_17", _("14–17 岁")
    FROM_18 = "18_34", _("18–34 岁")
    FROM_35 = "35_59", _("35–59 岁")
    FROM_60 = "60_plus", _("60 岁及以上")
    UNKNOWN = "unknown", _("不详")


class Education(models.TextChoices):
    PRIMARY = "primary", _("小学及以下")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中（中专）")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科及以上")
    UNKNOWN = "unknown", _("不详")


class Outcome(models.TextChoices):
    ADVISED = "advised", _("已解答")
    CASE = "case", _("转立案")
    CALLBACK = "callback", _("待回访")
    TRANSFERRED = "transferred", _("转其他部门")
    NONE = "none", _("无需处理")


class Satisfaction(models.TextChoices):
    VERY = "very", _("非常满意")
    SATISFIED = "satisfied", _("满意")
    NEUTRAL = "neutral", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")
    NOT_ASKED = "not_asked", _("未评价")


RISK_FLAGS = (
    ("risk_domestic_violence", _("家庭暴力")),
    ("risk_minor", _("涉及未成年人")),
    ("risk_sexual_abuse", _("性侵害")),
    ("risk_self_harm", _("自伤自杀风险")),
    ("risk_immediate_danger", _("紧急危险")),
)


class Contact(ScopedRecord):
    """One call, visit, letter or online request, recorded by the office that took it."""

    role_actions = {
        # Operators call people back: they may see a full number (audited).
        "hotline_operator": ("view", "create", "edit", "reveal"),
        "counsellor": ("view", "create", "edit", "reveal"),
        "caseworker": ("view", "create", "edit", "reveal"),
        "supervisor": ("view", "edit", "export", "reveal"),
        "grassroots": ("view", "create", "edit"),
    }

    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices, default=Channel.PHONE)
    received_at = models.DateTimeField(_("受理时间"), db_index=True)
    call_type = models.CharField(_("来电类型"), max_length=16, choices=CallType.choices, default=CallType.CONSULTATION)
    caller_name = EncryptedTextField(_("来电人姓名"), blank=True)
    caller_phone = EncryptedTextField(_("来电人电话"), blank=True)
    caller_phone_index = BlindIndexField(source="caller_phone", kind="phone")
    caller_sex = models.CharField(_("来电人性别"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    caller_age_band = models.CharField(_("年龄段"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    caller_education = models.CharField(
        _("文化程度"), max_length=8, choices=Education.choices, default=Education.UNKNOWN
    )
    caller_district = models.ForeignKey(
        "fulian_orgs.Organisation", verbose_name=_("所在县区"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    affected_is_caller = models.BooleanField(_("当事人即来电人"), default=True)
    affected_name = EncryptedTextField(_("当事人姓名"), blank=True)
    affected_sex = models.CharField(_("当事人性别"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    affected_age_band = models.CharField(
        _("当事人年龄段"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    category = models.ForeignKey(
        Category, verbose_name=_("问题分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subcategory = models.ForeignKey(
        Category, verbose_name=_("细分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    risk_domestic_violence = models.BooleanField(_("家庭暴力"), default=False)
    risk_minor = models.BooleanField(_("涉及未成年人"), default=False)
    risk_sexual_abuse = models.BooleanField(_("性侵害"), default=False)
    risk_self_harm = models.BooleanField(_("自伤自杀风险"), default=False)
    risk_immediate_danger = models.BooleanField(_("紧急危险"), default=False)
    narrative = EncryptedTextField(_("来电内容"), blank=True)
    advice = EncryptedTextField(_("答复意见"), blank=True)
    outcome = models.CharField(_("处理结果"), max_length=12, choices=Outcome.choices, default=Outcome.ADVISED)
    satisfaction = models.CharField(
        _("满意度"), max_length=12, choices=Satisfaction.choices, default=Satisfaction.NOT_ASKED
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接线员"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey(
        "fulian_cases.Case", verbose_name=_("关联个案"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="contacts",
    )  # fmt: skip
    # A double click or a resent form carries the same token: the second post finds the first contact.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("来电来访")
        verbose_name_plural = _("来电来访")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-received_at"], name="fulian_contact_org_time_idx"),
            models.Index(fields=["caller_phone_index", "-received_at"], name="fulian_contact_phone_idx"),
            # The joint meeting's indicator on minors' sexual-abuse contacts: a few rows among millions.
            models.Index(
                fields=["received_at"],
                condition=models.Q(risk_minor=True, risk_sexual_abuse=True),
                name="fulian_contact_minor_abuse_idx",
            ),
            # The hotline's queue (to call back, not yet a case): a few rows among millions.
            models.Index(
                fields=["received_at"],
                condition=models.Q(outcome="callback", case__isnull=True),
                name="fulian_contact_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"

    @property
    def risks(self) -> list[str]:
        return [str(label) for field, label in RISK_FLAGS if getattr(self, field)]

    def masked(self) -> dict[str, str]:
        return {
            "caller_name": mask_name(self.caller_name) if self.caller_name else "",
            "caller_phone": mask_phone(self.caller_phone) if self.caller_phone else "",
            "affected_name": mask_name(self.affected_name) if self.affected_name else "",
        }


class RiskLevel(models.TextChoices):
    NONE = "none", _("无明显风险")
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")
    IMMINENT = "imminent", _("紧急")


class CounsellingRecord(ScopedRecord):
    """The hotline's psychological counselling: seen by counsellors and their supervisor only."""

    # Which roles act on this model (fulian/accounts/sync.py): no one else, whatever their role's defaults.
    role_actions = {"counsellor": ("view", "create", "edit"), "supervisor": ("view",)}

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="counselling")
    presenting_problem = EncryptedTextField(_("主诉问题"))
    risk_level = models.CharField(_("风险评估"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.NONE)
    risk_assessment = EncryptedTextField(_("风险评估说明"), blank=True)
    intervention = EncryptedTextField(_("干预措施"), blank=True)
    follow_up_plan = EncryptedTextField(_("后续计划"), blank=True)
    follow_up_on = models.DateField(_("回访日期"), null=True, blank=True)
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("咨询师"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("心理咨询记录")
        verbose_name_plural = _("心理咨询记录")

    def __str__(self) -> str:
        return f"#{self.pk}"


class FlagKind(models.TextChoices):
    ABUSIVE = "abusive", _("反复骚扰")
    PRANK = "prank", _("恶意来电")
    AT_RISK = "at_risk", _("高危来电人，优先接听")
    OTHER = "other", _("其他")


class CallerFlag(ScopedRecord):
    """A mark on a phone number (by its blind index): shown to operators when the number calls again."""

    role_actions = {
        "hotline_operator": ("view", "create", "edit"),
        "counsellor": ("view", "create", "edit"),
        "caseworker": ("view",),
        "supervisor": ("view", "create", "edit"),
    }

    phone_index = models.CharField(max_length=64, db_index=True, editable=False)
    kind = models.CharField(_("标记"), max_length=8, choices=FlagKind.choices)
    note = EncryptedTextField(_("说明"), blank=True)
    active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("来电人标记")
        verbose_name_plural = _("来电人标记")

    def __str__(self) -> str:
        return self.get_kind_display()


class CallCentreSystem(models.Model):
    """A call-centre system allowed to announce ringing calls (来电弹屏). Its token is stored hashed."""

    name = models.CharField(_("名称"), max_length=100)
    organisation = models.ForeignKey("fulian_orgs.Organisation", verbose_name=_("所属组织"), on_delete=models.PROTECT)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("令牌前缀"), max_length=8, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("呼叫中心系统")
        verbose_name_plural = _("呼叫中心系统")

    def __str__(self) -> str:
        return self.name


class Ring(models.Model):
    """A ringing call announced by the call centre: the intake screen's address names this, never the number."""

    key = models.CharField(max_length=43, unique=True, editable=False)
    system = models.ForeignKey(CallCentreSystem, on_delete=models.CASCADE, related_name="+")
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    phone = EncryptedTextField()
    phone_index = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"ring #{self.pk}"


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("已收到")
    IN_PROGRESS = "in_progress", _("办理中")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")


class ContactTime(models.TextChoices):
    ANY = "any", _("任何时间")
    MORNING = "morning", _("上午")
    AFTERNOON = "afternoon", _("下午")
    EVENING = "evening", _("晚上")


class OnlineRequest(models.Model):
    """在线维权: a request from the portal. It lands in the hotline's queue as a contact; the person
    follows it with the tracking number and the last four digits of their phone."""

    tracking_number = models.CharField(_("查询编号"), max_length=20, unique=True, editable=False)
    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="online_request")
    status = models.CharField(_("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    preferred_time = models.CharField(_("方便联系时间"), max_length=10, choices=ContactTime.choices, default="any")
    consent_to_contact = models.BooleanField(_("同意联系"), default=False)
    public_reply = EncryptedTextField(_("答复（申请人可见）"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("在线求助")
        verbose_name_plural = _("在线求助")

    def __str__(self) -> str:
        return self.tracking_number
