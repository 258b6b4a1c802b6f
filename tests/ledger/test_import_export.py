"""Excel in and out: the template, the checked preview (every bad input reported by row and column,
never a 500, nothing saved), the all-or-nothing import task, and the masked, audited export.

The workbooks are real .xlsx files made here with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import zipfile
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.ledger import exports, imports
from fulian.ledger.models import Family, FamilySequence, GradeChange, ImportStatus, LedgerImport, Member
from fulian.security.identity import CHECK, WEIGHTS
from tests.factories import login_verified, make_staff, mark_fresh_login

HEADERS = [f"{c.header}*" if c.required else str(c.header) for c in imports.COLUMNS]
KEYS = [c.key for c in imports.COLUMNS]


def id_number(first17: str) -> str:
    return first17 + CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


ADULT = id_number("34070519800203004")  # woman (even), born 1980-02-03
CHILD = id_number("34070520140506003")  # boy (odd), born 2014-05-06
OTHER = id_number("34070519750709002")


def row(**values: Any) -> list[Any]:
    return [values.get(key) for key in KEYS]


def household(key: Any = 1, village: str = "五一社区妇联", **values: Any) -> list[Any]:
    base = {"key": key, "organisation": village, "head_name": "刘秀英", "types": "单亲、留守儿童", "grade": "黄色",
            "address": "五一社区5栋302", "name": "刘秀英", "relationship": "户主", "id_number": ADULT,
            "phone": "13905620002"}  # fmt: skip
    base.update(values)
    return row(**{k: v for k, v in base.items() if v is not None})


def workbook(rows: list[list[Any]], headers: list[str] | None = None, **options: Any) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = options.get("title", "台账")
    sheet.append(headers if headers is not None else HEADERS)
    for values in rows:
        sheet.append(values)
    if "edit" in options:
        options["edit"](book, sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [
    household(1, last_visit_on="2025-12-01"),
    row(name="张小明", relationship="子女", id_number=CHILD),
    household(
        2,
        head_name="王建国",
        types="贫困",
        grade="红色",
        name="王建国",
        relationship="本人",
        id_number=OTHER,
        phone=None,
        grade_reason="家暴风险",
        needs="法律援助",
    ),
    row(key=2, name="王奶奶", relationship="奶奶", birth_date=dt.date(1950, 3, 1), health="高血压"),
]


@pytest.fixture
def importer(orgs):
    """The county's supervisor: she holds the import permission and imports into every village below."""
    return make_staff("county_importer", orgs["county"], "supervisor")


def client_for(user: Any, *, fresh: bool = False) -> Client:
    client = login_verified(Client(), user)
    return mark_fresh_login(client) if fresh else client


def upload(client: Client, data: bytes, capture: Any, name: str = "台账.xlsx") -> Any:
    with capture(execute=True):
        return client.post("/admin/ledger/import/", {"sheet": _file(data, name)})


