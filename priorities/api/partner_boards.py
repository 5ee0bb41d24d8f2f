"""A partner agency user's priority boards over the API: the neighbourhoods they work with, and for
each the fields their board page shows: the public text, every agency's published actions (and their
own agency's unpublished ones) with their status, the text marked for partners, and their agency's
offers. Never the police's restricted text: the serializers name their fields one by one, and the
board's selector does not even load the restricted columns (priorities.partners.selectors)."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import PolicyPermission, ReadModelSerializer, responses
from neighbourhoods.models import Neighbourhood
from priorities.models import Action, Priority
from priorities.partners import selectors
from priorities.partners.models import ActionProposal

# --- serializers ------------------------------------------------------------------------------


class PartnerBoardNeighbourhoodSerializer(ReadModelSerializer):
    """A neighbourhood whose board you read: its code names the board."""

    class Meta:
        model = Neighbourhood
        fields = ["code", "name"]
        read_only_fields = fields


class PartnerBoardActionSerializer(ReadModelSerializer):
    """An action of the plan, whichever agency owns it, with its status (never its update log)."""

    owner = serializers.CharField(source="owner_label", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Action
        fields = ["id", "description", "owner", "due_date", "status", "is_overdue"]
        read_only_fields = fields


class PartnerBoardOfferSerializer(ReadModelSerializer):
    """An action the partner's agency offered, and the team's answer."""

    class Meta:
        model = ActionProposal
        fields = ["id", "description", "due_date", "status", "decline_reason"]
        read_only_fields = fields


class PartnerBoardPrioritySerializer(ReadModelSerializer):
    """A priority as the partners' board shows it: public text, actions, text marked for partners."""

    actions = PartnerBoardActionSerializer(many=True, read_only=True, source="partner_actions")
    offers = PartnerBoardOfferSerializer(many=True, read_only=True, source="agency_proposals")
    can_offer = serializers.BooleanField(read_only=True, help_text="Whether your agency may offer an action on it.")

    class Meta:
        model = Priority
        # Named one by one: a field added to Priority stays off the partners' API until someone
        # decides it belongs here. The restricted evidence and notes never do.
        fields = [
            "id", "title", "state", "category", "review_date", "public_problem", "public_update",
            "public_outcome", "partner_notes", "actions", "offers", "can_offer",
        ]  # fmt: skip
        read_only_fields = fields


class PartnerBoardSerializer(serializers.Serializer):
    neighbourhood = PartnerBoardNeighbourhoodSerializer(read_only=True)
    priorities = PartnerBoardPrioritySerializer(many=True, read_only=True)


# --- views ------------------------------------------------------------------------------------


def _partner_neighbourhoods(user) -> list[Neighbourhood]:
    """The neighbourhoods whose boards the user reads; anyone with none is refused (403)."""
    neighbourhoods = selectors.partner_neighbourhoods(user=user)
    if not neighbourhoods:
        raise PermissionDenied
    return neighbourhoods


class PartnerBoardListApi(generics.ListAPIView):
    """The neighbourhoods whose priority boards you read as a partner agency user."""

    queryset = Neighbourhood.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = PartnerBoardNeighbourhoodSerializer
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    def get_queryset(self):
        return _partner_neighbourhoods(self.request.user)

    @extend_schema(responses=responses({200: PartnerBoardNeighbourhoodSerializer}, 400, 403, 404))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PartnerBoardDetailApi(APIView):
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    @extend_schema(responses=responses({200: PartnerBoardSerializer}, 403, 404))
    def get(self, request, code: str):
        """One neighbourhood's board: its current priorities and those closed in the last 90 days,
        as the board page shows them."""
        neighbourhood = next((n for n in _partner_neighbourhoods(request.user) if n.code == code), None)
        if neighbourhood is None:
            raise NotFound("No such neighbourhood among those you work with.")
        rows = selectors.partner_board(neighbourhood=neighbourhood, user=request.user)
        for row in rows:
            row.priority.can_offer = row.can_propose
        board = {"neighbourhood": neighbourhood, "priorities": [row.priority for row in rows]}
        return Response(PartnerBoardSerializer(board).data)
