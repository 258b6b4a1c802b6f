"""The strictest handling in the platform: cases in the minor-protection category.

A child's name (and every personal field of the people around the child, who identify it just as
well) is shown only on the case page, and there only to the case's own caseworker and to
supervisors whose scope holds the case; a member unit's liaison sees the child's name on a
referral the unit has accepted. Lists, exports and every other screen show it hidden.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.security.access import can

MINOR_PROTECTION = "未成年人保护"
HIDDEN = _("（已隐藏）")


def restricted_category_ids() -> set[int]:
    """The minor-protection category and its subcategories (one query, per request)."""
    from fulian.hotline.models import Category

    return set(
        Category.objects.filter(
            Q(parent=None, name=MINOR_PROTECTION) | Q(parent__parent=None, parent__name=MINOR_PROTECTION)
        ).values_list("pk", flat=True)
    )


def is_restricted(case: Any, ids: set[int] | None = None) -> bool:
    ids = restricted_category_ids() if ids is None else ids
    return case.category_id in ids or case.subcategory_id in ids


def restricted_q(ids: set[int] | None = None, prefix: str = "") -> Q:
    ids = restricted_category_ids() if ids is None else ids
    return Q(**{f"{prefix}category__in": ids}) | Q(**{f"{prefix}subcategory__in": ids})


def may_see_child(user: Any, case: Any) -> bool:
    """On the case page: the case's own caseworker, or a supervisor whose scope holds the case."""
    if case.caseworker_id is not None and case.caseworker_id == getattr(user, "pk", None):
        return True
    return bool(user.has_perm("fulian_cases.approve_case")) and can(user, "view", case)


def may_see_parties(user: Any, case: Any, ids: set[int] | None = None) -> bool:
    return not is_restricted(case, ids) or may_see_child(user, case)
