"""The decision api: a FastAPI app over the service layer (routes are thin: one service call).

``create_app(context)`` builds the app from an ``ApiContext`` (model, policy, records, loan
book, settings, the business-date clock) made by the cli. Keys with roles authenticate every
call; money-moving calls carry an ``Idempotency-Key``; every error is an RFC 9457 problem.
"""

from microlend.api._app import create_app
from microlend.api._context import ApiContext, ApiSettings

__all__ = ["ApiContext", "ApiSettings", "create_app"]
