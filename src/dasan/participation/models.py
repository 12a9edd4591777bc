"""Data of 주민참여예산 and the invariants the database holds (constraints, unique keys).

A **process** (one year's 주민참여예산, say) runs through optional **phases** with dates and
splits its money into **headings** (citywide, or one 행정동 each). Residents write
**proposals** under a heading; staff review them (**feasibility**); residents vote one
**ballot** per heading; the tally is stored as a **result** per heading; funded proposals get
**milestones** and **updates** until they are built.

The invariant that matters most: one person, one ballot per heading, whether the person voted
online or at a 행정복지센터. Every ballot carries ``voter_key``, a keyed hash (HMAC) of the
person's phone number and the process (see ``selectors.voter_key``), and the database holds
``unique (heading, voter_key)`` across online and offline ballots alike.

Names of fields are plain Korean (the admin's language); the resident pages translate what
they show.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Phase(models.TextChoices):
    INFORMATION = "information", "안내"
    PROPOSALS = "proposals", "제안"
    REVIEW = "review", "검토"
    VOTING = "voting", "투표"
    RESULTS = "results", "결과"
    TRACKING = "tracking", "집행"


class BallotKind(models.TextChoices):
    APPROVAL = "approval", "예산 안에서 찬성 (배낭식)"
    APPROVAL_K = "approval_k", "최대 k개 찬성"
    CUMULATIVE = "cumulative", "점수 나누기"


class Rule(models.TextChoices):
    GREEDY = "greedy", "득표순"
    EQUAL_SHARES = "equal_shares", "균등 분배 (Method of Equal Shares)"


class Process(models.Model):
    """One participatory-budgeting process (e.g. 2027년 주민참여예산)."""

    slug = models.SlugField("주소 이름", max_length=80, unique=True)
    title = models.CharField("제목", max_length=200)
    description = models.TextField("설명", blank=True)
    rules = models.TextField("규칙", blank=True)
    ballot_kind = models.CharField("투표 방식", max_length=20, choices=BallotKind.choices, default=BallotKind.APPROVAL)
    rule = models.CharField("선정 방식", max_length=20, choices=Rule.choices, default=Rule.GREEDY)
    max_choices = models.PositiveIntegerField("최대 선택 수 (k)", null=True, blank=True)
    max_points = models.PositiveIntegerField("점수 합계 (누적 투표)", null=True, blank=True)
    min_age = models.PositiveSmallIntegerField("투표 최소 나이 (비우면 설정값)", null=True, blank=True)
    department = models.ForeignKey(
        "core.Department", verbose_name="담당 부서", null=True, blank=True, on_delete=models.PROTECT
    )
    voting_closed_at = models.DateTimeField("투표 마감 처리", null=True, blank=True)
    results_published_at = models.DateTimeField("결과 공개", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "참여예산 과정"
        constraints = [
            models.CheckConstraint(
                condition=~Q(ballot_kind="approval_k") | Q(max_choices__gte=1), name="participation_k_needs_max"
            ),
            models.CheckConstraint(
                condition=~Q(ballot_kind="cumulative") | Q(max_points__gte=1), name="participation_points_needs_max"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProcessPhase(models.Model):
    """A phase of a process with its dates (``starts`` inclusive, ``ends`` exclusive)."""

    process = models.ForeignKey(Process, related_name="phases", on_delete=models.CASCADE)
    phase = models.CharField("단계", max_length=20, choices=Phase.choices)
    starts = models.DateTimeField("시작")
    ends = models.DateTimeField("끝")

    class Meta:
        ordering = ["starts"]
        constraints = [
            models.UniqueConstraint(fields=["process", "phase"], name="participation_one_phase_each"),
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="participation_phase_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.process} · {self.get_phase_display()}"


class Heading(models.Model):
    """A pot of money in a process: citywide (no 동) or one 행정동's."""

    process = models.ForeignKey(Process, related_name="headings", on_delete=models.CASCADE)
    name = models.CharField("이름", max_length=100)
    budget = models.PositiveBigIntegerField("예산 (원)")
    dong_code = models.CharField("행정동 코드", max_length=10, blank=True)
    dong_name = models.CharField("행정동", max_length=50, blank=True)
    position = models.PositiveSmallIntegerField("순서", default=0)

    class Meta:
        ordering = ["process", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["process", "name"], name="participation_heading_name")]

    def __str__(self) -> str:
        return f"{self.process} · {self.name}"

    @property
    def citywide(self) -> bool:
        return not self.dong_name


