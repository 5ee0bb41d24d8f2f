"""Control characters kept out of what people type.

A bell, a vertical tab or a line break in a venue, a title or a name is never meant: it is pasted
by accident or sent to break something (an XLSX export, a CSV row, an address in the police.uk
API, a header line). Single-line text refuses every C0 and C1 control character; multi-line text
(TextField, a textarea) allows tab and line breaks only.

Every CharField and TextField of the project's own models gets the rule when the apps are ready
(`install_model_validators`), so ModelForms, services' full_clean and DRF's ModelSerializers
(which copy a model field's validators) all refuse such text with a field error. The validators
are added to the field's `validators`, not its `_validators`, so migrations do not see them.
"""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

SINGLE_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MULTI_LINE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@deconstructible
class NoControlCharacters:
    code = "control_characters"

    def __init__(self, *, multi_line: bool = False):
        self.multi_line = multi_line

    def __call__(self, value) -> None:
        pattern = MULTI_LINE_CONTROL if self.multi_line else SINGLE_LINE_CONTROL
        if isinstance(value, str) and pattern.search(value):
            message = (
                _("Remove the control characters (such as a bell or vertical tab): only tabs and line breaks are kept.")
                if self.multi_line
                else _("Remove the line breaks, tabs and other control characters: this takes one line of text.")
            )
            raise ValidationError(message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, NoControlCharacters) and other.multi_line == self.multi_line


single_line = NoControlCharacters()
multi_line = NoControlCharacters(multi_line=True)


def one_line(value: str) -> str:
    """Text for a one-line output (an address in an API, a file name): any run of control
    characters, as a record stored before the rule may hold, becomes one space."""
    return re.sub(r"\s*" + SINGLE_LINE_CONTROL.pattern + r"+\s*", " ", value).strip() if value else value


def project_app_configs():
    """The project's own apps: the packages at the top of the repository (not those installed)."""
    root = Path(settings.BASE_DIR).resolve()
    return [config for config in apps.get_app_configs() if Path(config.path).resolve().parent == root]


def text_validator_for(field) -> NoControlCharacters | None:
    if isinstance(field, models.TextField):
        return multi_line
    if isinstance(field, models.CharField):
        return single_line
    return None


def install_model_validators() -> None:
    for config in project_app_configs():
        for model in config.get_models():
            for field in model._meta.local_fields:
                validator = text_validator_for(field)
                if validator is not None and validator not in field.validators:
                    # `validators` is a cached property; setting it leaves `_validators`, which
                    # deconstruct() writes into migrations, as it was.
                    field.validators = [*field.validators, validator]
