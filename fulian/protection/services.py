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
from fulian.hotline.models import Category
from fulian.orgs.models import Organisation
from fulian.protection.models import MandatoryReport, Situation
from fulian.security.access import can, may, organisation_of
from fulian.security.identity import normalise_phone, validate_phone

MINOR_PROTECTION = "未成年人保护"
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
            validate_phone(phone)
            data["reporter_phone"] = normalise_phone(phone)
        except ValidationError as error:
            errors["reporter_phone"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def report_record(*, actor: Any, organisation: Organisation, case: Case | None = None, **data: Any) -> MandatoryReport:
    """Record a mandatory report; without a case, open one in the minor-protection category."""
    from fulian.cases.services import case_open

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
