from celery import shared_task

from priorities import notifications, services


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def notify_followers_task(*, priority_id: int, state: str) -> int:
    """Email the residents following a priority that its state changed."""
    return notifications.followers_notify(priority_id=priority_id, state=state)


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def send_daily_digests_task() -> int:
    """Tell each owner of overdue actions, and each team with priorities past review, once a day."""
    return notifications.daily_digests_send()


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def send_follow_confirmation_task(*, follower_id: int, site_url: str = "") -> int:
    """Email the link that confirms a request to follow a priority."""
    return notifications.follow_confirmation_send(follower_id=follower_id, site_url=site_url)


@shared_task(acks_late=True)
def purge_unconfirmed_followers_task() -> int:
    """Forget follow requests whose confirmation link expired unused."""
    return services.followers_unconfirmed_purge()


@shared_task(acks_late=True)
def count_closed_votes_task() -> int:
    """Count and publish every residents' vote whose closing time has passed."""
    from priorities.voting.services import votes_count_due

    return votes_count_due()


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def send_email_ballot_task(
    *, vote_id: int, language: str, voter_id: int | None = None, subscriber_id: int | None = None, site_url: str = ""
) -> int:
    """Email the ballot link someone asked for on a vote open to anyone in the area (ids only: no
    address or bearer link in the broker)."""
    return notifications.email_ballot_send(
        vote_id=vote_id, language=language, voter_id=voter_id, subscriber_id=subscriber_id, site_url=site_url
    )
