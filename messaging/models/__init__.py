"""In the Know: subscribers, the alerts sent to them and every delivery, one row per
(alert, subscriber, channel).

Subscriber addresses live on SubscriberChannel rows so that the audience of an alert is one
set-wise query (channel rows that are active, of subscribers in the area with the interests),
which the fan-out turns into Delivery rows with a single INSERT … SELECT per batch.
"""

from .alerts import (  # noqa: F401 - the app's models, imported as messaging.models
    ACCEPTED_BY,
    KIND_URGENCY,
    Alert,
    AlertKind,
    AlertStatus,
    AlertTranslation,
    AudienceLevel,
    kind_urgency,
)
from .delivery import (  # noqa: F401 - the app's models, imported as messaging.models
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Feedback,
    LinkClick,
    OutboxMessage,
    ReceiptEvent,
)
from .doorknock import (  # noqa: F401 - the app's models, imported as messaging.models
    SPOKEN_TO,
    Address,
    DoorKnockReach,
    DoorKnockRound,
    DoorOutcome,
    RoundDoor,
    RoundStatus,
    Street,
)
from .inbox import (  # noqa: F401 - the app's models, imported as messaging.models
    AnswerOutcome,
    BounceRecovery,
    DutyContact,
    InboundReply,
    InboundReplyQuerySet,
    ReplyAnswer,
    ReplyStatus,
    TriggerWord,
)
from .members import (  # noqa: F401 - the app's models, imported as messaging.models
    QUIET_END,
    QUIET_START,
    Accepts,
    AgeBand,
    Channel,
    ChannelStatus,
    ConsentMethod,
    Digest,
    EthnicGroup,
    Interest,
    Language,
    SignUpSource,
    Subscriber,
    SubscriberChannel,
    SubscriberChannelQuerySet,
    SubscriberInterest,
    SubscriberQuerySet,
    Urgency,
    new_manage_secret,
)
