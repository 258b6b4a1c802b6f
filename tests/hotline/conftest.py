from __future__ import annotations

import pytest

from tests.factories import make_org_tree, make_staff


@pytest.fixture
def orgs(db):
    return make_org_tree()


# Standing users: the operator who takes the call in the county office, a supervisor in the
# city above, an operator in a sibling county; and a counsellor beside the operator.
@pytest.fixture
def owner(orgs):
    return make_staff("hotline_owner", orgs["county"], "hotline_operator")


@pytest.fixture
def colleague(orgs):
    return make_staff("hotline_colleague", orgs["city"], "supervisor")


@pytest.fixture
def outsider(orgs):
    return make_staff("hotline_outsider", orgs["sibling"], "hotline_operator")


@pytest.fixture
def counsellor(orgs):
    return make_staff("counsellor1", orgs["county"], "counsellor")
