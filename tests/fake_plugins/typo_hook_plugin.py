from gansuite_core import hookimpl


@hookimpl
def gansuite_register_aps(register):  # misspelt hook name: must be reported, not silently ignored
    register(None)
