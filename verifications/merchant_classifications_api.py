"""``/api/v1/merchants/{id}/classifications``: a merchant's latest industry codes. It lives here
because it joins two apps: ``verifications`` may use both ``merchants`` and ``classifications``,
while neither of them imports the other."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from classifications.cache import classification_latest_data
from kyb.api.auth import request_integrator, request_livemode
from kyb.api.schema import ERRORS, ClassificationListSerializer
from merchants.selectors import merchant_get_data


class MerchantClassificationsApi(APIView):
    @extend_schema(
        operation_id="merchants_classifications",
        responses={200: ClassificationListSerializer, **ERRORS},
    )
    def get(self, request: Request, merchant_id: uuid.UUID) -> Response:
        merchant = merchant_get_data(  # tenancy and mode
            integrator=request_integrator(request),
            livemode=request_livemode(request),
            merchant_id=merchant_id,
        )
        codes = classification_latest_data(business_id=merchant_id)
        return Response({"livemode": merchant["livemode"], **codes})
