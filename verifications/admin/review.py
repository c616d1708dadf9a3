"""The analysts' review console on the BusinessVerification admin (docs/console.md).

- the queue (changelist): in_review first, then oldest; filters by status, integrator, country,
  reason code, risk band, age and assignment; a header with the waiting count and oldest age;
- one read-only page per verification (the change view, a custom template);
- small POST views for assign/unassign, approve/reject/request information, revealing the tax
  id and clearing a sanctions hit. They check permissions and call ``verifications.review``.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from kyb.admin_tools import EstimatedCountPaginator, UUIDSearchMixin
from verifications import review
from verifications.admin.review_filters import (
    AgeFilter,
    AssignmentFilter,
    CountryFilter,
    EscalatedFilter,
    ModeFilter,
    ReasonFilter,
    RiskBandFilter,
    SavedViewFilter,
    WaitingOnMerchantFilter,
)
from verifications.models import (
    IN_REVIEW_FIRST,
    AnalystAction,
    BusinessVerification,
    VerificationStatus,
)
from verifications.review_selectors import (
    cases_workable_by,
    merchant_ids_matching,
    review_page,
    review_queue_stats,
    risk_band,
)

TEMPLATES = "admin/verifications/businessverification"
DECISIONS = {
    "approve": ("Approve", VerificationStatus.APPROVED),
    "reject": ("Reject", VerificationStatus.REJECTED),
    "request_info": ("Request more information", None),
    "escalate": ("Escalate to a senior analyst", None),
}


# --- forms ------------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}), max_length=4000, strip=True
    )


def reason_code_choices() -> list[tuple[str, str]]:
    return list(settings.DECISION_REASON_CODES.items())


class DecisionForm(forms.Form):
    """Approve / reject: an integrator-facing reason (a code, optional text) and the internal
    rationale, which never leaves the console."""

    reason_code = forms.ChoiceField(label="Reason for the integrator", choices=reason_code_choices)
    public_reason = forms.CharField(
        label="Text for the integrator (optional)",
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"size": 40}),
    )
    reason = forms.CharField(
        label="Internal rationale (staff only; never sent to the integrator)",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=4000,
    )


class RequestInfoForm(forms.Form):
    reason = forms.CharField(
        label="Message to the integrator (sent to them: what the merchant must provide)",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=4000,
    )


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label="Why a senior analyst should decide (internal)",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=4000,
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Internal note (staff only)",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        max_length=8000,
    )


class ClearHitForm(ReasonForm):
    list_source = forms.CharField(max_length=16)
    entity_id = forms.CharField(max_length=128)


FORMS: dict[str, type[forms.Form]] = {
    "approve": DecisionForm,
    "reject": DecisionForm,
    "request_info": RequestInfoForm,
    "escalate": EscalateForm,
}
FILTERS = "_changelist_filters"  # Django admin's name for the queue's query string on a page


def _is_uuid(term: str) -> bool:
    try:
        uuid.UUID(term)
    except ValueError:
        return False
    return True


def _short_age(then: Any) -> str:
    """How long ago, in one short unit ("4 min", "3 h", "2 d"): the column stays narrow."""
    seconds = max(0, int((timezone.now() - then).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


# --- the admin --------------------------------------------------------------------------------


RERUN_BATCH = 1000  # verifications re-queued by one bulk re-run


class QueueChangeList(ChangeList):
    """The queue, sorted only by the columns ``sortable_by`` names, also when a link asks for
    another (``?o=3``): the header offers only those, and any other sort read every row."""

    def get_ordering_field(self, field_name: Any) -> Any:
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)


@admin.register(BusinessVerification)
class BusinessVerificationAdmin(UUIDSearchMixin, admin.ModelAdmin[Any]):
    """Read-only: every change goes through a console action and its service."""

    list_display = (
        "short_id",
        "merchant_name",
        "integrator",
        "country",
        "status",
        "risk",
        "reason_codes",
        "markers",
        "assignee",
        "waiting",
    )
    list_display_links = ("short_id", "merchant_name")
    # Only columns an index sorts: by merchant, integrator, assignee or status a click sorted
    # every row (0.85-1.3 s at 1,000,000 verifications, bench_admin); the search and the
    # filters find those. Risk: idx_business_verifications_risk; waiting: created_at.
    sortable_by = ("risk", "waiting")

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return QueueChangeList

    list_select_related = ("merchant", "integrator", "assigned_to")
    list_filter = (
        "status",
        SavedViewFilter,
        AssignmentFilter,
        WaitingOnMerchantFilter,
        EscalatedFilter,
        RiskBandFilter,
        ReasonFilter,
        AgeFilter,
        CountryFilter,
        "integrator",
        ModeFilter,
    )
    # A UUID term is looked up by index in uuid_search_fields; any other term goes through
    # ``get_search_results`` below (merchant name, external id, registration number, LEI, person).
    uuid_search_fields = ("pk", "merchant_id")
    uuid_text_fields = ("merchant__external_id",)
    search_fields = ("merchant__external_id__exact",)  # enables the search box; see below
    search_help_text = (
        "verification or merchant id, external id, registration number, LEI, "
        "part of the merchant's name or of a person's name"
    )
    # The queue order, served by idx_business_verifications_queue.
    ordering = (IN_REVIEW_FIRST.asc(), "created_at")  # type: ignore[assignment]  # expressions are fine
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # one count per filter option would scan the table
    paginator = EstimatedCountPaginator
    list_per_page = 50
    actions = ("rerun_checks",)
    change_list_template = f"{TEMPLATES}/change_list.html"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[BusinessVerification], search_term: str
    ) -> tuple[QuerySet[BusinessVerification], bool]:
        term = search_term.strip()
        if not term or _is_uuid(term):
            return super().get_search_results(request, queryset, search_term)
        # The merchants first (indexed lookups, capped), then their verifications by the
        # merchant_id index: an OR across the join would make PostgreSQL scan.
        ids = merchant_ids_matching(term)
        return queryset.filter(merchant_id__in=ids), False

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

    @admin.display(description="merchant")
    def merchant_name(self, obj: BusinessVerification) -> str:
        return obj.merchant.legal_name

    @admin.display(description="country")
    def country(self, obj: BusinessVerification) -> str:
        return obj.merchant.country

    @admin.display(description="risk", ordering="risk_score")
    def risk(self, obj: BusinessVerification) -> str:
        if obj.risk_score is None:
            return "—"
        return f"{obj.risk_score} {risk_band(obj.risk_score)}"

    @admin.display(description="reasons")
    def reason_codes(self, obj: BusinessVerification) -> str:
        return ", ".join(r.get("code", "?").replace("_", " ") for r in (obj.risk_reasons or [])[:3])

    @admin.display(description="assignee")
    def assignee(self, obj: BusinessVerification) -> str:
        return obj.assigned_to.get_username() if obj.assigned_to else "—"

    @admin.display(description="flags")
    def markers(self, obj: BusinessVerification) -> str:
        """Waiting on the merchant (with the request's age) and escalated-to-senior marks."""
        flags = [] if obj.livemode else ["sandbox"]
        if obj.status == VerificationStatus.IN_REVIEW and obj.information_requested_at:
            flags.append(f"info asked {_short_age(obj.information_requested_at)} ago")
        if obj.status == VerificationStatus.IN_REVIEW and obj.escalated_at:
            flags.append("escalated")
        return "; ".join(flags) or "—"

    @admin.display(description="waiting", ordering="created_at")
    def waiting(self, obj: BusinessVerification) -> str:
        return _short_age(obj.created_at)

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
            {
                "title": "Review queue",
                # The queue needs the width: the app list is one click away (Home).
                "is_nav_sidebar_enabled": False,
                **(extra_context or {}),
                "queue": review_queue_stats(),
            },
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
            path("<path:object_id>/note/", view(self.note_view), name=f"{info}_note"),
            path("<path:object_id>/next/", view(self.next_view), name=f"{info}_next"),
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
            found: BusinessVerification = queryset.get(pk=unquote(object_id))
        except (BusinessVerification.DoesNotExist, ValidationError, ValueError) as exc:
            raise Http404("no such verification") from exc
        return found

    # The queue's filters travel with the analyst: the queue links a case with
    # ?_changelist_filters=<its query string> (Django's preserved filters); every form on the
    # page posts it back, and every redirect carries it on.
    @staticmethod
    def _filters(request: HttpRequest) -> str:
        return str(request.POST.get(FILTERS) or request.GET.get(FILTERS) or "")

    def _with_filters(self, url: str, filters: str) -> str:
        return f"{url}?{urlencode({FILTERS: filters})}" if filters else url

    def _page_url(self, verification: BusinessVerification, filters: str = "") -> str:
        url = reverse(
            f"{self.admin_site.name}:verifications_businessverification_change",
            args=[verification.pk],
        )
        return self._with_filters(url, filters)

    def _queue_url(self, filters: str) -> str:
        url = reverse(f"{self.admin_site.name}:verifications_businessverification_changelist")
        return f"{url}?{filters}" if filters else url

    def next_case(
        self, request: HttpRequest, current: BusinessVerification, filters: str
    ) -> BusinessVerification | None:
        """The first case still to work in the queue's filtered order: in review, not this one,
        free or the analyst's own, and not escalated unless the user is a senior analyst.
        None when the filtered queue holds no other."""
        queue_request = copy.copy(request)
        queue_request.GET = QueryDict(filters)
        try:
            queryset = self.get_changelist_instance(queue_request).get_queryset(queue_request)
        except (IncorrectLookupParameters, ValidationError):
            queryset = self.get_queryset(request)
        return cases_workable_by(queryset, request.user).exclude(pk=current.pk).first()

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        filters = self._filters(request)
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "has_view_permission": True,
            "is_nav_sidebar_enabled": False,  # the evidence needs the width
            "changelist_filters": filters,
            "queue_url": self._queue_url(filters),
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
            title=verification.merchant.legal_name,
            original=verification,
            page=page,
            v=verification,
            m=verification.merchant,
            decision_form=DecisionForm(),
            info_form=RequestInfoForm(),
            escalate_form=EscalateForm(),
            note_form=NoteForm(),
            reason_labels=settings.DECISION_REASON_CODES,
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
        return HttpResponseRedirect(self._page_url(verification, self._filters(request)))

    def _apply(
        self, request: HttpRequest, verification: BusinessVerification, decision: str, data: Any
    ) -> None:
        """Call the service behind ``decision``; raises ``ReviewRefused``."""
        user, pk = request.user, verification.pk
        if decision == "request_info":
            review.verification_request_information(
                verification_id=pk, user=user, reason=data["reason"]
            )
        elif decision == "escalate":
            review.verification_escalate(verification_id=pk, user=user, reason=data["reason"])
        else:
            review.verification_decide(
                verification_id=pk, user=user, outcome=str(DECISIONS[decision][1]), **data
            )

    def decide_view(self, request: HttpRequest, object_id: str, decision: str) -> HttpResponse:
        """GET: the form alone; POST: approve, reject, request information or escalate. A
        refusal or an invalid form shows the form again with everything typed kept. After a
        decision: back to the same filtered queue, or on to the next case ("save and next")."""
        if decision not in DECISIONS:
            raise Http404("unknown decision")
        verification = self._verification_for(request, object_id, review.PERM_DECIDE)
        label, outcome = DECISIONS[decision]
        form = FORMS[decision](request.POST if request.method == "POST" else None)
        filters = self._filters(request)
        refusal = ""
        if request.method == "POST" and form.is_valid():
            try:
                self._apply(request, verification, decision, form.cleaned_data)
            except review.ReviewRefused as exc:
                refusal = str(exc)
            else:
                return self._after_decision(request, verification, label, outcome, filters)
        context = self._context(
            request,
            title=f"{label}: {verification.merchant.legal_name}",
            v=verification,
            form=form,
            label=label,
            decision=decision,
            refusal=refusal,
            page_url=self._page_url(verification, filters),
        )
        return TemplateResponse(request, f"{TEMPLATES}/decide.html", context)

    def _after_decision(
        self,
        request: HttpRequest,
        verification: BusinessVerification,
        label: str,
        outcome: str | None,
        filters: str,
    ) -> HttpResponse:
        name = verification.merchant.legal_name
        self.message_user(request, f"{label}: {name}, done.", messages.SUCCESS)
        wants_next = "next" in request.POST
        if outcome is None and not wants_next:  # asked for information / escalated: stay here
            return HttpResponseRedirect(self._page_url(verification, filters))
        if wants_next:
            following = self.next_case(request, verification, filters)
            if following is not None:
                return HttpResponseRedirect(self._page_url(following, filters))
            self.message_user(request, "No more cases in this view of the queue.")
        return HttpResponseRedirect(self._queue_url(filters))

    def next_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET: open the next case of the filtered queue (skipping this one)."""
        verification = self._verification(request, object_id)
        filters = self._filters(request)
        following = self.next_case(request, verification, filters)
        if following is None:
            self.message_user(request, "No more cases in this view of the queue.")
            return HttpResponseRedirect(self._queue_url(filters))
        return HttpResponseRedirect(self._page_url(following, filters))

    @method_decorator(require_POST)
    def note_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST: add an internal note to the case (and its merchant)."""
        verification = self._verification_for(request, object_id, review.PERM_NOTE)
        form = NoteForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "Refused: a note cannot be empty.", messages.ERROR)
        else:
            try:
                review.case_note_add(
                    verification_id=verification.pk,
                    user=request.user,
                    body=form.cleaned_data["body"],
                )
            except review.ReviewRefused as exc:
                self._refused(request, exc)
            else:
                self.message_user(request, "Note added (internal).")
        return HttpResponseRedirect(self._page_url(verification, self._filters(request)) + "#notes")

    @method_decorator(require_POST)
    def reveal_tax_id_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST: decrypt the tax id (``reveal_pii``), audit it and show it once, uncached."""
        verification = self._verification_for(request, object_id, review.PERM_REVEAL_PII)
        filters = self._filters(request)
        try:
            tax_id = review.merchant_tax_id_reveal(
                verification_id=verification.pk, user=request.user
            )
        except review.ReviewRefused as exc:
            self._refused(request, exc)
            return HttpResponseRedirect(self._page_url(verification, filters))
        context = self._context(
            request,
            title="Tax id",
            v=verification,
            tax_id=tax_id,
            page_url=self._page_url(verification, filters),
        )
        response = TemplateResponse(request, f"{TEMPLATES}/reveal.html", context)
        add_never_cache_headers(response)  # the decrypted tax id: never stored by any cache
        return response

    @method_decorator(require_POST)
    def clear_hit_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST: mark one sanctions hit of this case a false positive, with a reason."""
        verification = self._verification_for(request, object_id, review.PERM_CLEAR_HIT)
        page_url = self._page_url(verification, self._filters(request))
        form = ClearHitForm(request.POST)
        if not form.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
            )
            self.message_user(request, f"Refused: {problems}", messages.ERROR)
            return HttpResponseRedirect(page_url)
        try:
            review.verification_hit_clear(
                verification_id=verification.pk, user=request.user, **form.cleaned_data
            )
        except review.ReviewRefused as exc:
            self._refused(request, exc)
        else:
            entity = f"{form.cleaned_data['list_source']}:{form.cleaned_data['entity_id']}"
            # Not starting with the id: the admin capitalises a message's first letter.
            self.message_user(request, f"Cleared {entity} as a false positive for this merchant.")
        return HttpResponseRedirect(page_url)


@admin.register(AnalystAction)
class AnalystActionAdmin(UUIDSearchMixin, admin.ModelAdmin[Any]):
    """The console's audit log (assignments, PII reveals, cleared hits): read-only."""

    list_display = ("created_at", "actor", "action", "verification", "reason")
    list_filter = ("action",)
    list_select_related = ("verification",)
    uuid_search_fields = ("verification_id",)
    # The username as written (idx_analyst_actions_actor): "=actor" compared UPPER(actor) and
    # read the whole log.
    search_fields = ("actor__exact",)
    search_help_text = "verification id, or an analyst's username (exactly)"
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
