"""Importing a ledger from Excel (.xlsx): the template, the check (the preview) and the all-or-nothing import.

The sheet ("台账") has one row per household member; a household's own columns (村（社区）, 户主姓名,
家庭类型, 风险等级 …) are filled on its first row and may be left blank, or repeated unchanged, on
the rows below. The household key (户序号) groups the rows of one household within the file; a blank
key continues the household of the row above (what is left after un-merging cells). The template's
instructions sheet says the same, with the allowed values and the offices the uploader may import into.

The file is read with openpyxl in read-only mode (streamed: memory does not grow with the rows) and
refused, with a clear report, when it is not an .xlsx file, too large, has wrong or missing headers,
merged cells, formulas, or more rows than LEDGER_IMPORT_MAX_ROWS. Every row is validated with the
same rules as the forms (services.clean_family, services.clean_member), ID numbers are checked for
duplicates within the file and against the ledger, and the errors are (row, column, message) — never
a cell's value, which is personal data (the uploader has her own file).

Between the check and the import the upload is kept sealed (AES-GCM or SM4-GCM under the field key,
bound to its import row) in the database, never as a plain file; it is wiped as soon as it is no
longer needed. The import runs in one transaction: it saves every household or none.
"""

from __future__ import annotations

import datetime as dt
import heapq
import hmac
import io
import logging
import os
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.audit.services import audit_record, audit_record_many
from fulian.ledger.models import (
    Family,
    FamilyType,
    GradeChange,
    ImportStatus,
    LedgerImport,
    Member,
    Relationship,
    RiskGrade,
)
from fulian.ledger.services import allocate_numbers, clean_family, clean_member
from fulian.orgs.models import Organisation
from fulian.orgs.selectors import offices_within
from fulian.people.models import Sex
from fulian.security import crypto
from fulian.security.access import may, organisation_of, visible
from fulian.security.blind import blind_index

logger = logging.getLogger(__name__)

SHEET = "台账"  # the data sheet's name in the template (a workbook without it: its first sheet)
BATCH = 500
MAX_COLUMNS = 200  # the header row is read this far


def max_rows() -> int:
    return int(getattr(settings, "LEDGER_IMPORT_MAX_ROWS", 50_000))


def max_bytes() -> int:
    return int(getattr(settings, "LEDGER_IMPORT_MAX_BYTES", 10 * 1024 * 1024))


def max_unzipped_bytes() -> int:
    # What the parts may expand to: a small "zip bomb" is refused before anything is parsed.
    return int(getattr(settings, "LEDGER_IMPORT_MAX_UNZIPPED_BYTES", 256 * 1024 * 1024))


def max_errors() -> int:
    return int(getattr(settings, "LEDGER_IMPORT_MAX_ERRORS", 2000))


def keep_hours() -> int:
    return int(getattr(settings, "LEDGER_IMPORT_KEEP_HOURS", 24))


# --- the columns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: Promise
    required: bool
    household: bool  # a household's own column: its first row
    width: int
    note: Promise
    kind: str = "text"  # text | key | date | id | phone


COLUMNS: tuple[Column, ...] = (
    Column("key", gettext_lazy("户序号"), True, True, 8,
           gettext_lazy("同一户的各行填同一个序号（如 1、2、3）；留空表示与上一行是同一户。"), "key"),
    Column("organisation", gettext_lazy("村（社区）"), True, True, 20,
           gettext_lazy("填名称或行政区划代码，须是“可导入的村（社区）”中的一个。")),
    Column("head_name", gettext_lazy("户主姓名"), True, True, 10, gettext_lazy("户主的姓名。")),
    Column("types", gettext_lazy("家庭类型"), True, True, 16,
           gettext_lazy("至少一种；多种用“、”分隔，如：单亲、留守儿童。")),
    Column("grade", gettext_lazy("风险等级"), True, True, 8, gettext_lazy("从下拉列表中选择。")),
    Column("grade_reason", gettext_lazy("定级理由"), False, True, 24, gettext_lazy("500 字以内。")),
    Column("address", gettext_lazy("住址"), False, True, 24, gettext_lazy("200 字以内。")),
    Column("grid", gettext_lazy("网格"), False, True, 10, gettext_lazy("50 字以内。")),
    Column("cadre", gettext_lazy("包保干部账号"), False, True, 14,
           gettext_lazy("包保干部在本平台的登录账号，须是本辖区的妇联干部；可不填。")),
    Column("needs", gettext_lazy("需求"), False, True, 20, gettext_lazy("1000 字以内。")),
    Column("last_visit_on", gettext_lazy("最近走访日期"), False, True, 12,
           gettext_lazy("日期，如 2026-01-05；填写后按风险等级的走访周期推算下次走访日期，不填则从今天起算。"),
           "date"),
    Column("name", gettext_lazy("成员姓名"), True, False, 10,
           gettext_lazy("每行一位家庭成员；只登记户信息时，本行的成员各列都不填。")),
    Column("relationship", gettext_lazy("与户主关系"), True, False, 14, gettext_lazy("从下拉列表中选择。")),
    Column("id_number", gettext_lazy("身份证号"), False, False, 21,
           gettext_lazy("18 位，以文本填写（模板已设为文本格式）；填写后出生日期和性别按身份证号核对。"), "id"),
    Column("sex", gettext_lazy("性别"), False, False, 6, gettext_lazy("男、女；有身份证号时可不填。")),
    Column("birth_date", gettext_lazy("出生日期"), False, False, 12,
           gettext_lazy("日期，如 2012-09-01；有身份证号时可不填。"), "date"),
    Column("phone", gettext_lazy("电话"), False, False, 14, gettext_lazy("手机或固定电话。"), "phone"),
    Column("school_or_work", gettext_lazy("就学或就业"), False, False, 16, gettext_lazy("100 字以内。")),
    Column("health", gettext_lazy("健康与残疾情况"), False, False, 20, gettext_lazy("500 字以内。")),
)  # fmt: skip
BY_KEY = {column.key: column for column in COLUMNS}
HOUSEHOLD = tuple(c.key for c in COLUMNS if c.household and c.key != "key")
MEMBER = tuple(c.key for c in COLUMNS if not c.household)

