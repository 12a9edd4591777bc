"""Back office of 주민참여예산: staff set up a process here (its phases with dates, its headings
with budgets, ballot kind and rule). Ballots and results are read-only here: they change only
through the services (votes, offline double entry, close_voting), which audit every change."""

from django.contrib import admin

from .models import Heading, Process, ProcessPhase, Proposal, Result


class PhaseInline(admin.TabularInline):
    model = ProcessPhase
    extra = 1


class HeadingInline(admin.TabularInline):
    model = Heading
    extra = 1


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "ballot_kind", "rule", "voting_closed_at", "results_published_at")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("voting_closed_at", "results_published_at")
    inlines = [PhaseInline, HeadingInline]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("title", "process", "heading", "state", "hidden", "department", "endorsements_count")
    list_filter = ("process", "state", "hidden")
    search_fields = ("title",)
    fields = ("process", "heading", "title", "state", "department", "hidden", "hidden_reason", "merged_into")
    readonly_fields = ("process", "heading", "title", "state", "hidden", "hidden_reason", "merged_into")

    def has_add_permission(self, request):
        return False


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ("heading", "budget", "spent", "rule", "ballots", "computed_at")
    readonly_fields = ("heading", "budget", "spent", "kind", "rule", "ballots", "pb", "computed_at")

    def has_add_permission(self, request):
        return False
