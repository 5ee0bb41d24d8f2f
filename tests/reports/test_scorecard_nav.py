"""The scorecard is in the menu of everyone who may read one, and of nobody else."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("person", "shown"), [("chief_inspector", True), ("comms", True), ("partner", False)])
def test_the_menu_offers_the_scorecard_to_its_readers_only(client, world, person, shown):
    client.force_login(getattr(world, person))
    page = client.get(reverse("neighbourhoods:officer-home")).content.decode()
    assert (f'href="{reverse("reports:scorecard")}"' in page) is shown


def test_the_menu_marks_the_scorecard_not_the_returns_as_the_current_page(client, world):
    client.force_login(world.chief_inspector)
    page = client.get(reverse("reports:scorecard"), follow=True).content.decode()
    assert f'href="{reverse("reports:scorecard")}" aria-current="page"' in page
    assert f'href="{reverse("reports:list")}" aria-current="page"' not in page
