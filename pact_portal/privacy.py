"""Showing personal details back to the people they belong to, and no further."""


def email_masked(email: str) -> str:
    """Enough of the address for its owner to recognise, not enough for anyone else to harvest."""
    name, _, domain = email.partition("@")
    return f"{name[:1]}{'•' * max(len(name) - 1, 2)}@{domain}"
