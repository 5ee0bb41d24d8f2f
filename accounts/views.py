from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from accounts import api_tokens, selectors, services
from accounts.forms import ApiTokenForm, EmailAuthenticationForm, TokenForm
from accounts.policy import policy_required
from pact_portal import throttle

PENDING_USER_KEY = "two_factor_pending_user"
PENDING_BACKEND_KEY = "two_factor_pending_backend"
PENDING_NEXT_KEY = "two_factor_pending_next"


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    """Password first; staff who have enrolled a second factor then give a code."""
    next_url = request.POST.get("next") or request.GET.get("next")
    form = EmailAuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if selectors.user_has_two_factor(user=user):
            request.session.cycle_key()
            request.session[PENDING_USER_KEY] = user.pk
            request.session[PENDING_BACKEND_KEY] = user.backend
            request.session[PENDING_NEXT_KEY] = _safe_next(request, next_url)
            return redirect("accounts:login-verify")
        login(request, user)
        return redirect(_safe_next(request, next_url))
    return render(request, "accounts/login.html", {"form": form, "next": next_url or ""})


@login_not_required
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_verify(request):
    """The code after the password; also asked of a signed-in staff member whose session is not yet
    verified when STAFF_REQUIRE_2FA is on (accounts.middleware.StaffTwoFactorMiddleware)."""
    signed_in = request.user.is_authenticated
    if signed_in:
        user = request.user
        if user.is_verified() or not selectors.user_has_two_factor(user=user):
            return redirect(_safe_next(request, request.GET.get("next")))
    else:
        user_pk = request.session.get(PENDING_USER_KEY)
        user = get_user_model().objects.filter(pk=user_pk, is_active=True).first() if user_pk else None
    if user is None:
        messages.info(request, gettext_lazy("Please sign in with your email address and password first."))
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            if signed_in:
                next_url = _safe_next(request, request.GET.get("next"))
            else:
                next_url = request.session.get(PENDING_NEXT_KEY) or reverse(settings.LOGIN_REDIRECT_URL)
                backend = request.session.get(PENDING_BACKEND_KEY)
                for key in (PENDING_USER_KEY, PENDING_BACKEND_KEY, PENDING_NEXT_KEY):
                    request.session.pop(key, None)
                login(request, user, backend=backend)
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("token", CODE_NOT_RIGHT)
    return render(request, "accounts/login_verify.html", {"form": form})


# Django's LogoutView accepts POST only, so a link or image tag cannot sign anyone out.
logout_view = auth_views.LogoutView.as_view()


@require_GET
def home(request):
    """Where signing in lands: staff on their area, residents on the public map."""
    if request.user.is_staff_member:
        return redirect("neighbourhoods:officer-home")
    return redirect("neighbourhoods:public-home")


@require_http_methods(["GET", "POST"])
@policy_required("account.two_factor")
def two_factor(request):
    """Enrol, confirm or remove the TOTP second factor. Confirming verifies this session too; where
    staff must use it (STAFF_REQUIRE_2FA) it cannot be turned off here, only reset by an administrator."""
    user = request.user
    confirmed = selectors.two_factor_device(user=user, confirmed=True)
    required = selectors.two_factor_required(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        if confirmed is not None:
            if required:
                form.add_error(None, TWO_FACTOR_CANNOT_BE_OFF)
            elif services.two_factor_disable(user=user, token=token):
                messages.success(
                    request, gettext_lazy("Two-step sign-in is off. You now sign in with your password only.")
                )
                return redirect("accounts:two-factor")
        elif services.two_factor_confirm(user=user, token=token):
            otp_login(request, selectors.two_factor_device(user=user, confirmed=True))
            messages.success(
                request, gettext_lazy("Two-step sign-in is on. You will be asked for a code each time you sign in.")
            )
            return redirect(
                _safe_next(request, request.GET.get("next")) if request.GET.get("next") else "accounts:two-factor"
            )
        if not form.errors:
            form.add_error("token", CODE_NOT_RIGHT)
    context = {"form": form, "confirmed": confirmed, "required": required}
    if confirmed is None:
        pending = selectors.two_factor_device(user=user, confirmed=False)
        if pending is None:
            pending = services.two_factor_begin(user=user)
        context.update(
            qr_svg=selectors.totp_qr_svg(device=pending), manual_key=selectors.totp_manual_key(device=pending)
        )
    return render(request, "accounts/two_factor.html", context)


CODE_NOT_RIGHT = gettext_lazy("That code is not right or has expired. Codes change every 30 seconds.")
TWO_FACTOR_CANNOT_BE_OFF = gettext_lazy(
    "Staff must use two-step sign-in here, so it cannot be turned off. To move it to a new device, "
    "ask a system administrator to reset it."
)


RESETS_PER_ADDRESS_PER_HOUR = 10
RESETS_PER_EMAIL_PER_HOUR = 3
RESETS_THROTTLED = gettext_lazy(
    "We have had several password reset requests from you or for this address in the last hour. Try again later."
)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, limited per client address and per email address (each request sent an
    email, so anyone could flood an officer's inbox), with the email sent after the response."""

    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip()
        counters = [
            (throttle.address_key(self.request, "password-reset"), RESETS_PER_ADDRESS_PER_HOUR),
            (throttle.contact_key("password-reset", email), RESETS_PER_EMAIL_PER_HOUR),
        ]
        if throttle.throttled(counters):
            form.add_error(None, RESETS_THROTTLED)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        throttle.count(counters)
        site = get_current_site(self.request)
        services.password_reset_request(
            email=email,
            domain=site.domain,
            site_name=site.name,
            use_https=self.request.is_secure(),
            language=get_language(),
        )
        return redirect(self.success_url)


password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password-reset-complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change_form.html", success_url=reverse_lazy("accounts:password-change-done")
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")


# --- API tokens -------------------------------------------------------------------------------


def _api_token_page(request, *, form, new_key: str = "", status: int = 200):
    context = {
        "tokens": api_tokens.api_tokens_of(user=request.user),
        "form": form,
        "new_key": new_key,
        "ttl_days": settings.API_TOKEN_TTL_DAYS,
    }
    return render(request, "accounts/api_tokens.html", context, status=status)


@require_GET
@never_cache
@policy_required("staff.dashboard")
def api_token(request):
    """The staff member's REST API tokens: when each was made, expires and was last used."""
    return _api_token_page(request, form=ApiTokenForm())


@require_POST
@never_cache
@policy_required("staff.dashboard")
def api_token_create(request):
    """Make a named token and show its key on this response only: the database keeps a digest, and
    the page never shows the key again, so it is not left on screen or in the browser's history."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            _token, key = api_tokens.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _api_token_page(request, form=ApiTokenForm(), new_key=key)
    return _api_token_page(request, form=form)


@require_POST
@policy_required("staff.dashboard")
def api_token_revoke(request, pk: int):
    token = api_tokens.api_token_get_for_user(user=request.user, pk=pk)
    api_tokens.api_token_revoke(token=token)
    messages.success(
        request,
        gettext_lazy("The token “%(name)s” is revoked: scripts using it are refused from now on.")
        % {"name": token.name},
    )
    return redirect("accounts:api-token")


@require_POST
@policy_required("staff.dashboard")
def api_token_revoke_all(request):
    if api_tokens.api_token_revoke_all(user=request.user):
        messages.success(
            request, gettext_lazy("All your tokens are revoked: scripts using them are refused from now on.")
        )
    return redirect("accounts:api-token")
