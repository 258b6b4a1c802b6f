"""The one write path for the hotline: contacts, counselling, caller flags, ringing calls, online requests."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.services import audit_record
from fulian.hotline.models import (
    EMPTY_CALL_TYPES,
    CallCentreSystem,
    CallerFlag,
    Category,
    Channel,
    Contact,
    CounsellingRecord,
    OnlineRequest,
    RequestStatus,
    Ring,
)
from fulian.orgs.models import Organisation
from fulian.security.access import EditConflict, can, may, organisation_of, visible
from fulian.security.blind import blind_index
from fulian.security.identity import clean_phone, normalise_phone

ENCRYPTED = ("caller_name", "caller_phone", "affected_name", "narrative", "advice")
PLAIN = (
    "channel", "received_at", "call_type", "caller_sex", "caller_age_band", "caller_education", "caller_district",
    "affected_is_caller", "affected_sex", "affected_age_band", "category", "subcategory", "risk_domestic_violence",
    "risk_minor", "risk_sexual_abuse", "risk_self_harm", "risk_immediate_danger", "outcome", "satisfaction",
)  # fmt: skip
# A clock a few minutes fast on an operator's PC is not "the future".
CLOCK_SKEW = dt.timedelta(minutes=5)
RING_LIFETIME = dt.timedelta(minutes=30)


def _in_scope(actor: Any, organisation: Organisation) -> None:
    home = organisation_of(actor)
    if home is None or not organisation.is_within(home):
        raise PermissionDenied


def _clean_contact(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    received = data.get("received_at")
    if received is not None and received > timezone.now() + CLOCK_SKEW:
        errors["received_at"] = _("受理时间不能晚于现在。")
    phone = data.get("caller_phone")
    if phone:
        try:
            data["caller_phone"] = clean_phone(phone)
        except ValidationError as error:
            errors["caller_phone"] = error.messages[0]
    category, subcategory = data.get("category"), data.get("subcategory")
    if category is not None and category.parent_id is not None:
        errors["category"] = _("请选择一级分类。")
    if subcategory is not None and (category is None or subcategory.parent_id != category.pk):
        errors["subcategory"] = _("细分类不属于所选的问题分类。")
    if data.get("affected_is_caller"):
        data["affected_name"] = ""
    call_type = data.get("call_type")
    if call_type not in EMPTY_CALL_TYPES and "narrative" in data and not str(data.get("narrative") or "").strip():
        errors["narrative"] = _("请简要记录来电内容。")
    if errors:
        raise ValidationError(errors)
    for name in ENCRYPTED:
        if name in data and data[name] is not None:
            data[name] = str(data[name]).strip()
    return data


@transaction.atomic
def contact_record(
    *, actor: Any, organisation: Organisation, submission: uuid.UUID | None = None, **data: Any
) -> Contact:
    """Record a contact. A repeated submission (double click, resent form) returns the first one."""
    if submission is not None:
        existing = Contact.objects.filter(submission=submission).first()
        if existing is not None:
            return existing
    if actor is not None:
        if not may(actor, "create", Contact):
            raise PermissionDenied
        _in_scope(actor, organisation)
    data = _clean_contact(dict(data))
    data.setdefault("received_at", timezone.now())
    contact = Contact(organisation=organisation, operator=actor, submission=submission, **data)
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:
        # The same submission saved by a concurrent request a moment ago.
        existing = Contact.objects.filter(submission=submission).first()
        if existing is None:
            raise
        return existing
    audit_record(
        action="contact.create",
        actor=actor,
        target=contact,
        detail={"channel": contact.channel, "call_type": contact.call_type, "risks": len(contact.risks)},
    )
    return contact


@transaction.atomic
def contact_update(*, actor: Any, contact: Contact, version: int, **data: Any) -> Contact:
    if actor is not None and not can(actor, "edit", contact):
        raise PermissionDenied
    data = _clean_contact(dict(data))
    changed = [k for k, v in data.items() if getattr(contact, k) != v]
    if not changed:
        return contact
    if not Contact.objects.filter(pk=contact.pk, version=version).update(version=F("version") + 1):
        raise EditConflict(_("此记录已被他人修改，请刷新后重新编辑。"))
    before = {k: getattr(contact, k) for k in changed}
    for key, value in data.items():
        setattr(contact, key, value)
    contact.version = version + 1
    contact.save()
    audit_record(
        action="contact.change",
        actor=actor,
        target=contact,
        detail={"changed": {k: "changed" if k in ENCRYPTED else [str(before[k]), str(data[k])] for k in changed}},
    )
    return contact


def caller_history(actor: Any, phone: str, *, limit: int = 10) -> tuple[list[Contact], int, list[CallerFlag]]:
    """Earlier contacts from this number that the user may see (newest first), their count, and active flags."""
    digits = normalise_phone(phone or "")
    if not 7 <= len(digits) <= 12:
        return [], 0, []
    index = blind_index("phone", digits)
    contacts = visible(actor, Contact).filter(caller_phone_index=index)
    recent = list(contacts.select_related("category").order_by("-received_at")[:limit])
    total = len(recent) if len(recent) < limit else contacts.count()
    flags = list(visible(actor, CallerFlag).filter(phone_index=index, active=True).order_by("-created_at")[:5])
    return recent, total, flags


@transaction.atomic
def caller_flag(*, actor: Any, organisation: Organisation, phone: str, kind: str, note: str = "") -> CallerFlag:
    if actor is not None:
        if not may(actor, "create", CallerFlag):
            raise PermissionDenied
        _in_scope(actor, organisation)
    digits = clean_phone(phone)
    flag = CallerFlag.objects.create(
        organisation=organisation,
        phone_index=blind_index("phone", digits),
        kind=kind,
        note=note.strip(),
        created_by=actor,
    )
    audit_record(action="callerflag.create", actor=actor, target=flag, detail={"kind": kind})
    return flag


@transaction.atomic
def caller_unflag(*, actor: Any, flag: CallerFlag) -> None:
    if actor is not None and not can(actor, "edit", flag):
        raise PermissionDenied
    CallerFlag.objects.filter(pk=flag.pk).update(active=False)
    audit_record(action="callerflag.end", actor=actor, target=flag)


@transaction.atomic
def counselling_save(*, actor: Any, contact: Contact, version: int | None = None, **data: Any) -> CounsellingRecord:
    """Create or change the counselling record of a contact (counsellors only, by role)."""
    record = CounsellingRecord.objects.filter(contact=contact).first()
    if record is None:
        if actor is not None and not may(actor, "create", CounsellingRecord):
            raise PermissionDenied
        if not str(data.get("presenting_problem") or "").strip():
            raise ValidationError({"presenting_problem": _("请填写主诉问题。")})
        record = CounsellingRecord.objects.create(
            organisation=contact.organisation, contact=contact, counsellor=actor, **data
        )
        audit_record(action="counselling.create", actor=actor, target=record, detail={"risk": record.risk_level})
        return record
    if actor is not None and not can(actor, "edit", record):
        raise PermissionDenied
    if not CounsellingRecord.objects.filter(pk=record.pk, version=version or 0).update(version=F("version") + 1):
        raise EditConflict(_("此记录已被他人修改，请刷新后重新编辑。"))
    for key, value in data.items():
        if value not in (None, "") or key in ("follow_up_on",):
            setattr(record, key, value)
    record.version = (version or 0) + 1
    record.save()
    audit_record(action="counselling.change", actor=actor, target=record, detail={"fields": sorted(data)})
    return record


# --- 来电弹屏: the call centre announces a ringing call -------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def call_centre_create(*, actor: Any, name: str, organisation: Organisation) -> tuple[CallCentreSystem, str]:
    """Register a call-centre system; the token is returned once and only its hash is kept."""
    token = "fl_" + secrets.token_urlsafe(32)
    system = CallCentreSystem.objects.create(
        name=name, organisation=organisation, token_hash=_token_hash(token), token_prefix=token[:8]
    )
    audit_record(action="callcentre.create", actor=actor, target=system)
    return system, token


def call_centre_for_token(token: str) -> CallCentreSystem | None:
    if not token or len(token) > 200:
        return None
    system = CallCentreSystem.objects.filter(token_hash=_token_hash(token), active=True).first()
    if system is not None:
        CallCentreSystem.objects.filter(pk=system.pk).update(last_used_at=timezone.now())
    return system


@transaction.atomic
def ring_announce(*, system: CallCentreSystem, phone: str, operator: Any) -> Ring:
    """A call rings at `operator`'s desk: remember the number under a random key for the intake screen."""
    digits = clean_phone(phone)
    home = organisation_of(operator)
    if home is None or not home.is_within(system.organisation) or not may(operator, "create", Contact):
        raise ValidationError(_("该接线员不属于这个呼叫中心所在的组织。"), code="operator")
    ring = Ring.objects.create(
        key=secrets.token_urlsafe(32),
        system=system,
        operator=operator,
        phone=digits,
        phone_index=blind_index("phone", digits),
    )
    audit_record(action="ring.announce", actor=None, target=ring, detail={"system": system.pk, "operator": operator.pk})
    return ring


