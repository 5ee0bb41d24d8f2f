"""The planner's random_page_cost, kept on the database rather than sent by every connection.

Sent at connect time (`-c random_page_cost=...` in the connection's options) it is lost behind
PgBouncer in transaction mode, which refuses start-up options. Set with ALTER DATABASE, every new
session on that database starts with it, however it connects. Needs the database's owner (the
portal's user in docker-compose.yml) and applies to sessions started afterwards.
"""

from django.db import connections


def random_page_cost_apply(*, using: str = "default", value: float) -> str | None:
    """Set `value` on the database behind `using`; returns its name, None if not PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (name,) = cursor.fetchone()
        quoted = connection.ops.quote_name(name)
        # ALTER DATABASE takes no parameters: the value is a float, so nothing typed reaches the SQL.
        cursor.execute(f"ALTER DATABASE {quoted} SET random_page_cost = {float(value)}")  # noqa: S608
    return name


def random_page_cost_current(*, using: str = "default") -> float | None:
    """What a session started now gets (after ALTER DATABASE, a new connection sees it)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        return float(cursor.fetchone()[0])
