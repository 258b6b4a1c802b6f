"""在线维权 on the portal: the public help request, its anti-abuse guards, and the status lookup."""

from __future__ import annotations

import re
import time

import pytest
from django.utils import timezone

from fulian.hotline.models import Category, Contact, OnlineRequest
from fulian.hotline.services import online_request_reply, online_request_submit
from fulian.portal import online_forms
from tests.factories import make_org_tree

pytestmark = pytest.mark.django_db

PHONE = "13905625678"
NARRATIVE = "丈夫经常打我，我想了解怎么申请人身安全保护令。"
NOT_FOUND = "没有找到相符的记录"


@pytest.fixture
def orgs(home):
    return make_org_tree()


def fill(**overrides: object) -> dict[str, object]:
    """A correctly filled form, from a page loaded ten seconds ago."""
    data: dict[str, object] = {
        "narrative": NARRATIVE,
        "phone": PHONE,
        "name": "王某",
        "category": "",
        "district": "",
        "preferred_time": "evening",
        "consent": "on",
        "homepage": "",
        "stamp": online_forms.stamp_issue(issued_at=time.time() - 10),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def assert_no_store(response) -> None:
    assert "no-store" in response.headers.get("Cache-Control", "")


def stamp_in(html: str) -> str:
    match = re.search(r'name="stamp" value="([^"]+)"', html)
    assert match, "the form carries a stamp"
    return match.group(1)


def nothing_saved() -> bool:
    return not OnlineRequest.objects.exists() and not Contact.objects.exists()


class TestTheForm:
    def test_the_page_offers_the_fields_with_labels_and_a_hidden_trap(self, orgs, client):
        response = client.get("/wqzx/")
        html = response.content.decode()
        assert response.status_code == 200
        for label in ["问题描述", "问题分类", "联系电话", "姓名", "所在县区", "方便联系时间", "个人信息保护说明"]:
            assert label in html
        assert '<label for="id_narrative">' in html
        assert 'aria-describedby="id_narrative_helptext"' in html
        assert "加密保存" in html  # what the data is used for, next to the consent
        assert "12338" in html
        assert "110" in html
        assert '<div class="trap visually-hidden" aria-hidden="true">' in html
        assert re.search(r'<input[^>]+name="homepage"[^>]+tabindex="-1"', html)
        assert re.search(r'<form class="online-form" action="/wqzx/" method="post"', html)
        # No inline scripts or styles: the public CSP forbids them.
        assert "<script>" not in html
        assert " style=" not in html
        assert_no_store(response)

    def test_only_first_level_categories_and_active_counties_are_offered(self, orgs, client):
        html = client.get("/wqzx/").content.decode()
        assert "婚姻家庭" in html
        assert "家庭暴力" not in html  # a second-level category
        assert ">铜官区</option>" in html
        assert ">义安区</option>" in html
        assert "天井湖社区" not in html  # a township
        assert "市公安局" not in html

    def test_the_home_page_links_to_the_form_and_the_lookup(self, orgs, client):
        html = client.get("/").content.decode()
        assert '<a href="/wqzx/">在线求助</a>' in html
        assert '<a href="/wqzx/cx/">办理查询</a>' in html


class TestSubmitting:
    def test_a_valid_request_lands_in_the_county_queue_and_shows_its_number(self, orgs, client):
        response = client.post(
            "/wqzx/", fill(district=orgs["county"].pk, category=Category.objects.get(name="婚姻家庭").pk)
        )
        assert response.status_code == 302
        assert response["Location"] == "/wqzx/done/"
        assert_no_store(response)
        request = OnlineRequest.objects.get()
        assert Contact.objects.count() == 1
        assert request.contact.organisation == orgs["county"]
        assert request.contact.caller_phone == PHONE
        assert request.contact.narrative == NARRATIVE
        assert request.preferred_time == "evening"
        assert request.consent_to_contact is True

        done = client.get("/wqzx/done/")
        html = done.content.decode()
        assert done.status_code == 200
        assert f'<p class="tracking-number">{request.tracking_number}</p>' in html
        assert "后四位" in html
        assert "12338" in html
        assert "110" in html
        assert PHONE not in html
        assert NARRATIVE not in html
        assert_no_store(done)

    def test_without_a_district_the_city_receives_it(self, orgs, client):
        client.post("/wqzx/", fill())
        assert OnlineRequest.objects.get().contact.organisation == orgs["city"]

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"narrative": ""}, "请填写问题描述。"),
            ({"narrative": "我被打了"}, "问题描述至少需要 10 个字"),
            ({"narrative": "家" * 2001}, "问题描述不能超过 2000 个字（现在 2001 个字）"),
            ({"phone": ""}, "请填写联系电话。"),
            ({"phone": "12345"}, "电话号码应为 7 到 12 位数字"),
            ({"phone": "1" * 31}, "联系电话过长"),
            ({"name": "名" * 51}, "姓名不能超过 50 个字。"),
            ({"consent": None}, "需要您同意我们与您联系，才能办理。"),
            ({"preferred_time": "midnight"}, "请从列表中选择方便联系的时间。"),
        ],
    )
    def test_bad_fields_get_chinese_messages_tied_to_the_field_and_nothing_is_saved(
        self, orgs, client, overrides, message
    ):
        response = client.post("/wqzx/", fill(**overrides))
        html = response.content.decode()
        assert response.status_code == 200
        assert message in html
        assert 'class="error-summary" role="alert"' in html
        assert re.search(r'aria-invalid="true"|<fieldset class="field" aria-describedby="[^"]*_error', html)
        assert nothing_saved()
        assert_no_store(response)

    def test_a_second_level_category_or_a_township_is_refused(self, orgs, client):
        child = Category.objects.get(name="家庭暴力")
        html = client.post("/wqzx/", fill(category=child.pk, district=orgs["township"].pk)).content.decode()
        assert "请从列表中选择问题分类。" in html
        assert "请从列表中选择所在县区。" in html
        assert nothing_saved()

    def test_the_error_is_described_by_its_message(self, orgs, client):
        html = client.post("/wqzx/", fill(phone="12345")).content.decode()
        assert re.search(r'<input[^>]+name="phone"[^>]+aria-describedby="id_phone_helptext id_phone_error"', html)
        assert '<ul class="errorlist" id="id_phone_error">' in html
        assert NARRATIVE in html  # what was typed is kept

    def test_markup_is_stored_as_text_and_shown_escaped(self, orgs, client):
        narrative = '<script>alert("x")</script><b>他打我</b>，请帮帮我'
        html = client.post("/wqzx/", fill(narrative=narrative, phone="12")).content.decode()
        assert "<script>alert" not in html
        assert "<b>他打我</b>" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        client.post("/wqzx/", fill(narrative=narrative, name="<i>王</i>"))
        contact = OnlineRequest.objects.get().contact
        assert contact.narrative == narrative
        assert contact.caller_name == "<i>王</i>"

    def test_a_service_refusal_is_shown_and_the_form_can_be_sent_again(self, home, client):
        data = fill()
        html = client.post("/wqzx/", data).content.decode()
        assert "系统尚未设置受理单位" in html  # no city federation set up yet
        assert nothing_saved()
        make_org_tree()
        assert client.post("/wqzx/", data).status_code == 302
        assert OnlineRequest.objects.count() == 1

    def test_an_oversized_body_is_refused(self, orgs, client):
        response = client.post("/wqzx/", fill(narrative="家" * 30_000))
        assert response.status_code == 413
        assert "提交的内容过长" in response.content.decode()
        assert nothing_saved()


