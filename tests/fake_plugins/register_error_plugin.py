from gansuite_core import hookimpl


@hookimpl
def gansuite_register_apps(register):
    raise RuntimeError("my registration is broken")
