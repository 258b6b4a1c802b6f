from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fulian.jointmeeting.models import Officer, OfficerPost
from fulian.targets import indicators
from fulian.targets import services as s
from tests.factories import make_joint_meeting


@pytest.fixture
def jm(db):
    tree = make_joint_meeting()
    Officer.objects.create(post=OfficerPost.CHAIR, name="张主任", title="市政府副市长", order=1)
    return tree


# Three standing users: the secretariat (owner: runs the letters), the police liaison (colleague:
# the unit the tests act for), the education liaison (outsider: another unit, must see none of it).
@pytest.fixture
def owner(jm):
    return jm["secretary"]


@pytest.fixture
def colleague(jm):
    return jm["police_liaison"]


@pytest.fixture
def outsider(jm):
    return jm["education_liaison"]


@pytest.fixture
def year(owner):
    return s.year_create(actor=owner, year=timezone.localdate().year, title="预防性侵未成年人工作目标管理责任书")


RATED = {"number": 1, "text": "建立强制报告工作机制", "measure": "查阅资料", "weight": Decimal(40), "scoring": "rated"}
PROPORTIONAL = {"number": 2, "text": "开展宣传活动", "measure": "活动次数", "target_value": Decimal(10),
                "value_unit": "次", "weight": Decimal(60), "scoring": "proportional"}  # fmt: skip
SIGNERS = [{"side": "unit", "name": "李局长", "title": "局长"}]


def draft(owner: Any, year: Any, unit: Any, targets: Any = None, signatories: Any = None) -> Any:
    letter = s.letter_create(actor=owner, year=year, unit=unit)
    issuers = [{"side": p.side, "name": p.name, "title": p.title} for p in letter.signatories.all()]
    return s.letter_save(
        actor=owner, letter=letter, expected_version=letter.version, preamble="为落实……", closing="考核结果通报。",
        targets=[RATED, PROPORTIONAL] if targets is None else targets,
        signatories=issuers + SIGNERS if signatories is None else signatories,
    )  # fmt: skip


def signed(owner: Any, year: Any, unit: Any, targets: Any = None) -> Any:
    letter = draft(owner, year, unit, targets)
    return s.letter_sign(actor=owner, letter=letter, signed_on=timezone.localdate())


@pytest.fixture
def police_letter(owner, year, jm):
    return signed(owner, year, jm["police_unit"])


@pytest.fixture
def education_letter(owner, year, jm):
    return signed(owner, year, jm["education_unit"])


@pytest.fixture
def round(owner, year):
    today = timezone.localdate()
    return s.round_create(actor=owner, year=year, title="上半年", period_end=today.replace(month=1, day=1),
                          due_on=today.replace(month=12, day=31), remind_days=5)  # fmt: skip


@pytest.fixture
def stub_indicator(monkeypatch, jm):
    """A platform indicator whose figure the test sets: {unit_id: value}; `calls` counts computations."""
    figures: dict[int, Decimal | None] = {jm["police_unit"].pk: Decimal(90), jm["education_unit"].pk: Decimal(90)}
    calls: list[int] = []

    def compute(year: int, units: Any = None, codes: Any = None) -> dict[tuple[int, str], Decimal | None]:
        calls.append(year)
        wanted = {u.pk for u in units} if units is not None else set(figures)
        return {(unit, "stub_rate"): value for unit, value in figures.items() if unit in wanted}

    indicator = indicators.Indicator("stub_rate", gettext_lazy("测试按期率"), "%", gettext_lazy("测试用指标"))
    monkeypatch.setitem(indicators.INDICATORS, "stub_rate", indicator)
    monkeypatch.setattr(indicators, "compute", compute)
    return {"figures": figures, "calls": calls}


INDICATOR_TARGET = {"number": 3, "text": "转介按期答复", "indicator": "stub_rate", "target_value": Decimal(100),
                    "weight": Decimal(20), "scoring": "rated"}  # fmt: skip
