"""The demo's fixed inputs: take-up factors, reserved numbers, outcome rates and the alert texts."""

from dataclasses import dataclass

from messaging.models import AlertKind, Channel

SEED = "pact-demo-messaging-1"
HISTORY_MONTHS = 18
# Members per resident before the skew; with the factors below the demo force gets ~20,000.
TAKE_UP = 0.0101
DISTRICT_TAKE_UP = {
    "E07000124": 1.9, "E07000119": 1.7, "E07000128": 1.45, "E07000126": 1.25, "E07000127": 1.2,
    "E07000118": 1.2, "E07000121": 1.0, "E07000125": 1.0, "E07000123": 0.8, "E07000122": 0.8,
    "E07000120": 0.75, "E06000009": 0.7, "E07000117": 0.7, "E06000008": 0.65,
}  # fmt: skip
INNER_TOWN_TAKE_UP = 0.45
INNER_TOWN_WARDS = {
    "E07000117": {"Daneshouse with Stoneyholme", "Bank Hall", "Trinity", "Gannow", "Queensgate",
                  "Rosegrove with Lowerhouse", "Rosehill with Burnley Wood"},
    "E06000008": {"Bastwell", "Audley", "Shear Brow", "Wensley Fold", "Little Harwood", "Queen's Park",
                  "Shadsworth with Whitebirk", "Mill Hill"},
    "E06000009": {"Bloomfield", "Claremont", "Talbot", "Brunswick", "Park", "Victoria", "Clifton"},
    "E07000123": {"St Matthew's", "Deepdale", "Town Centre", "Fishwick", "Ribbleton", "Tulketh", "Brookfield"},
    "E07000122": {"Whitefield", "Bradley", "Southfield", "Walverden", "Brierfield"},
    "E07000120": {"Spring Hill", "Central", "Barnfield", "Church", "Peel", "Milnshaw"},
    "E07000121": {"Poulton", "Harbour", "Heysham North", "Skerton West"},
    "E07000128": {"Pharos", "Mount"},
    "E07000127": {"Digmoor", "Tanhouse", "Birch Green", "Skelmersdale North", "Skelmersdale South"},
    "E07000125": {"Stacksteads"},
    "E07000118": {"Chorley East"},
}  # fmt: skip
FIELD_SHARE, INNER_TOWN_FIELD_SHARE = 0.06, 0.24
DEMO_RESIDENT = "resident@demo.pact.example"
FEATURED_WARD = "E05005155"
# Ofcom's numbers reserved for drama: never a real line, so a misconfigured SMS provider reaches nobody.
MOBILES = [f"+447700900{n:03d}" for n in range(1000)]
LANDLINES = [f"+441632960{n:03d}" for n in range(1000)] + [f"+441614960{n:03d}" for n in range(1000)]
AGE_BANDS = (("16-24", 3), ("25-34", 8), ("35-49", 18), ("50-64", 30), ("65-74", 25), ("75+", 12), ("not_said", 4))
ETHNIC_GROUPS = {
    False: (("white_british", 89), ("white_other", 3), ("white_irish", 2), ("asian_indian", 1.5),
            ("asian_pakistani", 1.5), ("mixed_white_asian", 1), ("other_any", 0.5), ("not_said", 1.5)),
    True: (("white_british", 44), ("asian_pakistani", 28), ("asian_bangladeshi", 8), ("asian_indian", 5),
           ("white_other", 5), ("black_african", 2), ("mixed_white_asian", 2), ("other_arab", 1),
           ("white_roma", 1), ("not_said", 4)),
}  # fmt: skip
INTEREST_CHANCE = {
    "emergency-alerts": 0.75, "burglary": 0.55, "scams": 0.4, "road-safety": 0.3, "pact-meetings": 0.25,
    "rural-crime": 0.1, "business-crime": 0.08, "allotment-watch": 0.06, "youth": 0.08, "recruitment": 0.04,
}  # fmt: skip
# Per message, by channel: (delivered, sent without a receipt); the rest failed.
OUTCOMES = {Channel.EMAIL: (0.88, 0.11), Channel.SMS: (0.96, 0.02), Channel.VOICE: (0.8, 0.0)}
FAILURES = {
    Channel.EMAIL: "Temporary failure: the receiving mail server did not answer after 5 attempts.",
    Channel.SMS: "Temporary failure: the phone was off or out of range until the message expired.",
    Channel.VOICE: "No answer after 3 attempts.",
}
UNDELIVERABLE = {
    Channel.EMAIL: "The mailbox does not exist (hard bounce).",
    Channel.SMS: "The number is not in service.",
    Channel.VOICE: "The number is not in service.",
}
SEND_RATE = {Channel.EMAIL: 100, Channel.SMS: 50, Channel.VOICE: 5}  # per second, as MESSAGING_RATE_LIMITS
ALERT_COUNTS = {"neighbourhood": 112, "division": 26, "force": 12}
MAIL_DOMAIN = "mail.demo.pact.example"  # reserved (.example): no demo address can reach anyone
MAIL_NAMES = ["amina", "ben", "carol", "dave", "ewa", "frank", "gill", "hassan", "irene", "jim", "kath", "les",
              "mary", "nasreen", "pat", "rob", "sue", "tariq", "val", "wendy"]  # fmt: skip
