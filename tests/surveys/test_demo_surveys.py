"""The demo force's surveys and synthetic census, seeded once for the module at a fixed moment on
two East Division districts: Burnley (inner-town wards with large Asian communities) and Ribble
Valley (rural)."""

import shutil
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db.models import Count, Sum

from messaging.models import Alert
from neighbourhoods.demo import DATA_DIR, demo_force_seed
from neighbourhoods.models import Force
from surveys.bank import is_white
from surveys.demo import SYNTHETIC_SOURCE, demo_surveys_seed
from surveys.models import Answer, Response, SectionTranslation, Survey, SurveyTranslation, WardPopulation
from surveys.waves import wave_label_problem
from tests.support import module_data

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BURNLEY, RIBBLE_VALLEY = "E07000117", "E07000124"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("wards")
    for name in [f"{BURNLEY}.json", f"{RIBBLE_VALLEY}.json", "districts.csv"]:
        shutil.copy(DATA_DIR / name, data_dir / name)
    with module_data(django_db_blocker), time_machine.travel(NOW, tick=False):
        yield demo_force_seed(data_dir=data_dir)


def _share(ward_code, category, groups):
    rows = WardPopulation.objects.filter(ward__code=ward_code, category=category)
    return rows.filter(group__in=groups).aggregate(n=Sum("count"))["n"] / rows.aggregate(n=Sum("count"))["n"]


def test_it_gives_every_ward_labelled_synthetic_census_counts(seeded):
    wards = Force.objects.get().divisions.get(code="east").neighbourhoods.values("wards")
    per_ward = WardPopulation.objects.values("ward").annotate(n=Count("pk"))
    assert per_ward.count() == wards.count() and min(row["n"] for row in per_ward) > 6
    assert not WardPopulation.objects.exclude(is_synthetic=True).exists()
    assert set(WardPopulation.objects.values_list("source", flat=True)) == {SYNTHETIC_SOURCE}


def test_it_makes_inner_town_wards_asian_and_younger_and_rural_ones_older(seeded):
    asian = ["asian_pakistani", "asian_bangladeshi", "asian_indian"]
    daneshouse, whalley = "E05005155", WardPopulation.objects.filter(ward__district__code=RIBBLE_VALLEY)
    rural = whalley.first().ward.code
    assert _share(daneshouse, "ethnic_group", asian) > 0.35 > 0.05 > _share(rural, "ethnic_group", asian)
    assert _share(daneshouse, "age_band", ["16-24", "25-34"]) > _share(rural, "age_band", ["16-24", "25-34"])
    assert _share(rural, "ethnic_group", ["white_british"]) > 0.9


def test_it_runs_four_waves_by_comms_the_latest_open(seeded):
    waves = list(Survey.objects.order_by("opens_at"))
    assert [s.status for s in waves] == ["closed", "closed", "closed", "open"] and seeded.surveys == 4
    assert {s.created_by.role for s in waves} == {"communications"}
    assert all(s.questions.count() == 16 and s.questions.filter(kind="text").count() == 1 for s in waves)


def test_it_names_each_wave_after_the_season_it_opens_in(seeded):
    waves = [(s.title, s.wave_label) for s in Survey.objects.order_by("opens_at")]
    # Opening on the 2nd of July and November 2025, April and September 2026 (sixteen, twelve, seven
    # and two months before 23 November 2026).
    assert [label for _, label in waves] == ["Summer 2025", "Autumn 2025", "Spring 2026", "Autumn 2026"]
    assert all(title == f"Your area: {label}" for title, label in waves)
    assert all(wave_label_problem(s.wave_label, s.opens_at) is None for s in Survey.objects.all())


