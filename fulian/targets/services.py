"""The one write path for the target-responsibility letters: years, letters and their targets,
signing, return rounds, the units' returns, reminders and the assessment.

Each operation checks who may do it, validates in Chinese (ValidationError) and writes its audit
record in the same transaction. The decisions the rules rest on:

- **Closing a year freezes what the units report and what the letters say**: no more returns,
  rounds, letters or target edits. **Scoring is open all year** (a mid-year assessment after
  the half-year returns is common practice, and the final one follows the full-year returns);
  reopening a signed letter removes its scores, since they were given against the signed targets.
- **Weights total 100 at signing.** A draft may be saved with any total (drafting is done in
  steps; the page shows the running total), signing refuses any other total, and a signed
  letter's targets cannot be saved at all until the secretariat reopens it with a reason.
- **A target naming a platform indicator is always scored by proportion** of its target value,
  from the figure the platform computes (`indicators.compute`), never from a typed figure or a
  rating; the figure used is kept on the score. Where the platform has nothing to measure (the
  figure is None), or a proportional target has no reported value, the secretariat rates it
  instead and must say why in the note.
- **A unit reports only for itself**: the actor's organisation must be the return's, whatever
  the actor's permissions (the secretariat reads every return and sends one back, never fills it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.audit.services import audit_record, audit_record_many
from fulian.jointmeeting.models import OVERSEE_PERMISSION, MemberUnit, Officer, OfficerPost
from fulian.security.access import EditConflict, can, claim_version, may, organisation_of
from fulian.targets import indicators
from fulian.targets.models import (
    Letter,
    LetterStatus,
    Rating,
    Return,
    ReturnLine,
    ReturnReminder,
    ReturnRound,
    ReturnStatus,
    Score,
    Scoring,
    Signatory,
    SignatorySide,
    Target,
    TargetYear,
)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MAX_VALUE = Decimal("9999999999.99")  # what a value column (12 digits, 2 places) holds
MAX_TARGETS = 50
MAX_NUMBER = 999

LETTER_CONFLICT = gettext_lazy("该责任书已被他人修改，请刷新后重新填写。")
RETURN_CONFLICT = gettext_lazy("该进展报送已被他人修改，请刷新后重新填写。")
SCORE_CONFLICT = gettext_lazy("该目标的评分已被他人修改，请刷新后重新评分。")


# --- helpers ------------------------------------------------------------------------------------


def points_text(value: Decimal | int | None) -> str:
    """100.00 → "100", 12.50 → "12.5": how the messages and pages write points and weights."""
    if value is None:
        return ""
    number = Decimal(value).quantize(CENT)
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _text(value: Any, limit: int) -> str:
    return str(value or "").strip()[:limit]


def _decimal(value: Any) -> Decimal | None:
    """A decimal from a form, a service call or a command; None when blank. Raises ValueError when not a finite number."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = str(value)
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def _require(actor: Any, action: str, record: Any) -> None:
    if actor is not None and not can(actor, action, record):
        raise PermissionDenied


def _require_secretariat(actor: Any) -> None:
    if actor is not None and not actor.has_perm(OVERSEE_PERMISSION):
        raise PermissionDenied


def closed_message(year: TargetYear) -> str:
    return _("%(year)s 年度已关闭，不能再填报或修改。") % {"year": year.year}


def _open_year(year: TargetYear) -> None:
    """Refuse any change to a closed year (read again: it may have been closed since the page was opened)."""
    if year.closed or TargetYear.objects.filter(pk=year.pk, closed_at__isnull=False).exists():
        raise ValidationError(closed_message(year))


def same_organisation(actor: Any, organisation_id: int) -> bool:
    home = organisation_of(actor)
    return home is not None and home.pk == organisation_id


# --- years --------------------------------------------------------------------------------------


@transaction.atomic
def year_create(*, actor: Any, year: int, title: str) -> TargetYear:
    """Open a year of letters (the secretariat)."""
    if actor is not None and not actor.has_perm("fulian_targets.add_targetyear"):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("年度应在 2000 到 2100 之间。")
    elif TargetYear.objects.filter(year=year).exists():
        errors["year"] = _("%(year)s 年度已经存在。") % {"year": year}
    title = " ".join(_text(title, 120).split())
    if not title:
        errors["title"] = _("请填写责任书名称。")
    if errors:
        raise ValidationError(errors)
    record = TargetYear.objects.create(year=year, title=title)
    audit_record(action="targets.year.create", actor=actor, target=record, detail={"year": year})
    return record


