"""Reads of the review console: the queue header and everything one verification page shows.

Every read is a fixed number of indexed queries, whatever the number of checks, hits, events or
classifications (tests pin the counts).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from classifications.models import Classification
from screening import selectors as screening_selectors
from verifications.models import BusinessVerification, CaseNote, VerificationStatus
from verifications.review import (
    PERM_ASSIGN,
    PERM_CLEAR_HIT,
    PERM_DECIDE,
    PERM_OVERRIDE_SANCTIONS,
    PERM_REASSIGN,
    PERM_REVEAL_PII,
    has_sanctions_match,
    sanctions_hits,
)

CHECK_ORDER = ("identifiers", "registry", "sanctions", "website", "industry")


def risk_band(score: int | None) -> str:
    """``low`` below RISK_REVIEW_THRESHOLD (30), ``high`` from RISK_REJECT_THRESHOLD (70),
    ``medium`` between; ``unscored`` before the risk step ran."""
    if score is None:
        return "unscored"
    if score < settings.RISK_REVIEW_THRESHOLD:
        return "low"
    if score < settings.RISK_REJECT_THRESHOLD:
        return "medium"
    return "high"


SEARCH_MERCHANTS_MAX = 500  # merchants a queue search considers (the newest first)


def merchant_search_conditions(term: str) -> list[Q]:
    """The queue search's merchant lookups, in order: exact ids (one OR of btree indexes), the
    legal name, a person's name (trigram indexes)."""
    term = term.strip()
    exact = Q(external_id=term) | Q(registration_number=term) | Q(lei=term.upper())
    return [exact, Q(legal_name__icontains=term), Q(people__person_name_icontains=term)]


def merchant_ids_matching(term: str) -> list[Any]:
    """Merchants a queue search term names: external id, registration number or LEI exactly,
    part of the legal name, or part of a person's name (both trigram-indexed). Capped."""
    from merchants.models import Merchant

    ids: list[Any] = []
    for condition in merchant_search_conditions(term):
        room = SEARCH_MERCHANTS_MAX - len(ids)
        if room <= 0:
            break
        found = Merchant.objects.filter(condition).exclude(pk__in=ids).order_by("-created_at")
        ids += list(found.values_list("pk", flat=True)[:room])
    return ids


def review_queue_stats() -> dict[str, Any]:
    """How many cases wait in review and since when: one aggregate on the status index."""
    stats = BusinessVerification.objects.filter(
        status=VerificationStatus.IN_REVIEW, livemode=True
    ).aggregate(
        waiting=Count("pk"),
        oldest=Min("created_at"),
        information_requested=Count("pk", filter=Q(information_requested_at__isnull=False)),
        escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
    )
    oldest: datetime | None = stats["oldest"]
    return {
        "waiting": stats["waiting"],
        "information_requested": stats["information_requested"],
        "escalated": stats["escalated"],
        "oldest_at": oldest,
        "oldest_age": timezone.now() - oldest if oldest else None,
    }


@dataclass
class HitRow:
    """A sanctions hit beside the list entry it points at (None if no longer listed)."""

    subject: dict[str, Any]
    hit: dict[str, Any]
    entry: Any
    cleared: bool
    explanation_json: str
    # The two names with the words they share marked (<mark>), and the explanation in words.
    subject_marked: SafeString = field(default_factory=SafeString)
    hit_marked: SafeString = field(default_factory=SafeString)
    explanation: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ReviewPage:
    """Everything the verification page renders."""

    verification: BusinessVerification
    checks: list[tuple[str, dict[str, Any], str]]
    hits: list[HitRow]
    registry: dict[str, Any] | None
    website: dict[str, Any] | None
    classifications: list[Classification]
    history: list[dict[str, Any]]
    band: str
    sanctions_match: bool
    can: dict[str, bool] = field(default_factory=dict)
    # Evidence as readable fields: (check name, check, [(label, value)], raw JSON).
    evidence: list[tuple[str, dict[str, Any], list[tuple[str, str]], str]] = field(
        default_factory=list
    )
    registry_rows: list[dict[str, Any]] = field(default_factory=list)
    industry: dict[str, Any] = field(default_factory=dict)
    notes: list[CaseNote] = field(default_factory=list)
    # (field, value the checks ran on, value now) for merchant fields edited since submission.
    changed_since_submission: list[tuple[str, Any, Any]] = field(default_factory=list)


