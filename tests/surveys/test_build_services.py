from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from messaging.alerts import services as services_alerts
from messaging.models import AlertKind, AlertStatus
from surveys.build import services
from surveys.models import Question, QuestionKind, Section, Survey, SurveyStatus
from tests.messaging.factories import subscriber
from tests.surveys.factories import survey

pytestmark = pytest.mark.django_db
# survey.edit on a survey written by the chief inspector of East Division.
MAY_EDIT = {
    "chief_inspector": True,
    "hq": True,
    "comms": True,
    "sergeant": False,
    "chief_inspector_other": False,
    "pcso": False,
    "partner": False,
    "resident": False,
}


@pytest.fixture(autouse=True)
def _no_fan_out(monkeypatch):
    monkeypatch.setattr(services_alerts, "_queue_fan_out", lambda alert_id: None)


def draft(world, **fields):
    return survey(world, status=SurveyStatus.DRAFT, **fields)


def add(made, actor, kind=QuestionKind.SINGLE, **kwargs):
    kwargs.setdefault("text", "How often do you see officers on foot?")
    kwargs.setdefault("options", ["Weekly", "Monthly", "Never"] if kind in services.CHOICE_KINDS else [])
    return services.question_add(survey=made, actor=actor, section=made.sections.first(), kind=kind, **kwargs)


def test_it_creates_a_draft_with_a_section_to_hold_questions(world):
    made = services.survey_create(
        actor=world.sergeant, force=world.force, title=" Safer streets ", opens_at=timezone.now()
    )
    assert (made.status, made.title, made.created_by) == (SurveyStatus.DRAFT, "Safer streets", world.sergeant)
    assert made.sections.count() == 1


@pytest.mark.parametrize("person", ["pcso", "partner", "resident"])
def test_it_refuses_to_create_for_those_who_do_not_build_surveys(world, person):
    with pytest.raises(PermissionDenied):
        services.survey_create(actor=getattr(world, person), force=world.force, title="X", opens_at=timezone.now())
    assert not Survey.objects.exists()


def test_it_refuses_a_survey_that_closes_before_it_opens(world):
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        services.survey_create(actor=world.hq, force=world.force, title="X", opens_at=now, closes_at=now)
    assert "closes_at" in caught.value.message_dict


def test_it_refuses_a_wave_named_for_another_season(world):
    opens = datetime(2025, 12, 3, 9, tzinfo=UTC)
    with pytest.raises(ValidationError) as caught:
        services.survey_create(actor=world.hq, force=world.force, title="X", opens_at=opens, wave_label="Summer 2025")
    assert "Winter 2025/26" in caught.value.message_dict["wave_label"][0] and not Survey.objects.exists()
    made = services.survey_create(
        actor=world.hq, force=world.force, title="X", opens_at=opens, wave_label="Winter 2025/26"
    )
    with pytest.raises(ValidationError):
        services.survey_update(survey=made, actor=world.hq, title="X", opens_at=opens + timedelta(days=100),
                               wave_label="Winter 2025/26")  # fmt: skip
    made.refresh_from_db()
    assert made.opens_at == opens


@pytest.mark.parametrize("person", list(MAY_EDIT))
def test_it_lets_only_the_author_and_force_wide_staff_change_a_survey(world, person):
    made = draft(world, bank=())
    actor = getattr(world, person)
    if MAY_EDIT[person]:
        assert add(made, actor).survey == made
    else:
        with pytest.raises(PermissionDenied):
            add(made, actor)
        assert not made.questions.exists()


def test_it_changes_nothing_once_the_survey_is_open(world):
    made = survey(world)
    with pytest.raises(ValidationError, match="only a draft"):
        add(made, world.chief_inspector)
    with pytest.raises(ValidationError, match="only a draft"):
        services.question_delete(question=made.questions.first(), actor=world.chief_inspector)
    assert made.questions.count() == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [(["Only one"], "at least 2"), (["Yes", " yes "], "repeated: yes"), (["", "   "], "at least 2")],
)
def test_it_needs_two_different_options_for_a_choice_question(world, options, message):
    made = draft(world, bank=())
    with pytest.raises(ValidationError, match=message):
        add(made, world.chief_inspector, kind=QuestionKind.MULTIPLE, options=options)
    assert not Question.objects.exists()


