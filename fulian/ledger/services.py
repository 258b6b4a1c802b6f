"""The one write path for the ledger: families, members, visits, grade changes, and the case a
visit's findings call for. Each operation checks access, validates in Chinese, and writes its
audit record in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.services import audit_record
from fulian.ledger.models import (
    Family,
    FamilySequence,
    FamilyType,
    GradeChange,
    Help,
    Member,
    Relationship,
    RiskGrade,
    Visit,
    VisitMethod,
)
from fulian.orgs.models import Organisation, OrganisationKind
from fulian.people.models import Sex
from fulian.security.access import can, claim_version, may, organisation_of, visible
from fulian.security.blind import blind_index
from fulian.security.identity import birth_date_of, clean_phone, id_number_problem, normalise_id_number

CONFLICT = "该家庭的信息已被他人修改，请刷新后重新填写。"
MAX_RELIEF = Decimal("1000000")


def _require(actor: Any, action: str, family: Family) -> None:
    if actor is not None and not can(actor, action, family):
        raise PermissionDenied


def _bump(family: Family, version: int) -> None:
    claim_version(family, version, _(CONFLICT))


def allocate_numbers(organisation: Organisation, count: int) -> list[str]:
    """`count` new ledger numbers for the office, in one locked step (an import takes thousands)."""
    FamilySequence.objects.get_or_create(organisation=organisation)
    sequence = FamilySequence.objects.select_for_update().get(organisation=organisation)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    prefix = organisation.division_code or f"O{organisation.pk}"
    return [f"{prefix}-{n:05d}" for n in range(first, first + count)]


def _text(value: Any, limit: int = 2000) -> str:
    return str(value or "").strip()[:limit]


def clean_family(data: dict[str, Any], *, organisation: Organisation | None = None) -> dict[str, Any]:
    """Validate a family's own fields (shared by the form, the import and the API)."""
    errors: dict[str, str] = {}
    data = dict(data)
    data["head_name"] = " ".join(_text(data.get("head_name"), 50).split())
    if not data["head_name"]:
        errors["head_name"] = _("请填写户主姓名。")
    for key, limit in (("address", 200), ("grid", 50), ("grade_reason", 500), ("needs", 1000)):
        if key in data:
            data[key] = _text(data[key], limit)
    grade = data.get("grade")
    if not isinstance(grade, RiskGrade) or not grade.active:
        errors["grade"] = _("请选择风险等级。")
    types = list(data.get("types") or [])
    if not types:
        errors["types"] = _("请至少选择一种家庭类型。")
    elif any(not isinstance(t, FamilyType) or not t.active for t in types):
        errors["types"] = _("家庭类型无效或已停用。")
    data["types"] = types
    if organisation is not None and organisation.kind == OrganisationKind.MEMBER_UNIT:
        errors["organisation"] = _("台账只能由妇联组织管理。")
    cadre = data.get("cadre")
    if cadre is not None and organisation is not None:
        home = organisation_of(cadre)
        if home is None or not (organisation.is_within(home) or home.is_within(organisation)):
            errors["cadre"] = _("包保干部应是本辖区的妇联干部。")
    if errors:
        raise ValidationError(errors)
    return data


