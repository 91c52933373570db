"""Read-only REST API of alerts for integrations (a ticketing system, a chat bot), and one
verdict endpoint so an integration can close an alert it handled.

Querysets come from ``anomalies.selectors``: a scoped planner's token lists only the alerts
in their scope, and an alert outside it answers 404. Verdicts go through
``anomalies.verdicts`` with the version the integration read (a stale one answers 409 with
the alert as it is now).
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.roles import PLANNING_ROLES
from anomalies import selectors, verdicts
from anomalies.models import Alert, AlertKind, AlertStatus, DismissReason, Severity
from masterdata.api import ScopedReadViewSet


class AlertSerializer(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code", default=None)
    warehouse = serializers.CharField(source="warehouse.code", default=None)
    sku = serializers.CharField(source="sku.code", default=None)
    owner = serializers.CharField(source="owner.username", default=None)

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "metric",
            "store",
            "warehouse",
            "sku",
            "supplier",
            "start_date",
            "end_date",
            "expected",
            "expected_low",
            "expected_high",
            "actual",
            "units_at_stake",
            "value_at_stake",
            "stockout_risk",
            "score",
            "severity",
            "detectors",
            "summary",
            "suggested_cause",
            "what_to_check",
            "suppressed",
            "status",
            "owner",
            "dismiss_reason",
            "closed_at",
            "version",
            "created_at",
            "updated_at",
        ]


class AlertFilterSerializer(serializers.Serializer):
    """Query parameters of the list; bad values answer 400 with the reason."""

    status = serializers.ChoiceField(choices=AlertStatus.choices, required=False)
    kind = serializers.ChoiceField(choices=AlertKind.choices, required=False)
    min_severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    store = serializers.CharField(required=False, help_text="Store code.")
    sku = serializers.CharField(required=False, help_text="SKU code.")
    held_back = serializers.BooleanField(required=False, default=False)


class VerdictSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=["confirm", "dismiss"])
    version = serializers.IntegerField(min_value=1)
    dismiss_reason = serializers.ChoiceField(choices=DismissReason.choices, required=False)

    def validate(self, data):
        if data["verdict"] == "dismiss" and not data.get("dismiss_reason"):
            raise serializers.ValidationError({"dismiss_reason": "A dismissal needs a reason."})
        return data


ALERT_FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=AlertStatus.values),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=AlertKind.values),
    OpenApiParameter("min_severity", OpenApiTypes.INT, enum=Severity.values),
    OpenApiParameter("store", OpenApiTypes.STR, description="Store code."),
    OpenApiParameter("sku", OpenApiTypes.STR, description="SKU code."),
    OpenApiParameter(
        "held_back", OpenApiTypes.BOOL, description="Alerts the alert policy held back."
    ),
]


@extend_schema_view(list=extend_schema(parameters=ALERT_FILTERS))
class AlertViewSet(ScopedReadViewSet):
    """Alerts in scope, most severe and newest first; ``verdict`` closes one."""

    serializer_class = AlertSerializer
    allowed_roles = PLANNING_ROLES

    def get_queryset(self):
        if self.action != "list":
            return selectors.alerts_in_scope(self.scope)
        params = AlertFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        alerts = selectors.inbox_alerts(self.scope, held_back=data["held_back"])
        if data.get("status"):
            alerts = alerts.filter(status=data["status"])
        if data.get("kind"):
            alerts = alerts.filter(kind=data["kind"])
        if data.get("min_severity"):
            alerts = alerts.filter(severity__gte=data["min_severity"])
        if data.get("store"):
            alerts = alerts.filter(store__code=data["store"])
        if data.get("sku"):
            alerts = alerts.filter(sku__code=data["sku"])
        return alerts.order_by("-severity", "-start_date", "pk")

    @extend_schema(request=VerdictSerializer, responses={200: AlertSerializer})
    @action(detail=True, methods=["post"])
    def verdict(self, request, pk=None):
        """Confirm or dismiss (with a reason) the alert, from the ``version`` last read."""
        body = VerdictSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        common = {"scope": self.scope, "alert_id": int(pk), "version": data["version"]}
        try:
            if data["verdict"] == "confirm":
                verdicts.alert_confirm(**common, user=request.user)
            else:
                verdicts.alert_dismiss(**common, user=request.user, reason=data["dismiss_reason"])
        except Alert.DoesNotExist:
            raise Http404("No such alert in your scope.") from None
        except verdicts.StaleAlert as stale:
            current = AlertSerializer(selectors.alert_detail(self.scope, stale.alert.pk)).data
            return Response(
                {"detail": str(stale), "alert": current}, status=status.HTTP_409_CONFLICT
            )
        except verdicts.VerdictRefused as refused:
            return Response({"detail": str(refused)}, status=status.HTTP_400_BAD_REQUEST)
        alert = selectors.alert_detail(self.scope, int(pk))
        return Response(AlertSerializer(alert).data)
