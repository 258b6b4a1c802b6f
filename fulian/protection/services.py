"""The one write path for mandatory reports: validated, opening (or joining) a minor-protection case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.services import audit_record
from fulian.cases.models import Case, CaseEvent
from fulian.cases.services import case_open, refresh_deadline
from fulian.hotline.models import Category
from fulian.orgs.models import Organisation
from fulian.protection.models import STEP_DUE_DAYS, MandatoryReport, ProtocolItem, Situation, Step
from fulian.security.access import can, may, organisation_of
from fulian.security.identity import clean_phone

MINOR_PROTECTION = "未成年人保护"
# Situations that are (suspected) sexual abuse: their case gets the full protocol checklist.
SEXUAL_ABUSE_SITUATIONS = {"1", "2", "3"}
CLOCK_SKEW = dt.timedelta(minutes=5)


def minor_protection_category() -> Category:
    category, _created = Category.objects.get_or_create(parent=None, name=MINOR_PROTECTION, defaults={"order": 0})
    return category


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    now = timezone.now() + CLOCK_SKEW
    discovered, reported = data.get("discovered_at"), data.get("reported_at")
    if data.get("situation") not in Situation.values:
        errors["situation"] = _("请选择九种强制报告情形之一。")
    if discovered is not None and discovered > now:
        errors["discovered_at"] = _("发现时间不能晚于现在。")
    if reported is not None and reported > now:
        errors["reported_at"] = _("报告时间不能晚于现在。")
    if discovered is not None and reported is not None and reported < discovered:
        errors["reported_at"] = _("向公安机关报告的时间不能早于发现时间。")
    age = data.get("child_age")
    if age is None or not 0 <= int(age) <= 17:
        errors["child_age"] = _("强制报告针对未成年人：年龄应在 0 到 17 岁之间。")
    if data.get("situation") == "2" and age is not None and int(age) >= 14:
        errors["situation"] = _("情形（二）适用于不满十四周岁的女性未成年人。")
    if data.get("situation") == "3" and age is not None and int(age) < 14:
        errors["situation"] = _("情形（三）适用于十四周岁以上的女性未成年人。")
    if not str(data.get("reporting_unit") or "").strip():
        errors["reporting_unit"] = _("请填写报告单位。")
    if not str(data.get("police_unit") or "").strip():
        errors["police_unit"] = _("请填写接报的公安机关。")
    phone = data.get("reporter_phone")
    if phone:
        try:
            data["reporter_phone"] = clean_phone(phone)
        except ValidationError as error:
            errors["reporter_phone"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def report_record(*, actor: Any, organisation: Organisation, case: Case | None = None, **data: Any) -> MandatoryReport:
    """Record a mandatory report; without a case, open one in the minor-protection category."""
    if actor is not None:
        home = organisation_of(actor)
        if not may(actor, "create", MandatoryReport) or home is None or not organisation.is_within(home):
            raise PermissionDenied
        if case is not None and not can(actor, "edit", case):
            raise PermissionDenied
    data = _clean(dict(data))
    if case is None:
        case = case_open(
            actor=actor,
            organisation=organisation,
            category=minor_protection_category(),
            minor_involved=True,
            summary=_("强制报告：%(situation)s") % {"situation": Situation(data["situation"]).label},
            helped={"name": _("未成年人（强制报告）"), "sex": data["child_sex"], "age": data["child_age"]},
        )
    elif case.category_id != minor_protection_category().pk or not case.minor_involved:
        Case.objects.filter(pk=case.pk).update(category=minor_protection_category(), minor_involved=True)
    report = MandatoryReport.objects.create(organisation=case.organisation, case=case, created_by=actor, **data)
    CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        actor=actor,
        kind="mandatory_report",
        summary=_("强制报告：情形%(code)s，发现后 %(hours)s 小时报警")
        % {"code": report.situation, "hours": report.delay_hours},
    )
    if report.situation in SEXUAL_ABUSE_SITUATIONS:
        protocol_start(actor=actor, case=case, police_done=True)
    audit_record(
        action="mandatory_report.create",
        actor=actor,
        target=report,
        detail={"case": case.pk, "situation": report.situation, "delay_hours": report.delay_hours},
    )
    return report


def may_see_reporter(user: Any, report: MandatoryReport) -> bool:
    """The reporter's identity: the case's own caseworker, and supervisors whose scope holds the case."""
    case = report.case
    if case.caseworker_id == getattr(user, "pk", None):
        return True
    return bool(user.has_perm("fulian_cases.approve_case")) and can(user, "view", case)


@transaction.atomic
def protocol_start(*, actor: Any, case: Case, police_done: bool = False) -> list[ProtocolItem]:
    """Put the protocol checklist on a minor sexual-abuse case (once); due dates count from opening."""
    if actor is not None and not can(actor, "edit", case):
        raise PermissionDenied
    opened = timezone.localdate(case.opened_at)
    now = timezone.now()
    items = []
    for step in Step:
        item, created = ProtocolItem.objects.get_or_create(
            case=case,
            step=step,
            defaults={"due_on": opened + dt.timedelta(days=STEP_DUE_DAYS[step]), "owner": case.caseworker},
        )
        if created and police_done and step == Step.POLICE:
            item.done_at, item.done_by = now, actor
            item.save(update_fields=["done_at", "done_by"])
        items.append(item)
    refresh_deadline(case)
    CaseEvent.objects.create(
        case=case, at=now, actor=actor, kind="protocol", summary=_("启动未成年人性侵害案件办理流程")
    )
    audit_record(action="protocol.start", actor=actor, target=case)
    return items


@transaction.atomic
def protocol_item_done(*, actor: Any, item: ProtocolItem) -> ProtocolItem:
    if actor is not None and not can(actor, "edit", item.case):
        raise PermissionDenied
    if not ProtocolItem.objects.filter(pk=item.pk, done_at__isnull=True).update(done_at=timezone.now(), done_by=actor):
        raise ValidationError(_("该步骤已完成。"))
    refresh_deadline(item.case)
    CaseEvent.objects.create(
        case=item.case, at=timezone.now(), actor=actor, kind="protocol_step",
        summary=_("完成流程步骤：%(step)s") % {"step": item.get_step_display()},
    )  # fmt: skip
    audit_record(action="protocol.step", actor=actor, target=item.case, detail={"step": item.step})
    return item


def protocol_progress(case: Case) -> tuple[int, int]:
    """(done, total) steps of the case's checklist."""
    items = list(case.protocol.values_list("done_at", flat=True))
    return sum(1 for done in items if done is not None), len(items)