class State(models.TextChoices):
    DRAFT = "draft", "작성 중"
    PUBLISHED = "published", "공개"
    MERGED = "merged", "병합됨"
    WITHDRAWN = "withdrawn", "철회"
    FEASIBLE = "feasible", "실행 가능"
    INFEASIBLE = "infeasible", "실행 불가"
    SELECTED = "selected", "선정"
    NOT_SELECTED = "not_selected", "미선정"


class Execution(models.TextChoices):
    PLANNED = "planned", "준비"
    IN_PROGRESS = "in_progress", "진행 중"
    DELAYED = "delayed", "지연"
    DONE = "done", "완료"


class Proposal(models.Model):
    process = models.ForeignKey(Process, related_name="proposals", on_delete=models.PROTECT)
    heading = models.ForeignKey(Heading, related_name="proposals", on_delete=models.PROTECT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", null=True, blank=True, on_delete=models.SET_NULL
    )
    title = models.CharField("제목", max_length=120)
    body = models.TextField("내용")
    place = models.CharField("장소", max_length=200, blank=True)
    lat = models.DecimalField("위도", max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField("경도", max_digits=9, decimal_places=6, null=True, blank=True)
    estimated_cost = models.PositiveBigIntegerField("제안자 추정 비용 (원)")
    cost = models.PositiveBigIntegerField("검토 비용 (원)", null=True, blank=True)
    state = models.CharField("상태", max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    merged_into = models.ForeignKey(
        "self", verbose_name="병합된 제안", null=True, blank=True, related_name="merged", on_delete=models.PROTECT
    )
    hidden = models.BooleanField("숨김", default=False)
    hidden_reason = models.CharField("숨긴 이유", max_length=300, blank=True)
    department = models.ForeignKey(
        "core.Department", verbose_name="담당 부서", null=True, blank=True, on_delete=models.PROTECT
    )
    endorsements_count = models.PositiveIntegerField("공감 수", default=0)
    execution = models.CharField("집행 상태", max_length=20, choices=Execution.choices, blank=True)
    spent = models.PositiveBigIntegerField("집행액 (원)", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["process", "heading", "state"], name="participation_prop_list")]
        constraints = [
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(state="merged"),
                name="participation_merge_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def voting_cost(self) -> int:
        """The cost the ballot and the tally use: the department's estimate once reviewed."""
        return int(self.cost if self.cost is not None else self.estimated_cost)


class ProposalPhoto(models.Model):
    proposal = models.ForeignKey(Proposal, related_name="photos", on_delete=models.CASCADE)
    image = models.BinaryField("사진 (JPEG)")
    kind = models.CharField("종류", max_length=20, default="proposal")  # proposal | update
    created_at = models.DateTimeField(auto_now_add=True)


class Endorsement(models.Model):
    proposal = models.ForeignKey(Proposal, related_name="endorsements", on_delete=models.CASCADE)
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "resident"], name="participation_endorse_once")]


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, related_name="comments", on_delete=models.CASCADE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", null=True, on_delete=models.SET_NULL)
    body = models.TextField("내용")
    official = models.BooleanField("담당 부서 답변", default=False)
    hidden = models.BooleanField("숨김", default=False)
    hidden_reason = models.CharField("숨긴 이유", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class Report(models.Model):
    """A resident's report of a proposal or comment for moderation."""

    proposal = models.ForeignKey(Proposal, related_name="reports", on_delete=models.CASCADE)
    comment = models.ForeignKey(Comment, related_name="reports", null=True, blank=True, on_delete=models.CASCADE)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE)
    reason = models.CharField("신고 이유", max_length=300)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reporter"],
                condition=Q(resolved_at__isnull=True, comment__isnull=True),
                name="participation_report_once",
            ),
            models.UniqueConstraint(
                fields=["comment", "reporter"],
                condition=Q(resolved_at__isnull=True, comment__isnull=False),
                name="participation_comment_report_once",
            ),
        ]


class Feasibility(models.Model):
    """The responsible department's review, public to everyone."""

    proposal = models.OneToOneField(Proposal, related_name="feasibility", on_delete=models.CASCADE)
    department = models.ForeignKey("core.Department", null=True, on_delete=models.PROTECT)
    legal = models.BooleanField("법적 가능")
    technical = models.BooleanField("기술적 가능")
    cost = models.PositiveBigIntegerField("비용 추정 (원)")
    feasible = models.BooleanField("실행 가능")
    reason = models.TextField("판단 이유", blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", null=True, on_delete=models.SET_NULL)
    reviewed_at = models.DateTimeField()
    author_answer = models.TextField("제안자 답변", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(feasible=True) | ~Q(reason=""), name="participation_infeasible_has_reason"
            ),
        ]


