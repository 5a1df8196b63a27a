"""Expected failures, shown to a learner as one short paragraph instead of a traceback."""
from __future__ import annotations


class LabkitError(Exception):
    """A situation labkit expects and can explain; the message says what to do."""


class EngineUnavailable(LabkitError):
    """No engine could be started or reached."""


class ServiceUnavailable(LabkitError):
    """The current engine does not offer a service this lab needs."""


class AwsNotConfirmed(LabkitError):
    """Real AWS was asked for without the explicit cost confirmation."""


class UnsupportedRuntime(LabkitError):
    """A Lambda runtime the embedded engine cannot execute."""


def install_ipython_handler() -> None:
    """Show LabkitError (and engine connection errors) in notebooks as a short message."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: normal tracebacks are fine
        return
    shell = get_ipython()
    if shell is None:
        return
    from botocore.exceptions import EndpointConnectionError

    def show_short(shell, etype, value, tb, tb_offset=None):
        if issubclass(etype, EndpointConnectionError):
            value = EngineUnavailable(
                f"Nothing answers at {value.kwargs.get('endpoint_url')}. Is the engine running? "
                "Run `python -m labkit doctor` in a terminal to see what labkit finds."
            )
        print(f"labkit: {value}")
        return None

    shell.set_custom_exc((LabkitError, EndpointConnectionError), show_short)
