"""factory_boy factories for classifications."""

from __future__ import annotations

import factory

from classifications.models import Classification, CodeSystem
from merchants.tests.factories import MerchantFactory


class ClassificationFactory(factory.django.DjangoModelFactory[Classification]):
    class Meta:
        model = Classification

    business = factory.SubFactory(MerchantFactory)
    code_system = CodeSystem.MCC
    code = "5651"
    description = "Family Clothing Stores"
    confidence = 0.8
    rank = 1
    model_version = "test"
