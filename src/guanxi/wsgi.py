import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

# What is loaded below lives as long as the process: half a million objects the cyclic garbage
# collector tracks (most of them the pinyin dictionaries' lists). Left to it, every full
# collection walks them all, 130 ms in which the worker answers nothing, and writes to each
# one's header, which copies into every gunicorn worker the memory pages --preload meant them to
# share. So the collector is off while they load and they are frozen after (Python's
# documentation of gc.freeze: off early in the parent, frozen before the fork).
gc.disable()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
os.environ.setdefault("GUANXI_PROCESS", "web")  # what settings tune for (the database's options)
application = get_wsgi_application()
# Load every view module now rather than on the first request, which would otherwise wait
# seconds for them (pinyin dictionaries, Polars, the analytics engine). With gunicorn's
# --preload this happens once, in the master, before the port opens.
get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect
gc.freeze()
gc.enable()
