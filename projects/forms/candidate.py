from decimal import Decimal

from crispy_forms.layout import Fieldset
from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from calls import funding
from calls.enums import CallKind, QuestionKind
from programme import files
from programme.exceptions import TransitionError
from programme.forms import BoundedDateTimeField, FrenchDecimalField, submit_helper
from projects.enums import ExportFormat

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StartProposalForm(forms.Form):
    title = forms.CharField(
        label=_("Titre du projet"),
        max_length=200,
        help_text=_("Vous pourrez le changer tant que l'appel est ouvert."),
    )
    defi = forms.ModelChoiceField(label=_("Défi"), queryset=None, required=False)

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        fields = ["title"]
        if call.kind == CallKind.CHALLENGE_APPLICATIONS:
            self.fields["defi"].queryset = call.defis_offered()
            self.fields["defi"].required = True
            self.fields["defi"].help_text = _("Le défi auquel vous candidatez.")
            fields.append("defi")
        else:
            del self.fields["defi"]
        self.helper = submit_helper(
            _("Commencer ma candidature"), Fieldset(_("Votre projet"), *fields)
        )


def _choices(question) -> list[tuple[str, str]]:
    values = question.choices or []
    if isinstance(values, str):
        values = [line.strip() for line in values.splitlines() if line.strip()]
    return [(str(v), str(v)) for v in values]


def question_field(question) -> forms.Field:
    """The form field for one custom question: never required here, a draft may be incomplete;
    a question the submission needs is marked "(obligatoire pour déposer)", and what is
    missing is listed before submission."""
    field = _question_field(question)
    field.needed_to_submit = question.required
    return field


def _question_field(question) -> forms.Field:
    label = question.label
    help_text = question.help_text or ""
    common = {"label": label, "help_text": help_text, "required": False}
    kind = question.kind
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 6}), max_length=question.max_length, **common
        )
    if kind == QuestionKind.SHORT_TEXT:
        return forms.CharField(max_length=question.max_length or 300, **common)
    if kind == QuestionKind.NUMBER:
        return FrenchDecimalField(max_digits=14, decimal_places=2, **common)
    if kind == QuestionKind.YES_NO:
        return forms.TypedChoiceField(
            choices=[("", "---------"), ("oui", _("Oui")), ("non", _("Non"))],
            **common,
        )
    if kind == QuestionKind.SINGLE_CHOICE:
        return forms.ChoiceField(choices=[("", "---------"), *_choices(question)], **common)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=_choices(question), widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == QuestionKind.FILE:
        common["help_text"] = str(FILE_HELP) + (" " + help_text if help_text else "")
        return QuestionFileField(
            widget=forms.FileInput(
                attrs={"accept": files.ACCEPT, "data-drop-zone": "", "class": "fr-upload"}
            ),
            **common,
        )
    return forms.CharField(**common)


FILE_HELP = _(
    "Formats acceptés : PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG (vérifiés d'après leur contenu). "
    "10 Mo au plus. Glissez-déposez le fichier ici ou choisissez-le."
)


