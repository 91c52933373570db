"""Template context: the number of unread in-app notifications for the badge in the top bar."""

from accounts.request_memo import once_per_request
from jobs.models import Notification


def notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    unread = once_per_request(
        request,
        "unread_notifications",
        lambda: Notification.objects.filter(user=user, read_at__isnull=True).count(),
    )
    return {"unread_notifications": unread}
