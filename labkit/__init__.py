"""labkit: what a lab imports. boto3-shaped clients for whichever engine runs the AWS API, plus lab hygiene.

    import labkit
    labkit.require("s3")                 # stops early if the engine lacks a service
    s3 = labkit.client("s3")             # boto3 client aimed at the engine
    bucket = labkit.name("photos")       # dva-photos-k3x9q: unique, readable
    labkit.check(my_check, bucket)       # Check my work
    labkit.cleanup()                     # delete what the lab created

Imported in IPython, labkit also registers the ``%%solution`` cell magic (see ``labkit.solutions``).
"""
from __future__ import annotations

from importlib.metadata import version

from .checks import Verdict, check, failed, passed
from .hygiene import cleanup, leftovers
from .engines import current as engine
from .errors import LabkitError, install_ipython_handler
from .functions import lambda_role, zip_code
from .naming import name
from .quiz import exam, quiz
from .services import known_service, require
from . import solutions

# The distribution on PyPI is "dva-labkit" ("labkit" there is an unrelated project); the import name is labkit.
DISTRIBUTION = "dva-labkit"
__version__ = version(DISTRIBUTION)


def client(service: str, **kwargs):
    """A boto3 client for ``service`` on the current engine (region us-east-1 unless configured).

    Raises UnknownService (a LabkitError) with the close names for a name boto3 does not know.
    """
    return engine().client(known_service(service), **kwargs)


def resource(service: str, **kwargs):
    """A boto3 resource for ``service`` on the current engine.

    Raises UnknownService (a LabkitError) with the close names for a name boto3 has no resource for.
    """
    return engine().resource(known_service(service, "resource"), **kwargs)


def session():
    """A boto3 session with the engine's region and credentials (endpoints: use ``client``/``resource``)."""
    return engine().session()


install_ipython_handler()
solutions.register()  # %%solution: a lab's solution runs in the book build and the tests only

__all__ = ["LabkitError", "Verdict", "check", "cleanup", "client", "engine", "exam", "failed", "lambda_role",
           "leftovers", "name", "passed", "quiz", "require", "resource", "session", "zip_code"]