class QuestionFileField(forms.FileField):
    """A file answering one question, checked by its size and content as it is cleaned, so a
    refused file is said next to its question and nothing of the form is saved."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            # Imported here: the services import this app's forms' neighbours, not the reverse.
            from projects.services.proposals import check_upload

            try:
                check_upload(upload)
            except TransitionError as error:
                raise forms.ValidationError(str(error)) from error
        return upload


def stored_value(question, value):
    """The JSON value kept for a cleaned form value."""
    if value in (None, "", []):
        return None
    if question.kind == QuestionKind.NUMBER:
        return str(value)
    if question.kind == QuestionKind.YES_NO:
        return value == "oui"
    return value


def initial_value(question, value):
    if value is None:
        return None
    if question.kind == QuestionKind.YES_NO:
        return "oui" if value else "non"
    return value


class ProposalForm(forms.Form):
    """The whole proposal: its own fields, then every question of the call by kind."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Titre du projet"), max_length=200)
    summary = forms.CharField(
        label=_("Résumé"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        help_text=_("Le problème, qui le rencontre, ce que vous proposez."),
    )
    yearly_budget = FrenchDecimalField(
        label=_("Budget annuel du projet (€)"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
    )
    requested_amount = FrenchDecimalField(
        label=_("Montant demandé (€)"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
    )

    def __init__(self, *args, proposal, questions, answers, attachments, **kwargs):
        call = proposal.call
        self.questions = list(questions)
        initial = {
            "version": proposal.version,
            "title": proposal.title,
            "summary": proposal.summary,
            "yearly_budget": proposal.yearly_budget,
            "requested_amount": proposal.requested_amount,
        }
        for question in self.questions:
            initial[f"q_{question.pk}"] = initial_value(question, answers.get(question.pk))
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["summary"].needed_to_submit = True
        own = ["title", "summary"]
        if call.offers_funding:
            # The rule itself is calls.funding.request_problems, checked at submission.
            self.fields["requested_amount"].help_text = _(
                "Au plus %(share)s %% du budget annuel et au plus %(max)s."
            ) % {"share": call.max_funding_share, "max": funding.euros(call.max_funding_amount)}
            self.fields["yearly_budget"].needed_to_submit = True
            self.fields["requested_amount"].needed_to_submit = True
            own += ["yearly_budget", "requested_amount"]
        else:
            del self.fields["yearly_budget"], self.fields["requested_amount"]
        names = []
        by_id = {str(a.public_id): a for a in attachments}
        # The file each file question holds now, shown above its input (replace or remove).
        self.current_files = {}
        for question in self.questions:
            field = question_field(question)
            name = f"q_{question.pk}"
            self.fields[name] = field
            names.append(name)
            if question.kind == QuestionKind.FILE:
                current = by_id.get(str(answers.get(question.pk)))
                self.initial.pop(name, None)
                if current is not None:
                    self.current_files[name] = current
                    field.help_text = (
                        _("Fichier actuel : %(name)s. Choisissez-en un autre pour le remplacer.")
                        % {"name": current.original_name}
                        + " "
                        + field.help_text
                    )
                    self.fields[f"{name}_remove"] = forms.BooleanField(
                        label=_("Retirer le fichier « %(name)s »")
                        % {"name": current.original_name},
                        required=False,
                    )
                    names.append(f"{name}_remove")
        layout = [Fieldset(self.legend(_("Votre projet"), own), "version", *own)]
        if names:
            layout.append(Fieldset(self.legend(_("Questions de l'appel"), names), *names))
        self.helper = submit_helper(
            _("Enregistrer les modifications")
            if proposal.versions.exists()
            else _("Enregistrer le brouillon"),
            *layout,
        )
        self.helper.form_enctype = "multipart/form-data"
        self.helper.attrs = {"enctype": "multipart/form-data"}

    def uploads(self) -> dict:
        """The files chosen on file questions, by question id."""
        return {
            q.pk: self.cleaned_data[f"q_{q.pk}"]
            for q in self.questions
            if q.kind == QuestionKind.FILE and self.cleaned_data.get(f"q_{q.pk}")
        }

    def removals(self) -> set[int]:
        return {q.pk for q in self.questions if self.cleaned_data.get(f"q_{q.pk}_remove")}

    def progress(self, names) -> tuple[int, int]:
        """How many of the section's fields are filled, out of how many."""
        done = sum(1 for name in names if self[name].value() not in (None, "", []))
        return done, len(names)

    def legend(self, title, names) -> str:
        """A section's legend with its progress, "3 / 4 réponses" (counted again as it is
        filled by `static/js/forms.js`)."""
        done, total = self.progress(names)
        text = ngettext("%(done)s / %(total)s réponse", "%(done)s / %(total)s réponses", total) % {
            "done": done,
            "total": total,
        }
        return format_html(
            '{} <span class="fr-badge fr-badge--sm fr-badge--info fr-ml-1w" '
            "data-progress>{}</span>",
            title,
            text,
        )

    def proposal_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("title", "summary", "yearly_budget", "requested_amount")
            if name in self.fields
        }

    def answers(self) -> dict:
        """The answers typed (file questions take theirs through `uploads`)."""
        return {
            q.pk: stored_value(q, self.cleaned_data.get(f"q_{q.pk}"))
            for q in self.questions
            if q.kind != QuestionKind.FILE
        }


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse électronique de votre coéquipier ou coéquipière"),
        help_text=_("Un lien pour rejoindre l'équipe lui est envoyé ; il est valable 14 jours."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Envoyer l'invitation"))


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Ajouter une pièce jointe"),
        help_text=_(
            "Formats acceptés : PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG (vérifiés d'après leur "
            "contenu, sans macros ni contenu actif). 10 Mo au plus, 5 fichiers au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Déposer le fichier"))
        self.helper.form_enctype = "multipart/form-data"
        self.helper.attrs = {"enctype": "multipart/form-data"}


class MessageForm(forms.Form):
    """A message of the Fil, with an optional file (checked by its content on sending)."""

    body = forms.CharField(
        label=_("Votre message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("5 000 caractères au plus."),
    )
    upload = forms.FileField(
        label=_("Pièce jointe (facultatif)"),
        required=False,
        help_text=_("Un fichier de 10 Mo au plus : PDF, ODT, DOCX, XLSX, ODS, PNG ou JPEG."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Envoyer le message"))
        self.helper.form_enctype = "multipart/form-data"


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Correction demandée"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    deadline = BoundedDateTimeField(
        label=_("À renvoyer avant le (heure de Paris)"), widget=DATETIME_INPUT
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Demander la correction"))


class ScreenForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Recevabilité"),
        choices=[("eligible", _("Recevable")), ("ineligible", _("Irrecevable"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Motif d'irrecevabilité"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Obligatoire si la candidature est irrecevable ; il figure dans le courrier envoyé "
            "à l'équipe avec les résultats."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Enregistrer la recevabilité"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "ineligible" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Indiquez le motif : il est envoyé à l'équipe."))
        return cleaned


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Exporter les candidatures"))


class SubmitForm(forms.Form):
    """The summary page's sworn statement, ticked before submitting."""

    # The draft's version the summary shows: what is attested is what was read.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    attestation = forms.BooleanField(
        label=_(
            "J'atteste sur l'honneur l'exactitude des informations fournies dans cette "
            "candidature et que les membres de l'équipe en ont pris connaissance."
        ),
        error_messages={
            "required": _("Cochez l'attestation sur l'honneur pour déposer votre candidature.")
        },
    )
