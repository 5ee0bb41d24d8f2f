import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.policy import can
from messaging.alerts import services as services_alerts
from messaging.models import Alert, AlertKind
from surveys.build.selectors import surveys_for_user
from surveys.models import Question, Survey, SurveyStatus
from tests.factories import ForceFactory, UserFactory
from tests.messaging.factories import subscriber
from tests.surveys.factories import survey

pytestmark = pytest.mark.django_db
READERS = ["pcso", "pcso_other", "sergeant", "inspector", "chief_inspector", "chief_inspector_other", "hq", "comms"]
OUTSIDERS = ["partner", "resident"]


@pytest.fixture(autouse=True)
def _no_fan_out(monkeypatch):
    monkeypatch.setattr(services_alerts, "_queue_fan_out", lambda alert_id: None)


def url(name, made=None, **kwargs):
    if made is not None:
        kwargs["pk"] = made.pk
    return reverse(f"surveys:{name}", kwargs=kwargs or None)


def draft(world, **fields):
    return survey(world, status=SurveyStatus.DRAFT, **fields)


def other_force_survey():
    force = ForceFactory(slug="cumbria", name="Cumbria Constabulary")
    return Survey.objects.create(
        force=force, title="Cumbria", opens_at=timezone.now(), created_by=UserFactory(role="hq", force=force)
    )


# --- the list -----------------------------------------------------------------------------------


@pytest.mark.parametrize("person", READERS + OUTSIDERS)
def test_it_opens_the_list_only_to_police_staff(client, world, person):
    client.force_login(getattr(world, person))
    response = client.get(url("list"))
    assert response.status_code == (403 if person in OUTSIDERS else 200)


def test_it_lists_the_forces_surveys_with_counts_in_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for n in range(4):
        survey(world, title=f"Wave {n}")
    other_force_survey()
    client.force_login(world.pcso)
    with django_assert_max_num_queries(4):  # session, user, team (scope), surveys with counts and authors
        response = client.get(url("list"))
    assert [s.title for s in response.context["surveys"]] == ["Wave 3", "Wave 2", "Wave 1", "Wave 0"]
    assert b"Cumbria" not in response.content


@pytest.mark.parametrize("person", READERS + OUTSIDERS + ["admin"])
def test_it_lists_exactly_the_surveys_the_policy_lets_a_user_read(world, person):
    made, elsewhere = survey(world), other_force_survey()
    user = getattr(world, person)
    listed = set(surveys_for_user(user=user))
    assert listed == {s for s in (made, elsewhere) if can(user, "survey.view_results", s)}


def test_it_escapes_what_staff_typed(client, world):
    made = draft(world, title="<script>alert(1)</script>", introduction="<b>bold</b>")
    client.force_login(world.chief_inspector)
    for page in (url("list"), url("detail", made)):
        content = client.get(page).content.decode()
        assert "<script>alert(1)</script>" not in content and "&lt;script&gt;" in content
    assert "<b>bold</b>" not in client.get(url("detail", made)).content.decode()


def test_it_shows_the_surveys_nav_item_to_staff_who_read_surveys(client, world):
    client.force_login(world.pcso)
    assert b">Surveys</a>" in client.get(reverse("neighbourhoods:officer-home")).content
    client.force_login(world.partner)
    assert b">Surveys</a>" not in client.get(reverse("neighbourhoods:officer-home")).content


# --- create and edit ----------------------------------------------------------------------------


def survey_form(**extra):
    data = {"title": "Feeling safe in Burnley", "opens_at": "2026-05-01T09:00", "closes_at": "2026-06-01T09:00"}
    return {**data, **extra}


@pytest.mark.parametrize("person", ["sergeant", "hq", "pcso", "partner", "resident"])
def test_it_lets_sergeants_and_above_create_a_survey(client, world, person):
    client.force_login(getattr(world, person))
    response = client.post(url("create"), survey_form())
    if person in ("sergeant", "hq"):
        made = Survey.objects.get()
        assert response.url == url("detail", made) and made.created_by == getattr(world, person)
    else:
        assert response.status_code == 403 and not Survey.objects.exists()


def test_it_re_renders_a_bad_survey_with_its_errors_and_saves_nothing(client, world):
    client.force_login(world.sergeant)
    response = client.post(url("create"), survey_form(closes_at="2026-04-01T09:00", title=""))
    assert response.status_code == 200 and not Survey.objects.exists()
    assert "The survey must close after it opens." in response.content.decode()
    assert 'href="#id_title"' in response.content.decode()


def test_it_refuses_a_wave_name_that_contradicts_the_opening_date(client, world):
    client.force_login(world.sergeant)
    response = client.post(url("create"), survey_form(opens_at="2025-12-03T09:00", wave_label="Summer 2025"))
    body = response.content.decode()
    assert response.status_code == 200 and not Survey.objects.exists()
    assert "a wave opening on 3 December 2025 is Winter 2025/26" in body and 'href="#id_wave_label"' in body


