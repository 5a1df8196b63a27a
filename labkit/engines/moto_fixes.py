"""WSGI fixes in front of moto's server for requests it misreads (each one a known moto gap).

- ``Invoke`` with ``?Qualifier=X``: moto 5.2 reads a lower-case ``qualifier`` parameter and so ignores the
  version or alias boto3 sends; we move it into the path (``name:X``), which moto understands.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode

INVOKE_PATH = re.compile(r"^(/2015-03-31/functions/)([^/]+)(/invocations/?)$")


class MotoFixes:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        match = INVOKE_PATH.match(environ.get("PATH_INFO", ""))
        if match and "Qualifier=" in environ.get("QUERY_STRING", ""):
            query = parse_qsl(environ["QUERY_STRING"])
            qualifier = dict(query)["Qualifier"]
            name = match.group(2)
            remaining = urlencode([(k, v) for k, v in query if k != "Qualifier"])
            if ":" not in name.split(":function:")[-1]:
                environ["PATH_INFO"] = f"{match.group(1)}{name}:{qualifier}{match.group(3)}"
                raw_path = f"{match.group(1)}{quote(name + ':' + qualifier, safe='')}{match.group(3)}"
                environ["RAW_URI"] = raw_path + (f"?{remaining}" if remaining else "")
            environ["QUERY_STRING"] = remaining
        return self.app(environ, start_response)
