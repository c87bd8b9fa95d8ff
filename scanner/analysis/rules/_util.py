"""Small helpers shared by the rule modules (names come from scanner.naming, statuses from scanner.status)."""

from __future__ import annotations

from typing import Any

from scanner.context import age_days
from scanner.plural import count_of  # noqa: F401  (the rules' one pluraliser)


def days(value: Any) -> int | None:
    """Days since an ISO date (None when unknown)."""
    return age_days(value) if value else None


def falsy_known(value: Any) -> bool:
    """True only for a known "off" value (False, 0, "disabled"...), never for None (unknown)."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("", "false", "disabled", "none", "off", "no", "suspended")
    return not value


