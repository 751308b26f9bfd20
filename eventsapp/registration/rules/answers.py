"""Checking answers to a visit's extra registration questions."""

from __future__ import annotations

from typing import Any

from eventsapp.registration.models import Question, QuestionKind

SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 3000


def clean_answers(questions: list[Question], raw: dict[str, Any]
                  ) -> tuple[dict[str, Any], dict[str, str]]:
    """Return (answers keyed by question id, errors keyed by form field name).

    Only known questions are kept; a choice must be one of the question's options.
    Form fields for questions are named ``q_<id>``.
    """
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        name = f"q_{question.id}"
        value = raw.get(question.key)
        kind = question.kind
        if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            text = (value or "").strip() if isinstance(value, str) else ""
            limit = SHORT_TEXT_MAX if kind is QuestionKind.SHORT_TEXT else LONG_TEXT_MAX
            if len(text) > limit:
                errors[name] = f"Answer in {limit} characters or fewer."
            elif question.required and not text:
                errors[name] = "Please answer this question."
            elif text:
                answers[question.key] = text
        elif kind is QuestionKind.SINGLE_CHOICE:
            choice = value if isinstance(value, str) else ""
            if choice and choice not in question.choices or question.required and not choice:
                errors[name] = "Choose one of the options."
            elif choice:
                answers[question.key] = choice
        elif kind is QuestionKind.MULTIPLE_CHOICE:
            picked = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
            unknown = [v for v in picked if v not in question.choices]
            if unknown:
                errors[name] = "Choose from the options listed."
            elif question.required and not picked:
                errors[name] = "Choose at least one option."
            elif picked:
                answers[question.key] = [c for c in question.choices if c in picked]
        elif kind is QuestionKind.YES_NO:
            if value in ("yes", "no"):
                answers[question.key] = value
            elif value not in (None, "") or question.required:
                errors[name] = "Answer yes or no."
    return answers, errors


def display_answer(question: Question, answers: dict[str, Any]) -> str:
    return answer_text(question.kind, answers.get(question.key))


def answer_text(kind: QuestionKind, value: Any) -> str:
    """An answer as text (display_answer, given the question's kind and the value)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(value)
    if kind is QuestionKind.YES_NO:
        return {"yes": "Yes", "no": "No"}.get(value, value)
    return str(value)
