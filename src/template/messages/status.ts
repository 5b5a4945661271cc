/**
 * The line every built-in message starts with when the `status` input is given: how the job
 * ended (or, with `notify-on: change`, that it broke or is fixed), with a link to the run, the
 * failure's author when `mention-on-failure` names one, then what failed.
 */
import { failedJobs } from './failed_jobs.js';

export const statusLine = `
{%- if job.status != "" -%}
  {%- if change == "broke" -%}:x: **Broke**
  {%- elsif change == "fixed" -%}:white_check_mark: **Fixed**
  {%- else -%}
  {%- case job.status -%}
    {%- when "success" -%}:white_check_mark: **Succeeded**
    {%- when "failure" -%}:x: **Failed**
    {%- when "cancelled" -%}:no_entry_sign: **Cancelled**
    {%- when "skipped" -%}:fast_forward: **Skipped**
    {%- else -%}:grey_question: **{{ job.status | capitalize }}**
  {%- endcase -%}
  {%- endif -%}
  {%- liquid
    assign run_name = github.workflow | default: "Workflow run"
    if github.run_number != ""
      assign run_name = run_name | append: " #" | append: github.run_number
    endif
  -%}
: {{ run_name | link: links.run }}{% if github.repository != "" %} on {{ github.repository }}{% endif %}
{%- if failure_author and job.status == "failure" %} · {{ failure_author | mention }}{% endif -%}
{%- if github.event_name != "workflow_run" %}${failedJobs}{% endif %}
{% endif -%}
`;
