"""Staff pages for building and sending surveys, under officer/surveys/."""

from django.urls import path

from surveys.build import views
from surveys.translations import views as translation_views

urlpatterns = [
    path("officer/surveys/", views.survey_list, name="list"),
    path("officer/surveys/new/", views.survey_create, name="create"),
    path("officer/surveys/<int:pk>/", views.survey_detail, name="detail"),
    path("officer/surveys/<int:pk>/edit/", views.survey_edit, name="edit"),
    path("officer/surveys/<int:pk>/open/", views.survey_open, name="open-survey"),
    path("officer/surveys/<int:pk>/close/", views.survey_close, name="close-survey"),
    path("officer/surveys/<int:pk>/send/", views.survey_send, name="send"),
    path("officer/surveys/<int:pk>/translations/", translation_views.survey_translations, name="translations"),
    path("officer/surveys/<int:pk>/sections/add/", views.section_add, name="section-add"),
    path("officer/surveys/<int:pk>/sections/<int:section_pk>/edit/", views.section_edit, name="section-edit"),
    path(
        "officer/surveys/<int:pk>/sections/<int:section_pk>/move/<str:direction>/",
        views.section_move,
        name="section-move",
    ),
    path("officer/surveys/<int:pk>/sections/<int:section_pk>/delete/", views.section_delete, name="section-delete"),
    path("officer/surveys/<int:pk>/questions/add/", views.question_add, name="question-add"),
    path("officer/surveys/<int:pk>/questions/bank/", views.question_add_from_bank, name="question-add-from-bank"),
    path("officer/surveys/<int:pk>/questions/<int:question_pk>/edit/", views.question_edit, name="question-edit"),
    path(
        "officer/surveys/<int:pk>/questions/<int:question_pk>/translations/",
        translation_views.question_translations,
        name="question-translations",
    ),
    path(
        "officer/surveys/<int:pk>/questions/<int:question_pk>/move/<str:direction>/",
        views.question_move,
        name="question-move",
    ),
    path("officer/surveys/<int:pk>/questions/<int:question_pk>/delete/", views.question_delete, name="question-delete"),
]
