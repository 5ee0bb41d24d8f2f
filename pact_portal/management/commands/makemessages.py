"""Django's makemessages without msgmerge's fuzzy matching.

With it, every newly marked string took the translation of the nearest old one, flagged fuzzy:
"Tasking" got Panjabi for "Parking", "Your age" Bengali for "Your data". Fuzzy entries are never
compiled, so residents never saw them, but a translator reviewing a catalogue could accept one
by clearing the flag. A new string now arrives empty, which is what it is: untranslated."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
