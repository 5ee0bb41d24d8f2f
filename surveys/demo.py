"""The demo force's surveys and ward reference populations. Everything here is SYNTHETIC.

Census: every demo ward gets made-up counts by age band and ethnic group, stored with
is_synthetic=True and the source "SYNTHETIC demo figures, not ONS data". They are shaped the way
East Lancashire is described, not measured: the inner-town wards with long-settled Pakistani,
Bangladeshi and Indian communities (Daneshouse with Stoneyholme, Bank Hall, Queensgate, Audley,
Bastwell …) have large Asian populations and a younger age profile; the rural districts are older
and almost all White British; the other inner-town wards are younger with more White other
(e.g. Polish) residents. A ward's adults are its synthetic population less about a fifth under 16.

Surveys: four "Your area" waves over the demo's eighteen months, each named after the season it
opens in (surveys/waves.py), built by the communications officer, each with the standard bank
questions and a free-text question; all closed except the latest, which is open. Respondents are
demo In the Know members who were members when the wave opened (source "invited", one response per
member per wave, ward = the member's ward). Their answers follow invented trends: confidence rising
slowly in East Division and flat elsewhere, a White–BME confidence gap in East and South Divisions
(small in West), and people involved in PACT more confident than those who are not.

Deterministic for a given `today` (seeded random streams), idempotent (a wave already there is
left alone; synthetic census rows are rewritten, never duplicated, and real imported figures are
never touched), and written in bulk.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from messaging.demo.data import RURAL_DISTRICTS, is_inner_town
from messaging.models import (
    AgeBand,
    Alert,
    AlertKind,
    AlertStatus,
    AudienceLevel,
    ChannelStatus,
    Delivery,
    DeliveryStatus,
    Subscriber,
    SubscriberChannel,
)
from neighbourhoods.models import Force, Ward
from pact_portal.i18n import in_source_language
from surveys.bank import BANK, is_white
from surveys.models import (
    Answer,
    BankKey,
    Option,
    PopulationCategory,
    Question,
    QuestionKind,
    Response,
    ResponseSource,
    Section,
    SectionTranslation,
    Survey,
    SurveyStatus,
    SurveyTranslation,
    WardPopulation,
)
from surveys.translations.services import question_translations_from_bank
from surveys.waves import season_label

SEED = "pact-demo-surveys-1"
INVITATION_BODY = (
    "How safe do you feel where you live, and how well do we and our partners deal with what matters there?\n\n"
    "Your answers are anonymous and take about three minutes. Use the button below: the link is yours alone."
)
INVITATION_VOICE = (
    "This is Lancashire Police with an In the Know message. We would like to know how safe you feel where you "
    "live. Our survey takes about three minutes and your answers are anonymous."
)
SYNTHETIC_SOURCE = "SYNTHETIC demo figures, not ONS data"

# The waves' own words in the languages most asked for in Daneshouse with Stoneyholme (Urdu) and by the
# force's Welsh and Polish readers, beside the bank questions' catalogue translations. {season} is the
# season's name in the language; {years} the year (or "2025/26" for a winter).
WAVE_WORDING = {
    "ur": {
        "title": "آپ کا علاقہ: {season} {years}",
        "introduction": "ہمیں بتائیں کہ آپ اپنے علاقے میں کتنا محفوظ محسوس کرتے ہیں، اور ہم اور ہمارے شراکت دار آپ کے "
        "رہنے کی جگہ کے اہم مسائل سے کتنی اچھی طرح نمٹتے ہیں۔ اس میں تقریباً تین منٹ لگتے ہیں۔ آپ کے جوابات گمنام ہیں۔",
        "thank_you": "شکریہ۔ آپ نے ہمیں جو بتایا، اور ہم اس بارے میں کیا کر رہے ہیں، وہ ہم PACT میٹنگوں میں سب کے "
        "سامنے رکھتے ہیں۔",
        "sections": ("آپ کا علاقہ", "آپ کے بارے میں"),
        "seasons": {"Spring": "بہار", "Summer": "گرمیاں", "Autumn": "خزاں", "Winter": "سردیاں"},
    },
    "cy": {
        "title": "Eich ardal: {season} {years}",
        "introduction": "Dywedwch wrthym pa mor ddiogel rydych chi'n teimlo, a pha mor dda rydyn ni a'n partneriaid "
        "yn delio â'r hyn sy'n bwysig lle rydych chi'n byw. Mae'n cymryd tua thri munud. Mae eich atebion yn ddienw.",
        "thank_you": "Diolch. Rydyn ni'n rhannu'r hyn a ddywedoch wrthym, a'r hyn rydyn ni'n ei wneud amdano, "
        "yng nghyfarfodydd PACT.",
        "sections": ("Eich ardal", "Amdanoch chi"),
        "seasons": {"Spring": "Gwanwyn", "Summer": "Haf", "Autumn": "Hydref", "Winter": "Gaeaf"},
    },
    "pl": {
        "title": "Twoja okolica: {season} {years}",
        "introduction": "Powiedz nam, jak bezpiecznie czujesz się w swojej okolicy i jak dobrze my oraz nasi partnerzy "
        "radzimy sobie z tym, co jest ważne tam, gdzie mieszkasz. Zajmie to około trzech minut. Twoje odpowiedzi są "
        "anonimowe.",
        "thank_you": "Dziękujemy. To, co nam powiedziałeś, i to, co z tym robimy, przedstawiamy na spotkaniach PACT.",
        "sections": ("Twoja okolica", "O Tobie"),
        "seasons": {"Spring": "Wiosna", "Summer": "Lato", "Autumn": "Jesień", "Winter": "Zima"},
    },
}
CHUNK = 2000

# Wards with large South Asian communities, by district (real ward names, invented figures), and
# each district's mix of Pakistani, Bangladeshi and Indian heritage.
ASIAN_HERITAGE_WARDS = {
    "E07000117": {"Daneshouse with Stoneyholme", "Bank Hall", "Queensgate", "Gannow", "Trinity"},
    "E06000008": {"Bastwell", "Audley", "Shear Brow", "Wensley Fold", "Little Harwood", "Queen's Park"},
    "E07000122": {"Whitefield", "Bradley", "Southfield", "Walverden", "Brierfield"},
    "E07000120": {"Spring Hill", "Central", "Barnfield", "Church", "Peel"},
    "E07000123": {"St Matthew's", "Deepdale", "Fishwick"},
}
ASIAN_MIX = {
    "E07000117": {"asian_pakistani": 70, "asian_bangladeshi": 25, "asian_indian": 5},
    "E06000008": {"asian_indian": 50, "asian_pakistani": 45, "asian_bangladeshi": 5},
    "E07000122": {"asian_pakistani": 92, "asian_bangladeshi": 5, "asian_indian": 3},
    "E07000120": {"asian_pakistani": 85, "asian_bangladeshi": 10, "asian_indian": 5},
    "E07000123": {"asian_indian": 55, "asian_pakistani": 40, "asian_bangladeshi": 5},
}
AGE_PROFILES = {  # shares of adults in 16-24, 25-34, 35-49, 50-64, 65-74, 75+
    "asian": (19, 21, 27, 18, 9, 6),
    "inner": (15, 19, 24, 22, 11, 9),
    "suburban": (12, 14, 23, 25, 14, 12),
    "rural": (9, 10, 20, 28, 18, 15),
}
OTHER_GROUPS = {  # shares of adults, besides White British and the Asian groups of ASIAN_MIX
    "asian": {"white_other": 3, "white_irish": 0.3, "black_african": 1, "mixed_white_asian": 1.2,
              "mixed_other": 0.5, "asian_other": 1.5, "other_arab": 0.8, "other_any": 1, "white_roma": 0.5},
    "inner": {"white_other": 7, "white_irish": 0.8, "asian_pakistani": 2.5, "asian_indian": 1.5, "asian_other": 1,
              "black_african": 1.5, "black_caribbean": 0.5, "mixed_white_black_caribbean": 1, "mixed_white_asian": 1,
              "other_any": 1, "white_gypsy_traveller": 0.3},
    "suburban": {"white_other": 3, "white_irish": 0.8, "asian_indian": 1.5, "asian_pakistani": 1.5,
                 "asian_chinese": 0.5, "black_african": 0.5, "mixed_white_asian": 0.8, "mixed_other": 0.5,
                 "other_any": 0.5},
    "rural": {"white_other": 1.5, "white_irish": 0.5, "asian_indian": 0.4, "mixed_white_asian": 0.4,
              "white_gypsy_traveller": 0.2, "other_any": 0.2},
}  # fmt: skip
ASIAN_SHARE = (38, 75)  # percent of adults, drawn per ward

WAVES = [-16, -12, -7, -2]  # months before today each wave opens
WAVE_WEEKS = 6
RESPONSE_RATE = 0.11
# Invented confidence ("excellent" or "good"): by division, a slow rise in East; the White–BME gap.
CONFIDENCE = {"east": 0.46, "south": 0.53, "west": 0.55}
RISE_PER_WAVE = {"east": 0.04}
BME_GAP = {"east": 0.15, "south": 0.12, "west": 0.03}
PACT_INVOLVED_LIFT = 0.13
TEXT_QUESTION = "Is there anything else you would like your neighbourhood team to know?"
COMMENTS = [
    "Cars speeding on the main road every evening, someone will get hurt.",
    "Drug dealing near the park has got worse since the summer.",
    "Young people gathering outside the shops late at night.",
    "Fly-tipping in the back alleys is not being cleared.",
    "It would help to see the PCSO walking round more often.",
    "Thank you for the alerts, they are useful.",
    "Parking on the pavement outside the school at home time.",
    "Nobody came back to me after I reported a break-in.",
    "More meetings in the evening please, I work during the day.",
    "Motorbikes riding on the playing fields.",
]


@dataclass
class DemoSurveysSummary:
    created: int  # responses written this run
    surveys: int
    responses: int
    population_rows: int


def _aware(day: date, hour: int = 0) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, 1)


def _profile(ward: Ward) -> str:
    district = ward.district.code if ward.district else ""
    if ward.name in ASIAN_HERITAGE_WARDS.get(district, ()):
        return "asian"
    if is_inner_town(district_code=district, ward_name=ward.name):
        return "inner"
    return "rural" if district in RURAL_DISTRICTS else "suburban"


@transaction.atomic
def demo_surveys_seed(*, force: Force, today: date | None = None) -> DemoSurveysSummary:
    """Give the demo force synthetic census figures and four survey waves with their responses."""
    today = today or timezone.localdate()
    as_of = min(_aware(today), timezone.now())
    wards = list(
        Ward.objects.filter(neighbourhood__division__force=force)
        .select_related("district", "neighbourhood__division")
        .only("code", "name", "population", "district__code", "neighbourhood__division__code")
        .order_by("code")
    )
    population_rows = _seed_census(wards)
    author = User.objects.filter(force=force, role=Role.COMMUNICATIONS).order_by("email").first()
    created = 0
    if author is not None:
        members = _members([w.pk for w in wards])
        channels = _active_channels([w.pk for w in wards])
        profiles = {w.pk: (w, _profile(w)) for w in wards}
        for number, months in enumerate(WAVES):
            created += _seed_wave(force, author, number, months, today, as_of, members, profiles, channels)
    in_force = Survey.objects.filter(force=force)
    return DemoSurveysSummary(
        created=created,
        surveys=in_force.count(),
        responses=Response.objects.filter(survey__in=in_force).count(),
        population_rows=population_rows,
    )


# --- census -----------------------------------------------------------------------------------


def _seed_census(wards: list[Ward]) -> int:
    """Rewrite the synthetic counts (real imported figures are left as they are)."""
    ids = [w.pk for w in wards]
    WardPopulation.objects.filter(ward_id__in=ids, is_synthetic=True).delete()
    real = set(WardPopulation.objects.filter(ward_id__in=ids).values_list("ward_id", flat=True))
    rows = []
    for ward in wards:
        if ward.pk in real or not ward.population:
            continue
        rng = random.Random(f"{SEED}:census:{ward.code}")  # noqa: S311 - demo data, not security
        profile = _profile(ward)
        adults = round(ward.population * (0.74 if profile == "asian" else 0.81))
        ages = dict(zip([b for b in AgeBand.values if b != AgeBand.NOT_SAID], AGE_PROFILES[profile], strict=True))
        for category, shares in (
            (PopulationCategory.AGE_BAND, ages),
            (PopulationCategory.ETHNIC_GROUP, _ethnic_shares(ward, profile, rng)),
            (PopulationCategory.SEX, {"female": 51, "male": 49}),
        ):
            total = sum(shares.values())
            for group, share in shares.items():
                count = round(adults * share / total * rng.uniform(0.9, 1.1))
                rows.append(WardPopulation(ward=ward, category=category, group=group, count=count,
                                           source=SYNTHETIC_SOURCE, is_synthetic=True))  # fmt: skip
    WardPopulation.objects.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


def _ethnic_shares(ward: Ward, profile: str, rng: random.Random) -> dict[str, float]:
    shares = dict(OTHER_GROUPS[profile])
    if profile == "asian":
        asian = rng.uniform(*ASIAN_SHARE)
        mix = ASIAN_MIX[ward.district.code]
        for group, part in mix.items():
            shares[group] = shares.get(group, 0) + asian * part / sum(mix.values())
    shares["white_british"] = max(100 - sum(shares.values()), 5)
    return shares


# --- survey waves -----------------------------------------------------------------------------


def _members(ward_ids: list[int]) -> list[dict]:
    """Members who can be reached today, oldest first, with what the answers depend on."""
    # IN, not a correlated EXISTS: SQLite runs the EXISTS once per member, 500 times slower here.
    reachable = SubscriberChannel.objects.filter(status=ChannelStatus.ACTIVE).values("subscriber_id")
    return list(
        Subscriber.objects.current()
        .filter(ward_id__in=ward_ids, pk__in=reachable)
        .order_by("consent_at", "pk")
        .values("pk", "ward_id", "consent_at", "age_band", "ethnic_group")
    )


def _active_channels(ward_ids: list[int]) -> dict[int, list[tuple]]:
    """Subscriber id → (channel, confirmed at, unsubscribed at) of each channel ever confirmed."""
    channels: dict[int, list[tuple]] = {}
    rows = SubscriberChannel.objects.filter(subscriber__ward_id__in=ward_ids, confirmed_at__isnull=False)
    for subscriber_id, *channel in rows.order_by("subscriber_id", "channel").values_list(
        "subscriber_id", "channel", "confirmed_at", "unsubscribed_at"
    ):
        channels.setdefault(subscriber_id, []).append(tuple(channel))
    return channels


def _live_at(confirmed, left, moment) -> bool:
    """A channel confirmed by `moment` and not yet left."""
    return confirmed <= moment and (left is None or left > moment)


def _seed_wave(force, author, number, months, today, as_of, members, profiles, channels) -> int:
    opens = _aware(_add_months(today, months) + timedelta(days=2), 9)
    season = season_label(opens)
    title = f"Your area: {season}"
    if opens >= as_of or _wave_exists(force, opens, title, season):
        return 0
    latest = number == len(WAVES) - 1
    closes = opens + timedelta(weeks=WAVE_WEEKS if not latest else 10)
    survey = Survey.objects.create(
        force=force, title=title, wave_label=season, created_by=author, opens_at=opens,
        closes_at=closes, status=SurveyStatus.OPEN if latest else SurveyStatus.CLOSED,
        introduction="Tell us how safe you feel and how well we and our partners deal with what matters where "
        "you live. It takes about three minutes. Your answers are anonymous.",
        thank_you="Thank you. We publish what you told us, and what we are doing about it, at PACT meetings.",
    )  # fmt: skip
    options = _build_questions(survey)
    _translate_wave(survey, season)
    rng = random.Random(f"{SEED}:wave:{number}")  # noqa: S311 - demo data, not security
    ends = min(closes, as_of)
    chosen = [m for m in members if m["consent_at"] < opens and rng.random() < RESPONSE_RATE]
    # Only members the invitation reached can answer it.
    chosen = [m for m in chosen if any(_live_at(c, left, opens) for _, c, left in channels.get(m["pk"], []))]
    responses = [_response(survey, rng, m, profiles[m["ward_id"]], opens, ends) for m in chosen]
    # Women answer surveys a little more than men, as in real ones; a stream of its own, so the
    # answers drawn below are as they were before respondents gave their sex.
    sex_rng = random.Random(f"{SEED}:sex:{number}")  # noqa: S311 - demo data, not security
    for response in responses:
        response.sex = sex_rng.choices(("female", "male", ""), weights=(54, 42, 4))[0]
    Response.objects.bulk_create(responses, batch_size=CHUNK)
    # Its own random stream, so the invitation leaves the answers drawn below as they were.
    invite_rng = random.Random(f"{SEED}:invitation:{number}")  # noqa: S311 - demo data, not security
    _seed_invitation(survey, author, [m for m in members if m["consent_at"] < opens], channels, responses, invite_rng)
    answers = []
    for response in responses:
        division = profiles[response.ward_id][0].neighbourhood.division.code
        answers += _answers(response, rng, options, division=division, wave=number)
    Answer.objects.bulk_create(answers, batch_size=CHUNK)
    return len(responses)


def _wave_exists(force, opens, title, season) -> bool:
    """Whether the wave is there already (by name, or opening then). One seeded before waves were
    named from their dates ("Summer 2025" opening in December) takes its season's name, with its
    invitation."""
    if Survey.objects.filter(force=force, title=title).exists():
        return True
    wave = Survey.objects.filter(force=force, opens_at=opens, title__startswith="Your area: ").first()
    if wave is None:
        return False
    if wave.title != title:
        Survey.objects.filter(pk=wave.pk).update(title=title, wave_label=season)
        Alert.objects.filter(survey=wave).update(title=f"Have your say: {title}")
    _translate_wave(wave, season)
    return True


def _translate_wave(survey: Survey, season: str) -> None:
    """The wave's title, introduction, thank-you and two sections in Urdu, Welsh and Polish (again, with
    the season's new name, when a wave is renamed)."""
    name, years = season.split(" ", 1)
    sections = list(survey.sections.order_by("position", "pk")[:2])
    for language, words in WAVE_WORDING.items():
        SurveyTranslation.objects.update_or_create(
            survey=survey,
            language=language,
            defaults={
                "title": words["title"].format(season=words["seasons"][name], years=years),
                "introduction": words["introduction"],
                "thank_you": words["thank_you"],
            },
        )
        for section, title in zip(sections, words["sections"], strict=False):
            SectionTranslation.objects.update_or_create(section=section, language=language, defaults={"title": title})