# What a cadre writes, as well as the labels: "本人" for the head, "妻子" for a spouse…
RELATIONSHIP_WORDS = {
    Relationship.HEAD: ("本人", "户主本人"),
    Relationship.SPOUSE: ("妻", "妻子", "夫", "丈夫", "夫妻"),
    Relationship.CHILD: ("子", "女", "儿子", "女儿", "长子", "长女", "次子", "次女", "养子", "养女", "继子", "继女"),
    Relationship.PARENT: ("父亲", "母亲", "父", "母", "公公", "婆婆", "岳父", "岳母"),
    Relationship.GRANDPARENT: ("祖父母", "外祖父母", "祖父", "祖母", "外祖父", "外祖母", "爷爷", "奶奶", "外公", "外婆"),
    Relationship.GRANDCHILD: ("孙子女", "外孙子女", "孙子", "孙女", "外孙", "外孙女"),
    Relationship.SIBLING: ("兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹"),
    Relationship.OTHER: (),
}  # fmt: skip
SEX_WORDS = {"男": Sex.MALE, "女": Sex.FEMALE, "未知": Sex.UNKNOWN, "M": Sex.MALE, "F": Sex.FEMALE}
TYPE_SEPARATORS = re.compile(r"[、,，;；/|\s]+")
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


def _normal_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = "".join(text.split())
    for mark in ("(必填)", "(选填)", "*"):
        text = text.replace(mark, "")
    # NFKC has turned the Chinese brackets into ASCII ones: compare the headers the same way.
    return text


HEADERS = {_normal_header(c.header): c for c in COLUMNS}


def lookup_key(text: str) -> str:
    """How a name in the sheet is compared: full-width forms folded, spaces ignored, Latin letters in lower case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- errors -----------------------------------------------------------------------------------------


@dataclass
class Problems:
    """The errors found, kept to the first `limit` by row and column (a bounded heap): never a value."""

    limit: int
    total: int = 0
    _heap: list[tuple[int, int, int, str, str, str]] = field(default_factory=list)
    _seq: int = 0

    def add(self, row: int, column: Column | None, message: str, position: int = -1) -> None:
        self.total += 1
        self._seq += 1
        letter = column_letter(position) if position >= 0 else ""
        name = str(column.header) if column is not None else ""
        item = (-row, -position, -self._seq, letter, name, str(message))
        if len(self._heap) < self.limit:
            heapq.heappush(self._heap, item)
        elif item > self._heap[0]:
            heapq.heapreplace(self._heap, item)

    def rows(self) -> list[list[Any]]:
        ordered = sorted(self._heap, reverse=True)
        return [[-row, letter, name, message] for row, _p, _s, letter, name, message in ordered]

    def __bool__(self) -> bool:
        return self.total > 0


class Unreadable(Exception):
    """The file cannot be read as a ledger sheet at all: its message is the Chinese reason."""


# --- the file ---------------------------------------------------------------------------------------


def inspect_file(data: bytes) -> None:
    """Refuse what is not an .xlsx workbook, before anything parses it (raises Unreadable)."""
    if len(data) > max_bytes():
        raise Unreadable(too_large())
    if not data:
        raise Unreadable(_("文件是空的。"))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Unreadable(
            _(
                "这是旧版 Excel（.xls）文件或设置了打开密码的文件。请在 Excel 中“另存为”Excel 工作簿（.xlsx），不设密码，再上传。"
            )
        )
    if not data.startswith(b"PK\x03\x04"):
        raise Unreadable(_("这不是 Excel 文件（.xlsx）。请使用下载的模板填写，或在 Excel 中另存为 .xlsx 后上传。"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
            expanded = sum(part.file_size for part in parts)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise Unreadable(_("文件已损坏，或不是 Excel 文件（.xlsx）。")) from None
    if "xl/workbook.xml" not in names:
        raise Unreadable(_("这不是 Excel 文件（.xlsx）：可能是 Word 文档或其他压缩文件。"))
    if expanded > max_unzipped_bytes():
        raise Unreadable(_("文件内容过大，无法导入。请分成几个文件导入。"))


def size_text(size: int) -> str:
    return f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def too_large() -> str:
    return _("文件过大：上限为 %(size)s。请分成几个文件导入。") % {"size": size_text(max_bytes())}


def digest_of(data: bytes) -> str:
    """A keyed hash of the upload (the blind-index key): equal files match, contents are not revealed."""
    return hmac.new(settings.BLIND_INDEX_KEY.encode(), b"ledger-import:" + data, sha256).hexdigest()


def _open_workbook(data: bytes) -> Any:
    import openpyxl

    try:
        # Not data_only: a formula is seen as one (data_type "f") and refused, computed or not.
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file: all mean "cannot read"
        logger.warning("ledger import: unreadable workbook (%s)", type(error).__name__)
        raise Unreadable(
            _("无法读取这个 Excel 文件，文件可能已损坏。请在 Excel 中打开并另存为 .xlsx 后再上传。")
        ) from None


def _merged_ranges(sheet: Any, limit: int = 20) -> list[str]:
    """The merged ranges of a read-only sheet, read from its XML as a stream (openpyxl's read-only
    mode does not report them)."""
    found: list[str] = []
    tail = b""
    with sheet._get_source() as source:  # the sheet's part in the archive
        while len(found) < limit:
            chunk = source.read(1 << 20)
            if not chunk:
                break
            text = tail + chunk
            found.extend(m.decode() for m in MERGE.findall(text))
            cut = text.rfind(b"<")
            tail = text[cut:] if cut >= 0 and len(text) - cut < 512 else b""
    return list(dict.fromkeys(found))[:limit]


# --- cell values ------------------------------------------------------------------------------------


def _digits(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, int | float):
        return _digits(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    """A date cell, or a date written as text (2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日, 20260105)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool | dt.time):
        raise ValueError(_("不是日期。请填写如 2026-01-05 的日期。"))
    if isinstance(value, int | float):
        match = DATE_DIGITS.match(_digits(value))
        if match is None:
            raise ValueError(_("日期被存成了数字。请把单元格设为日期格式，或填写如 2026-01-05 的日期。"))
    else:
        text = "".join(unicodedata.normalize("NFKC", str(value)).split())
        match = DATE_TEXT.match(text) or DATE_DIGITS.match(text)
        if match is None:
            raise ValueError(_("无法识别的日期。请填写如 2026-01-05 或 2026/1/5 的日期。"))
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ValueError(_("日期不存在，请核对。")) from None


