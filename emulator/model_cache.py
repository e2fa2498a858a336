"""Emulator support for speed: botocore's service models, loaded once per process rather than once per session.

Every cold start of the function in-process (lambda_runtime.py), and so every
stack update that changes its configuration, builds new boto3 sessions, and
each session's loader parses the JSON models again: EC2's is megabytes, and a
cutover's three updates spent about 3.5 s of its 10 s parsing them. The models
are the same files for the life of the process: one parse serves every
session. Nothing measured goes through this: the bench's cold start runs in a
process of its own.
"""

from collections.abc import Callable
from threading import Lock
from typing import Any

from botocore.loaders import Loader

from ._patching import Patch

_loaded: dict[tuple[tuple[str, ...], str], Any] = {}
_lock = Lock()


def _parsed_once(original: Callable[..., Any]) -> Callable[..., Any]:
    def load_data_with_path(self: Loader, name: str) -> Any:
        key = (tuple(self.search_paths), name)
        with _lock:
            found = _loaded.get(key)
        if found is None:
            found = original(self, name)
            with _lock:
                _loaded[key] = found
        return found

    return load_data_with_path


PATCHES = [Patch(Loader, "load_data_with_path", _parsed_once)]
