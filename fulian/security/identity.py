"""Chinese resident ID numbers (GB 11643-1999) and phone numbers: normalising, validating, masking."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
ID_RE = re.compile(r"^[1-9]\d{16}[\dX]$")


def normalise_id_number(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def id_number_problem(value: str) -> str | None:
    """Why an ID number is invalid (in Chinese), or None when it is valid."""
    number = normalise_id_number(value)
    if not ID_RE.match(number):
        return _("身份证号应为 18 位：17 位数字加 1 位数字或 X。")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("身份证号中的出生日期不存在。")
    if birth > timezone.localdate() or birth.year < 1900:
        return _("身份证号中的出生日期不合理。")
    if CHECK[sum(int(d) * w for d, w in zip(number[:17], WEIGHTS, strict=True)) % 11] != number[17]:
        return _("身份证号校验位不正确，请核对。")
    return None


def validate_id_number(value: str) -> None:
    problem = id_number_problem(value)
    if problem:
        raise ValidationError(problem, code="id_number")


def birth_date_of(id_number: str) -> dt.date:
    number = normalise_id_number(id_number)
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def normalise_phone(value: str) -> str:
    digits = "".join(c for c in unicodedata.normalize("NFKC", value) if c.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            digits = digits[len(prefix) :]
    return digits


def validate_phone(value: str) -> None:
    digits = normalise_phone(value)
    if not (7 <= len(digits) <= 12):
        raise ValidationError(_("电话号码应为 7 到 12 位数字（手机 11 位）。"), code="phone")


def clean_phone(value: str) -> str:
    """The normalised number, or ValidationError with the Chinese reason."""
    validate_phone(value)
    return normalise_phone(value)


def years_since(born: dt.date, on: dt.date | None = None) -> int:
    """Completed years from a birth date to `on` (today by default)."""
    day = on or timezone.localdate()
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_of(id_number: str, on: dt.date | None = None) -> int:
    """Completed years on `on` (today by default) of the person a valid ID number belongs to."""
    return years_since(birth_date_of(id_number), on)


def mask_phone(value: str) -> str:
    digits = normalise_phone(value)
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_id_number(value: str) -> str:
    number = normalise_id_number(value)
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)


def mask_text(value: str, keep: int = 6) -> str:
    """Addresses and similar: the first few characters, then stars."""
    value = value.strip()
    return value[:keep] + "****" if len(value) > keep else "****" if value else ""
