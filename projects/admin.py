"""The projects' admin: the staff's last resort, which cannot bypass the workflow.

States, scores, decisions (outcome and amount) are read-only here; the transitions the admin
offers are actions that call the services, which check their guard and write the audit log.
Any other change made in a form is written to the audit log too.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme import audit, web
from projects.services import decision_mails, jury
from projects.services import proposals as proposal_services
from projects.views.actions import screen_many

from .models import (
    Answer,
    Assignment,
    Attachment,
    Audition,
    AuditionEvaluation,
    AuditionScore,
    Bid,
    Conflict,
    CorrectionRequest,
    Decision,
    DecisionMail,
    DiscussionPost,
    Evaluation,
    EvaluationVersion,
    ExportJob,
    Invitation,
    JuryNudge,
    Message,
    Proposal,
    ProposalVersion,
    RankingRow,
    RankingState,
    Score,
    TeamMember,
)

ADMIN_REASON = _("Depuis l'administration du portail.")


def run_each(modeladmin, request, objects, service, success: str, **kwargs) -> int:
    """Call `service` on each object (its refusals become messages); say how many it did."""
    done = sum(
        bool(web.run(request, service, obj, by=request.user, now=timezone.now(), **kwargs))
        for obj in objects
    )
    if done:
        modeladmin.message_user(request, success % {"count": done})
    return done


class IneligibilityForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif d'irrecevabilité (envoyé aux équipes)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class AuditedAdmin(admin.ModelAdmin):
    """What is still editable in a form is written to the audit log with the fields changed."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            request.user,
            "admin.change" if change else "admin.add",
            obj,
            reason=", ".join(form.changed_data),
        )

    def delete_model(self, request, obj):
        audit.record(request.user, "admin.delete", obj)
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            audit.record(
                request.user, "admin.change", form.instance, reason=formset.model._meta.label
            )


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changed only through the services (deliberation, jury pages), which audit every change
    and check the funding limits; the admin shows them and offers actions."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    autocomplete_fields = ["user"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    raw_id_fields = ["question"]


class VersionInline(ReadOnlyInline):
    model = ProposalVersion
    fields = ["number", "reference", "sha256", "submitted_by", "submitted_at"]
    readonly_fields = fields