def test_it_refuses_options_on_a_question_that_has_none(world):
    with pytest.raises(ValidationError, match="Only single and multiple"):
        add(draft(world, bank=()), world.chief_inspector, kind=QuestionKind.TEXT, options=["A", "B"])


@pytest.mark.parametrize("scale_max", [None, 1, 11])
def test_it_needs_a_rating_scale_from_2_to_10(world, scale_max):
    with pytest.raises(ValidationError, match="between 2 and 10"):
        add(draft(world, bank=()), world.chief_inspector, kind=QuestionKind.RATING, scale_max=scale_max)


def test_it_keeps_options_in_the_order_given(world):
    question = add(draft(world, bank=()), world.chief_inspector, options=["Weekly", "Monthly", "Never"])
    assert [o.label for o in question.options.all()] == ["Weekly", "Monthly", "Never"]


def test_it_adds_a_bank_question_with_its_wording_options_and_key(world):
    made = draft(world, bank=())
    question = services.question_add_from_bank(
        survey=made, actor=world.chief_inspector, section=made.sections.first(), bank_key="safe_after_dark"
    )
    assert question.text.startswith("How safe do you feel walking alone in this area after dark")
    assert question.options.first().value == "very_safe"
    assert question.bank_key == "safe_after_dark"


def test_it_asks_each_bank_question_once_per_survey(world):
    made = draft(world, bank=("police_good_job",))
    with pytest.raises(ValidationError, match="already asks"):
        services.question_add_from_bank(
            survey=made, actor=world.chief_inspector, section=made.sections.first(), bank_key="police_good_job"
        )
    assert made.questions.count() == 1


def test_it_keeps_a_bank_questions_wording_when_edited(world):
    made = draft(world, bank=("pact_aware",))
    question = made.questions.get()
    services.question_update(question=question, actor=world.chief_inspector, text="Changed", required=True)
    question.refresh_from_db()
    assert question.required and question.text != "Changed"


def test_it_moves_questions_up_and_down_within_their_section(world):
    made = draft(world, bank=("police_good_job", "safe_after_dark", "pact_aware"))
    last = made.questions.get(bank_key="pact_aware")
    services.question_move(question=last, actor=world.chief_inspector, direction="up")
    assert list(made.questions.values_list("bank_key", flat=True)) == [
        "police_good_job",
        "pact_aware",
        "safe_after_dark",
    ]
    services.question_move(question=made.questions.get(bank_key="police_good_job"), actor=world.hq, direction="up")
    assert made.questions.first().bank_key == "police_good_job"  # already first: nothing moves


def test_it_adds_renames_reorders_and_deletes_sections(world):
    made = draft(world, bank=())
    second = services.section_add(survey=made, actor=world.chief_inspector, title="About you")
    services.section_move(section=second, actor=world.chief_inspector, direction="up")
    assert list(made.sections.order_by("position").values_list("title", flat=True)) == ["About you", "Your area"]
    services.section_rename(section=second, actor=world.chief_inspector, title="You")
    services.section_delete(section=second, actor=world.chief_inspector)
    assert list(made.sections.values_list("title", flat=True)) == ["Your area"]


def test_it_keeps_a_section_with_questions_and_the_last_section(world):
    made = draft(world, bank=("pact_aware",))
    with pytest.raises(ValidationError, match="questions first"):
        services.section_delete(section=made.sections.get(), actor=world.chief_inspector)
    made.questions.all().delete()
    with pytest.raises(ValidationError, match="at least one section"):
        services.section_delete(section=made.sections.get(), actor=world.chief_inspector)
    assert Section.objects.filter(survey=made).count() == 1


