"""The demo joint meeting: its member units, the task meeting whose decisions became tasks, nine
signed letters, returns (one overdue), the assessment with computed figures and a ranking, and the
documents — which must open: each PDF is rendered to images and looked at."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from docx import Document

from fulian.chairreport.models import ChairReport
from fulian.demo.organisations import load_all
from fulian.jointmeeting.models import Meeting, MemberUnit, Task
from fulian.targets.models import Letter, Return, ReturnReminder, Score, TargetYear
from fulian.targets.selectors import ranking
from tests.factories import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, settings):
    settings.DEMO_ACCOUNTS = True
    load_all()


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _pages(pdf: bytes, tmp_path, name: str) -> list:
    """Every page rendered to an image (and saved, to look at when a test fails)."""
    document = pdfium.PdfDocument(pdf)
    images = []
    for number, page in enumerate(document, start=1):
        image = page.render(scale=1).to_pil().convert("L")
        image.save(tmp_path / f"{name}-{number}.png")
        images.append(image)
        text = page.get_textpage().get_text_range()
        assert text.strip(), f"{name} page {number} has no text"
    return images


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _inked(image) -> float:
    """Share of the page that is not white: text and rules, not an empty or black page."""
    histogram = image.histogram()
    return 1 - sum(histogram[230:]) / (image.width * image.height)


def test_the_joint_meeting_has_its_units_and_a_task_meeting_whose_decisions_became_tasks(demo):
    assert MemberUnit.objects.filter(active=True, signs_letter=True).count() == 9
    meeting = Meeting.objects.get(kind="task")
    assert meeting.status == "final"
    assert meeting.decisions.count() == 3
    assert Task.objects.filter(decision__meeting=meeting).count() == 7
    overdue = Task.objects.filter(status="open", due_on__lt=timezone.localdate())
    assert overdue.exists()
    assert not overdue.filter(escalated_at__isnull=True).exists()


def test_nine_signed_letters_returns_with_one_overdue_and_a_ranked_assessment(demo):
    year = TargetYear.objects.get(year=timezone.localdate().year)
    assert Letter.objects.filter(year=year, status="signed").count() == 9
    half = year.rounds.get(title="上半年")
    assert Return.objects.filter(round=half, status="submitted").count() == 8
    assert (
        ReturnReminder.objects.filter(round=half, kind="overdue")
        .values_list("unit__organisation__name", flat=True)
        .get()
        == "市司法局"
    )
    computed = Score.objects.filter(target__letter__year=year, computed_value__isnull=False)
    assert computed.filter(target__indicator="families_visited_on_time").count() == 9
    assert computed.filter(target__indicator="referrals_answered_in_time").exists()
    ranked = ranking(year)
    assert len(ranked) == 9
    assert all(r.rank is not None for r in ranked)
    assert ranked[0].rank == 1
    assert ranked[0].points >= ranked[-1].points


def test_a_liaison_sees_only_their_units_letter_tasks_and_returns(demo):
    from fulian.security.access import visible

    liaison = _user("liaison")
    for model in (Letter, Task, Return):
        names = set(visible(liaison, model).values_list("organisation__name", flat=True))
        assert names == {"市公安局"}, model


def test_the_letter_and_assessment_pdfs_and_the_chairs_report_open(demo, tmp_path):
    year = timezone.localdate().year
    secretary = login_verified(Client(), _user("secretariat"))
    letter = Letter.objects.get(year__year=year, unit__organisation__name="市公安局")

    response = secretary.get(f"/admin/targets/letters/{letter.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = _body(response)
    pages = _pages(pdf, tmp_path, "letter")
    assert all(0.01 < _inked(page) < 0.5 for page in pages)
    text = "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf))
    assert "市公安局" in text
    assert "目标管理责任书" in text

    response = secretary.get(f"/admin/targets/years/{year}/assessment.pdf")
    assert response.status_code == 200
    pages = _pages(_body(response), tmp_path, "assessment")
    assert all(0.005 < _inked(page) < 0.5 for page in pages)

    report = ChairReport.objects.get(year=year)
    response = secretary.get(f"/admin/chairreport/{report.pk}/pdf/")
    assert response.status_code == 200
    pages = _pages(_body(response), tmp_path, "report")
    assert len(pages) >= 2
    assert all(0.005 < _inked(page) < 0.5 for page in pages)
    response = secretary.get(f"/admin/chairreport/{report.pk}/docx/")
    assert response.status_code == 200
    document = Document(io.BytesIO(_body(response)))
    assert report.title in "\n".join(p.text for p in document.paragraphs)
