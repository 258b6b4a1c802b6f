from __future__ import annotations

import pytest

from fulian.ledger.models import FamilyType, RiskGrade
from tests.factories import make_org_tree, make_staff


@pytest.fixture
def orgs(db):
    from fulian.orgs.models import OrganisationKind as K
    from fulian.orgs.services import organisation_create

    tree = make_org_tree()
    tree["village"] = organisation_create(
        name="五一社区妇联", kind=K.VILLAGE, parent=tree["township"], division_code="340705001001"
    )
    far_township = organisation_create(
        name="钟鸣镇妇联", kind=K.TOWNSHIP, parent=tree["sibling"], division_code="340706101"
    )
    tree["far_village"] = organisation_create(
        name="钟鸣村妇联", kind=K.VILLAGE, parent=far_township, division_code="340706101001"
    )
    return tree


# The village cadre who keeps the ledger (owner), the county's supervisor (colleague), a cadre of a
# village in the sibling county (outsider).
@pytest.fixture
def owner(orgs):
    return make_staff("cadre_owner", orgs["village"], "grassroots")


@pytest.fixture
def colleague(orgs):
    return make_staff("county_supervisor", orgs["county"], "supervisor")


@pytest.fixture
def outsider(orgs):
    return make_staff("cadre_outsider", orgs["far_village"], "grassroots")


@pytest.fixture
def grades(db):
    return {g.code: g for g in RiskGrade.objects.all()}


@pytest.fixture
def types(db):
    return {t.code: t for t in FamilyType.objects.all()}


@pytest.fixture
def family(orgs, owner, grades, types):
    from fulian.ledger.services import family_create

    return family_create(
        actor=owner, organisation=orgs["village"], head_name="陈桂兰", address="五一社区3栋201", grid="第二网格",
        cadre=owner, types=[types["single_parent"], types["poor"]], grade=grades["yellow"], grade_reason="单亲，收入低",
        members=[
            {"name": "陈桂兰", "id_number": "340705198501012347", "relationship": "head", "phone": "13905620001"},
            {"name": "陈小宇", "id_number": "340705201503050018", "relationship": "child"},
        ],
    )  # fmt: skip
