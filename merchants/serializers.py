"""Merchant input and output shapes. Input and output are separate classes on purpose: an
output shape integrators depend on must never change because an input rule did."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kyb.api.parsers import json_problem
from kyb.api.serializers import (
    CountryField,
    ExactRegexField,
    JsonValueField,
    NameField,
    StrictSerializer,
    TaxIdField,
)
from kyb.errors import ValidationFailed

PERSON_ROLES = ("owner", "ubo", "director", "officer", "signatory", "other")
METADATA_MAX_KEYS = 50
METADATA_MAX_BYTES = 8192
METADATA_MAX_DEPTH = 16  # levels inside metadata itself
# 0 to 100, at most 2 decimals; no sign, exponent or spaces (the schema's pattern says the same).
PERCENT = r"^(?:100(?:\.0{1,2})?|[0-9]{1,2}(?:\.[0-9]{1,2})?)$"


class AddressSerializer(StrictSerializer):
    line1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)


@extend_schema_field(
    {
        "type": "string",
        "format": "date",
        "pattern": "^(19|20)[0-9]{2}-",
        "description": "A date from 1900-01-01 to 2099-12-31.",
    }
)
class BirthDateField(serializers.DateField):
    """A date of birth in the years 1900 to 2099, as the schema's pattern says (a QA pass
    stored 3000-01-01 and 0001-01-01; OpenAPI 3.0 cannot bound a date by today)."""

    def to_internal_value(self, value: Any) -> date:
        parsed = super().to_internal_value(value)
        if not 1900 <= parsed.year <= 2099:
            raise serializers.ValidationError("A date of birth from 1900 to 2099.")
        return parsed


class PersonInputSerializer(StrictSerializer):
    name = NameField(max_length=200)
    role = serializers.ChoiceField(choices=PERSON_ROLES, default="owner")
    ownership_pct = ExactRegexField(
        PERCENT,
        required=False,
        allow_null=True,
        help_text="a percentage as a string, 0 to 100, at most 2 decimals, e.g. '60' or '12.5'",
        error_messages={"invalid": "A percentage from 0 to 100 with at most 2 decimals."},
    )
    date_of_birth = BirthDateField(required=False, allow_null=True)
    country = CountryField(required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A PATCH is partial, and DRF then skips missing required fields in nested serializers
        # too: a person without a name was stored with an empty one.
        if "name" not in attrs:
            raise serializers.ValidationError({"name": ["This field is required."]})
        # ... and defaults: a person PATCHed without a role was stored with none, where the
        # same person POSTed is an owner (found by a QA pass). A PATCH replaces the people
        # whole, so each is read as on create.
        attrs.setdefault("role", "owner")
        return attrs


class MerchantInputSerializer(StrictSerializer):
    """Create payload. ``tax_id`` is write-only: stored encrypted, only ever returned masked."""

    external_id = serializers.CharField(max_length=128, required=False, allow_blank=True)
    legal_name = NameField(max_length=300)
    dba_name = NameField(max_length=300, required=False, allow_blank=True)
    registration_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    tax_id = TaxIdField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="Compared without spaces, dashes, dots or case; at least one letter or digit "
        "(blank: none). Write-only: read back masked.",
    )
    lei = ExactRegexField(
        r"^[A-Za-z0-9]{20}$",
        required=False,
        allow_blank=True,
        error_messages={"invalid": "An LEI is 20 letters and digits."},
    )
    country = CountryField()
    subdivision = ExactRegexField(
        r"^[A-Za-z0-9]{1,3}$",
        required=False,
        allow_blank=True,
        error_messages={"invalid": "The ISO 3166-2 subdivision part, e.g. 'CA' or 'LND'."},
    )
    address = AddressSerializer(required=False)
    # A web page the website check can fetch: ftp:// was accepted, then failed the check.
    website = serializers.URLField(
        max_length=500,
        required=False,
        allow_blank=True,
        validators=[URLValidator(schemes=["http", "https"], message="An http(s) URL.")],
        help_text="An http:// or https:// URL.",
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = ExactRegexField(
        r"^\+?[0-9 ()\-.]{5,32}$",
        required=False,
        allow_blank=True,
        error_messages={"invalid": "A phone number: digits, spaces, + ( ) - ."},
    )
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    declared_mcc = ExactRegexField(
        r"^[0-9]{4}$",
        required=False,
        allow_blank=True,
        error_messages={"invalid": "A merchant category code is 4 digits."},
    )
    people = PersonInputSerializer(many=True, required=False, max_length=50)  # type: ignore[call-arg]
    metadata = JsonValueField(max_keys=METADATA_MAX_KEYS, required=False)

    def validate_subdivision(self, value: str) -> str:
        return value.upper()

    def validate_lei(self, value: str) -> str:
        return value.upper()

    def validate_metadata(self, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > METADATA_MAX_KEYS:
            raise serializers.ValidationError(f"At most {METADATA_MAX_KEYS} keys.")
        # Also checked here, not only by the API's parser: internal submissions arrive as task
        # kwargs. Accepted metadata must be writable again once JSONB hands it back.
        problem = json_problem(value, max_depth=METADATA_MAX_DEPTH)
        if problem:
            raise serializers.ValidationError(problem)
        if len(orjson.dumps(value)) > METADATA_MAX_BYTES:
            raise serializers.ValidationError(f"At most {METADATA_MAX_BYTES} bytes of JSON.")
        return value


class MerchantListQuerySerializer(StrictSerializer):
    """``GET /merchants`` filters: unknown parameters, NUL bytes and bad values are a 400. An
    empty filter (``?external_id=``, what a link from a merchant without one gives) filters
    nothing."""

    tax_id = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="exact tax id"
    )
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=128)
    country = CountryField(required=False, allow_blank=True)
    cursor = serializers.CharField(required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200)


class MerchantUpdateSerializer(MerchantInputSerializer):
    """PATCH payload: every field optional, the same rules."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class PersonOutputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    role = serializers.CharField()
    ownership_pct = serializers.CharField(allow_null=True)
    year_of_birth = serializers.IntegerField(
        allow_null=True, help_text="Only the year: the full date of birth is never returned."
    )
    country = serializers.CharField()


class MerchantOutputSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    livemode = serializers.BooleanField(
        help_text="false for sandbox objects (created with a sandbox key; docs/sandbox.md)"
    )
    external_id = serializers.CharField()
    legal_name = serializers.CharField()
    dba_name = serializers.CharField()
    registration_number = serializers.CharField()
    tax_id = serializers.CharField(help_text="Masked: the last 4 characters only, e.g. '****6789'.")
    lei = serializers.CharField()
    country = serializers.CharField()
    subdivision = serializers.CharField()
    address = AddressSerializer()
    website = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    description = serializers.CharField()
    declared_mcc = serializers.CharField()
    people = PersonOutputSerializer(many=True)
    metadata = serializers.DictField()
    latest_verification_id = serializers.UUIDField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


MERCHANT_INPUT_FIELDS = tuple(MerchantInputSerializer().fields)


def merchant_input_clean(data: Any, *, partial: bool = False) -> dict[str, Any]:
    """The merchant input rules, applied at every boundary that takes a merchant (the API, the
    internal submission task, the admin, the demo seeder) before ``merchant_create`` or
    ``merchant_update``: validated, normalised fields, or ``ValidationFailed`` with the
    messages per field."""
    serializer = (MerchantUpdateSerializer if partial else MerchantInputSerializer)(data=data)
    if not serializer.is_valid():
        raise ValidationFailed(dict(serializer.errors))
    return dict(serializer.validated_data)
