/** The root for an event with no root of its own: the repository and the workflow. */
export const genericRoot = `
{%- assign repo = github.repository | link: links.repo -%}
:thread: {{ github.workflow | default: "Workflow" }} in {{ repo }}
`;