def _file(data: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def checked(client: Client, data: bytes, capture: Any) -> LedgerImport:
    response = upload(client, data, capture)
    assert response.status_code == 302, response.content.decode()[:2000]
    return LedgerImport.objects.latest("pk")


def errors_of(job: LedgerImport) -> list[tuple[int, str, str]]:
    return [(r, name, message) for r, _letter, name, message in job.errors]


# --- the template ---------------------------------------------------------------------------------------


def test_template_lists_columns_values_and_the_users_own_offices(owner, orgs):
    response = client_for(owner).get("/admin/ledger/import/template/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["台账", "填写说明", "选项"]
    assert book["选项"].sheet_state == "hidden"
    sheet = book["台账"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.max_row == 1  # no sample row that could be imported by mistake
    lists = {str(v.sqref).split(":")[0].rstrip("0123456789") for v in sheet.data_validations.dataValidation
             if v.type == "list"}  # fmt: skip
    letter = {c.key: imports.column_letter(i) for i, c in enumerate(imports.COLUMNS)}
    assert {letter[k] for k in ("organisation", "types", "grade", "relationship", "sex")} <= lists
    assert sheet.column_dimensions[letter["id_number"]].number_format == "@"
    guide = "\n".join(str(c.value) for r in book["填写说明"].iter_rows() for c in r if c.value)
    assert "五一社区妇联" in guide
    assert "340705001001" in guide
    assert "钟鸣村妇联" not in guide  # another county's village: not hers to import into
    assert "户序号" in guide
    assert "留守儿童" in guide
    assert "红色" in guide
    assert "祖父母、外祖父母" in guide


def test_the_filled_template_imports(importer, orgs, django_capture_on_commit_callbacks):
    client = client_for(importer)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/admin/ledger/import/template/").content))
    for values in GOOD:
        book["台账"].append(values)
    out = io.BytesIO()
    book.save(out)
    job = checked(client, out.getvalue(), django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.READY, job.errors
    assert any("其他 2 个工作表" in note for note in job.notes)


# --- a good sheet: preview, then the import --------------------------------------------------------------


def test_good_sheet_preview_then_all_families_in_one_import(importer, orgs, grades, django_capture_on_commit_callbacks):
    client = client_for(importer)
    job = checked(client, workbook(GOOD), django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.READY, job.errors
    assert (job.rows, job.families, job.members) == (4, 2, 4)
    assert not Family.objects.exists()  # the preview saves nothing
    page = client.get(f"/admin/ledger/import/{job.pk}/").content.decode()
    assert "检查通过：共 2 户、4 人" in page
    assert "确认导入" in page
    assert "五一社区妇联" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/ledger/import/{job.pk}/confirm/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.percent == 100
    assert bytes(job.sheet) == b""  # the upload is wiped once imported
    families = list(Family.objects.order_by("number"))
    assert [f.number for f in families] == ["340705001001-00001", "340705001001-00002"]
    first, second = families
    assert first.organisation == orgs["village"]
    assert first.head_name == "刘秀英"
    assert first.created_by == importer
    assert sorted(t.code for t in first.types.all()) == ["left_children", "single_parent"]
    assert second.grade == grades["red"]
    assert second.grade_reason == "家暴风险"
    assert second.needs == "法律援助"
    today = timezone.localdate()
    assert first.last_visit_on == dt.date(2025, 12, 1)
    assert first.next_visit_on == first.last_visit_on + dt.timedelta(days=grades["yellow"].visit_every_days)
    assert second.next_visit_on == today + dt.timedelta(days=grades["red"].visit_every_days)
    members = {m.name: m for m in Member.objects.all()}  # (names are encrypted: found in Python)
    child = members["张小明"]
    assert (child.family, child.sex, child.birth_date, child.relationship) == (first, "M", dt.date(2014, 5, 6), "child")
    assert Member.objects.filter(id_number_index=child.id_number_index).count() == 1
    assert child.id_number_index
    granny = members["王奶奶"]
    assert (granny.relationship, granny.birth_date, granny.health) == ("grandparent", dt.date(1950, 3, 1), "高血压")
    assert GradeChange.objects.filter(family__in=families, from_grade=None).count() == 2
    assert AuditEvent.objects.filter(action="family.import").count() == 2
    summary = AuditEvent.objects.get(action="ledger.import")
    assert summary.detail["families"] == 2
    assert summary.detail["members"] == 4
    assert "已导入 2 户、4 人" in client.get(f"/admin/ledger/import/{job.pk}/").content.decode()


def test_the_same_file_is_not_imported_twice(importer, orgs, django_capture_on_commit_callbacks):
    client = client_for(importer)
    data = workbook(GOOD)
    job = checked(client, data, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/ledger/import/{job.pk}/confirm/")
    again = checked(client, data, django_capture_on_commit_callbacks)
    assert again.status == ImportStatus.INVALID
    assert any("导入过" in message for _r, _n, message in errors_of(again))


def test_confirm_twice_imports_once(importer, orgs, django_capture_on_commit_callbacks):
    client = client_for(importer)
    job = checked(client, workbook(GOOD), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/ledger/import/{job.pk}/confirm/")
        client.post(f"/admin/ledger/import/{job.pk}/confirm/")
    assert Family.objects.count() == 2


def test_status_for_the_progress_page(importer, orgs, django_capture_on_commit_callbacks):
    client = client_for(importer)
    job = checked(client, workbook(GOOD), django_capture_on_commit_callbacks)
    LedgerImport.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING, done=3, total=6)
    data = client.get(f"/admin/ledger/import/{job.pk}/status/").json()
    assert data == {"status": "importing", "label": "正在导入", "running": True, "done": 3, "total": 6, "percent": 50}
    page = client.get(f"/admin/ledger/import/{job.pk}/").content.decode()
    assert "ledger_import.js" in page
    assert 'http-equiv="refresh"' in page
    assert 'value="50"' in page


def test_the_upload_is_kept_sealed(importer, orgs, django_capture_on_commit_callbacks):
    client = client_for(importer)
    data = workbook(GOOD)
    job = checked(client, data, django_capture_on_commit_callbacks)
    sealed = bytes(LedgerImport.objects.get(pk=job.pk).sheet)
    assert sealed
    assert b"PK\x03\x04" not in sealed
    assert data not in sealed
    assert imports.unseal(sealed, job.pk) == data
    from fulian.security.crypto import DecryptionError

    with pytest.raises(DecryptionError):
        imports.unseal(sealed, job.pk + 1)  # bound to its own import row
    client.post(f"/admin/ledger/import/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED
    assert bytes(job.sheet) == b""


# --- bad input: a clear report, nothing saved, never a 500 ---------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,id\n\xe5\x88\x98,1\n", "不是 Excel 文件"),
        (b"%PDF-1.4 a pdf renamed", "不是 Excel 文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 Excel"),
        (b"PK\x03\x04" + b"\0" * 100, "已损坏"),
        (b"", "文件"),
    ],
    ids=["csv", "pdf", "xls", "broken-zip", "empty"],
)
def test_not_an_xlsx_file_is_refused_at_once(importer, orgs, data, message, django_capture_on_commit_callbacks):
    response = upload(client_for(importer), data, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LedgerImport.objects.exists()


def test_a_word_document_renamed_xlsx(importer, orgs, django_capture_on_commit_callbacks):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    response = upload(client_for(importer), out.getvalue(), django_capture_on_commit_callbacks)
    assert "不是 Excel 文件" in response.content.decode()


def test_a_damaged_workbook_is_reported_not_a_500(importer, orgs, django_capture_on_commit_callbacks):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook(GOOD))) as source, zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            body = source.read(item)
            archive.writestr(item, body[: len(body) // 2] if item.filename.endswith("sheet1.xml") else body)
    job = checked(client_for(importer), out.getvalue(), django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.INVALID
    assert "已损坏" in errors_of(job)[0][2]
    assert not Family.objects.exists()


def test_a_file_over_the_size_limit_is_not_even_kept(importer, orgs, settings, django_capture_on_commit_callbacks):
    settings.LEDGER_IMPORT_MAX_BYTES = 3000
    response = upload(client_for(importer), workbook(GOOD * 20), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "文件过大" in response.content.decode()
    assert not LedgerImport.objects.exists()


def test_wrong_and_missing_headers_say_which(importer, orgs, django_capture_on_commit_callbacks):
    headers = [h for h in HEADERS if not h.startswith("身份证号")]
    headers[headers.index("风险等级*")] = "风险级别"
    job = checked(client_for(importer), workbook([], headers=[*headers, "备注"]), django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.INVALID
    messages = errors_of(job)
    assert all(r == 1 for r, _n, _m in messages)
    assert any("缺少必填的列：风险等级" in m for _r, _n, m in messages)
    unknown = [e for e in job.errors if "无法识别的列名" in e[3]]
    assert {e[1] for e in unknown} == {
        imports.column_letter(headers.index("风险级别")),
        imports.column_letter(len(headers)),
    }
    page = client_for(importer).get(f"/admin/ledger/import/{job.pk}/").content.decode()
    assert "第 1 行" in page
    assert "缺少必填的列" in page


def test_a_sheet_that_is_not_the_template(importer, orgs, django_capture_on_commit_callbacks):
    job = checked(
        client_for(importer), workbook([["a", "b"]], headers=["姓名列表", "其他"]), django_capture_on_commit_callbacks
    )
    assert [m for _r, _n, m in errors_of(job)] == [
        "第 1 行不是模板的列名。请使用下载的模板：第 1 行为列名，从第 2 行起填写数据。"
    ]


def test_merged_cells_are_refused(importer, orgs, django_capture_on_commit_callbacks):
    rows = [GOOD[0], row(name="张小明", relationship="子女", id_number=CHILD)]
    job = checked(client_for(importer), workbook(rows, edit=lambda book, sheet: sheet.merge_cells("A2:A3")),
                  django_capture_on_commit_callbacks)  # fmt: skip
    assert job.status == ImportStatus.INVALID
    assert errors_of(job) == [(2, "", "有合并单元格（A2:A3）。请取消合并：户序号和户信息只需填在每户的第一行。")]


def test_formulas_are_refused_even_never_calculated(importer, orgs, django_capture_on_commit_callbacks):
    rows = [household(1, name='=CONCATENATE("刘","秀英")'), row(key="=A2", name="张小明", relationship="子女")]
    job = checked(client_for(importer), workbook(rows), django_capture_on_commit_callbacks)
    messages = errors_of(job)
    assert (2, "成员姓名", "不能使用公式。请复制后“选择性粘贴 → 数值”。") in messages
    assert (3, "户序号", "不能使用公式。请复制后“选择性粘贴 → 数值”。") in messages
    assert not Family.objects.exists()


def test_dates_written_as_text(importer, orgs, django_capture_on_commit_callbacks):
    rows = [
        household(1, id_number=None, birth_date="1980/2/3"),
        row(name="张一", relationship="子女", birth_date="2014年5月6日"),
        row(name="张二", relationship="子女", birth_date="2016.07.08"),
        household(2, head_name="李", name="李", id_number=None, birth_date="三月八日"),
        row(key=2, name="李二", relationship="子女", birth_date=45000),
        row(key=2, name="李三", relationship="子女", birth_date="2015-02-30"),
    ]
    job = checked(client_for(importer), workbook(rows), django_capture_on_commit_callbacks)
    assert errors_of(job) == [
        (5, "出生日期", "无法识别的日期。请填写如 2026-01-05 或 2026/1/5 的日期。"),
        (6, "出生日期", "日期被存成了数字。请把单元格设为日期格式，或填写如 2026-01-05 的日期。"),
        (7, "出生日期", "日期不存在，请核对。"),
    ]


def test_id_numbers_checked_like_the_forms(importer, orgs, django_capture_on_commit_callbacks):
    bad_checksum = ADULT[:-1] + ("0" if ADULT[-1] != "0" else "1")
    rows = [
        household(1, id_number=bad_checksum),
        row(name="张一", relationship="子女", id_number=340705201405060031),
        row(name="张二", relationship="子女", id_number=CHILD, sex="女"),
        row(name="张三", relationship="子女", id_number="12345"),
    ]
    job = checked(client_for(importer), workbook(rows), django_capture_on_commit_callbacks)
    assert errors_of(job) == [
        (2, "身份证号", "身份证号校验位不正确，请核对。"),
        (3, "身份证号", "身份证号被存成了数字，后几位可能已丢失。请把这一列设为“文本”格式后重新填写身份证号。"),
        (4, "性别", "性别与身份证号不一致。"),
        (5, "身份证号", "身份证号应为 18 位：17 位数字加 1 位数字或 X。"),
    ]


def test_unknown_villages_types_grades_and_missing_fields(owner, orgs, django_capture_on_commit_callbacks):
    rows = [
        household(1, village="不存在村"),
        household(2, village="钟鸣村妇联", id_number=None),  # another county's village: not hers
        household(3, types="单亲、困难户", grade="紫色", id_number=None),
        household(4, head_name=None, name=None, relationship="堂兄", id_number=None),
        household(5, types=None, grade=None, cadre="nobody", id_number=None),
        household(6, village="340705001001", id_number=None, name="王五", relationship="户主"),
        row(key=6, name="王六", relationship="户主"),
        row(key=6, head_name="另一个户主"),
    ]
    job = checked(client_for(owner), workbook(rows), django_capture_on_commit_callbacks)
    messages = errors_of(job)
    not_found = "找不到这个村（社区），或不在您可导入的范围内。可填写的村（社区）见模板的“填写说明”工作表。"
    assert (2, "村（社区）", not_found) in messages
    assert (3, "村（社区）", not_found) in messages
    assert any(r == 4 and n == "家庭类型" and "无法识别的家庭类型" in m for r, n, m in messages)
    assert any(r == 4 and n == "风险等级" and "红色、橙色、黄色" in m for r, n, m in messages)
    assert (5, "户主姓名", "请填写户主姓名。") in messages
    assert (5, "成员姓名", "请填写成员姓名。") in messages
    assert any(r == 5 and n == "与户主关系" and "无法识别" in m for r, n, m in messages)
    assert (6, "家庭类型", "请至少选择一种家庭类型。") in messages
    assert (6, "风险等级", "请选择风险等级。") in messages
    assert (6, "包保干部账号", "找不到这个账号，或不是本辖区的妇联干部。") in messages
    assert (8, "与户主关系", "同一户只能有一位户主（第 7 行已是户主）。") in messages
    assert any(r == 9 and n == "户主姓名" and "不一致" in m for r, n, m in messages)
    assert not any(r == 7 for r, _n, _m in messages)  # the division code is as good as the name
    assert not Family.objects.exists()


def test_rows_continue_the_household_above_when_the_key_is_blank(importer, orgs, django_capture_on_commit_callbacks):
    rows = [
        household(1),
        row(name="张小明", relationship="子女", id_number=CHILD),
        row(name="张小红", relationship="女儿"),
    ]
    job = checked(client_for(importer), workbook([row(name="无户序号", relationship="子女"), *rows]),
                  django_capture_on_commit_callbacks)  # fmt: skip
    assert errors_of(job) == [(2, "户序号", "请填写户序号（第一户的第一行必须填写）。")]
    job = checked(client_for(importer), workbook(rows), django_capture_on_commit_callbacks)
    assert (job.status, job.families, job.members) == (ImportStatus.READY, 1, 3)


def test_extra_sheets_are_ignored_with_a_note(importer, orgs, django_capture_on_commit_callbacks):
    def edit(book: Any, sheet: Any) -> None:
        notes = book.create_sheet("我的备注", 0)  # first: the data is still read from 台账
        notes.append(["这一页不导入"])

    job = checked(client_for(importer), workbook(GOOD, edit=edit), django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.READY
    assert job.notes == ["只读取了“台账”工作表；其他 1 个工作表（如“填写说明”）未读取。"]


def test_too_many_rows_stops_reading(importer, orgs, settings, django_capture_on_commit_callbacks):
    settings.LEDGER_IMPORT_MAX_ROWS = 40
    rows = [household(n, id_number=None, name=f"成员{n}") for n in range(1, 101)]
    job = checked(client_for(importer), workbook(rows), django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.INVALID
    assert job.rows == 40
    assert errors_of(job) == [(42, "", "行数超过上限：一次最多导入 40 行，本行及以下未读取。请分成几个文件导入。")]


def test_a_hundred_thousand_rows_are_not_read_into_memory(importer, orgs, settings):
    import tracemalloc

    settings.LEDGER_IMPORT_MAX_ROWS = 5000
    # 100,000 rows, written quickly by the export's streaming writer (inline strings, as some tools write).
    writer = exports.XlsxStream(["台账"])
    first: list[list[Any]] = [[1, "五一社区妇联", "某", "贫困", "黄色", "", "", "", "", "", "", "某", "户主"]]
    children: Iterator[list[Any]] = (
        ["", "", "", "", "", "", "", "", "", "", "", "某", "子女"] for _n in range(100_000)
    )
    rows = itertools.chain(first, children)
    data = b"".join([*writer.sheet(1, HEADERS, rows, [10] * len(HEADERS)), writer.close()])
    tracemalloc.start()
    try:
        result = imports.check(data, user=importer)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.rows == 5000
    assert result.problems.total == 1
    assert result.problems.rows() == [
        [5002, "", "", "行数超过上限：一次最多导入 5000 行，本行及以下未读取。请分成几个文件导入。"]
    ]
    assert peak < 64 * 1024 * 1024  # the rows read, not the file's 100,000


def test_duplicates_within_the_file_are_errors_on_both_rows(importer, orgs, django_capture_on_commit_callbacks):
    rows = [household(1), household(2, head_name="另一户", id_number=ADULT.lower())]
    job = checked(client_for(importer), workbook(rows), django_capture_on_commit_callbacks)
    assert errors_of(job) == [(2, "身份证号", "身份证号与第 3 行重复。"), (3, "身份证号", "身份证号与第 2 行重复。")]


def test_an_id_number_already_in_the_ledger(owner, colleague, outsider, family, django_capture_on_commit_callbacks):
    known = "340705198501012347"  # 陈桂兰, in the owner's village
    rows = [household(1, id_number=known)]
    job = checked(client_for(colleague), workbook(rows), django_capture_on_commit_callbacks)
    assert [m for _r, _n, m in errors_of(job)] == [
        f"此身份证号已登记在台账 {family.number} 中。如确为同一人，请从表中删去这一行，导入后在该家庭页面添加成员并确认关联。"
    ]
    # A cadre of another county learns only that the person is recorded elsewhere, not where.
    job = checked(client_for(outsider), workbook([household(1, village="钟鸣村妇联", id_number=known)]),
                  django_capture_on_commit_callbacks)  # fmt: skip
    assert [m for _r, _n, m in errors_of(job)] == [
        "此身份证号已登记在其他辖区的台账中。如确为同一人，请从表中删去这一行，导入后在该家庭页面添加成员并确认关联。"
    ]


def test_errors_by_row_and_column_on_the_page_and_in_the_report(importer, orgs, django_capture_on_commit_callbacks):
    client = client_for(importer)
    secret_name = "欧阳秘密"
    bad = ADULT[:-1] + ("0" if ADULT[-1] != "0" else "1")
    job = checked(client, workbook([household(1, head_name=secret_name, id_number=bad, village="不存在村")]),
                  django_capture_on_commit_callbacks)  # fmt: skip
    page = client.get(f"/admin/ledger/import/{job.pk}/").content.decode()
    assert "第 2 行" in page
    assert "N · 身份证号" in page
    assert "身份证号校验位不正确" in page
    assert "B · 村（社区）" in page
    assert secret_name not in page
    assert bad not in page
    report = client.get(f"/admin/ledger/import/{job.pk}/errors/")
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0] == ["行号", "列", "列名", "问题"]
    assert [2, "N", "身份证号", "身份证号校验位不正确，请核对。"] in values
    flat = repr(values) + repr(job.errors) + repr(job.notes)
    assert secret_name not in flat
    assert bad not in flat


def test_many_errors_are_capped_first_rows_first(importer, orgs, settings, django_capture_on_commit_callbacks):
    settings.LEDGER_IMPORT_MAX_ERRORS = 5
    rows = [household(n, village="不存在村", id_number=None) for n in range(1, 21)]
    job = checked(client_for(importer), workbook(rows), django_capture_on_commit_callbacks)
    assert job.errors_total == 20
    assert [r for r, *_rest in job.errors] == [2, 3, 4, 5, 6]
    report = client_for(importer).get(f"/admin/ledger/import/{job.pk}/errors/")
    assert "共 20 个错误" in repr(
        [c.value for r in openpyxl.load_workbook(io.BytesIO(report.content)).active.iter_rows() for c in r]
    )


# --- all or nothing -------------------------------------------------------------------------------------


def test_an_error_in_the_last_row_saves_nothing(importer, orgs, django_capture_on_commit_callbacks):
    client = client_for(importer)
    rows = [household(n, id_number=None, name=f"成员{n}") for n in range(1, 50)]
    rows.append(household(50, id_number="340705198001010000"))
    job = checked(client, workbook(rows), django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.INVALID
    assert [r for r, *_rest in job.errors] == [51]
    assert bytes(job.sheet) == b""  # nothing more can be done with it: wiped
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/ledger/import/{job.pk}/confirm/")
    assert not Family.objects.exists()
    assert not Member.objects.exists()
    assert not FamilySequence.objects.exists()


def test_a_failure_inside_the_task_rolls_back_everything(
    importer, orgs, monkeypatch, django_capture_on_commit_callbacks
):
    client = client_for(importer)
    job = checked(client, workbook(GOOD), django_capture_on_commit_callbacks)
    sequences = FamilySequence.objects.count()

    def broken(**kwargs: Any) -> None:  # the very last write of the import
        raise RuntimeError("disk full: 刘秀英 340705…")

    monkeypatch.setattr(imports, "audit_record", broken)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/ledger/import/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert bytes(job.sheet) == b""
    assert errors_of(job) == [(0, "", "导入时出现意外错误，已全部撤销，未保存任何数据。")]
    assert not Family.objects.exists()
    assert not Member.objects.exists()
    assert not GradeChange.objects.exists()
    assert FamilySequence.objects.count() == sequences
    assert not FamilySequence.objects.filter(last__gt=0).exists()
    assert not AuditEvent.objects.filter(action="family.import").exists()
    assert "刘秀英" not in repr(job.errors)
    assert "导入失败，没有保存任何数据" in client.get(f"/admin/ledger/import/{job.pk}/").content.decode()


def test_the_import_checks_again_against_the_ledger(importer, owner, orgs, django_capture_on_commit_callbacks):
    from fulian.ledger.services import family_create

    client = client_for(importer)
    job = checked(client, workbook(GOOD), django_capture_on_commit_callbacks)
    # Between the preview and the confirmation a colleague registers one of the people.
    family_create(actor=owner, organisation=orgs["village"], head_name="张", types=list(_types()), grade=_grade(),
                  members=[{"name": "张小明", "id_number": CHILD, "relationship": "child"}])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/ledger/import/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert [(r, n) for r, n, _m in errors_of(job)] == [(3, "身份证号")]
    assert Family.objects.count() == 1


def _types() -> Any:
    from fulian.ledger.models import FamilyType

    return FamilyType.objects.filter(code="poor")


def _grade() -> Any:
    from fulian.ledger.models import RiskGrade

    return RiskGrade.objects.get(code="yellow")


def test_stale_previews_and_stopped_imports_are_swept(importer, orgs, django_capture_on_commit_callbacks):
    client = client_for(importer)
    ready = checked(client, workbook(GOOD), django_capture_on_commit_callbacks)
    stuck = checked(client, workbook(GOOD[:2]), django_capture_on_commit_callbacks)
    LedgerImport.objects.filter(pk=stuck.pk).update(status=ImportStatus.IMPORTING)
    assert imports.sweep_stale() == 0
    LedgerImport.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert imports.sweep_stale() == 2
    ready.refresh_from_db()
    stuck.refresh_from_db()
    assert ready.status == ImportStatus.CANCELLED
    assert bytes(ready.sheet) == b""
    assert stuck.status == ImportStatus.FAILED
    assert bytes(stuck.sheet) == b""


# --- who may import -------------------------------------------------------------------------------------


def test_a_village_cadre_imports_into_her_own_village_only(owner, orgs, django_capture_on_commit_callbacks):
    client = client_for(owner)
    job = checked(client, workbook([household(1, village="340705001001")]), django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.READY
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/ledger/import/{job.pk}/confirm/")
    assert Family.objects.get().organisation == orgs["village"]
    job = checked(
        client, workbook([household(1, village="钟鸣村妇联", id_number=None)]), django_capture_on_commit_callbacks
    )
    assert job.status == ImportStatus.INVALID


def test_another_users_import_is_not_found(importer, outsider, colleague, orgs, django_capture_on_commit_callbacks):
    job = checked(client_for(importer), workbook(GOOD), django_capture_on_commit_callbacks)
    for user in (outsider, colleague):
        client = client_for(user)
        for suffix in ("", "status/", "errors/"):
            assert client.get(f"/admin/ledger/import/{job.pk}/{suffix}").status_code == 404
        for suffix in ("confirm/", "cancel/"):
            assert client.post(f"/admin/ledger/import/{job.pk}/{suffix}").status_code == 404
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
    assert not Family.objects.exists()


def test_without_the_right_no_import(orgs, django_capture_on_commit_callbacks):
    operator = make_staff("hotline_op", orgs["county"], "hotline_operator")
    client = client_for(operator)
    # Refused (Wagtail sends the refused user back to the dashboard with a message).
    assert client.get("/admin/ledger/import/").status_code in (302, 403)
    assert client.get("/admin/ledger/import/template/").status_code in (302, 403)
    assert upload(client, workbook(GOOD), django_capture_on_commit_callbacks).status_code in (302, 403)
    assert not LedgerImport.objects.exists()


def test_losing_the_right_before_the_import_runs(importer, orgs, django_capture_on_commit_callbacks):
    from fulian.accounts.services import staff_set_roles

    client = client_for(importer)
    job = checked(client, workbook(GOOD), django_capture_on_commit_callbacks)
    LedgerImport.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    staff_set_roles(actor=None, user=importer, roles=["hotline_operator"])
    assert imports.run_import(job.pk) == "failed"
    assert not Family.objects.exists()


def test_the_upload_needs_the_csrf_token(importer, orgs):
    client = login_verified(Client(enforce_csrf_checks=True), importer)
    response = client.post("/admin/ledger/import/", {"sheet": _file(workbook(GOOD), "a.xlsx")})
    assert response.status_code == 403
    assert not LedgerImport.objects.exists()


# --- the export ----------------------------------------------------------------------------------------


def _export(client: Client, query: str = "", **data: Any) -> Any:
    response = client.post(f"/admin/ledger/export/{query}", {"reason": "向乡镇妇联报送季度台账", **data})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == exports.CONTENT_TYPE
    streamed: Any = response  # a StreamingHttpResponse under the test client's wrapper
    return openpyxl.load_workbook(io.BytesIO(b"".join(streamed.streaming_content)))


def _values(sheet: Any) -> list[list[Any]]:
    return [[c.value for c in r] for r in sheet.iter_rows()]


def test_export_needs_a_fresh_login_and_a_reason(owner, family):
    response = client_for(owner).get("/admin/ledger/export/")
    assert response.status_code == 302
    assert "/reauth/" in response["Location"]
    client = client_for(owner, fresh=True)
    page = client.get("/admin/ledger/export/")
    assert page.status_code == 200
    assert "将导出 1 户" in page.content.decode()
    assert 'name="full"' not in page.content.decode()  # no export permission: masked only
    refused = client.post("/admin/ledger/export/", {"reason": "看"})
    assert refused.status_code == 200
    assert "请具体写明导出用途" in refused.content.decode()


def test_export_is_masked_by_default(owner, family):
    book = _export(client_for(owner, fresh=True), full="on")  # she may not ask for full values
    assert book.sheetnames == ["家庭", "成员", "说明"]
    families = _values(book["家庭"])
    assert families[0][:7] == ["台账编号", "村（社区）", "户主姓名", "住址", "网格", "家庭类型", "风险等级"]
    assert "定级理由" not in families[0]
    assert "需求" not in families[0]
    number, office, head, address, grid, kinds, grade = families[1][:7]
    assert (number, office, head, address, grid, grade) == (
        family.number,
        "五一社区妇联",
        "陈**",
        "五一社区3栋****",
        "第二网格",
        "黄色",
    )
    assert kinds == "单亲、贫困" or kinds == "贫困、单亲"
    members = {r[2]: r for r in _values(book["成员"])[1:]}
    mother, child = members["户主"], members["子女"]
    assert mother[1] == "陈**"
    assert mother[5] == "340705********2347"
    assert mother[6] == "139****0001"
    assert child[1] == "未成年人"
    assert child[4] == family.members.get(relationship="child").age()
    text = repr(_values(book["家庭"])) + repr(_values(book["成员"]))
    for secret in ("陈桂兰", "陈小宇", "340705198501012347", "13905620001", "单亲，收入低", "3栋201"):
        assert secret not in text
    event = AuditEvent.objects.get(action="family.export")
    assert event.detail == {"filters": {}, "reason": "向乡镇妇联报送季度台账", "full": False, "rows": 1, "members": 2}


def test_masked_members_match_the_model(owner, family):
    book = _export(client_for(owner, fresh=True))
    rows = {r[1]: r for r in _values(book["成员"])[1:]}
    for member in family.members.all():
        masked = member.masked()
        row_ = rows[masked["name"]]
        assert [row_[5] or "", row_[6] or "", row_[7] or "", row_[8] or ""] == [
            masked["id_number"], masked["phone"], masked["school_or_work"], masked["health"]]  # fmt: skip


def test_full_export_needs_the_permission_and_the_tick_and_is_audited(colleague, family):
    client = client_for(colleague, fresh=True)
    assert 'name="full"' in client.get("/admin/ledger/export/").content.decode()
    masked = _export(client)
    assert _values(masked["家庭"])[1][2] == "陈**"
    book = _export(client, full="on")
    families = _values(book["家庭"])
    assert families[1][2] == "陈桂兰"
    assert families[1][3] == "五一社区3栋201"
    assert families[1][7] == "单亲，收入低"
    members = {r[1]: r for r in _values(book["成员"])[1:]}
    assert members["陈小宇"][5] == "340705201503050018"
    assert members["陈桂兰"][6] == "13905620001"
    assert members["陈小宇"][4].date() == dt.date(2015, 3, 5)
    about = {r[0]: r[1] for r in _values(book["说明"])}
    assert about["导出人"] == "county_supervisor"
    assert about["家庭数"] == 1
    assert about["成员数"] == 2
    events = list(AuditEvent.objects.filter(action="family.export").order_by("seq"))
    assert [e.detail["full"] for e in events] == [False, True]
    assert events[-1].detail["reason"] == "向乡镇妇联报送季度台账"
    assert events[-1].detail["rows"] == 1


def test_export_follows_the_lists_filters_and_the_scope(owner, colleague, outsider, family, grades, types):
    client = client_for(colleague, fresh=True)
    assert len(_values(_export(client, f"?grade={grades['yellow'].pk}")["家庭"])) == 2
    assert len(_values(_export(client, f"?grade={grades['red'].pk}")["家庭"])) == 1
    assert len(_values(_export(client, f"?type={types['poor'].pk}&village={family.organisation_id}")["家庭"])) == 2
    assert len(_values(_export(client, "?overdue=on")["家庭"])) == 1  # not yet due
    assert len(_values(_export(client, "?grade=x&village=")["家庭"])) == 2  # invalid filters are ignored
    about = {r[0]: r[1] for r in _values(_export(client, f"?grade={grades['red'].pk}")["说明"])}
    assert about["筛选条件"] == "风险等级：红色"
    outside = _export(client_for(outsider, fresh=True), f"?village={family.organisation_id}")
    assert len(_values(outside["家庭"])) == 1
    assert len(_values(outside["成员"])) == 1


def test_export_without_view_permission_is_refused(orgs):
    operator = make_staff("hotline_op2", orgs["county"], "hotline_operator")
    client = client_for(operator, fresh=True)
    assert client.get("/admin/ledger/export/").status_code in (302, 403)
    response = client.post("/admin/ledger/export/", {"reason": "向乡镇妇联报送季度台账"})
    assert response.status_code in (302, 403)
    assert not response.streaming
    assert not AuditEvent.objects.filter(action="family.export").exists()


def test_the_streamed_workbook_is_a_valid_package(colleague, family):
    families, _filters = exports.filtered(colleague, {})
    data = b"".join(exports.xlsx_stream(families, full=True, exported_by="x", filters={}))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
    assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
            "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"} == names  # fmt: skip
    read_only = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert list(read_only["家庭"].iter_rows(values_only=True))[1][0] == family.number


def test_text_that_looks_like_a_formula_or_markup_stays_text(colleague, family):
    family.needs = '=HYPERLINK("http://x","点我") & <b>粗</b> \x07'
    family.save()
    book = _export(client_for(colleague, fresh=True), full="on")
    assert _values(book["家庭"])[1][8] == '=HYPERLINK("http://x","点我") & <b>粗</b> '
    assert book["家庭"].cell(2, 9).data_type == "s"


def test_names_are_matched_the_way_cadres_write_them(importer, orgs, grades, django_capture_on_commit_callbacks):
    rows = [household(1, village=" 五一社区 ", grade="黄", types="单亲，贫困 / left_children", relationship="本人")]
    client = client_for(importer)
    job = checked(client, workbook(rows), django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.READY, job.errors
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/ledger/import/{job.pk}/confirm/")
    family = Family.objects.get()
    assert family.organisation == orgs["village"]
    assert family.grade == grades["yellow"]
    assert sorted(t.code for t in family.types.all()) == ["left_children", "poor", "single_parent"]


def test_the_template_is_chinese_whatever_the_interface_language(orgs, owner):
    import io

    import openpyxl
    from django.utils import translation

    from fulian.ledger.imports import COLUMNS, check, template

    with translation.override("en"):
        data = template(owner)
        book = openpyxl.load_workbook(io.BytesIO(data))
        headers = [c.value for c in next(book["台账"].iter_rows(max_row=1))]
        assert "户主姓名*" in headers
        checked = check(data, user=owner)  # an untouched template: every column recognised, no data yet
        assert set(checked.positions) == {column.key for column in COLUMNS}
        assert checked.problems.total == 1
