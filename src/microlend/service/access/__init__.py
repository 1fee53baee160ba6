"""Access: API keys, their roles and the principal a request acts as."""

from microlend.service.access._keys import (
    ApiKeyRecord,
    Principal,
    Role,
    authenticate,
    create_api_key,
    ensure_staff_keys,
    list_api_keys,
    principal_of,
    revoke_api_key,
)

__all__ = [
    "ApiKeyRecord",
    "Principal",
    "Role",
    "authenticate",
    "create_api_key",
    "ensure_staff_keys",
    "list_api_keys",
    "principal_of",
    "revoke_api_key",
]
