"""Cache invalidation for verifications, on commit."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kyb.cache import invalidate_on_commit
from verifications.models import BusinessVerification
from verifications.selectors import VERIFICATION_NAMESPACE


@receiver(post_save, sender=BusinessVerification, dispatch_uid="verification_cache_save")
@receiver(post_delete, sender=BusinessVerification, dispatch_uid="verification_cache_delete")
def verification_cache_invalidate(sender: Any, instance: BusinessVerification, **kw: Any) -> None:
    if kw.get("created"):
        return  # a new row: nothing can be cached under an id nobody has seen yet
    invalidate_on_commit(VERIFICATION_NAMESPACE, instance.pk)