def _cell(column: Column, value: Any) -> Any:
    """The typed value of one cell (ValueError with the Chinese reason when it cannot be used)."""
    if column.kind == "date":
        return _date(value)
    if column.kind == "id" and isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(_("身份证号被存成了数字，后几位可能已丢失。请把这一列设为“文本”格式后重新填写身份证号。"))
    if column.kind in ("key", "phone") and isinstance(value, int | float) and not isinstance(value, bool):
        return _digits(value)
    if isinstance(value, dt.time):
        raise ValueError(_("不应填写时间。"))
    text = _text(value)
    return unicodedata.normalize("NFKC", text) if column.kind in ("key", "id", "phone") else text


# --- lookups ----------------------------------------------------------------------------------------


@dataclass
class Lookups:
    """What names in the sheet stand for: the user's offices, the active types and grades, her cadres."""

    offices: dict[str, Organisation | None]  # name, name without 妇联, division code → office (None: ambiguous)
    grades: dict[str, RiskGrade]
    types: dict[str, FamilyType]
    relationships: dict[str, str]
    cadres: Callable[[Iterable[str]], dict[str, Any]]

    @classmethod
    def for_user(cls, user: Any) -> Lookups:
        offices: dict[str, Organisation | None] = {}
        for office in offices_within(user).order_by("path"):
            for name in {lookup_key(office.name), lookup_key(office.name.removesuffix("妇联"))}:
                offices[name] = None if name in offices and offices[name] != office else office
            if office.division_code:
                offices[office.division_code] = office
        grades: dict[str, RiskGrade] = {}
        for grade in RiskGrade.objects.filter(active=True):
            for name in (grade.name, grade.code, grade.name.removesuffix("色")):
                grades.setdefault(lookup_key(name), grade)
        types: dict[str, FamilyType] = {}
        for kind in FamilyType.objects.filter(active=True):
            types.setdefault(lookup_key(kind.name), kind)
            types.setdefault(lookup_key(kind.code), kind)
        relationships = {lookup_key(str(label)): value for value, label in Relationship.choices}
        for value, words in RELATIONSHIP_WORDS.items():
            for word in words:
                relationships.setdefault(word, value)
        home = organisation_of(user)

        def cadres(usernames: Iterable[str]) -> dict[str, Any]:
            if home is None:
                return {}
            users = get_user_model().objects.filter(
                username__in=list(usernames), is_active=True,
                staff_profile__organisation__path__startswith=home.path,
            ).select_related("staff_profile__organisation")  # fmt: skip
            return {u.username: u for u in users}

        return cls(offices, grades, types, relationships, cadres)


def allowed_values() -> dict[str, list[str]]:
    """The values the template's lists offer."""
    return {
        "types": list(FamilyType.objects.filter(active=True).values_list("name", flat=True)),
        "grade": list(RiskGrade.objects.filter(active=True).values_list("name", flat=True)),
        "relationship": [str(label) for _value, label in Relationship.choices],
        "sex": [str(label) for _value, label in Sex.choices],
    }


# --- the check --------------------------------------------------------------------------------------


@dataclass
class Household:
    key: str
    row: int  # its first row
    raw: dict[str, Any] = field(default_factory=dict)  # household columns: the first value given
    rows: dict[str, int] = field(default_factory=dict)  # the row each household value came from
    bad: set[str] = field(default_factory=set)  # household columns whose cell was refused
    members: list[tuple[int, dict[str, Any], set[str]]] = field(default_factory=list)
    # Filled by the check:
    organisation: Organisation | None = None
    data: dict[str, Any] = field(default_factory=dict)
    cleaned: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Checked:
    households: list[Household]
    problems: Problems
    rows: int = 0
    notes: list[str] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)  # column key → its position in the file
    # Blind index of each valid ID number → the rows it is on (for the duplicate check in the import).
    id_rows: dict[str, list[int]] = field(default_factory=dict)

    @property
    def members(self) -> int:
        return sum(len(h.cleaned) for h in self.households)

    def add(self, row: int, key: str | None, message: str) -> None:
        column = BY_KEY[key] if key else None
        self.problems.add(row, column, message, self.positions.get(key, -1) if key else -1)

    def offices(self) -> list[list[int]]:
        counts: dict[int, int] = {}
        for household in self.households:
            if household.organisation is not None:
                counts[household.organisation.pk] = counts.get(household.organisation.pk, 0) + 1
        return [[pk, n] for pk, n in counts.items()]


Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


def check(data: bytes, *, user: Any, progress: Progress = _no_progress) -> Checked:
    """Read and validate the whole sheet; nothing is saved. Raises Unreadable for a file that cannot
    be read at all; every other problem is an error of the result, by row and column."""
    inspect_file(data)
    checked = Checked([], Problems(max_errors()))
    workbook = _open_workbook(data)
    try:
        _read(workbook, checked, progress)
    except Unreadable:
        raise
    except Exception as error:  # noqa: BLE001 - a damaged part found while streaming the rows
        logger.warning("ledger import: unreadable sheet (%s)", type(error).__name__)
        raise Unreadable(_("读取表格时出错，文件可能已损坏。请在 Excel 中打开并另存为 .xlsx 后再上传。")) from None
    finally:
        workbook.close()
    if not checked.households:
        return checked  # the file's shape is wrong, or it is empty: reported by _read
    lookups = Lookups.for_user(user)
    today = timezone.localdate()
    cadres = lookups.cadres({h.raw["cadre"] for h in checked.households if h.raw.get("cadre")})
    for household in checked.households:
        _check_household(checked, household, lookups, cadres, today)
    _check_id_numbers(checked, user)
    return checked


