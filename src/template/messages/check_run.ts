/** `check_run`: a check (CI job, linter...) was queued, re-run or finished, and how it ended. */
export const checkRun = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign actor = event.sender.login | default: github.actor
  assign check = event.check_run
  assign name = check.name | default: "a check"
  assign check_url = check.html_url | default: check.details_url
  assign check_link = name | link: check_url
  assign branch = check.check_suite.head_branch
-%}
{%- if check.status == "completed" and event.action != "rerequested" and event.action != "requested_action" -%}
  {%- case check.conclusion -%}
  {%- when "success" -%}:white_check_mark: Check {{ check_link }} passed
  {%- when "failure" -%}:x: Check {{ check_link }} failed
  {%- when "cancelled" -%}:no_entry_sign: Check {{ check_link }} was cancelled
  {%- when "skipped" -%}:fast_forward: Check {{ check_link }} was skipped
  {%- when "timed_out" -%}:hourglass: Check {{ check_link }} timed out
  {%- when "action_required" -%}:raising_hand: Check {{ check_link }} needs action
  {%- when "neutral" -%}:white_circle: Check {{ check_link }} finished (neutral)
  {%- when "stale" -%}:zzz: Check {{ check_link }} went stale
  {%- else -%}:checkered_flag: Check {{ check_link }} finished
  {%- endcase -%}
{%- elsif event.action == "rerequested" -%}
:repeat: {{ actor }} re-ran check {{ check_link }}
{%- elsif event.action == "requested_action" -%}
:point_right: {{ actor }} asked check {{ check_link }} to {{ event.requested_action.identifier | default: "act" | code }}
{%- elsif check.status == "in_progress" -%}
:hourglass_flowing_sand: Check {{ check_link }} is running
{%- else -%}
:hourglass_flowing_sand: Check {{ check_link }} is {{ check.status | default: "queued" | replace: "_", " " }}
{%- endif %}
{%- if branch != blank %} on {{ branch | code }}{% elsif check.head_sha != blank %} at {{ check.head_sha | short_sha | code }}{% endif %} in {{ repo }}
{%- assign summary = check.output.title | default: check.output.summary | first_line | truncate: 200, "…" -%}
{%- if summary != "" %}
{{ summary }}
{%- endif %}
`;
