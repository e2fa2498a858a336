"""Install and undo the emulator's monkeypatches on moto, idempotently.

Every patch wraps one moto attribute. Patches are reference-counted so that
nested EmulatedAws blocks (or a test fixture inside a demo harness) install
each wrapper once and restore moto's original only when the last one exits.
"""

from collections.abc import Callable
from threading import Lock
from typing import Any

_MISSING = object()


class Patch:
    """One wrapped attribute of a moto class or module: `wrap(original) -> replacement`.

    Where moto lacks the attribute altogether, `wrap` gets None and undoing
    the patch removes the attribute again.
    """

    def __init__(self, owner: object, name: str, wrap: Callable[[Any], Any]) -> None:
        self.owner = owner
        self.name = name
        self.wrap = wrap
        self._original: Any = None
        self._depth = 0
        self._lock = Lock()

    @property
    def installed(self) -> bool:
        return self._depth > 0

    def install(self) -> None:
        with self._lock:
            if self._depth == 0:
                # Read the owner's own attribute, not an inherited one, so that
                # undoing the patch restores exactly what was there.
                self._original = vars(self.owner).get(self.name, _MISSING)
                original = None if self._original is _MISSING else self._original
                setattr(self.owner, self.name, self.wrap(original))
            self._depth += 1

    def uninstall(self) -> None:
        with self._lock:
            if self._depth == 0:
                return
            self._depth -= 1
            if self._depth == 0:
                if self._original is _MISSING:
                    delattr(self.owner, self.name)
                else:
                    setattr(self.owner, self.name, self._original)
                self._original = None
