"""The demo shows the protocols at work: the school's report about a 12-year-old girl and its
checklist, the domestic-violence measures with their reminders, a volunteer due for re-screening."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fulian.cases.models import CaseEvent
from fulian.demo.organisations import load_all
from fulian.dv.models import ProtectionOrder, WarningLetter
from fulian.protection.models import MandatoryReport, Step
from tests.factories import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, settings):
    settings.DEMO_ACCOUNTS = True
    load_all()


def _page(username, url):
    return login_verified(Client(), get_user_model().objects.get(username=username)).get(url).content.decode()


def test_the_schools_report_drives_the_checklist(demo):
    report = MandatoryReport.objects.get(sector="school", child_age=12, child_sex="F")
    case = report.case
    assert case.category is not None
    assert case.category.name == "未成年人保护"
    done = set(case.protocol.filter(done_at__isnull=False).values_list("step", flat=True))
    assert done == {Step.POLICE, Step.ONE_STOP, Step.LEGAL_AID, Step.PSYCHOLOGICAL, Step.RELIEF}
    assert case.one_stop_sessions.get().female_officer is True
    assert set(case.assistance.values_list("kind", flat=True)) == {"legal", "psychological", "judicial"}
    page = _page("caseworker", f"/admin/cases/{case.pk}/")
    assert "林**" in page
    assert 'value="5"' in page  # the progress bar: five of seven steps
    assert "林" not in _page("caseworker", "/admin/cases/").split("<tbody>")[1]


def test_the_domestic_violence_case_has_its_measures_and_reminders(demo):
    letter = WarningLetter.objects.get()
    assert letter.visits.exists()
    case = letter.case
    assert ProtectionOrder.objects.filter(case=case).count() == 2
    kinds = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {"order_ruling_overdue", "order_expiring"} <= kinds
    page = _page("supervisor", "/admin/mywork/")
    assert "保护令提醒" in page
    assert case.number in page


def test_a_volunteer_due_for_re_screening_shows_in_the_reminders(demo):
    assert "入职查询复查提醒" in _page("grassroots", "/admin/mywork/")