def _read(workbook: Any, checked: Checked, progress: Progress) -> None:
    sheets = list(workbook.worksheets)
    if not sheets:
        raise Unreadable(_("文件中没有工作表。"))
    sheet = next((s for s in sheets if s.title == SHEET), sheets[0])
    if len(sheets) > 1:
        checked.notes.append(
            _("只读取了“%(sheet)s”工作表；其他 %(n)s 个工作表（如“填写说明”）未读取。")
            % {"sheet": SHEET if sheet.title == SHEET else _("第一个"), "n": len(sheets) - 1}
        )
    merged = _merged_ranges(sheet)
    for ref in merged:
        row = int("".join(ch for ch in ref.split(":")[0] if ch.isdigit()))
        checked.add(
            row, None, _("有合并单元格（%(ref)s）。请取消合并：户序号和户信息只需填在每户的第一行。") % {"ref": ref}
        )
    if merged:
        return
    limit = max_rows()
    total = min(max((sheet.max_row or 0) - 1, 0), limit)
    # Only the columns that matter are built for each row: a sheet claiming to be 16,384 columns wide
    # (some tools write such a dimension) costs no more than the template's.
    header = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS), ())
    if not _header(header, checked):
        return
    rows = sheet.iter_rows(min_row=2, max_col=max(checked.positions.values()) + 1)
    households: dict[str, Household] = {}
    current: Household | None = None
    count = 0
    for cells in rows:
        found = _filled(cells, checked.positions)
        if not found:
            continue  # an empty row
        row = found[0][2].row
        count += 1
        if count > limit:
            count -= 1
            checked.add(
                row,
                None,
                _("行数超过上限：一次最多导入 %(n)s 行，本行及以下未读取。请分成几个文件导入。") % {"n": limit},
            )
            break
        current = _take_row(checked, row, found, households, current)
        if count % 1000 == 0:
            progress(count, total)
    checked.rows = count
    checked.households = list(households.values())
    if count == 0 and not checked.problems:
        checked.add(2, None, _("表格中没有数据：请从第 2 行起填写，每行一位家庭成员。"))
    progress(count, max(total, count))