def merchant_changes(verification: BusinessVerification) -> list[tuple[str, Any, Any]]:
    """The merchant fields whose current value differs from the snapshot the checks ran on
    (``input_snapshot``, frozen at submission): the page shows today's merchant, so the analyst
    must see where that is not what was verified."""
    from verifications.services import merchant_snapshot

    then = verification.input_snapshot or {}
    now = merchant_snapshot(verification.merchant)
    changes: list[tuple[str, Any, Any]] = [
        (name, _shown(name, then[name]), _shown(name, now[name]))
        for name in now
        if name not in HIDDEN_SNAPSHOT_FIELDS and name in then and then[name] != now[name]
    ]
    if "tax_id_hash" in then and then["tax_id_hash"] != now["tax_id_hash"]:
        changes.append(("tax_id", "(the id checked)", "(another id, or none)"))
    return changes


def _shown(name: str, value: Any) -> str:
    """A snapshot value in words; people as "name (role, born YYYY)": the page printed the raw
    list, full dates of birth included, where everything else shows the year only."""
    if name != "people" or not isinstance(value, list):
        return readable(value)
    lines = []
    for person in value:
        if not isinstance(person, dict):
            continue
        details = [str(person.get("role") or "")]
        if born := str(person.get("date_of_birth") or "")[:4]:
            details.append(f"born {born}")
        extra = ", ".join(d for d in details if d)
        lines.append(f"{person.get('name') or '—'}" + (f" ({extra})" if extra else ""))
    return "; ".join(lines) or "—"


# Never shown: the id, and the tax id's token and hash (a change is reported without values).
HIDDEN_SNAPSHOT_FIELDS = frozenset({"merchant_id", "tax_id_encrypted", "tax_id_hash"})


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def marked_words(text: str, other: str) -> SafeString:
    """``text`` escaped, with each word that also occurs in ``other`` (case and accents
    folded) wrapped in <mark>: the words a sanctions hit matched on."""
    theirs = {_fold(w) for w in re.split(r"[\s,.;:()/-]+", other or "") if _fold(w)}
    parts = re.split(r"(\s+)", text or "")
    out = [
        f"<mark>{escape(part)}</mark>" if _fold(part) and _fold(part) in theirs else escape(part)
        for part in parts
    ]
    return mark_safe("".join(out))  # noqa: S308 - every part went through escape()


def readable(value: Any) -> str:
    """A JSON value in words: lists joined, mappings as "key: value", empties as a dash."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {readable(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(readable(v) for v in value)
    return str(value)


def evidence_fields(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """A check's evidence as (label, value in words) rows, one per top-level key."""
    return [(key.replace("_", " "), readable(value)) for key, value in evidence.items()]


def _explanation(explanation: dict[str, Any]) -> list[tuple[str, str]]:
    return [(key.replace("_", " "), readable(value)) for key, value in (explanation or {}).items()]


