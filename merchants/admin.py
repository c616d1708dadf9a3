"""Admin for merchants; tuned for large tables (integrators and API keys: kyb/tenancy/admin.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from kyb.admin_tools import (
    CountryFilter,
    EstimatedCountPaginator,
    UUIDSearchMixin,
)
from kyb.errors import ValidationFailed
from merchants.erasure import MERCHANT_ERASED_MESSAGE
from merchants.models import Merchant
from merchants.serializers import MERCHANT_INPUT_FIELDS, merchant_input_clean
from merchants.services import MERCHANT_EXISTS, merchant_create, merchant_update


class MerchantAdminForm(forms.ModelForm[Merchant]):
    """The API's merchant rules (``merchant_input_clean``) on what the operator entered: the
    fields changed on an edit, every field on an add."""

    # A website typed without a scheme is https (Django 6's default; 5.2 warns otherwise).
    website = forms.URLField(max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Merchant
        fields = ("integrator", *(n for n in MERCHANT_INPUT_FIELDS if n != "tax_id"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        adding = self.instance._state.adding
        if self.instance.erased_at is not None:
            raise forms.ValidationError(MERCHANT_ERASED_MESSAGE)
        # The JSON widgets report an unchanged value as changed: compare with the row.
        names = [
            n
            for n in self.changed_data
            if n in MERCHANT_INPUT_FIELDS and cleaned.get(n) != getattr(self.instance, n)
        ]
        if adding:
            names = [n for n in MERCHANT_INPUT_FIELDS if n in cleaned]
        try:
            self.merchant_fields = merchant_input_clean(
                {n: cleaned[n] for n in names if n in cleaned}, partial=not adding
            )
        except ValidationFailed as exc:
            for name, messages in exc.fields.items():
                field = name if name in self.fields else None
                for message in messages if isinstance(messages, list) else [messages]:
                    self.add_error(field, str(message))
            return cleaned
        external_id = self.merchant_fields.get("external_id")
        integrator_id = self.instance.integrator_id if not adding else cleaned.get("integrator")
        if external_id and integrator_id is not None:
            taken = Merchant.objects.filter(
                integrator=integrator_id, livemode=self.instance.livemode, external_id=external_id
            )
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error("external_id", MERCHANT_EXISTS)
        return cleaned


@admin.register(Merchant)
class MerchantAdmin(UUIDSearchMixin, admin.ModelAdmin[Any]):
    """Merchants, newest first (``idx_merchants_created_at``). A UUID search is an index lookup
    by id; any other term matches external id or registration number exactly, or the name.

    Writes go through ``merchant_create`` / ``merchant_update``: the API's validation, the
    ``merchant.updated`` event and the audit row with the operator as actor. The latest
    verification and the erasure mark are the services' to set, never edited here."""

    form = MerchantAdminForm

    list_display = ("legal_name", "integrator", "livemode", "country", "external_id", "created_at")
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
        "people__person_name_icontains",  # merchants.lookups: names, not the JSON's keys
    )
    search_help_text = (
        "merchant id, external id, registration number, LEI, or part of the name or of a "
        "person's name (owners, directors)"
    )
    autocomplete_fields = ("integrator",)
    readonly_fields = (
        "tax_id_masked",
        "livemode",
        "verification",
        "erased_at",
        "created_at",
        "updated_at",
    )
    exclude = ("tax_id_encrypted", "tax_id_hash", "tax_id_last4")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        """A merchant never moves to another integrator (tenant): its verifications, keys and
        webhooks stay with the one it was submitted by."""
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "integrator") if obj is not None else fields

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Merchant:
        """The service writes (inside the admin's transaction); nothing is left to save."""
        actor = f"user:{request.user.get_username()}"
        form.save_m2m = lambda: None  # what save(commit=False) sets; a merchant has no m2m
        if change:
            return merchant_update(merchant=form.instance, fields=form.merchant_fields, actor=actor)
        integrator = form.cleaned_data["integrator"]
        return merchant_create(integrator=integrator, fields=form.merchant_fields)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Saved by ``save_form`` through the service."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # per-option counts would scan the table
    date_hierarchy = None
    ordering = ("-created_at",)
