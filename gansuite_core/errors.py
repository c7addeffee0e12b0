"""The one exception type that means "the user asked for something wrong"."""


class UserError(Exception):
    """A user's mistake (bad option, missing file, wrong format).

    The command line prints it as one line, `gansuite: error: ...`, and exits with code 2;
    no traceback. Raise it from plugins too, with a message that names the file or option
    and says what was expected.
    """
