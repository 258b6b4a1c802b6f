"""Checking the chain: any edited, inserted or deleted row is found and named."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from fulian.audit.chain import chain_hash, row_values
from fulian.audit.models import AuditEvent, AuditHead


@dataclass(frozen=True)
class Problem:
    seq: int
    row_id: int | None
    message: str


@dataclass(frozen=True)
class Verdict:
    checked: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows(batch: int) -> Iterator[AuditEvent]:
    last = -1
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify_chain(*, batch: int = 5000, stop_after: int = 20) -> Verdict:
    head = AuditHead.objects.filter(pk=1).first()
    expected_seq = (head.pruned_through_seq if head else 0) + 1
    prev_hash = head.pruned_through_hash if head else "0" * 64
    problems: list[Problem] = []
    checked = 0
    for event in _rows(batch):
        checked += 1
        if event.seq != expected_seq:
            problems.append(
                Problem(
                    event.seq,
                    event.pk,
                    _("第 %(a)d 至 %(b)d 条缺失（被删除）。") % {"a": expected_seq, "b": event.seq - 1},
                )
            )
        if event.prev_hash != prev_hash:
            problems.append(
                Problem(
                    event.seq,
                    event.pk,
                    _("第 %(n)d 条与前一条的链接不符（前面有记录被插入、删除或修改）。") % {"n": event.seq},
                )
            )
        if chain_hash(event.prev_hash, row_values(event)) != event.hash:
            problems.append(Problem(event.seq, event.pk, _("第 %(n)d 条的内容被修改。") % {"n": event.seq}))
        if len(problems) >= stop_after:
            return Verdict(checked, problems)
        prev_hash, expected_seq = event.hash, event.seq + 1
    if head and (head.seq != expected_seq - 1 or head.hash != prev_hash):
        problems.append(
            Problem(
                head.seq,
                None,
                _("链尾应为第 %(n)d 条，但最后的记录是第 %(m)d 条（末尾的记录被删除或插入）。")
                % {"n": head.seq, "m": expected_seq - 1},
            )
        )
    return Verdict(checked, problems)