def _seed_invitation(survey, author, invited, channels, responses, rng) -> None:
    """The In the Know invitation the wave went out as: a force-wide survey alert with a delivery
    per member and channel, so each response stands behind a personal link that was really sent.
    Those who answered opened the email and clicked through shortly before they submitted."""
    sent = survey.opens_at
    alert = Alert.objects.create(
        force=survey.force, kind=AlertKind.SURVEY, survey=survey, title=f"Have your say: {survey.title}",
        body=INVITATION_BODY, sms_text="Lancashire Police In the Know: how safe do you feel where you live? "
        "Three minutes, anonymous.", voice_script=INVITATION_VOICE, send_email=True, send_sms=True,
        send_voice=True, audience_level=AudienceLevel.FORCE, status=AlertStatus.SENT, created_by=author,
        released_at=sent, fanout_completed_at=sent + timedelta(minutes=2), completed_at=sent + timedelta(hours=1),
    )  # fmt: skip
    answered = {r.subscriber_id: r.submitted_at for r in responses}
    deliveries, counts = [], dict.fromkeys(("email", "sms", "voice"), 0)
    for member in invited:
        for channel, confirmed, unsubscribed in channels.get(member["pk"], []):
            # Only channels that were live when the invitation went, as the real fan-out chooses.
            if not _live_at(confirmed, unsubscribed, sent):
                continue
            counts[channel] += 1
            at = sent + timedelta(minutes=2, seconds=rng.randrange(3600))
            # The survey link is personal and not click-tracked: only the open pixel shows.
            answered_at = answered.get(member["pk"]) if channel == "email" else None
            deliveries.append(Delivery(
                alert=alert, subscriber_id=member["pk"], channel=channel, status=DeliveryStatus.DELIVERED,
                attempts=1, queued_at=sent, sent_at=at, delivered_at=at + timedelta(seconds=20),
                opened_at=answered_at - timedelta(minutes=6) if answered_at else None,
            ))  # fmt: skip
    Delivery.objects.bulk_create(deliveries, batch_size=CHUNK)
    Alert.objects.filter(pk=alert.pk).update(audience_counts=counts)


