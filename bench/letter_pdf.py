"""Speed of a letter's PDF (目标管理责任书 in the official layout, fonts embedded).

    uv run python bench/letter_pdf.py [--cold 5] [--runs 10]

Target (issue: target-responsibility letters): the PDF of a letter ≤ 2 s.

The letter has 12 targets (each about 60 characters, with its measure, target value and weight), a
preamble of about 1,500 characters in eleven paragraphs with a heading, a closing of about 600
characters, and two signatories a side. The schema and the letter are made once (SQLite, production
settings); then:

- cold: `letter_pdf(letter)` as the first call in a fresh process, which includes reading and
  parsing the three vendored fonts (19.4 MB) — `--cold` fresh processes, one call each;
- warm: the median and p95 of `--runs` further calls in the last of those processes;
- fonts: `register_fonts()` alone in a fresh process, and the resident memory it adds;
- view: the download view (access check, PDF, audit record) called `--runs` times in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import percentiles, run_children

SCRIPT = str(Path(__file__).resolve())
PREAMBLE_PARAGRAPH = (
    "为深入贯彻落实《中华人民共和国未成年人保护法》《中华人民共和国妇女权益保障法》和《中华人民共和国反家庭暴力法》，"
    "进一步预防性侵害未成年人违法犯罪，切实维护女童人身权益，各成员单位要坚持最有利于未成年人原则，"
    "健全强制报告、一站式询问救助、信息通报等工作机制。"
)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def setup() -> dict[str, Any]:
    import datetime as dt
    from decimal import Decimal

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from harness import staff_user

    from fulian.jointmeeting.models import MemberRole, MemberUnit
    from fulian.orgs.models import OrganisationKind as K
    from fulian.orgs.services import organisation_create
    from fulian.targets.models import Letter, LetterStatus, Signatory, SignatorySide, Target, TargetYear

    city = organisation_create(name="铜陵市妇联", kind=K.CITY, division_code="340700")
    police = organisation_create(name="市公安局", kind=K.MEMBER_UNIT)
    MemberUnit.objects.create(organisation=city, role=MemberRole.SECRETARIAT, signs_letter=False, order=0)
    unit = MemberUnit.objects.create(organisation=police, order=1)
    staff_user("bench_secretary", city, "secretariat")
    year = TargetYear.objects.create(year=2026, title="铜陵市预防性侵未成年人、维护女童人身权益工作目标管理责任书")
    preamble = "\n".join([PREAMBLE_PARAGRAPH] * 5 + ["一、工作原则"] + [PREAMBLE_PARAGRAPH] * 5)
    letter = Letter.objects.create(
        organisation=police, unit=unit, year=year, preamble=preamble, closing="\n".join([PREAMBLE_PARAGRAPH] * 4),
        status=LetterStatus.SIGNED, signed_on=dt.date(2026, 5, 20),
    )  # fmt: skip
    for n in range(1, 13):
        Target.objects.create(
            letter=letter, number=n, measure="查阅工作台账、现场抽查、座谈了解",
            text=f"第{n}项：会同教育部门开展预防性侵害未成年人宣传教育进校园活动，覆盖全市中小学校和幼儿园，建立工作台账并按季度报送。",
            target_value=Decimal("95"), value_unit="%", weight=Decimal("100") / 12 if n < 12 else Decimal("8.37"),
        )  # fmt: skip
    for side, rows in ((SignatorySide.JOINT_MEETING, [("张某某", "联席会议主任"), ("李某某", "联席会议副主任")]),
                       (SignatorySide.UNIT, [("王某某", "局长"), ("赵某某", "副局长")])):  # fmt: skip
        for order, (name, title) in enumerate(rows):
            Signatory.objects.create(letter=letter, side=side, name=name, title=title, order=order)
    return {"phase": "setup", "letter": letter.pk, "preamble_chars": len(preamble)}


def cold(runs: int) -> dict[str, Any]:
    import django

    django.setup()
    from fulian.targets import documents
    from fulian.targets.models import Letter

    letter = Letter.objects.select_related("year", "unit__organisation").get()
    before = rss_mb()
    started = time.perf_counter()
    body = documents.letter_pdf(letter)
    first = time.perf_counter() - started
    after = rss_mb()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        documents.letter_pdf(letter)
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "phase": "cold",
        "cold_ms": round(first * 1000, 1),
        "warm": percentiles(samples, 1),
        "warm_mean_ms": round(statistics.mean(samples), 1),
        "rss_before_mb": round(before, 1),
        "rss_after_first_mb": round(after, 1),
        "pdf_bytes": len(body),
        "pages": body.count(b"/Type /Page\n"),
    }


def fonts() -> dict[str, Any]:
    import django

    django.setup()
    from fulian.lib import officedoc

    before = rss_mb()
    started = time.perf_counter()
    officedoc.register_fonts()
    elapsed = time.perf_counter() - started
    return {"phase": "fonts", "register_ms": round(elapsed * 1000, 1), "rss_added_mb": round(rss_mb() - before, 1)}


def view(runs: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from fulian.targets.document_views import letter_pdf_view
    from fulian.targets.models import Letter

    user = get_user_model().objects.get(username="bench_secretary")
    pk = Letter.objects.get().pk
    factory = RequestFactory()
    samples = []
    for n in range(runs + 1):
        request = factory.get(f"/admin/targets/letters/{pk}/pdf/")
        request.user = get_user_model().objects.get(pk=user.pk)
        started = time.perf_counter()
        response = letter_pdf_view(request, pk)
        assert response.status_code == 200
        if n:  # the first call loads the fonts (measured as "cold")
            samples.append((time.perf_counter() - started) * 1000)
    return {"phase": "view", **percentiles(samples, 1)}


def child(phase: str, runs: int) -> None:
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    result = {"setup": lambda: setup(), "cold": lambda: cold(runs), "fonts": fonts, "view": lambda: view(runs)}[phase]()
    print(json.dumps(result, ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child")
    parser.add_argument("--phase", default="")
    parser.add_argument("--cold", type=int, default=5)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if args.child:
        child(args.phase, args.runs)
        return
    data_dir = tempfile.mkdtemp(prefix="fulian-letter-pdf-")

    def run(phase: str) -> dict[str, Any]:
        return run_children(SCRIPT, "letter-pdf", "sqlite", ["--phase", phase, "--runs", str(args.runs)], data_dir)[0]

    run("setup")
    colds = [run("cold") for _ in range(args.cold)]
    font_runs = [run("fonts") for _ in range(3)]
    summary = {
        "cold_ms": [c["cold_ms"] for c in colds],
        "cold_median_ms": statistics.median(c["cold_ms"] for c in colds),
        "warm_p50_ms": colds[-1]["warm"]["p50_ms"],
        "warm_p95_ms": colds[-1]["warm"]["p95_ms"],
        "register_fonts_ms": [f["register_ms"] for f in font_runs],
        "fonts_rss_added_mb": [f["rss_added_mb"] for f in font_runs],
        "view": run("view"),
        "pdf_bytes": colds[-1]["pdf_bytes"],
        "pages": colds[-1]["pages"],
        "target_met": max(c["cold_ms"] for c in colds) <= 2000,
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    out = Path(SCRIPT).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "letter_pdf.json").write_text(json.dumps({"runs": colds, "summary": summary}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