class TestAntiAbuse:
    def test_a_filled_trap_looks_like_success_but_saves_nothing(self, orgs, client):
        response = client.post("/wqzx/", fill(homepage="http://spam.example"))
        assert response.status_code == 302
        assert response["Location"] == "/wqzx/done/"
        assert nothing_saved()
        html = client.get("/wqzx/done/").content.decode()
        assert "您的求助已收到" in html
        assert 'class="tracking-number"' not in html

    def test_a_form_sent_faster_than_a_person_writes_is_refused_until_the_time_has_passed(
        self, orgs, client, monkeypatch
    ):
        issued = time.time()
        stamp = online_forms.stamp_issue(issued_at=issued)
        response = client.post("/wqzx/", fill(stamp=stamp))
        html = response.content.decode()
        assert "提交过快，请稍等几秒后再次点击“提交”。" in html
        assert nothing_saved()
        assert stamp_in(html) == stamp  # the clock keeps running: the same page, a bit later, is accepted
        monkeypatch.setattr(online_forms, "now", lambda: issued + 5)
        assert client.post("/wqzx/", fill(stamp=stamp)).status_code == 302
        assert OnlineRequest.objects.count() == 1

    def test_the_minimum_time_is_a_setting(self, orgs, client, settings):
        settings.ONLINE_REQUEST_MIN_SECONDS = 0
        response = client.post("/wqzx/", fill(stamp=online_forms.stamp_issue()))
        assert response.status_code == 302

    @pytest.mark.parametrize(
        "stamp",
        [
            None,
            "",
            "forged",
            "x" * 400,
            online_forms.stamp_issue(issued_at=time.time() - 3 * 3600),  # a page left open for three hours
            online_forms.stamp_issue(issued_at=time.time() + 3600),
        ],
        ids=["missing", "empty", "forged", "long", "old", "future"],
    )
    def test_a_missing_forged_or_old_stamp_is_refused_with_a_fresh_one_to_try_again(self, orgs, client, stamp):
        html = client.post("/wqzx/", fill(stamp=stamp)).content.decode()
        assert "页面已过期，请核对填写的内容后再次点击“提交”。" in html
        assert nothing_saved()
        fresh = stamp_in(html)
        assert fresh != stamp
        assert online_forms.stamp_read(fresh) is not None

    def test_a_stamp_signed_for_something_else_is_refused(self, orgs, client):
        from django.core import signing

        other = signing.dumps({"t": int(time.time()) - 10, "n": "a" * 32})  # the site key, another salt
        assert "页面已过期" in client.post("/wqzx/", fill(stamp=other)).content.decode()
        assert nothing_saved()

    def test_a_double_click_makes_one_request_and_both_show_its_number(self, orgs, client):
        data = fill()
        first = client.post("/wqzx/", data)
        number = OnlineRequest.objects.get().tracking_number
        second = client.post("/wqzx/", data)
        assert first.status_code == second.status_code == 302
        assert OnlineRequest.objects.count() == 1
        assert Contact.objects.count() == 1
        assert number in client.get("/wqzx/done/").content.decode()

    def test_the_same_form_from_another_browser_still_gives_the_first_number(self, orgs, client):
        from django.test import Client

        data = fill()
        client.post("/wqzx/", data)
        other = Client()
        assert other.post("/wqzx/", data).status_code == 302
        assert OnlineRequest.objects.count() == 1
        assert OnlineRequest.objects.get().tracking_number in other.get("/wqzx/done/").content.decode()

    def test_a_click_while_the_first_is_still_saving_waits_for_its_number(self, orgs, client, monkeypatch):
        from django.core.cache import cache

        from fulian.portal import views

        data = fill()
        key = views._token_key(online_forms.stamp_read(str(data["stamp"])).token)  # type: ignore[union-attr]
        cache.set(key, views.PENDING)
        monkeypatch.setattr(views, "_pause", lambda: cache.set(key, "WQ202601010123456789"))
        assert client.post("/wqzx/", data).status_code == 302
        assert "WQ202601010123456789" in client.get("/wqzx/done/").content.decode()
        assert nothing_saved()  # the first click saves it

    def test_a_click_while_the_first_is_stuck_asks_to_wait(self, orgs, client, monkeypatch):
        from django.core.cache import cache

        from fulian.portal import views

        monkeypatch.setattr(views, "PENDING_WAIT_SECONDS", 0)
        data = fill()
        cache.set(views._token_key(online_forms.stamp_read(str(data["stamp"])).token), views.PENDING)  # type: ignore[union-attr]
        html = client.post("/wqzx/", data).content.decode()
        assert "您的求助正在提交，请不要重复点击" in html
        assert nothing_saved()

    @pytest.mark.parametrize(("setting", "limit"), [("ONLINE_REQUEST_PER_HOUR", 2), ("ONLINE_REQUEST_PER_DAY", 3)])
    def test_too_many_requests_from_one_address_get_429(self, orgs, client, settings, setting, limit):
        setattr(settings, setting, limit)
        for _ in range(limit):
            assert client.post("/wqzx/", fill(), REMOTE_ADDR="10.1.2.3").status_code == 302
        # A forwarded address from an untrusted hop does not start a fresh count.
        response = client.post("/wqzx/", fill(), REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="192.0.2.9")
        html = response.content.decode()
        assert response.status_code == 429
        assert "从您的网络提交的求助过多，请稍后再试。" in html
        assert "12338" in html
        assert NARRATIVE in html  # nothing typed is lost
        assert_no_store(response)
        assert OnlineRequest.objects.count() == limit
        assert client.post("/wqzx/", fill(), REMOTE_ADDR="10.9.9.9").status_code == 302

    def test_behind_our_proxy_the_visitors_own_address_counts(self, orgs, client, settings):
        settings.ONLINE_REQUEST_PER_HOUR = 1
        proxy = {"REMOTE_ADDR": "127.0.0.1"}
        assert client.post("/wqzx/", fill(), HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 302
        assert client.post("/wqzx/", fill(), HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 429
        assert client.post("/wqzx/", fill(), HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 302

    def test_invalid_forms_do_not_use_up_the_limit(self, orgs, client, settings):
        settings.ONLINE_REQUEST_PER_HOUR = 1
        for _ in range(3):
            client.post("/wqzx/", fill(phone="1"))
        assert client.post("/wqzx/", fill()).status_code == 302


class TestPrivacy:
    def test_personal_data_never_reaches_an_address(self, orgs, client):
        responses = [
            client.get("/wqzx/"),
            client.post("/wqzx/", fill(phone="12")),
            client.post("/wqzx/", fill()),
            client.post("/wqzx/", fill(homepage="x")),
        ]
        for response in responses:
            assert PHONE not in response.get("Location", "")
            assert "5678" not in response.get("Location", "")
            html = response.content.decode()
            for url in re.findall(r'(?:href|action|src)="([^"]*)"', html):
                assert PHONE not in url
                assert "5678" not in url

    def test_the_done_page_without_a_submission_leads_back_to_the_form(self, home, client):
        response = client.get("/wqzx/done/")
        assert response.status_code == 302
        assert response["Location"] == "/wqzx/"

    def test_the_done_page_forgets_the_number_after_the_stamp_lifetime(self, orgs, client, settings):
        client.post("/wqzx/", fill())
        settings.ONLINE_REQUEST_MAX_AGE_SECONDS = -1
        assert client.get("/wqzx/done/").status_code == 302


@pytest.fixture
def submitted(orgs):
    return online_request_submit(
        narrative="邻居说我丈夫常打我，需要法律援助。", phone=PHONE, name="李某", consent_to_contact=True
    )


def lookup(client, number: str, last_four: str, **extra):
    return client.post("/wqzx/cx/", {"tracking_number": number, "last_four": last_four}, **extra)


class TestLookup:
    def test_the_page_has_a_post_form(self, home, client):
        response = client.get("/wqzx/cx/")
        html = response.content.decode()
        assert response.status_code == 200
        assert re.search(r'<form class="online-form" action="/wqzx/cx/" method="post"', html)
        assert '<label for="id_tracking_number">' in html
        assert '<label for="id_last_four">' in html
        assert_no_store(response)

    def test_the_right_digits_show_status_and_reply_but_nothing_else(self, submitted, client):
        online_request_reply(
            actor=None, request=submitted, reply="已转交法律援助中心，<b>请留意</b>来电。", status="replied"
        )
        response = lookup(client, submitted.tracking_number, "5678")
        html = response.content.decode()
        assert response.status_code == 200
        assert submitted.tracking_number in html
        assert "已答复" in html
        assert "已转交法律援助中心，&lt;b&gt;请留意&lt;/b&gt;来电。" in html
        assert timezone.localtime(submitted.created_at).strftime("%Y-%m-%d") in html
        for private in ["邻居说我丈夫常打我", "李某", PHONE]:
            assert private not in html
        assert NOT_FOUND not in html
        assert_no_store(response)

    def test_a_request_not_yet_answered_shows_its_status(self, submitted, client):
        html = lookup(client, submitted.tracking_number, "5678").content.decode()
        assert "已收到" in html
        assert "答复时间" not in html

    def test_full_width_digits_spaces_and_small_letters_are_accepted(self, submitted, client):
        number = " " + submitted.tracking_number.lower() + " "
        html = lookup(client, number, "５６７８").content.decode()
        assert "已收到" in html

    def test_wrong_digits_and_an_unknown_number_get_the_same_answer(self, submitted, client):
        def answer(number: str, digits: str) -> str:
            html = lookup(client, number, digits).content.decode()
            assert "办理情况" not in html
            found = re.search(r'<div class="error-summary" role="alert"><p>([^<]+)</p></div>', html)
            assert found
            return found.group(1)

        wrong_digits = answer(submitted.tracking_number, "1234")
        unknown = answer("WQ202001010000000000", "5678")
        assert wrong_digits == unknown
        assert NOT_FOUND in wrong_digits

    @pytest.mark.parametrize(
        ("number", "digits", "message"),
        [
            ("", "5678", "请填写查询编号。"),
            ("WQ1", "", "请填写联系电话的后四位。"),
            ("WQ 1<>", "5678", "查询编号由字母和数字组成"),
            ("WQ123456", "56a8", "请填写联系电话的后 4 位数字。"),
        ],
    )
    def test_malformed_input_gets_a_message(self, submitted, client, number, digits, message):
        html = lookup(client, number, digits).content.decode()
        assert message in html
        assert "办理情况" not in html

    def test_query_parameters_never_make_a_lookup(self, submitted, client):
        html = client.get(
            "/wqzx/cx/", {"tracking_number": submitted.tracking_number, "last_four": "5678"}
        ).content.decode()
        assert "办理情况" not in html
        assert NOT_FOUND not in html

    def test_too_many_lookups_get_429(self, submitted, client, settings):
        settings.ONLINE_LOOKUP_LIMIT = 3
        for digits in ["0000", "1111", "2222"]:
            assert lookup(client, submitted.tracking_number, digits).status_code == 200
        response = lookup(client, submitted.tracking_number, "5678")
        html = response.content.decode()
        assert response.status_code == 429
        assert "查询过于频繁，请稍后再试。" in html
        assert "办理情况" not in html
        assert_no_store(response)
        assert lookup(client, submitted.tracking_number, "5678", REMOTE_ADDR="10.7.7.7").status_code == 200
