"""Cache invalidation for single-row classification writes, on commit."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from classifications.cache import classification_cache_invalidate
from classifications.models import Classification


@receiver(post_save, sender=Classification, dispatch_uid="classification_cache_save")
@receiver(post_delete, sender=Classification, dispatch_uid="classification_cache_delete")
def classification_cache_on_change(sender: Any, instance: Classification, **kw: Any) -> None:
    classification_cache_invalidate(business_id=instance.business_id)
