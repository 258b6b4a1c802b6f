"""The demo ledger: every district has families of every grade; the community cadre has overdue
visits on 我的工作."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fulian.demo.organisations import load_all
from fulian.ledger.models import Family
from fulian.ledger.services import overdue_families
from fulian.orgs.models import Organisation
from tests.factories import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, settings):
    settings.DEMO_ACCOUNTS = True
    load_all()


def test_each_district_has_families_of_every_grade(demo):
    for district in Organisation.objects.filter(kind="county"):
        grades = set(
            Family.objects.filter(organisation__path__startswith=district.path).values_list("grade__code", flat=True)
        )
        assert grades == {"red", "orange", "yellow"}, district.name


def test_the_cadre_sees_her_overdue_visits(demo):
    cadre = get_user_model().objects.get(username="grassroots")
    assert overdue_families(cadre, mine=True).count() == 2
    page = login_verified(Client(), cadre).get("/admin/mywork/").content.decode()
    assert "逾期未走访的家庭" in page


def test_the_import_samples_show_errors_by_row_then_pass_once_fixed(demo, tmp_path):
    from fulian.demo.ledger import write_import_samples
    from fulian.ledger.imports import check

    supervisor = get_user_model().objects.get(username="supervisor")
    wrong, fixed = write_import_samples(tmp_path)
    problems = check(wrong.read_bytes(), user=supervisor).problems
    assert [(row, name) for row, _letter, name, _message in problems.rows()] == [
        (3, "身份证号"), (4, "户主姓名"), (5, "村（社区）"),
    ]  # fmt: skip
    checked = check(fixed.read_bytes(), user=supervisor)
    assert not checked.problems
    assert (len(checked.households), checked.members) == (3, 4)
