"""Demo hotline contacts, cases and referrals (all invented), made through the real services by the
demo staff, so every step is on the timelines and in the audit trail like real work."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from fulian.orgs.models import Organisation

# The online request the demo prints, to try the portal's status lookup (phone ends in 1234).
DEMO_REQUEST_PHONE = "13900001234"


def _user(username: str) -> Any:
    # A fresh object each time: permissions are cached on the instance.
    return get_user_model().objects.get(username=username)


def load_casework(organisations: dict[str, Organisation]) -> None:
    from fulian.cases import services as cases
    from fulian.hotline import services as hotline
    from fulian.hotline.models import Category, Contact

    if Contact.objects.exists():
        return
    tongguan, yian, suburb = organisations["铜官区妇联"], organisations["义安区妇联"], organisations["郊区妇联"]
    police, court = organisations["市公安局"], organisations["市中级人民法院"]
    family = Category.objects.get(parent=None, name="婚姻家庭")
    violence = Category.objects.get(parent=family, name="家庭暴力")
    divorce = Category.objects.get(parent=family, name="离婚")
    now = timezone.now()
    today = timezone.localdate()

    # A call waiting for a caseworker to open a case (the demo's walk-through starts here).
    hotline.contact_record(
        actor=_user("hotline"), organisation=tongguan, received_at=now - dt.timedelta(hours=2), call_type="complaint",
        caller_name="刘女士", caller_phone="13805620001", caller_sex="F", caller_age_band="35_59",
        category=family, subcategory=violence, risk_domestic_violence=True,
        narrative="丈夫酒后多次殴打，昨晚再次动手，想了解如何申请人身安全保护令。",
        advice="告知可报警并由妇联协助申请人身安全保护令，已约定回访。", outcome="callback",
    )  # fmt: skip
    # Earlier calls from the same number: the caller-history banner shows them.
    hotline.contact_record(
        actor=_user("hotline"), organisation=tongguan, received_at=now - dt.timedelta(days=20), call_type="consultation",
        caller_phone="13805620001", caller_sex="F", category=family, subcategory=divorce,
        narrative="咨询离婚时财产如何分割。", advice="介绍相关法律规定。", outcome="advised", satisfaction="satisfied",
    )  # fmt: skip

    # A case in services, referred to the police: the police liaison has it to accept.
    call = hotline.contact_record(
        actor=_user("hotline"), organisation=tongguan, received_at=now - dt.timedelta(days=6), call_type="complaint",
        caller_name="陈晓梅", caller_phone="13905621234", caller_sex="F", caller_age_band="35_59",
        category=family, subcategory=violence, risk_domestic_violence=True, risk_immediate_danger=True,
        narrative="长期遭受丈夫殴打，现暂住娘家，担心丈夫找来。", outcome="case",
    )  # fmt: skip
    worker = _user("caseworker")
    case = cases.case_open(
        actor=worker, organisation=tongguan, contacts=[call], category=family, subcategory=violence,
        summary="长期家庭暴力，求助人暂住娘家，需人身安全保护令和心理疏导。",
        helped={"name": "陈晓梅", "phone": "13905621234", "sex": "F", "age": 36},
    )  # fmt: skip
    cases.party_add(actor=worker, case=case, role="alleged", name="王大强", relationship="丈夫", sex="M", age=39)
    cases.incident_add(
        actor=worker, case=case, occurred_on=today - dt.timedelta(days=7), kind="physical", category=violence,
        place="铜官区某小区家中", reported_to_police=True, description="酒后殴打，面部及手臂软组织挫伤。",
    )  # fmt: skip
    cases.case_assess(actor=worker, case=case, version=case.version, assessment="家暴反复发生，存在再次受害风险。")
    cases.case_submit_plan(
        actor=worker, case=case, version=case.version, plan="协助申请人身安全保护令；转介公安出具告诫书；心理疏导。"
    )
    cases.case_decide(actor=_user("supervisor"), case=case, version=case.version, approve=True)
    case.refresh_from_db()
    cases.consent_record(actor=_user("caseworker"), case=case, purpose="services")
    cases.consent_record(actor=_user("caseworker"), case=case, purpose="share", member_unit=police)
    cases.service_add(
        actor=_user("caseworker"), case=case, kind="counselling", provider="市妇联心理咨询室",
        delivered_on=today - dt.timedelta(days=3), outcome="情绪趋于稳定。",
    )  # fmt: skip
    # The police's warning letter and two protection orders: one waits past its ruling deadline, one
    # expires within 14 days (both raise their reminder on 我的工作).
    from fulian.dv.demo import load_dv_demo

    load_dv_demo(case, _user("caseworker"))
    cases.referral_send(
        actor=_user("caseworker"), case=case, member_unit=police, request="请依法出具家庭暴力告诫书并加强巡查。",
        shared_details="求助人陈女士，电话 13905621234；加害人王某，系其丈夫。", deadline=today + dt.timedelta(days=5),
    )  # fmt: skip

    # A case whose closing waits for the supervisor.
    finished = cases.case_open(
        actor=_user("caseworker"), organisation=tongguan, category=family, subcategory=divorce,
        summary="离婚纠纷中的财产分割，已经调解达成协议。", helped={"name": "赵敏", "phone": "13705629876", "sex": "F", "age": 41},
    )  # fmt: skip
    cases.case_assess(actor=_user("caseworker"), case=finished, version=finished.version, assessment="适合调解。")
    cases.case_submit_plan(
        actor=_user("caseworker"), case=finished, version=finished.version, plan="婚姻家庭纠纷调解。"
    )
    cases.case_decide(actor=_user("supervisor"), case=finished, version=finished.version, approve=True)
    finished.refresh_from_db()
    cases.service_add(
        actor=_user("caseworker"), case=finished, kind="mediation", provider="铜官区婚姻家庭纠纷调解委员会",
        delivered_on=today - dt.timedelta(days=10), outcome="达成调解协议。",
    )  # fmt: skip
    finished.refresh_from_db()
    cases.case_advance(actor=_user("caseworker"), case=finished, version=finished.version, to="follow_up")
    cases.case_request_close(
        actor=_user("caseworker"), case=finished, version=finished.version, reason="协议已履行，回访无异常。"
    )

    # A child's case in the other district (its caseworker sees it; the first caseworker does not).
    child = cases.case_open(
        actor=_user("caseworker2"), organisation=yian, minor_involved=True,
        summary="学校强制报告：11 岁女童疑似遭受侵害，已报警。", helped={"name": "张小雨", "sex": "F", "age": 11},
    )  # fmt: skip
    cases.consent_record(
        actor=_user("caseworker2"), case=child, purpose="share", member_unit=court, given_by="guardian",
        guardian_name="张某某",
    )  # fmt: skip

    # A school's mandatory report about a 12-year-old girl: it opens a minor-protection case.
    from fulian.protection.services import report_record

    report = report_record(
        actor=_user("caseworker"), organisation=tongguan, sector="school", reporting_unit="铜官区某小学",
        reporter_name="李老师", reporter_phone="13605620003", situation="2", child_age=12, child_sex="F",
        discovered_at=now - dt.timedelta(hours=30), reported_at=now - dt.timedelta(hours=29),
        police_unit="铜官分局某派出所", receipt_number="JJ20260001", police_action="accepted",
        civil_affairs_notified=True, education_notified=True,
    )  # fmt: skip
    load_protocol(report.case, tongguan, organisations["铜陵市妇联"])

    # An online request from the portal, waiting in the 郊区 queue (look it up with the last four digits 1234).
    hotline.online_request_submit(
        narrative="婆家不让我探望孩子，想咨询怎么办。", phone=DEMO_REQUEST_PHONE, name="李女士", category=family,
        district=suburb, preferred_time="evening", consent_to_contact=True,
    )  # fmt: skip

    # A counselling call with its record (seen by counsellors and the supervisor only).
    counselling = hotline.contact_record(
        actor=_user("counsellor"), organisation=organisations["铜陵市妇联"], call_type="counselling",
        caller_phone="13605620002", caller_sex="F", caller_age_band="18_34",
        narrative="产后情绪低落，失眠。", outcome="callback",
    )  # fmt: skip
    hotline.counselling_save(
        actor=_user("counsellor"), contact=counselling, presenting_problem="产后抑郁情绪，睡眠差",
        risk_level="medium", intervention="情绪疏导，建议就医评估", follow_up_plan="一周后电话回访",
    )  # fmt: skip

    # The community's children's centre: one volunteer is due for the yearly re-check (我的工作 shows it).
    from fulian.screening.demo import load_screening_demo

    load_screening_demo(organisations["五一社区妇联"], _user("grassroots"))


def load_protocol(case: Any, office: Organisation, city: Organisation) -> None:
    """The report's checklist at work: the one-stop session, the legal-aid lawyer, psychological
    support and judicial relief are recorded; school arrangements and follow-up are still open."""
    from fulian.cases import services as cases
    from fulian.protection import services as protection
    from fulian.protection.models import OneStopSite

    worker = _user("caseworker")
    now, today = timezone.now(), timezone.localdate()
    child = case.parties.get()
    cases.party_update(actor=worker, party=child, name="林小雨")
    site = OneStopSite.objects.create(
        organisation=city, name="铜陵市未成年被害人一站式询问救助中心", address="铜陵市铜官区长江西路（市公安局办案中心内）",
        rooms="询问室、身体检查室、心理疏导室、休息室", contact="值班电话 0562-1234567",
    )  # fmt: skip
    protection.session_record(
        actor=worker, case=case, site=site, held_at=now - dt.timedelta(hours=20),
        participants=["police", "procurator", "doctor", "psychologist", "guardian", "federation"],
        female_officer=True, interviews=1, recording_reference="TGFJ-2026-LX-031", medical_exam=True,
        evidence_collected=True, evidence_notes="已提取生物检材，由公安机关保管。", rights_notified=True,
        psychological_assessment="情绪紧张，睡眠差，建议持续心理支持。",
    )  # fmt: skip
    protection.assistance_record(
        actor=worker, case=case, kind="legal", provider="铜官区法律援助中心（指派律师）", provided_on=today,
        notes="为被害人指派法律援助律师，代理刑事附带民事诉讼。",
    )  # fmt: skip
    protection.assistance_record(
        actor=worker, case=case, kind="psychological", provider="市妇联心理咨询室", provided_on=today,
        notes="每周一次心理辅导，共八次。",
    )  # fmt: skip
    protection.assistance_record(
        actor=worker, case=case, kind="judicial", provider="铜陵市人民检察院", provided_on=today,
        amount=5000, notes="国家司法救助金。",
    )  # fmt: skip
