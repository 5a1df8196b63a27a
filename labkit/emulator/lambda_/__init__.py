"""What labkit adds to or changes in moto's Lambda, one module per concern (see :mod:`labkit.emulator`).

The real Python runtime itself lives in :mod:`labkit.lambda_runtime`; :mod:`.invoke_hook` names the moto methods
it replaces.
"""
