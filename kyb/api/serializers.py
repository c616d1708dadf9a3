"""Serializer base classes shared by every API app, and how they appear in the OpenAPI schema.

The schema describes exactly what the server accepts (schemathesis checks both directions in
CI, tests/test_schemathesis.py): a request the schema allows is accepted, and one it forbids
is refused. So input is checked for its JSON type (DRF would turn ``0`` into ``"0"``), and the
schema says what DRF's string fields refuse (NUL characters, whitespace-only values)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from rest_framework import serializers

from kyb.api.parsers import JsonBody
from kyb.countries import ISO_3166_ALPHA2

# What ``str.strip()`` (DRF's trim_whitespace) removes, spelled out: ECMA's ``\s`` (the schema's
# regex dialect) and Python's differ (\x1c-\x1f and \x85 are whitespace only to Python).
PY_WHITESPACE = (
    "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0"
    "\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
NO_NUL = "^[^\\x00]+$"  # allow_blank adds "or empty" (drf-spectacular: oneOf)
# Not blank after trimming, and no NUL (DRF's ProhibitNullCharactersValidator).
NOT_BLANK = f"^[^\\x00]*[^\\x00{PY_WHITESPACE}][^\\x00]*$"
# Web addresses that Django's URLValidator accepts for certain: a host name of at most three
# labels with an alphabetic top-level domain (so never over 253 characters, never an IP literal),
# no port, then a path/query/fragment of URI characters. Narrower than Django (no IPs, ports or
# ftp), which is the safe direction for a schema: what it allows is always accepted.
URL_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,2}[A-Za-z]{2,63}"
URL_TAIL = r"(?:[/?#][A-Za-z0-9._~:/?#@!$&'()*+,;=-]*)?"  # RFC 3986 characters, no escapes
WEB_URL = rf"^[Hh][Tt][Tt][Pp][Ss]?://{URL_HOST}{URL_TAIL}$"
HTTPS_URL = rf"^[Hh][Tt][Tt][Pp][Ss]://{URL_HOST}{URL_TAIL}$"
# Blank once trimmed: whitespace alone, or nothing.
BLANK = f"^[{PY_WHITESPACE}]*$"
# Bidirectional embedding, override and isolate controls: they reorder how a name is displayed.
BIDI_CONTROLS = "\\u202a-\\u202e\\u2066-\\u2069"
# Characters nothing shows: soft hyphen, zero-width space and joiners, direction marks, word
# joiner and invisible operators, byte order mark.
INVISIBLE = "\\u00ad\\u180e\\u200b-\\u200f\\u2060-\\u2064\\ufeff"
# A name: no NUL or bidirectional control, and something visible once trimmed.
NAME = (
    f"^[^\\x00{BIDI_CONTROLS}]*[^\\x00{BIDI_CONTROLS}{PY_WHITESPACE}{INVISIBLE}]"
    f"[^\\x00{BIDI_CONTROLS}]*$"
)


def _json_type_error(field: serializers.Field, value: Any) -> str | None:
    """Why ``value`` (parsed JSON) is of the wrong type for ``field``, or ``None``."""
    if value is None or field.read_only:
        return None  # DRF's own allow_null handling answers
    expected: tuple[type, ...] | None = None
    if isinstance(field, serializers.BooleanField):
        expected = (bool,)
    elif isinstance(field, serializers.ChoiceField):
        expected = (str,) if all(isinstance(c, str) for c in field.choices) else None
    elif isinstance(field, serializers.IntegerField):
        expected = (int,)
    elif isinstance(field, serializers.FloatField):
        expected = (int, float)
    elif isinstance(field, serializers.DecimalField):
        expected = (str,)  # the schema's "decimal" is a string
    elif isinstance(
        field,
        serializers.CharField
        | serializers.UUIDField
        | serializers.DateField
        | serializers.DateTimeField,
    ):
        expected = (str,)
    elif isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return "Expected a list of items."
        for item in value:
            if error := _json_type_error(field.child, item):
                return error
        return None
    elif isinstance(field, serializers.DictField):
        expected = (dict,)
    if expected is None:
        return None
    if isinstance(value, bool) and bool not in expected:
        return f"Incorrect type. Expected {_TYPE_NAMES[expected[0]]}."
    if not isinstance(value, expected):
        return f"Incorrect type. Expected {_TYPE_NAMES[expected[0]]}."
    max_length = getattr(field, "max_length", None)
    if isinstance(field, serializers.CharField) and isinstance(value, str) and max_length:
        if len(value) <= max_length:
            return None
        # As sent, as the schema's maxLength counts: DRF measures after trimming, so a name of
        # 500 characters plus a newline passed.
        return f"Ensure this field has no more than {max_length} characters."
    return None


_TYPE_NAMES: dict[type, str] = {
    bool: "a boolean",
    int: "an integer",
    str: "a string",
    dict: "an object",
}


class StrictSerializer(serializers.Serializer):
    """Rejects unknown fields instead of silently dropping them: a typo in a field name must be
    an error the integrator sees, not data that quietly never arrives. A JSON body's values
    must be of the type the schema names (``"name": 0`` is a 400, not the name ``"0"``)."""

    # JSON Schema keywords added to this serializer's request component (e.g. ``anyOf``): the
    # cross-field rules of ``validate()``, so that the schema allows exactly what it accepts.
    schema_extra: dict[str, Any] = {}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
            if isinstance(getattr(self.root, "initial_data", None), JsonBody):
                wrong = {
                    name: [error]
                    for name, field in self.fields.items()
                    if name in data and (error := _json_type_error(field, data[name]))
                }
                if wrong:
                    raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)


class PageQuerySerializer(StrictSerializer):
    """The query of a list with no filters: a bad ``limit``, an empty or NUL ``cursor`` or an
    unknown parameter is a 400."""

    cursor = serializers.CharField(required=False, help_text="opaque, from `next`/`previous`")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200)


def query_validated(
    serializer_class: type[StrictSerializer], params: dict[str, str]
) -> dict[str, Any]:
    """``serializer_class(data=params)``'s validated data (or its 400), remembered per distinct
    query: a client polling a list sends the same query string again and again, and DRF copies
    every declared field of a serializer each time it builds one (about a tenth of a list of
    50's CPU). Only for query serializers whose validation reads the values alone (no database,
    no request, no personal data kept in memory: not the merchants' ``tax_id`` filter)."""
    return dict(_validated(serializer_class, tuple(sorted(params.items()))))


@lru_cache(maxsize=256)
def _validated(
    serializer_class: type[StrictSerializer], items: tuple[tuple[str, str], ...]
) -> dict[str, Any]:
    query = serializer_class(data=dict(items))
    query.is_valid(raise_exception=True)  # an error is raised each time, never remembered
    return dict(query.validated_data)


class CountryField(serializers.CharField):
    """ISO 3166-1 alpha-2, case-insensitive on input, upper-case when stored."""

    default_error_messages = {"invalid_country": "Not an ISO 3166-1 alpha-2 country code."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("trim_whitespace", False)  # " gb" is not a code: the schema says so
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        raw = super().to_internal_value(data)
        if raw and not raw.isascii():  # "ß".upper() is "SS", a real code (South Sudan)
            self.fail("invalid_country")
        value = raw.upper()
        if value and value not in ISO_3166_ALPHA2:
            self.fail("invalid_country")
        return value


def country_pattern() -> str:
    """A regex of exactly the codes CountryField accepts, in any letter case."""
    codes = "|".join(
        f"[{c[0]}{c[0].lower()}][{c[1]}{c[1].lower()}]" for c in sorted(ISO_3166_ALPHA2)
    )
    return f"^(?:{codes})$"


class CountryFieldSchema(OpenApiSerializerFieldExtension):
    """``country``: the schema lists the accepted codes instead of "any two characters"
    (drf-spectacular adds "or empty" where the field allows blank)."""

    target_class = CountryField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        if direction != "request":
            return {"type": "string", "description": "ISO 3166-1 alpha-2, upper case"}
        return {"type": "string", "minLength": 2, "maxLength": 2, "pattern": country_pattern()}


class CharFieldSchema(OpenApiSerializerFieldExtension):
    """Request strings: no NUL character, and not whitespace alone where a value is required
    (DRF trims it away and then finds the field blank)."""

    target_class = serializers.CharField
    match_subclasses = True
    priority = -1  # CountryFieldSchema and any specific extension first

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        field = self.target
        schema: dict[str, Any] = auto_schema._map_serializer_field(
            field, direction, bypass_extensions=True
        )
        if direction != "request" or isinstance(field, serializers.RegexField):
            return schema  # a RegexField's anchored pattern says it already
        if isinstance(field, serializers.URLField):
            schema["pattern"] = getattr(field, "schema_pattern", WEB_URL)
            return schema
        if hasattr(field, "schema_pattern"):  # a field that checks its own pattern (PatternField)
            schema["pattern"] = field.schema_pattern
            return schema
        if "format" in schema or "pattern" in schema:
            return schema
        blank_ok = field.allow_blank or not field.trim_whitespace
        schema["pattern"] = NO_NUL if blank_ok else NOT_BLANK
        return schema


class ExactRegexField(serializers.RegexField):
    """A RegexField that matches the value as sent, as the schema's pattern does: no trimming
    (DRF trimmed " .228" to ".228", too short for the pattern that allowed it) and no final
    newline (Python's ``$`` matches before one, ECMA's does not)."""

    def __init__(self, regex: str, **kwargs: Any) -> None:
        kwargs["trim_whitespace"] = False
        super().__init__(regex, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value.endswith("\n"):
            self.fail("invalid")
        return value


class PatternField(serializers.CharField):
    """A trimmed string that must match ``schema_pattern`` as sent, the schema saying the same
    (DRF's RegexField would not trim; this one trims as any CharField, and a pattern that
    holds before trimming holds after it). A blank value, where allowed, is not checked."""

    pattern: str = NO_NUL
    pattern_message = "Invalid value."

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Blank allowed: whitespace alone trims to blank, and passes.
        blank = f"|^[{PY_WHITESPACE}]+$" if self.allow_blank else ""
        self.schema_pattern = self.pattern + blank

    def to_internal_value(self, data: Any) -> str:
        raw = data if isinstance(data, str) else ""
        value = str(super().to_internal_value(data))
        if value and not re.fullmatch(self.pattern, raw):
            raise serializers.ValidationError(self.pattern_message)
        return value


class NameField(PatternField):
    """A name as the console shows it and the screening reads it: something visible, and no
    bidirectional controls (a QA pass stored a legal name of one zero-width space, and names
    whose display an override reversed)."""

    pattern = NAME
    pattern_message = "A name needs a visible character and no bidirectional controls."

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "Something visible; no bidirectional control characters.")
        super().__init__(**kwargs)


# A tax id: compared without spaces, dashes, dots or case, so it needs a letter or digit.
TAX_ID = "^[^\\x00]*[A-Za-z0-9][^\\x00]*$"


class TaxIdField(PatternField):
    """A tax id with at least one letter or digit: one of only dashes or an emoji was stored as
    no tax id at all, silently (a QA pass)."""

    pattern = TAX_ID
    pattern_message = "A tax id needs at least one letter or digit (A-Z, 0-9)."


class HttpsUrlField(serializers.URLField):
    """A URL field whose schema says https (e.g. webhook endpoints, WEBHOOK_REQUIRE_HTTPS)."""

    schema_pattern = HTTPS_URL


class JsonValueField(serializers.DictField):
    """Free-form JSON object (``metadata``): the schema says what the parser refuses (NUL
    characters, numbers of 2**63 or more in magnitude) and the key limit."""

    def __init__(self, *, max_keys: int, **kwargs: Any) -> None:
        self.max_keys = max_keys
        super().__init__(**kwargs)


class JsonValueFieldSchema(OpenApiSerializerFieldExtension):
    target_class = JsonValueField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        if direction != "request":
            return {"type": "object", "additionalProperties": {}}
        return {
            "type": "object",
            "maxProperties": self.target.max_keys,
            "additionalProperties": {"$ref": "#/components/schemas/JsonValue"},
        }


# One JSON value as the API's parser accepts it (kyb/api/parsers.py); kyb.api.schema adds it.
# Object keys may not hold NUL either (OpenAPI 3.0 cannot say so).
JSON_VALUE_COMPONENT = {
    "nullable": True,
    "anyOf": [
        {"type": "string", "pattern": "^[^\\x00]*$"},
        {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1},
        {
            "type": "number",
            "minimum": -(2**63),
            "exclusiveMinimum": True,
            "maximum": 2**63,
            "exclusiveMaximum": True,
        },
        {"type": "boolean"},
        {"type": "array", "items": {"$ref": "#/components/schemas/JsonValue"}},
        {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/JsonValue"}},
    ],
}


class StrictSerializerSchema(OpenApiSerializerExtension):
    """Request bodies: no unknown property (StrictSerializer refuses them), plus the
    serializer's ``schema_extra`` (its cross-field rules)."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer(
            self.target, direction, bypass_extensions=True
        )
        if direction == "request":
            schema["additionalProperties"] = False
            for name, field in self.target.fields.items():
                prop = schema.get("properties", {}).get(name)
                refuses_empty = isinstance(
                    field, serializers.ListField | serializers.ListSerializer
                ) and not getattr(field, "allow_empty", True)
                if prop is not None and prop.get("type") == "array" and refuses_empty:
                    prop["minItems"] = max(1, prop.get("minItems", 0))
                if prop is not None and isinstance(field, serializers.URLField):
                    # The pattern says it (CharFieldSchema); "uri" allows far more than Django.
                    for variant in [prop, *prop.get("oneOf", [])]:
                        variant.pop("format", None)
            schema.update(self.target.schema_extra)
        return schema
