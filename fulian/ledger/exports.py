"""The ledger export: the list's families (its filters) as an .xlsx workbook, streamed.

Two sheets: 家庭 (one row per family) and 成员 (one row per member, with the family's ledger
number), and 说明 (who exported what, when, masked or not). Personal data is masked by default —
names as 张*, minors never named, ID numbers 340702********1234, phones 138****5678, addresses cut
short, the narratives (定级理由, 需求, health) left out; full values need the export permission and
an explicit choice, and every export is audited with its reason and row counts (by the view).

The workbook is written by a small streaming writer rather than openpyxl: rows go into the zip as
the database cursor yields them and compressed chunks go out to the response at once, so memory
stays flat whatever the number of families (openpyxl's write-only mode spools each sheet to a
temporary file — a plain copy of personal data on disk — and is several times slower). Strings are
inline strings: a cell starting with "=" is text, never a formula.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from xml.sax.saxutils import quoteattr

from django.db.models import BooleanField, Case, Count, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.ledger.models import Family, FamilyType, Member, Relationship, RiskGrade
from fulian.orgs.models import Organisation
from fulian.people.models import Sex
from fulian.security.access import visible
from fulian.security.identity import mask_id_number, mask_name, mask_phone, mask_text, years_since

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000
FLUSH_BYTES = 256 * 1024
MAX_SHEET_ROWS = 1_048_575  # Excel's limit, less the header row
TRUE = ("1", "on", "true", "True", "yes")


# --- the filters (the list's: grade, type, village, overdue, mine, never) ------------------------------


def _pk(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def filtered(user: Any, params: Mapping[str, str]) -> tuple[QuerySet[Family], dict[str, str]]:
    """The families the user may see, narrowed like the list (ids in the address; invalid ones ignored)."""
    families = visible(user, Family)
    filters: dict[str, str] = {}
    if (grade := _pk(params.get("grade"))) is not None:
        families, filters["grade"] = families.filter(grade_id=grade), str(grade)
    if (kind := _pk(params.get("type"))) is not None:
        families, filters["type"] = families.filter(types=kind), str(kind)
    if (village := _pk(params.get("village"))) is not None:
        office = Organisation.objects.filter(pk=village).only("path").first()
        families = families.filter(organisation__path__startswith=office.path) if office else families.none()
        filters["village"] = str(village)
    if params.get("overdue") in TRUE:
        families, filters["overdue"] = families.filter(next_visit_on__lt=timezone.localdate()), "on"
    if params.get("mine") in TRUE:
        families, filters["mine"] = families.filter(cadre=user.pk), "on"
    if params.get("never") in TRUE:
        families, filters["never"] = families.filter(last_visit_on__isnull=True), "on"
    return families, filters


def describe(filters: Mapping[str, str]) -> list[str]:
    """The filters in words, for the form and the workbook's 说明 sheet."""
    words = []
    if "grade" in filters:
        grade = RiskGrade.objects.filter(pk=filters["grade"]).first()
        words.append(_("风险等级：%(v)s") % {"v": grade.name if grade else "—"})
    if "type" in filters:
        kind = FamilyType.objects.filter(pk=filters["type"]).first()
        words.append(_("家庭类型：%(v)s") % {"v": kind.name if kind else "—"})
    if "village" in filters:
        office = Organisation.objects.filter(pk=filters["village"]).first()
        words.append(_("村（社区）：%(v)s") % {"v": office.name if office else "—"})
    if "overdue" in filters:
        words.append(_("逾期未走访"))
    if "mine" in filters:
        words.append(_("只含我包保的"))
    if "never" in filters:
        words.append(_("从未走访"))
    return words


def counts(families: QuerySet[Family]) -> tuple[int, int]:
    return families.count(), Member.objects.filter(family__in=families.values("pk")).count()


# --- the rows -----------------------------------------------------------------------------------------


def family_header(full: bool) -> list[str]:
    header = [_("台账编号"), _("村（社区）"), _("户主姓名"), _("住址"), _("网格"), _("家庭类型"), _("风险等级")]
    narrative = [_("定级理由"), _("需求")] if full else []
    return [
        *header,
        *narrative,
        _("包保干部"),
        _("最近走访"),
        _("下次走访"),
        _("逾期未走访"),
        _("成员人数"),
        _("建档日期"),
    ]


