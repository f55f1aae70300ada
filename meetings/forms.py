"""Forms for publishing meetings, answering them, proposing talks and reporting."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting, Report, Talk, Venue
from meetings.recurrence import parse_rule
from meetings.uploads import validate_slides

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
REPEAT_CHOICES = [
    ("", _("Does not repeat")),
    ("weekly", _("Every week on this weekday")),
    ("monthly", _("Every month on this weekday (e.g. the second Wednesday)")),
    ("custom", _("Custom rule (RRULE)")),
]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class MeetingForm(forms.ModelForm):
    """Times are read and shown in the chapter's time zone (the view sets it)."""

    new_venue_host = forms.CharField(
        label=_("New venue: host institution"), max_length=200, required=False
    )
    new_venue_name = forms.CharField(label=_("New venue: name"), max_length=200, required=False)
    new_venue_address = forms.CharField(
        label=_("New venue: street address"), max_length=200, required=False
    )
    new_venue_locality = forms.CharField(label=_("New venue: city"), max_length=100, required=False)
    new_venue_directions = forms.URLField(
        label=_("New venue: directions link"), max_length=500, required=False, assume_scheme="https"
    )
    repeat = forms.ChoiceField(label=_("Repeat"), choices=REPEAT_CHOICES, required=False)
    custom_rule = forms.CharField(
        label=_("Custom rule"), max_length=500, required=False,
        help_text=_("e.g. FREQ=MONTHLY;BYDAY=2WE for every second Wednesday."),
    )  # fmt: skip

    class Meta:
        model = Meeting
        fields = [
            "title", "description", "start", "end", "venue", "online_url", "format", "capacity",
            "guests_allowed", "rsvp_opens", "rsvp_closes",
        ]  # fmt: skip
        widgets = {
            "start": DATETIME_WIDGET, "end": DATETIME_WIDGET, "rsvp_opens": DATETIME_WIDGET,
            "rsvp_closes": DATETIME_WIDGET, "description": forms.Textarea(attrs={"rows": 8}),
        }  # fmt: skip

    def __init__(self, *args, chapter, **kwargs):
        super().__init__(*args, **kwargs)
        self.chapter = chapter
        self.fields["venue"].queryset = Venue.objects.filter(chapter=chapter)
        self.fields["venue"].help_text = _("Or describe a new venue below.")
        for name in ("start", "end", "rsvp_opens", "rsvp_closes"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if self.instance.pk:
            for name in ("repeat", "custom_rule"):
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The meeting must end after it starts."))
        if cleaned.get("new_venue_name") and not cleaned.get("new_venue_host"):
            self.add_error("new_venue_host", _("Name the institution that hosts the new venue."))
        closes = cleaned.get("rsvp_closes")
        if closes and end and closes > end:
            self.add_error("rsvp_closes", _("RSVPs must close before the meeting ends."))
        if start and cleaned.get("repeat"):
            cleaned["rule"] = self.rule_for(
                cleaned["repeat"], start, cleaned.get("custom_rule", "")
            )
        return cleaned

    def rule_for(self, repeat: str, start, custom: str) -> str:
        weekday = WEEKDAYS[start.weekday()]
        if repeat == "weekly":
            return f"FREQ=WEEKLY;BYDAY={weekday}"
        if repeat == "monthly":
            nth = (start.day - 1) // 7 + 1
            return f"FREQ=MONTHLY;BYDAY={nth if nth < 5 else -1}{weekday}"
        try:
            parse_rule(custom, start)
        except ValidationError as error:
            self.add_error("custom_rule", error)
        return custom.strip()

    def new_venue(self) -> Venue | None:
        data = self.cleaned_data
        if data.get("venue") or not data.get("new_venue_name"):
            return None
        return Venue(
            chapter=self.chapter, host=data["new_venue_host"], name=data["new_venue_name"],
            street_address=data["new_venue_address"], locality=data["new_venue_locality"],
            directions_url=data["new_venue_directions"],
        )  # fmt: skip


class RsvpForm(forms.Form):
    guests = forms.IntegerField(
        label=_("Guests"), min_value=0, max_value=10, initial=0, required=False
    )


class TalkForm(forms.ModelForm):
    class Meta:
        model = Talk
        fields = ["title", "kind", "speakers", "abstract"]
        widgets = {"abstract": forms.Textarea(attrs={"rows": 6})}


class TalkMaterialsForm(forms.ModelForm):
    # Slides stay out of the model fields: the service stores them once they are checked.
    slides = forms.FileField(label=_("Slides"), required=False)
    remove_slides = forms.BooleanField(label=_("Remove the uploaded slides"), required=False)

    class Meta:
        model = Talk
        fields = ["slides_url", "recording_url", "licence", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = {"limit": settings.MAX_SLIDES_MB}
        self.fields["slides"].help_text = _("PDF, ODP or PPTX, up to %(limit)d MB.") % limit
        if not self.instance.slides:
            del self.fields["remove_slides"]

    def clean_slides(self):
        upload = self.cleaned_data.get("slides")
        if upload:
            self.slides_type = validate_slides(upload)
        return upload


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["attendance", "notes", "what_worked", "published"]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 8}),
            "what_worked": forms.Textarea(attrs={"rows": 4}),
        }


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("Seats"), min_value=0, max_value=100000, required=False)


class TalkDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("decline", _("Decline")), ("schedule", _("Schedule"))]
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        required=False,
        widget=DATETIME_WIDGET,
        input_formats=["%Y-%m-%dT%H:%M"],
    )


class AnnouncementAddressForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    label = forms.CharField(
        label=_("Label"), max_length=100, required=False, help_text=_("e.g. Code4Lib list")
    )


class VenueForm(forms.ModelForm):
    class Meta:
        model = Venue
        fields = [
            "host", "name", "street_address", "locality", "region", "postal_code", "country",
            "directions_url", "latitude", "longitude", "capacity", "access_instructions",
            "accessibility_notes",
        ]  # fmt: skip
        widgets = {
            "access_instructions": forms.Textarea(attrs={"rows": 3}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if country and not (len(country) == 2 and country.isalpha()):
            raise forms.ValidationError(_("Use the two-letter country code, e.g. US."))
        return country
