"""Staff pages for Open311 API keys: HQ and system administrators issue a key to a reporting app
and revoke it when the app is retired or the key leaks."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.policy import policy_required
from pact_portal import text
from pact_portal.forms import form_add_service_errors
from priorities.selectors import open311 as selectors
from priorities.services import open311 as services


class ApiKeyIssueForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        validators=[text.single_line],
        label=gettext_lazy("Who is the key for?"),
        help_text=gettext_lazy(
            "The app or organisation, e.g. “FixMyStreet (mySociety)”. It is shown in the list, not to residents."
        ),
        error_messages={"required": gettext_lazy("Name the app or organisation the key is for.")},
    )
    force = forms.ModelChoiceField(
        queryset=None, empty_label=gettext_lazy("Choose a force"), label=gettext_lazy("Force")
    )

    def __init__(self, *args, forces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = forces
        # Most users issue keys for their own force only: there is no choice to offer.
        choices = list(forces)
        if len(choices) == 1:
            self.fields["force"].initial = choices[0].pk
            self.fields["force"].widget = forms.HiddenInput()


@never_cache  # The page shows a new key's secret once; no cache may keep a copy.
@require_http_methods(["GET", "POST"])
@policy_required("open311.manage_keys")
def key_list(request):
    forces = selectors.forces_for_key_issue(user=request.user)
    form = ApiKeyIssueForm(request.POST or None, forces=forces)
    issued, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            key, secret = services.open311_api_key_issue(
                actor=request.user, force=form.cleaned_data["force"], name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            issued = {"key": key, "secret": secret}
            form = ApiKeyIssueForm(forces=forces)
    if form.errors:
        status = 400
    context = {
        "form": form,
        "keys": selectors.api_keys_for_user(user=request.user),
        "issued": issued,
        "several_forces": not isinstance(form.fields["force"].widget, forms.HiddenInput),
    }
    return render(request, "priorities/open311_keys.html", context, status=status)


@require_http_methods(["GET", "POST"])
@policy_required("open311.manage_keys")
def key_revoke(request, pk):
    key = selectors.api_key_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.open311_api_key_revoke(api_key=key, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The key for %(name)s (%(prefix)s) is revoked: it stops working at once.")
                % {"name": key.name, "prefix": key.prefix},
            )
        return redirect("priorities:open311-keys")
    return render(request, "priorities/open311_key_revoke.html", {"key": key})
