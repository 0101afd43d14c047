"""What the books' settings groups share. Each group lives in its provider's package
(`providers/<name>/settings.py`), subclasses the kernel's `ProviderSettings` and is
declared on the provider class (`settings_model`); `Settings.group` reads it."""

from __future__ import annotations

# The desktop Chrome whose pages and APIs every book is asked for, unless a group sets its own.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/140.0.0.0 Safari/537.36"
)
