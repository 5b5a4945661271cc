/**
 * `workflow_run`: another workflow was requested, started or finished, and how it ended; when it
 * failed, which of its jobs failed and why (`failed_jobs`, from that run's attempt).
 */
import { failedJobs } from './failed_jobs.js';

export const workflowRun = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign run = event.workflow_run
  assign run_name = run.name | default: event.workflow.name | default: "Workflow"
  if run.run_number
    assign run_name = run_name | append: " #" | append: run.run_number
  endif
  assign run_link = run_name | link: run.html_url
-%}
{%- if event.action == "completed" -%}
  {%- case run.conclusion -%}
  {%- when "success" -%}:white_check_mark: Workflow {{ run_link }} {% if change == "fixed" %}is fixed{% else %}succeeded{% endif %}
  {%- when "failure" -%}:x: Workflow {{ run_link }} {% if change == "broke" %}broke{% else %}failed{% endif %}
  {%- when "startup_failure" -%}:x: Workflow {{ run_link }} failed to start
  {%- when "cancelled" -%}:no_entry_sign: Workflow {{ run_link }} was cancelled
  {%- when "skipped" -%}:fast_forward: Workflow {{ run_link }} was skipped
  {%- when "timed_out" -%}:hourglass: Workflow {{ run_link }} timed out
  {%- when "action_required" -%}:raising_hand: Workflow {{ run_link }} needs approval
  {%- when "neutral" -%}:white_circle: Workflow {{ run_link }} finished (neutral)
  {%- when "stale" -%}:zzz: Workflow {{ run_link }} went stale
  {%- else -%}:checkered_flag: Workflow {{ run_link }} finished
  {%- endcase -%}
{%- elsif event.action == "requested" -%}
:hourglass_flowing_sand: Workflow {{ run_link }} was requested
{%- elsif event.action == "in_progress" -%}
:hourglass_flowing_sand: Workflow {{ run_link }} is running
{%- else -%}
:gear: Workflow {{ run_link }} {{ event.action | replace: "_", " " | default: "updated" }}
{%- endif %}{% if run.head_branch != blank %} on {{ run.head_branch | code }}{% endif %} in {{ repo }}
{%- if failure_author %} · {{ failure_author | mention }}{% endif %}
{%- if event.action == "completed" %}${failedJobs}{% endif %}
{%- assign title = run.display_title | default: run.head_commit.message | first_line | truncate: 120, "…" -%}
{%- assign trigger = run.triggering_actor.login | default: run.actor.login | default: event.sender.login -%}
{%- if title != "" or run.event %}
{{ title }}
  {%- if run.event %}{% if title != "" %} · {% endif %}{{ run.event | replace: "_", " " }}{% if trigger %} by {{ trigger }}{% endif %}{% endif -%}
{%- endif %}
`;
