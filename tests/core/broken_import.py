"""A module whose own import fails (for test_appconfig: such an error must surface, not be
taken for "no such module")."""

import dasan_no_such_package  # noqa: F401
