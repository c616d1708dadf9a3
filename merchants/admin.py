"""Admin for integrators, API keys and merchants; tuned for large tables."""

from __future__ import annotations

from django.contrib import admin

from merchants.models import ApiKey, Integrator, Merchant


@admin.register(Integrator)
class IntegratorAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name",)
    show_full_result_count = False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "integrator", "scopes", "revoked_at", "last_used_at")
    list_select_related = ("integrator",)
    list_filter = ("revoked_at",)
    search_fields = ("=prefix", "name", "integrator__name")
    autocomplete_fields = ("integrator",)
    readonly_fields = ("prefix", "key_hash", "last_used_at", "created_at")
    show_full_result_count = False


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "integrator", "country", "external_id", "created_at")
    list_select_related = ("integrator",)
    list_filter = ("country",)
    # Exact-match lookups hit indexes; the name search is the one trigram-free scan we allow.
    search_fields = ("=id", "=external_id", "=registration_number", "legal_name")
    raw_id_fields = ("verification",)
    autocomplete_fields = ("integrator",)
    readonly_fields = ("tax_id_masked", "created_at", "updated_at")
    exclude = ("tax_id_encrypted", "tax_id_hash", "tax_id_last4")
    show_full_result_count = False
    date_hierarchy = None
    ordering = ("-created_at",)