def _header(cells: Iterable[Any], checked: Checked) -> bool:
    """Find the columns in the header row (row 1); False (with the errors) when it is wrong."""
    positions, unknown, repeated = checked.positions, [], []
    for index, cell in enumerate(cells):
        value = getattr(cell, "value", None)
        if _text(value) == "":
            continue
        column = HEADERS.get(_normal_header(value))
        if column is None:
            unknown.append(index)
        elif column.key in positions:
            repeated.append((column, index))
        else:
            positions[column.key] = index
    if not positions:
        checked.add(1, None, _("第 1 行不是模板的列名。请使用下载的模板：第 1 行为列名，从第 2 行起填写数据。"))
        return False
    for index in unknown:
        checked.problems.add(1, None, _("无法识别的列名：不是模板中的列。请删除这一列，或改用模板中的列名。"), index)
    for column, index in repeated:
        checked.problems.add(1, column, _("列名重复。"), index)
    missing = [str(c.header) for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        checked.add(1, None, _("缺少必填的列：%(names)s。") % {"names": "、".join(missing)})
    return not checked.problems


def _filled(cells: tuple[Any, ...], positions: dict[str, int]) -> list[tuple[Column, int, Any]]:
    """The cells of a row with something in them, in the template's columns."""
    found = []
    for key, position in positions.items():
        if position < len(cells):
            cell = cells[position]
            value = getattr(cell, "value", None)
            if value is not None and not (isinstance(value, str) and not value.strip()):
                found.append((BY_KEY[key], position, cell))
    return found


def _take_row(
    checked: Checked, row: int, found: list[tuple[Column, int, Any]], households: dict[str, Household],
    current: Household | None,
) -> Household | None:  # fmt: skip
    typed: dict[str, Any] = {}
    bad: set[str] = set()
    for column, position, cell in found:
        message = None
        if cell.data_type == "f":
            message = _("不能使用公式。请复制后“选择性粘贴 → 数值”。")
        elif cell.data_type == "e":
            message = _("单元格是错误值（如 #N/A、#REF!）。请填写实际内容。")
        else:
            try:
                typed[column.key] = _cell(column, cell.value)
            except ValueError as error:
                message = str(error)
        if message is not None:
            checked.problems.add(row, column, message, position)
            bad.add(column.key)
    key = typed.pop("key", "")
    if key:
        household = households.get(key)
        if household is None:
            household = households[key] = Household(key=key, row=row)
    elif current is not None:
        household = current  # a blank key: the household of the row above
    else:
        if "key" not in bad:
            checked.add(row, "key", _("请填写户序号（第一户的第一行必须填写）。"))
        return None
    for name in HOUSEHOLD:
        if name in bad:
            household.bad.add(name)
        if typed.get(name) in ("", None):
            continue
        if name not in household.raw:
            household.raw[name], household.rows[name] = typed[name], row
        elif household.raw[name] != typed[name]:
            checked.add(row, name, _("与同一户第 %(row)s 行填写的不一致（户信息只需填在每户的第一行）。")
                        % {"row": household.rows[name]})  # fmt: skip
    if any(column.key in MEMBER for column, _p, _c in found):
        household.members.append((row, {k: typed[k] for k in MEMBER if k in typed}, bad))
    return household


def _check_household(
    checked: Checked, household: Household, lookups: Lookups, cadres: dict[str, Any], today: dt.date
) -> None:
    raw, reported = household.raw, set(household.bad)

    def report(key: str, message: str) -> None:
        checked.add(household.rows.get(key, household.row), key, message)
        reported.add(key)

    organisation: Organisation | None = None
    if raw.get("organisation"):
        name = lookup_key(raw["organisation"])
        if name not in lookups.offices:
            report(
                "organisation",
                _("找不到这个村（社区），或不在您可导入的范围内。可填写的村（社区）见模板的“填写说明”工作表。"),
            )
        elif lookups.offices[name] is None:
            report("organisation", _("有多个同名的村（社区），请改填行政区划代码。"))
        else:
            organisation = lookups.offices[name]
    elif "organisation" not in reported:
        report("organisation", _("请填写村（社区）。"))
    grade = None
    if raw.get("grade"):
        grade = lookups.grades.get(lookup_key(raw["grade"]))
        if grade is None:
            report("grade", _("无法识别的风险等级。可选：%(values)s。") % {"values": _names(lookups.grades.values())})
    types: list[FamilyType] = []
    for word in TYPE_SEPARATORS.split(raw.get("types", "")):
        if not word:
            continue
        kind = lookups.types.get(lookup_key(word))
        if kind is None:
            report("types", _("无法识别的家庭类型。可选：%(values)s；多种用“、”分隔。")
                   % {"values": _names(lookups.types.values())})  # fmt: skip
            break
        if kind not in types:
            types.append(kind)
    cadre = None
    if raw.get("cadre"):
        cadre = cadres.get(raw["cadre"])
        if cadre is None:
            report("cadre", _("找不到这个账号，或不是本辖区的妇联干部。"))
    last_visit = raw.get("last_visit_on")
    if last_visit is not None and (last_visit > today or last_visit.year < 2000):
        report("last_visit_on", _("最近走访日期不能晚于今天，也不能早于 2000 年。"))
    data = {key: raw.get(key, "") for key in ("head_name", "address", "grid", "grade_reason", "needs")}
    data.update(grade=grade, types=types, cadre=cadre)
    try:
        data = clean_family(data, organisation=organisation)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            if key in BY_KEY and key not in reported:
                report(key, messages[0])
    household.organisation = organisation
    household.data = {**data, "last_visit_on": last_visit}
    head = 0
    for row, member, bad in household.members:
        cleaned = _check_member(checked, row, member, bad, lookups, today)
        if cleaned is None:
            continue
        if cleaned["relationship"] == Relationship.HEAD:
            if head:
                checked.add(row, "relationship", _("同一户只能有一位户主（第 %(row)s 行已是户主）。") % {"row": head})
                continue
            head = row
        household.cleaned.append((row, cleaned))


def _check_member(
    checked: Checked, row: int, member: dict[str, Any], bad: set[str], lookups: Lookups, today: dt.date
) -> dict[str, Any] | None:
    reported = set(bad)
    data = dict(member)
    words = lookup_key(data.get("relationship", ""))
    data["relationship"] = lookups.relationships.get(words)
    if words and data["relationship"] is None:
        checked.add(row, "relationship", _("无法识别的与户主关系。可选：%(values)s。")
                    % {"values": "、".join(str(label) for _v, label in Relationship.choices)})  # fmt: skip
        reported.add("relationship")
    sex = data.get("sex", "")
    data["sex"] = SEX_WORDS.get(sex.upper(), "") if sex else Sex.UNKNOWN
    if not data["sex"]:
        checked.add(row, "sex", _("性别请填写“男”或“女”。"))
        reported.add("sex")
        data["sex"] = Sex.UNKNOWN
    try:
        cleaned = clean_member(data, today=today)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            if key in BY_KEY and key not in reported:
                checked.add(row, key, messages[0])
        return None
    return None if reported else cleaned


def _check_id_numbers(checked: Checked, user: Any) -> None:
    """The same ID number twice in the file is an error on every row it is on; one already in the
    ledger is an error naming its family's number when that family is in the user's scope."""
    rows_of: dict[str, list[int]] = defaultdict(list)
    for household in checked.households:
        for row, member in household.cleaned:
            if member["id_number"]:
                rows_of[blind_index("id_number", member["id_number"])].append(row)
    for rows in rows_of.values():
        if len(rows) > 1:
            for row in rows:
                others = "、".join(str(r) for r in rows if r != row)
                checked.add(row, "id_number", _("身份证号与第 %(rows)s 行重复。") % {"rows": others})
    checked.id_rows = dict(rows_of)
    database_duplicates(checked, user)


def database_duplicates(checked: Checked, user: Any) -> int:
    """Report each ID number already in the ledger (on every row it is on); how many there are."""
    found: list[tuple[str, int, str]] = []
    indexes = list(checked.id_rows)
    for start in range(0, len(indexes), BATCH):
        chunk = indexes[start : start + BATCH]
        found.extend(
            Member.objects.filter(id_number_index__in=chunk).values_list(
                "id_number_index", "family_id", "family__number"
            )
        )
    if not found:
        return 0
    in_scope = set(visible(user, Family).filter(pk__in={f for _i, f, _n in found}).values_list("pk", flat=True))
    named: dict[str, str] = {}
    for index, family_pk, number in found:
        if family_pk in in_scope or index not in named:
            named[index] = number if family_pk in in_scope else named.get(index, "")
    advice = _("如确为同一人，请从表中删去这一行，导入后在该家庭页面添加成员并确认关联。")
    for index, number in named.items():
        if number:
            message = _("此身份证号已登记在台账 %(number)s 中。") % {"number": number}
        else:
            message = _("此身份证号已登记在其他辖区的台账中。")
        for row in checked.id_rows[index]:
            checked.add(row, "id_number", message + advice)
    return len(named)


def _names(items: Iterable[Any]) -> str:
    return "、".join(dict.fromkeys(item.name for item in items))


# --- the import -------------------------------------------------------------------------------------


def may_import(user: Any) -> bool:
    """Who may import: the holders of the import permission, and whoever may register families one
    by one (the import only registers families, into the offices at and below the user's own)."""
    if organisation_of(user) is None:
        return False
    return bool(user.has_perm("fulian_ledger.import_family")) or may(user, "create", Family)


class _Progress:
    """Progress written while the import's transaction is open, on a connection of its own, so the
    page sees it at once (PostgreSQL). SQLite has one writer at a time: there the bar moves between
    steps only."""

    def __init__(self, pk: int, offset: int) -> None:
        self.pk, self.offset = pk, offset
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS) if connection.vendor == "postgresql" else None

    def __call__(self, done: int) -> None:
        if self.connection is None:
            return
        table = LedgerImport._meta.db_table
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET done = %s WHERE id = %s", [self.offset + done, self.pk])  # noqa: S608
        except Exception as error:  # noqa: BLE001 - progress is a courtesy: it never fails the import
            logger.warning("ledger import %s: progress not written (%s)", self.pk, type(error).__name__)
            self.close()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _save(checked: Checked, *, user: Any, ledger_import: LedgerImport, progress: Callable[[int], None]) -> None:
    """Register every household of a checked sheet, in batches; the caller holds the transaction."""
    now, today = timezone.now(), timezone.localdate()
    households = checked.households
    offices: dict[int, Organisation] = {}
    counts: dict[int, int] = defaultdict(int)
    for household in households:
        office = _office(household)
        offices[office.pk] = office
        counts[office.pk] += 1
    # One locked step per office, in a fixed order (two imports at once queue rather than deadlock).
    numbers: dict[int, Iterator[str]] = {pk: iter(allocate_numbers(offices[pk], counts[pk])) for pk in sorted(counts)}
    through: Any = Family.types.through
    for start in range(0, len(households), BATCH):
        batch = households[start : start + BATCH]
        families = []
        for household in batch:
            data, organisation = household.data, _office(household)
            base = data["last_visit_on"] or today
            families.append(Family(
                organisation=organisation, number=next(numbers[organisation.pk]), head_name=data["head_name"],
                address=data.get("address", ""), grid=data.get("grid", ""), cadre=data["cadre"], grade=data["grade"],
                grade_reason=data.get("grade_reason", ""), needs=data.get("needs", ""),
                next_visit_on=base + dt.timedelta(days=data["grade"].visit_every_days),
                last_visit_on=data["last_visit_on"], created_by=user,
            ))  # fmt: skip
        Family.objects.bulk_create(families)
        pairs = list(zip(families, batch, strict=True))
        through.objects.bulk_create(
            [through(family_id=f.pk, familytype_id=t.pk) for f, h in pairs for t in h.data["types"]]
        )
        GradeChange.objects.bulk_create(
            [
                GradeChange(family=f, from_grade=None, to_grade=f.grade, reason=f.grade_reason, at=now, by=user)
                for f in families
            ]
        )
        Member.objects.bulk_create(
            [Member(family=f, **member) for f, h in pairs for _row, member in h.cleaned],
            batch_size=BATCH,
        )
        audit_record_many(
            action="family.import", actor=user,
            records=[(f, {"import": ledger_import.pk, "grade": f.grade.code, "members": len(h.cleaned)})
                     for f, h in pairs],
        )  # fmt: skip
        progress(start + len(batch))
    audit_record(
        action="ledger.import", actor=user, target=ledger_import,
        detail={"families": len(households), "members": checked.members, "offices": dict(counts)},
    )  # fmt: skip


