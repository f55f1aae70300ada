"""Forms for writing a poll and for filling in a ballot of each kind."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from polls import counting
from polls.models import Option, Poll
from polls.services import OptionText, check_options

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
LINE_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H.%M"]


class PollForm(forms.ModelForm):
    """Times, and the dates of a date poll, are read in the chapter's time zone."""

    options_text = forms.CharField(
        label=_("Options"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One per line. For a date poll, one date and time per line, "
            "like 2026-12-09 18:00, in the chapter's time zone."
        ),
    )

    field_order = [
        "question", "description", "kind", "options_text", "results_for",
        "hide_results_until_close", "opens_at", "closes_at", "duration_minutes",
    ]  # fmt: skip

    class Meta:
        model = Poll
        fields = [
            "question", "description", "kind", "results_for", "hide_results_until_close",
            "opens_at", "closes_at", "duration_minutes",
        ]  # fmt: skip
        widgets = {
            "opens_at": DATETIME_WIDGET, "closes_at": DATETIME_WIDGET,
            "description": forms.Textarea(attrs={"rows": 6}),
        }  # fmt: skip

    def __init__(self, *args, chapter, **kwargs):
        super().__init__(*args, **kwargs)
        self.chapter = chapter
        self.zone = ZoneInfo(chapter.time_zone)
        for name in ("opens_at", "closes_at"):
            self.fields[name].input_formats = DATETIME_FORMATS
        if self.instance.pk and not self.is_bound:
            self.initial["options_text"] = "\n".join(
                self.option_line(o) for o in self.instance.options.order_by("position")
            )

    def option_line(self, option: Option) -> str:
        if option.starts_at is None:
            return option.label
        return option.starts_at.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The poll must close after it opens."))
        kind, text = cleaned.get("kind"), cleaned.get("options_text")
        if kind and text is not None:
            try:
                cleaned["options"] = self.parse_options(kind, text)
            except ValidationError as error:
                self.add_error("options_text", error)
        return cleaned

    def parse_options(self, kind: str, text: str) -> list[OptionText]:
        lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)]
        lines = [(number, line) for number, line in lines if line]
        if kind == Poll.Kind.DATE:
            options = [self.date_option(number, line) for number, line in lines]
        else:
            options = [self.text_option(number, line) for number, line in lines]
        self.check_repeats(lines, options)
        check_options(kind, options)
        return options

    def text_option(self, number: int, line: str) -> OptionText:
        if len(line) > 200:
            raise ValidationError(
                _("Line %(number)d is longer than 200 characters.") % {"number": number}
            )
        return OptionText(line)

    def date_option(self, number: int, line: str) -> OptionText:
        """A line like 2026-12-09 18:00, in the chapter's zone."""
        for pattern in LINE_FORMATS:
            try:
                naive = dt.datetime.strptime(line, pattern)
            except ValueError:
                continue
            starts_at = timezone.make_aware(naive, self.zone)
            weekday = formats.date_format(naive, "D")
            label = f"{weekday} {formats.date_format(naive, 'DATETIME_FORMAT')}"
            return OptionText(label, starts_at)
        raise ValidationError(
            _("Line %(number)d (“%(line)s”) is not a date and time like 2026-12-09 18:00.")
            % {"number": number, "line": line[:60]},
            code="bad_date",
        )

    @staticmethod
    def check_repeats(lines: list, options: list[OptionText]) -> None:
        seen: dict = {}
        for (number, _line), option in zip(lines, options, strict=True):
            key = option.starts_at or option.label.casefold()
            if key in seen:
                raise ValidationError(
                    _("Line %(number)d repeats line %(first)d.")
                    % {"number": number, "first": seen[key]},
                    code="duplicate",
                )
            seen[key] = number


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd… as a rank to choose."""
    if 11 <= number % 100 <= 13 or number % 10 not in (1, 2, 3):
        suffix = pgettext("ordinal suffix", "th")
    else:
        suffix = {
            1: pgettext("ordinal suffix", "st"),
            2: pgettext("ordinal suffix", "nd"),
            3: pgettext("ordinal suffix", "rd"),
        }[number % 10]
    return pgettext("rank", "%(number)d%(suffix)s choice") % {"number": number, "suffix": suffix}


DATE_ANSWERS = [
    (str(counting.YES), _("Yes")),
    (str(counting.MAYBE), _("If need be")),
    (str(counting.NO), _("No")),
]


class BallotForm(forms.Form):
    """A ballot for one poll; `marks` gives {option id: value} once valid."""

    def __init__(self, *args, poll: Poll, options: list[Option], current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll, self.options = poll, options
        builder = {
            Poll.Kind.SINGLE: self.single_fields,
            Poll.Kind.APPROVAL: self.approval_fields,
            Poll.Kind.RANKED: self.ranked_fields,
            Poll.Kind.DATE: self.date_fields,
        }[poll.kind]
        builder(current)

    def choices(self) -> list[tuple[str, str]]:
        return [(str(option.pk), option.label) for option in self.options]

    def single_fields(self, current: dict) -> None:
        self.fields["option"] = forms.ChoiceField(
            label=_("Your choice"), choices=self.choices(), widget=forms.RadioSelect,
            initial=next((str(pk) for pk in current), None),
        )  # fmt: skip

    def approval_fields(self, current: dict) -> None:
        self.fields["options"] = forms.MultipleChoiceField(
            label=_("Tick every option you approve of"), choices=self.choices(),
            widget=forms.CheckboxSelectMultiple, initial=[str(pk) for pk in current],
            error_messages={"required": _("Tick at least one option.")},
        )  # fmt: skip

    def ranked_fields(self, current: dict) -> None:
        ranks = [("", _("Not ranked"))] + [
            (str(n), ordinal(n)) for n in range(1, len(self.options) + 1)
        ]
        for option in self.options:
            self.fields[f"rank_{option.pk}"] = forms.TypedChoiceField(
                label=option.label, choices=ranks, coerce=int, empty_value=None,
                required=False, initial=current.get(option.pk),
            )  # fmt: skip

    def date_fields(self, current: dict) -> None:
        for option in self.options:
            value = current.get(option.pk)
            self.fields[f"date_{option.pk}"] = forms.TypedChoiceField(
                label=option.label, choices=DATE_ANSWERS, coerce=int, widget=forms.RadioSelect,
                initial=None if value is None else str(value),
                error_messages={"required": _("Answer for this date.")},
            )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        kind = self.poll.kind
        if kind == Poll.Kind.SINGLE:
            self.marks = {int(cleaned["option"]): 1}
        elif kind == Poll.Kind.APPROVAL:
            self.marks = {int(pk): 1 for pk in cleaned["options"]}
        elif kind == Poll.Kind.RANKED:
            self.marks = self.ranked_marks(cleaned)
        else:
            self.marks = {o.pk: cleaned[f"date_{o.pk}"] for o in self.options}
        return cleaned

    def ranked_marks(self, cleaned: dict) -> dict[int, int]:
        marks = {o.pk: cleaned[f"rank_{o.pk}"] for o in self.options}
        marks = {pk: rank for pk, rank in marks.items() if rank is not None}
        if not marks:
            raise ValidationError(_("Rank at least one option."), code="no_rank")
        ranks = list(marks.values())
        repeated = sorted({rank for rank in ranks if ranks.count(rank) > 1})
        if repeated:
            raise ValidationError(
                ngettext(
                    "You gave the rank “%(ranks)s” to more than one option; give each rank once.",
                    "You gave the ranks “%(ranks)s” to more than one option; give each rank once.",
                    len(repeated),
                )
                % {"ranks": ", ".join(ordinal(rank) for rank in repeated)},
                code="duplicate_rank",
            )
        return marks
