from __future__ import annotations

from typing import Any

from django import template
from django.contrib.contenttypes.models import ContentType
from django.db import models

from fulian.files.inspect import ALLOWED
from fulian.files.services import attachments_of

register = template.Library()


@register.inclusion_tag("files/panel.html", takes_context=True)
def attachment_panel(context: Any, record: models.Model, can_edit: bool = False) -> dict[str, Any]:
    return {
        "attachments": list(attachments_of(record)),
        "record": record,
        "content_type_id": ContentType.objects.get_for_model(record).pk,
        "can_edit": can_edit,
        "allowed": ALLOWED,
        "next": context["request"].get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
