"""The REST API. DRF's own permission classes guard every endpoint, so the site-wide
LoginRequiredMiddleware is lifted here: an anonymous API call gets a 403 JSON body, not a
redirect to the login page."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from meetings import api as meetings_api
from meetings.panels import api as panels_api
from messaging import api as messaging_api
from neighbourhoods import api as neighbourhoods_api
from priorities.api import partner_boards as partner_boards_api
from priorities.api import views as priorities_api
from priorities.tasking import api as tasking_api
from priorities.voting import api as voting_api
from reports import api as reports_api
from surveys import api as surveys_api


def api_view(view_class):
    return login_not_required(view_class.as_view())


@csrf_exempt
@login_not_required
def not_found(request, resource):
    """A path under one of the API's resources that matches no endpoint (an id that is not a
    number, a step that does not exist) answers as the endpoints do: JSON, not an HTML page."""
    return JsonResponse({"detail": "Not found."}, status=404)


# The API's own resources (police.uk, the schema and its UI live elsewhere under /api/).
RESOURCES = (
    "neighbourhoods|wards|meetings|panels|priorities|actions|issues|votes|tasking|partner-boards|alerts|subscribers"
    "|surveys|returns"
)


urlpatterns = [
    # Geography
    path("neighbourhoods/", api_view(neighbourhoods_api.NeighbourhoodListApi), name="api-neighbourhood-list"),
    path(
        "neighbourhoods/<slug:code>/",
        api_view(neighbourhoods_api.NeighbourhoodDetailApi),
        name="api-neighbourhood-detail",
    ),
    path("wards/", api_view(neighbourhoods_api.WardListApi), name="api-ward-list"),
    # Before wards/<code>/, which "locate" would otherwise match.
    path("wards/locate/", api_view(neighbourhoods_api.WardLocateApi), name="api-ward-locate"),
    path("wards/<str:code>/", api_view(neighbourhoods_api.WardDetailApi), name="api-ward-detail"),
    # Meetings
    path("meetings/", api_view(meetings_api.MeetingListApi), name="api-meeting-list"),
    path("meetings/<int:pk>/", api_view(meetings_api.MeetingDetailApi), name="api-meeting-detail"),
    path("meetings/<int:pk>/publish/", api_view(meetings_api.MeetingPublishApi), name="api-meeting-publish"),
    path("meetings/<int:pk>/cancel/", api_view(meetings_api.MeetingCancelApi), name="api-meeting-cancel"),
    path("panels/", api_view(panels_api.PanelListApi), name="api-panel-list"),
    path("panels/<int:pk>/", api_view(panels_api.PanelDetailApi), name="api-panel-detail"),
    # Priorities, their actions and the issues behind them
    path("priorities/", api_view(priorities_api.PriorityListApi), name="api-priority-list"),
    path("priorities/<int:pk>/", api_view(priorities_api.PriorityDetailApi), name="api-priority-detail"),
    *(
        path(f"priorities/<int:pk>/{step}/", api_view(view), name=f"api-priority-{step}")
        for step, view in priorities_api.TRANSITION_APIS.items()
    ),
    path("priorities/<int:pk>/actions/", api_view(priorities_api.ActionCreateApi), name="api-priority-action-add"),
    path("votes/", api_view(voting_api.VoteListApi), name="api-vote-list"),
    path("votes/<int:pk>/", api_view(voting_api.VoteDetailApi), name="api-vote-detail"),
    path("actions/", api_view(priorities_api.ActionListApi), name="api-action-list"),
    path("actions/<int:pk>/", api_view(priorities_api.ActionDetailApi), name="api-action-detail"),
    path("actions/<int:pk>/updates/", api_view(priorities_api.ActionUpdateCreateApi), name="api-action-update"),
    path("issues/", api_view(priorities_api.IssueListApi), name="api-issue-list"),
    path("issues/<int:pk>/", api_view(priorities_api.IssueDetailApi), name="api-issue-detail"),
    # Divisional tasking, and partner agencies' boards
    path("tasking/agendas/", api_view(tasking_api.TaskingAgendaListApi), name="api-tasking-agenda-list"),
    path("tasking/agendas/<int:pk>/", api_view(tasking_api.TaskingAgendaDetailApi), name="api-tasking-agenda-detail"),
    path("tasking/queues/", api_view(tasking_api.TaskingQueueListApi), name="api-tasking-queue-list"),
    path("tasking/items/<int:pk>/decision/", api_view(tasking_api.TaskingDecisionApi), name="api-tasking-decide"),
    path("partner-boards/", api_view(partner_boards_api.PartnerBoardListApi), name="api-partner-board-list"),
    path(
        "partner-boards/<slug:code>/",
        api_view(partner_boards_api.PartnerBoardDetailApi),
        name="api-partner-board-detail",
    ),
    # In the Know
    path("alerts/", api_view(messaging_api.AlertListApi), name="api-alert-list"),
    path("alerts/<int:pk>/", api_view(messaging_api.AlertDetailApi), name="api-alert-detail"),
    path("subscribers/", api_view(messaging_api.SubscriberListApi), name="api-subscriber-list"),
    path("subscribers/wards/", api_view(messaging_api.SubscriberWardCountsApi), name="api-subscriber-wards"),
    # Surveys
    path("surveys/", api_view(surveys_api.SurveyListApi), name="api-survey-list"),
    path("surveys/<int:pk>/", api_view(surveys_api.SurveyDetailApi), name="api-survey-detail"),
    path("surveys/<int:pk>/results/", api_view(surveys_api.SurveyResultsApi), name="api-survey-results"),
    # Highlight and headline returns
    path("returns/", api_view(reports_api.ReturnListApi), name="api-return-list"),
    path("returns/<int:pk>/", api_view(reports_api.ReturnDetailApi), name="api-return-detail"),
    re_path(rf"^(?P<resource>{RESOURCES})/", not_found),
]
