from django.urls import path

from priorities.tasking import views

urlpatterns = [
    path("officer/tasking/", views.tasking_index, name="tasking"),
    path("officer/tasking/divisions/<slug:code>/", views.tasking_queue, name="tasking-queue"),
    path("officer/tasking/divisions/<slug:code>/agendas/new/", views.agenda_create, name="tasking-agenda-create"),
    path("officer/tasking/agendas/<int:pk>/", views.agenda_detail, name="tasking-agenda"),
    path("officer/tasking/agendas/<int:pk>/fill/", views.agenda_fill, name="tasking-agenda-fill"),
    path("officer/tasking/agendas/<int:pk>/pack/", views.agenda_pack, name="tasking-pack"),
    path("officer/tasking/agendas/<int:pk>/pack.pdf", views.agenda_pack_pdf, name="tasking-pack-pdf"),
    path("officer/tasking/items/<int:pk>/decide/", views.item_decide, name="tasking-decide"),
]