def test_it_renames_a_wave_seeded_under_a_season_it_does_not_open_in(seeded):
    wave = Survey.objects.order_by("opens_at").first()
    Survey.objects.filter(pk=wave.pk).update(title="Your area: Spring 2025", wave_label="Spring 2025")
    with time_machine.travel(NOW, tick=False):
        assert demo_surveys_seed(force=Force.objects.get(), today=date(2026, 11, 23)).created == 0
    wave.refresh_from_db()
    assert (wave.title, wave.wave_label) == ("Your area: Summer 2025", "Summer 2025")
    assert Alert.objects.get(survey=wave).title == "Have your say: Your area: Summer 2025"
    assert Survey.objects.count() == 4
    # The translations take the season's new name too.
    assert wave.translations.get(language="pl").title == "Twoja okolica: Lato 2025"


def test_it_words_every_wave_in_urdu_welsh_and_polish_for_daneshouse(seeded):
    latest = Survey.objects.order_by("opens_at").last()
    titles = dict(latest.translations.values_list("language", "title"))
    assert titles == {
        "ur": "آپ کا علاقہ: خزاں 2026",
        "cy": "Eich ardal: Hydref 2026",
        "pl": "Twoja okolica: Jesień 2026",
    }
    urdu = latest.translations.get(language="ur")
    assert urdu.introduction and urdu.thank_you and "PACT" in urdu.thank_you
    assert SectionTranslation.objects.filter(section__survey=latest).count() == 6
    assert SurveyTranslation.objects.count() == 3 * Survey.objects.count()


def test_it_takes_responses_from_members_of_their_own_ward(seeded):
    responses = Response.objects.select_related("subscriber")
    assert 300 < responses.count() == seeded.survey_responses
    assert not responses.exclude(source="invited").exists() and not responses.filter(subscriber=None).exists()
    assert all(r.ward_id == r.subscriber.ward_id for r in responses[:500])
    assert Answer.objects.exclude(text="").exists()


def test_it_sends_every_wave_as_an_invitation_behind_each_response(seeded):
    for wave in Survey.objects.all():
        [invitation] = Alert.objects.filter(survey=wave)
        assert invitation.kind == "survey" and invitation.status == "sent"
        invited = set(invitation.deliveries.values_list("subscriber_id", flat=True))
        respondents = set(wave.responses.values_list("subscriber_id", flat=True))
        assert respondents and respondents <= invited
        assert sum(invitation.audience_counts.values()) == invitation.deliveries.count()
        opened = set(invitation.deliveries.exclude(opened_at=None).values_list("subscriber_id", flat=True))
        assert opened and opened <= respondents


def _confidence(responses) -> float:
    answers = Answer.objects.filter(response__in=responses, question__bank_key="police_good_job")
    return answers.filter(option__value__in=["excellent", "good"]).count() / answers.count()


def test_it_shows_a_white_bme_gap_rising_confidence_and_a_pact_lift(seeded):
    responses = list(Response.objects.exclude(ethnic_group="").values_list("pk", "ethnic_group"))
    white = [pk for pk, group in responses if is_white(group)]
    bme = [pk for pk, group in responses if is_white(group) is False]
    assert len(bme) > 20 and _confidence(white) - _confidence(bme) > 0.05
    first, last = Survey.objects.order_by("opens_at")[::3]
    assert _confidence(last.responses.all()) > _confidence(first.responses.all())
    involved = Answer.objects.filter(question__bank_key="pact_involved", option__value="yes").values("response")
    involved, others = Response.objects.filter(pk__in=involved), Response.objects.exclude(pk__in=involved)
    assert _confidence(involved) > _confidence(others)


def test_it_does_not_duplicate_on_a_second_run(seeded):
    counts = (Survey.objects.count(), Response.objects.count(), Answer.objects.count(), WardPopulation.objects.count(),
              Alert.objects.filter(kind="survey").count())  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        result = demo_surveys_seed(force=Force.objects.get(), today=date(2026, 11, 23))
    assert result.created == 0
    assert (Survey.objects.count(), Response.objects.count(), Answer.objects.count(),
            WardPopulation.objects.count(), Alert.objects.filter(kind="survey").count()) == counts  # fmt: skip
