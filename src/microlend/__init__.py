"""microlend: open lending to small online merchants, from platform records to a loan book.

See ``docs/architecture.md`` for the layers; the public entry points are exported by each
sub-package's ``__init__``.
"""

from microlend.errors import DataContractError, MicrolendError

__all__ = ["DataContractError", "MicrolendError", "__version__"]

__version__ = "0.1.0"