class Source(models.TextChoices):
    ONLINE = "online", "온라인"
    OFFLINE = "offline", "현장 (행정복지센터)"


class Ballot(models.Model):
    """One person's ballot in one heading, online or offline; changed in place until the close."""

    process = models.ForeignKey(Process, related_name="ballots", on_delete=models.PROTECT)
    heading = models.ForeignKey(Heading, related_name="ballots", on_delete=models.PROTECT)
    voter_key = models.CharField("투표자 키 (HMAC)", max_length=64)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", null=True, blank=True, on_delete=models.SET_NULL
    )
    source = models.CharField("방식", max_length=10, choices=Source.choices, default=Source.ONLINE)
    version = models.PositiveIntegerField("고친 횟수", default=1)
    # Aggregates only, for statistics by 동 and age band (no birth date, no name).
    dong_name = models.CharField("행정동", max_length=50, blank=True)
    age_band = models.CharField("연령대", max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["heading", "voter_key"], name="participation_one_ballot_per_person"),
            models.UniqueConstraint(
                fields=["heading", "resident"], condition=Q(resident__isnull=False), name="participation_one_ballot"
            ),
        ]
        indexes = [models.Index(fields=["process", "dong_name", "age_band"], name="participation_ballot_stats")]


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, related_name="choices", on_delete=models.CASCADE)
    proposal = models.ForeignKey(Proposal, related_name="+", on_delete=models.PROTECT)
    points = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "proposal"], name="participation_choice_once"),
            models.CheckConstraint(condition=Q(points__gte=1), name="participation_choice_points"),
        ]


class OfflineEntry(models.Model):
    """A paper ballot typed in at a 행정복지센터: entered by one staff member, confirmed by
    another who types the same choices again; only then it becomes a Ballot."""

    heading = models.ForeignKey(Heading, related_name="offline_entries", on_delete=models.PROTECT)
    voter_key = models.CharField(max_length=64)
    dong_name = models.CharField(max_length=50, blank=True)
    age_band = models.CharField(max_length=10, blank=True)
    choices = models.JSONField("선택 (제안 id → 점수)")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT)
    entered_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", null=True, blank=True, on_delete=models.PROTECT
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ballot = models.OneToOneField(Ballot, null=True, blank=True, related_name="offline_entry", on_delete=models.PROTECT)

    class Meta:
        ordering = ["entered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["heading", "voter_key"], condition=Q(ballot__isnull=True), name="participation_offline_pending"
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("entered_by")),
                name="participation_two_staff",
            ),
        ]


class Result(models.Model):
    """The stored tally of one heading, made when voting closes (the page never recomputes)."""

    heading = models.OneToOneField(Heading, related_name="result", on_delete=models.CASCADE)
    budget = models.PositiveBigIntegerField()
    spent = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20)
    rule = models.CharField(max_length=20)
    ballots = models.PositiveIntegerField()
    pb = models.TextField("Pabulib 파일")
    computed_at = models.DateTimeField()


class ResultLine(models.Model):
    result = models.ForeignKey(Result, related_name="lines", on_delete=models.CASCADE)
    proposal = models.ForeignKey(Proposal, related_name="+", on_delete=models.PROTECT)
    position = models.PositiveIntegerField()
    votes = models.PositiveIntegerField()
    score = models.PositiveIntegerField()
    cost = models.PositiveBigIntegerField()
    funded = models.BooleanField()
    reason = models.CharField(max_length=40)
    round = models.PositiveIntegerField(null=True)
    remaining_before = models.BigIntegerField(null=True)
    params = models.JSONField(default=dict)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["result", "proposal"], name="participation_result_line")]


class Milestone(models.Model):
    proposal = models.ForeignKey(Proposal, related_name="milestones", on_delete=models.CASCADE)
    title = models.CharField("단계", max_length=200)
    due = models.DateField("예정일", null=True, blank=True)
    done_on = models.DateField("완료일", null=True, blank=True)

    class Meta:
        ordering = ["due", "pk"]


class ProjectUpdate(models.Model):
    """The department's news about a funded project; supporters are told."""

    proposal = models.ForeignKey(Proposal, related_name="updates", on_delete=models.CASCADE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", null=True, on_delete=models.SET_NULL)
    body = models.TextField("내용")
    execution = models.CharField("집행 상태", max_length=20, choices=Execution.choices)
    spent = models.PositiveBigIntegerField("누적 집행액 (원)")
    photo = models.BinaryField("사진 (JPEG)", null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
