"""Serializer base classes shared by every API app."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kyb.countries import ISO_3166_ALPHA2


class StrictSerializer(serializers.Serializer):
    """Rejects unknown fields instead of silently dropping them: a typo in a field name must be
    an error the integrator sees, not data that quietly never arrives."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)


class CountryField(serializers.CharField):
    """ISO 3166-1 alpha-2, case-insensitive on input, upper-case when stored."""

    default_error_messages = {"invalid_country": "Not an ISO 3166-1 alpha-2 country code."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        raw = super().to_internal_value(data)
        if raw and not raw.isascii():  # "ß".upper() is "SS", a real code (South Sudan)
            self.fail("invalid_country")
        value = raw.upper()
        if value and value not in ISO_3166_ALPHA2:
            self.fail("invalid_country")
        return value
