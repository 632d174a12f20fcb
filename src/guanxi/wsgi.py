import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
application = get_wsgi_application()
# Load every view module now rather than on the first request, which would otherwise wait
# seconds for them (pinyin dictionaries, Polars, the analytics engine). With gunicorn's
# --preload this happens once, in the master, before the port opens.
get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect
