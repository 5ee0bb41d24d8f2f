"""Answering surveys (public) and sending written answers to the triage queue (staff)."""

from django.urls import path

from surveys.respond import views as views_respond

urlpatterns = [
    path("surveys/r/<uuid:token>/", views_respond.respond, name="respond"),
    path("surveys/<uuid:reference>/", views_respond.open_survey, name="open"),
    path("surveys/<uuid:reference>/thanks/", views_respond.thanks, name="thanks"),
    path("officer/surveys/<int:pk>/text-answers/", views_respond.text_answers, name="text-answers"),
    path(
        "officer/surveys/<int:pk>/text-answers/<int:answer_pk>/issue/",
        views_respond.text_answer_issue,
        name="text-answer-issue",
    ),
]