def clean_member(data: dict[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """Validate one member: name, a valid ID number (checksum), its birth date and sex agreeing."""
    errors: dict[str, str] = {}
    data = dict(data)
    today = today or timezone.localdate()
    data["name"] = " ".join(_text(data.get("name"), 50).split())
    if not data["name"]:
        errors["name"] = _("请填写成员姓名。")
    id_number = _text(data.get("id_number"), 30)
    if id_number:
        problem = id_number_problem(id_number)
        if problem:
            errors["id_number"] = problem
        else:
            id_number = normalise_id_number(id_number)
            born = birth_date_of(id_number)
            if data.get("birth_date") and data["birth_date"] != born:
                errors["birth_date"] = _("出生日期与身份证号不一致。")
            data["birth_date"] = born
            sex = "M" if int(id_number[16]) % 2 else "F"
            if data.get("sex") in ("M", "F") and data["sex"] != sex:
                errors["sex"] = _("性别与身份证号不一致。")
            data["sex"] = sex
    data["id_number"] = id_number
    if data.get("birth_date") and data["birth_date"] > today:
        errors["birth_date"] = _("出生日期不能晚于今天。")
    if data.get("sex", Sex.UNKNOWN) not in Sex.values:
        errors["sex"] = _("性别无效。")
    if data.get("relationship") not in Relationship.values:
        errors["relationship"] = _("请选择与户主的关系。")
    phone = _text(data.get("phone"), 30)
    if phone:
        try:
            phone = clean_phone(phone)
        except ValidationError as error:
            errors["phone"] = error.messages[0]
    data["phone"] = phone
    for key, limit in (("school_or_work", 100), ("health", 500)):
        data[key] = _text(data.get(key), limit)
    if errors:
        raise ValidationError(errors)
    return data


@dataclass(frozen=True)
class Match:
    """A member elsewhere in the ledger with the same ID number."""

    member_pk: int
    family_pk: int
    family_number: str  # empty when the other family is outside the user's scope
    same_family: bool


def same_person(actor: Any, id_number: str, *, exclude_member: int | None = None) -> list[Match]:
    """Members anywhere in the ledger with this ID number (the warning names only families in scope)."""
    if not id_number or id_number_problem(id_number):
        return []
    rows = Member.objects.filter(id_number_index=blind_index("id_number", id_number)).select_related("family")
    if exclude_member is not None:
        rows = rows.exclude(pk=exclude_member)
    in_scope = set(visible(actor, Family).values_list("pk", flat=True)) if actor is not None else None
    return [
        Match(m.pk, m.family_id, m.family.number if in_scope is None or m.family_id in in_scope else "", False)
        for m in rows[:5]
    ]


class SamePersonWarning(ValidationError):
    """The ID number is already in the ledger: the user must confirm before the person is linked."""

    def __init__(self, matches: list[Match]) -> None:
        self.matches = matches
        numbers = "、".join(m.family_number for m in matches if m.family_number) or _("其他辖区的台账")
        super().__init__(
            {"id_number": _("此身份证号已登记在 %(where)s 中。如确为同一人，请勾选“确认是同一人并关联”后再保存。")
             % {"where": numbers}}
        )  # fmt: skip


@transaction.atomic
def family_create(
    *, actor: Any, organisation: Organisation, members: Iterable[dict[str, Any]] = (), **data: Any
) -> Family:
    """Register a household (and its members). Its first visit falls due one grade period from today."""
    if actor is not None:
        home = organisation_of(actor)
        if not may(actor, "create", Family) or home is None or not organisation.is_within(home):
            raise PermissionDenied
    data = clean_family(data, organisation=organisation)
    types = data.pop("types")
    today = timezone.localdate()
    family = Family.objects.create(
        organisation=organisation,
        number=allocate_numbers(organisation, 1)[0],
        next_visit_on=today + dt.timedelta(days=data["grade"].visit_every_days),
        created_by=actor,
        **data,
    )
    family.types.set(types)
    GradeChange.objects.create(family=family, from_grade=None, to_grade=family.grade, reason=family.grade_reason,
                               at=timezone.now(), by=actor)  # fmt: skip
    for member in members:
        member_add(actor=None, family=family, **member)
    audit_record(action="family.create", actor=actor, target=family, detail={"grade": family.grade.code})
    return family


@transaction.atomic
def family_update(*, actor: Any, family: Family, version: int, **data: Any) -> Family:
    """Change a family's own fields (not its grade: that is `grade_change`, with a reason)."""
    _require(actor, "edit", family)
    data.setdefault("grade", family.grade)
    data = clean_family(data, organisation=family.organisation)
    if data["grade"] != family.grade:
        raise ValidationError({"grade": _("调整风险等级请使用“调整等级”，并填写理由。")})
    types = data.pop("types")
    _bump(family, version)
    changed = sorted(k for k, v in data.items() if getattr(family, k) != v)
    for key, value in data.items():
        setattr(family, key, value)
    family.save()
    family.types.set(types)
    audit_record(action="family.update", actor=actor, target=family, detail={"changed": changed})
    return family


@transaction.atomic
def member_add(*, actor: Any, family: Family, confirm_same_person: bool = False, **data: Any) -> Member:
    """Add a member. A known ID number is refused with a warning unless the user confirms it is the
    same person, who is then linked to the other record (never silently entered twice)."""
    if actor is not None:
        _require(actor, "edit", family)
    data = clean_member(data)
    matches = same_person(actor, data["id_number"])
    if any(m.family_pk == family.pk for m in matches):
        raise ValidationError({"id_number": _("此人已是本家庭的成员。")})
    if matches and not confirm_same_person:
        raise SamePersonWarning(matches)
    member = Member.objects.create(family=family, same_person_as_id=matches[0].member_pk if matches else None, **data)
    if actor is not None:
        audit_record(action="family.member_add", actor=actor, target=family,
                     detail={"member": member.pk, "linked": bool(matches)})  # fmt: skip
    return member


@transaction.atomic
def member_update(*, actor: Any, member: Member, **data: Any) -> Member:
    """Change a member; blank personal fields keep their stored values."""
    family = member.family
    _require(actor, "edit", family)
    current = {k: getattr(member, k) for k in ("name", "id_number", "sex", "birth_date", "relationship", "phone",
                                               "school_or_work", "health")}  # fmt: skip
    current.update({k: v for k, v in data.items() if v not in ("", None)})
    if data.get("id_number") and normalise_id_number(data["id_number"]) != member.id_number:
        current["birth_date"], current["sex"] = None, Sex.UNKNOWN  # taken from the new number
    cleaned = clean_member(current)
    renumbered = cleaned["id_number"] and cleaned["id_number"] != member.id_number
    if renumbered and any(
        m.family_pk == family.pk for m in same_person(actor, cleaned["id_number"], exclude_member=member.pk)
    ):
        raise ValidationError({"id_number": _("此人已是本家庭的成员。")})
    changed = sorted(k for k, v in cleaned.items() if getattr(member, k) != v)
    for key, value in cleaned.items():
        setattr(member, key, value)
    member.save()
    audit_record(action="family.member_update", actor=actor, target=family,
                 detail={"member": member.pk, "changed": changed})  # fmt: skip
    return member


def _set_grade(actor: Any, family: Family, grade: RiskGrade, reason: str) -> bool:
    """Record a grade change and move the next visit to the new grade's period. True when the
    family was raised to a grade that calls for a case."""
    if not isinstance(grade, RiskGrade) or not grade.active:
        raise ValidationError({"grade": _("请选择风险等级。")})
    if grade == family.grade:
        return False
    reason = _text(reason, 500)
    if not reason:
        raise ValidationError({"grade_reason": _("调整风险等级必须填写理由。")})
    raised = grade.severity > family.grade.severity
    GradeChange.objects.create(family=family, from_grade=family.grade, to_grade=grade, reason=reason,
                               at=timezone.now(), by=actor)  # fmt: skip
    family.grade, family.grade_reason = grade, reason
    base = family.last_visit_on or timezone.localdate()
    family.next_visit_on = base + dt.timedelta(days=grade.visit_every_days)
    family.save(update_fields=["grade", "grade_reason", "next_visit_on", "updated_at"])
    return raised and grade.opens_case


@transaction.atomic
def grade_change(*, actor: Any, family: Family, version: int, grade: RiskGrade, reason: str) -> bool:
    """Change the risk grade with its reason; True when the user should be prompted to open a case."""
    _require(actor, "edit", family)
    before = family.grade.code
    _bump(family, version)
    prompt = _set_grade(actor, family, grade, reason)
    audit_record(action="family.grade", actor=actor, target=family, detail={"from": before, "to": grade.code})
    return prompt


@dataclass(frozen=True)
class VisitResult:
    visit: Visit
    prompt_case: bool  # violence or a child in danger found, or raised to a grade that calls for a case


@transaction.atomic
def visit_record(
    *, actor: Any, family: Family, visited_on: dt.date, visitors: str, method: str = VisitMethod.HOME,
    findings: str = "", needs_found: str = "", help_given: Iterable[str] = (), relief_amount: Decimal | None = None,
    follow_up: str = "", violence_found: bool = False, child_in_danger: bool = False,
    grade: RiskGrade | None = None, grade_reason: str = "",
) -> VisitResult:  # fmt: skip
    """Record a care visit; the next visit falls due one grade period after it. The grade may change
    with a reason."""
    _require(actor, "edit", family)
    family = Family.objects.select_for_update().select_related("grade").get(pk=family.pk)
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if visited_on > today:
        errors["visited_on"] = _("走访日期不能晚于今天。")
    elif visited_on < timezone.localdate(family.created_at) - dt.timedelta(days=366):
        errors["visited_on"] = _("走访日期过早，请核对。")
    if not _text(visitors, 100):
        errors["visitors"] = _("请填写走访人。")
    if method not in VisitMethod.values:
        errors["method"] = _("请选择走访方式。")
    help_codes = list(dict.fromkeys(help_given))
    if any(code not in Help.values for code in help_codes):
        errors["help_given"] = _("提供的帮助中有无法识别的类别。")
    if relief_amount is not None and not Decimal(0) <= relief_amount <= MAX_RELIEF:
        errors["relief_amount"] = _("救助金额应在 0 到 1,000,000 元之间。")
    if relief_amount and Help.RELIEF_MONEY not in help_codes:
        help_codes.append(Help.RELIEF_MONEY)
    if grade is not None and grade != family.grade and not _text(grade_reason):
        errors["grade_reason"] = _("调整风险等级必须填写理由。")
    if errors:
        raise ValidationError(errors)
    visit = Visit.objects.create(
        family=family, visited_on=visited_on, visitors=_text(visitors, 100), method=method,
        findings=_text(findings), needs_found=_text(needs_found), help_given=help_codes, relief_amount=relief_amount,
        follow_up=_text(follow_up), violence_found=violence_found, child_in_danger=child_in_danger, recorded_by=actor,
    )  # fmt: skip
    if family.last_visit_on is None or visited_on >= family.last_visit_on:
        family.last_visit_on = visited_on
        family.next_visit_on = visited_on + dt.timedelta(days=family.grade.visit_every_days)
        family.save(update_fields=["last_visit_on", "next_visit_on", "updated_at"])
    raised = _set_grade(actor, family, grade, grade_reason) if grade is not None else False
    Family.objects.filter(pk=family.pk).update(version=F("version") + 1)
    audit_record(
        action="family.visit", actor=actor, target=family,
        detail={"visit": visit.pk, "grade": family.grade.code, "violence": violence_found, "child": child_in_danger},
    )  # fmt: skip
    return VisitResult(visit, raised or violence_found or child_in_danger)


@transaction.atomic
def family_open_case(
    *, actor: Any, family: Family, member: Member | None, category: Any, summary: str, minor_involved: bool = False
) -> Any:
    """Open a case for what a visit found and link it to the family."""
    from fulian.cases.services import case_open

    _require(actor, "edit", family)
    if member is not None and member.family_id != family.pk:
        raise ValidationError({"member": _("请选择本家庭的成员。")})
    if not _text(summary):
        raise ValidationError({"summary": _("请简要说明情况。")})
    helped: dict[str, Any] = {}
    if member is not None:
        helped = {"name": member.name, "phone": member.phone, "sex": member.sex, "age": member.age()}
        if member.id_number:
            helped["id_number"] = member.id_number
    case = case_open(
        actor=actor, organisation=family.organisation, category=category, summary=_text(summary), helped=helped,
        minor_involved=minor_involved or (member is not None and member.minor),
    )  # fmt: skip
    family.cases.add(case)
    audit_record(action="family.case", actor=actor, target=family, detail={"case": case.pk})
    return case


def overdue_families(user: Any, *, today: dt.date | None = None, mine: bool = False) -> QuerySet[Family]:
    """Families past their next visit in the user's scope (a cadre: her own), most overdue first."""
    today = today or timezone.localdate()
    families = visible(user, Family).filter(next_visit_on__lt=today)
    if mine:
        families = families.filter(cadre=user.pk)
    return families.order_by("next_visit_on", "pk")