RURAL_DISTRICTS = frozenset({"E07000124", "E07000119", "E07000128", "E07000127", "E07000121"})
FORCE_SITE = "https://www.lancashire.police.uk/"
ACTION_FRAUD = "https://www.actionfraud.police.uk/"
STREETS = ["Church Street", "Victoria Road", "Station Road", "Park Road", "Mill Lane", "Manchester Road", "School Lane"]
K = AlertKind


@dataclass(frozen=True)
class AlertText:
    kind: str
    title: str
    body: str
    interests: tuple[str, ...] = ()
    sms: bool = False
    voice: bool = False
    link: str = FORCE_SITE
    rural: bool = False


ADVICE = "\n\nReport anything suspicious on 101, or 999 if a crime is happening now.\n\n[More advice]({link})"
NEIGHBOURHOOD_ALERTS = [
    AlertText(K.GENERAL, "Sheds and garages broken into around {street}",
              "Over the last week sheds and garages around {street} in {ward} have been broken into and bikes and "
              "tools taken.\n\n- Lock sheds and garages, and fit a shed alarm if you can.\n- Mark your tools with "
              "your postcode." + ADVICE, ("burglary",)),
    AlertText(K.GENERAL, "Cold callers offering roof repairs in {ward}",
              "Men calling at homes in {ward} are offering roof and gutter repairs, then asking for cash up front. "
              "Do not agree to work on the doorstep, and never go to the bank with a cold caller." + ADVICE,
              ("scams",), sms=True, link=ACTION_FRAUD),
    AlertText(K.APPEAL, "Appeal: catalytic converters stolen overnight in {ward}",
              "Catalytic converters were cut from *three* cars parked on {street} overnight. If you saw anyone "
              "under a car, or have doorbell or dashcam footage, please call 101." + ADVICE, sms=True),
    AlertText(K.GENERAL, "Speed checks on {street} this week",
              "You told us at the PACT meeting that drivers speed on {street}. Officers and Community Speedwatch "
              "volunteers will be checking speeds there this week." + ADVICE, ("road-safety",)),
    AlertText(K.GENERAL, "Quad bikes and farm machinery targeted",
              "Quad bikes and trailers have been stolen from farms around {ward}. Keep machinery out of sight, "
              "locked and marked, and tell us about vehicles watching farm yards." + ADVICE, ("rural-crime",),
              rural=True),
    AlertText(K.GENERAL, "Allotment sheds damaged off {street}",
              "Several allotment sheds off {street} were forced open at the weekend. Please check your plot and "
              "report any damage or missing tools." + ADVICE, ("allotment-watch",)),
    AlertText(K.APPEAL, "Appeal: did you see a car driven dangerously on {street}?",
              "A car was driven at speed along {street} on Saturday evening, narrowly missing a child. If you saw "
              "it, or have footage, please call 101." + ADVICE, sms=True),
    AlertText(K.GENERAL, "Tools stolen from vans in {ward}",
              "Vans have been broken into overnight in {ward} and power tools taken. Take tools out of vans "
              "overnight and park against a wall or fence." + ADVICE, ("business-crime",)),
    AlertText(K.GENERAL, "Friday youth club at the {ward} community centre",
              "The youth service and your neighbourhood team run a youth club every Friday evening at the {ward} "
              "community centre, for young people aged 11 to 17. Free, with sport and music." + ADVICE, ("youth",)),
    AlertText(K.GENERAL, "Doorstep scam: fake water board callers in {ward}",
              "People claiming to be from the water company are asking to come in and check the water. Always ask "
              "for identification and ring the company on a number you find yourself." + ADVICE, ("scams",),
              link=ACTION_FRAUD),
]  # fmt: skip
MEETING_REMINDER = AlertText(
    K.MEETING_REMINDER, "Your PACT meeting: {when}",
    "Come and tell us what matters in {neighbourhood}: {meeting} at {venue}, {when}. We will report back on the "
    "priorities agreed last time and agree what to work on next.\n\n[Meeting details]({link})", ("pact-meetings",),
)  # fmt: skip
PRIORITY_UPDATE = AlertText(
    K.PRIORITY_UPDATE, "Update on your priority: {priority}",
    "You asked us to work on this at a PACT meeting in {neighbourhood}. See what has been done so far and what "
    "happens next.\n\n[Read the update]({link})",
)  # fmt: skip
DIVISION_ALERTS = [
    AlertText(K.EMERGENCY, "Flood warning: take care near rivers tonight",
              "The Environment Agency has issued flood warnings for rivers across {division}. Do not walk or drive "
              "through flood water, and check on neighbours who may need help.\n\n[Flood advice]({link})",
              ("emergency-alerts",), sms=True, voice=True),
    AlertText(K.APPEAL, "Missing person: have you seen Jack, 14?",
              "Jack, 14, has not been seen since yesterday afternoon. He is slim, about 5ft 6in, and was wearing a "
              "grey hoodie. If you have seen him, call 101 quoting log 0412.\n\n[Appeal]({link})", sms=True),
    AlertText(K.GENERAL, "Burglaries are up across {division}: lock up before you go out",
              "Burglaries have risen across {division} in the last month, mostly through unlocked back doors. Lock "
              "doors and windows even when you are at home." + ADVICE, ("burglary",)),
    AlertText(K.GENERAL, "Courier fraud calls reported across {division}",
              "Fraudsters are ringing older residents pretending to be police officers and asking them to hand over "
              "bank cards. The police will never do this. Hang up and call 101 from another phone." + ADVICE,
              ("scams",), sms=True, voice=True, link=ACTION_FRAUD),
    AlertText(K.GENERAL, "Summer holiday activities for young people in {division}",
              "Free sport, music and days out for young people over the summer holidays, run with the youth "
              "service and partners across {division}." + ADVICE, ("youth",)),
    AlertText(K.GENERAL, "Farm thefts: quad bikes and trailers targeted across {division}",
              "Rural crime officers are seeing more thefts of quad bikes, trailers and fuel from farms. Mark and "
              "lock machinery and join Farm Watch." + ADVICE, ("rural-crime",)),
]  # fmt: skip
FORCE_ALERTS = [
    AlertText(K.GENERAL, "Courier fraud: the police will never ask for your bank card",
              "We will never ring you and ask you to hand over your bank card, PIN or cash. If someone does, hang "
              "up and call 101 from a different phone." + ADVICE, ("scams",), sms=True, voice=True, link=ACTION_FRAUD),
    AlertText(K.GENERAL, "We are recruiting police community support officers",
              "Want to make a difference where you live? Applications are open for PCSOs across the county."
              "\n\n[Find out more and apply]({link})", ("recruitment",)),
    AlertText(K.GENERAL, "Christmas drink and drug driving campaign",
              "Officers will be out day and night over Christmas and New Year. If you know someone is driving under "
              "the influence, call 999." + ADVICE, ("road-safety",)),
    AlertText(K.EMERGENCY, "Severe weather warning: stay safe and check on neighbours",
              "The Met Office has issued an amber warning for wind and heavy rain across the county tonight. Only "
              "travel if you must, and check on older neighbours.\n\n[Severe weather advice]({link})",
              ("emergency-alerts",), sms=True, voice=True),
    AlertText(K.GENERAL, "Bonfire night: keep it safe and legal",
              "Enjoy organised displays, keep fireworks away from children and report anti-social use of fireworks "
              "on 101." + ADVICE),
    AlertText(K.GENERAL, "Have your say on policing in your neighbourhood",
              "Tell your neighbourhood team what matters most where you live, at your next PACT meeting or online."
              "\n\n[Find your neighbourhood team]({link})", ("pact-meetings",)),
    AlertText(K.GENERAL, "Shop theft: help for local businesses",
              "Free crime prevention visits and a radio link scheme are available to shops across the county."
              + ADVICE, ("business-crime",)),
]  # fmt: skip
COMMENTS = {
    True: ["Thanks, I've put a new lock on the shed.", "Really useful, I've shared it with my neighbours.",
           "Good to know what is happening on our street.", "I came to the meeting because of this message.",
           "Please keep these coming.", "Checked on my elderly neighbour after reading this.",
           "Clear and to the point, thank you."],
    False: ["Too late: it happened two weeks ago.", "Not relevant to my street.", "Too many messages this week.",
            "The link did not open on my phone.", "I would rather have this by text."],
}  # fmt: skip


def ward_take_up(*, district_code: str, ward_name: str) -> float:
    """How keen a ward is on In the Know relative to the force (1.0), before any field sign-ups."""
    factor = DISTRICT_TAKE_UP.get(district_code, 1.0)
    return factor * (INNER_TOWN_TAKE_UP if is_inner_town(district_code=district_code, ward_name=ward_name) else 1)


def is_inner_town(*, district_code: str, ward_name: str) -> bool:
    return ward_name in INNER_TOWN_WARDS.get(district_code, ())