def test_it_opens_a_survey_only_with_questions_that_can_be_answered(world):
    made = draft(world, bank=())
    with pytest.raises(ValidationError, match="at least one question"):
        services.survey_open(survey=made, actor=world.chief_inspector)
    question = add(made, world.chief_inspector)
    question.options.exclude(pk=question.options.first().pk).delete()
    with pytest.raises(ValidationError, match="at least 2 options"):
        services.survey_open(survey=made, actor=world.chief_inspector)
    made.refresh_from_db()
    assert made.status == SurveyStatus.DRAFT


def test_it_opens_then_closes_a_survey(world):
    made = draft(world)
    assert services.survey_open(survey=made, actor=world.chief_inspector).status == SurveyStatus.OPEN
    with pytest.raises(ValidationError):
        services.survey_open(survey=made, actor=world.chief_inspector)
    assert services.survey_close(survey=made, actor=world.hq).status == SurveyStatus.CLOSED


def test_it_refuses_to_open_a_survey_whose_closing_date_has_passed(world):
    made = draft(world, opens_at=timezone.now() - timedelta(days=9), closes_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError, match="closing date has passed"):
        services.survey_open(survey=made, actor=world.chief_inspector)


def send(made, actor, world, **extra):
    kwargs = {"title": "Have your say", "body": "Tell us how safe you feel.", "channels": ["email"]}
    kwargs.update(audience_level="neighbourhoods", neighbourhoods=[world.daneshouse])
    kwargs.update(extra)
    return services.survey_send(survey=made, actor=actor, **kwargs)


def test_it_sends_an_open_survey_as_a_survey_alert(world):
    subscriber(world)
    made = survey(world)
    alert = send(made, world.chief_inspector, world)
    assert (alert.kind, alert.survey, alert.status) == (AlertKind.SURVEY, made, AlertStatus.SENDING)
    assert send(made, world.chief_inspector, world).survey == made  # a reminder


def test_it_sends_only_an_open_survey_inside_its_dates(world):
    subscriber(world)
    for made in (
        draft(world),
        survey(world, status=SurveyStatus.CLOSED),
        survey(world, opens_at=timezone.now() + timedelta(days=1)),
    ):
        with pytest.raises(ValidationError, match="Only an open survey"):
            send(made, world.chief_inspector, world)
    assert not made.invitations.exists()


def test_it_sends_only_to_the_senders_area_and_saves_nothing_otherwise(world):
    subscriber(world)
    made = survey(world)
    with pytest.raises(ValidationError):
        send(made, world.chief_inspector, world, neighbourhoods=[world.fleetwood])
    with pytest.raises(PermissionDenied):
        send(made, world.sergeant, world)
    assert not made.invitations.exists()


def test_it_refuses_an_invitation_nobody_would_receive_and_saves_no_alert(world):
    made = survey(world)
    with pytest.raises(ValidationError, match="No one would receive"):
        send(made, world.chief_inspector, world)
    assert not made.invitations.exists()


def test_it_counts_the_survey_link_in_the_text_message_segments(world):
    subscriber(world, mobile="+447700900123")
    made = survey(world)
    # Fits an ordinary alert's four segments, but not once the survey link is added.
    sms = "Tell us how safe you feel. " * 19
    assert services_alerts.sms_segments_for(title="x", sms_text=sms) <= 4
    with pytest.raises(ValidationError, match="With the survey link"):
        send(made, world.chief_inspector, world, channels=["sms"], sms_text=sms)


def test_it_refuses_an_option_with_a_control_character(world):
    made = draft(world, bank=())
    with pytest.raises(ValidationError) as caught:
        add(made, world.chief_inspector, options=["Weekly\x07", "Monthly"])
    assert "control characters" in caught.value.message_dict["options"][0] and not Question.objects.exists()
