"""Door-knock rounds: the ward street lists, planning a round, each door's outcome, finishing it."""
