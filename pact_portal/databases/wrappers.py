"""Execute wrappers the portal keeps on every connection for its whole life."""


def install_outermost(connection, wrapper) -> None:
    """Put `wrapper` first in the connection's execute_wrappers (the outermost), once.

    Not at the end: Django's `connection.execute_wrapper()` context manager (which pghistory's audit
    context uses) takes its wrapper back off with `pop()`, i.e. whatever is last. A connection opened
    inside such a context would otherwise lose our wrapper at its exit and keep the context's, which
    then runs outside it; pghistory's fails every later query of that thread (`_tracker.value`)."""
    if wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, wrapper)
