"""Template context shared by every page: what the navigation shows for this role."""

from __future__ import annotations


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user is not None and user.is_authenticated else None
    return {"nav_role": role}
