"""The ``app.py`` written next to a saved agent: it rebuilds the agent and starts its Gradio UI.

The template takes the variables smolagents 1.26's template takes (``agent_name``,
``class_name``, ``agent_dict``, ``tools``, ``managed_agents``, ``managed_agent_relative_path``),
so code that renders 1.26's template renders this one.
"""

from __future__ import annotations

from typing import Any

__all__ = ["AGENT_GRADIO_APP_TEMPLATE", "create_agent_gradio_app_template", "saved_tool_class_name"]

# Keys of agent.json that are not keyword arguments of the agent class, or are passed otherwise.
_NOT_AGENT_ARGUMENTS = [
    "class",
    "model",
    "tools",
    "prompt_templates",
    "authorized_imports",
    "managed_agents",
    "requirements",
    "format",
]

AGENT_GRADIO_APP_TEMPLATE = """\"\"\"Start a Gradio UI for the agent saved in this folder.\"\"\"
import os

import yaml
from smolagents import GradioUI, {{ class_name }}, {{ agent_dict['model']['class'] }}

{% for tool in tools.values() -%}
from {{ managed_agent_relative_path }}tools.{{ tool.name }} import {{ tool | saved_class_name }} as {{ tool.name | camelcase }}
{% endfor -%}
{% for managed_agent in managed_agents.values() -%}
from {{ managed_agent_relative_path }}managed_agents.{{ managed_agent.name }}.app import agent_{{ managed_agent.name }}
{% endfor %}
HERE = os.path.dirname(os.path.abspath(__file__))

model = {{ agent_dict['model']['class'] }}(
{%- for key, value in agent_dict['model']['data'].items() if key != 'class' %}
    {{ key }}={{ value | repr }},
{%- endfor %}
)

{% for tool in tools.values() -%}
{{ tool.name }} = {{ tool.name | camelcase }}()
{% endfor %}
with open(os.path.join(HERE, "prompts.yaml"), encoding="utf-8") as stream:
    prompt_templates = yaml.safe_load(stream)

{{ agent_name }} = {{ class_name }}(
    model=model,
    tools=[{% for name in tools.keys() if name != "final_answer" %}{{ name }}{% if not loop.last %}, {% endif %}{% endfor %}],
    managed_agents=[{% for name in managed_agents.keys() %}agent_{{ name }}{% if not loop.last %}, {% endif %}{% endfor %}],
{%- if agent_dict.get('authorized_imports') %}
    additional_authorized_imports={{ agent_dict['authorized_imports'] | repr }},
{%- endif %}
{%- for key, value in agent_dict.items() if key not in not_agent_arguments %}
    {{ key }}={{ value | repr }},
{%- endfor %}
    prompt_templates=prompt_templates,
)

if __name__ == "__main__":
    GradioUI({{ agent_name }}).launch()
"""


def saved_tool_class_name(tool: Any) -> str:
    """Return the name of the class that the saved code of `tool` defines.

    Tools made with ``@tool`` are written as a class named ``SimpleTool`` (as 1.26 writes them);
    tool classes keep their own name.
    """
    from ..tools.decorator import FunctionTool

    return "SimpleTool" if isinstance(tool, FunctionTool) else type(tool).__name__


def create_agent_gradio_app_template() -> Any:
    """Return the jinja2 template of a saved agent's ``app.py`` (render it with 1.26's variables)."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.BaseLoader(), undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    environment.filters["repr"] = repr
    environment.filters["camelcase"] = lambda value: "".join(word.capitalize() for word in value.split("_"))
    environment.filters["saved_class_name"] = saved_tool_class_name
    environment.globals["not_agent_arguments"] = _NOT_AGENT_ARGUMENTS
    return environment.from_string(AGENT_GRADIO_APP_TEMPLATE)
