"""Demo ledger (all invented): families of every grade in each district, visits over the past
months, some overdue, and grade changes over the year — made through the services by the demo staff.

Names are invented and the ID numbers fictitious (their check digits are valid so the ledger's
checks accept them)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from fulian.orgs.models import Organisation

SURNAMES = "王李张刘陈杨黄赵吴周徐孙朱胡郭何"
GIVEN = ["桂兰", "秀英", "玉梅", "春华", "丽娟", "海燕", "红霞", "小芳"]
CHILDREN = ["小宇", "子涵", "欣怡", "浩然", "梓萱", "俊杰"]
# (grade, types, reason) — each district gets two of each.
PROFILES = [
    ("red", ["conflict", "left_women"], "丈夫长期酗酒，多次殴打妻子，曾报警。"),
    ("red", ["single_parent", "left_children"], "母亲外出务工，孩子由年迈祖母照看，曾发现儿童独自在家。"),
    ("orange", ["conflict"], "夫妻矛盾突出，正在协议离婚，子女抚养存在争议。"),
    ("orange", ["bereaved", "poor"], "丈夫去年病故，家庭失去主要收入来源。"),
    ("yellow", ["poor", "illness"], "家中老人重病，医疗支出大，生活困难。"),
    ("yellow", ["single_parent", "disability"], "单亲母亲，本人肢体残疾，靠低保生活。"),
]
VILLAGES = {
    "铜官区妇联": ["五一社区妇联", "幸福社区妇联"],
    "义安区妇联": ["城山社区妇联", "朱村村妇联"],
    "郊区妇联": ["桥南社区妇联", "大通村妇联"],
    "枞阳县妇联": ["城关社区妇联", "横埠村妇联"],
}
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(area: str, born: dt.date, serial: int, female: bool) -> str:
    """A fictitious ID number with a valid check digit (the sex digit odd for men, even for women)."""
    order = serial * 2 + (0 if female else 1)
    body = f"{area[:6]}{born:%Y%m%d}{order % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def load_ledger(organisations: dict[str, Organisation]) -> None:
    from fulian.ledger import services as ledger
    from fulian.ledger.models import Family, FamilyType, GradeChange, RiskGrade

    if Family.objects.exists():
        return
    grades = {g.code: g for g in RiskGrade.objects.all()}
    types = {t.code: t for t in FamilyType.objects.all()}
    today = timezone.localdate()
    names = itertools.count()
    serials = itertools.count(11)
    supervisor, cadre = _user("supervisor"), _user("grassroots")
    for villages in VILLAGES.values():
        for n, (grade, kinds, reason) in enumerate(PROFILES):
            village = organisations[villages[n % 2]]
            own = village.name == "五一社区妇联"
            actor = cadre if own else supervisor
            k = next(names)
            head = SURNAMES[k % len(SURNAMES)] + GIVEN[k % len(GIVEN)]
            born = dt.date(1978 + k % 15, 1 + k % 12, 1 + k % 27)
            child_born = dt.date(today.year - 6 - k % 9, 1 + (k * 5) % 12, 1 + (k * 3) % 27)
            area = village.division_code or "340700"
            family = ledger.family_create(
                actor=actor, organisation=village, head_name=head, address=f"{village.name[:-2]}{k % 9 + 1}组{k + 3}号",
                grid=f"第{k % 3 + 1}网格", cadre=cadre if own else None, types=[types[c] for c in kinds],
                grade=grades[grade], grade_reason=reason, needs="定期走访，链接救助资源。",
                members=[
                    {"name": head, "id_number": id_number(area, born, next(serials), True), "relationship": "head",
                     "phone": f"139{k:04d}{k * 7 % 10000:04d}"},
                    {"name": head[0] + CHILDREN[k % len(CHILDREN)],
                     "id_number": id_number(area, child_born, next(serials), k % 2 == 0), "relationship": "child",
                     "school_or_work": "本地小学在读"},
                ],
            )  # fmt: skip
            # The last visit: recent for most, long ago for some, so each district has overdue families
            # (in 五一社区, the demo cadre's own: two of her three are overdue).
            period = grades[grade].visit_every_days
            late = n in (1, 3) or (own and n in (0, 4))
            visited = today - dt.timedelta(days=period + 7 if late else period // 3)
            ledger.visit_record(
                actor=actor, family=family, visited_on=visited, visitors="村妇联主席、网格员", method="home",
                findings="入户了解家庭近况。", help_given=["goods"] if grade != "yellow" else [],
            )  # fmt: skip
    # Grade changes over the year for the city's chart: some yellow families were raised to orange
    # months ago and lowered again later (so every district still has every grade).
    for k, family in enumerate(Family.objects.filter(grade=grades["yellow"]).order_by("pk")[:6]):
        for grade, reason, months_ago in (("orange", "家庭矛盾加剧", 9 - k), ("yellow", "经调解关系缓和", 4 - k % 4)):
            family.refresh_from_db()
            ledger.grade_change(actor=supervisor, family=family, version=family.version, grade=grades[grade],
                                reason=reason)  # fmt: skip
            GradeChange.objects.filter(pk=GradeChange.objects.filter(family=family).latest("pk").pk).update(
                at=timezone.now() - dt.timedelta(days=30 * months_ago + k)
            )


def write_import_samples(directory: Any) -> tuple[Any, Any]:
    """Two filled-in copies of the import template for the walk-through: one with mistakes (an ID
    number with a wrong check digit, a village that does not exist, a missing head's name), one fixed."""
    import io
    from pathlib import Path

    from openpyxl import load_workbook

    from fulian.ledger.imports import COLUMNS, SHEET, template

    position = {column.key: n + 1 for n, column in enumerate(COLUMNS)}
    born = dt.date(1986, 4, 12)
    child = dt.date(2014, 9, 3)
    good = [
        {"key": "1", "organisation": "幸福社区妇联", "head_name": "孙丽华", "types": "单亲、留守儿童", "grade": "橙色",
         "grade_reason": "离异独自抚养孩子，常年在外务工。", "name": "孙丽华", "relationship": "户主",
         "id_number": id_number("340705", born, 71, True), "phone": "13805621188"},
        {"key": "1", "name": "孙小雨", "relationship": "女儿", "id_number": id_number("340705", child, 72, True),
         "school_or_work": "幸福社区小学"},
        {"key": "2", "organisation": "新城社区妇联", "head_name": "吴秀兰", "types": "贫困、重病", "grade": "黄色",
         "name": "吴秀兰", "relationship": "户主", "id_number": id_number("340705", dt.date(1961, 2, 8), 73, True),
         "health": "糖尿病"},
        {"key": "3", "organisation": "城山社区妇联", "head_name": "郑桂芝", "types": "矛盾多", "grade": "红色",
         "grade_reason": "丈夫酗酒后多次动手。", "name": "郑桂芝", "relationship": "户主",
         "id_number": id_number("340706", dt.date(1979, 11, 30), 74, True)},
    ]  # fmt: skip
    wrong = [dict(row) for row in good]
    wrong[1]["id_number"] = wrong[1]["id_number"][:-1] + ("1" if wrong[1]["id_number"][-1] != "1" else "2")
    wrong[2]["head_name"] = ""
    wrong[3]["organisation"] = "城山村妇联"
    base = template(_user("supervisor"))
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in (("台账导入示例（有错误）.xlsx", wrong), ("台账导入示例（已改正）.xlsx", good)):
        book = load_workbook(io.BytesIO(base))
        sheet = book[SHEET]
        for number, row in enumerate(rows, start=2):
            for key, value in row.items():
                sheet.cell(number, position[key], value)
        path = directory / name
        book.save(path)
        paths.append(path)
    return paths[0], paths[1]
