from __future__ import annotations

import pytest

from tests.factories import make_org_tree, make_staff


@pytest.fixture
def orgs(db):
    return make_org_tree()


# The caseworker who records the report (owner), a supervisor above (colleague), a caseworker in a
# sibling county (outsider), and another caseworker in the owner's own office (no access to the reporter).
@pytest.fixture
def owner(orgs):
    return make_staff("mr_owner", orgs["county"], "caseworker")


@pytest.fixture
def colleague(orgs):
    return make_staff("mr_colleague", orgs["city"], "supervisor")


@pytest.fixture
def outsider(orgs):
    return make_staff("mr_outsider", orgs["sibling"], "caseworker")


@pytest.fixture
def deskmate(orgs):
    return make_staff("mr_deskmate", orgs["county"], "caseworker")
