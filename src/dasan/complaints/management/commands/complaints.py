"""`dasan complaints train`, `dasan complaints suggest "text"`, `dasan complaints status`:
the complaint classifier (민원 자동 분류) from the shell."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from dasan.core.conf import setting
from dasan.core.progress import stage_bars


class Command(BaseCommand):
    help = "Complaint routing: train the classifier, try it on a text, show the active model."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        tr = sub.add_parser("train", help="Train a model from complaints whose category staff confirmed.")
        tr.add_argument(
            "--min-samples",
            type=int,
            default=20,
            help="do not train with fewer labelled complaints than this (default 20)",
        )
        sg = sub.add_parser("suggest", help="Show the category and department suggested for a text.")
        sg.add_argument("text", nargs="+", help="the complaint's text (title and description)")
        sub.add_parser("status", help="The active model and its cross-validated figures.")

    def handle(self, *args, **opts):
        return getattr(self, f"do_{opts['action']}")(opts)

    def _progress(self):
        return stage_bars()

    def do_train(self, opts):
        from ... import routing

        if opts["min_samples"] < 1:
            raise CommandError(_("--min-samples는 1 이상이어야 합니다."))
        previous = _active_model_id()
        model = routing.train(progress=self._progress(), min_samples=opts["min_samples"])
        if model is None:
            data = routing.training_set()
            self.stdout.write(
                _(
                    "학습하지 않았습니다: 담당자가 분류를 확인한 민원이 %(n)d건으로 %(min)d건보다 적습니다. "
                    "지금은 %(fallback)s(으)로 분류합니다."
                )
                % {
                    "n": len(data.labels),
                    "min": opts["min_samples"],
                    "fallback": _("기존 모델") if previous else _("분류 키워드"),
                }
            )
            return
        if model.pk == previous:
            self.stdout.write(_("지난 학습 뒤로 바뀐 민원이 없어 모델 %(id)d을(를) 그대로 씁니다.") % {"id": model.pk})
        else:
            self.stdout.write(_("새 모델 %(id)d을(를) 학습했습니다.") % {"id": model.pk})
        self._report(model)

    def do_suggest(self, opts):
        from ... import routing

        text = " ".join(opts["text"]).strip()
        if not text:
            raise CommandError(_("분류할 내용을 입력하세요."))
        s = routing.suggest(text)
        threshold = float(setting("COMPLAINT_AUTO_ASSIGN"))
        source = {"model": _("학습 모델"), "keywords": _("분류 키워드"), "none": _("없음")}.get(s.source, s.source)
        if s.category is None:
            self.stdout.write(_("추천할 분류가 없습니다 (근거: %(source)s). 분류 대기로 갑니다.") % {"source": source})
            return
        self.stdout.write(_("분류: %(name)s (%(code)s)") % {"name": s.category.name, "code": s.category.code})
        self.stdout.write(_("담당 부서: %(dept)s") % {"dept": s.department.name if s.department else "-"})
        self.stdout.write(_("신뢰도: %(conf).2f (근거: %(source)s)") % {"conf": s.confidence, "source": source})
        if s.confidence >= threshold:
            self.stdout.write(_("기준 %(t).2f 이상이므로 자동 배정됩니다.") % {"t": threshold})
        else:
            self.stdout.write(_("기준 %(t).2f 미만이므로 분류 대기로 갑니다.") % {"t": threshold})
        for category, p in s.alternatives:
            self.stdout.write(_("  다른 후보: %(name)s %(p).2f") % {"name": category.name, "p": p})

    def do_status(self, opts):
        from ...models import RoutingModel

        model = RoutingModel.objects.filter(is_active=True).first()
        if model is None:
            self.stdout.write(_("학습된 모델이 없습니다. 분류 키워드로 분류합니다."))
            return
        self.stdout.write(
            _("사용 중인 모델 %(id)d (%(at)s)")
            % {"id": model.pk, "at": timezone.localtime(model.created_at).strftime("%Y-%m-%d %H:%M")}
        )
        self._report(model)

    def _report(self, model):
        m = model.metrics or {}
        self.stdout.write(
            _("알고리즘 %(alg)s, 학습 민원 %(n)d건 (키워드 표본 %(p)d건 별도), 분류 %(labels)d개, 특징 %(features)d개")
            % {
                "alg": model.algorithm,
                "n": model.samples,
                "p": m.get("pseudo_samples", 0),
                "labels": model.labels,
                "features": m.get("features", 0),
            }
        )
        if m.get("folds"):
            prec = m.get("auto_precision")
            self.stdout.write(
                _(
                    "%(k)d겹 교차검증: 정확도 %(acc).3f, macro-F1 %(f1).3f; 신뢰도 %(t).2f 이상 자동 배정 "
                    "%(cov).1f%% (그중 정답 %(prec)s), 분류 대기 %(triage).1f%%"
                )
                % {
                    "k": m["folds"],
                    "acc": m["accuracy"],
                    "f1": m["macro_f1"],
                    "t": m.get("threshold", 0.6),
                    "cov": 100 * m.get("auto_coverage", 0),
                    "triage": 100 * m.get("triage_share", 1),
                    "prec": "-" if prec is None else f"{100 * prec:.1f}%",
                }
            )
        else:
            self.stdout.write(_("민원이 적어 교차검증을 하지 않았습니다."))
        if m.get("skipped"):
            self.stdout.write(_("부서만 바뀌고 분류를 정할 수 없어 뺀 민원: %(n)d건") % {"n": m["skipped"]})
        if "train_seconds" in m:
            self.stdout.write(_("학습 시간 %(s).1f초") % {"s": m["train_seconds"]})


def _active_model_id():
    from ...models import RoutingModel

    return RoutingModel.objects.filter(is_active=True).values_list("pk", flat=True).first()
