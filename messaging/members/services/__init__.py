"""Writes for In the Know members: `signup` (joining, online or on the doorstep, with the checks,
offers and confirmation messages the manage page reuses), `confirm` (the emailed link, the texted
code, asking for either again) and `manage` (the signed manage link: changing choices, stopping,
unsubscribing and STOP by text, the member's own data)."""
