"""factory_boy factories for merchants (integrators and keys: kyb/tenancy/tests/factories.py,
re-exported here for the many tests that build a merchant with its integrator)."""

from __future__ import annotations

import factory

from kyb.tenancy.tests.factories import ApiKeyFactory, IntegratorFactory, api_key_with_secret
from merchants.models import Merchant

__all__ = ["ApiKeyFactory", "IntegratorFactory", "MerchantFactory", "api_key_with_secret"]


class MerchantFactory(factory.django.DjangoModelFactory[Merchant]):
    class Meta:
        model = Merchant

    integrator = factory.SubFactory(IntegratorFactory)
    external_id = factory.Sequence(lambda n: f"ext-{n}")
    legal_name = factory.Sequence(lambda n: f"Acme Trading {n} Ltd")
    country = "GB"
    registration_number = "09446231"
    website = "https://example.com"
    email = "ops@example.com"
    description = "Online retailer of outdoor clothing"
