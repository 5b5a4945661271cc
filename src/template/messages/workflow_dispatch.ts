/** `workflow_dispatch`: someone ran a workflow by hand, with the inputs they gave. */
export const workflowDispatch = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign actor = event.sender.login | default: github.actor
  assign file = event.workflow | split: "/" | last
  assign workflow = github.workflow | default: file | default: "a workflow"
  assign ref = event.ref | default: github.ref | remove_first: "refs/heads/" | remove_first: "refs/tags/"
-%}
:arrow_forward: {{ actor }} ran {{ workflow | link: links.run }}{% if ref != blank %} on {{ ref | code }}{% endif %} in {{ repo }}
{%- for input in event.inputs limit: 10 %}
- {{ input[0] }}: {% if input[1] == nil or input[1] == "" %}(empty){% else %}{{ input[1] | truncate: 100, "…" | code }}{% endif %}
{%- endfor -%}
{%- if event.inputs.size > 10 %}
- … and {{ event.inputs.size | minus: 10 }} more inputs
{%- endif %}
`;
