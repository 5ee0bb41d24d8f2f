"""Answering through a member's link or an open survey's address, and the staff page of written answers."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.models import Delivery
from priorities.models import Issue, IssueSource
from surveys.models import Answer, Question, QuestionKind, Response, ResponseSource, SurveyStatus
from surveys.respond.views import OPEN_RESPONSES_PER_ADDRESS_PER_HOUR
from tests.messaging.factories import alert, subscriber
from tests.surveys.factories import survey

pytestmark = pytest.mark.django_db


def _invite(world, made, member, channel="email"):
    sent = alert(world, kind="survey", survey=made, status="sent", released_at=timezone.now())
    return Delivery.objects.create(alert=sent, subscriber=member, channel=channel, queued_at=timezone.now())


def _link(delivery):
    return reverse("surveys:respond", args=[delivery.token])


def _choice(made, key, value):
    question = made.questions.get(bank_key=key)
    return {f"q{question.pk}": str(question.options.get(value=value).pk)}


def _text_question(made, **fields):
    return Question.objects.create(
        survey=made, section=made.sections.first(), kind=QuestionKind.TEXT, text="Anything else?", **fields
    )


def test_it_answers_through_a_members_link_without_signing_in(client, world):
    made, member = survey(world), subscriber(world)
    made.questions.filter(bank_key="safe_after_dark").update(required=True)
    link = _link(_invite(world, made, member))
    body = client.get(link).content.decode()
    assert body.count("<legend") == 2 and body.count('text-bg-secondary">Required') == 1
    response = client.post(
        link, _choice(made, "police_good_job", "good") | _choice(made, "safe_after_dark", "very_safe")
    )
    assert response.status_code == 302 and response["Location"] == reverse("surveys:thanks", args=[made.reference])
    saved = Response.objects.get()
    assert (saved.subscriber, saved.ward, saved.source) == (member, member.ward, ResponseSource.INVITED)


def test_it_builds_the_form_in_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    made = survey(world, bank=("police_good_job", "safe_after_dark", "safe_during_day", "age_band"))
    Question.objects.create(survey=made, section=made.sections.first(), kind=QuestionKind.WARD, text="Your ward")
    link = _link(_invite(world, made, subscriber(world)))
    with django_assert_max_num_queries(6):  # delivery, open?, answered?, questions, options, wards
        page = client.get(link)
    assert "Daneshouse with Stoneyholme (Daneshouse)" in page.content.decode()


def test_it_takes_one_response_per_member_whatever_the_link_or_channel(client, world):
    made, member = survey(world), subscriber(world, mobile="+447700900123")
    by_email, by_sms = _invite(world, made, member, "email"), _invite(world, made, member, "sms")
    client.post(_link(by_email), _choice(made, "police_good_job", "good"))
    again = client.post(_link(by_sms), _choice(made, "police_good_job", "poor"))
    assert again.status_code == 200 and "already answered" in again.content.decode()
    assert Response.objects.count() == 1 and Answer.objects.get().option.value == "good"


def test_it_answers_404_for_an_unknown_link_or_an_alert_without_a_survey(client, world):
    plain = alert(world, status="sent")
    delivery = Delivery.objects.create(
        alert=plain, subscriber=subscriber(world), channel="email", queued_at=timezone.now()
    )
    assert client.get(reverse("surveys:respond", args=[uuid.uuid4()])).status_code == 404
    assert client.get(_link(delivery)).status_code == 404


def test_it_answers_404_once_the_member_is_erased(client, world):
    made, member = survey(world), subscriber(world)
    link = _link(_invite(world, made, member))
    member.erased_at = timezone.now()
    member.save(update_fields=["erased_at"])
    assert client.get(link).status_code == 404


def test_it_shows_a_closed_survey_and_saves_nothing(client, world):
    made = survey(world, status=SurveyStatus.CLOSED)
    link = _link(_invite(world, made, subscriber(world)))
    response = client.post(link, _choice(made, "police_good_job", "good"))
    assert response.status_code == 410 and "has closed" in response.content.decode()
    assert not Response.objects.exists()


def test_it_says_when_a_survey_opens(client, world):
    made = survey(world, opens_at=timezone.now() + timedelta(days=3))
    response = client.get(_link(_invite(world, made, subscriber(world))))
    assert response.status_code == 410 and "This survey opens on" in response.content.decode()


def test_it_re_renders_missing_required_answers_and_saves_nothing(client, world):
    made = survey(world)
    made.questions.filter(bank_key="safe_after_dark").update(required=True)
    link = _link(_invite(world, made, subscriber(world)))
    response = client.post(link, _choice(made, "police_good_job", "good"))
    body = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in body and "Choose an answer." in body
    nothing_ticked = client.post(link, {})
    assert nothing_ticked.status_code == 400 and 'href="#id_q' in nothing_ticked.content.decode()
    assert not Response.objects.exists()


def test_it_refuses_forged_values_as_form_errors(client, world):
    made, other = survey(world), survey(world, title="Another")
    rating = Question.objects.create(
        survey=made, section=made.sections.first(), kind=QuestionKind.RATING, text="Stars", scale_max=5
    )
    ward = Question.objects.create(survey=made, section=made.sections.first(), kind=QuestionKind.WARD, text="Ward")
    good_job = made.questions.get(bank_key="police_good_job")
    foreign = other.questions.get(bank_key="police_good_job").options.first()
    link = _link(_invite(world, made, subscriber(world)))
    for forged in ({f"q{good_job.pk}": foreign.pk}, {f"q{rating.pk}": "6"}, {f"q{ward.pk}": "999999"}):
        response = client.post(link, forged)
        assert response.status_code == 400 and "Choose one of the answers shown." in response.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize("control", ["\x07", "\x00", "\x1b", "\x7f", "\x9b"])
def test_it_refuses_a_written_answer_with_a_control_character(client, world, control):
    made = survey(world)
    question = _text_question(made)
    link = _link(_invite(world, made, subscriber(world)))
    response = client.post(link, {f"q{question.pk}": f"Bikes{control} on the field"})
    body = response.content.decode()
    assert response.status_code == 400 and "a character that cannot be typed" in body
    assert f'href="#id_q{question.pk}"' in body
    assert not Response.objects.exists()


def test_it_keeps_a_pasted_line_break_as_a_line_break(client, world):
    made = survey(world)
    question = _text_question(made)
    link = _link(_invite(world, made, subscriber(world)))
    # Word's manual line break and page break are pasted as a vertical tab and a form feed.
    assert client.post(link, {f"q{question.pk}": "Bikes\x0bon the field\x0cevery\tnight"}).status_code == 302
    assert Answer.objects.get().text == "Bikes\non the field\nevery\tnight"


def test_it_escapes_the_survey_text_and_keeps_line_breaks_in_the_thanks(client, world):
    made = survey(world, title="<b>Bold</b>", introduction="<script>x()</script>", thank_you="Ta.\n<i>Bye</i>")
    link = _link(_invite(world, made, subscriber(world)))
    form = client.get(link).content.decode()
    assert "<script>x()" not in form and "&lt;script&gt;" in form and "&lt;b&gt;Bold" in form
    thanks = client.post(link, _choice(made, "police_good_job", "good"), follow=True).content.decode()
    assert "Ta.<br>&lt;i&gt;Bye&lt;/i&gt;" in thanks and "amina@example.org" not in thanks


def test_it_shows_the_thanks_only_to_the_browser_that_answered(client, world):
    made = survey(world)
    assert client.get(reverse("surveys:thanks", args=[made.reference])).status_code == 404


def test_it_answers_an_open_survey_once_per_browser(client, world):
    made = survey(world, is_open_to_all=True)
    address = reverse("surveys:open", args=[made.reference])
    assert client.post(address, _choice(made, "police_good_job", "fair")).status_code == 302
    again = client.get(address)
    assert "already answered" in again.content.decode()
    saved = Response.objects.get()
    assert (saved.source, saved.subscriber, saved.ward) == (ResponseSource.OPEN, None, None)


def test_it_limits_open_responses_per_address(client, world):
    made = survey(world, is_open_to_all=True)
    address = reverse("surveys:open", args=[made.reference])
    for _ in range(OPEN_RESPONSES_PER_ADDRESS_PER_HOUR):
        client.cookies.clear()  # a fresh browser each time: only the address ties them together
        assert client.post(address, _choice(made, "police_good_job", "fair")).status_code == 302
    client.cookies.clear()
    response = client.post(address, _choice(made, "police_good_job", "fair"))
    assert response.status_code == 429 and "try again later" in response.content.decode()
    assert Response.objects.count() == OPEN_RESPONSES_PER_ADDRESS_PER_HOUR


@pytest.mark.parametrize("fields", [{"is_open_to_all": False}, {"is_open_to_all": True, "status": "draft"}])
def test_it_hides_a_survey_not_open_to_all(client, world, fields):
    made = survey(world, **fields)
    assert client.get(reverse("surveys:open", args=[made.reference])).status_code == 404


# --- staff: written answers -----------------------------------------------------------------------


def _written(world, text="Cars race down Elm Street at night.", *, ward=True, days_ago=0):
    made = survey(world)
    question = made.questions.filter(kind=QuestionKind.TEXT).first() or _text_question(made)
    response = Response.objects.create(
        survey=made,
        source="open",
        submitted_at=timezone.now() - timedelta(days=days_ago),
        ward=world.daneshouse.wards.get() if ward else None,
    )
    return Answer.objects.create(response=response, question=question, text=text)


def _answers_url(answer):
    return reverse("surveys:text-answers", args=[answer.question.survey_id])


def _send_url(answer):
    return reverse("surveys:text-answer-issue", args=[answer.question.survey_id, answer.pk])


def test_it_lists_written_answers_escaped_in_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    answer = _written(world, "<script>alert(1)</script>")
    for n in range(5):
        Answer.objects.create(response=answer.response, question=answer.question, text=f"Answer {n}")
    client.force_login(world.pcso)
    with django_assert_max_num_queries(8):  # session, user, survey, scope, count, page, teams, wards
        page = client.get(_answers_url(answer))
    body = page.content.decode()
    assert page.status_code == 200 and "&lt;script&gt;alert(1)" in body and "<script>alert(1)" not in body
    assert body.count("Send to the triage queue<span") == 6


@pytest.mark.parametrize("who", ["partner", "resident"])
def test_it_hides_the_written_answers_from_outsiders(client, world, who):
    answer = _written(world)
    client.force_login(getattr(world, who))
    assert client.get(_answers_url(answer)).status_code == 404
    assert client.post(_send_url(answer), {"category": "speeding"}).status_code == 404
    assert not Issue.objects.exists()


def test_it_sends_an_answer_to_the_triage_queue_for_the_neighbourhood_team_once(client, world):
    answer = _written(world)
    client.force_login(world.pcso)
    response = client.post(_send_url(answer), {"category": "speeding"})
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert (issue.source, issue.ward, issue.category) == (IssueSource.SURVEY, answer.response.ward, "speeding")
    client.post(_send_url(answer), {"category": "speeding"})
    assert Issue.objects.count() == 1 and "In the triage queue" in client.get(_answers_url(answer)).content.decode()


def test_it_hides_another_neighbourhoods_answers_from_a_pcso(client, world):
    answer = _written(world, "Daneshouse answer")
    client.force_login(world.pcso_other)
    page = client.get(_answers_url(answer))
    assert page.status_code == 200 and "Daneshouse answer" not in page.content.decode()
    assert client.post(_send_url(answer), {"category": "speeding"}).status_code == 404
    assert not Issue.objects.exists()


def test_it_shows_answers_from_the_readers_area_and_those_from_no_ward(client, world):
    from_daneshouse = _written(world, "Daneshouse answer")
    unwarded = Answer.objects.create(
        response=Response.objects.create(
            survey=from_daneshouse.response.survey, source="open", submitted_at=timezone.now()
        ),
        question=from_daneshouse.question,
        text="Answer from no ward",
    )
    client.force_login(world.chief_inspector_other)
    body = client.get(_answers_url(from_daneshouse)).content.decode()
    assert "Daneshouse answer" not in body and "Answer from no ward" in body
    assert client.post(_send_url(from_daneshouse), {"category": "speeding"}).status_code == 404
    client.force_login(world.chief_inspector)
    body = client.get(_answers_url(unwarded)).content.decode()
    assert "Daneshouse answer" in body and "Answer from no ward" in body


def test_it_asks_for_a_ward_of_the_officers_neighbourhood_when_the_answer_has_none(client, world):
    answer = _written(world, ward=False)
    client.force_login(world.pcso)
    pharos = world.fleetwood.wards.get()
    refused = client.post(_send_url(answer), {"category": "asb", "ward": pharos.pk})
    assert refused.status_code == 400 and "Choose one of the answers shown." in refused.content.decode()
    missing = client.post(_send_url(answer), {"category": "asb"})
    assert missing.status_code == 400 and not Issue.objects.exists()
    daneshouse = world.daneshouse.wards.get()
    assert client.post(_send_url(answer), {"category": "asb", "ward": daneshouse.pk}).status_code == 302
    assert Answer.objects.get().issue.ward == daneshouse


def test_it_swaps_the_row_in_place_with_htmx(client, world):
    answer = _written(world)
    client.force_login(world.sergeant)
    invalid = client.post(_send_url(answer), {"category": "nonsense"}, HTTP_HX_REQUEST="true")
    assert invalid.status_code == 200 and "Choose one of the answers shown." in invalid.content.decode()
    sent = client.post(_send_url(answer), {"category": "drugs"}, HTTP_HX_REQUEST="true")
    body = sent.content.decode()
    assert f'id="text-answer-{answer.pk}"' in body and "In the triage queue" in body and "<html" not in body
    assert Issue.objects.get().category == "drugs"
