"""The operator's flow in a real browser: a call is recorded (with the caller's history appearing as the
number is typed), a case is opened from it, consent is recorded and the case is referred to the police."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from fulian.cases.models import Case, Referral
from fulian.hotline.models import Contact
from tests.browser.conftest import CHROMIUM
from tests.factories import login_verified, make_contact, make_org_tree, make_staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _log_in(page, live_server, user) -> None:
    """Sign the browser in as `user` with both factors done (the login form itself is tested elsewhere)."""
    client = login_verified(Client(), user)
    page.context.clear_cookies()
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}
    page.context.add_cookies([{**cookie, "url": live_server.url}])


def test_intake_to_referral(live_server, browser_page):
    orgs = make_org_tree()
    operator = make_staff("op_browser", orgs["county"], "hotline_operator")
    caseworker = make_staff("cw_browser", orgs["county"], "caseworker")
    make_contact(orgs["county"], operator, caller_phone="13905621234", outcome="advised")
    page = browser_page

    # The operator takes the call.
    _log_in(page, live_server, operator)
    page.goto(live_server.url + "/admin/hotline/new/")
    page.select_option("[name=call_type]", "complaint")
    page.fill("[name=caller_phone]", "139 0562 1234")
    page.locator("[name=caller_name]").click()  # leaving the number field looks up its history
    page.wait_for_selector("#caller-history >> text=此前来电 1 次")
    page.fill("[name=caller_name]", "陈晓梅")
    page.check("[name=risk_domestic_violence]")
    page.fill("[name=narrative]", "丈夫多次殴打，请求帮助")
    page.select_option("[name=outcome]", "case")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/admin/hotline/\d+/$"))
    contact = Contact.objects.latest("pk")
    assert contact.risk_domestic_violence

    # The caseworker opens a case from the call.
    _log_in(page, live_server, caseworker)
    page.goto(f"{live_server.url}/admin/hotline/{contact.pk}/")
    page.get_by_role("link", name="立案").click()
    page.wait_for_url(re.compile(r"/admin/cases/new/"))
    assert page.input_value("[name=phone]") == "13905621234"
    page.get_by_role("button", name="立案").click()
    page.wait_for_url(re.compile(r"/admin/cases/\d+/$"))
    case = Case.objects.get()
    assert case.number in page.locator("h1").inner_text()

    # Consent to share with the police, then the referral.
    page.get_by_role("link", name="记录知情同意").click()
    page.select_option("[name=purpose]", "share")
    page.select_option("[name=member_unit]", label="市公安局")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(rf"/admin/cases/{case.pk}/$"))
    page.get_by_role("link", name="转介成员单位").click()
    page.select_option("[name=member_unit]", label="市公安局")
    page.fill("[name=request]", "请依法出具告诫书")
    page.fill("[name=deadline]", (timezone.localdate() + dt.timedelta(days=5)).isoformat())
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(rf"/admin/cases/{case.pk}/$"))
    assert "待接收" in page.locator("body").inner_text()
    assert Referral.objects.get().organisation == orgs["police"]
    assert "转介市公安局" in page.locator(".fulian-timeline").inner_text()
