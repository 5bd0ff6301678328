"""Helpers of the user-facing edges: the Gradio chat, the `smolagent` and `webagent` commands.

Nothing inside the library imports these modules; only `gradio_ui`, `cli` and
`vision_web_browser` do. Gradio and Playwright are imported only by the modules that need them.
"""