def family_rows(families: QuerySet[Family], *, full: bool) -> Iterator[list[Any]]:
    today = timezone.localdate()
    yes, no = _("是"), _("否")  # translated once, not once a row
    fields = ["pk", "number", "organisation__name", "head_name", "address", "grid", "grade__name"]
    fields += ["grade_reason", "needs"] if full else []
    fields += ["cadre__username", "last_visit_on", "next_visit_on", "created_at", "member_count"]
    rows = (
        families.annotate(member_count=Count("members"))
        .order_by("number")
        .values_list(*fields)
        .iterator(chunk_size=CHUNK)
    )
    for chunk in _chunks(rows, CHUNK):
        types = _types_of([row[0] for row in chunk])
        for row in chunk:
            pk, number, office, head, address, grid, grade, *rest = row
            narrative = rest[:2] if full else []
            cadre, last, due, created, members = rest[-5:]
            yield [
                number, office, head if full else mask_name(head), address if full else mask_text(address), grid,
                "、".join(types.get(pk, ())), grade, *narrative, cadre or "", last, due,
                yes if due < today else no, members, timezone.localtime(created).date(),
            ]  # fmt: skip


def member_header(full: bool) -> list[str]:
    born = _("出生日期") if full else _("年龄")
    return [_("台账编号"), _("姓名"), _("与户主关系"), _("性别"), born, _("身份证号"), _("电话"), _("就学或就业"),
            _("健康与残疾情况")]  # fmt: skip


def member_rows(families: QuerySet[Family], *, full: bool) -> Iterator[list[Any]]:
    today = timezone.localdate()
    relationships = {value: str(label) for value, label in Relationship.choices}
    sexes = {value: str(label) for value, label in Sex.choices}
    minor = _("未成年人")
    members = Member.objects.filter(family__in=families.values("pk")).order_by("family__number", "pk")
    if full:
        fields = ["family__number", "name", "relationship", "sex", "birth_date", "id_number", "phone",
                  "school_or_work", "health"]  # fmt: skip
    else:
        # The masked health column says only whether there is anything: read that without decrypting it.
        members = members.annotate(
            health_set=Case(When(health="", then=Value(False)), default=Value(True), output_field=BooleanField())
        )
        fields = ["family__number", "name", "relationship", "sex", "birth_date", "id_number", "phone",
                  "school_or_work", "health_set"]  # fmt: skip
    for number, name, relationship, sex, born, id_number, phone, school, health in members.values_list(
        *fields
    ).iterator(chunk_size=CHUNK):
        relation, sex_label = relationships.get(relationship, relationship), sexes.get(sex, "")
        if full:
            yield [number, name, relation, sex_label, born, id_number, phone, school, health]
            continue
        age = _age(born, today)
        # As Member.masked(): a child is never named, even in part.
        masked_name = "" if not name else minor if age is not None and age < 18 else mask_name(name)
        yield [
            number, masked_name, relation, sex_label, age, mask_id_number(id_number) if id_number else "",
            mask_phone(phone) if phone else "", mask_text(school, 2) if school else "", "……" if health else "",
        ]  # fmt: skip


def _age(born: dt.date | None, today: dt.date) -> int | None:
    return None if born is None else years_since(born, today)


