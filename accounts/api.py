from rest_framework.permissions import BasePermission

from accounts.policy import can


class PolicyPermission(BasePermission):
    """DRF face of the policy module: a view names its actions, the policy decides.

    `policy_action` is checked for the view as a whole (no object), `object_policy_action`
    for each object the view returns.
    """

    def has_permission(self, request, view):
        action = getattr(view, "policy_action", None)
        return action is None or can(request.user, action)

    def has_object_permission(self, request, view, obj):
        action = getattr(view, "object_policy_action", None)
        return action is None or can(request.user, action, obj)