@transaction.atomic
def year_close(*, actor: Any, year: TargetYear) -> TargetYear:
    """Close the year: returns, rounds, letters and targets are frozen; the assessment can begin."""
    if actor is not None and not actor.has_perm("fulian_targets.change_targetyear"):
        raise PermissionDenied
    now = timezone.now()
    if not TargetYear.objects.filter(pk=year.pk, closed_at__isnull=True).update(closed_at=now, closed_by=actor):
        raise ValidationError(_("%(year)s 年度已经关闭。") % {"year": year.year})
    year.closed_at, year.closed_by = now, actor
    audit_record(action="targets.year.close", actor=actor, target=year, detail={"year": year.year})
    return year


# --- letters ------------------------------------------------------------------------------------


def signing_units() -> models.QuerySet[MemberUnit]:
    """The member units that sign a letter each year."""
    return MemberUnit.objects.filter(active=True, signs_letter=True).select_related("organisation")


def _default_issuers() -> list[tuple[str, str]]:
    """The joint meeting's side: its chair (or, with no chair recorded, its first deputy chair)."""
    officers = list(Officer.objects.filter(active=True, post=OfficerPost.CHAIR).order_by("order", "pk"))
    if not officers:
        officers = list(Officer.objects.filter(active=True, post=OfficerPost.DEPUTY).order_by("order", "pk")[:1])
    return [(o.name, o.title) for o in officers]


@transaction.atomic
def letter_create(*, actor: Any, year: TargetYear, unit: MemberUnit, template: Letter | None = None) -> Letter:
    """Draft a unit's letter for the year, copying a template letter's text, targets and issuer side if given."""
    if actor is not None and not may(actor, "create", Letter):
        raise PermissionDenied
    _open_year(year)
    if not (unit.active and unit.signs_letter):
        raise ValidationError({"unit": _("%(unit)s 不签订目标管理责任书。") % {"unit": unit}})
    if Letter.objects.filter(year=year, unit=unit).exists():
        raise ValidationError(
            {"unit": _("%(unit)s %(year)s 年度的责任书已经存在。") % {"unit": unit, "year": year.year}}
        )
    if template is not None:
        _require(actor, "view", template)
    letter = Letter.objects.create(
        organisation_id=unit.organisation_id,
        year=year,
        unit=unit,
        preamble=template.preamble if template else "",
        closing=template.closing if template else "",
        created_by=actor,
    )
    issuers: list[tuple[str, str]] = []
    if template is not None:
        Target.objects.bulk_create(
            Target(letter=letter, number=t.number, text=t.text, indicator=t.indicator, measure=t.measure,
                   target_value=t.target_value, value_unit=t.value_unit, weight=t.weight, scoring=t.scoring)
            for t in template.targets.all()
        )  # fmt: skip
        issuers = [(s.name, s.title) for s in template.signatories.filter(side=SignatorySide.JOINT_MEETING)]
    Signatory.objects.bulk_create(
        Signatory(letter=letter, side=SignatorySide.JOINT_MEETING, name=name, title=title, order=n)
        for n, (name, title) in enumerate(issuers or _default_issuers(), start=1)
    )
    audit_record(
        action="targets.letter.create",
        actor=actor,
        target=letter,
        detail={"year": year.year, "unit": unit.pk, "template": template.pk if template else None},
    )
    return letter


@transaction.atomic
def letters_create_missing(*, actor: Any, year: TargetYear, template: Letter | None = None) -> list[Letter]:
    """A draft letter for every signing unit that has none this year (the same targets for all, from the template)."""
    if actor is not None and not may(actor, "create", Letter):
        raise PermissionDenied
    _open_year(year)
    have = set(Letter.objects.filter(year=year).values_list("unit_id", flat=True))
    return [
        letter_create(actor=actor, year=year, unit=unit, template=template)
        for unit in signing_units().order_by("order", "pk")
        if unit.pk not in have
    ]


