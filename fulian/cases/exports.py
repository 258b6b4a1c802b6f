"""The case export: one row per case, personal data masked — and, for minor-protection cases,
removed — unless the exporter holds the dedicated permission and asks for it."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.cases.models import Case, Party, PartyRole
from fulian.cases.privacy import is_restricted, restricted_category_ids
from fulian.security.identity import mask_name, mask_phone

IDENTIFIED_MINOR_PERMISSION = "fulian_cases.export_minor_identified"
AGE_BANDS = ((0, 5), (6, 11), (12, 13), (14, 15), (16, 17))


def age_band(age: int | None) -> str:
    """A child's age as a band: exact age, sex and district together can single a child out."""
    if age is None:
        return ""
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "18+"


def may_export_identified(user: Any) -> bool:
    return bool(user.has_perm(IDENTIFIED_MINOR_PERMISSION))


def header() -> list[str]:
    return [_("案号"), _("状态"), _("承办单位"), _("问题分类"), _("细分类"), _("涉及未成年人"), _("立案时间"),
            _("结案时间"), _("承办人"), _("求助人"), _("性别"), _("年龄"), _("电话"), _("身份信息")]  # fmt: skip


def rows(cases: QuerySet[Case], *, identified: bool) -> Iterator[list[str]]:
    """One row per case; `identified` (the dedicated permission, checked by the caller) shows
    minor-protection children in full; otherwise they are de-identified and others masked."""
    restricted = restricted_category_ids()
    first_helped = Prefetch(
        "parties",
        queryset=Party.objects.filter(role=PartyRole.HELPED).only("pk", "case_id", "name", "phone", "sex", "age"),
        to_attr="helped",
    )
    cases = (
        cases.select_related("organisation", "category", "subcategory", "caseworker")
        .defer("summary", "assessment", "plan", "close_reason")
        .prefetch_related(first_helped)
        .order_by("pk")
    )
    for case in cases.iterator(chunk_size=1000):
        helped = getattr(case, "helped", [])
        person = helped[0] if helped else None
        name = phone = age = ""
        if person is not None:
            age = "" if person.age is None else str(person.age)
        if is_restricted(case, restricted):
            if identified and person is not None:
                name, phone, marker = person.name, person.phone, _("完整")
            else:
                age, marker = age_band(person.age if person else None), _("已去标识")
        else:
            if person is not None:
                name = mask_name(person.name) if person.name else ""
                phone = mask_phone(person.phone) if person.phone else ""
            marker = _("已脱敏")
        yield [
            case.number,
            case.get_status_display(),
            case.organisation.name,
            case.category.name if case.category else "",
            case.subcategory.name if case.subcategory else "",
            _("是") if case.minor_involved else _("否"),
            timezone.localtime(case.opened_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(case.closed_at).strftime("%Y-%m-%d") if case.closed_at else "",
            case.caseworker.get_username() if case.caseworker else "",
            name,
            person.get_sex_display() if person is not None else "",
            age,
            phone,
            str(marker),
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(cases: QuerySet[Case], *, identified: bool) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header())  # BOM: Excel opens the Chinese headers correctly
    for row in rows(cases, identified=identified):
        # A cell starting with = + - @ would run as a formula in Excel: quote it.
        yield writer.writerow([f"'{cell}" if cell[:1] in ("=", "+", "-", "@") else cell for cell in row])
