"""Cache invalidation for merchants, on commit."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kyb.cache import invalidate_on_commit
from merchants.models import Merchant
from merchants.selectors import MERCHANT_NAMESPACE


@receiver(post_save, sender=Merchant, dispatch_uid="merchant_cache_save")
@receiver(post_delete, sender=Merchant, dispatch_uid="merchant_cache_delete")
def merchant_cache_invalidate(sender: Any, instance: Merchant, **kwargs: Any) -> None:
    if kwargs.get("created"):
        return  # a new row: nothing can be cached under an id nobody has seen yet
    invalidate_on_commit(MERCHANT_NAMESPACE, instance.pk)
