"""The one write path for the chair's work report: create a year's draft (figures assembled, text
pre-written from them), refresh its figures, edit its title, speaker and sections, finalise it,
and reopen a final report with a reason.

Each operation checks the actor's right on the report (the secretariat's, see
`ChairReport.role_actions`), refuses bad input with a Chinese ValidationError, refuses a stale
`expected_version` with EditConflict, and writes its audit record in the same transaction.
`actor=None` is the platform itself (the demo loader). Audit details carry field names, the
year and the reopening reason — never the report's text or figures.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.audit.services import audit_record
from fulian.chairreport.assemble import LOCAL, draft_sections, report_figures
from fulian.chairreport.models import ChairReport, ReportStatus
from fulian.jointmeeting.services import secretariat_organisation
from fulian.security.access import EditConflict, can, claim_version, may

FIRST_YEAR = 2000  # the platform holds nothing older; a typo such as 1900 is refused
MAX_SECTIONS = 12
MAX_HEADING = 60
MAX_BODY = 20000
MAX_TITLE = 120
MAX_SPEAKER = 60
MAX_REASON = 500

EXISTS = gettext_lazy("该年度的工作报告已存在。")
FINAL = gettext_lazy("报告已定稿，不能再修改。")
CONFLICT = gettext_lazy("该报告已被他人修改，请刷新后重新操作。")


def _line(value: Any, limit: int | None = None) -> str:
    """One line of text: inner runs of spaces and line breaks become one space."""
    text = " ".join(str(value or "").split())
    return text if limit is None else text[:limit]


def _require(actor: Any, action: str, report: ChairReport) -> None:
    if actor is not None and not can(actor, action, report):
        raise PermissionDenied


def _bump(report: ChairReport, version: Any) -> None:
    """Claim the report's next version, or refuse: someone saved it since `version` was read."""
    try:
        seen = int(version)
    except (TypeError, ValueError):
        raise EditConflict(str(CONFLICT)) from None
    claim_version(report, seen, CONFLICT)


def _draft_only(report: ChairReport) -> None:
    if report.status != ReportStatus.DRAFT:
        raise ValidationError(str(FINAL))


def current_year() -> int:
    return timezone.localdate(timezone.now(), LOCAL).year


