"""The one upload component: form fields that validate files by their content."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from documents.services import read_upload
from documents.validation import UploadRejected, megabytes, validate_upload

ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


def _validate(uploaded) -> None:
    try:
        validate_upload(uploaded.name, read_upload(uploaded))
    except UploadRejected as rejected:
        # A file refused while it streamed in (documents.uploads) ends here too.
        raise ValidationError(rejected.message, code="upload_rejected") from None
    uploaded.seek(0)


class PrivateFileField(forms.FileField):
    default_error_messages = {
        "required": "Joignez un fichier (PDF, JPEG ou PNG).",
        "empty": "Le fichier envoyé est vide.",
        "invalid": "Le fichier n'a pas pu être lu. Réessayez.",
    }

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault(
            "help_text",
            f"PDF, JPEG ou PNG, {megabytes(settings.PRIVATE_UPLOAD_MAX_BYTES)} au maximum.",
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded:
            _validate(uploaded)
        return uploaded


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePrivateFileField(forms.FileField):
    """Several files at once, each validated by its content, at most ``max_files``."""

    def __init__(self, *args, max_files: int = 5, **kwargs) -> None:
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True}))
        kwargs.setdefault(
            "help_text",
            f"Jusqu'à {max_files} fichiers PDF, JPEG ou PNG, "
            f"{megabytes(settings.PRIVATE_UPLOAD_MAX_BYTES)} au maximum chacun.",
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if self.required and not files:
            raise ValidationError("Joignez au moins un fichier (PDF, JPEG ou PNG).", code="required")
        if len(files) > self.max_files:
            raise ValidationError(f"Vous pouvez joindre {self.max_files} fichiers au maximum.", code="too_many")
        errors = []
        for uploaded in files:
            try:
                _validate(uploaded)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return list(files)
