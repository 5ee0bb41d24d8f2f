from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from messaging.links import absolute
from neighbourhoods.demo import DEMO_PASSWORD, demo_logins
from neighbourhoods.models import Ward
from priorities.voting.demo import demo_ballot


class Command(BaseCommand):
    help = "Print one demo login per role, and a demo member's link to vote in the open residents' vote."

    def handle(self, *args, **options):
        try:
            rows = demo_logins()
        except Ward.DoesNotExist as exc:
            raise CommandError("The demo force is not loaded: run `manage.py seed_demo` first.") from exc
        width = max(len(email) for _, email, _ in rows)
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for role, email, area in rows:
            self.stdout.write(f"  {email:<{width}}  {role} – {area}")
        self._ballot()

    def _ballot(self):
        # Residents vote by their own link, not a login: one demo member's, who has not voted yet.
        ballot = demo_ballot()
        if ballot is None:
            return
        vote = ballot.vote
        closes = date_format(timezone.localtime(vote.closes_at), "j F Y, H:i")
        self.stdout.write(
            f"Residents' vote open in {vote.neighbourhood.name} until {closes}: vote as the demo In the Know "
            f"member {ballot.email} with their own ballot link (one ballot):\n  {ballot.url}\n"
            "  Or, as someone who is not a member, ask for a ballot by email on "
            f"{absolute(reverse('priorities:public-votes', kwargs={'code': vote.neighbourhood.code}))}"
            " (with `make run` the email lands in the outbox)."
        )
