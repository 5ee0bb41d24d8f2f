"""Building and sending surveys (staff): the builder, the question bank, invitations."""