ABOUT_YOU = ("age_band", "ethnic_group", "sex")


def _build_questions(survey: Survey) -> dict:
    """The bank questions and the free-text one; {bank key: (question, {value: option})}."""
    about = Section.objects.create(survey=survey, title="Your area", position=0)
    you = Section.objects.create(survey=survey, title="About you", position=1)
    keys = list(BankKey.values)
    questions = [
        Question(survey=survey, section=you if key in ABOUT_YOU else about, kind=BANK[key].kind,
                 text=in_source_language(BANK[key].text), help_text=in_source_language(BANK[key].help_text),
                 scale_max=BANK[key].scale_max, bank_key=key, position=n)
        for n, key in enumerate(keys)
    ]  # fmt: skip
    questions.append(
        Question(survey=survey, section=about, kind=QuestionKind.TEXT, text=TEXT_QUESTION, position=len(keys))
    )
    Question.objects.bulk_create(questions)
    options = [
        Option(question=q, value=value, label=in_source_language(label), position=n)
        for q in questions[:-1]
        for n, (value, label) in enumerate(BANK[q.bank_key].options)
    ]
    Option.objects.bulk_create(options)
    for question in questions[:-1]:
        question_translations_from_bank(question=question)
    by_key = {q.bank_key: (q, {}) for q in questions[:-1]}
    for option in options:
        by_key[option.question.bank_key][1][option.value] = option
    by_key["text"] = (questions[-1], {})
    return by_key