def registry_comparison(verification: BusinessVerification) -> list[dict[str, Any]]:
    """Submitted values (the snapshot the checks ran on) against the register's record, field
    by field; ``differs`` marks a mismatch. Empty when no record was found."""
    record = ((verification.checks or {}).get("registry") or {}).get("evidence", {}).get("record")
    if not record:
        return []
    submitted = verification.input_snapshot or {}
    extra = record.get("extra") or {}
    names = [record.get("legal_name", ""), *(record.get("other_names") or [])]
    numbers = [submitted.get("registration_number"), submitted.get("lei")]
    people = ", ".join(p.get("name", "") for p in submitted.get("people") or [])
    officers = extra.get("officers") or extra.get("directors") or []
    officer_names = ", ".join(
        o.get("name", str(o)) if isinstance(o, dict) else str(o) for o in officers
    )
    address = readable(submitted.get("address")) if submitted.get("address") else ""
    status = " / ".join(x for x in (record.get("status"), record.get("registration_status")) if x)
    rows = [
        (
            "name",
            submitted.get("legal_name", ""),
            " / ".join(n for n in names if n),
            _fold_all(submitted.get("legal_name", "")) not in {_fold_all(n) for n in names},
        ),
        (
            "number",
            " / ".join(n for n in numbers if n),
            record.get("identifier", ""),
            record.get("identifier", "") not in [n for n in numbers if n],
        ),
        (
            "country",
            submitted.get("country", ""),
            record.get("country", ""),
            bool(record.get("country"))
            and record.get("country", "").upper() != submitted.get("country", "").upper(),
        ),
        (
            "address",
            address,
            readable(extra["address"]) if extra.get("address") else "",
            bool(extra.get("address"))
            and _fold_all(address) != _fold_all(readable(extra.get("address"))),
        ),
        ("status", "active (as submitted)", status or "unknown", record.get("active") is False),
        (
            "officers",
            people,
            officer_names,
            bool(officers)
            and {_fold_all(n) for n in people.split(", ") if n}
            != {_fold_all(n) for n in officer_names.split(", ") if n},
        ),
    ]
    return [
        {"field": f, "submitted": a or "—", "registry": b or "not in this register", "differs": d}
        for f, a, b, d in rows
    ]


def _fold_all(text: str) -> str:
    return " ".join(_fold(w) for w in (text or "").split() if _fold(w))


def industry_summary(
    verification: BusinessVerification, classifications: list[Classification]
) -> dict[str, Any]:
    """The predicted codes (top 3 per system) against the declared MCC: from the industry
    check's evidence, or else from the stored classifications."""
    evidence = ((verification.checks or {}).get("industry") or {}).get("evidence") or {}
    predicted = evidence.get("predicted") or {}
    if not predicted:
        for c in classifications:
            predicted.setdefault(c.code_system, []).append(
                {"code": c.code, "title": c.description, "confidence": c.confidence}
            )
    declared = evidence.get("declared_mcc") or (verification.input_snapshot or {}).get(
        "declared_mcc", ""
    )
    top_mcc = [c.get("code") for c in predicted.get("mcc") or []]
    return {
        "declared": declared,
        # Nothing predicted (a monitoring case runs no industry check): nothing to compare the
        # declared code with, where "not predicted" was shown.
        "classified": any(predicted.get(name) for name in ("mcc", "naics", "sic")),
        "systems": [
            (name.upper(), (predicted.get(name) or [])[:3]) for name in ("mcc", "naics", "sic")
        ],
        "declared_matches": bool(declared) and declared in top_mcc[:1],
        "declared_in_top": bool(declared) and declared in top_mcc,
    }


def _hit_rows(verification: BusinessVerification) -> list[HitRow]:
    pairs = sanctions_hits(verification)
    if not pairs:
        return []
    keys = [(str(hit.get("list")), str(hit.get("entity_id"))) for _, hit in pairs]
    entries = screening_selectors.watchlist_entries_current(keys=keys)
    cleared = screening_selectors.cleared_hits_for_merchant(merchant_id=verification.merchant_id)
    rows = []
    for (subject, hit), key in zip(pairs, keys, strict=True):
        entry = entries.get(key)
        is_cleared = entry is not None and cleared.get(key) == entry.content_hash
        rows.append(
            HitRow(
                subject,
                hit,
                entry,
                is_cleared,
                _pretty(hit.get("explanation")),
                subject_marked=marked_words(subject.get("name", ""), hit.get("name", "")),
                hit_marked=marked_words(hit.get("name", ""), subject.get("name", "")),
                explanation=_explanation(hit.get("explanation") or {}),
            )
        )
    return sorted(rows, key=lambda r: -float(r.hit.get("score") or 0))


