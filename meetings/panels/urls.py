from django.urls import path

from meetings.panels import views

urlpatterns = [
    path("officer/panels/", views.panel_list, name="panel-list"),
    path("officer/panels/new/", views.panel_create, name="panel-create"),
    path("officer/panels/<int:pk>/", views.panel_detail, name="panel-detail"),
    path("officer/panels/<int:pk>/edit/", views.panel_edit, name="panel-edit"),
    path("officer/panels/<int:pk>/members/new/", views.member_add, name="panel-member-add"),
    path("officer/panels/members/<int:pk>/edit/", views.member_edit, name="panel-member-edit"),
    path("officer/meetings/<int:pk>/agenda/prefill/", views.agenda_prefill, name="agenda-prefill"),
    path("officer/meetings/<int:pk>/agenda/add/", views.agenda_item_add, name="agenda-item-add"),
    path("officer/meetings/agenda-items/<int:pk>/edit/", views.agenda_item_edit, name="agenda-item-edit"),
    path("officer/meetings/agenda-items/<int:pk>/move/", views.agenda_item_move, name="agenda-item-move"),
    path("officer/meetings/agenda-items/<int:pk>/remove/", views.agenda_item_remove, name="agenda-item-remove"),
    path("officer/meetings/<int:pk>/pack/", views.meeting_pack, name="pack"),
    path("officer/meetings/<int:pk>/pack.pdf", views.meeting_pack_pdf, name="pack-pdf"),
]

public_urlpatterns = [
    path("neighbourhoods/<slug:code>/panel/", views.public_panel, name="public-panel"),
]
