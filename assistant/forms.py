from django import forms

from assistant.knowledge import entry
from core.forms import PortalForm


class QuestionForm(PortalForm):
    q = forms.CharField(
        label="Votre question",
        max_length=300,
        min_length=3,
        error_messages={
            "required": "Écrivez votre question, par exemple « Comment télécharger ma carte de tiers payant ? ».",
            "min_length": "Votre question est trop courte : écrivez-la en quelques mots.",
            "max_length": "Votre question est trop longue : 300 caractères au plus.",
        },
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "placeholder": "Ex. : Comment activer NOEMIE ?"}
        ),
    )


class FeedbackForm(PortalForm):
    question = forms.CharField(max_length=300)
    answer = forms.CharField(max_length=60)
    helpful = forms.TypedChoiceField(choices=[("oui", "Oui"), ("non", "Non")], coerce=lambda v: v == "oui")

    def clean_answer(self):
        answer_id = self.cleaned_data["answer"]
        if entry(answer_id) is None:
            raise forms.ValidationError("Cette réponse n'existe pas.")
        return answer_id