def _office(household: Household) -> Organisation:
    if household.organisation is None:  # a checked sheet without errors has an office on every household
        raise ValueError("a household without its office")
    return household.organisation


def _aad(pk: int) -> bytes:
    # Bound to its row: sealed bytes copied into another import do not open.
    return f"fulian_ledger.ledgerimport.sheet:{pk}".encode()


def seal(data: bytes, pk: int) -> bytes:
    ring = crypto.keyring()
    nonce = os.urandom(crypto.NONCE_BYTES)
    head = f"{ring.cipher}${ring.current}$".encode()
    return head + nonce + crypto._seal(ring.cipher, ring.key(ring.current), nonce, data, _aad(pk))


def unseal(sealed: bytes | memoryview, pk: int) -> bytes:
    from cryptography.exceptions import InvalidTag

    try:
        cipher, key_id, rest = bytes(sealed).split(b"$", 2)
        nonce, body = rest[: crypto.NONCE_BYTES], rest[crypto.NONCE_BYTES :]
        return crypto._open(cipher.decode(), crypto.keyring().key(key_id.decode()), nonce, body, _aad(pk))
    except (InvalidTag, ValueError, UnicodeDecodeError):
        raise crypto.DecryptionError("the sealed sheet failed authentication") from None


def _uploader(ledger_import: LedgerImport) -> Any:
    user = ledger_import.created_by
    if user is None or not user.is_active:
        return None
    user = get_user_model().objects.get(pk=user.pk)  # fresh: permissions as they are now
    return user if may_import(user) else None


def _set(pk: int, **values: Any) -> None:
    LedgerImport.objects.filter(pk=pk).update(**values)


def _finish(pk: int, status: str, **values: Any) -> None:
    _set(pk, status=status, finished_at=timezone.now(), **values)


def _file_error(message: str) -> list[list[Any]]:
    return [[0, "", "", message]]


def _claim(pk: int, expected: str, status: str, **values: Any) -> LedgerImport | None:
    """Move an import from one step to the next, once (a task delivered twice does nothing the second time)."""
    with transaction.atomic():
        ledger_import = (
            LedgerImport.objects.select_for_update(of=("self",)).select_related("created_by").filter(pk=pk).first()
        )
        if ledger_import is None or ledger_import.status != expected:
            return None
        LedgerImport.objects.filter(pk=pk).update(status=status, **values)
    return ledger_import


def run_check(pk: int) -> str:
    """The preview: read and validate the uploaded sheet; READY, or INVALID with its errors."""
    ledger_import = _claim(pk, ImportStatus.UPLOADED, ImportStatus.CHECKING, started_at=timezone.now())
    if ledger_import is None:
        return "skipped"
    try:
        user = _uploader(ledger_import)
        if user is None:
            raise Unreadable(_("您已没有导入台账的权限。"))
        checked = check(unseal(ledger_import.sheet, pk), user=user,
                        progress=lambda done, total: _set(pk, done=done, total=total))  # fmt: skip
        earlier = (
            LedgerImport.objects.filter(digest=ledger_import.digest, status=ImportStatus.DONE).exclude(pk=pk).first()
        )
        if earlier is not None:
            day = timezone.localtime(earlier.finished_at or earlier.created_at).date().isoformat()
            checked.add(
                0,
                None,
                _("这个文件已在 %(day)s 导入过（第 %(n)s 次导入），不能重复导入。") % {"day": day, "n": earlier.pk},
            )
    except Unreadable as error:
        _finish(pk, ImportStatus.INVALID, sheet=b"", errors=_file_error(str(error)), errors_total=1)
        return "invalid"
    except Exception as error:  # noqa: BLE001 - never a 500 nor a stuck preview: reported, and logged
        logger.error("ledger import %s: the check failed (%s)", pk, type(error).__name__)
        _finish(pk, ImportStatus.INVALID, sheet=b"", errors=_file_error(_("检查时出现意外错误，请稍后重新上传。")),
                errors_total=1)  # fmt: skip
        return "error"
    values = {
        "rows": checked.rows, "families": len(checked.households), "members": checked.members,
        "errors": checked.problems.rows(), "errors_total": checked.problems.total, "notes": checked.notes,
        "offices": checked.offices(),
    }  # fmt: skip
    if checked.problems:
        _finish(pk, ImportStatus.INVALID, sheet=b"", **values)  # nothing more can be done with this file
        return "invalid"
    _finish(pk, ImportStatus.READY, **values)
    return "ready"


