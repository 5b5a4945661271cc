/**
 * The line every built-in message starts with when the `status` input is given: how the job
 * ended, with a link to the run.
 */
export const statusLine = `
{%- if job.status != "" -%}
  {%- case job.status -%}
    {%- when "success" -%}:white_check_mark: **Succeeded**
    {%- when "failure" -%}:x: **Failed**
    {%- when "cancelled" -%}:no_entry_sign: **Cancelled**
    {%- when "skipped" -%}:fast_forward: **Skipped**
    {%- else -%}:grey_question: **{{ job.status | capitalize }}**
  {%- endcase -%}
  {%- liquid
    assign run_name = github.workflow | default: "Workflow run"
    if github.run_number != ""
      assign run_name = run_name | append: " #" | append: github.run_number
    endif
  -%}
: {{ run_name | link: links.run }}{% if github.repository != "" %} on {{ github.repository }}{% endif %}
{% endif -%}
`;
