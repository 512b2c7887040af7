"""The start page sends each role to its own place; /health answers without touching patient data."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from msinfusion.web.accounts.models import Role


@require_safe
@login_required
def home(request):
    role = request.user.role
    if role == Role.PATIENT:
        return redirect("my_dashboard")
    if role in (Role.NURSE, Role.NEUROLOGIST):
        return redirect("worklist")
    if role == Role.CENTER_ADMIN:
        return redirect("center_admin")
    if request.user.is_superuser:
        return redirect("admin:index")
    return redirect("login")


@require_safe
def health(request):
    return HttpResponse("ok", content_type="text/plain")
