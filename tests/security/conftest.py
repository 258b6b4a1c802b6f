from __future__ import annotations

import pytest

from tests.factories import make_org_tree, make_staff


@pytest.fixture
def orgs(db):
    return make_org_tree()


# The standing users of sensitive records: the owner works in the record's organisation,
# the colleague (a supervisor) in the organisation above it, the outsider in a sibling one.
@pytest.fixture
def record_owner(orgs):
    return make_staff("record_owner", orgs["county"], "caseworker")


@pytest.fixture
def record_colleague(orgs):
    return make_staff("record_colleague", orgs["city"], "supervisor")


@pytest.fixture
def record_outsider(orgs):
    return make_staff("record_outsider", orgs["sibling"], "caseworker")
