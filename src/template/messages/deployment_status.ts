/** `deployment_status`: a deployment to an environment changed state. */
export const deploymentStatus = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign status = event.deployment_status
  assign deployment = event.deployment
  assign actor = status.creator.login | default: event.sender.login | default: github.actor
  assign environment = status.environment | default: deployment.environment | default: "an environment"
  assign target = status.environment_url | default: deployment.environment_url | default: status.target_url | default: status.log_url
  assign environment_link = environment | code | link: target
  assign commit_url = links.repo | append: "/commit/" | append: deployment.sha
  assign version = deployment.ref | default: deployment.sha | short_sha
  assign version_link = version | code | link: commit_url
  assign state = status.state | downcase
-%}
{%- case state -%}
{%- when "success" -%}:rocket: Deployed {{ version_link }} to {{ environment_link }} in {{ repo }}
{%- when "failure" or "error" -%}:boom: Deployment of {{ version_link }} to {{ environment_link }} failed in {{ repo }}
{%- when "pending" or "queued" -%}:hourglass_flowing_sand: Deployment of {{ version_link }} to {{ environment_link }} is queued in {{ repo }}
{%- when "in_progress" -%}:hourglass_flowing_sand: Deploying {{ version_link }} to {{ environment_link }} in {{ repo }}
{%- when "inactive" -%}:zzz: Deployment of {{ version_link }} to {{ environment_link }} is no longer active in {{ repo }}
{%- else -%}:package: Deployment of {{ version_link }} to {{ environment_link }} is {{ state | default: "updated" }} in {{ repo }}
{%- endcase -%}
{%- assign description = status.description | first_line | truncate: 200, "…" %}
{% if description != "" %}{{ description }} · {% endif %}by {{ actor }}
{%- if status.log_url != blank and status.log_url != target %} · {{ "logs" | link: status.log_url }}{% endif %}
`;