def _history(verification: BusinessVerification, user: Any) -> list[dict[str, Any]]:
    """Status changes, and the console's audit rows (escalations, cleared hits, reveals) for
    users who may read the audit log (``view_analystaction``)."""
    rows = [
        {
            "at": e.created_at,
            "actor": e.actor,
            "what": (
                "requested more information"
                if e.from_status == e.to_status == VerificationStatus.IN_REVIEW
                else f"{e.from_status or '∅'} → {e.to_status}"
            ),
            "reason": e.reason,
        }
        for e in verification.events.all()
    ]
    if user.has_perm("verifications.view_analystaction"):
        rows += [
            {
                "at": a.created_at,
                "actor": a.actor,
                "what": a.get_action_display(),
                "reason": a.reason,
            }
            for a in verification.analyst_actions.all()
        ]
    return sorted(rows, key=lambda r: r["at"])


def cases_workable_by(
    queryset: QuerySet[BusinessVerification], user: Any
) -> QuerySet[BusinessVerification]:
    """The cases of ``queryset`` ``user`` may work now: in review, free or theirs, and not
    escalated unless they are a senior analyst (``verifications.review._refuse_if_escalated``)."""
    workable = queryset.filter(status=VerificationStatus.IN_REVIEW).filter(
        Q(assigned_to__isnull=True) | Q(assigned_to=user.pk)
    )
    if not user.has_perm(PERM_REASSIGN):
        workable = workable.filter(escalated_at__isnull=True)
    return workable


def _permissions(user: Any, verification: BusinessVerification) -> dict[str, bool]:
    in_review = verification.status == VerificationStatus.IN_REVIEW
    holder = verification.assigned_to_id
    senior = user.has_perm(PERM_REASSIGN)
    free_or_mine = holder in (None, user.pk) or senior
    # An escalated case is the senior analysts' (verifications.review._refuse_if_escalated).
    workable = in_review and (verification.escalated_at is None or senior)
    return {
        "decide": workable and free_or_mine and user.has_perm(PERM_DECIDE),
        "assign": workable and holder != user.pk and user.has_perm(PERM_ASSIGN),
        "unassign": in_review
        and holder is not None
        and free_or_mine
        and user.has_perm(PERM_ASSIGN),
        "clear_hit": workable and free_or_mine and user.has_perm(PERM_CLEAR_HIT),
        "reveal_pii": user.has_perm(PERM_REVEAL_PII),
        "override_sanctions": user.has_perm(PERM_OVERRIDE_SANCTIONS),
    }


def review_page(*, verification: BusinessVerification, user: Any) -> ReviewPage:
    """The verification page for ``user``. ``verification`` comes with merchant, integrator,
    assigned_to and decided_by_user joined (``BusinessVerificationAdmin.get_queryset``)."""
    checks = verification.checks or {}
    ordered = [n for n in CHECK_ORDER if n in checks] + sorted(set(checks) - set(CHECK_ORDER))
    registry = (checks.get("registry") or {}).get("evidence") or {}
    website = (checks.get("website") or {}).get("evidence") or None
    classifications = list(
        Classification.objects.filter(verification=verification).order_by(
            "code_system", "rank", "-confidence"
        )
    )
    return ReviewPage(
        verification=verification,
        checks=[(n, checks[n], _pretty(checks[n].get("evidence") or {})) for n in ordered],
        evidence=[
            (
                n,
                checks[n],
                evidence_fields(checks[n].get("evidence") or {}),
                _pretty(checks[n].get("evidence") or {}),
            )
            for n in ordered
        ],
        registry_rows=registry_comparison(verification),
        industry=industry_summary(verification, classifications),
        # Internal notes for those who may read them (a staff user with only the verification's
        # view permission read every note).
        notes=list(
            CaseNote.objects.filter(merchant_id=verification.merchant_id).order_by("-created_at")[
                :50
            ]
        )
        if user.has_perm("verifications.view_casenote")
        else [],
        hits=_hit_rows(verification),
        registry=registry.get("record"),
        website=website,
        classifications=classifications,
        history=_history(verification, user),
        band=risk_band(verification.risk_score),
        sanctions_match=has_sanctions_match(verification),
        can=_permissions(user, verification),
        changed_since_submission=merchant_changes(verification),
    )
