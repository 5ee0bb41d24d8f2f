from time import perf_counter

from dataprotection.audit.commands import AuditedCommand
from neighbourhoods.demo import DEMO_PASSWORD, demo_force_seed
from neighbourhoods.models import Force
from reports.demo import demo_returns_seed
from reports.scorecard.demo import demo_scorecard_seed


class Command(AuditedCommand):
    help = "Build or update the demo force (real Lancashire wards; synthetic people). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already holds a force."
        )

    def handle(self, *args, if_empty, **options):
        if if_empty and Force.objects.exists():
            self.stdout.write("The database already holds a force; demo not loaded (run without --if-empty to update).")
            return
        started = perf_counter()
        summary = demo_force_seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo force ready in {perf_counter() - started:.1f}s: {summary.wards} wards, "
                f"{summary.divisions} divisions, {summary.neighbourhoods} neighbourhoods, {summary.users} people, "
                f"{summary.meetings} meetings, {summary.priorities} priorities, "
                f"{summary.subscribers} In the Know subscribers, {summary.surveys} surveys with "
                f"{summary.survey_responses} responses (census figures synthetic)."
            )
        )
        returns = demo_returns_seed(force=Force.objects.get(slug="lancashire"))
        self.stdout.write(
            f"{returns.returns} highlight returns of the last months, {returns.submitted} submitted; "
            f"{returns.ward_months} ward-months of In the Know membership recorded."
        )
        scorecard = demo_scorecard_seed(force=Force.objects.get(slug="lancashire"))
        self.stdout.write(
            f"Scorecard figures the portal cannot count (synthetic): {scorecard.reach_months} months of social "
            f"media and website reach, {scorecard.feedback_months} of complaints and thanks, "
            f"{scorecard.volunteer_counts} volunteer counts, {scorecard.watch_counts} watch scheme counts, "
            f"{scorecard.campaigns} campaigns, {scorecard.appeal_outcomes} appeal outcomes."
        )
        self.stdout.write(f"Every demo login uses the password {DEMO_PASSWORD!r}.")