@admin.register(Proposal)
class ProposalAdmin(AuditedAdmin):
    list_display = ["title", "call", "state", "reference", "submitted_at"]
    list_filter = ["state", "call__programme", "call"]
    search_fields = ["title", "reference", "summary"]
    list_select_related = ["call"]
    raw_id_fields = ["created_by", "defi"]
    autocomplete_fields = ["structure"]
    readonly_fields = [
        "public_id",
        "state",
        "ineligibility_reason",
        "reference",
        "sequence",
        "submitted_at",
        "version",
        "anonymised_at",
    ]
    inlines = [TeamMemberInline, AnswerInline, VersionInline]
    actions = ["mark_eligible", "mark_ineligible", "withdraw"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("call__programme")

    @admin.action(description=_("Déclarer recevables (l'appel doit être clos)"))
    def mark_eligible(self, request, queryset):
        screen_many(request, list(queryset), eligible=True)

    @admin.action(description=_("Déclarer irrecevables (le motif est envoyé aux équipes)"))
    def mark_ineligible(self, request, queryset):
        # A first click asks for the reason on an intermediate page, which posts back here.
        form = IneligibilityForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            screen_many(request, list(queryset), eligible=False, reason=form.cleaned_data["reason"])
            return None
        return TemplateResponse(
            request,
            "projects/admin_ineligible.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Déclarer irrecevables"),
                "opts": self.model._meta,
                "proposals": queryset,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Retirer les candidatures (à la demande de l'équipe)"))
    def withdraw(self, request, queryset):
        run_each(
            self,
            request,
            queryset,
            proposal_services.withdraw_proposal,
            _("%(count)s candidature(s) retirée(s)."),
            reason=str(ADMIN_REASON),
        )


@admin.register(Attachment)
class AttachmentAdmin(AuditedAdmin):
    list_display = ["original_name", "proposal", "size", "uploaded_at"]
    raw_id_fields = ["proposal", "uploaded_by"]
    readonly_fields = ["sha256", "size"]


@admin.register(Invitation)
class InvitationAdmin(AuditedAdmin):
    list_display = ["email", "proposal", "created_at", "accepted_at"]
    raw_id_fields = ["proposal", "invited_by", "accepted_by"]
    readonly_fields = ["accepted_at", "accepted_by"]


@admin.register(Message)
class MessageAdmin(AuditedAdmin):
    list_display = ["proposal", "author", "from_staff", "created_at"]
    raw_id_fields = ["proposal", "author"]


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(AuditedAdmin):
    list_display = ["proposal", "deadline", "requested_at", "sent_back_at"]
    raw_id_fields = ["proposal", "requested_by"]
    readonly_fields = ["requested_at", "sent_back_at"]


@admin.register(ExportJob)
class ExportJobAdmin(AuditedAdmin):
    list_display = ["call", "format", "status", "done", "total", "created_at", "finished_at"]
    list_filter = ["status", "format"]
    list_select_related = ["call"]
    raw_id_fields = ["call", "requested_by"]
    readonly_fields = [
        "public_id",
        "status",
        "file",
        "done",
        "total",
        "error",
        "created_at",
        "finished_at",
    ]


# --- The jury's work: changed through the jury pages (guards, audit log) ----------------------


@admin.register(Conflict)
class ConflictAdmin(AuditedAdmin):
    list_display = ["juror", "proposal", "kind", "type", "created_at", "lifted_at"]
    list_filter = ["kind", "type", "juror__call"]
    list_select_related = ["juror__user", "juror__call", "proposal"]
    raw_id_fields = ["juror", "proposal", "created_by", "lifted_by"]
    readonly_fields = ["kind", "created_at", "created_by", "lifted_at", "lifted_by"]


@admin.register(Assignment)
class AssignmentAdmin(AuditedAdmin):
    list_display = ["juror", "proposal", "created_at"]
    list_filter = ["juror__call"]
    list_select_related = ["juror__user", "juror__call", "proposal"]
    raw_id_fields = ["juror", "proposal"]


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    """Written by the juror's bid list only (projects.services.expertise), audited there."""

    list_display = ["juror", "proposal", "choice", "updated_at"]
    list_filter = ["choice", "juror__call"]
    list_select_related = ["juror__user", "juror__call", "proposal"]


@admin.register(RankingState)
class RankingStateAdmin(ReadOnlyAdmin):
    """Kept by projects.services.rankings; `manage.py recompute_ranking` recomputes a call."""

    list_display = ["call", "requested", "computed", "computed_at"]
    list_select_related = ["call"]
    exclude = ["score_counts"]


@admin.register(RankingRow)
class RankingRowAdmin(ReadOnlyAdmin):
    """The stored ranking, derived from the evaluations (projects.services.rankings)."""

    list_display = ["proposal", "call", "rank", "model", "z_mean", "raw_mean", "received"]
    list_filter = ["call"]
    list_select_related = ["proposal", "call"]
    raw_id_fields = ["proposal", "call"]


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = ["criterion", "value", "comment"]
    readonly_fields = fields


class EvaluationVersionInline(ReadOnlyInline):
    model = EvaluationVersion
    fields = ["number", "submitted_at", "content"]
    readonly_fields = fields


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "state", "recommendation", "total", "version", "submitted_at"]
    list_filter = ["state", "recommendation", "assignment__juror__call"]
    list_select_related = ["assignment__juror__user", "assignment__proposal"]
    inlines = [ScoreInline, EvaluationVersionInline]
    actions = ["reopen"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("assignment__juror__call__programme")

    @admin.action(description=_("Rouvrir les évaluations soumises (le juré pourra les modifier)"))
    def reopen(self, request, queryset):
        run_each(
            self,
            request,
            queryset,
            jury.reopen_evaluation,
            _("%(count)s évaluation(s) rouverte(s)."),
            reason=str(ADMIN_REASON),
        )


# --- Auditions and deliberation --------------------------------------------------------------


@admin.register(Audition)
class AuditionAdmin(AuditedAdmin):
    list_display = ["proposal", "starts_at", "duration_minutes", "room", "video_link"]
    list_filter = ["proposal__call"]
    search_fields = ["proposal__title", "proposal__reference", "room"]
    list_select_related = ["proposal"]
    raw_id_fields = ["proposal", "scheduled_by"]
    date_hierarchy = "starts_at"


class AuditionScoreInline(ReadOnlyInline):
    model = AuditionScore
    fields = ["criterion", "value"]
    readonly_fields = fields


@admin.register(AuditionEvaluation)
class AuditionEvaluationAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "juror", "total", "updated_at"]
    list_filter = ["proposal__call"]
    search_fields = ["proposal__title", "juror__user__email"]
    list_select_related = ["proposal", "juror__user", "juror__call"]
    inlines = [AuditionScoreInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "outcome", "amount_granted", "decided_by", "decided_at"]
    list_filter = ["outcome", "proposal__call"]
    search_fields = ["proposal__title", "proposal__reference", "justification"]
    list_select_related = ["proposal", "decided_by"]


@admin.register(DecisionMail)
class DecisionMailAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "subject", "state", "generated_at", "released_at"]
    list_filter = ["state", "proposal__call"]
    search_fields = ["proposal__title", "subject"]
    list_select_related = ["proposal__call__programme"]
    actions = ["release"]

    @admin.action(description=_("Envoyer les courriers de décision de l'appel (résultats publiés)"))
    def release(self, request, queryset):
        calls = {mail.proposal.call_id: mail.proposal.call for mail in queryset}.values()
        run_each(
            self,
            request,
            calls,
            decision_mails.release_decision_mails,
            _("Courriers envoyés pour %(count)s appel(s)."),
        )


@admin.register(DiscussionPost)
class DiscussionPostAdmin(ReadOnlyAdmin):
    """Written through the discussion page (audited and mailed), read here."""

    list_display = ["proposal", "author", "internal", "created_at"]
    list_filter = ["internal", "proposal__call"]
    list_select_related = ["proposal", "author"]


@admin.register(JuryNudge)
class JuryNudgeAdmin(ReadOnlyAdmin):
    list_display = ["call", "sent_by", "recipients", "sent_at"]
    list_select_related = ["call", "sent_by"]
