"""Demo joint meeting (all invented): the 2026 joint meeting of Tongling's member units, its
task-assignment meeting whose decisions became tasks, nine signed target-responsibility letters,
returns from several units (one overdue), an assessment with computed indicators and a ranking,
and the chair's report — made through the services by the demo staff.

Office holders' names are invented."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from fulian.orgs.models import Organisation

# (unit, duties, mandatory-reporting sectors it answers for, signs a letter)
UNITS: list[tuple[str, str, list[str], bool]] = [
    ("市委政法委", "统筹协调政法各部门，督促落实联席会议议定事项。", [], False),
    ("市人民检察院", "依法惩治侵害未成年人犯罪，牵头落实强制报告和一站式询问制度，开展法律监督。", [], True),
    ("市中级人民法院", "依法审理侵害妇女儿童权益案件，及时作出人身安全保护令裁定。", [], True),
    ("市公安局", "接受强制报告并及时立案侦查，参与一站式询问，落实家庭暴力告诫制度。", [], True),
    ("市教育体育局", "督促学校、幼儿园、校外培训机构落实强制报告和入职查询，开展防性侵教育。", ["school", "kindergarten", "training", "school_bus"], True),
    ("市民政局", "落实困境儿童和留守儿童关爱保护，提供临时救助和社会工作服务。", ["welfare", "residents", "villagers"], True),
    ("市司法局", "为受侵害妇女儿童提供法律援助，开展人民调解和法治宣传。", [], True),
    ("市卫生健康委", "督促医疗机构落实强制报告，提供身体检查、救治和心理健康服务。", ["medical", "childcare"], True),
    ("市人力资源社会保障局", "维护妇女劳动权益，为困难妇女提供就业培训和岗位。", [], True),
    ("团市委", "组织青少年自护教育和志愿服务，参与未成年人心理关爱。", [], True),
]  # fmt: skip
# (post, name, title, unit)
OFFICERS = [
    ("chair", "王丽华", "市妇联主席", "铜陵市妇联"),
    ("deputy", "陈志刚", "市委政法委副书记", "市委政法委"),
    ("deputy", "李红", "市妇联副主席", "铜陵市妇联"),
    ("secretary", "赵静", "市妇联权益部部长", "铜陵市妇联"),
]
# A liaison for each signing unit (the police's and the education bureau's are demo logins; the
# others act in the demo only and have no usable password).
LIAISONS = {
    "市人民检察院": "liaison_jcy",
    "市中级人民法院": "liaison_fy",
    "市民政局": "liaison_mz",
    "市司法局": "liaison_sf",
    "市卫生健康委": "liaison_wj",
    "市人力资源社会保障局": "liaison_rs",
    "团市委": "liaison_tw",
}


def load_body(organisations: dict[str, Organisation]) -> dict[str, Any]:
    from fulian.accounts.models import StaffProfile
    from fulian.accounts.services import staff_set_roles
    from fulian.jointmeeting.models import Mechanism, MemberRole, MemberUnit, Officer

    mechanisms = list(Mechanism.objects.filter(active=True))
    units: dict[str, MemberUnit] = {}
    secretariat, _ = MemberUnit.objects.get_or_create(
        organisation=organisations["铜陵市妇联"],
        defaults={
            "role": MemberRole.SECRETARIAT, "signs_letter": False, "order": 0, "report_sectors": ["federation"],
            "duties": "承担联席会议办公室日常工作：筹备会议、交办督办议定事项、组织目标管理责任书签订和考核。",
        },
    )  # fmt: skip
    units["铜陵市妇联"] = secretariat
    for order, (name, duties, sectors, signs) in enumerate(UNITS, start=1):
        unit, created = MemberUnit.objects.get_or_create(
            organisation=organisations[name],
            defaults={"duties": duties, "report_sectors": sectors, "signs_letter": signs, "order": order},
        )
        if created:
            unit.mechanisms.set(mechanisms)
        units[name] = unit
    for order, (post, name, title, unit_name) in enumerate(OFFICERS, start=1):
        Officer.objects.get_or_create(
            post=post, name=name, defaults={"title": title, "unit": units[unit_name], "order": order}
        )
    user_model = get_user_model()
    liaisons: dict[str, Any] = {}
    for unit_name, username in LIAISONS.items():
        user, created = user_model.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save()
            StaffProfile.objects.update_or_create(
                user=user, defaults={"organisation": organisations[unit_name], "demo": True}
            )
            staff_set_roles(actor=None, user=user, roles=["liaison"])
        liaisons[unit_name] = user_model.objects.get(pk=user.pk)
    liaisons["市公安局"] = user_model.objects.get(username="liaison")
    liaisons["市教育体育局"] = user_model.objects.get(username="liaison_edu")
    return {"units": units, "liaisons": liaisons, "secretary": user_model.objects.get(username="secretariat")}


LETTER_TITLE = "铜陵市预防性侵未成年人、维护女童人身权益工作目标管理责任书"
PREAMBLE = (
    "为深入贯彻《中华人民共和国未成年人保护法》《中华人民共和国妇女权益保障法》和全国妇联《关于建立预防性侵害"
    "未成年人、维护女童人身权益工作机制的通知》精神，落实市维护妇女儿童合法权益联席会议工作部署，明确工作责任，"
    "经研究，签订本责任书。\n\n"
    "责任单位应将预防性侵害未成年人、维护女童人身权益工作纳入本单位年度工作要点，明确分管领导和联络员，"
    "按照以下目标任务抓好落实。"
)
CLOSING = (
    "联席会议办公室根据各单位半年、全年报送情况和平台数据进行考核，考核结果在联席会议全体会议上通报，"
    "并抄送市委政法委作为平安建设考评的参考。\n\n本责任书一式两份，双方各执一份，自签订之日起生效，有效期至当年12月31日。"
)
# (number, text, indicator, measure, target value, unit, weight, scoring)
TARGETS = [
    (1, "依法及时办理联席会议办公室转介的侵害妇女儿童权益事项，在答复期限内作出答复。", "referrals_answered_in_time",
     "", "100", "%", "25", "proportional"),
    (2, "明确分管领导和联络员，建立本系统预防性侵害未成年人工作机制，按时报送工作进展。", "",
     "查阅文件、报送记录", None, "", "20", "rated"),
    (3, "开展预防性侵害未成年人宣传教育活动不少于4次。", "", "活动记录、照片等佐证材料", "4", "次", "20", "proportional"),
    (4, "配合做好全市重点家庭关爱走访，重点家庭按期走访率达到90%以上。", "families_visited_on_time",
     "", "90", "%", "15", "proportional"),
    (5, "督促本系统密切接触未成年人的单位落实强制报告制度，发现侵害线索立即向公安机关报告。", "",
     "抽查、通报情况", None, "", "20", "rated"),
]  # fmt: skip
# The education bureau answers for schools: its fifth target is measured by the platform.
EDUCATION_TARGET_5 = (5, "督促学校、幼儿园落实强制报告制度，发现侵害线索24小时内向公安机关报告。",
                      "mandatory_reports_within_24h", "", "100", "%", "20", "proportional")  # fmt: skip
UNIT_HEADS = {
    "市人民检察院": ("周建国", "检察长"), "市中级人民法院": ("吴立新", "院长"), "市公安局": ("孙伟", "副局长"),
    "市教育体育局": ("钱芳", "局长"), "市民政局": ("郑明", "局长"), "市司法局": ("冯涛", "局长"),
    "市卫生健康委": ("何静", "主任"), "市人力资源社会保障局": ("许军", "局长"), "团市委": ("高洁", "书记"),
}  # fmt: skip
# What each unit reported for the first half (target 3: activities held), and a word on target 2.
HALF_YEAR_ACTIVITIES = {
    "市人民检察院": 3, "市中级人民法院": 2, "市公安局": 4, "市教育体育局": 6, "市民政局": 2,
    "市卫生健康委": 1, "市人力资源社会保障局": 2, "团市委": 5,
}  # fmt: skip
LATE_UNIT = "市司法局"  # the one unit whose half-year return is overdue


def _targets(unit_name: str) -> list[dict[str, Any]]:
    rows = [EDUCATION_TARGET_5 if unit_name == "市教育体育局" and t[0] == 5 else t for t in TARGETS]
    return [
        {"number": n, "text": text, "indicator": code, "measure": measure, "target_value": value,
         "value_unit": unit, "weight": weight, "scoring": scoring}
        for n, text, code, measure, value, unit, weight, scoring in rows
    ]  # fmt: skip


def demo_dates(today: dt.date) -> dict[str, dt.date]:
    """The year's dates as the seed has them (the meeting on 20 May, the half-year return due 15 July…)
    once the year is far enough on; earlier in the year the same sequence squeezed into the days
    gone by, so a demo loaded in March still has a meeting held, a return overdue and a task late."""
    year = today.year
    fixed = {
        "meeting": dt.date(year, 5, 20), "half_end": dt.date(year, 6, 30), "half_due": dt.date(year, 7, 15),
        "training_due": dt.date(year, 9, 30), "campaign_due": dt.date(year, 11, 15),
    }  # fmt: skip
    if today > dt.date(year, 11, 20):
        return fixed
    start, span = dt.date(year, 1, 1), max((today - dt.date(year, 1, 1)).days, 1)
    return {
        "meeting": start + dt.timedelta(days=span // 10), "half_end": start + dt.timedelta(days=span * 5 // 10),
        "half_due": start + dt.timedelta(days=span * 6 // 10), "training_due": start + dt.timedelta(days=span * 8 // 10),
        "campaign_due": start + dt.timedelta(days=span * 9 // 10),
    }  # fmt: skip


def load_meetings(body: dict[str, Any], today: dt.date) -> None:
    from fulian.jointmeeting import services as jm
    from fulian.jointmeeting.models import Meeting, MeetingKind, Task

    if Meeting.objects.exists():
        return
    secretary, units, liaisons = body["secretary"], body["units"], body["liaisons"]
    year = today.year
    dates = demo_dates(today)
    at = dt.time(9, 0) if dates["meeting"] < today else dt.time(0, 0)  # never later than now
    held = dt.datetime.combine(dates["meeting"], at, tzinfo=timezone.get_current_timezone())
    meeting = jm.meeting_create(
        actor=secretary, kind=MeetingKind.TASK, held_at=held, place="市行政中心 3 楼会议室",
        title=f"{year}年市维护妇女儿童合法权益联席会议暨预防性侵未成年人工作任务布置会", chaired_by="陈志刚（联席会议副主任）",
        agenda="一、市妇联主席作妇女儿童维权工作报告\n二、传达全国妇联预防性侵害未成年人工作机制通知精神\n"
               "三、签订目标管理责任书\n四、布置年度工作任务",
    )  # fmt: skip
    rows = [(unit, "present", "") for name, unit in units.items() if name != "市人力资源社会保障局"]
    rows.append((units["市人力资源社会保障局"], "leave", ""))
    jm.meeting_set_attendance(actor=secretary, meeting=meeting, version=meeting.version, rows=rows)
    meeting.refresh_from_db()
    reports = jm.decision_add(actor=secretary, meeting=meeting,
                              text="各成员单位组织本系统开展强制报告制度培训，9月底前完成。")  # fmt: skip
    sites = jm.decision_add(actor=secretary, meeting=meeting, text="建成一站式询问救助场所，年内投入使用。")
    school = jm.decision_add(
        actor=secretary, meeting=meeting, text="开展“防性侵教育进校园”活动，11月中旬前覆盖全市中小学。"
    )
    meeting.refresh_from_db()
    meeting.minutes = (
        "会议听取了市妇联关于全市妇女儿童维权工作的报告，传达了全国妇联和省联席会议精神，九家成员单位签订了目标管理责任书。"
        "会议议定三项工作，由联席会议办公室交办督办。"
    )
    jm.meeting_update(
        actor=secretary, meeting=meeting, version=meeting.version, kind=meeting.kind, title=meeting.title,
        held_at=meeting.held_at, place=meeting.place, chaired_by=meeting.chaired_by, agenda=meeting.agenda,
        minutes=meeting.minutes,
    )  # fmt: skip
    meeting.refresh_from_db()
    jm.meeting_mark_held(actor=secretary, meeting=meeting, version=meeting.version)
    meeting.refresh_from_db()
    training = jm.task_assign(
        actor=secretary, decision=reports, title="组织本系统强制报告制度培训",
        units=[units["市教育体育局"], units["市卫生健康委"], units["市民政局"]], due_on=dates["training_due"],
        detail="培训覆盖学校、幼儿园、医疗机构、儿童福利机构的负责人和一线人员，报送培训记录。",
    )  # fmt: skip
    jm.task_assign(
        actor=secretary, decision=sites, title="建成一站式询问救助场所并投入使用",
        units=[units["市公安局"], units["市人民检察院"]], due_on=dt.date(year, 12, 31),
    )  # fmt: skip
    campaign = jm.task_assign(
        actor=secretary, decision=school, title="“防性侵教育进校园”活动", units=[units["市教育体育局"], units["团市委"]],
        due_on=dates["campaign_due"],
    )  # fmt: skip
    jm.meeting_finalise(actor=secretary, meeting=Meeting.objects.get(pk=meeting.pk),
                        version=Meeting.objects.get(pk=meeting.pk).version)  # fmt: skip
    by_unit = {t.unit.organisation.name: t for t in training}
    jm.task_report_progress(actor=liaisons["市教育体育局"], task=by_unit["市教育体育局"], completed=True,
                            text="已举办全市中小学、幼儿园校长和班主任培训 6 场，覆盖 1,200 余人。")  # fmt: skip
    done = Task.objects.get(pk=by_unit["市教育体育局"].pk)
    jm.task_close(actor=secretary, task=done, version=done.version, note="培训记录已核实。")
    jm.task_report_progress(actor=liaisons["市民政局"], task=by_unit["市民政局"],
                            text="已完成儿童福利机构培训，乡镇儿童督导员培训安排在 10 月。")  # fmt: skip
    # 市卫生健康委 has reported nothing: past its deadline, its task is raised to the secretariat.
    police_site = Task.objects.get(decision=sites, unit=units["市公安局"])
    jm.task_report_progress(actor=liaisons["市公安局"], task=police_site,
                            text="场所选址已定（市公安局执法办案中心），正在装修，预计 12 月中旬投入使用。")  # fmt: skip
    youth = next(t for t in campaign if t.unit.organisation.name == "团市委")
    jm.task_report_progress(actor=liaisons["团市委"], task=youth, completed=True,
                            text="联合学校开展自护教育课 40 场，青年志愿者参与 300 人次。")  # fmt: skip
    jm.escalate_overdue_tasks(today=today)


def load_letters(body: dict[str, Any], today: dt.date) -> Any:
    from fulian.targets import services as ts
    from fulian.targets.models import Letter, Rating, ReturnLine, TargetYear

    year_number = today.year
    if TargetYear.objects.filter(year=year_number).exists():
        return TargetYear.objects.get(year=year_number)
    secretary, units, liaisons = body["secretary"], body["units"], body["liaisons"]
    year = ts.year_create(actor=secretary, year=year_number, title=LETTER_TITLE)
    letters = ts.letters_create_missing(actor=secretary, year=year)
    dates = demo_dates(today)
    signed_on = dates["meeting"]
    for letter in letters:
        name = letter.unit.organisation.name
        head, head_title = UNIT_HEADS[name]
        ts.letter_save(
            actor=secretary, letter=letter, expected_version=letter.version, preamble=PREAMBLE, closing=CLOSING,
            targets=_targets(name),
            signatories=[
                {"side": "issuer", "name": "王丽华", "title": "联席会议主任、市妇联主席", "order": 1},
                {"side": "issuer", "name": "陈志刚", "title": "联席会议副主任、市委政法委副书记", "order": 2},
                {"side": "unit", "name": head, "title": f"{name}{head_title}", "order": 1},
            ],
        )  # fmt: skip
        letter = Letter.objects.get(pk=letter.pk)
        ts.letter_sign(actor=secretary, letter=letter, signed_on=signed_on, expected_version=letter.version)
    half = ts.round_create(actor=secretary, year=year, title="上半年", period_end=dates["half_end"],
                           due_on=dates["half_due"], remind_days=5)  # fmt: skip
    whole = ts.round_create(actor=secretary, year=year, title="全年", period_end=dt.date(year_number, 12, 31),
                            due_on=dt.date(year_number + 1, 1, 15), remind_days=10)  # fmt: skip
    for letter in Letter.objects.filter(year=year).select_related("unit__organisation"):
        name = letter.unit.organisation.name
        if name == LATE_UNIT:
            continue
        liaison = liaisons[name]
        record = ts.return_open(actor=liaison, round=half, letter=letter)
        lines = {}
        for line in ReturnLine.objects.filter(return_record=record).select_related("target"):
            number = line.target.number
            if number == 3:
                lines[line.target_id] = {"value_reached": HALF_YEAR_ACTIVITIES[name],
                                         "explanation": "开展进社区、进校园宣传活动，佐证材料见附件。"}  # fmt: skip
            elif not line.target.indicator:
                lines[line.target_id] = {"value_reached": None, "explanation": "已按要求落实，详见工作总结。"}
        record = ts.return_save(actor=liaison, return_record=record, expected_version=record.version, lines=lines)
        record.refresh_from_db()
        ts.return_submit(actor=liaison, return_record=record, expected_version=record.version)
    # The full-year return is begun by two units (drafts).
    for name in ("市公安局", "市教育体育局"):
        ts.return_open(actor=liaisons[name], round=whole, letter=Letter.objects.get(year=year, unit=units[name]))
    ts.remind_returns(today=today)
    # The assessment so far: the platform's figures, then the secretariat's ratings.
    ts.score_computed_targets(actor=secretary, year=year)
    partly = {"市中级人民法院", "市人力资源社会保障局"}
    for letter in Letter.objects.filter(year=year).select_related("unit__organisation"):
        name = letter.unit.organisation.name
        for target in letter.targets.all().order_by("number"):
            if hasattr(target, "score"):
                continue
            if target.scoring == "rated" and target.number == 2 and name in partly:
                ts.score_target(actor=secretary, target=target, rating=Rating.PARTLY, points=Decimal("14"),
                                note="联络员调整后未及时报备，半年报送延迟。")  # fmt: skip
            elif target.scoring == "rated" and name == LATE_UNIT:
                ts.score_target(actor=secretary, target=target, rating=Rating.PARTLY, points=Decimal("10"),
                                note="半年进展逾期未报送。")  # fmt: skip
            elif target.scoring == "rated":
                ts.score_target(actor=secretary, target=target, rating=Rating.REACHED)
            elif target.indicator:
                # Nothing to measure (no referral reached this unit): rated as reached, with the reason.
                ts.score_target(actor=secretary, target=target, rating=Rating.REACHED,
                                note="本年度平台无可计数据，按达到评定。")  # fmt: skip
            elif name == LATE_UNIT:
                ts.score_target(actor=secretary, target=target, rating=Rating.NOT_REACHED,
                                note="半年进展逾期未报送，无完成值。")  # fmt: skip
            else:
                ts.score_target(actor=secretary, target=target)
    return year


def load_referrals(body: dict[str, Any], organisations: dict[str, Organisation], today: dt.date) -> None:
    """Referrals from 陈晓梅's case to three more units, two answered: the units' referral figures."""
    from fulian.cases import services as cases
    from fulian.cases.models import Case, Referral

    if Referral.objects.filter(organisation=organisations["市司法局"]).exists():
        return
    case = Case.objects.filter(organisation=organisations["铜官区妇联"]).order_by("pk").first()
    if case is None:
        return
    worker = get_user_model().objects.get(username="caseworker")
    requests = {
        "市司法局": "请为求助人指派法律援助律师，代理人身安全保护令申请和离婚诉讼。",
        "市民政局": "求助人暂无安全住所，请协助安排临时庇护和临时救助。",
        "市卫生健康委": "请安排伤情检查并转介心理健康评估。",
    }
    for name, request in requests.items():
        cases.consent_record(actor=worker, case=case, purpose="share", member_unit=organisations[name])
        referral = cases.referral_send(
            actor=worker, case=case, member_unit=organisations[name], request=request,
            shared_details="求助人陈女士，遭受家庭暴力，暂住娘家。", deadline=today + dt.timedelta(days=5),
        )  # fmt: skip
        if name != "市卫生健康委":
            cases.referral_accept(actor=body["liaisons"][name], referral=referral, version=referral.version)
        case.refresh_from_db()


def load_joint_meeting(organisations: dict[str, Organisation]) -> None:
    body = load_body(organisations)
    today = timezone.localdate()
    load_referrals(body, organisations, today)
    load_meetings(body, today)
    load_letters(body, today)
    from fulian.chairreport.models import ChairReport
    from fulian.chairreport.services import report_create

    if not ChairReport.objects.filter(year=today.year).exists():
        report_create(actor=body["secretary"], year=today.year, speaker="市妇联主席 王丽华")
