"""维护妇女儿童合法权益联席会议: the body, its meetings, and the tasks its decisions give the member units.

The body is its member units (each an organisation of kind 成员单位, or the federation itself as
the secretariat), its chair and deputy chairs, and the work mechanisms it runs (configurable:
the national notice sets up five whose exact names vary by place). A meeting records who
attended, the agenda, the minutes and its decisions; each decision becomes tasks for member
units with deadlines. The liaison officer of a unit reports progress on the unit's tasks; a
task past its deadline is raised once to the secretariat.

Tasks (and the letters and returns of `fulian.targets`) belong to the unit they are for
(`organisation` is the unit's organisation), so a liaison reaches them through the ordinary
scope rule and nothing of any other unit. The secretariat, whose organisation is the
federation and not above the units in the tree, reaches every unit's records through
`scope_widened_for` (the permission `oversee_joint_meeting`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.security.access import ScopedRecord

User = settings.AUTH_USER_MODEL

# What the secretariat may do on every joint-meeting record, and what a unit's liaison may.
SECRETARIAT_ACTIONS = ("view", "create", "edit", "close", "export")
OVERSEE_PERMISSION = "fulian_jointmeeting.oversee_joint_meeting"


class JointMeetingRecord(ScopedRecord):
    """A record of the joint meeting owned by one member unit (or by the secretariat)."""

    role_actions = {"secretariat": SECRETARIAT_ACTIONS, "liaison": ("view", "edit")}

    class Meta:
        abstract = True

    @classmethod
    def scope_widened_for(cls, user: Any) -> bool:
        """The secretariat sees every unit's records, whatever the tree says."""
        return bool(user.has_perm(OVERSEE_PERMISSION))


class Mechanism(models.Model):
    """A work mechanism the joint meeting runs (强制报告, 一站式询问救助, 信息通报…), kept by the secretariat."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    description = models.TextField(_("说明"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("工作机制")
        verbose_name_plural = _("工作机制")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    MEMBER = "member", _("成员单位")
    SECRETARIAT = "secretariat", _("联席会议办公室（秘书处）")


class MemberUnit(models.Model):
    """One member unit of the joint meeting: its duties, the mechanisms it takes part in, whether it signs a letter."""

    organisation = models.OneToOneField(
        "fulian_orgs.Organisation",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="joint_meeting_member",
    )
    role = models.CharField(_("角色"), max_length=12, choices=MemberRole.choices, default=MemberRole.MEMBER)
    duties = models.TextField(_("工作职责"), blank=True)
    mechanisms = models.ManyToManyField(Mechanism, verbose_name=_("参与的工作机制"), blank=True, related_name="units")
    signs_letter = models.BooleanField(_("签订目标管理责任书"), default=True)
    # The mandatory-reporting sectors (protection.Sector values) this unit answers for: the
    # education bureau for schools and kindergartens, health for hospitals… Platform indicators
    # count a unit's mandatory reports through these.
    report_sectors = models.JSONField(_("主管的强制报告行业"), default=list, blank=True)
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        ordering = ["order", "pk"]
        permissions = [("oversee_joint_meeting", _("管理联席会议各成员单位的任务、责任书和考核"))]

    def __str__(self) -> str:
        return self.organisation.name


class OfficerPost(models.TextChoices):
    CHAIR = "chair", _("主任")
    DEPUTY = "deputy", _("副主任")
    SECRETARY = "secretary", _("办公室主任")


class Officer(models.Model):
    """The chair, the deputy chairs and the head of the secretariat: public office holders, named in letters."""

    post = models.CharField(_("联席会议职务"), max_length=10, choices=OfficerPost.choices)
    name = models.CharField(_("姓名"), max_length=30)
    title = models.CharField(_("本职"), max_length=60, help_text=_("如“市妇联主席”。"))
    unit = models.ForeignKey(MemberUnit, verbose_name=_("所在单位"), null=True, blank=True, on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("在任"), default=True)

    class Meta:
        verbose_name = _("联席会议负责人")
        verbose_name_plural = _("联席会议负责人")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.get_post_display()} {self.name}"


class MeetingKind(models.TextChoices):
    PLENARY = "plenary", _("全体会议")
    TASK = "task", _("工作任务布置会")
    SPECIAL = "special", _("专题会议")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    HELD = "held", _("已召开")
    MINUTES_FINAL = "final", _("纪要已定稿")


class Meeting(JointMeetingRecord):
    """A meeting of the joint meeting, owned by the secretariat's organisation."""

    role_actions = {"secretariat": SECRETARIAT_ACTIONS}

    kind = models.CharField(_("会议类型"), max_length=10, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=120)
    held_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    chaired_by = models.CharField(_("主持人"), max_length=60, blank=True)
    agenda = models.TextField(_("议程"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("联席会议会议")
        verbose_name_plural = _("联席会议会议")
        ordering = ["-held_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出席")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺席")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    unit = models.ForeignKey(MemberUnit, verbose_name=_("成员单位"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("出席情况"), max_length=10, choices=AttendanceStatus.choices)
    attendees = models.CharField(
        _("参会人员"), max_length=200, blank=True, help_text=_("姓名和职务，如“王某（副局长）”。")
    )

    class Meta:
        verbose_name = _("出席情况")
        verbose_name_plural = _("出席情况")
        ordering = ["unit__order", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "unit"], name="fulian_jm_attendance_once")]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_status_display()}"


class Decision(models.Model):
    """议定事项: what the meeting decided; it becomes tasks for member units."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("议定事项"))

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["meeting_id", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="fulian_jm_decision_number_once")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:30]}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已办结")
    CANCELLED = "cancelled", _("已撤销")


class Task(JointMeetingRecord):
    """A decision's work for one member unit, with a deadline. `organisation` is the unit's organisation."""

    decision = models.ForeignKey(Decision, verbose_name=_("议定事项"), on_delete=models.PROTECT, related_name="tasks")
    unit = models.ForeignKey(MemberUnit, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("任务"), max_length=200)
    detail = models.TextField(_("具体要求"), blank=True)
    due_on = models.DateField(_("办结期限"))
    status = models.CharField(_("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    assigned_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(_("交办时间"), auto_now_add=True)
    # Set once when the deadline passed with the task still open: raised to the secretariat once.
    escalated_at = models.DateTimeField(_("超期报送时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("交办任务")
        verbose_name_plural = _("交办任务")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["organisation", "status", "due_on"], name="fulian_jm_task_unit_idx"),
            models.Index(
                fields=["due_on"], condition=Q(status="open", escalated_at__isnull=True), name="fulian_jm_task_to_raise"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TaskProgress(models.Model):
    """A liaison's report on a task: what was done; `completed` asks the secretariat to close it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="progress")
    text = models.TextField(_("进展情况"))
    completed = models.BooleanField(_("已完成"), default=False)
    reported_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(_("报送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任务进展")
        verbose_name_plural = _("任务进展")
        ordering = ["reported_at", "pk"]

    def __str__(self) -> str:
        return f"{self.task} @ {self.reported_at:%Y-%m-%d}"
