from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import make_org_tree, make_staff


@pytest.fixture
def orgs(db):
    return make_org_tree()


# A caseworker in a county who screens the county's children's-centre staff (owner), a supervisor in
# the city above (colleague), a caseworker in the sibling county (outsider), and a hotline operator
# in the owner's own office (no rights on screening records at all).
@pytest.fixture
def owner(orgs):
    return make_staff("ms_owner", orgs["county"], "caseworker")


@pytest.fixture
def colleague(orgs):
    return make_staff("ms_colleague", orgs["city"], "supervisor")


@pytest.fixture
def outsider(orgs):
    return make_staff("ms_outsider", orgs["sibling"], "caseworker")


@pytest.fixture
def operator(orgs):
    return make_staff("ms_operator", orgs["county"], "hotline_operator")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def worker(orgs, owner):
    from fulian.screening.services import worker_register

    return worker_register(
        actor=owner, organisation=orgs["county"], name="周慧敏", id_number="340705198803120028",
        phone="13605621001", kind="staff", centre="天井湖社区儿童之家",
    )  # fmt: skip
