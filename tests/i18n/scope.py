"""Which files are resident-facing and already translated: the one list the i18n tests read.

Add a pattern here when a page is converted. tests/i18n/test_i18n_templates.py then fails on any English
left outside a translation tag in its templates, and tests/i18n/test_i18n_catalogues.py requires every
string those files give the catalogues to be translated (not fuzzy) in each COMPLETE_LANGUAGES catalogue.

Not here: the staff pages, which may stay in English. Their strings are marked all the same
(test_i18n_templates reads every template), so a force that wants them translated only fills in
the catalogues.
"""

from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

# Patterns relative to the project folder (pathlib glob syntax).
RESIDENT_TEMPLATES = [
    "templates/base.html",
    "templates/403.html",
    "templates/404.html",
    "templates/500.html",
    "templates/includes/*.html",
    "templates/neighbourhoods/public_home.html",
    "templates/neighbourhoods/_search_results.html",
    "templates/neighbourhoods/locate_not_found.html",
    "templates/neighbourhoods/neighbourhood_detail.html",
    "templates/meetings/public_*.html",
    "templates/meetings/_public_*.html",
    "templates/meetings/panels/public_panel.html",
    "templates/meetings/panels/_public_register.html",
    "templates/surveys/respond/*.html",
    "templates/priorities/voting/ballot*.html",
    "templates/priorities/voting/result.html",
    "templates/priorities/voting/public_list.html",
    "templates/priorities/voting/email_ballot_request.html",
    "templates/priorities/voting/_result_table.html",
    "templates/priorities/voting/_weighting.html",
    "templates/accounts/login.html",
    "templates/accounts/login_verify.html",
    "templates/accounts/locked_out.html",
    "templates/accounts/password_reset_*.html",
    "templates/accounts/emails/password_reset_*",
    # In the Know: what reaches a member in their own language (alerts' frame, confirmations, the
    # manage link) and the pages their own links open, sign-up and manage included.
    "templates/messaging/emails/alert_*",
    "templates/messaging/emails/confirm_email_*",
    "templates/messaging/subscribe/emails/manage_link_*",
    "templates/messaging/subscribe/unsubscribe.html",
    "templates/messaging/subscribe/confirmed.html",
    "templates/messaging/subscribe/link_not_found.html",
    "templates/messaging/subscribe/manage_link_stale.html",
    "templates/messaging/subscribe/confirm_*.html",
    "templates/messaging/subscribe/manage_request*.html",
    "templates/messaging/subscribe/erase*.html",
    "templates/messaging/feedback/*.html",
    "templates/messaging/subscribe/signup.html",
    "templates/messaging/subscribe/signup_done.html",
    "templates/messaging/subscribe/manage.html",
    "templates/messaging/subscribe/_membership_fields.html",
    "templates/messaging/subscribe/_self_description.html",
    # Replies: the advice sent to a member whose reply was urgent, and the team's answers.
    "templates/messaging/emails/urgent_advice_*",
    "templates/messaging/emails/reply_answer_*",
    # Priorities: the public pages, following one by email, and raising a concern online.
    "templates/priorities/public_*.html",
    "templates/priorities/_public_*.html",
    "templates/priorities/intake_raise.html",
    "templates/priorities/intake_received.html",
    "templates/priorities/_intake_where.html",
    "templates/priorities/emails/follow_confirm_*",
    "templates/priorities/emails/email_ballot_*",
    "templates/priorities/emails/state_changed_*",
]

# Python modules whose marked strings a resident reads (form labels and errors, page headings,
# choice labels shown on public pages).
RESIDENT_PYTHON = [
    "accounts/forms.py",
    "accounts/views.py",
    "meetings/models.py",
    "meetings/ical.py",
    "meetings/public/views.py",
    "neighbourhoods/forms.py",
    "neighbourhoods/places.py",
    "neighbourhoods/selectors.py",
    "surveys/bank.py",
    "surveys/respond/forms.py",
    "surveys/models.py",
    "surveys/respond/views.py",
    "messaging/rendering.py",
    "messaging/members/services/signup.py",
    "messaging/members/views/manage.py",
    "messaging/members/views/signup.py",
    "messaging/members/services/confirm.py",
    "messaging/measures/forms.py",
    "messaging/measures/views.py",
    "messaging/members/forms.py",
    "messaging/models/members.py",
    "messaging/models/alerts.py",
    "messaging/models/delivery.py",
    "messaging/members/services/manage.py",
    "messaging/inbox/services.py",
    "messaging/inbox/bounces.py",
    "priorities/voting/forms.py",
    "priorities/voting/models.py",
    "priorities/voting/refusals.py",
    "priorities/voting/results.py",
    "priorities/models.py",
    "priorities/images.py",
    "priorities/forms/public.py",
    "priorities/forms/intake.py",
    "priorities/selectors/public.py",
    "priorities/views/public.py",
    "priorities/views/intake.py",
]

# Languages whose catalogue must hold every resident string: all nine of settings.LANGUAGES but the
# source. The issue asks it of Welsh, Polish and Urdu; the others reached it in December 2026 and
# are held to it so a new resident string cannot slip into them in English unnoticed.
COMPLETE_LANGUAGES = ["cy", "pl", "ur", "pa", "bn", "gu", "ar", "ro"]


def all_templates() -> list[Path]:
    return sorted(path for path in (BASE_DIR / "templates").rglob("*") if path.is_file())


def resident_templates() -> list[Path]:
    return sorted({path for pattern in RESIDENT_TEMPLATES for path in BASE_DIR.glob(pattern)})


def resident_sources() -> set[str]:
    """Every resident file as the catalogues' location comments name it (relative, forward slashes)."""
    files = [*resident_templates(), *(BASE_DIR / name for name in RESIDENT_PYTHON)]
    return {path.relative_to(BASE_DIR).as_posix() for path in files}
