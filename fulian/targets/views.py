"""The letters in the back office.

The secretariat: years (open, close), each year's letters per signing unit (drafted together from
a template), a letter's targets and signatories, signing and reopening, the return rounds and the
round's matrix of units, sending a return back, the assessment with its ranking. A unit's
liaison: its own letter (read only), its returns (a form made for a phone), its scores once the
year is closed. Every record by id goes through `get_for_user` (another unit's: 404); ids only in
addresses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fulian.jointmeeting.models import OVERSEE_PERMISSION
from fulian.lib.forms import Sent, add_service_errors, submit_once
from fulian.lib.paging import CappedPaginator
from fulian.security.access import EditConflict, can, get_for_user, may, organisation_of, visible
from fulian.targets import forms as f
from fulian.targets import indicators, selectors
from fulian.targets import services as s
from fulian.targets.models import (
    Letter,
    LetterStatus,
    Return,
    ReturnLine,
    ReturnReminder,
    ReturnRound,
    ReturnStatus,
    Score,
    Signatory,
    Target,
    TargetYear,
)

FORM = "hotline/simple_form.html"
DUPLICATE = "已经提交过，未重复保存。"


def _oversees(user: Any) -> bool:
    return bool(user.has_perm(OVERSEE_PERMISSION))


def _year(request: HttpRequest, year: int, permission: str = "view") -> TargetYear:
    """A year's pages are the secretariat's (TargetYear is not a unit's record)."""
    if not request.user.has_perm(f"fulian_targets.{permission}_targetyear"):
        raise PermissionDenied
    return get_object_or_404(TargetYear, year=year)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def indicator_label(code: str) -> str:
    """The indicator's name for the pages (the code itself if it has since been withdrawn)."""
    indicator = indicators.INDICATORS.get(code) if code else None
    return str(indicator.label) if indicator is not None else code


def index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.has_perm("fulian_targets.view_targetyear"):
        return redirect("targets_year_list")
    if may(user, "view", Letter):
        return redirect("targets_letter_list")
    raise PermissionDenied


# --- years --------------------------------------------------------------------------------------


def year_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.has_perm("fulian_targets.view_targetyear"):
        raise PermissionDenied
    can_add = bool(user.has_perm("fulian_targets.add_targetyear"))
    form = f.YearForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        if form.is_valid():
            sent, year = submit_once(user, form, lambda data: s.year_create(actor=user, **data))
            if sent is Sent.DUPLICATE:
                messages.info(request, _(DUPLICATE))
                return redirect("targets_year_list")
            if sent is Sent.DONE:
                messages.success(request, _("已新建 %(year)s 年度。") % {"year": year.year})
                return redirect("targets_year_detail", year=year.year)
    years = TargetYear.objects.annotate(
        n_letters=Count("letters", distinct=True),
        n_signed=Count("letters", filter=Q(letters__status=LetterStatus.SIGNED), distinct=True),
        n_rounds=Count("rounds", distinct=True),
    ).order_by("-year")
    return render(request, "targets/year_list.html", {"years": years, "form": form, "can_add": can_add})


def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    """The year's letters, one row per signing unit (a unit without a letter yet shows so), and its rounds."""
    target_year = _year(request, year)
    user: Any = request.user
    letters = {
        letter.unit_id: letter
        for letter in visible(user, Letter).filter(year=target_year).select_related("unit__organisation")
    }
    totals = {
        row["letter"]: (row["weight"], row["n"])
        for row in Target.objects.filter(letter__in=list(letters.values()))
        .values("letter")
        .annotate(weight=Sum("weight"), n=Count("pk"))
    }
    rows = []
    for unit in s.signing_units().order_by("order", "pk"):
        letter = letters.pop(unit.pk, None)
        rows.append((unit, letter, *totals.get(letter.pk if letter else 0, (None, 0))))
    for letter in letters.values():  # letters of units that no longer sign: still shown
        rows.append((letter.unit, letter, *totals.get(letter.pk, (None, 0))))
    open_year = not target_year.closed
    can_create = open_year and may(user, "create", Letter)
    return render(
        request,
        "targets/year_detail.html",
        {
            "year": target_year,
            "rows": rows,
            "missing": sum(1 for row in rows if row[1] is None),
            "rounds": target_year.rounds.all(),
            "create_form": f.LettersCreateForm(letters=visible(user, Letter)) if can_create else None,
            "can_close": open_year and user.has_perm("fulian_targets.change_targetyear"),
            "can_add_round": open_year and _oversees(user),
            "hundred": s.HUNDRED,
        },
    )


@require_POST
def letters_create(request: HttpRequest, year: int) -> HttpResponse:
    target_year = _year(request, year)
    user: Any = request.user
    if not may(user, "create", Letter):
        raise PermissionDenied
    form = f.LettersCreateForm(request.POST, letters=visible(user, Letter))
    if not form.is_valid():
        messages.error(request, _("请选择有效的参照责任书。"))
        return redirect("targets_year_detail", year=year)
    try:
        created = s.letters_create_missing(actor=user, year=target_year, template=form.cleaned_data["template"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("已新建 %(n)s 份责任书（草稿）。") % {"n": len(created)})
    return redirect("targets_year_detail", year=year)


def year_close(request: HttpRequest, year: int) -> HttpResponse:
    target_year = _year(request, year, "change")
    back = reverse("targets_year_detail", args=[year])
    if target_year.closed:
        messages.info(request, _("%(year)s 年度已经关闭。") % {"year": year})
        return redirect(back)
    form = f.ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            s.year_close(actor=request.user, year=target_year)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(year)s 年度已关闭，可以开始考核评分。") % {"year": year})
            return redirect(back)
    intro = _("关闭后，各单位不能再填报进展，责任书和目标不能再修改；办公室随后进行考核评分。此操作不能撤销。")
    return render(request, FORM, {"form": form, "title": _("关闭 %(year)s 年度") % {"year": year},
                                  "back": back, "intro": intro, "submit_label": _("关闭年度")})  # fmt: skip


# --- letters ------------------------------------------------------------------------------------


def letter_list(request: HttpRequest) -> HttpResponse:
    """The letters the user may see: the secretariat every unit's, a liaison its own unit's."""
    user: Any = request.user
    if not may(user, "view", Letter):
        raise PermissionDenied
    letters = visible(user, Letter).select_related("year", "unit__organisation").order_by("-year__year", "unit__order")
    page = CappedPaginator(letters, 100).get_page(request.GET.get("p"))
    return render(request, "targets/letter_list.html", {"page": page, "oversees": _oversees(user)})


def _score_visible(user: Any, letter: Letter) -> bool:
    """The secretariat sees scores as it sets them; a unit sees its own once the year is closed."""
    return can(user, "edit", letter) or letter.year.closed


def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_for_user(request.user, Letter, pk)
    letter = Letter.objects.select_related("year", "unit__organisation").get(pk=letter.pk)
    user: Any = request.user
    targets = list(letter.targets.all())
    can_edit = can(user, "edit", letter)
    scores = (
        {sc.target_id: sc for sc in Score.objects.filter(target__letter=letter)}
        if _score_visible(user, letter)
        else None
    )
    total = sum((t.weight for t in targets), Decimal(0))
    return render(
        request,
        "targets/letter_detail.html",
        {
            "letter": letter,
            "rows": [
                (t, scores.get(t.pk) if scores is not None else None, indicator_label(t.indicator)) for t in targets
            ],
            "issuers": [p for p in letter.signatories.all() if p.side == "issuer"],
            "signers": [p for p in letter.signatories.all() if p.side == "unit"],
            "total": total,
            "total_ok": total == s.HUNDRED,
            "shows_scores": scores is not None,
            "points": sum((sc.points for sc in scores.values()), Decimal(0)) if scores else None,
            "can_edit": can_edit,
            "open_year": not letter.year.closed,
            "signed": letter.status == LetterStatus.SIGNED,
        },
    )


def _target_initial(target: Target) -> dict[str, Any]:
    return {"id": target.pk, "number": target.number, "text": target.text, "indicator": target.indicator,
            "measure": target.measure, "target_value": target.target_value, "value_unit": target.value_unit,
            "weight": target.weight, "scoring": target.scoring}  # fmt: skip


def _kept(formset: Any) -> list[dict[str, Any]]:
    """The rows of a valid formset to save: filled in and not marked for deletion."""
    rows = []
    for form in formset.forms:
        data = dict(form.cleaned_data or {})
        if not data or data.pop("DELETE", False):
            continue
        rows.append(data)
    return rows


def letter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft a letter: its text, its targets and its signatories, saved together (version-checked)."""
    letter = get_for_user(request.user, Letter, pk, "edit", audit=False)
    letter = Letter.objects.select_related("year", "unit__organisation").get(pk=letter.pk)
    back = reverse("targets_letter_detail", args=[letter.pk])
    if letter.year.closed:
        messages.error(request, s.closed_message(letter.year))
        return redirect(back)
    if letter.status == LetterStatus.SIGNED:
        messages.error(request, _("责任书已签订，目标已锁定；如需修改，请先“退回修改”并说明理由。"))
        return redirect(back)
    post = request.POST if request.method == "POST" else None
    form = f.LetterForm(
        post, initial={"version": letter.version, "preamble": letter.preamble, "closing": letter.closing}
    )
    targets = f.TargetFormSet(post, prefix="targets", initial=[_target_initial(t) for t in letter.targets.all()])
    people: list[Signatory] = list(letter.signatories.all())
    signatories = f.SignatoryFormSet(post, prefix="signatories", initial=[
        {"side": p.side, "name": p.name, "title": p.title, "order": p.order} for p in people])  # fmt: skip
    if post is not None and all([form.is_valid(), targets.is_valid(), signatories.is_valid()]):
        data = form.cleaned_data
        try:
            s.letter_save(
                actor=request.user, letter=letter, expected_version=data["version"], preamble=data["preamble"],
                closing=data["closing"], targets=_kept(targets), signatories=_kept(signatories),
            )  # fmt: skip
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            total = s.weight_total(letter)
            if total != s.HUNDRED:
                messages.warning(request, _("已保存。各项目标分值合计为 %(total)s 分，签订前应调整为 100 分。")
                                 % {"total": s.points_text(total)})  # fmt: skip
            else:
                messages.success(request, _("已保存。"))
            return redirect(back)
    return render(
        request,
        "targets/letter_form.html",
        {"letter": letter, "form": form, "targets": targets, "signatories": signatories, "back": back,
         "total": s.weight_total(letter), "hundred": s.HUNDRED},
    )  # fmt: skip


def letter_sign(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_for_user(request.user, Letter, pk, "edit", audit=False)
    back = reverse("targets_letter_detail", args=[letter.pk])
    form = f.SignForm(request.POST or None, initial={"version": letter.version, "signed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            s.letter_sign(actor=request.user, letter=letter, signed_on=form.cleaned_data["signed_on"],
                          expected_version=form.cleaned_data["version"])  # fmt: skip
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("责任书已签订，目标已锁定。"))
            return redirect(back)
    intro = _("签订后目标锁定，单位开始按轮次报送进展。各项目标分值合计为 %(total)s 分。") % {
        "total": s.points_text(s.weight_total(letter))
    }
    return render(request, FORM, {"form": form, "title": f"{letter} · {_('签订')}", "back": back, "intro": intro,
                                  "submit_label": _("签订")})  # fmt: skip


def letter_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_for_user(request.user, Letter, pk, "edit", audit=False)
    back = reverse("targets_letter_detail", args=[letter.pk])
    form = f.ReasonForm(request.POST or None, initial={"version": letter.version})
    if request.method == "POST" and form.is_valid():
        try:
            s.letter_reopen(actor=request.user, letter=letter, reason=form.cleaned_data["reason"],
                            expected_version=form.cleaned_data["version"])  # fmt: skip
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("责任书已退回修改；修改后请重新签订。"))
            return redirect(back)
    intro = _("退回后责任书回到起草状态，目标可以修改，单位暂停填报；理由记入审计日志。")
    return render(request, FORM, {"form": form, "title": f"{letter} · {_('退回修改')}", "back": back, "intro": intro,
                                  "submit_label": _("退回修改")})  # fmt: skip


# --- rounds -------------------------------------------------------------------------------------


def round_add(request: HttpRequest, year: int) -> HttpResponse:
    target_year = _year(request, year)
    user: Any = request.user
    if not _oversees(user):
        raise PermissionDenied
    back = reverse("targets_year_detail", args=[year])
    form = f.RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent, _round = submit_once(user, form, lambda data: s.round_create(actor=user, year=target_year, **data))
        if sent is Sent.DUPLICATE:
            messages.info(request, _(DUPLICATE))
            return redirect(back)
        if sent is Sent.DONE:
            messages.success(request, _("已新建报送轮次。"))
            return redirect(back)
    return render(request, FORM, {"form": form, "title": _("%(year)s 年度 · 新建报送轮次") % {"year": year},
                                  "back": back})  # fmt: skip


def _round(request: HttpRequest, pk: int) -> ReturnRound:
    if not _oversees(request.user):
        raise PermissionDenied
    return get_object_or_404(ReturnRound.objects.select_related("year"), pk=pk)


def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    back = reverse("targets_round_detail", args=[round.pk])
    form = f.RoundForm(request.POST or None, initial={"title": round.title, "period_end": round.period_end,
                                                      "due_on": round.due_on, "remind_days": round.remind_days})  # fmt: skip
    del form.fields["once"]
    if request.method == "POST" and form.is_valid():
        try:
            s.round_update(actor=request.user, round=round, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(back)
    return render(request, FORM, {"form": form, "title": f"{round} · {_('修改')}", "back": back})


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's matrix: every unit with a signed letter and the state of its return."""
    round = _round(request, pk)
    today = timezone.localdate()
    reminders = {(r.unit_id, r.kind): r.sent_at for r in ReturnReminder.objects.filter(round=round)}
    cells = [
        (cell, reminders.get((cell.letter.unit_id, "due")), reminders.get((cell.letter.unit_id, "overdue")))
        for cell in selectors.round_matrix(round, today)
    ]
    return render(
        request,
        "targets/round_detail.html",
        {"round": round, "cells": cells, "today": today, "open_year": not round.year.closed,
         "submitted": sum(1 for cell, _d, _o in cells if cell.done)},
    )  # fmt: skip


# --- returns ------------------------------------------------------------------------------------


def return_list(request: HttpRequest) -> HttpResponse:
    """A liaison: the unit's rounds and returns. The secretariat: every round, to its matrix."""
    user: Any = request.user
    if not may(user, "view", Return):
        raise PermissionDenied
    today = timezone.localdate()
    if _oversees(user):
        rounds = (
            ReturnRound.objects.select_related("year")
            .annotate(n_submitted=Count("returns", filter=Q(returns__status=ReturnStatus.SUBMITTED)))
            .order_by("-year__year", "-due_on")[:200]
        )
        return render(request, "targets/return_list.html", {"rounds": rounds, "oversees": True, "today": today})
    letters = list(visible(user, Letter).select_related("year", "unit"))
    cells = selectors.unit_rounds(letters, today)
    return render(
        request,
        "targets/return_list.html",
        {"cells": [(cell, selectors.due_soon(cell, today)) for cell in cells], "oversees": False, "today": today,
         "can_fill": may(user, "edit", Return)},
    )  # fmt: skip


@require_POST
def return_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Open (creating on first use) the user's own unit's return for the round."""
    user: Any = request.user
    if not may(user, "edit", Return):
        raise PermissionDenied
    round = get_object_or_404(ReturnRound.objects.select_related("year"), pk=pk)
    home = organisation_of(user)
    letter = visible(user, Letter).filter(year_id=round.year_id, organisation=home).first() if home else None
    if letter is None:
        raise Http404
    try:
        record = s.return_open(actor=user, round=round, letter=letter)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("targets_return_list")
    return redirect("targets_return_edit", pk=record.pk)


def _return(request: HttpRequest, pk: int, action: str, audit: bool) -> Return:
    record = get_for_user(request.user, Return, pk, action, audit=audit)
    return Return.objects.select_related("round__year", "letter__unit__organisation", "submitted_by").get(pk=record.pk)


def _figures(record: Return, targets: list[Target]) -> dict[int, Decimal | None]:
    """The platform's figure, per indicator target, for the unit: one computation for the page."""
    if not any(t.indicator for t in targets):
        return {}
    computed = indicators.compute(
        record.round.year.year, [record.letter.unit], codes=[t.indicator for t in targets if t.indicator]
    )
    return {t.pk: computed.get((record.letter.unit_id, t.indicator)) for t in targets if t.indicator}


def _why_not_fillable(user: Any, record: Return) -> str:
    """Why this user cannot fill the return now (empty: they can)."""
    if not (s.same_organisation(user, record.organisation_id) and may(user, "edit", Return)):
        return _("只能填报本单位的进展。")
    if record.round.year.closed:
        return s.closed_message(record.round.year)
    if record.status == ReturnStatus.SUBMITTED:
        return _("本轮进展已报送；如需修改，请联系联席会议办公室退回。")
    if record.letter.status != LetterStatus.SIGNED:
        return _("责任书正在修改，暂不能填报。")
    return ""


def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _return(request, pk, "view", audit=True)
    user: Any = request.user
    targets = list(record.letter.targets.all())
    lines = {line.target_id: line for line in record.lines.all()}
    figures = _figures(record, targets)
    fillable = not _why_not_fillable(user, record)
    return render(
        request,
        "targets/return_detail.html",
        {
            "record": record,
            "rows": [(t, lines.get(t.pk), figures.get(t.pk)) for t in targets],
            "can_fill": fillable,
            "can_send_back": _oversees(user) and record.status == ReturnStatus.SUBMITTED and not record.round.year.closed
            and can(user, "edit", record),
            "oversees": _oversees(user),
            "late": record.status != ReturnStatus.SUBMITTED and timezone.localdate() > record.round.due_on,
        },
    )  # fmt: skip


@dataclass(frozen=True)
class LineRow:
    target: Target
    form: f.ReturnLineForm
    figure: Decimal | None


def return_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's return, made for a phone: one block per target, save as draft or submit."""
    record = _return(request, pk, "edit", audit=False)
    user: Any = request.user
    detail = reverse("targets_return_detail", args=[record.pk])
    problem = _why_not_fillable(user, record)
    if problem:
        messages.error(request, problem)
        return redirect(detail)
    targets = list(record.letter.targets.all())
    lines: dict[int, ReturnLine] = {line.target_id: line for line in record.lines.all()}
    figures = _figures(record, targets)
    post = request.POST if request.method == "POST" else None
    form = f.ReturnForm(post, initial={"version": record.version})
    rows = []
    for target in targets:
        line = lines.get(target.pk)
        initial = {"value_reached": line.value_reached, "explanation": line.explanation} if line else {}
        rows.append(LineRow(target, f.ReturnLineForm(post, target=target, initial=initial), figures.get(target.pk)))
    if post is not None and all([form.is_valid(), *[row.form.is_valid() for row in rows]]):
        data = {row.target.pk: row.form.cleaned_data for row in rows}
        try:
            s.return_save(actor=user, return_record=record, expected_version=form.cleaned_data["version"], lines=data)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if "submit" not in post:
                messages.success(request, _("已保存草稿。"))
                return redirect("targets_return_edit", pk=record.pk)
            try:
                s.return_submit(actor=user, return_record=record, expected_version=record.version)
            except (ValidationError, EditConflict) as error:
                text = _error_text(error) if isinstance(error, ValidationError) else str(error)
                messages.error(request, _("已保存草稿，但未报送：%(why)s") % {"why": text})
                return redirect("targets_return_edit", pk=record.pk)
            messages.success(request, _("已报送联席会议办公室。"))
            return redirect(detail)
    return render(request, "targets/return_form.html", {"record": record, "form": form, "rows": rows, "back": detail})


def return_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    record = _return(request, pk, "edit", audit=False)
    if not _oversees(request.user):
        raise PermissionDenied
    back = reverse("targets_return_detail", args=[record.pk])
    form = f.ReasonForm(request.POST or None, initial={"version": record.version})
    if request.method == "POST" and form.is_valid():
        try:
            s.return_send_back(actor=request.user, return_record=record, reason=form.cleaned_data["reason"],
                               expected_version=form.cleaned_data["version"])  # fmt: skip
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已退回单位修改。"))
            return redirect(back)
    return render(request, FORM, {"form": form, "title": f"{record} · {_('退回修改')}", "back": back,
                                  "intro": _("单位将看到退回理由，修改后重新报送。"), "submit_label": _("退回")})  # fmt: skip


# --- assessment ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessRow:
    target: Target
    score: Score | None
    line: ReturnLine | None  # the unit's latest submitted line
    figure: Decimal | None  # the platform's figure (indicator targets)
    label: str  # the indicator's name


def assessment(request: HttpRequest, year: int) -> HttpResponse:
    """Per unit and target: the rule, the latest submitted value or the platform's figure, the score;
    and the ranking. The platform's figures are computed once for the page."""
    target_year = _year(request, year)
    user: Any = request.user
    if not may(user, "edit", Letter):
        raise PermissionDenied
    letters = list(
        visible(user, Letter).filter(year=target_year, status=LetterStatus.SIGNED)
        .select_related("unit__organisation").order_by("unit__order", "pk")
    )  # fmt: skip
    targets = list(Target.objects.filter(letter__in=letters).order_by("letter_id", "number"))
    scores = {score.target_id: score for score in Score.objects.filter(target__in=targets)}
    lines = selectors.latest_lines(letters)
    figures = indicators.compute(target_year.year) if any(t.indicator for t in targets) else {}
    by_letter: dict[int, list[AssessRow]] = {letter.pk: [] for letter in letters}
    units = {letter.pk: letter.unit_id for letter in letters}
    for target in targets:
        figure = figures.get((units[target.letter_id], target.indicator)) if target.indicator else None
        by_letter[target.letter_id].append(AssessRow(target, scores.get(target.pk), lines.get(target.pk), figure,
                                                      indicator_label(target.indicator)))  # fmt: skip
    return render(
        request,
        "targets/assessment.html",
        {
            "year": target_year,
            "sections": [(letter, by_letter[letter.pk]) for letter in letters],
            "ranking": selectors.ranking(target_year),
            "closed": target_year.closed,
            "has_indicators": any(t.indicator for t in targets),
        },
    )


@require_POST
def score_compute(request: HttpRequest, year: int) -> HttpResponse:
    target_year = _year(request, year)
    back = reverse("targets_assessment", args=[year])
    try:
        result = s.score_computed_targets(actor=request.user, year=target_year)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(back)
    messages.success(request, _("已按平台数据计分 %(n)s 项。") % {"n": result.scored})
    if result.without_figure:
        messages.warning(request, _("%(n)s 项目标平台暂无可计量的数据，请逐项人工评定并说明理由。")
                         % {"n": len(result.without_figure)})  # fmt: skip
    return redirect(back)


def score_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Score one target (the secretariat; another user's request for it is a 404)."""
    target = Target.objects.filter(pk=pk).first()
    if target is None:
        raise Http404
    letter = get_for_user(request.user, Letter, target.letter_id, "edit", audit=False)
    target.letter = Letter.objects.select_related("year", "unit__organisation").get(pk=letter.pk)
    back = reverse("targets_assessment", args=[target.letter.year.year]) + f"#letter-{target.letter_id}"
    score = Score.objects.filter(target=target).first()
    basis = s.score_basis(target)
    computed = s.computes_points(target) and basis.value is not None
    initial: dict[str, Any] = {"version": score.version if score else 0}
    if score is not None:
        initial.update({"rating": score.rating, "points": score.points if score.rating == "partly" else None,
                        "note": score.note})  # fmt: skip
    form = f.ScoreForm(request.POST or None, computed=computed, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            s.score_target(actor=request.user, target=target, rating=data.get("rating"), points=data.get("points"),
                           note=data["note"], expected_version=data["version"])  # fmt: skip
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已评分：第 %(n)s 项目标。") % {"n": target.number})
            return redirect(back)
    line = selectors.latest_lines([target.letter]).get(target.pk)
    return render(
        request,
        "targets/score_form.html",
        {"target": target, "letter": target.letter, "form": form, "basis": basis, "computed": computed,
         "line": line, "score": score, "back": back, "label": indicator_label(target.indicator)},
    )  # fmt: skip


# --- my work ------------------------------------------------------------------------------------


def my_work_section(request: HttpRequest, today: dt.date) -> str | None:
    """我的工作: a liaison's rounds due soon, overdue or sent back; the secretariat's overdue units per round."""
    user: Any = request.user
    context: dict[str, Any] = {"today": today}
    if _oversees(user):
        context["late"] = selectors.overdue_rounds(today)
        if not context["late"]:
            return None
    elif may(user, "view", Return):
        letters = list(visible(user, Letter).filter(year__closed_at__isnull=True, status=LetterStatus.SIGNED))
        cells = [
            c for c in selectors.unit_rounds(letters, today) if c.state == "sent_back" or selectors.due_soon(c, today)
        ]
        if not cells:
            return None
        context["cells"] = cells
    else:
        return None
    return render_to_string("targets/my_work.html", context, request=request)


def urls() -> list[Any]:
    from django.urls import path

    return [
        path("", index, name="targets_index"),
        path("years/", year_list, name="targets_year_list"),
        path("years/<int:year>/", year_detail, name="targets_year_detail"),
        path("years/<int:year>/close/", year_close, name="targets_year_close"),
        path("years/<int:year>/letters/new/", letters_create, name="targets_letters_create"),
        path("years/<int:year>/rounds/new/", round_add, name="targets_round_add"),
        path("years/<int:year>/assessment/", assessment, name="targets_assessment"),
        path("years/<int:year>/assessment/compute/", score_compute, name="targets_score_compute"),
        path("letters/", letter_list, name="targets_letter_list"),
        path("letters/<int:pk>/", letter_detail, name="targets_letter_detail"),
        path("letters/<int:pk>/edit/", letter_edit, name="targets_letter_edit"),
        path("letters/<int:pk>/sign/", letter_sign, name="targets_letter_sign"),
        path("letters/<int:pk>/reopen/", letter_reopen, name="targets_letter_reopen"),
        path("rounds/<int:pk>/", round_detail, name="targets_round_detail"),
        path("rounds/<int:pk>/edit/", round_edit, name="targets_round_edit"),
        path("rounds/<int:pk>/start/", return_start, name="targets_return_start"),
        path("returns/", return_list, name="targets_return_list"),
        path("returns/<int:pk>/", return_detail, name="targets_return_detail"),
        path("returns/<int:pk>/edit/", return_edit, name="targets_return_edit"),
        path("returns/<int:pk>/send-back/", return_send_back, name="targets_return_send_back"),
        path("scores/<int:pk>/", score_edit, name="targets_score_edit"),
    ]
