"""Views for In the Know members: `signup` (joining, confirming each channel), `manage` (the signed
manage link and everything done through it, unsubscribing, STOP by text) and `field` (the
officers' doorstep sign-up)."""
