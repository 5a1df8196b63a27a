# labkit's JupyterHub service (workshop.md, "On JupyterHub"): add these lines to your jupyterhub_config.py, or drop
# this file into The Littlest JupyterHub's /opt/tljh/config/jupyterhub_config.d/. Edit the defaults below, or set
# the variables in the hub's environment. tests/test_hub_service.py starts a real hub with this very file.
import os
import sys

# Shared engine (small machines): the key file `python -m labkit serve --students N --keys FILE` wrote, and the
# engine's address as the students' servers reach it. Leave LABKIT_KEYS empty for per-user engines (the default,
# for large classes): each student's server embeds its own engine and the service only collects progress.
KEYS = os.environ.get("LABKIT_KEYS", "")
ENGINE_URL = os.environ.get("LABKIT_ENGINE_URL", "http://127.0.0.1:4566")
# Where the service keeps who holds which key and the class's verdicts (a folder the hub's user may write).
STATE = os.environ.get("LABKIT_HUB_STATE", "/srv/labkit-hub")
# Where the service listens; the students' servers call it there.
SERVICE_URL = os.environ.get("LABKIT_SERVICE_URL", "http://127.0.0.1:10101")
# The address it binds, when SERVICE_URL's host is a name for this machine rather than one of its addresses
# (Zero to JupyterHub: SERVICE_URL http://hub:10101, bind 0.0.0.0); empty: SERVICE_URL's host.
BIND = os.environ.get("LABKIT_SERVICE_BIND", "")
# Who reads the class's progress: hub admins, and the members of this hub group (empty: admins only).
INSTRUCTORS = os.environ.get("LABKIT_INSTRUCTORS_GROUP", "")

# The Python that runs the service: one with labkit (the course's requirements) and jupyterhub installed.
PYTHON = os.environ.get("LABKIT_PYTHON", sys.executable)

command = [PYTHON, "-m", "labkit", "hub-service", "--state", STATE]
if KEYS:
    command += ["--keys", KEYS, "--engine-url", ENGINE_URL]
if INSTRUCTORS:
    command += ["--instructors-group", INSTRUCTORS]
if BIND:
    command += ["--bind", BIND]
c.JupyterHub.services.append({"name": "labkit", "url": SERVICE_URL, "command": command})  # noqa: F821

# Every user may call the service, and so may their server's token (JUPYTERHUB_API_TOKEN, which labkit sends).
ACCESS = "access:services!service=labkit"
c.JupyterHub.load_roles.append({"name": "user", "scopes": ["self", ACCESS]})  # noqa: F821
c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server", ACCESS]  # noqa: F821
# labkit in each user's kernel finds the service here (and JupyterHub sets JUPYTERHUB_API_TOKEN/JUPYTERHUB_USER).
c.Spawner.environment.update({"LABKIT_HUB_SERVICE_URL": SERVICE_URL.rstrip("/") + "/services/labkit/"})  # noqa: F821
