"""Plain-Python pieces of the follow-ups, without the ORM (see each module's docstring)."""
