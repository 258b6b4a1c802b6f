from __future__ import annotations

import pytest

from tests.factories import make_org_tree, make_staff


@pytest.fixture
def orgs(db):
    return make_org_tree()


# Standing users: the owner works the case in its county office; the colleague supervises from
# the city above; the outsider is a caseworker in a sibling county; the liaison is the police's.
@pytest.fixture
def owner(orgs):
    return make_staff("case_owner", orgs["county"], "caseworker")


@pytest.fixture
def colleague(orgs):
    return make_staff("case_colleague", orgs["city"], "supervisor")


@pytest.fixture
def outsider(orgs):
    return make_staff("case_outsider", orgs["sibling"], "caseworker")


@pytest.fixture
def liaison(orgs):
    return make_staff("police_liaison", orgs["police"], "liaison")