def _weighted(rng: random.Random, shares: dict) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _response(survey, rng, member, ward_profile, opens, ends) -> Response:
    ward, profile = ward_profile
    age, ethnic = member["age_band"], member["ethnic_group"]
    # Most members never described themselves to In the Know; as respondents they answer the
    # survey's own "about you" questions, skewed older and whiter than the ward, as surveys are.
    if not age:
        ages = dict(zip(AgeBand.values[:-1], AGE_PROFILES[profile], strict=True))
        ages.update({b: ages[b] * 1.7 for b in ("50-64", "65-74", "75+")} | {AgeBand.NOT_SAID: 5})
        age = _weighted(rng, ages) if rng.random() < 0.93 else ""
    if not ethnic:
        shares = _ethnic_shares(ward, profile, rng)
        shares = {g: s * (1 if g.startswith("white_") else 0.45) for g, s in shares.items()} | {"not_said": 3}
        ethnic = _weighted(rng, shares) if rng.random() < 0.9 else ""
    span = max((ends - opens).total_seconds(), 3600)
    return Response(
        survey=survey, source=ResponseSource.INVITED, subscriber_id=member["pk"], ward_id=member["ward_id"],
        submitted_at=opens + timedelta(seconds=span * rng.random() ** 2),  # most answer in the first days
        age_band=age, ethnic_group=ethnic,
    )  # fmt: skip


