"""Intake writes that priorities/services/__init__.py does not cover."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from priorities.models import Category, Issue, IssueStatus


@transaction.atomic
def issue_recategorise(*, issue: Issue, actor, category: str) -> Issue:
    """Put an issue awaiting triage under the category it really belongs to, so that it meets
    its duplicates (suggestions match on ward and category)."""
    if issue.status != IssueStatus.NEW:
        raise ValidationError(_("Only an issue awaiting triage can change category."))
    if category not in Category.values:
        raise ValidationError({"category": _("Choose one of the listed categories.")})
    if category == issue.category:
        return issue
    issue.category = category
    issue.full_clean()
    issue.save(update_fields=["category"])
    return issue