def test_it_saves_a_drafts_details(client, world):
    made = draft(world)
    client.force_login(world.chief_inspector)
    response = client.post(url("edit", made), survey_form(title="Renamed", wave_label="Spring 2026"))
    made.refresh_from_db()
    assert response.status_code == 302 and (made.title, made.wave_label) == ("Renamed", "Spring 2026")
    assert made.programme == "force"  # not given: the force's own


def test_it_records_whose_survey_it_is_and_refuses_an_unknown_programme(client, world):
    client.force_login(world.sergeant)
    client.post(url("create"), survey_form(programme="opcc"))
    made = Survey.objects.get()
    assert made.programme == "opcc"
    assert "Police and Crime Commissioner" in client.get(url("detail", made)).content.decode()
    response = client.post(url("edit", made), survey_form(programme="pigeons"))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    made.refresh_from_db()
    assert made.programme == "opcc"


# --- the survey's page --------------------------------------------------------------------------


@pytest.mark.parametrize("person", READERS + OUTSIDERS)
def test_it_shows_a_survey_to_its_forces_police_staff_only(client, world, person):
    client.force_login(getattr(world, person))
    assert client.get(url("detail", survey(world))).status_code == (404 if person in OUTSIDERS else 200)


def test_it_hides_another_forces_survey(client, world):
    client.force_login(world.hq)
    assert client.get(url("detail", other_force_survey())).status_code == 404


def test_it_shows_questions_in_order_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    made = draft(world, bank=("police_good_job", "safe_after_dark", "pact_aware", "age_band"))
    client.force_login(world.chief_inspector)
    with django_assert_max_num_queries(8):  # session, user, access, survey, sections, questions, options, invitations
        response = client.get(url("detail", made))
    content = response.content.decode()
    positions = [content.index(q.text) for q in made.questions.all()]
    assert positions == sorted(positions)
    assert "Edit the details" in content and "Open the survey" in content


def test_it_offers_no_builder_controls_to_readers_or_once_open(client, world):
    client.force_login(world.pcso)
    assert "Edit the details" not in client.get(url("detail", draft(world))).content.decode()
    client.force_login(world.chief_inspector)
    content = client.get(url("detail", survey(world))).content.decode()
    assert "Edit the details" not in content and "Close the survey" in content and "Send to In the Know" in content


# --- building -----------------------------------------------------------------------------------


def question_form(made, **extra):
    data = {"section": made.sections.first().pk, "kind": "single", "text": "Do you feel listened to?"}
    data["options"] = "Yes\nNo\nNot sure"
    return {**data, **extra}


def test_it_adds_a_question_and_returns_to_it(client, world):
    made = draft(world, bank=())
    client.force_login(world.chief_inspector)
    response = client.post(url("question-add", made), question_form(made))
    question = made.questions.get()
    assert response.url.endswith(f"#question-{question.pk}")
    assert [o.label for o in question.options.all()] == ["Yes", "No", "Not sure"]


def test_it_re_renders_a_bad_question_with_its_errors_and_saves_nothing(client, world):
    made = draft(world, bank=())
    client.force_login(world.chief_inspector)
    response = client.post(url("question-add", made), question_form(made, options="Yes\nyes"))
    assert response.status_code == 200 and not Question.objects.exists()
    assert "Each option must be different" in response.content.decode()
    response = client.post(url("question-add", made), question_form(made, kind="rating", options=""))
    assert "Give the top of the scale" in response.content.decode()


@pytest.mark.parametrize(("person", "status"), [("sergeant", 403), ("pcso", 403), ("partner", 404), ("hq", 302)])
def test_it_lets_only_those_who_may_edit_build(client, world, person, status):
    made = draft(world, bank=())
    client.force_login(getattr(world, person))
    assert client.post(url("question-add", made), question_form(made)).status_code == status
    assert made.questions.exists() is (status == 302)


def test_it_refuses_a_bank_question_twice_with_a_clear_message(client, world):
    made = draft(world, bank=("police_good_job",))
    client.force_login(world.chief_inspector)
    data = {"bank_key": "police_good_job", "section": made.sections.first().pk}
    response = client.post(url("question-add-from-bank", made), data)
    assert response.status_code == 200 and "already asks" in response.content.decode()
    assert made.questions.count() == 1


