"""Lambda's timeout, enforced on the handler run in this process: a run that outlives it is killed.

What Lambda does (Lambda developer guide, "Troubleshoot invocation issues in
Lambda", timeouts; and "Understanding the Lambda execution environment
lifecycle", "Failures during the invoke phase"): when an invocation reaches
the function's Timeout, Lambda stops it where it stands. The invocation fails
with error type `Sandbox.Timedout` and the platform logs
`<request id> Task timed out after N.NN seconds`; the function returns no
result; what it had written to its log so far stays; nothing of it runs any
more, in any of its threads; and Lambda discards the execution environment, so
the next invocation is a cold start (the module is imported anew).

How the emulator does it, with no process of its own to kill:
- The handler runs in a thread of its own. A trace function, set inside that
  thread (sys.settrace) and in every thread the run starts (its
  ThreadPoolExecutor workers: each Thread it starts is adopted through
  threading.settrace), raises RunKilled at the first call of the run's own
  Python code past the deadline (never inside the standard library or a
  package, where it could leave a lock held). The invoking thread waits for the handler's thread to
  end, so invoke() returns only once the run is over.
- Code in C cannot be interrupted: a time.sleep or a blocking read that
  straddles the deadline ends first, and the kill lands at the next Python
  call after it. The reconciler's sleeps are short, so a kill comes late by at
  most one of them.
- A request moto is serving in-process when the deadline passes is served to
  its end first: on AWS a request that left the function is processed whether
  or not the function lives on, and a half-applied moto call is no state AWS
  could be in.
- Python unsets a trace function once it raised, and a thread may catch
  RunKilled (a ThreadPoolExecutor worker puts any BaseException into its
  future and takes the next task). So every request from a thread of a run
  past its deadline is refused before it is sent (sending_a_request), by a
  hook in moto's botocore_stubber (moto_patches; a `before-send` handler every
  client of the process calls, in-process or over HTTP): a killed run makes no
  AWS call.
- The trace costs one Python call per Python function call in the run's
  threads: about a tenth of the handler's time on this machine.
"""

import os
import sys
import sysconfig
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TypeAlias

TraceFunction: TypeAlias = Callable[[FrameType, str, Any], Any]

# Lambda's error type for a timeout, and its wording (see the module's docstring).
ERROR_TYPE = "Sandbox.Timedout"
MESSAGE = "{request_id} Task timed out after {seconds:.2f} seconds"

_THREAD_START = threading.Thread.start.__code__
# The kill lands only in the run's own code, never inside the standard library or a package: raised in the middle of
# queue.Queue.put or a lock's __enter__ it would leave a lock held, and the next run would wait on it for ever (seen:
# a killed run's urllib3 connection pool deadlocked the next invocation).
# The emulator's own frames (the function's captured stdout, moto's patches) are the harness, not the function.
_LIBRARIES = tuple(
    {sysconfig.get_paths()[name] for name in ("stdlib", "platstdlib", "purelib", "platlib")}
    | {"<", os.path.dirname(os.path.abspath(__file__))}
)


class RunKilled(BaseException):
    """Lambda ended the invocation: raised in the run's threads past its deadline.

    A BaseException, so that the handler's `except Exception` cannot report it as one of its own errors.
    """


class _PerThread(threading.local):
    run: "KillableRun | None" = None
    serving: int = 0  # requests moto is serving in-process on this thread


_thread = _PerThread()


class KillableRun:
    """One invocation's threads, killed at `deadline` (time.monotonic())."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self._threads: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
        self._previous_hook: TraceFunction | None = None

    @property
    def overdue(self) -> bool:
        return time.monotonic() >= self.deadline

    def run(self, call: Callable[[], Any]) -> tuple[Any, BaseException | None]:
        """Call `call` in a thread of this run and wait for it to end: (its result, what it raised)."""
        outcome: list[Any] = [None, None]

        def target() -> None:
            self._join_this_thread()
            try:
                outcome[0] = call()
            except BaseException as error:  # noqa: BLE001 - the run's end, whatever it is, goes to the invoker
                outcome[1] = error
            finally:
                sys.settrace(None)

        thread = threading.Thread(target=target, name="lambda-handler", daemon=True)
        self._previous_hook = threading.gettrace()  # type: ignore[assignment]
        threading.settrace(self._adopt)
        try:
            self._threads.add(thread)
            thread.start()
            thread.join()
        finally:
            threading.settrace(self._previous_hook)
        return outcome[0], outcome[1]

    def _join_this_thread(self) -> None:
        _thread.run = self
        sys.settrace(self._trace)

    def _adopt(self, frame: FrameType, event: str, arg: Any) -> Any:
        """The first trace call of any thread started while the run lasts: the
        run's own are traced, others are left alone."""
        if threading.current_thread() in self._threads:
            self._join_this_thread()
            return self._trace(frame, event, arg)
        sys.settrace(self._previous_hook)
        return self._previous_hook(frame, event, arg) if self._previous_hook else None

    def _trace(self, frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return None
        if frame.f_code is _THREAD_START:
            self._threads.add(frame.f_locals["self"])
        if _thread.serving == 0 and self.overdue and not frame.f_code.co_filename.startswith(_LIBRARIES):
            raise RunKilled()
        return None  # no line events: the deadline is checked at calls only


@contextmanager
def sending_a_request() -> Iterator[None]:
    """A request leaves this thread: refused (RunKilled) if the thread's run is past its deadline, else served to its
    end whatever the deadline does meanwhile."""
    run = _thread.run
    if run is not None and run.overdue:
        raise RunKilled()
    _thread.serving += 1
    try:
        yield
    finally:
        _thread.serving -= 1
