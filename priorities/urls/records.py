"""Staff pages for priorities: the EPIC record and its steps, the board, partners' actions and the briefing."""

from django.urls import path

from priorities.views import records

urlpatterns = [
    path("officer/priorities/<int:pk>/", records.priority_detail, name="detail"),
    path("officer/priorities/<int:pk>/edit/", records.priority_edit, name="edit"),
    path("officer/priorities/<int:pk>/actions/new/", records.action_add, name="action-add"),
    # After "edit/": the verb is checked against services.TRANSITIONS (404 for anything else).
    path("officer/priorities/<int:pk>/<slug:verb>/", records.priority_transition, name="transition"),
    path("officer/actions/<int:pk>/update/", records.action_update, name="action-update"),
    path("officer/neighbourhoods/<slug:code>/priorities/", records.board, name="board"),
    path("officer/partner/actions/", records.partner_actions, name="partner-actions"),
    path("officer/briefing/", records.briefing_index, name="briefing"),
    path("officer/briefing/divisions/<slug:code>/", records.briefing_division, name="briefing-division"),
    path("officer/briefing/neighbourhoods/<slug:code>/", records.briefing_neighbourhood, name="briefing-neighbourhood"),
]
