"""The ledger over HTTP: masked lists, scope (404 outside), the phone-sized visit form, the
prompt to open a case, 我的工作."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.ledger.models import Family, Visit
from tests.factories import login_verified, mark_fresh_login

pytestmark = pytest.mark.django_db


def _as(user):
    return login_verified(Client(), user)


def test_the_list_is_masked_scoped_and_audited(family, owner, outsider):
    page = _as(owner).get("/admin/ledger/").content.decode()
    assert family.number in page
    assert "陈**" in page
    assert "陈桂兰" not in page
    assert AuditEvent.objects.filter(action="family.list").exists()
    assert family.number not in _as(outsider).get("/admin/ledger/").content.decode()


def test_the_family_page_hides_the_child_and_is_404_outside(family, owner, outsider):
    page = _as(owner).get(f"/admin/ledger/{family.pk}/").content.decode()
    assert "未成年人" in page
    assert "陈小宇" not in page
    assert "陈桂兰" not in page  # the head and the address are masked too, revealed on request
    assert "五一社区3栋201" not in page
    revealed = _fresh(owner).post(f"/admin/ledger/{family.pk}/reveal/address/").content.decode()
    assert "五一社区3栋201" in revealed
    assert AuditEvent.objects.filter(action="family.reveal", detail__field="address").exists()
    assert _as(outsider).get(f"/admin/ledger/{family.pk}/").status_code == 404
    assert _as(outsider).get(f"/admin/ledger/{family.pk}/visit/").status_code == 404
    assert _as(owner).get("/admin/ledger/999999/").status_code == 404


def test_a_visit_on_a_phone_raising_to_red_prompts_a_case(family, owner, grades):
    client = _as(owner)
    form = client.get(f"/admin/ledger/{family.pk}/visit/", HTTP_USER_AGENT="Mozilla/5.0 (iPhone)").content.decode()
    assert "fulian-visit" in form
    post = {"visited_on": timezone.localdate().isoformat(), "method": "home", "visitors": "王主任",
            "findings": "丈夫酒后打人", "grade": grades["red"].pk, "grade_reason": "发现家暴", "once": str(uuid.uuid4())}  # fmt: skip
    response = client.post(f"/admin/ledger/{family.pk}/visit/", post)
    assert response["Location"] == f"/admin/ledger/{family.pk}/case/"
    assert client.post(f"/admin/ledger/{family.pk}/visit/", post).status_code == 302  # the double tap
    assert Visit.objects.count() == 1
    family.refresh_from_db()
    assert family.grade.code == "red"
    assert "建议立即立案" in client.get(f"/admin/ledger/{family.pk}/case/").content.decode()


def test_a_bad_visit_answers_in_chinese(family, owner):
    post = {"visited_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(), "method": "home",
            "visitors": "王主任", "once": str(uuid.uuid4())}  # fmt: skip
    response = _as(owner).post(f"/admin/ledger/{family.pk}/visit/", post)
    assert response.status_code == 200
    assert "走访日期不能晚于今天" in response.content.decode()


def test_the_supervisor_opens_the_case_from_the_prompt(family, colleague):
    from fulian.hotline.models import Category

    client = _as(colleague)
    assert client.get(f"/admin/ledger/{family.pk}/case/").status_code == 200
    category = Category.objects.get(parent=None, name="婚姻家庭")
    head = family.members.get(relationship="head")
    response = client.post(f"/admin/ledger/{family.pk}/case/",
                           {"member": head.pk, "category": category.pk, "summary": "走访发现家暴", "once": str(uuid.uuid4())})  # fmt: skip
    assert response.status_code == 302
    assert family.cases.count() == 1


def test_my_work_lists_the_cadres_overdue_families(family, owner):
    Family.objects.filter(pk=family.pk).update(next_visit_on=timezone.localdate() - dt.timedelta(days=5))
    page = _as(owner).get("/admin/mywork/").content.decode()
    assert "逾期未走访的家庭" in page
    assert family.number in page
    overdue = _as(owner).get("/admin/ledger/overdue/").content.decode()
    assert "逾期 5 天" in overdue


def test_registering_a_family_and_a_member_through_the_screens(orgs, owner, grades, types):
    client = _as(owner)
    response = client.post("/admin/ledger/new/", {
        "organisation": orgs["village"].pk, "head_name": "周某某", "types": [types["poor"].pk],
        "grade": grades["orange"].pk, "cadre": owner.pk, "once": str(uuid.uuid4())})  # fmt: skip
    family = Family.objects.get()
    assert response["Location"] == f"/admin/ledger/{family.pk}/"
    bad = client.post(f"/admin/ledger/{family.pk}/members/new/",
                      {"name": "周某", "id_number": "340705198501012345", "relationship": "spouse", "sex": "U",
                       "once": str(uuid.uuid4())})  # fmt: skip
    assert bad.status_code == 200
    assert "校验位" in bad.content.decode()
    assert not family.members.exists()


def _fresh(user):
    return mark_fresh_login(_as(user))


def test_reveal_needs_the_right_and_fresh_login(family, owner, colleague, outsider, orgs):
    from tests.factories import make_staff

    head = family.members.get(relationship="head")
    url = f"/admin/ledger/members/{head.pk}/reveal/id_number/"
    assert "/admin/2fa/reauth/" in _as(colleague).post(url)["Location"]
    assert _fresh(outsider).post(url).status_code == 404
    county_worker = make_staff("county_caseworker", orgs["county"], "caseworker")
    assert _fresh(county_worker).post(url).status_code == 404  # sees the family, may not reveal
    assert "340705198501012347" in _fresh(owner).post(url).content.decode()  # the village's own cadre
    response = _fresh(colleague).post(url)
    assert "340705198501012347" in response.content.decode()
    assert AuditEvent.objects.filter(action="family.reveal").exists()


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_visit_photo_is_kept_encrypted_and_a_bad_one_loses_nothing(family, owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fulian.files.models import Attachment

    client = _as(owner)
    post = {"visited_on": timezone.localdate().isoformat(), "method": "home", "visitors": "王主任"}
    bad = client.post(f"/admin/ledger/{family.pk}/visit/",
                      {**post, "once": str(uuid.uuid4()), "photo": SimpleUploadedFile("门口.jpg", b"\xff\xd8\xff broken")})  # fmt: skip
    assert bad.status_code == 200
    assert "损坏" in bad.content.decode()
    assert not Visit.objects.exists()
    good = client.post(f"/admin/ledger/{family.pk}/visit/",
                       {**post, "once": str(uuid.uuid4()), "photo": SimpleUploadedFile("门口.jpg", _jpeg())})  # fmt: skip
    assert good.status_code == 302
    assert Visit.objects.count() == 1
    assert Attachment.objects.filter(object_id=family.pk).count() == 1
