"""Writes for what recipients do with a message: open it, follow a link in it, say whether it
was useful. These are the In the Know measures the engagement strategy asks for (opened,
actioned, member surveys).

No signed-in actor here: the delivery's unguessable token, carried only in the message itself,
is what identifies the recipient, so each function takes the delivery the token named.
"""

from django.db import transaction
from django.utils import timezone

from messaging.models import Delivery, Feedback, LinkClick

# LinkClick.url's column size: a longer target is still followed, but recorded cut short.
CLICK_URL_MAX = LinkClick._meta.get_field("url").max_length


@transaction.atomic
def delivery_record_click(*, delivery: Delivery, url: str) -> LinkClick:
    """Keep every click (a link followed twice is two rows) but stamp the delivery's
    `clicked_at` only the first time, so "unique clicks" counts people, not clicks."""
    click = LinkClick.objects.create(delivery=delivery, url=url[:CLICK_URL_MAX])
    # A conditional update, not read-then-write: two clicks at once still leave the earlier time.
    Delivery.objects.filter(pk=delivery.pk, clicked_at__isnull=True).update(clicked_at=click.clicked_at)
    return click


def delivery_record_open(*, delivery: Delivery) -> bool:
    """Stamp the delivery's first `opened_at`; True if this was the first open recorded."""
    return bool(Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(opened_at=timezone.now()))


@transaction.atomic
def feedback_record(*, delivery: Delivery, useful: bool | None, acted_on: bool, comment: str) -> Feedback:
    """One answer per delivery: answering again replaces the earlier answer rather than adding
    a second vote, so each recipient counts once in an alert's ratings."""
    feedback = Feedback.objects.select_for_update().filter(delivery=delivery).first()
    if feedback is None:
        feedback = Feedback(delivery=delivery)
    feedback.useful = useful
    feedback.acted_on = acted_on
    feedback.comment = comment.strip()
    feedback.full_clean(exclude=["delivery"])
    feedback.save()
    return feedback
