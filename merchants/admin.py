"""Admin for merchants; tuned for large tables (integrators and API keys: kyb/tenancy/admin.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from kyb.admin_tools import (
    CountryFilter,
    EstimatedCountPaginator,
    SaveChangedFieldsMixin,
    UUIDSearchMixin,
)
from merchants.models import Merchant


@admin.register(Merchant)
class MerchantAdmin(SaveChangedFieldsMixin, UUIDSearchMixin, admin.ModelAdmin):
    """Merchants, newest first (``idx_merchants_created_at``). A UUID search is an index lookup
    by id; any other term matches external id or registration number exactly, or the name."""

    list_display = ("legal_name", "integrator", "livemode", "country", "external_id", "created_at")
    # A website typed without a scheme is https (Django 6's default; 5.2 warns otherwise).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_select_related = ("integrator",)
    list_filter = (CountryFilter, "livemode")
    uuid_search_fields = ("id",)
    uuid_text_fields = ("external_id", "registration_number")
    # Exact ids (btree), part of the name or of a person's name (trigram indexes on
    # UPPER(legal_name) and UPPER(people::text), merchants migrations 0005 and 0006).
    search_fields = (
        "external_id__exact",
        "registration_number__exact",
        "lei__exact",
        "legal_name",
        "people__icontains",
    )
    search_help_text = (
        "merchant id, external id, registration number, LEI, or part of the name or of a "
        "person's name (owners, directors)"
    )
    raw_id_fields = ("verification",)
    autocomplete_fields = ("integrator",)
    readonly_fields = ("tax_id_masked", "livemode", "created_at", "updated_at")
    exclude = ("tax_id_encrypted", "tax_id_hash", "tax_id_last4")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        """A merchant never moves to another integrator (tenant): its verifications, keys and
        webhooks stay with the one it was submitted by."""
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "integrator") if obj is not None else fields

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # per-option counts would scan the table
    date_hierarchy = None
    ordering = ("-created_at",)
