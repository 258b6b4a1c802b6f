from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fulian.cases.models import PartyRole
from fulian.cases.services import party_add
from fulian.dv import services as dv
from tests.factories import make_case, make_org_tree, make_staff


@pytest.fixture
def orgs(db):
    return make_org_tree()


# The case's caseworker in a county (owner), a supervisor in the city above (colleague), a
# caseworker in the sibling county (outsider), another caseworker in the owner's own office who
# does not work this case (deskmate), and a counsellor there who may read cases but not edit them.
@pytest.fixture
def owner(orgs):
    return make_staff("dv_owner", orgs["county"], "caseworker")


@pytest.fixture
def colleague(orgs):
    return make_staff("dv_colleague", orgs["city"], "supervisor")


@pytest.fixture
def outsider(orgs):
    return make_staff("dv_outsider", orgs["sibling"], "caseworker")


@pytest.fixture
def deskmate(orgs):
    return make_staff("dv_deskmate", orgs["county"], "caseworker")


@pytest.fixture
def reader(orgs):
    return make_staff("dv_reader", orgs["county"], "counsellor")


@pytest.fixture
def case(orgs, owner):
    """A DV case: the helped person (the victim) and her husband (the abuser), with their details."""
    case = make_case(
        orgs["county"], owner,
        helped={"name": "陈晓梅", "phone": "13905621234", "id_number": "340702199001011239", "sex": "F",
                "address": "铜官区幸福小区3栋"},
    )  # fmt: skip
    party_add(actor=owner, case=case, role=PartyRole.ALLEGED, name="王大强", relationship="丈夫", sex="M", age=39)
    return case


@pytest.fixture
def victim(case):
    return case.parties.get(role=PartyRole.HELPED)


@pytest.fixture
def abuser(case):
    return case.parties.get(role=PartyRole.ALLEGED)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A local time on a day (the ruling day of an order is its local date)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def apply(actor, case, victim, abuser, **extra):
    data: dict[str, Any] = {
        "court": "铜陵市铜官区人民法院", "applied_at": timezone.now() - dt.timedelta(hours=1), "urgent": False,
        "measures_requested": ["no_violence", "no_contact"], "facts": "长期酒后殴打申请人。",
    }  # fmt: skip
    data.update(extra)
    return dv.order_apply(actor=actor, case=case, applicant=victim, respondent=abuser, **data)


def granted(actor, case, victim, abuser, ruled_on: dt.date, valid_until: dt.date | None = None, **extra):
    """An order applied two days before `ruled_on` and granted that day (valid six months unless told)."""
    order = apply(actor, case, victim, abuser, applied_at=at(ruled_on) - dt.timedelta(hours=48))
    return dv.order_rule(
        actor=actor, order=order, ruled_at=at(ruled_on), outcome="granted", measures_granted=["no_violence"],
        valid_until=valid_until or dv.latest_valid_until(ruled_on), **extra,
    )  # fmt: skip
