"""Staff pages for the highlight and headline return: the list, each return and its steps, its
exports, and HQ's status page and force roll-up."""

from django.urls import path

from reports import views
from reports.scorecard import views as scorecard_views

app_name = "reports"

urlpatterns = [
    path("officer/returns/", views.return_list, name="list"),
    path("officer/returns/new/", views.return_start, name="start"),
    path("officer/returns/status/", views.force_status, name="status"),
    path("officer/returns/rollup/", views.force_rollup, name="rollup"),
    path("officer/returns/rollup/export/<slug:fmt>/", views.force_rollup_export, name="rollup-export"),
    path("officer/returns/<int:pk>/", views.return_detail, name="detail"),
    path("officer/returns/<int:pk>/narrative/", views.return_narrative, name="narrative"),
    path("officer/returns/<int:pk>/pin/", views.return_pin, name="pin"),
    path("officer/returns/<int:pk>/delegates/", views.return_delegates, name="delegates"),
    path("officer/returns/<int:pk>/submit/", views.return_submit, name="submit"),
    path("officer/returns/<int:pk>/reopen/", views.return_reopen, name="reopen"),
    path("officer/returns/<int:pk>/print/", views.return_print, name="print"),
    path("officer/returns/<int:pk>/export/<slug:fmt>/", views.return_export, name="export"),
    # The engagement scorecard (issue 19) and the figures only people can give it.
    path("officer/scorecard/figures/<slug:kind>/", scorecard_views.figures, name="scorecard-figures"),
    path("officer/scorecard/figures/<slug:kind>/import/", scorecard_views.figures_import, name="scorecard-import"),
    path("officer/scorecard/platform-import/", scorecard_views.platform_import, name="scorecard-import-platform"),
    path("officer/scorecard/appeals/", scorecard_views.appeals, name="scorecard-appeals"),
    path("officer/scorecard/appeals/<int:pk>/", scorecard_views.appeal_outcome, name="scorecard-appeal-outcome"),
    path("officer/scorecard/", scorecard_views.scorecard_home, name="scorecard"),
    path("officer/scorecard/force/", scorecard_views.scorecard_force, name="scorecard-force"),
    path("officer/scorecard/force/<slug:fmt>/", scorecard_views.scorecard_force, name="scorecard-force-export"),
    path("officer/scorecard/divisions/<slug:code>/", scorecard_views.scorecard_division, name="scorecard-division"),
    path(
        "officer/scorecard/divisions/<slug:code>/<slug:fmt>/",
        scorecard_views.scorecard_division,
        name="scorecard-division-export",
    ),
    path(
        "officer/scorecard/neighbourhoods/<slug:code>/",
        scorecard_views.scorecard_neighbourhood,
        name="scorecard-neighbourhood",
    ),
    path(
        "officer/scorecard/neighbourhoods/<slug:code>/<slug:fmt>/",
        scorecard_views.scorecard_neighbourhood,
        name="scorecard-neighbourhood-export",
    ),
]