def _types_of(pks: list[int]) -> dict[int, list[str]]:
    through: Any = Family.types.through
    names = dict(FamilyType.objects.values_list("pk", "name"))
    types: dict[int, list[str]] = {}
    for family, kind in (
        through.objects.filter(family_id__in=pks).order_by("pk").values_list("family_id", "familytype_id")
    ):
        types.setdefault(family, []).append(names.get(kind, ""))
    return types


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- the streaming writer --------------------------------------------------------------------------------

ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
EPOCH = dt.date(1899, 12, 30)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
STYLES = (
    XML + f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _letters(count: int) -> list[str]:
    letters = []
    for index in range(count):
        name, n = "", index + 1
        while n:
            n, rest = divmod(n - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def _text(value: str) -> str:
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return ILLEGAL.sub("", value) if ILLEGAL.search(value) else value


class _Sink:
    """Where the zip writes: the bytes wait here until the generator hands them to the response."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


class XlsxStream:
    """Write a workbook sheet by sheet and hand out the compressed bytes as they are made."""

    def __init__(self, sheets: list[str], *, compresslevel: int = 3) -> None:
        self.sheets = sheets
        self.sink = _Sink()
        self.zip = zipfile.ZipFile(self.sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self._static("[Content_Types].xml", self._content_types())
        self._static("_rels/.rels", XML + f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Type="{RELS}'
                     '/officeDocument" Target="xl/workbook.xml"/></Relationships>')  # fmt: skip

    def _static(self, name: str, text: str) -> None:
        self.zip.writestr(name, text.encode())

    def _content_types(self) -> str:
        sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{sheet}"/>'
            for n in range(1, len(self.sheets) + 1)
        )
        return (
            XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"
        )

    def sheet(self, number: int, header: list[str], rows: Iterable[list[Any]], widths: list[int]) -> Iterator[bytes]:
        """Write sheet `number` (from 1): a bold, frozen header row, then the rows; yields compressed bytes."""
        letters = _letters(len(header))
        cols = "".join(f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>' for n, w in enumerate(widths, 1))
        with self.zip.open(f"xl/worksheets/sheet{number}.xml", "w") as part:
            part.write(
                (XML + f'<worksheet xmlns="{MAIN}" xmlns:r="{RELS}"><sheetViews><sheetView workbookViewId="0">'
                 '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                 f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
                 + self._row(1, header, letters, style=' s="2"')).encode()
            )  # fmt: skip
            buffer: list[str] = []
            for n, row in enumerate(rows, start=2):
                if n > MAX_SHEET_ROWS + 1:
                    break
                buffer.append(self._row(n, row, letters))
                if len(buffer) == 200:
                    part.write("".join(buffer).encode())
                    buffer = []
                    if self.sink.size >= FLUSH_BYTES:
                        yield self.sink.take()
            part.write(("".join(buffer) + "</sheetData></worksheet>").encode())
        yield self.sink.take()

    @staticmethod
    def _row(n: int, values: list[Any], letters: list[str], style: str = "") -> str:
        cells = []
        for letter, value in zip(letters, values, strict=False):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                cells.append(f'<c r="{letter}{n}"{style} t="inlineStr"><is><t>{_text(value)}</t></is></c>')
            elif isinstance(value, bool):
                cells.append(f'<c r="{letter}{n}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                cells.append(f'<c r="{letter}{n}"><v>{value}</v></c>')
            elif isinstance(value, dt.date):
                day = value.date() if isinstance(value, dt.datetime) else value
                cells.append(f'<c r="{letter}{n}" s="1"><v>{(day - EPOCH).days}</v></c>')
            else:
                cells.append(f'<c r="{letter}{n}" t="inlineStr"><is><t>{_text(str(value))}</t></is></c>')
        return f'<row r="{n}">{"".join(cells)}</row>'

    def close(self) -> bytes:
        """The workbook's own parts and the zip's directory: the last bytes."""
        sheets = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(self.sheets, 1)
        )
        self._static("xl/workbook.xml", XML + f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><bookViews><workbookView/>'
                     f"</bookViews><sheets>{sheets}</sheets></workbook>")  # fmt: skip
        relations = "".join(
            f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(self.sheets) + 1)
        )
        self._static("xl/_rels/workbook.xml.rels", XML + f'<Relationships xmlns="{PACKAGE_RELS}">{relations}'
                     f'<Relationship Id="rId{len(self.sheets) + 1}" Type="{RELS}/styles" Target="styles.xml"/>'
                     "</Relationships>")  # fmt: skip
        self._static("xl/styles.xml", STYLES)
        self.zip.close()
        return self.sink.take()


FAMILY_WIDTHS = [20, 18, 10, 24, 10, 18, 8, 30, 30, 12, 12, 12, 10, 8, 12]
MEMBER_WIDTHS = [20, 10, 12, 6, 12, 21, 14, 16, 24]


def xlsx_stream(
    families: QuerySet[Family], *, full: bool, exported_by: str, filters: Mapping[str, str]
) -> Iterator[bytes]:
    """The workbook, as compressed chunks: 家庭, 成员 and 说明."""
    workbook = XlsxStream([_("家庭"), _("成员"), _("说明")])
    family_widths = FAMILY_WIDTHS if full else FAMILY_WIDTHS[:7] + FAMILY_WIDTHS[9:]
    counted = {"families": 0, "members": 0}

    def counting(rows: Iterator[list[Any]], key: str) -> Iterator[list[Any]]:
        for row in rows:
            counted[key] += 1
            yield row

    yield workbook.sink.take()
    yield from workbook.sheet(1, family_header(full), counting(family_rows(families, full=full), "families"),
                              family_widths)  # fmt: skip
    yield from workbook.sheet(2, member_header(full), counting(member_rows(families, full=full), "members"),
                              MEMBER_WIDTHS)  # fmt: skip
    about: list[list[Any]] = [
        [_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")],
        [_("导出人"), exported_by],
        [_("内容"), _("完整信息（含身份证号、电话等个人信息，请妥善保管，用后删除）") if full
         else _("已脱敏：姓名、身份证号、电话、住址部分隐藏，未成年人不显示姓名，不含定级理由、需求和健康情况")],
        [_("筛选条件"), "；".join(describe(filters)) or _("全部")],
        [_("家庭数"), counted["families"]],
        [_("成员数"), counted["members"]],
    ]  # fmt: skip
    yield from workbook.sheet(3, [_("项目"), _("内容")], about, [14, 90])
    yield workbook.close()