def clean_year(value: Any) -> int:
    """A past or the current calendar year, from 2000 on."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({"year": _("请填写年度，如 2025。")}) from None
    if year > current_year():
        raise ValidationError({"year": _("不能为将来的年度生成工作报告。")})
    if year < FIRST_YEAR:
        raise ValidationError({"year": _("年度应在 %(first)s 年及以后。") % {"first": FIRST_YEAR}})
    return year


def clean_title(value: Any) -> str:
    title = _line(value)
    if not title:
        raise ValidationError({"title": _("请填写报告标题。")})
    if len(title) > MAX_TITLE:
        raise ValidationError({"title": _("标题不能超过 %(n)s 个字。") % {"n": MAX_TITLE}})
    return title


def clean_speaker(value: Any) -> str:
    speaker = _line(value)
    if len(speaker) > MAX_SPEAKER:
        raise ValidationError({"speaker": _("报告人不能超过 %(n)s 个字。") % {"n": MAX_SPEAKER}})
    return speaker


def clean_sections(value: Any) -> list[dict[str, str]]:
    """The report's text: 1 to 12 sections, each {"heading": one line of at most 60 characters,
    "body": non-empty text}. A JSON string is read first; any other shape is refused in Chinese."""
    if isinstance(value, str | bytes):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError({"sections": _("正文格式无效，无法读取。")}) from None
    if not isinstance(value, list | tuple):
        raise ValidationError({"sections": _("正文应为若干章节，每节包括标题和内容。")})
    if not value:
        raise ValidationError({"sections": _("报告至少应有一节正文。")})
    if len(value) > MAX_SECTIONS:
        raise ValidationError({"sections": _("报告最多 %(n)s 节。") % {"n": MAX_SECTIONS}})
    sections: list[dict[str, str]] = []
    errors: list[str] = []
    for number, item in enumerate(value, start=1):
        heading, body = (item.get("heading"), item.get("body")) if isinstance(item, dict) else (None, None)
        if not isinstance(heading, str) or not isinstance(body, str):
            errors.append(_("第 %(n)s 节格式无效，应包括标题和内容。") % {"n": number})
            continue
        heading = _line(heading)
        # The body keeps its paragraphs (blank lines between them), without trailing spaces.
        body = "\n".join(line.rstrip() for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()
        if not heading:
            errors.append(_("第 %(n)s 节缺少标题。") % {"n": number})
        elif len(heading) > MAX_HEADING:
            errors.append(_("第 %(n)s 节的标题不能超过 %(max)s 个字。") % {"n": number, "max": MAX_HEADING})
        if not body:
            errors.append(_("第 %(n)s 节的内容不能为空。") % {"n": number})
        elif len(body) > MAX_BODY:
            errors.append(_("第 %(n)s 节的内容不能超过 %(max)s 个字。") % {"n": number, "max": MAX_BODY})
        sections.append({"heading": heading, "body": body})
    if errors:
        raise ValidationError({"sections": errors})
    return sections


def default_title(year: int) -> str:
    return _("%(year)s年度维护妇女儿童合法权益工作报告") % {"year": year}


@transaction.atomic
def report_create(*, actor: Any, year: int, title: str | None = None, speaker: str = "") -> ChairReport:
    """Draft the report for a past or the current year: the figures assembled now, the four
    sections pre-written from them. One report per year."""
    if actor is not None and not may(actor, "create", ChairReport):
        raise PermissionDenied
    year = clean_year(year)
    title = clean_title(title) if title not in (None, "") else default_title(year)
    speaker = clean_speaker(speaker)
    if ChairReport.objects.filter(year=year).exists():
        raise ValidationError({"year": str(EXISTS)})
    organisation = secretariat_organisation(actor)
    figures = report_figures(year)
    try:
        with transaction.atomic():
            report = ChairReport.objects.create(
                organisation=organisation, year=year, title=title, speaker=speaker, sections=draft_sections(figures),
                figures=figures, assembled_at=timezone.now(), created_by=actor,
            )  # fmt: skip
    except IntegrityError:  # the same year created by someone else a moment ago
        raise ValidationError({"year": str(EXISTS)}) from None
    audit_record(action="chairreport.create", actor=actor, target=report, detail={"year": year})
    return report


@transaction.atomic
def report_refresh_figures(*, actor: Any, report: ChairReport, expected_version: int) -> ChairReport:
    """Assemble a draft's figures again (the year's data moves on until the meeting); the edited
    sections are kept as they are."""
    _require(actor, "edit", report)
    _draft_only(report)
    _bump(report, expected_version)
    report.figures = report_figures(report.year)
    report.assembled_at = timezone.now()
    report.save(update_fields=["figures", "assembled_at"])
    audit_record(action="chairreport.refresh", actor=actor, target=report, detail={"year": report.year})
    return report


@transaction.atomic
def report_update(
    *, actor: Any, report: ChairReport, title: str, speaker: str, sections: Any, expected_version: int
) -> ChairReport:
    """Change a draft's title, speaker and sections (a list of {"heading", "body"}, or its JSON)."""
    _require(actor, "edit", report)
    _draft_only(report)
    errors: dict[str, Any] = {}
    cleaned: dict[str, Any] = {}
    for field, clean, value in (
        ("title", clean_title, title),
        ("speaker", clean_speaker, speaker),
        ("sections", clean_sections, sections),
    ):
        try:
            cleaned[field] = clean(value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    _bump(report, expected_version)
    changed = sorted(field for field, value in cleaned.items() if getattr(report, field) != value)
    for field, value in cleaned.items():
        setattr(report, field, value)
    report.save(update_fields=["title", "speaker", "sections"])
    audit_record(action="chairreport.update", actor=actor, target=report, detail={"changed": changed})
    return report


@transaction.atomic
def report_finalise(*, actor: Any, report: ChairReport, expected_version: int) -> ChairReport:
    """Freeze the report: its figures and text are what the PDF and the Word file show from now on."""
    _require(actor, "close", report)
    if report.status == ReportStatus.FINAL:
        raise ValidationError(_("报告已定稿。"))
    clean_sections(report.sections)  # a report is never finalised without text
    _bump(report, expected_version)
    report.status, report.finalised_at, report.finalised_by = ReportStatus.FINAL, timezone.now(), actor
    report.save(update_fields=["status", "finalised_at", "finalised_by"])
    audit_record(action="chairreport.finalise", actor=actor, target=report, detail={"year": report.year})
    return report


@transaction.atomic
def report_reopen(*, actor: Any, report: ChairReport, reason: str, expected_version: int | None = None) -> ChairReport:
    """Make a final report a draft again (a figure found wrong after finalising), with the reason."""
    _require(actor, "close", report)
    if report.status != ReportStatus.FINAL:
        raise ValidationError(_("报告尚未定稿，无需重新打开。"))
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationError({"reason": _("请填写重新打开的理由。")})
    if len(text) > MAX_REASON:
        raise ValidationError({"reason": _("理由不能超过 %(n)s 个字。") % {"n": MAX_REASON}})
    _bump(report, report.version if expected_version is None else expected_version)
    report.status, report.finalised_at, report.finalised_by = ReportStatus.DRAFT, None, None
    report.save(update_fields=["status", "finalised_at", "finalised_by"])
    audit_record(action="chairreport.reopen", actor=actor, target=report, detail={"reason": text})
    return report
