"""Messages have their own queue and worker (issue 15, item 11): a sign-in code never
waits behind a knowledge-base ingest. The stored task rows say which queue each task is
on; the worker's own loop, run once for "messages", sends the message and leaves the
ingest for the other worker; `dasan run` starts a worker for each."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from dasan.core.management.commands.run import processes
from dasan.core.management.commands.worker import queue_names, run_once
from dasan.knowledge import services as knowledge
from dasan.knowledge.models import Kind, Source
from dasan.notify.models import Message, Status
from dasan.notify.services import enqueue


@pytest.fixture
def database_queue(settings):
    """The real task backend (the notify tests otherwise run tasks immediately)."""
    settings.TASKS = {"default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}}


def _ingest_and_message(resident, capture):
    source = Source.objects.create(title="복지 FAQ", kind=Kind.ARTICLE, body="기초연금 신청은 주민센터에서 합니다.")
    with capture(execute=True):
        knowledge.schedule_ingest(source)
    with capture(execute=True):
        message = enqueue("test.hello", recipient=resident, channel="console", context={"number": 7})
    return source, message


def test_delivery_and_ingest_are_stored_on_their_own_queues(
    database_queue, resident, django_capture_on_commit_callbacks
):
    source, message = _ingest_and_message(resident, django_capture_on_commit_callbacks)
    ingest = DBTaskResult.objects.get(task_path="dasan.knowledge.tasks.ingest_source")
    delivery = DBTaskResult.objects.get(task_path="dasan.notify.tasks.deliver")
    assert ingest.queue_name == "indexing" and ingest.args_kwargs["args"] == [source.pk]
    assert delivery.queue_name == "messages" and delivery.args_kwargs["args"] == [message.pk]


# The worker closes connections that are not in autocommit (django_tasks_db calls
# close_old_connections), as a real worker process does: the test commits as it goes.
@pytest.mark.django_db(transaction=True)
def test_the_messages_worker_sends_while_an_ingest_waits_unrun(
    database_queue, resident, django_capture_on_commit_callbacks
):
    _, message = _ingest_and_message(resident, django_capture_on_commit_callbacks)
    assert run_once(["messages"]) is True
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    # The ingest, queued first, is still waiting, and the messages worker will not take it.
    assert run_once(["messages"]) is False
    ingest = DBTaskResult.objects.get(task_path="dasan.knowledge.tasks.ingest_source")
    assert ingest.status == "READY" and ingest.worker_ids == []
    assert Message.objects.filter(status=Status.DELIVERED).count() == 1


def test_every_queue_the_backend_accepts_is_served_by_dasan_run():
    commands = processes("127.0.0.1:8000")
    workers = {name: command for name, command in commands.items() if "worker" in command}
    assert set(commands) == {"web", "messages worker", "worker"}
    assert "serve" in commands["web"]

    def queues(command):
        return command[command.index("--queues") + 1].split(",")

    # Messages alone in one worker; the others together in the second.
    assert queues(workers["messages worker"]) == ["messages"]
    served = [name for command in workers.values() for name in queues(command)]
    assert sorted(served) == sorted(django_settings.TASKS["default"]["QUEUES"])
    # The periodic jobs run in exactly one worker, and not beside the messages.
    scheduling = [name for name, command in workers.items() if "--no-schedule" not in command]
    assert scheduling == ["worker"]


def test_every_task_is_on_a_queue_the_backend_accepts():
    from dasan.knowledge import tasks as knowledge_tasks
    from dasan.notify import tasks as notify_tasks

    accepted = set(django_settings.TASKS["default"]["QUEUES"])
    assert notify_tasks.deliver.queue_name == "messages"
    for task in (knowledge_tasks.ingest_source, knowledge_tasks.remove_source, knowledge_tasks.ingest_many):
        assert task.queue_name == "indexing"
    assert {"messages", "indexing", "default"} <= accepted


def test_a_worker_for_an_unknown_queue_is_refused(database_queue):
    assert queue_names("messages") == ["messages"]
    assert queue_names(" default, indexing ") == ["default", "indexing"]
    assert queue_names("*") == ["*"]
    with pytest.raises(CommandError, match="message"):
        queue_names("message")
    with pytest.raises(CommandError, match="unknown queue reports"):
        call_command("worker", queues="messages,reports", batch=True)