def ring_for_user(user: Any, key: str) -> Ring | None:
    """The ringing call for this operator, if recent; anyone else gets nothing."""
    if not key or len(key) > 64:
        return None
    return Ring.objects.filter(key=key, operator=user, created_at__gte=timezone.now() - RING_LIFETIME).first()


def rings_prune() -> int:
    deleted, _ = Ring.objects.filter(created_at__lt=timezone.now() - RING_LIFETIME).delete()
    return deleted


# --- 在线维权: requests from the portal --------------------------------------------------------------


def _tracking_number() -> str:
    # Date for the person's orientation; ten random digits make guessing pointless (and lookups
    # also need the phone's last four digits and are rate-limited).
    return f"WQ{timezone.localdate():%Y%m%d}{secrets.randbelow(10**10):010d}"


def online_intake_organisation(district: Organisation | None) -> Organisation:
    """Which office's queue a request lands in: the chosen county's federation, else the city's."""
    if district is not None and district.kind == "county" and district.active:
        return district
    city = Organisation.objects.filter(kind="city", active=True).order_by("pk").first()
    if city is None:
        raise ValidationError(_("系统尚未设置受理单位，请拨打 12338。"))
    return city


@transaction.atomic
def online_request_submit(
    *,
    narrative: str,
    phone: str,
    name: str = "",
    category: Category | None = None,
    district: Organisation | None = None,
    preferred_time: str = "any",
    consent_to_contact: bool,
) -> OnlineRequest:
    if not consent_to_contact:
        raise ValidationError({"consent_to_contact": _("需要您同意我们与您联系，才能办理。")})
    contact = contact_record(
        actor=None,
        organisation=online_intake_organisation(district),
        channel=Channel.ONLINE,
        call_type="complaint",
        caller_name=name,
        caller_phone=phone,
        caller_district=district,
        category=category,
        narrative=narrative,
        outcome="callback",
    )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                request = OnlineRequest.objects.create(
                    tracking_number=_tracking_number(),
                    contact=contact,
                    preferred_time=preferred_time,
                    consent_to_contact=True,
                )
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - ten random digits colliding five times
        raise RuntimeError("no free tracking number")
    audit_record(action="online_request.create", actor=None, target=request, detail={"contact": contact.pk})
    return request


