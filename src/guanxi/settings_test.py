"""Settings for the test suite: the same app, a fast hasher, jobs run inline, no network."""

import os
import tempfile

os.environ.setdefault("GUANXI_DATA_DIR", tempfile.mkdtemp(prefix="guanxi-test-"))

from guanxi.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGIN_MAX_FAILURES = 5
LANGUAGE_CODE = "en"