def run_import(pk: int) -> str:
    """The import: check the sheet again (the ledger may have changed since the preview), then save
    every household in one transaction, or nothing."""
    ledger_import = _claim(pk, ImportStatus.QUEUED, ImportStatus.IMPORTING, started_at=timezone.now(), done=0)
    if ledger_import is None:
        return "skipped"
    total = ledger_import.rows + ledger_import.families
    progress = _Progress(pk, ledger_import.rows)
    try:
        user = _uploader(ledger_import)
        if user is None:
            raise Unreadable(_("您已没有导入台账的权限。"))
        checked = check(unseal(ledger_import.sheet, pk), user=user,
                        progress=lambda done, _total: _set(pk, done=min(done, ledger_import.rows), total=total))  # fmt: skip
        if checked.problems:
            _finish(pk, ImportStatus.FAILED, sheet=b"", errors=checked.problems.rows(),
                    errors_total=checked.problems.total, notes=[_("导入前再次检查时发现错误（台账在预览后有变化），未保存任何数据。")])  # fmt: skip
            return "failed"
        with transaction.atomic():
            _save(checked, user=user, ledger_import=ledger_import, progress=progress)
    except Unreadable as error:
        _finish(pk, ImportStatus.FAILED, sheet=b"", errors=_file_error(str(error)), errors_total=1)
        return "failed"
    except Exception as error:  # noqa: BLE001 - rolled back, reported; logged without its message
        # Never the message: a database error can quote the values it refused.
        logger.error("ledger import %s failed and was rolled back (%s)", pk, type(error).__name__)
        _finish(pk, ImportStatus.FAILED, sheet=b"", errors=_file_error(_("导入时出现意外错误，已全部撤销，未保存任何数据。")),
                errors_total=1)  # fmt: skip
        return "failed"
    finally:
        progress.close()
    _finish(pk, ImportStatus.DONE, sheet=b"", done=total, total=total, families=len(checked.households),
            members=checked.members, offices=checked.offices())  # fmt: skip
    return "done"


# --- what the views call ----------------------------------------------------------------------------


def upload(*, user: Any, data: bytes) -> LedgerImport:
    """Keep an upload sealed and queue its check. Raises Unreadable for what is plainly not an .xlsx."""
    from fulian.ledger.tasks import check_ledger_import

    inspect_file(data)
    with transaction.atomic():
        ledger_import = LedgerImport.objects.create(
            created_by=user, organisation=organisation_of(user), size=len(data), digest=digest_of(data)
        )
        ledger_import.sheet = seal(data, ledger_import.pk)
        ledger_import.save(update_fields=["sheet"])
        audit_record(action="ledger.import_upload", actor=user, target=ledger_import, detail={"size": len(data)})
        pk = ledger_import.pk
        transaction.on_commit(lambda: check_ledger_import.enqueue(pk))
    return ledger_import


def confirm(*, user: Any, pk: int) -> LedgerImport:
    """Queue the import of a checked sheet (once)."""
    from fulian.ledger.tasks import run_ledger_import

    with transaction.atomic():
        ledger_import = LedgerImport.objects.select_for_update().get(pk=pk, created_by=user)
        if ledger_import.status != ImportStatus.READY:
            raise ValidationError(_("这次导入已确认或已结束，不能再次确认。"))
        if ledger_import.created_at < timezone.now() - dt.timedelta(hours=keep_hours()):
            _finish(pk, ImportStatus.CANCELLED, sheet=b"")
            raise ValidationError(_("预览已过期，请重新上传文件。"))
        ledger_import.status = ImportStatus.QUEUED
        ledger_import.done, ledger_import.total = 0, ledger_import.rows + ledger_import.families
        ledger_import.save(update_fields=["status", "done", "total"])
        transaction.on_commit(lambda: run_ledger_import.enqueue(pk))
    return ledger_import


def cancel(*, user: Any, pk: int) -> None:
    """Give up a checked sheet: it is wiped."""
    LedgerImport.objects.filter(
        pk=pk, created_by=user, status__in=(ImportStatus.UPLOADED, ImportStatus.READY, ImportStatus.INVALID)
    ).update(status=ImportStatus.CANCELLED, sheet=b"", finished_at=timezone.now())


def sweep_stale() -> int:
    """Wipe sheets no longer needed: previews not confirmed within LEDGER_IMPORT_KEEP_HOURS, and
    imports a stopped worker left half-way (their transaction rolled back: nothing was saved)."""
    cutoff = timezone.now() - dt.timedelta(hours=keep_hours())
    old = LedgerImport.objects.filter(created_at__lt=cutoff)
    given_up = old.filter(status__in=(ImportStatus.UPLOADED, ImportStatus.READY)).update(
        status=ImportStatus.CANCELLED, sheet=b"", finished_at=timezone.now()
    )
    stopped = old.filter(status__in=(ImportStatus.CHECKING, ImportStatus.QUEUED, ImportStatus.IMPORTING)).update(
        status=ImportStatus.FAILED, sheet=b"", finished_at=timezone.now(),
        errors=_file_error(_("导入中断，未保存任何数据。请重新上传。")), errors_total=1,
    )  # fmt: skip
    leftover = old.exclude(sheet=b"").update(sheet=b"")
    return given_up + stopped + leftover


# --- the template and the error report ---------------------------------------------------------------

HEADER_FILL = {"required": "FCE4D6", "household": "DDEBF7", "member": "E2EFDA"}


def _office_label(office: Organisation, ambiguous: set[str]) -> str:
    return office.division_code if office.name in ambiguous and office.division_code else office.name


