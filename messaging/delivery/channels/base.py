"""The one interface every channel's sender implements, so the sending engine, confirmation
codes and the outbox treat email, SMS and voice alike."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OutgoingMessage:
    channel: str  # messaging.models.Channel value
    to: str  # an email address, or an E.164 phone number
    body: str  # plain text; the SMS text; the voice script
    subject: str = ""
    html: str = ""
    headers: dict = field(default_factory=dict)
    # Stable per message (a delivery's token): providers that accept a client reference get it,
    # so a receipt can be matched and a retried send recognised.
    reference: str = ""
    delivery_id: int | None = None


@dataclass(frozen=True)
class SendResult:
    provider_id: str = ""


class SendError(Exception):
    """Base of the two ways a send fails."""


class TransientSendError(SendError):
    """Worth retrying later (provider down, 5xx, 429, timeout); `retry_after` in seconds if the
    provider said how long to wait."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentSendError(SendError):
    """Retrying cannot help (invalid address or number, rejected content): the delivery fails
    with this reason."""


class Sender(ABC):
    channel_kind = ""

    @abstractmethod
    def send(self, message: OutgoingMessage) -> SendResult:
        """Hand the message to the provider, or raise TransientSendError / PermanentSendError."""
