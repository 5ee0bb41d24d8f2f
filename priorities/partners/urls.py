from django.urls import path

from priorities.partners import views

urlpatterns = [
    path("officer/partner/board/", views.board_index, name="partner-board-index"),
    path("officer/partner/neighbourhoods/<slug:code>/board/", views.board, name="partner-board"),
    path("officer/partner/neighbourhoods/<slug:code>/issues/new/", views.issue_raise, name="partner-raise-issue"),
    path("officer/partner/priorities/<int:pk>/offer-action/", views.action_propose, name="partner-offer-action"),
    path("officer/neighbourhoods/<slug:code>/action-offers/", views.proposal_list, name="action-offers"),
    path("officer/action-offers/<int:pk>/accept/", views.proposal_accept, name="action-offer-accept"),
    path("officer/action-offers/<int:pk>/decline/", views.proposal_decline, name="action-offer-decline"),
]
