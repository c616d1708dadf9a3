"""The review queue's list filters: reason code, risk band, age, assignment and country.

Each filters through an index (status, created_at, the GIN index on risk_reasons) or a join on
the page's rows; none runs a query to build its choices.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from verifications.risk import WEIGHTS


class CountryFilter(admin.SimpleListFilter):
    """Free-text ISO country code (no query to list the countries of millions of rows)."""

    title = "country"
    parameter_name = "country"
    template = "admin/verifications/input_filter.html"

    def __init__(self, request: HttpRequest, params: Any, model: Any, model_admin: Any) -> None:
        super().__init__(request, params, model, model_admin)
        # The other filters in force, carried as hidden inputs of the country form.
        self.other_params = [
            (key, value)
            for key, values in request.GET.lists()
            for value in values
            if key not in (self.parameter_name, "p")
        ]

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return []

    def has_output(self) -> bool:
        return True

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = (self.value() or "").strip().upper()
        return queryset.filter(merchant__country=value) if value else queryset


class ReasonFilter(admin.SimpleListFilter):
    """Risk reason code (``risk_reasons @> [{"code": ...}]``, GIN-indexed)."""

    title = "reason code"
    parameter_name = "reason"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(code, code) for code in sorted(WEIGHTS)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(risk_reasons__contains=[{"code": value}]) if value else queryset


class RiskBandFilter(admin.SimpleListFilter):
    """low / medium / high by the RISK_REVIEW_THRESHOLD and RISK_REJECT_THRESHOLD settings."""

    title = "risk band"
    parameter_name = "band"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        review_at, reject_at = settings.RISK_REVIEW_THRESHOLD, settings.RISK_REJECT_THRESHOLD
        return [
            ("low", f"low (< {review_at})"),
            ("medium", f"medium ({review_at}-{reject_at - 1})"),
            ("high", f"high (≥ {reject_at})"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        review_at, reject_at = settings.RISK_REVIEW_THRESHOLD, settings.RISK_REJECT_THRESHOLD
        bands = {
            "low": {"risk_score__lt": review_at},
            "medium": {"risk_score__gte": review_at, "risk_score__lt": reject_at},
            "high": {"risk_score__gte": reject_at},
        }
        value = self.value()
        return queryset.filter(**bands[value]) if value in bands else queryset


class AgeFilter(admin.SimpleListFilter):
    """How long ago the verification was submitted (created_at index)."""

    title = "age"
    parameter_name = "age"
    # value -> (minimum age, maximum age) in days
    RANGES = {
        "lt1d": (None, 1),
        "1to3d": (1, 3),
        "3to7d": (3, 7),
        "gt7d": (7, None),
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("lt1d", "under a day"),
            ("1to3d", "1-3 days"),
            ("3to7d", "3-7 days"),
            ("gt7d", "over a week"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() not in self.RANGES:
            return queryset
        min_days, max_days = self.RANGES[str(self.value())]
        now = timezone.now()
        if min_days is not None:
            queryset = queryset.filter(created_at__lte=now - timedelta(days=min_days))
        if max_days is not None:
            queryset = queryset.filter(created_at__gt=now - timedelta(days=max_days))
        return queryset


class AssignmentFilter(admin.SimpleListFilter):
    """Cases assigned to the viewing analyst, to nobody, or to anyone."""

    title = "assigned"
    parameter_name = "assigned"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("me", "to me"), ("none", "to nobody"), ("any", "to someone")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == "me":
            return queryset.filter(assigned_to=request.user.pk)
        if value in ("none", "any"):
            return queryset.filter(assigned_to__isnull=value == "none")
        return queryset


class WaitingOnMerchantFilter(admin.SimpleListFilter):
    """Cases in review where an analyst asked the integrator for more information."""

    title = "information requested"
    parameter_name = "info"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("requested", "waiting on the merchant"), ("none", "not requested")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value in ("requested", "none"):
            return queryset.filter(information_requested_at__isnull=value == "none")
        return queryset


class EscalatedFilter(admin.SimpleListFilter):
    """Cases an analyst escalated to the senior analysts."""

    title = "escalated"
    parameter_name = "escalated"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "escalated to a senior"), ("no", "not escalated")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value in ("yes", "no"):
            return queryset.filter(escalated_at__isnull=value == "no")
        return queryset


class SavedViewFilter(admin.SimpleListFilter):
    """The analysts' standing views of the queue, one click each (cases in review only)."""

    title = "view"
    parameter_name = "view"
    VIEWS = {
        "mine": "my cases",
        "waiting": "waiting on merchant",
        "sanctions_unassigned": "sanctions, unassigned",
        "escalated": "escalated to seniors",
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(self.VIEWS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value not in self.VIEWS:
            return queryset
        in_review = queryset.filter(status="in_review")
        if value == "mine":
            return in_review.filter(assigned_to=request.user.pk)
        if value == "waiting":
            return in_review.filter(information_requested_at__isnull=False)
        if value == "escalated":
            return in_review.filter(escalated_at__isnull=False)
        return in_review.filter(
            assigned_to__isnull=True, risk_reasons__contains=[{"code": "sanctions_match"}]
        )


class ModeFilter(admin.SimpleListFilter):
    """Live cases only unless asked: sandbox verifications (an integrator testing against
    scripted outcomes, docs/sandbox.md) are not work for analysts."""

    title = "mode"
    parameter_name = "mode"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("sandbox", "sandbox"), ("all", "live and sandbox")]

    def choices(self, changelist: Any) -> Any:
        for choice in super().choices(changelist):
            if choice.get("display") == "All":  # no parameter: the default, live only
                choice["display"] = "live"
            yield choice

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == "all":
            return queryset
        return queryset.filter(livemode=value != "sandbox")