def template(user: Any) -> bytes:
    """The template: the sheet to fill (header row, drop-down lists, text-formatted ID column), the
    instructions with the allowed values and the offices this user may import into, and the lists.

    Always in Chinese, whatever the user's interface language: the ledger is a Chinese document and
    the import reads Chinese column names and values."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return _template(user)


def _template(user: Any) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    limit = max_rows()
    offices = list(offices_within(user).order_by("path"))
    names = [office.name for office in offices]
    ambiguous = {name for name in names if names.count(name) > 1}
    values = allowed_values()
    lists = {
        "organisation": [_office_label(o, ambiguous) for o in offices],
        "types": values["types"],
        "grade": values["grade"],
        "relationship": values["relationship"],
        "sex": [str(Sex.FEMALE.label), str(Sex.MALE.label)],
    }
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    guide = book.create_sheet(_("填写说明"))
    options = book.create_sheet(_("选项"))
    options.sheet_state = "hidden"
    bold = Font(bold=True)

    ranges: dict[str, str] = {}
    for index, (key, items) in enumerate(lists.items()):
        letter = column_letter(index)
        options.cell(1, index + 1, str(BY_KEY[key].header))
        for row, item in enumerate(items, start=2):
            options.cell(row, index + 1, item)
        if items:
            ranges[key] = f"'{options.title}'!${letter}$2:${letter}${len(items) + 1}"

    for index, column in enumerate(COLUMNS):
        letter = column_letter(index)
        cell = sheet.cell(1, index + 1, f"{column.header}*" if column.required else str(column.header))
        kind = "required" if column.required else "household" if column.household else "member"
        cell.font, cell.alignment = bold, Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL[kind])
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.kind in ("id", "phone", "key"):
            dimension.number_format = "@"  # typed as text: an ID number keeps all 18 digits
        elif column.kind == "date":
            dimension.number_format = "yyyy-mm-dd"
        area = f"{letter}2:{letter}{limit + 1}"
        if column.key in ranges:
            multiple = column.key == "types"
            check = DataValidation(
                type="list", formula1=ranges[column.key], allow_blank=True, showErrorMessage=True,
                # Several types are written "单亲、留守儿童": a warning, not a refusal.
                errorStyle="warning" if multiple else "stop", errorTitle=str(column.header),
                error=str(_("多种家庭类型用“、”分隔；请确认每一种都在列表中。") if multiple else _("请从下拉列表中选择。")),
            )  # fmt: skip
        else:
            check = DataValidation(allow_blank=True)
        check.showInputMessage, check.promptTitle, check.prompt = True, str(column.header)[:32], str(column.note)[:250]
        check.add(area)
        sheet.add_data_validation(check)
    sheet.freeze_panes = "B2"
    sheet.row_dimensions[1].height = 30

    rows: list[list[Any]] = [
        [_("重点家庭台账导入模板 · 填写说明")],
        [],
        [_("1. 在“台账”工作表填写，第 1 行为列名，请勿修改；带 * 的列必须保留并填写，不用的选填列可以删除。")],
        [_("2. 每行填一位家庭成员。同一户的各行填同一个“户序号”；户序号留空的行，与上一行属于同一户。")],
        [_("3. 户信息（“村（社区）”至“最近走访日期”各列）只需填在每户的第一行；其余各行可不填，如填写须与第一行一致。")],
        [_("4. 只登记户信息、暂不登记成员时，该行的成员各列（“成员姓名”至“健康与残疾情况”）都不填。")],
        [_("5. 不要合并单元格，不要使用公式。身份证号请以文本填写；日期填写如 2026-01-05，也可写作 2026/1/5。")],
        [_("6. 一次最多导入 %(rows)s 行，文件不超过 %(size)s；超过请分成几个文件导入。")
         % {"rows": limit, "size": size_text(max_bytes())}],
        [_("7. 上传后系统逐行检查并列出错误（第几行、哪一列、什么问题）；有任何错误都不会保存。改正后重新上传，检查通过再确认导入：所有家庭一次建档，台账编号自动生成。")],
        [_("8. 身份证号已在台账中登记的成员不能导入：请从表中删去，导入后在该家庭页面添加成员并确认是同一人。")],
        [_("9. 只读取“台账”工作表；本说明和其他工作表不会导入。")],
        [],
        [_("各列说明"), _("是否必填"), _("填写要求")],
    ]  # fmt: skip
    heads = [0, 12]
    for column in COLUMNS:
        rows.append([str(column.header), _("必填") if column.required else _("选填"), str(column.note)])
    rows += [[], [_("可填写的值"), "", ""]]
    heads.append(len(rows) - 1)
    grades = RiskGrade.objects.filter(active=True)
    rows.append([str(BY_KEY["grade"].header), "、".join(values["grade"]),
                 "；".join(_("%(name)s每 %(days)s 天走访一次") % {"name": g.name, "days": g.visit_every_days}
                          for g in grades)])  # fmt: skip
    rows.append([str(BY_KEY["types"].header), "、".join(values["types"]), _("可填多种，用“、”分隔")])
    rows.append([str(BY_KEY["relationship"].header), "、".join(values["relationship"]),
                 _("也可写作：本人、妻子、丈夫、儿子、女儿、父亲、母亲、爷爷、奶奶、外公、外婆、孙子、孙女、哥哥、姐姐等")])  # fmt: skip
    rows.append([str(BY_KEY["sex"].header), "、".join(lists["sex"]), _("有身份证号时按身份证号核对")])
    rows += [[], [_("您可导入的村（社区）"), _("行政区划代码"), _("填写时用")]]
    heads.append(len(rows) - 1)
    for office in offices:
        rows.append([office.name, office.division_code, _office_label(office, ambiguous)])
    rows += [[], [_("示例（请勿照抄）")]]
    heads.append(len(rows) - 1)
    sample_office = _office_label(offices[0], ambiguous) if offices else ""
    rows.append([str(c.header) for c in COLUMNS])
    rows.append(["1", sample_office, "张某某", "单亲、留守儿童", values["grade"][-1] if values["grade"] else "",
                 "", "某某组", "", "", "", "2026-01-05", "张某某", "户主"])  # fmt: skip
    rows.append(["", "", "", "", "", "", "", "", "", "", "", "李某", "子女", "", "女", "2015-03-08"])
    rows.append(["2", sample_office, "王某某", "贫困", values["grade"][0] if values["grade"] else "",
                 "", "", "", "", "", "", "王某某", "户主"])  # fmt: skip
    for values_row in rows:
        guide.append(values_row)
    for row in heads:
        for cell in guide[row + 1]:
            cell.font = bold
    guide.column_dimensions["A"].width = 30
    guide.column_dimensions["B"].width = 36
    guide.column_dimensions["C"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def error_report(ledger_import: LedgerImport) -> bytes:
    """The errors as a workbook: row, column and message only (no cell's value: the user has her file)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("错误"))
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 6
    sheet.column_dimensions["C"].width = 16
    sheet.column_dimensions["D"].width = 90
    sheet.append([_("行号"), _("列"), _("列名"), _("问题")])
    for row, letter, name, message in ledger_import.errors:
        sheet.append([row or "", letter, name, message])
    if ledger_import.errors_total > len(ledger_import.errors):
        sheet.append([])
        sheet.append(["", "", "", _("共 %(total)s 个错误，这里列出前 %(shown)s 个。改正后重新上传，会再次检查全部内容。")
                      % {"total": ledger_import.errors_total, "shown": len(ledger_import.errors)}])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
