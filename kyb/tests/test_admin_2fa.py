"""2-factor login for the admin (django-otp TOTP): enforced when ADMIN_REQUIRE_2FA is on (the
production default), and the enrolment command. The test settings turn it off elsewhere."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-test-password-9876"


@pytest.fixture
def staff(db: None) -> User:
    return User.objects.create_superuser("ops", "ops@example.com", PASSWORD)


@pytest.fixture
def required(settings: Any) -> None:
    settings.ADMIN_REQUIRE_2FA = True


def _token(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def test_without_2fa_a_logged_in_staff_user_is_admitted(staff: User, settings: Any) -> None:
    settings.ADMIN_REQUIRE_2FA = False
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("required")
def test_with_2fa_a_password_session_is_not_enough(staff: User) -> None:
    client = Client()
    client.force_login(staff)
    response = client.get("/admin/verifications/businessverification/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    login = client.get("/admin/login/").content
    assert b'name="otp_token"' in login and b'name="otp_device"' not in login


@pytest.mark.usefixtures("required")
def test_with_2fa_login_needs_a_valid_totp_code(staff: User, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no back-off after the wrong code below
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client = Client()
    form = {"username": "ops", "password": PASSWORD, "otp_device": device.persistent_id}
    wrong = client.post("/admin/login/", {**form, "otp_token": "000000"})
    assert wrong.status_code == 200  # the form again, with an error
    assert client.get("/admin/").status_code == 302
    right = client.post("/admin/login/?next=/admin/", {**form, "otp_token": _token(device)})
    assert right.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("required")
def test_with_2fa_one_submit_of_username_password_and_code_logs_in(staff: User) -> None:
    """What a browser posts: the three visible fields, no device choice (there is none)."""
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client = Client()
    form = {"username": "ops", "password": PASSWORD, "otp_token": _token(device)}
    response = client.post("/admin/login/?next=/admin/", form)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("required")
def test_with_2fa_a_wrong_password_and_a_wrong_code_look_the_same(
    staff: User, settings: Any
) -> None:
    """The page after a wrong password is the page after a right password with a wrong code:
    nothing tells whether the password was right before the code is checked."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)

    def attempt(password: str, token: str) -> str:
        response = Client().post(
            "/admin/login/", {"username": "ops", "password": password, "otp_token": token}
        )
        assert response.status_code == 200
        body = response.content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)

    wrong_password = attempt("not-the-password", _token(device))
    wrong_code = attempt(PASSWORD, "000000")
    assert wrong_password == wrong_code
    assert "correct username, password and authenticator code" in wrong_code


def test_add_totp_device_prints_the_otpauth_url_once(staff: User) -> None:
    out = StringIO()
    call_command("add_totp_device", "ops", stdout=out)
    url = out.getvalue().strip().splitlines()[-1]
    assert url.startswith("otpauth://totp/") and "secret=" in url
    assert TOTPDevice.objects.get(user=staff).confirmed
    with pytest.raises(CommandError, match="already has"):
        call_command("add_totp_device", "ops", stdout=StringIO())
    call_command("add_totp_device", "ops", "--replace", stdout=StringIO())
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_add_totp_device_refuses_an_unknown_user(db: None) -> None:
    with pytest.raises(CommandError, match="no user"):
        call_command("add_totp_device", "ghost", stdout=StringIO())


@pytest.mark.parametrize(("debug", "expected"), [("false", "True"), ("true", "False")])
def test_2fa_is_on_by_default_unless_debug(debug: str, expected: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"ADMIN_REQUIRE_2FA", "DEBUG"}}
    env.update(DEBUG=debug, SECRET_KEY="s" * 50, ALLOWED_HOSTS="kyb.example.com")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    code = "from django.conf import settings; print(settings.ADMIN_REQUIRE_2FA)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
