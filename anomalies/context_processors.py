"""Template context: the number of unread alert notifications, for the badge in the top bar."""

from anomalies.selectors import unread_alert_notifications

# Counted once per request: pages that render many partials run the processors each time.
CACHE_ATTRIBUTE = "_sop_unread_alerts"


def alert_notifications(request) -> dict:
    user = getattr(request, "user", None)
    scope = getattr(request, "scope", None)
    if user is None or not user.is_authenticated or scope is None:
        return {"unread_alerts": 0}
    unread = getattr(request, CACHE_ATTRIBUTE, None)
    if unread is None:
        unread = unread_alert_notifications(user, scope)
        setattr(request, CACHE_ATTRIBUTE, unread)
    return {"unread_alerts": unread}
