"""Template context: the number of unread in-app notifications for the badge in the top bar."""

from jobs.models import Notification

# Counted once per request: pages that render many partials (a worklist's rows) run the
# context processors once per partial.
CACHE_ATTRIBUTE = "_sop_unread_notifications"


def notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    unread = getattr(request, CACHE_ATTRIBUTE, None)
    if unread is None:
        unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
        setattr(request, CACHE_ATTRIBUTE, unread)
    return {"unread_notifications": unread}
