"""Tools: the `Tool` base class, the `@tool` decorator and tool collections."""
