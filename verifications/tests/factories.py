"""factory_boy factories for verifications and pipeline jobs."""

from __future__ import annotations

import factory

from kyb.queues import Queue
from merchants.tests.factories import MerchantFactory
from verifications.models import BusinessVerification, JobKind, PipelineJob


class BusinessVerificationFactory(factory.django.DjangoModelFactory[BusinessVerification]):
    class Meta:
        model = BusinessVerification

    merchant = factory.SubFactory(MerchantFactory)
    integrator = factory.SelfAttribute("merchant.integrator")


class PipelineJobFactory(factory.django.DjangoModelFactory[PipelineJob]):
    class Meta:
        model = PipelineJob

    kind = JobKind.VERIFICATION
    subject_id = factory.LazyFunction(lambda: str(BusinessVerificationFactory.create().id))
    queue = Queue.VERIFICATIONS.value
