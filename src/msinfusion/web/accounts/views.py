"""Log in and out. One generic message for every failure: no hint whether an account exists."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from msinfusion.web.accounts.sessions import stamp_login
from msinfusion.web.accounts.throttle import is_throttled, record_failure
from msinfusion.web.audit.middleware import client_ip

FAILED = (
    "That username and password did not work, or there were too many attempts. Try again later."
)


class LoginForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return None


@never_cache
@csrf_protect
def login_view(request):
    form = LoginForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        ip = client_ip(request)
        user = None
        if not is_throttled(username, ip):
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            record_failure(username, ip)
            error = FAILED
        else:
            login(request, user)  # rotates the session key
            stamp_login(request.session)
            return redirect(_safe_next(request) or "home")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/login.html",
        {"form": form, "error": error, "next": _safe_next(request) or ""},
        status=status,
    )


@csrf_protect
def logout_view(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    logout(request)  # flushes the session: a replayed cookie is refused
    return redirect("login")
