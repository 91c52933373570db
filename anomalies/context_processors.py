"""Template context: the number of unread alert notifications, for the badge in the top bar."""

from accounts.request_memo import once_per_request
from anomalies.selectors import unread_alert_notifications


def alert_notifications(request) -> dict:
    user = getattr(request, "user", None)
    scope = getattr(request, "scope", None)
    if user is None or not user.is_authenticated or scope is None:
        return {"unread_alerts": 0}
    unread = once_per_request(
        request, "unread_alerts", lambda: unread_alert_notifications(user, scope)
    )
    return {"unread_alerts": unread}
