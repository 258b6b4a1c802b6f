"""The measures over HTTP: the outsider gets 404 everywhere, bad forms answer in Chinese, a double
submit saves once, the print draft needs the right to edit and is audited, the case page and
"my work" show the panel and the reminders."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.cases.models import PartyRole
from fulian.cases.services import party_add
from fulian.dv import services as dv
from fulian.dv.models import OrderViolation, ProtectionOrder, WarningLetter, WarningVisit
from tests.dv.conftest import apply, granted
from tests.factories import login_verified, make_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
WHEN = "%Y-%m-%dT%H:%M"


def _as(user):
    return login_verified(Client(), user)


def _ok(response, status=302):
    assert response.status_code == status, response.content.decode()[:3000] if status != 302 else response
    return response


def _letter_post(victim, abuser, **extra):
    issued = TODAY() - dt.timedelta(days=3)
    data = {
        "number": "铜公（天）告字〔2026〕021号", "police_unit": "天井湖派出所", "issued_on": issued.isoformat(),
        "abuser": abuser.pk, "victim": victim.pk, "facts": "酒后殴打。", "delivered_to_abuser_on": issued.isoformat(),
        "delivered_to_victim_on": "", "committee_notified_on": "", "once": str(uuid.uuid4()),
    }  # fmt: skip
    data.update(extra)
    return data


def _order_post(victim, abuser, **extra):
    data = {
        "applicant": victim.pk, "respondent": abuser.pk, "on_behalf": "on", "behalf_reason": "coercion",
        "court": "铜陵市铜官区人民法院", "applied_at": (timezone.localtime() - dt.timedelta(hours=2)).strftime(WHEN),
        "urgent": "on", "measures_requested": ["no_violence", "no_contact"], "facts": "长期遭受殴打，不敢回家。",
        "once": str(uuid.uuid4()),
    }  # fmt: skip
    data.update(extra)
    return data


def _panel(html: str) -> str:
    start = html.index('class="w-mt-8 fulian-dv"')
    return html[start : html.index("</section>", start)]


def _urls(case, letter, order):
    base = f"/admin/dv/cases/{case.pk}"
    return [
        f"{base}/letters/new/", f"{base}/letters/{letter.pk}/edit/", f"{base}/letters/{letter.pk}/visits/new/",
        f"{base}/orders/new/", f"{base}/orders/{order.pk}/ruling/", f"{base}/orders/{order.pk}/extend/",
        f"{base}/orders/{order.pk}/revoke/", f"{base}/orders/{order.pk}/violations/new/",
        f"{base}/orders/{order.pk}/draft/",
    ]  # fmt: skip


def test_the_outsider_gets_404_on_every_measure_screen(owner, outsider, case, victim, abuser):
    letter = dv.letter_record(
        actor=owner, case=case, number="告字021号", police_unit="天井湖派出所", issued_on=TODAY(), abuser=abuser,
        victim=victim,
    )  # fmt: skip
    order = granted(owner, case, victim, abuser, TODAY() - dt.timedelta(days=5))
    client = _as(outsider)
    for url in _urls(case, letter, order):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x", "revoked_on": TODAY().isoformat()}).status_code == 404, url
    assert not order.violations.exists()
    assert ProtectionOrder.objects.get(pk=order.pk).revoked_on is None
    assert not AuditEvent.objects.filter(action="dv.order_draft").exists()


def test_a_letter_or_order_of_another_case_is_404_through_this_case(owner, case, victim, abuser):
    other = make_case(case.organisation, owner, helped={"name": "李某"})
    stranger = party_add(actor=owner, case=other, role=PartyRole.ALLEGED, name="张某")
    theirs = apply(owner, other, other.parties.get(role=PartyRole.HELPED), stranger)
    client = _as(owner)
    for tail in ("ruling/", "draft/", "violations/new/"):
        assert client.get(f"/admin/dv/cases/{case.pk}/orders/{theirs.pk}/{tail}").status_code == 404
    # A party of another case is not among the choices.
    response = client.post(f"/admin/dv/cases/{case.pk}/orders/new/", _order_post(victim, stranger))
    _ok(response, 200)
    assert not ProtectionOrder.objects.filter(case=case).exists()


def test_the_print_draft_needs_the_right_to_edit_and_is_audited(owner, reader, case, victim, abuser):
    _ok(_as(owner).post(f"/admin/dv/cases/{case.pk}/orders/new/", _order_post(victim, abuser)))
    order = ProtectionOrder.objects.get(case=case)
    url = f"/admin/dv/cases/{case.pk}/orders/{order.pk}/draft/"
    # A counsellor may read the case but not edit it: the draft (full personal data) is 404.
    assert _as(reader).get(f"/admin/cases/{case.pk}/").status_code == 200
    assert _as(reader).get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="dv.order_draft").exists()
    response = _ok(_as(owner).get(url), 200)
    html = response.content.decode()
    for text in ("人身安全保护令申请书", "陈晓梅", "340702199001011239", "13905621234", "铜官区幸福小区3栋", "王大强",
                 "系申请人的丈夫", "禁止被申请人实施家庭暴力", "禁止被申请人骚扰、跟踪、接触申请人及其相关近亲属",
                 "长期遭受殴打，不敢回家。", "铜陵市铜官区人民法院", "代为申请人", "铜官区妇联", "因受到强制、威吓",
                 "二十四小时内"):  # fmt: skip
        assert text in html, text
    assert "责令被申请人迁出申请人住所" not in html  # not requested
    assert "no-store" in response["Cache-Control"]
    # Self-hosted A4 print styles, nothing from another site.
    assert "/static/fulian/css/dv_print.css" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    css = finders.find("fulian/css/dv_print.css")
    assert css
    with open(css, encoding="utf-8") as handle:
        assert "size: A4" in handle.read()
    audit = AuditEvent.objects.get(action="dv.order_draft")
    assert (audit.actor_id, audit.target_id, audit.detail) == (owner.pk, str(case.pk), {"order": order.pk})
    assert "陈" not in url  # ids only in the address


def test_a_bad_form_answers_in_chinese_and_saves_nothing(owner, case, victim, abuser):
    client = _as(owner)
    issued = TODAY() - dt.timedelta(days=3)
    bad = client.post(
        f"/admin/dv/cases/{case.pk}/letters/new/",
        _letter_post(victim, abuser, delivered_to_abuser_on=(issued - dt.timedelta(days=1)).isoformat()),
    )
    _ok(bad, 200)
    assert "送交日期不能早于告诫书出具日期" in bad.content.decode()
    assert not WarningLetter.objects.exists()
    # The same form, corrected, is accepted (the failed attempt released its once-token).
    data = _letter_post(victim, abuser)
    _ok(client.post(f"/admin/dv/cases/{case.pk}/letters/new/", {**data, "delivered_to_abuser_on": "2000-01-01"}), 200)
    _ok(client.post(f"/admin/dv/cases/{case.pk}/letters/new/", data))
    letter = WarningLetter.objects.get()
    # A visit before the letter; a ruling longer than six months.
    visit = client.post(
        f"/admin/dv/cases/{case.pk}/letters/{letter.pk}/visits/new/",
        {"visited_on": (issued - dt.timedelta(days=1)).isoformat(), "visited_by": "派出所", "findings": "x",
         "abuse_stopped": "unknown", "once": str(uuid.uuid4())},
    )  # fmt: skip
    _ok(visit, 200)
    assert "查访日期不能早于告诫书出具日期" in visit.content.decode()
    assert not WarningVisit.objects.exists()
    _ok(client.post(f"/admin/dv/cases/{case.pk}/orders/new/", _order_post(victim, abuser)))
    order = ProtectionOrder.objects.get()
    ruled = timezone.localtime()
    too_long = client.post(
        f"/admin/dv/cases/{case.pk}/orders/{order.pk}/ruling/",
        {"ruled_at": ruled.strftime(WHEN), "outcome": "granted", "measures_granted": ["no_violence"],
         "valid_until": (dv.latest_valid_until(ruled.date()) + dt.timedelta(days=1)).isoformat()},
    )  # fmt: skip
    _ok(too_long, 200)
    assert "有效期不超过六个月" in too_long.content.decode()
    refused_with_measures = client.post(
        f"/admin/dv/cases/{case.pk}/orders/{order.pk}/ruling/",
        {"ruled_at": ruled.strftime(WHEN), "outcome": "refused", "measures_granted": ["no_contact"]},
    )
    assert "驳回申请的裁定不能有保护措施" in refused_with_measures.content.decode()
    order.refresh_from_db()
    assert order.outcome == "pending"
    # Not granted: revocation and violations are turned away with a message, nothing saved.
    response = client.post(
        f"/admin/dv/cases/{case.pk}/orders/{order.pk}/revoke/", {"revoked_on": TODAY(), "reason": "x"}
    )
    assert response["Location"] == f"/admin/cases/{case.pk}/"
    order.refresh_from_db()
    assert order.revoked_on is None


def test_a_double_submit_saves_once(owner, case, victim, abuser):
    client = _as(owner)
    letter = _letter_post(victim, abuser)
    _ok(client.post(f"/admin/dv/cases/{case.pk}/letters/new/", letter))
    _ok(client.post(f"/admin/dv/cases/{case.pk}/letters/new/", letter))
    assert WarningLetter.objects.count() == 1
    order = _order_post(victim, abuser)
    _ok(client.post(f"/admin/dv/cases/{case.pk}/orders/new/", order))
    _ok(client.post(f"/admin/dv/cases/{case.pk}/orders/new/", order))
    assert ProtectionOrder.objects.count() == 1
    granted_order = granted(owner, case, victim, abuser, TODAY() - dt.timedelta(days=4))
    violation = {"occurred_on": TODAY().isoformat(), "description": "到住所纠缠", "reported_to_police": "on",
                 "once": str(uuid.uuid4())}  # fmt: skip
    url = f"/admin/dv/cases/{case.pk}/orders/{granted_order.pk}/violations/new/"
    _ok(client.post(url, violation))
    _ok(client.post(url, violation))
    assert OrderViolation.objects.count() == 1
    assert case.events.filter(kind="order_apply").count() == 2  # the form's once, and the granted helper


def test_the_whole_order_through_the_screens(owner, case, victim, abuser):
    client = _as(owner)
    _ok(client.post(f"/admin/dv/cases/{case.pk}/orders/new/", _order_post(victim, abuser, on_behalf="", behalf_reason="",
                                                                           urgent="")))  # fmt: skip
    order = ProtectionOrder.objects.get()
    assert not order.on_behalf
    assert order.ruling_due == order.applied_at + dt.timedelta(hours=72)
    ruled = timezone.localtime()
    _ok(client.post(
        f"/admin/dv/cases/{case.pk}/orders/{order.pk}/ruling/",
        {"ruled_at": ruled.strftime(WHEN), "outcome": "granted", "ruling_number": "（2026）皖0705民保令9号",
         "measures_granted": ["no_violence", "other"], "other_granted": "禁止进入申请人工作单位",
         "valid_until": dv.latest_valid_until(ruled.date()).isoformat()},
    ))  # fmt: skip
    order.refresh_from_db()
    assert order.outcome == "granted"
    assert order.other_granted == "禁止进入申请人工作单位"
    assert order.valid_until is not None
    new_expiry = dv.latest_valid_until(order.valid_until)
    _ok(client.post(
        f"/admin/dv/cases/{case.pk}/orders/{order.pk}/extend/",
        {"decided_on": TODAY().isoformat(), "decision": "之一", "valid_until": new_expiry.isoformat(),
         "once": str(uuid.uuid4())},
    ))  # fmt: skip
    order.refresh_from_db()
    assert order.valid_until == new_expiry
    _ok(client.post(f"/admin/dv/cases/{case.pk}/orders/{order.pk}/revoke/",
                    {"revoked_on": TODAY().isoformat(), "reason": "双方已离婚，申请人申请撤销"}))  # fmt: skip
    order.refresh_from_db()
    assert order.revoked_on == TODAY()
    panel = _panel(client.get(f"/admin/cases/{case.pk}/").content.decode())
    assert "已撤销" in panel
    assert "/extend/" not in panel  # no more extending a revoked order


def test_the_case_page_shows_the_panel(owner, reader, case, victim, abuser):
    client = _as(owner)
    empty = _panel(client.get(f"/admin/cases/{case.pk}/").content.decode())
    assert "反家暴措施" in empty
    assert "暂无告诫书和人身安全保护令" in empty
    assert f"/admin/dv/cases/{case.pk}/letters/new/" in empty
    assert f"/admin/dv/cases/{case.pk}/orders/new/" in empty
    letter = dv.letter_record(
        actor=owner, case=case, number="告字021号", police_unit="天井湖派出所", issued_on=TODAY() - dt.timedelta(days=4),
        abuser=abuser, victim=victim, delivered_to_abuser_on=TODAY() - dt.timedelta(days=4),
    )  # fmt: skip
    dv.visit_record(
        actor=owner, letter=letter, visited_on=TODAY(), visited_by="天井湖社区居委会", findings="已入户查访"
    )
    overdue = apply(owner, case, victim, abuser, urgent=True, applied_at=timezone.now() - dt.timedelta(hours=30))
    expiring = granted(owner, case, victim, abuser, dv.add_months(TODAY(), -6) + dt.timedelta(days=10))
    panel = _panel(client.get(f"/admin/cases/{case.pk}/").content.decode())
    for text in ("告字021号", "天井湖派出所", "天井湖社区居委会", "已入户查访", "待裁定", "超期", "有效", "即将到期",
                 f"/admin/dv/cases/{case.pk}/orders/{overdue.pk}/ruling/",
                 f"/admin/dv/cases/{case.pk}/orders/{expiring.pk}/extend/",
                 f"/admin/dv/cases/{case.pk}/orders/{overdue.pk}/draft/",
                 f"/admin/dv/cases/{case.pk}/letters/{letter.pk}/visits/new/"):  # fmt: skip
        assert text in panel, text
    assert "暂无" not in panel
    assert "王大强" not in panel  # names are masked on the case page
    # Who may only read the case sees the measures, not the operations.
    read_only = _panel(_as(reader).get(f"/admin/cases/{case.pk}/").content.decode())
    assert "即将到期" in read_only
    assert "/admin/dv/" not in read_only


def test_my_work_lists_the_reminders_for_the_caseworker_and_supervisors_in_scope(
    owner, colleague, deskmate, outsider, case, victim, abuser
):
    apply(owner, case, victim, abuser, urgent=True, applied_at=timezone.now() - dt.timedelta(hours=30))
    granted(owner, case, victim, abuser, dv.add_months(TODAY(), -6) + dt.timedelta(days=10))
    granted(owner, case, victim, abuser, TODAY() - dt.timedelta(days=10))  # far from expiry: not listed
    dv.order_alerts()
    for user in (owner, colleague):
        html = _as(user).get("/admin/mywork/").content.decode()
        section = html[html.index("保护令提醒") :]
        assert case.number in section
        assert "裁定超期" in section
        assert section.count("即将到期") == 1
    for user in (deskmate, outsider):  # not their case / not their scope
        page = _as(user).get("/admin/mywork/")
        assert page.status_code == 200
        assert "保护令提醒" not in page.content.decode()


def test_every_screen_opens_for_who_works_the_case(owner, colleague, case, victim, abuser):
    letter = dv.letter_record(
        actor=owner, case=case, number="告字021号", police_unit="天井湖派出所", issued_on=TODAY(), abuser=abuser,
        victim=victim,
    )  # fmt: skip
    pending = apply(owner, case, victim, abuser)
    order = granted(owner, case, victim, abuser, TODAY() - dt.timedelta(days=5))
    for user in (owner, colleague):
        client = _as(user)
        for url in _urls(case, letter, order):
            if "/ruling/" in url:
                url = url.replace(f"/orders/{order.pk}/", f"/orders/{pending.pk}/")
            response = _ok(client.get(url), 200)
            assert "<form" in response.content.decode() or "/draft/" in url, url
    # The letter form offers the case's parties, masked; the order form says the time limits.
    html = _as(owner).get(f"/admin/dv/cases/{case.pk}/letters/new/").content.decode()
    assert "加害人 王*" in html
    assert "王大强" not in html
    assert "24 小时内" in _as(owner).get(f"/admin/dv/cases/{case.pk}/orders/new/").content.decode()
