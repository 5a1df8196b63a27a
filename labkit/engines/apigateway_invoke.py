"""Where labs and checks find ``invoke_url``; the execute-api data plane itself is :mod:`labkit.emulator.apigateway`."""
from __future__ import annotations

from ..emulator.apigateway import invoke_url

__all__ = ["invoke_url"]