def _answers(response: Response, rng, options: dict, *, division: str, wave: int) -> list[Answer]:
    aware = rng.random() < 0.45
    involved = aware and rng.random() < 0.3
    confidence = CONFIDENCE.get(division, 0.52) + RISE_PER_WAVE.get(division, 0) * wave
    if is_white(response.ethnic_group) is False:
        confidence -= BME_GAP.get(division, 0.08)
    if involved:
        confidence += PACT_INVOLVED_LIFT
    picks = {
        "police_good_job": _graded(rng, confidence, ("excellent", "good"), ("fair", "poor", "very_poor"), "dont_know"),
        "safe_after_dark": _graded(rng, confidence + 0.1, ("very_safe", "fairly_safe"), ("bit_unsafe", "very_unsafe"),
                                   "dont_know"),
        "safe_during_day": _graded(rng, confidence + 0.35, ("very_safe", "fairly_safe"),
                                   ("bit_unsafe", "very_unsafe"), "dont_know"),
        "pact_aware": "yes" if aware else "no",
        "pact_involved": "yes" if involved else "no",
        "itk_satisfaction": _graded(rng, 0.78, ("very_satisfied", "fairly_satisfied"),
                                    ("neither", "fairly_dissatisfied", "very_dissatisfied"), None),
        # Most respondents had no contact with the police in the year; those who did were mostly satisfied.
        "service_satisfaction": "no_contact" if rng.random() < 0.7 else _graded(
            rng, confidence + 0.1, ("very_satisfied", "fairly_satisfied"),
            ("neither", "fairly_dissatisfied", "very_dissatisfied"), None),
        "age_band": response.age_band or None,
        "ethnic_group": response.ethnic_group or None,
        "sex": response.sex or None,
    }  # fmt: skip
    answers = [
        Answer(response=response, question=options[key][0], option=options[key][1][value])
        for key, value in picks.items()
        if value is not None
    ]
    agree = confidence - 0.05
    number = rng.choice((4, 5)) if rng.random() < agree else rng.choice((1, 2, 3, 3))
    answers.append(Answer(response=response, question=options["deal_with_what_matters"][0], number=number))
    # Legitimacy tracks confidence; few residents feel they can influence local decisions.
    for key, likely in (("police_treat_fairly", confidence + 0.05), ("police_relied_on", confidence - 0.1),
                        ("influence_decisions", 0.3 + (0.25 if involved else 0))):  # fmt: skip
        number = rng.choice((4, 5)) if rng.random() < likely else rng.choice((1, 2, 3, 3))
        answers.append(Answer(response=response, question=options[key][0], number=number))
    if rng.random() < 0.12:
        answers.append(Answer(response=response, question=options["text"][0], text=rng.choice(COMMENTS)))
    # Those involved in PACT have met the team; a few others have, at a door or a stall. A stream of
    # its own per response (named by its moment, never a database id), so the answers above stay
    # as they were before this question.
    own = random.Random(f"{SEED}:face_to_face:{response.submitted_at.isoformat()}")  # noqa: S311
    met = involved or own.random() < 0.18
    answers.append(Answer(response=response, question=options["face_to_face"][0],
                          option=options["face_to_face"][1]["yes" if met else "no"]))  # fmt: skip
    return answers


def _graded(rng, favourable: float, good: tuple, bad: tuple, unsure: str | None) -> str:
    if unsure and rng.random() < 0.04:
        return unsure
    return rng.choice(good) if rng.random() < favourable else rng.choice(bad)
