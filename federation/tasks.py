"""Background work of federation that is ours to send: deliveries of published activities."""

from django_tasks import task

from federation import delivery


@task()
def deliver() -> None:
    """Send the deliveries that are due; queues the next run while some remain pending."""
    delivery.deliver_due()