def test_it_moves_a_question_and_returns_the_builder_to_htmx(client, world):
    made = draft(world, bank=("police_good_job", "safe_after_dark"))
    last = made.questions.get(bank_key="safe_after_dark")
    client.force_login(world.chief_inspector)
    response = client.post(url("question-move", made, question_pk=last.pk, direction="up"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b'id="builder"' in response.content and b"<html" not in response.content
    assert made.questions.first() == last


def test_it_opens_and_closes_a_survey_from_its_page(client, world):
    made = draft(world)
    client.force_login(world.chief_inspector)
    client.post(url("open-survey", made))
    made.refresh_from_db()
    assert made.status == SurveyStatus.OPEN
    client.post(url("close-survey", made))
    made.refresh_from_db()
    assert made.status == SurveyStatus.CLOSED


def test_it_explains_why_an_empty_survey_cannot_open(client, world):
    made = draft(world, bank=())
    client.force_login(world.chief_inspector)
    response = client.post(url("open-survey", made), follow=True)
    assert "Add at least one question" in response.content.decode()
    made.refresh_from_db()
    assert made.status == SurveyStatus.DRAFT


# --- sending ------------------------------------------------------------------------------------


def send_form(world, **extra):
    data = {"title": "Have your say", "body": "How safe do you feel?", "sms_text": "", "voice_script": ""}
    data.update(audience_level="neighbourhoods", neighbourhoods=[world.daneshouse.pk], channels=["email"])
    return {**data, **extra}


def test_it_sends_a_survey_as_an_alert_and_shows_its_progress(client, world):
    subscriber(world)
    made = survey(world)
    client.force_login(world.chief_inspector)
    assert "Have your say: Feeling safe" in client.get(url("send", made)).content.decode()
    response = client.post(url("send", made), send_form(world))
    sent = Alert.objects.get()
    assert (sent.kind, sent.survey) == (AlertKind.SURVEY, made)
    assert response.url == sent.get_absolute_url()


def test_it_counts_the_survey_link_in_the_invitations_text_counter(client, world):
    client.force_login(world.chief_inspector)
    page = client.get(url("send", survey(world))).content.decode()
    assert 'data-suffix=" Survey: http' in page and "/surveys/r/00000000-0000-0000-0000-000000000000/ Manage:" in page


@pytest.mark.parametrize(("person", "status"), [("sergeant", 403), ("pcso", 403), ("partner", 404)])
def test_it_lets_only_those_who_may_edit_send(client, world, person, status):
    subscriber(world)
    client.force_login(getattr(world, person))
    assert client.post(url("send", survey(world)), send_form(world)).status_code == status
    assert not Alert.objects.exists()


def test_it_re_renders_a_bad_invitation_with_its_errors_and_sends_nothing(client, world):
    subscriber(world)
    made = survey(world)
    client.force_login(world.chief_inspector)
    response = client.post(url("send", made), send_form(world, channels=[], neighbourhoods=[world.fleetwood.pk]))
    assert response.status_code == 200 and not Alert.objects.exists()
    content = response.content.decode()
    assert "Choose at least one way to send it" in content and "outside the area" in content


def test_it_sends_a_draft_nowhere(client, world):
    made = draft(world)
    client.force_login(world.chief_inspector)
    response = client.post(url("send", made), send_form(world))
    assert response.url == url("detail", made) and not Alert.objects.exists()


def test_it_changes_a_questions_wording_and_options(client, world):
    made = draft(world, bank=())
    client.force_login(world.chief_inspector)
    client.post(url("question-add", made), question_form(made))
    question = made.questions.get()
    data = {"text": "Do you feel heard?", "options": "Always\nSometimes\nNever", "required": "on"}
    response = client.post(url("question-edit", made, question_pk=question.pk), data)
    question.refresh_from_db()
    assert response.status_code == 302 and (question.text, question.required) == ("Do you feel heard?", True)
    assert [o.label for o in question.options.all()] == ["Always", "Sometimes", "Never"]


def test_it_re_renders_a_section_without_a_title_and_adds_nothing(client, world):
    made = draft(world, bank=())
    client.force_login(world.chief_inspector)
    response = client.post(url("section-add", made), {"title": "  "})
    assert response.status_code == 200 and 'href="#id_section_title"' in response.content.decode()
    assert made.sections.count() == 1


def test_it_changes_nothing_in_an_open_survey_and_says_why(client, world):
    made = survey(world)
    first = made.questions.first()
    client.force_login(world.chief_inspector)
    response = client.post(url("question-move", made, question_pk=first.pk, direction="down"), follow=True)
    assert "only a draft" in response.content.decode() and made.questions.first() == first
    assert client.post(url("question-delete", made, question_pk=first.pk)).status_code == 302
    assert made.questions.count() == 2


def test_it_shows_the_public_link_only_for_an_open_survey_open_to_all(client, world, settings):
    settings.ALLOWED_HOSTS = ["pact.example.police.uk"]  # the link is on the address the page was asked on
    public, private = survey(world, is_open_to_all=True), survey(world)
    client.force_login(world.pcso)
    expected = f"https://pact.example.police.uk/surveys/{public.reference}/"
    page = client.get(url("detail", public), HTTP_HOST="pact.example.police.uk", secure=True).content.decode()
    assert expected in page
    assert "Public link" not in client.get(url("detail", private)).content.decode()


def test_it_answers_404_for_another_forces_survey_on_every_builder_page(client, world):
    elsewhere = other_force_survey()
    client.force_login(world.hq)
    assert client.get(url("edit", elsewhere)).status_code == 404
    assert client.post(url("open-survey", elsewhere)).status_code == 404
    assert client.get(url("send", elsewhere)).status_code == 404


def test_it_sends_builder_pages_of_an_open_survey_back_to_its_page(client, world):
    made = survey(world)
    client.force_login(world.chief_inspector)
    for page in (
        url("edit", made),
        url("question-add", made),
        url("question-edit", made, question_pk=made.questions.first().pk),
    ):
        assert client.get(page).url == url("detail", made)
