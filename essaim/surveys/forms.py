from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from essaim.core.forms import EssaimForm
from essaim.surveys.models import Question, Survey


class AnswerForm(EssaimForm):
    """One field per question, built from the survey."""

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(survey.questions.all())
        for question in self.questions:
            name = f"q{question.pk}"
            common: Any = {"label": question.label, "required": question.required}
            if question.kind == Question.Kind.SCALE:
                choices = [(str(n), str(n)) for n in range(1, 6)]
                self.fields[name] = forms.ChoiceField(
                    choices=choices,
                    widget=forms.RadioSelect,
                    help_text=_("1 : pas du tout — 5 : tout à fait"),
                    **common,
                )
            elif question.kind == Question.Kind.SINGLE:
                self.fields[name] = forms.ChoiceField(
                    choices=[(str(i), c) for i, c in enumerate(question.choices)], widget=forms.RadioSelect, **common
                )
            elif question.kind == Question.Kind.MULTIPLE:
                self.fields[name] = forms.MultipleChoiceField(
                    choices=[(str(i), c) for i, c in enumerate(question.choices)],
                    widget=forms.CheckboxSelectMultiple,
                    **common,
                )
            else:
                self.fields[name] = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, **common)

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}
