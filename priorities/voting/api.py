"""Read-only API for residents' votes: their turnout while open and their published counts. Never
a ballot: who voted and what they chose stay in the database until retention deletes them."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import PolicyPermission, responses
from priorities.voting import selectors
from priorities.voting.models import Vote, VoteOption
from priorities.voting.permissions import vote_get_for_user


class VoteOptionSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="__str__", read_only=True)
    answer = serializers.CharField(
        read_only=True, help_text="A sign-off poll's answer (yes, partly, no); empty for a proposed priority."
    )

    class Meta:
        model = VoteOption
        fields = ["id", "priority", "answer", "label", "score", "first_preferences", "weighted_score", "is_winner"]
        read_only_fields = fields


class VoteSerializer(serializers.ModelSerializer):
    neighbourhood = serializers.SlugRelatedField(slug_field="code", read_only=True)
    ballots_cast = serializers.IntegerField(read_only=True, help_text="Ballots cast so far.")
    email_ballots_cast = serializers.IntegerField(
        read_only=True,
        help_text="Of the ballots cast so far, those of people who confirmed an email address in the area (not "
        "members): using the link sent to the address is what confirms it.",
    )
    options = VoteOptionSerializer(many=True, read_only=True)

    class Meta:
        model = Vote
        fields = [
            "id", "reference", "neighbourhood", "purpose", "method", "priority", "opens_at", "closes_at",
            "open_to_email_voters", "counted_at", "electorate", "confirmed_email_voters", "voters", "ballots_cast",
            "email_ballots_cast", "weighting", "options",
        ]  # fmt: skip
        extra_kwargs = {
            "open_to_email_voters": {
                "help_text": "Whether anyone who confirms an email address in the area may vote, besides the "
                "neighbourhood's In the Know members."
            },
            "electorate": {
                "help_text": "Who could vote, at the count (null until counted): the members and the people who "
                "confirmed an email address."
            },
            "confirmed_email_voters": {
                "help_text": "Of the electorate, the people who confirmed an email address in the area (null until "
                "counted)."
            },
        }
        read_only_fields = fields


class VoteListApi(generics.ListAPIView):
    """Votes of the neighbourhoods whose priorities you may read, newest first."""

    queryset = Vote.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = VoteSerializer
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    def get_queryset(self):
        return selectors.votes_for_user(user=self.request.user)

    @extend_schema(responses=responses({200: VoteSerializer}, 400, 403, 404))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class VoteDetailApi(APIView):
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    @extend_schema(responses=responses({200: VoteSerializer}, 403, 404))
    def get(self, request, pk: int):
        vote_get_for_user(user=request.user, pk=pk)
        return Response(VoteSerializer(selectors.votes_for_user(user=request.user).get(pk=pk)).data)
