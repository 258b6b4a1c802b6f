"""Protocols for child sexual-abuse and domestic-violence cases. First: mandatory reports (强制报告).

A report comes from an obliged unit (a school, a hospital, a hotel…) or from the federation
itself. It always belongs to a case in the minor-protection category; the delay between the
discovery and the report to the police is the protocol's key figure. Who reported is
confidential: only the case's caseworker and its supervisors see it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fulian.people.models import Sex
from fulian.security.access import ScopedRecord
from fulian.security.fields import EncryptedTextField


class Sector(models.TextChoices):
    STATE_ORGAN = "state_organ", _("国家机关")
    RESIDENTS = "residents", _("居民委员会")
    VILLAGERS = "villagers", _("村民委员会")
    SCHOOL = "school", _("学校")
    KINDERGARTEN = "kindergarten", _("幼儿园")
    TRAINING = "training", _("校外培训机构")
    SCHOOL_BUS = "school_bus", _("校车服务提供者")
    CHILDCARE = "childcare", _("托育机构")
    MEDICAL = "medical", _("医院、卫生院等医疗机构")
    WELFARE = "welfare", _("儿童福利、救助、社会工作服务机构")
    HOTEL = "hotel", _("旅店、宾馆")
    FEDERATION = "federation", _("妇联")
    OTHER = "other", _("其他")


class Situation(models.TextChoices):
    # The nine situations of the 2020 opinions on mandatory reporting (强制报告).
    S1 = "1", _("（一）未成年人的生殖器官或隐私部位遭受或疑似遭受非正常损伤的")
    S2 = "2", _("（二）不满十四周岁的女性未成年人遭受或疑似遭受性侵害、怀孕、流产的")
    S3 = "3", _("（三）十四周岁以上女性未成年人遭受或疑似遭受性侵害所致怀孕、流产的")
    S4 = (
        "4",
        _(
            "（四）未成年人身体存在多处损伤、严重营养不良、意识不清，存在或疑似存在受到家庭暴力、欺凌、虐待、殴打或者被人麻醉等情形的"
        ),
    )
    S5 = "5", _("（五）未成年人因自杀、自残、工伤、中毒、被人麻醉、殴打等非正常原因导致伤残、死亡情形的")
    S6 = "6", _("（六）未成年人被遗弃或长期处于无人照料状态的")
    S7 = "7", _("（七）发现未成年人来源不明、失踪或者被拐卖、收买的")
    S8 = "8", _("（八）发现未成年人被组织乞讨的")
    S9 = "9", _("（九）其他严重侵害未成年人身心健康的情形或未成年人正在面临不法侵害危险的")


class PoliceAction(models.TextChoices):
    PENDING = "pending", _("待公安机关反馈")
    ACCEPTED = "accepted", _("已受案")
    FILED = "filed", _("已立案")
    TRANSFERRED = "transferred", _("已移送其他机关")
    NOT_FILED = "not_filed", _("不予立案")


class MandatoryReport(ScopedRecord):
    role_actions = {
        "caseworker": ("view", "create", "edit"),
        "supervisor": ("view", "create", "edit"),
        "hotline_operator": ("view", "create"),
        "grassroots": ("view", "create"),
    }

    case = models.OneToOneField("fulian_cases.Case", on_delete=models.PROTECT, related_name="mandatory_report")
    sector = models.CharField(_("报告单位类别"), max_length=16, choices=Sector.choices)
    # Who reported: confidential (shown to the case's caseworker and supervisors only).
    reporting_unit = EncryptedTextField(_("报告单位"))
    reporter_name = EncryptedTextField(_("报告人"), blank=True)
    reporter_phone = EncryptedTextField(_("报告人电话"), blank=True)
    situation = models.CharField(_("情形"), max_length=1, choices=Situation.choices)
    child_age = models.PositiveSmallIntegerField(_("儿童年龄"))
    child_sex = models.CharField(_("儿童性别"), max_length=1, choices=Sex.choices)
    discovered_at = models.DateTimeField(_("发现时间"))
    reported_at = models.DateTimeField(_("向公安机关报告时间"))
    police_unit = models.CharField(_("接报公安机关"), max_length=100)
    receipt_number = models.CharField(_("受案回执号"), max_length=50, blank=True)
    police_action = models.CharField(
        _("公安机关处理"), max_length=12, choices=PoliceAction.choices, default=PoliceAction.PENDING
    )
    civil_affairs_notified = models.BooleanField(_("已通报民政部门"), default=False)
    education_notified = models.BooleanField(_("已通报教育部门"), default=False)
    feedback_at = models.DateTimeField(_("向报告单位反馈时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("强制报告")
        verbose_name_plural = _("强制报告")
        ordering = ["-discovered_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_sector_display()} #{self.pk}"

    @property
    def delay_hours(self) -> float:
        """Hours from discovery to the report to the police: the protocol's key indicator."""
        return round((self.reported_at - self.discovered_at).total_seconds() / 3600, 1)


class Step(models.TextChoices):
    POLICE = "police", _("向公安机关报案")
    ONE_STOP = "one_stop", _("一站式询问救助")
    LEGAL_AID = "legal_aid", _("指派法律援助律师")
    PSYCHOLOGICAL = "psychological", _("启动心理支持")
    RELIEF = "relief", _("评估救助需求")
    SCHOOL = "school", _("安排复学或转学")
    FOLLOW_UP = "follow_up", _("跟踪回访")