def online_request_lookup(tracking_number: str, last_four: str) -> OnlineRequest | None:
    """The request, if the number exists and the phone's last four digits match; None otherwise."""
    tracking_number = (tracking_number or "").strip().upper()
    if not tracking_number or len(tracking_number) > 20 or not last_four.isdigit() or len(last_four) != 4:
        return None
    request = OnlineRequest.objects.select_related("contact").filter(tracking_number=tracking_number).first()
    if request is None:
        return None
    if not hmac.compare_digest(request.contact.caller_phone[-4:], last_four):
        return None
    return request


@transaction.atomic
def online_request_reply(*, actor: Any, request: OnlineRequest, reply: str, status: str) -> OnlineRequest:
    if actor is not None and not can(actor, "edit", request.contact):
        raise PermissionDenied
    reply = reply.strip()
    if not reply:
        raise ValidationError({"reply": _("请填写答复内容。")})
    if status not in (RequestStatus.IN_PROGRESS, RequestStatus.REPLIED, RequestStatus.CLOSED):
        raise ValidationError({"status": _("状态无效。")})
    request.public_reply, request.status = reply, status
    request.replied_at, request.replied_by = timezone.now(), actor
    request.save(update_fields=["public_reply", "status", "replied_at", "replied_by"])
    audit_record(action="online_request.reply", actor=actor, target=request.contact, detail={"status": status})
    return request


def queue(actor: Any) -> QuerySet[Contact]:
    """Contacts waiting for someone: online requests not answered yet and calls to call back.

    Listed by time and channel only: the personal fields are left unread (and undecrypted)."""
    return (
        visible(actor, Contact)
        .filter(outcome="callback", case__isnull=True)
        .defer("narrative", "advice", "caller_name", "caller_phone", "affected_name")
        .select_related("online_request", "category", "organisation")
        .order_by("received_at")
    )
