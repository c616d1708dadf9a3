"""The admin site: the review console's entry point, with optional 2-factor login (django-otp).

With ``ADMIN_REQUIRE_2FA`` (default on unless ``DEBUG``) only staff verified by a TOTP device in
this session are admitted, and the login form asks for the code. The setting is read per
request, so tests can switch it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest
from django_otp.admin import OTPAdminAuthenticationForm


def two_factor_required() -> bool:
    """Whether the admin demands an OTP-verified session (``ADMIN_REQUIRE_2FA``)."""
    return bool(getattr(settings, "ADMIN_REQUIRE_2FA", False))


class KybAdminSite(AdminSite):
    """The default admin site, plus the 2-factor gate."""

    site_header = "KYB operations console"
    site_title = "KYB console"
    index_title = "Operations"

    # Chosen per request from the setting (a property where Django has a class attribute).
    @property
    def login_form(self) -> type[AdminAuthenticationForm]:  # type: ignore[override]
        return OTPAdminAuthenticationForm if two_factor_required() else AdminAuthenticationForm

    @property
    def login_template(self) -> str:  # type: ignore[override]
        return "otp/admin111/login.html" if two_factor_required() else "admin/login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff, and with 2FA required, verified by an OTP device this session."""
        if not super().has_permission(request):
            return False
        return not two_factor_required() or bool(request.user.is_verified())  # type: ignore[union-attr]