# Days after the case opens by which each step is due (the police report: the same day).
STEP_DUE_DAYS = {
    Step.POLICE: 0,
    Step.ONE_STOP: 3,
    Step.PSYCHOLOGICAL: 3,
    Step.LEGAL_AID: 7,
    Step.RELIEF: 14,
    Step.SCHOOL: 14,
    Step.FOLLOW_UP: 30,
}


class ProtocolItem(models.Model):
    """One step of the protocol for a minor sexual-abuse case, with its owner and due date."""

    case = models.ForeignKey("fulian_cases.Case", on_delete=models.CASCADE, related_name="protocol")
    step = models.CharField(_("步骤"), max_length=16, choices=Step.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    due_on = models.DateField(_("期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set once when the step passes its due date undone: the alert is raised exactly once.
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("办理流程事项")
        verbose_name_plural = _("办理流程事项")
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="fulian_protocol_one_step")]
        indexes = [
            # The alert scan reads only open, not yet escalated steps, by due date.
            models.Index(
                fields=["due_on"],
                condition=models.Q(done_at__isnull=True, escalated_at__isnull=True),
                name="fulian_protocol_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.get_step_display()

    @property
    def action_url(self) -> str:
        """Where the work of this step is recorded (recording it ticks the step)."""
        from django.urls import reverse

        if self.step == Step.ONE_STOP:
            return reverse("protection_session_add", args=[self.case_id])
        kind = {Step.LEGAL_AID: "legal", Step.PSYCHOLOGICAL: "psychological", Step.RELIEF: "judicial",
                Step.SCHOOL: "schooling"}.get(Step(self.step))  # fmt: skip
        return f"{reverse('protection_assistance_add', args=[self.case_id])}?kind={kind}" if kind else ""


# --- one-stop questioning and assistance (一站式询问救助) ------------------------------------------------


class OneStopSite(models.Model):
    """A place where a child is questioned once, examined and helped, with everyone present."""

    organisation = models.ForeignKey(
        "fulian_orgs.Organisation", verbose_name=_("所属妇联"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    rooms = models.CharField(_("功能室"), max_length=200, blank=True, help_text=_("如：询问室、检查室、心理疏导室"))
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("一站式询问救助场所")
        verbose_name_plural = _("一站式询问救助场所")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Participant(models.TextChoices):
    POLICE = "police", _("公安民警")
    PROCURATOR = "procurator", _("检察官")
    DOCTOR = "doctor", _("医生")
    PSYCHOLOGIST = "psychologist", _("心理咨询师")
    SOCIAL_WORKER = "social_worker", _("社会工作者")
    GUARDIAN = "guardian", _("法定代理人（监护人）")
    APPROPRIATE_ADULT = "appropriate_adult", _("合适成年人")
    FEDERATION = "federation", _("妇联干部")


class OneStopSession(models.Model):
    """One session of questioning and assistance for a child. The recording stays with the police:
    only its reference is kept here."""

    case = models.ForeignKey("fulian_cases.Case", on_delete=models.CASCADE, related_name="one_stop_sessions")
    site = models.ForeignKey(OneStopSite, verbose_name=_("场所"), on_delete=models.PROTECT, related_name="sessions")
    held_at = models.DateTimeField(_("时间"))
    participants = models.JSONField(_("参与人员"), default=list)
    # For a girl: was a woman officer present (the questioning of a girl is done by or with a woman).
    female_officer = models.BooleanField(_("有女性工作人员在场"), null=True, blank=True)
    no_female_officer_reason = EncryptedTextField(_("无女性工作人员在场的原因"), blank=True)
    interviews = models.PositiveSmallIntegerField(_("本次询问次数"), default=1)
    # The one-interview principle: any interview after the first needs a reason on record.
    repeat_reason = EncryptedTextField(_("再次询问的理由"), blank=True)
    recording_reference = models.CharField(_("同步录音录像编号"), max_length=60, blank=True)
    medical_exam = models.BooleanField(_("已进行身体检查"), default=False)
    evidence_collected = models.BooleanField(_("已提取固定证据"), default=False)
    evidence_notes = EncryptedTextField(_("证据情况"), blank=True)
    rights_notified = models.BooleanField(_("已告知诉讼权利"), default=False)
    psychological_assessment = EncryptedTextField(_("心理评估"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("一站式询问救助记录")
        verbose_name_plural = _("一站式询问救助记录")
        ordering = ["held_at", "pk"]

    def __str__(self) -> str:
        return f"{self.site} {self.held_at:%Y-%m-%d}"

    def participant_labels(self) -> list[str]:
        labels = dict(Participant.choices)
        return [str(labels.get(code, code)) for code in self.participants]


class AssistanceKind(models.TextChoices):
    JUDICIAL = "judicial", _("司法救助")
    PSYCHOLOGICAL = "psychological", _("心理救助")
    SOCIAL = "social", _("社会救助")
    MEDICAL = "medical", _("医疗救助")
    PLACEMENT = "placement", _("生活安置")
    SCHOOLING = "schooling", _("复学就业")
    LEGAL = "legal", _("法律支持")
    TRAINING = "training", _("技能培训")


class Assistance(models.Model):
    case = models.ForeignKey("fulian_cases.Case", on_delete=models.CASCADE, related_name="assistance")
    kind = models.CharField(_("救助类型"), max_length=16, choices=AssistanceKind.choices)
    provider = models.CharField(_("提供单位"), max_length=100)
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    provided_on = models.DateField(_("日期"))
    notes = EncryptedTextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("救助帮扶")
        verbose_name_plural = _("救助帮扶")
        ordering = ["provided_on", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()