def _clean_target(row: Mapping[str, Any], position: int) -> tuple[dict[str, Any], list[str]]:
    """One target's fields, or the reasons it is refused (each names the target's number)."""
    errors: list[str] = []
    number = row.get("number")
    label = number if isinstance(number, int) and not isinstance(number, bool) else position
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= MAX_NUMBER:
        errors.append(_("第 %(n)s 行的序号应在 1 到 999 之间。") % {"n": position})
    text = _text(row.get("text"), 2000)
    if not text:
        errors.append(_("第 %(n)s 项目标请填写目标任务。") % {"n": label})
    code = _text(row.get("indicator"), 40)
    indicator = indicators.INDICATORS.get(code) if code else None
    if code and indicator is None:
        errors.append(_("第 %(n)s 项目标的平台指标无效。") % {"n": label})
    scoring = row.get("scoring") or Scoring.RATED
    if scoring not in Scoring.values:
        errors.append(_("第 %(n)s 项目标的计分规则无效。") % {"n": label})
    if code:
        # The platform's figure is compared with the target value: a rating would put a judgement over it.
        scoring = Scoring.PROPORTIONAL
    try:
        weight = _decimal(row.get("weight"))
    except ValueError:
        weight = None
    if weight is None or not Decimal(0) < weight <= HUNDRED or weight != weight.quantize(CENT):
        errors.append(_("第 %(n)s 项目标的分值应大于 0、不超过 100 分，最多两位小数。") % {"n": label})
    try:
        target_value = _decimal(row.get("target_value"))
    except ValueError:
        target_value = None
        errors.append(_("第 %(n)s 项目标的目标值应为数字。") % {"n": label})
    if target_value is not None and not Decimal(0) <= target_value <= MAX_VALUE:
        errors.append(_("第 %(n)s 项目标的目标值不能为负数或过大。") % {"n": label})
    elif target_value is not None:
        target_value = target_value.quantize(CENT, ROUND_HALF_UP)
    if code and not target_value:
        errors.append(_("第 %(n)s 项目标选择了平台指标，须填写大于 0 的目标值。") % {"n": label})
    elif scoring == Scoring.PROPORTIONAL and not target_value:
        errors.append(_("第 %(n)s 项目标按完成比例计分，须填写大于 0 的目标值。") % {"n": label})
    value_unit = _text(row.get("value_unit"), 10) or (indicator.value_unit if indicator else "")
    cleaned = {
        "number": number, "text": text, "indicator": code, "measure": _text(row.get("measure"), 200),
        "target_value": target_value, "value_unit": value_unit[:10], "weight": weight, "scoring": scoring,
    }  # fmt: skip
    return cleaned, errors


