"""The analysts' review console on the BusinessVerification admin (docs/console.md).

- the queue (changelist): in_review first, then oldest; filters by status, integrator, country,
  reason code, risk band, age and assignment; a header with the waiting count and oldest age;
- one read-only page per verification (the change view, a custom template);
- small POST views for assign/unassign, approve/reject/request information, revealing the tax
  id and clearing a sanctions hit. They check permissions and call ``verifications.review``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from kyb.admin_tools import EstimatedCountPaginator, UUIDSearchMixin
from verifications import review
from verifications.admin.review_filters import (
    AgeFilter,
    AssignmentFilter,
    CountryFilter,
    ReasonFilter,
    RiskBandFilter,
)
from verifications.models import (
    IN_REVIEW_FIRST,
    AnalystAction,
    BusinessVerification,
    VerificationStatus,
)
from verifications.review_selectors import review_page, review_queue_stats, risk_band

TEMPLATES = "admin/verifications/businessverification"
DECISIONS = {
    "approve": ("Approve", VerificationStatus.APPROVED),
    "reject": ("Reject", VerificationStatus.REJECTED),
    "request_info": ("Request more information", None),
}


# --- forms ------------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}), max_length=4000, strip=True
    )


class ClearHitForm(ReasonForm):
    list_source = forms.CharField(max_length=16)
    entity_id = forms.CharField(max_length=128)


# --- the admin --------------------------------------------------------------------------------


RERUN_BATCH = 1000  # verifications re-queued by one bulk re-run


@admin.register(BusinessVerification)
class BusinessVerificationAdmin(UUIDSearchMixin, admin.ModelAdmin):
    """Read-only: every change goes through a console action and its service."""

    list_display = (
        "short_id",
        "merchant_name",
        "integrator",
        "country",
        "status",
        "risk_score",
        "band",
        "reason_codes",
        "assigned_to",
        "waiting",
    )
    list_display_links = ("short_id", "merchant_name")
    list_select_related = ("merchant", "integrator", "assigned_to")
    list_filter = (
        "status",
        AssignmentFilter,
        RiskBandFilter,
        ReasonFilter,
        AgeFilter,
        CountryFilter,
        "integrator",
    )
    # A UUID term is looked up by index in uuid_search_fields; anything else is an external id.
    uuid_search_fields = ("pk", "merchant_id")
    uuid_text_fields = ("merchant__external_id",)
    # `__exact`, not "=": "=" compares UPPER(external_id) and so cannot use
    # idx_merchants_external_id; an exact, case-sensitive id is what integrators send anyway.
    search_fields = ("merchant__external_id__exact",)
    # The queue order, served by idx_business_verifications_queue.
    ordering = (IN_REVIEW_FIRST.asc(), "created_at")  # type: ignore[assignment]  # expressions are fine
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # one count per filter option would scan the table
    paginator = EstimatedCountPaginator
    list_per_page = 50
    actions = ("rerun_checks",)
    change_list_template = f"{TEMPLATES}/change_list.html"

    # Nobody edits, adds or deletes verifications in the admin; the console acts through
    # services. View permission alone opens the queue and the pages.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_rerun_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(review.PERM_RERUN)

    @admin.display(description="id")
    def short_id(self, obj: BusinessVerification) -> str:
        return str(obj.pk)[:8]

    @admin.display(description="merchant", ordering="merchant__legal_name")
    def merchant_name(self, obj: BusinessVerification) -> str:
        return obj.merchant.legal_name

    @admin.display(description="country")
    def country(self, obj: BusinessVerification) -> str:
        return obj.merchant.country

    @admin.display(description="band")
    def band(self, obj: BusinessVerification) -> str:
        return risk_band(obj.risk_score)

    @admin.display(description="reasons")
    def reason_codes(self, obj: BusinessVerification) -> str:
        return ", ".join(r.get("code", "?") for r in (obj.risk_reasons or [])[:3])

    @admin.display(description="waiting", ordering="created_at")
    def waiting(self, obj: BusinessVerification) -> str:
        return timesince(obj.created_at)

    @admin.action(description="Re-run checks (verifications in error only)", permissions=["rerun"])
    def rerun_checks(self, request: HttpRequest, queryset: QuerySet[BusinessVerification]) -> None:
        # Only cases in error are candidates: filtered in the database (status index), so
        # "select all" over a million rows reads the few in error, not every id; capped per run.
        in_error = queryset.filter(status=VerificationStatus.ERROR).order_by()
        ids = list(in_error.values_list("pk", flat=True)[: RERUN_BATCH + 1])
        more = len(ids) > RERUN_BATCH
        done = review.verifications_rerun(verification_ids=ids[:RERUN_BATCH], user=request.user)
        note = (
            f" Only the first {RERUN_BATCH} were taken: run it again for the rest." if more else ""
        )
        self.message_user(
            request, f"{done} re-queued; selected cases not in error were skipped.{note}"
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().changelist_view(
            request,
            {"title": "Review queue", **(extra_context or {}), "queue": review_queue_stats()},
        )

    # --- the verification page and its actions ----------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/assign/", view(self.assign_view), name=f"{info}_assign"),
            path("<path:object_id>/unassign/", view(self.unassign_view), name=f"{info}_unassign"),
            path(
                "<path:object_id>/decide/<str:decision>/",
                view(self.decide_view),
                name=f"{info}_decide",
            ),
            path(
                "<path:object_id>/reveal-tax-id/",
                view(self.reveal_tax_id_view),
                name=f"{info}_reveal_tax_id",
            ),
            path(
                "<path:object_id>/clear-hit/", view(self.clear_hit_view), name=f"{info}_clear_hit"
            ),
            *super().get_urls(),
        ]

    def _verification(self, request: HttpRequest, object_id: str) -> BusinessVerification:
        if not self.has_view_permission(request):
            raise PermissionDenied
        queryset = self.get_queryset(request).select_related(
            "merchant", "integrator", "assigned_to", "decided_by_user"
        )
        try:
            return queryset.get(pk=unquote(object_id))
        except (BusinessVerification.DoesNotExist, ValidationError, ValueError) as exc:
            raise Http404("no such verification") from exc

    def _page_url(self, verification: BusinessVerification) -> str:
        return reverse(
            f"{self.admin_site.name}:verifications_businessverification_change",
            args=[verification.pk],
        )

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "has_view_permission": True,
            **extra,
        }

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The one page per verification (read-only; actions post to the views below)."""
        verification = self._verification(request, object_id)
        page = review_page(verification=verification, user=request.user)
        context = self._context(
            request,
            title=f"{verification.merchant.legal_name}: verification {str(verification.pk)[:8]}",
            original=verification,
            page=page,
            v=verification,
            m=verification.merchant,
            reason_form=ReasonForm(),
        )
        return TemplateResponse(request, f"{TEMPLATES}/review.html", context)

    def _refused(self, request: HttpRequest, exc: review.ReviewRefused) -> None:
        self.message_user(request, f"Refused: {exc}", messages.ERROR)

    def _verification_for(
        self, request: HttpRequest, object_id: str, perm: str
    ) -> BusinessVerification:
        """The verification, if the user may view it and holds ``perm`` (else 403)."""
        verification = self._verification(request, object_id)
        if not request.user.has_perm(perm):
            raise PermissionDenied
        return verification

    @method_decorator(require_POST)
    def assign_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._assignment(request, object_id, review.verification_assign, "assigned to you")

    @method_decorator(require_POST)
    def unassign_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._assignment(request, object_id, review.verification_unassign, "unassigned")

    def _assignment(
        self, request: HttpRequest, object_id: str, service: Any, done: str
    ) -> HttpResponse:
        verification = self._verification_for(request, object_id, review.PERM_ASSIGN)
        try:
            service(verification_id=verification.pk, user=request.user)
        except review.ReviewRefused as exc:
            self._refused(request, exc)
        else:
            self.message_user(request, f"Verification {done}.")
        return HttpResponseRedirect(self._page_url(verification))

    def decide_view(self, request: HttpRequest, object_id: str, decision: str) -> HttpResponse:
        """GET: a small form; POST (with a reason): approve, reject or request information."""
        if decision not in DECISIONS:
            raise Http404("unknown decision")
        verification = self._verification_for(request, object_id, review.PERM_DECIDE)
        label, outcome = DECISIONS[decision]
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                if outcome is None:
                    review.verification_request_information(
                        verification_id=verification.pk,
                        user=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                else:
                    review.verification_decide(
                        verification_id=verification.pk,
                        user=request.user,
                        outcome=outcome,
                        reason=form.cleaned_data["reason"],
                    )
            except review.ReviewRefused as exc:
                self._refused(request, exc)
            else:
                self.message_user(request, f"{label}: done.")
            return HttpResponseRedirect(self._page_url(verification))
        context = self._context(
            request,
            title=f"{label}: {verification.merchant.legal_name}",
            v=verification,
            form=form,
            label=label,
            decision=decision,
            page_url=self._page_url(verification),
        )
        return TemplateResponse(request, f"{TEMPLATES}/decide.html", context)

    @method_decorator(require_POST)
    def reveal_tax_id_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST: decrypt the tax id (``reveal_pii``), audit it and show it once, uncached."""
        verification = self._verification_for(request, object_id, review.PERM_REVEAL_PII)
        try:
            tax_id = review.merchant_tax_id_reveal(
                verification_id=verification.pk, user=request.user
            )
        except review.ReviewRefused as exc:
            self._refused(request, exc)
            return HttpResponseRedirect(self._page_url(verification))
        context = self._context(
            request,
            title="Tax id",
            v=verification,
            tax_id=tax_id,
            page_url=self._page_url(verification),
        )
        response = TemplateResponse(request, f"{TEMPLATES}/reveal.html", context)
        add_never_cache_headers(response)  # the decrypted tax id: never stored by any cache
        return response

    @method_decorator(require_POST)
    def clear_hit_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST: mark one sanctions hit of this case a false positive, with a reason."""
        verification = self._verification_for(request, object_id, review.PERM_CLEAR_HIT)
        form = ClearHitForm(request.POST)
        if not form.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
            )
            self.message_user(request, f"Refused: {problems}", messages.ERROR)
            return HttpResponseRedirect(self._page_url(verification))
        try:
            review.verification_hit_clear(
                verification_id=verification.pk, user=request.user, **form.cleaned_data
            )
        except review.ReviewRefused as exc:
            self._refused(request, exc)
        else:
            entity = f"{form.cleaned_data['list_source']}:{form.cleaned_data['entity_id']}"
            self.message_user(request, f"{entity} cleared as a false positive for this merchant.")
        return HttpResponseRedirect(self._page_url(verification))


@admin.register(AnalystAction)
class AnalystActionAdmin(UUIDSearchMixin, admin.ModelAdmin):
    """The console's audit log (assignments, PII reveals, cleared hits): read-only."""

    list_display = ("created_at", "actor", "action", "verification", "reason")
    list_filter = ("action",)
    list_select_related = ("verification",)
    uuid_search_fields = ("verification_id",)
    search_fields = ("=actor",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # one count per filter option would scan the table
    paginator = EstimatedCountPaginator
    ordering = ("-created_at",)  # idx_analyst_actions_created_at

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
