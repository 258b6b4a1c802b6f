"""Who sees which record: every cell of role × organisation relation × action."""

from __future__ import annotations

import pytest
from django.http import Http404

from fulian.accounts.roles import ROLES
from fulian.audit.models import AuditEvent
from fulian.people.models import Person
from fulian.security.access import can, get_for_user, share, visible
from tests.factories import UserFactory, make_person, make_staff

pytestmark = pytest.mark.django_db

ACTIONS = ("view", "create", "edit", "close", "export", "reveal")
# Where the record is, seen from the user's organisation (the county federation).
RELATIONS = ("own", "parent", "child", "sibling", "referred", "member_unit")
VISIBLE_RELATIONS = {"own", "child", "referred"}


@pytest.fixture
def records(orgs):
    made = {
        "own": make_person(orgs["county"]),
        "parent": make_person(orgs["city"]),
        "child": make_person(orgs["township"]),
        "sibling": make_person(orgs["sibling"]),
        "referred": make_person(orgs["sibling"], name="转介对象"),
        "member_unit": make_person(orgs["police"]),
    }
    share(actor=None, record=made["referred"], organisation=orgs["county"], reason="转介")
    return made


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.code)
def test_permission_matrix(orgs, records, role):
    user = make_staff(f"u_{role.code}", orgs["county"], role.code)
    for relation in RELATIONS:
        for action in ACTIONS:
            expected = action in role.actions and relation in VISIBLE_RELATIONS
            assert can(user, action, records[relation]) is expected, (role.code, relation, action)


def test_missing_and_forbidden_both_answer_404(orgs, records, record_owner, record_outsider):
    assert get_for_user(record_owner, Person, records["own"].pk) == records["own"]
    for user, pk in [(record_outsider, records["own"].pk), (record_owner, 10**9), (record_owner, "x")]:
        with pytest.raises(Http404):
            get_for_user(user, Person, pk)


def test_a_supervisor_above_sees_the_whole_branch(orgs, records, record_colleague):
    seen = set(visible(record_colleague, Person))
    assert {records["own"], records["child"], records["parent"], records["sibling"]} <= seen
    assert records["member_unit"] not in seen  # member units are not below the federation


def test_a_user_without_an_organisation_sees_nothing(records):
    user = UserFactory(username="no_org", is_superuser=True)
    assert not visible(user, Person).exists()


def test_every_read_through_the_helper_is_audited(records, record_owner):
    before = AuditEvent.objects.count()
    get_for_user(record_owner, Person, records["own"].pk)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.target_id, event.actor_username) == (
        "person.view",
        str(records["own"].pk),
        "record_owner",
    )
