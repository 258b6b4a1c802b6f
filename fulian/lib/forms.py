"""Putting a service's ValidationError on the form that called it, and running a form's service
once however often it is sent."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from fulian.lib.once import claim, release


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Field errors go beside their field when the form has it, the rest above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class Sent(enum.Enum):
    DONE = "done"  # the service ran; its result is returned beside
    DUPLICATE = "duplicate"  # the form's once-token was used already: nothing ran
    REFUSED = "refused"  # the service refused: its errors are on the form, the token is free again


def submit_once(
    user: Any, form: forms.Form, run: Callable[[dict[str, Any]], Any], *, denied: str = ""
) -> tuple[Sent, Any]:
    """For a valid form: claim its once-token (the `once` field, if any) and run the service with
    the rest of the cleaned data. A refusal frees the token so the corrected form can be sent;
    with `denied`, a PermissionDenied becomes that message on the form instead of a refusal page."""
    data = dict(form.cleaned_data)
    token = data.pop("once", None)
    if not claim(user, token):
        return Sent.DUPLICATE, None
    try:
        return Sent.DONE, run(data)
    except ValidationError as error:
        release(user, token)
        add_service_errors(form, error)
    except PermissionDenied:
        release(user, token)
        if not denied:
            raise
        form.add_error(None, denied)
    return Sent.REFUSED, None
