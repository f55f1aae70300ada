"""Mail goes through the database queue and the worker sends it."""

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.test_signup_data import SIGNUP

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_verification_mail_waits_in_the_queue_until_the_worker_runs(client, settings):
    settings.TASKS = DATABASE_TASKS
    client.post("/accounts/signup/", SIGNUP)
    assert mail.outbox == []
    task = DBTaskResult.objects.get(task_path="members.tasks.send_verification_email")
    assert task.task_path == "members.tasks.send_verification_email"

    run_worker()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada.newcomer@example.org"]
    assert (
        DBTaskResult.objects.get(task_path="members.tasks.send_verification_email").status
        == "SUCCESSFUL"
    )

    run_worker()  # a second pass finds nothing left to do
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_sign_up_queues_nothing(client, settings):
    settings.TASKS = DATABASE_TASKS
    client.post("/accounts/signup/", {**SIGNUP, "password2": "different"})
    assert not DBTaskResult.objects.exists()
