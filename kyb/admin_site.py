"""The admin site: the review console's entry point, with optional 2-factor login (django-otp).

With ``ADMIN_REQUIRE_2FA`` (default on unless ``DEBUG``) only staff verified by a TOTP device in
this session are admitted, and the login form asks for the code. The setting is read per
request, so tests can switch it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django_otp import match_token

_View = TypeVar("_View", bound=Callable[..., Any])


def two_factor_required() -> bool:
    """Whether the admin demands an OTP-verified session (``ADMIN_REQUIRE_2FA``)."""
    return bool(getattr(settings, "ADMIN_REQUIRE_2FA", False))


class CodeInput(forms.TextInput):
    """A one-time code is never written back into the page: a used code is worthless, and an
    echoed one would make a failed page differ by what was typed."""

    def format_value(self, value: Any) -> str | None:
        return None


class TwoFactorLoginForm(AdminAuthenticationForm):
    """Username, password and authenticator code in one form, checked together.

    django-otp's own admin form shows its device list only after the password was accepted, so
    a browser's first submit always fails, and the form changing shape tells whether the
    password was right. Here every wrong part (user, password, code, no device) gives the same
    error, after the same work; a code is matched against each of the user's devices."""

    otp_token = forms.CharField(
        label="Authenticator code",
        max_length=16,
        widget=CodeInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "required": True}
        ),
    )
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter a correct username, password and authenticator code for a staff "
            "account. All three may be case-sensitive."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        token = (self.cleaned_data.get("otp_token") or "").strip()
        if username is None or not password:
            return self.cleaned_data
        user = authenticate(self.request, username=username, password=password)
        device = match_token(user, token) if user is not None and token else None
        if user is None or device is None:
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(user)
        user.otp_device = device  # type: ignore[attr-defined]  # django_otp.login reads it
        self.user_cache = user
        return self.cleaned_data


class KybAdminSite(AdminSite):
    """The default admin site, plus the 2-factor gate."""

    site_header = "KYB operations console"
    site_title = "KYB console"
    index_title = "Operations"

    # Chosen per request from the setting (a property where Django has a class attribute).
    @property
    def login_form(self) -> type[AdminAuthenticationForm]:  # type: ignore[override]
        return TwoFactorLoginForm if two_factor_required() else AdminAuthenticationForm

    @property
    def login_template(self) -> str:  # type: ignore[override]
        return "admin/login_2fa.html" if two_factor_required() else "admin/login.html"

    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        """Every console view, refusing a query that holds a NUL character with a 400: list
        filters passed it to PostgreSQL, which cannot store one in text (a 500)."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            query = request.GET.lists()
            if any("\x00" in key or "\x00" in "".join(values) for key, values in query):
                raise SuspiciousOperation("a NUL character in the console's query string")
            return inner(request, *args, **kwargs)

        return cast(_View, guarded)

    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff, and with 2FA required, verified by an OTP device this session."""
        if not super().has_permission(request):
            return False
        return not two_factor_required() or bool(request.user.is_verified())  # type: ignore[union-attr]