def clean_targets(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """All targets of a letter, checked; `id` (an existing target) is kept. Raises one ValidationError listing every problem."""
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    if len(rows) > MAX_TARGETS:
        raise ValidationError({"targets": _("一份责任书最多 %(n)s 项目标。") % {"n": MAX_TARGETS}})
    seen: set[int] = set()
    for position, row in enumerate(rows, start=1):
        target, problems = _clean_target(row, position)
        errors += problems
        if isinstance(target["number"], int) and target["number"] in seen:
            errors.append(_("目标序号 %(n)s 重复。") % {"n": target["number"]})
        if isinstance(target["number"], int):
            seen.add(target["number"])
        target["id"] = row.get("id") or None
        cleaned.append(target)
    if errors:
        raise ValidationError({"targets": errors})
    return cleaned


def clean_signatories(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    for position, row in enumerate(rows, start=1):
        side, name, title = row.get("side"), _text(row.get("name"), 30), _text(row.get("title"), 60)
        if side not in SignatorySide.values:
            errors.append(_("第 %(n)s 位签订人请选择签订方。") % {"n": position})
        if not name or not title:
            errors.append(_("第 %(n)s 位签订人请填写姓名和职务。") % {"n": position})
        order = row.get("order")
        cleaned.append({"side": side, "name": name, "title": title,
                        "order": order if isinstance(order, int) and 0 <= order <= 999 else position})  # fmt: skip
    if errors:
        raise ValidationError({"signatories": errors})
    return cleaned


def weight_total(letter: Letter) -> Decimal:
    return letter.targets.aggregate(total=models.Sum("weight"))["total"] or Decimal(0)


def _frozen(letter: Letter) -> None:
    if letter.status == LetterStatus.SIGNED:
        raise ValidationError(_("责任书已签订，目标已锁定；如需修改，请先“退回修改”并说明理由。"))


@transaction.atomic
def letter_save(
    *, actor: Any, letter: Letter, expected_version: int, preamble: str | None = None, closing: str | None = None,
    targets: Sequence[Mapping[str, Any]] | None = None, signatories: Sequence[Mapping[str, Any]] | None = None,
) -> Letter:  # fmt: skip
    """Save a draft letter; what is not given (None) stays as it is. `targets`: the letter's whole
    list (a row with `id` updates that target, a row without adds one, a target left out is
    removed); `signatories`: replaced. Any weight total is accepted while drafting; signing checks it."""
    _require(actor, "edit", letter)
    _open_year(letter.year)
    _frozen(Letter.objects.get(pk=letter.pk))
    rows = clean_targets(targets) if targets is not None else None
    people = clean_signatories(signatories) if signatories is not None else None
    existing = {t.pk: t for t in letter.targets.all()}
    removed: list[Target] = []
    if rows is not None:
        kept = {row["id"] for row in rows if row["id"] is not None}
        if not kept <= set(existing):
            raise ValidationError({"targets": _("目标不属于本责任书，请刷新后重新填写。")})
        removed = [t for pk, t in existing.items() if pk not in kept]
        reported = set(ReturnLine.objects.filter(target__in=removed).values_list("target__number", flat=True))
        if reported:
            numbers = "、".join(str(n) for n in sorted(reported))
            raise ValidationError({"targets": _("第 %(n)s 项目标已有单位填报进展，不能删除。") % {"n": numbers}})
    claim_version(letter, expected_version, LETTER_CONFLICT)
    if rows is not None:
        _replace_targets(letter, existing, rows, removed)
    if people is not None:
        letter.signatories.all().delete()
        Signatory.objects.bulk_create(Signatory(letter=letter, **person) for person in people)
    if preamble is not None:
        letter.preamble = _text(preamble, 20000)
    if closing is not None:
        letter.closing = _text(closing, 20000)
    letter.save(update_fields=["preamble", "closing"])
    audit_record(
        action="targets.letter.save",
        actor=actor,
        target=letter,
        detail={
            "targets": letter.targets.count(),
            "removed": len(removed),
            "weight": points_text(weight_total(letter)),
        },
    )
    return letter


def _replace_targets(
    letter: Letter, existing: dict[int, Target], rows: list[dict[str, Any]], removed: list[Target]
) -> None:
    Target.objects.filter(pk__in=[t.pk for t in removed]).delete()
    kept = {row["id"] for row in rows if row["id"] is not None}
    # Numbers are unique per letter: park the kept targets' numbers first, so a renumbering never collides.
    for target in existing.values():
        if target.pk in kept:
            Target.objects.filter(pk=target.pk).update(number=10000 + target.number)
    fields = ("number", "text", "indicator", "measure", "target_value", "value_unit", "weight", "scoring")
    for row in rows:
        values = {k: row[k] for k in fields}
        if row["id"] is None:
            Target.objects.create(letter=letter, **values)
        else:
            Target.objects.filter(pk=row["id"]).update(**values)


@transaction.atomic
def letter_sign(*, actor: Any, letter: Letter, signed_on: dt.date, expected_version: int | None = None) -> Letter:
    """Record the signing. Refused unless the targets' weights total 100 and both sides have signatories."""
    _require(actor, "edit", letter)
    _open_year(letter.year)
    current = Letter.objects.get(pk=letter.pk)
    if current.status == LetterStatus.SIGNED:
        raise ValidationError(_("责任书已经签订。"))
    errors: list[str] = []
    if not isinstance(signed_on, dt.date):
        errors.append(_("请填写签订日期。"))
    elif signed_on > timezone.localdate():
        errors.append(_("签订日期不能晚于今天。"))
    targets = list(letter.targets.all())
    if not targets:
        errors.append(_("责任书还没有目标，不能签订。"))
    else:
        total = sum((t.weight for t in targets), Decimal(0))
        if total != HUNDRED:
            errors.append(_("各项目标分值合计应为 100 分，现为 %(total)s 分。") % {"total": points_text(total)})
        for position, target in enumerate(targets, start=1):
            errors += _clean_target({f: getattr(target, f) for f in (
                "number", "text", "indicator", "measure", "target_value", "value_unit", "weight", "scoring")}, position)[1]  # fmt: skip
    sides = set(letter.signatories.values_list("side", flat=True))
    if SignatorySide.JOINT_MEETING not in sides:
        errors.append(_("请填写甲方（联席会议）签订人。"))
    if SignatorySide.UNIT not in sides:
        errors.append(_("请填写乙方（责任单位）签订人。"))
    if errors:
        raise ValidationError(errors)
    claim_version(letter, expected_version, LETTER_CONFLICT)
    letter.status, letter.signed_on = LetterStatus.SIGNED, signed_on
    letter.save(update_fields=["status", "signed_on"])
    audit_record(action="targets.letter.sign", actor=actor, target=letter, detail={"signed_on": signed_on.isoformat()})
    return letter


@transaction.atomic
def letter_reopen(*, actor: Any, letter: Letter, reason: str, expected_version: int | None = None) -> Letter:
    """Amend a signed letter: back to draft (targets editable, returns paused) with the reason, audited."""
    _require(actor, "edit", letter)
    _open_year(letter.year)
    if Letter.objects.get(pk=letter.pk).status != LetterStatus.SIGNED:
        raise ValidationError(_("责任书尚未签订，无需退回修改。"))
    reason = _text(reason, 500)
    if not reason:
        raise ValidationError({"reason": _("请填写退回修改的理由。")})
    claim_version(letter, expected_version, LETTER_CONFLICT)
    letter.status, letter.signed_on = LetterStatus.DRAFT, None
    letter.save(update_fields=["status", "signed_on"])
    # Scores were given against the targets as signed; once the targets may change they no longer hold.
    removed, _detail = Score.objects.filter(target__letter=letter).delete()
    audit_record(action="targets.letter.reopen", actor=actor, target=letter,
                 detail={"reason": reason, "scores_removed": removed})  # fmt: skip
    return letter


# --- return rounds ------------------------------------------------------------------------------


def _clean_round(
    year: TargetYear, title: str, period_end: Any, due_on: Any, remind_days: Any, exclude: int | None = None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = " ".join(_text(title, 60).split())
    if not title:
        errors["title"] = _("请填写轮次名称。")
    elif ReturnRound.objects.filter(year=year, title=title).exclude(pk=exclude or 0).exists():
        errors["title"] = _("本年度已有同名的报送轮次。")
    if not isinstance(period_end, dt.date):
        errors["period_end"] = _("请填写统计截止日期。")
    elif period_end.year != year.year:
        errors["period_end"] = _("统计截止日期应在 %(year)s 年度内。") % {"year": year.year}
    if not isinstance(due_on, dt.date):
        errors["due_on"] = _("请填写报送期限。")
    elif isinstance(period_end, dt.date) and due_on < period_end:
        errors["due_on"] = _("报送期限不能早于统计截止日期。")
    if not isinstance(remind_days, int) or isinstance(remind_days, bool) or not 0 <= remind_days <= 90:
        errors["remind_days"] = _("提前提醒天数应在 0 到 90 天之间。")
    if errors:
        raise ValidationError(errors)
    return {"title": title, "period_end": period_end, "due_on": due_on, "remind_days": remind_days}


@transaction.atomic
def round_create(
    *, actor: Any, year: TargetYear, title: str, period_end: dt.date, due_on: dt.date, remind_days: int = 5
) -> ReturnRound:
    """A reporting round: the period it covers and when the units' returns are due."""
    _require_secretariat(actor)
    _open_year(year)
    data = _clean_round(year, title, period_end, due_on, remind_days)
    record = ReturnRound.objects.create(year=year, created_by=actor, **data)
    audit_record(action="targets.round.create", actor=actor, target=record,
                 detail={"year": year.year, "due_on": record.due_on.isoformat()})  # fmt: skip
    return record


@transaction.atomic
def round_update(
    *, actor: Any, round: ReturnRound, title: str, period_end: dt.date, due_on: dt.date, remind_days: int
) -> ReturnRound:
    """Change a round's title or dates (a reminder already sent is not sent again)."""
    _require_secretariat(actor)
    _open_year(round.year)
    data = _clean_round(round.year, title, period_end, due_on, remind_days, exclude=round.pk)
    for key, value in data.items():
        setattr(round, key, value)
    round.save(update_fields=list(data))
    audit_record(action="targets.round.update", actor=actor, target=round, detail={"due_on": round.due_on.isoformat()})
    return round


# --- returns ------------------------------------------------------------------------------------


def _own_unit(actor: Any, organisation_id: int) -> None:
    if actor is not None and not same_organisation(actor, organisation_id):
        raise ValidationError(_("只能填报本单位的进展。"))


def _sync_lines(record: Return) -> None:
    """One line per target of the letter (a reopened letter may have gained targets)."""
    have = set(record.lines.values_list("target_id", flat=True))
    ReturnLine.objects.bulk_create(
        ReturnLine(return_record=record, target=t) for t in record.letter.targets.all() if t.pk not in have
    )


@transaction.atomic
def return_open(*, actor: Any, round: ReturnRound, letter: Letter) -> Return:
    """The unit's return for the round, created (one line per target) the first time it is opened."""
    if actor is not None and not may(actor, "edit", Return):
        raise PermissionDenied
    _own_unit(actor, letter.organisation_id)
    if letter.year_id != round.year_id:
        raise ValidationError(_("报送轮次与责任书的年度不一致。"))
    existing = Return.objects.filter(round=round, letter=letter).first()
    if existing is not None:
        return existing
    _open_year(round.year)
    if letter.status != LetterStatus.SIGNED:
        raise ValidationError(_("责任书尚未签订，暂不能填报。"))
    try:
        with transaction.atomic():
            record = Return.objects.create(organisation_id=letter.organisation_id, round=round, letter=letter)
    except IntegrityError:  # opened at the same moment elsewhere: that one is the return
        return Return.objects.get(round=round, letter=letter)
    _sync_lines(record)
    audit_record(action="targets.return.open", actor=actor, target=record, detail={"round": round.pk})
    return record


def _editable_return(actor: Any, record: Return) -> None:
    """The checks every change to a return passes: the unit's own, an open year, a draft, a signed letter."""
    if actor is not None and not may(actor, "edit", Return):
        raise PermissionDenied
    _own_unit(actor, record.organisation_id)
    _open_year(record.round.year)
    current = Return.objects.select_related("letter").get(pk=record.pk)
    if current.status == ReturnStatus.SUBMITTED:
        raise ValidationError(_("本轮进展已报送；如需修改，请联系联席会议办公室退回。"))
    if current.letter.status != LetterStatus.SIGNED:
        raise ValidationError(_("责任书正在修改，暂不能填报。"))


@transaction.atomic
def return_save(
    *, actor: Any, return_record: Return, expected_version: int, lines: Mapping[int, Mapping[str, Any]]
) -> Return:
    """Save the unit's progress: per target (by id) `value_reached` and `explanation`. A target
    measured by a platform indicator takes no typed value (its figure is the platform's)."""
    _editable_return(actor, return_record)
    targets = {t.pk: t for t in return_record.letter.targets.all()}
    errors: list[str] = []
    cleaned: dict[int, tuple[Decimal | None, str]] = {}
    for target_id, data in lines.items():
        target = targets.get(target_id)
        if target is None:
            errors.append(_("目标不属于本责任书，请刷新后重新填写。"))
            continue
        try:
            value = _decimal(data.get("value_reached"))
        except ValueError:
            errors.append(_("第 %(n)s 项目标的完成值应为数字。") % {"n": target.number})
            continue
        if target.indicator:
            value = None
        elif value is not None and value < 0:
            errors.append(_("第 %(n)s 项目标的完成值不能为负数。") % {"n": target.number})
        elif value is not None and value > MAX_VALUE:
            errors.append(_("第 %(n)s 项目标的完成值过大。") % {"n": target.number})
        cleaned[target_id] = (value.quantize(CENT, ROUND_HALF_UP) if value is not None else None,
                              _text(data.get("explanation"), 2000))  # fmt: skip
    if errors:
        raise ValidationError(errors)
    claim_version(return_record, expected_version, RETURN_CONFLICT)
    _sync_lines(return_record)
    for target_id, (value, explanation) in cleaned.items():
        ReturnLine.objects.filter(return_record=return_record, target_id=target_id).update(
            value_reached=value, explanation=explanation
        )
    audit_record(action="targets.return.save", actor=actor, target=return_record,
                 detail={"round": return_record.round_id, "lines": len(cleaned)})  # fmt: skip
    return return_record


@transaction.atomic
def return_submit(*, actor: Any, return_record: Return, expected_version: int) -> Return:
    """Submit the return to the secretariat; every target the unit reports on needs a value or an explanation."""
    _editable_return(actor, return_record)
    _sync_lines(return_record)
    missing = [
        line.target.number
        for line in return_record.lines.select_related("target")
        if not line.target.indicator and line.value_reached is None and not line.explanation
    ]
    if missing:
        numbers = "、".join(str(n) for n in sorted(missing))
        raise ValidationError(_("请填写第 %(n)s 项目标的完成情况后再报送。") % {"n": numbers})
    claim_version(return_record, expected_version, RETURN_CONFLICT)
    return_record.status, return_record.correction = ReturnStatus.SUBMITTED, ""
    return_record.submitted_at, return_record.submitted_by = timezone.now(), actor
    return_record.save(update_fields=["status", "correction", "submitted_at", "submitted_by"])
    audit_record(action="targets.return.submit", actor=actor, target=return_record,
                 detail={"round": return_record.round_id})  # fmt: skip
    return return_record


@transaction.atomic
def return_send_back(*, actor: Any, return_record: Return, reason: str, expected_version: int | None = None) -> Return:
    """The secretariat sends a submitted return back to the unit for correction, saying why."""
    _require_secretariat(actor)
    _require(actor, "edit", return_record)
    _open_year(return_record.round.year)
    if Return.objects.get(pk=return_record.pk).status != ReturnStatus.SUBMITTED:
        raise ValidationError(_("只能退回已报送的进展。"))
    reason = _text(reason, 500)
    if not reason:
        raise ValidationError({"reason": _("请填写退回修改的理由。")})
    claim_version(return_record, expected_version, RETURN_CONFLICT)
    return_record.status, return_record.correction = ReturnStatus.DRAFT, reason
    return_record.submitted_at, return_record.submitted_by = None, None
    return_record.save(update_fields=["status", "correction", "submitted_at", "submitted_by"])
    audit_record(action="targets.return.send_back", actor=actor, target=return_record, detail={"reason": reason})
    return return_record


# --- reminders ----------------------------------------------------------------------------------


def remind_returns(today: dt.date | None = None) -> int:
    """Remind every unit with a signed letter that has not submitted a round's return: once when
    the round falls due (from `remind_days` before the due date), once more when it is overdue.
    Each reminder is a claimed row (unique per round, unit and kind), so it is sent once however
    often the job runs; the new ones are audited in one batch. Run hourly by the worker."""
    today = today or timezone.localdate()
    sent = 0
    rounds = ReturnRound.objects.filter(year__closed_at__isnull=True, due_on__gte=today - dt.timedelta(days=366))
    for round in rounds.select_related("year").order_by("due_on", "pk"):
        if today > round.due_on:
            kind = "overdue"
        elif today >= round.due_on - dt.timedelta(days=round.remind_days):
            kind = "due"
        else:
            continue
        submitted = Return.objects.filter(round=round, status=ReturnStatus.SUBMITTED).values("letter_id")
        reminded = ReturnReminder.objects.filter(round=round, kind=kind).values("unit_id")
        letters = list(
            Letter.objects.filter(year_id=round.year_id, status=LetterStatus.SIGNED)
            .exclude(pk__in=submitted)
            .exclude(unit_id__in=reminded)
            .order_by("unit__order", "pk")
        )
        with transaction.atomic():
            claimed = [
                letter
                for letter in letters
                if ReturnReminder.objects.get_or_create(round=round, unit_id=letter.unit_id, kind=kind)[1]
            ]
            audit_record_many(
                action="targets.return.remind",
                records=[(letter, {"round": round.pk, "kind": kind}) for letter in claimed],
            )
        sent += len(claimed)
    return sent


# --- assessment ---------------------------------------------------------------------------------


def proportional_points(weight: Decimal, value: Decimal, target_value: Decimal) -> Decimal:
    """weight × min(value / target value, 1), never below 0, to two places (half up)."""
    share = min(max(value / target_value, Decimal(0)), Decimal(1))
    return (weight * share).quantize(CENT, ROUND_HALF_UP)


def computes_points(target: Target) -> bool:
    """Is this target's score computed from a value (rather than rated by the secretariat)?"""
    return target.scoring == Scoring.PROPORTIONAL and bool(target.target_value)


@dataclass(frozen=True)
class ScoreBasis:
    """What a target is scored from: the platform's figure, or the unit's latest submitted value."""

    computed_value: Decimal | None  # the platform's figure (indicator targets only)
    value: Decimal | None  # the value the score uses


def score_basis(target: Target, *, figures: Mapping[tuple[int, str], Decimal | None] | None = None) -> ScoreBasis:
    from fulian.targets.selectors import latest_lines

    letter = target.letter
    if target.indicator:
        if figures is None:
            figures = indicators.compute(letter.year.year, [letter.unit], codes=[target.indicator])
        figure = figures.get((letter.unit_id, target.indicator))
        return ScoreBasis(figure, figure)
    line = latest_lines([letter]).get(target.pk)
    return ScoreBasis(None, line.value_reached if line is not None else None)


@transaction.atomic
def score_target(
    *, actor: Any, target: Target, rating: str | None = None, points: Decimal | None = None, note: str = "",
    expected_version: int | None = None, figures: Mapping[tuple[int, str], Decimal | None] | None = None,
) -> Score:  # fmt: skip
    """Score one target (the secretariat; provisionally during the year, finally after the full-year returns).

    Rated: 达到 = the full weight, 未达到 = 0, 部分达到 = the points entered (more than 0, less
    than the weight). Proportional: weight × min(value / target value, 1) from the platform's
    figure (indicator targets) or the unit's latest submitted value; no points may be typed.
    With no value to compute from, a proportional target is rated, with a note saying why.
    `expected_version`: the score's version the form saw (0 = not yet scored)."""
    letter = target.letter
    _require(actor, "edit", letter)
    if letter.status != LetterStatus.SIGNED:
        raise ValidationError(_("责任书尚未签订，不能评分。"))
    weight = target.weight
    range_error = _("得分应在 0 到 %(weight)s 分之间。") % {"weight": points_text(weight)}
    try:
        typed = _decimal(points)
    except ValueError:
        raise ValidationError({"points": range_error}) from None
    if typed is not None and not Decimal(0) <= typed <= weight:
        raise ValidationError({"points": range_error})
    if typed is not None and typed != typed.quantize(CENT):
        raise ValidationError({"points": _("得分最多保留两位小数。")})
    rating = rating or ""
    if rating not in ("", *Rating.values):
        raise ValidationError({"rating": _("评定结果无效。")})
    note = _text(note, 1000)
    basis = score_basis(target, figures=figures)
    if computes_points(target) and basis.value is not None and target.target_value:
        if typed is not None:
            raise ValidationError({"points": _("按完成比例计分的目标由完成值计算得分，不能手工填写。")})
        rating, result = "", proportional_points(weight, basis.value, target.target_value)
    else:
        if not rating:
            raise ValidationError({"rating": _("请选择评定结果。")})
        if target.scoring == Scoring.PROPORTIONAL and not note:
            raise ValidationError({"note": _("没有可计算的完成值，人工评定时请在评分说明中写明理由。")})
        if rating == Rating.REACHED:
            result = weight
        elif rating == Rating.NOT_REACHED:
            result = Decimal(0)
        elif typed is None or not Decimal(0) < typed < weight:
            raise ValidationError(
                {"points": _("部分达到的得分应大于 0 且小于 %(weight)s 分。") % {"weight": points_text(weight)}}
            )
        else:
            result = typed
    values = {"rating": rating, "computed_value": basis.computed_value, "value": basis.value, "points": result,
              "note": note, "scored_by": actor if getattr(actor, "pk", None) else None}  # fmt: skip
    score = Score.objects.filter(target=target).first()
    if score is None:
        if expected_version:
            raise EditConflict(str(SCORE_CONFLICT))
        try:
            with transaction.atomic():
                score = Score.objects.create(target=target, **values)
        except IntegrityError:  # scored at the same moment elsewhere
            raise EditConflict(str(SCORE_CONFLICT)) from None
    else:
        seen = score.version if expected_version is None else expected_version
        if not Score.objects.filter(pk=score.pk, version=seen).update(
            **values, scored_at=timezone.now(), version=F("version") + 1
        ):
            raise EditConflict(str(SCORE_CONFLICT))
        score.refresh_from_db()
    audit_record(
        action="targets.score.set",
        actor=actor,
        target=letter,
        detail={"target": target.pk, "number": target.number, "rating": rating, "points": points_text(result)},
    )
    return score


@dataclass(frozen=True)
class Computed:
    scored: int  # indicator targets scored from the platform's figure
    without_figure: list[Target]  # nothing to measure: the secretariat rates these


@transaction.atomic
def score_computed_targets(*, actor: Any, year: TargetYear) -> Computed:
    """Score every indicator target of the year's signed letters from one computation of the
    platform's figures (scores already set are recomputed: the figures are the platform's)."""
    _require_secretariat(actor)
    targets = list(
        Target.objects.filter(letter__year=year, letter__status=LetterStatus.SIGNED, scoring=Scoring.PROPORTIONAL)
        .exclude(indicator="")
        .select_related("letter__year", "letter__unit", "letter__organisation")
        .order_by("letter__unit__order", "letter_id", "number")
    )
    if not targets:
        return Computed(0, [])
    figures = indicators.compute(year.year)
    scored, without = 0, []
    for target in targets:
        if figures.get((target.letter.unit_id, target.indicator)) is None or not target.target_value:
            without.append(target)
            continue
        score_target(actor=actor, target=target, figures=figures)
        scored += 1
    audit_record(action="targets.score.compute", actor=actor, target=year,
                 detail={"scored": scored, "without_figure": len(without)})  # fmt: skip
    return Computed(scored, without)
