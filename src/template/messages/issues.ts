/** `issues`: who opened, closed, labelled or assigned which issue. */
export const issues = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign actor = event.sender.login | default: github.actor
  assign issue = event.issue
  assign title = issue.title | truncate: 200, "…" | prepend: " " | prepend: issue.number | prepend: "#"
  assign issue_link = title | link: issue.html_url
-%}
{%- case event.action -%}
{%- when "opened" -%}
:memo: {{ actor }} opened issue {{ issue_link }} in {{ repo }}
{%- when "closed" -%}
:closed_book: {{ actor }} closed issue {{ issue_link }}
  {%- if issue.state_reason == "not_planned" %} as not planned{% elsif issue.state_reason == "completed" %} as completed{% endif %} in {{ repo }}
{%- when "reopened" -%}
:recycle: {{ actor }} reopened issue {{ issue_link }} in {{ repo }}
{%- when "edited" -%}
:pencil2: {{ actor }} edited issue {{ issue_link }} in {{ repo }}
  {%- if event.changes.title.from %}
Title was: {{ event.changes.title.from }}
  {%- endif -%}
{%- when "labeled" -%}
:label: {{ actor }} added label {{ event.label.name | code }} to issue {{ issue_link }} in {{ repo }}
{%- when "unlabeled" -%}
:label: {{ actor }} removed label {{ event.label.name | code }} from issue {{ issue_link }} in {{ repo }}
{%- when "assigned" -%}
:bust_in_silhouette: {{ actor }} assigned {{ event.assignee | mention }} to issue {{ issue_link }} in {{ repo }}
{%- when "unassigned" -%}
:bust_in_silhouette: {{ actor }} unassigned {{ event.assignee | mention }} from issue {{ issue_link }} in {{ repo }}
{%- when "milestoned" -%}
:triangular_flag_on_post: {{ actor }} added issue {{ issue_link }} to milestone {{ event.milestone.title | default: issue.milestone.title }} in {{ repo }}
{%- when "demilestoned" -%}
:triangular_flag_on_post: {{ actor }} removed issue {{ issue_link }} from milestone {{ event.milestone.title }} in {{ repo }}
{%- when "pinned" -%}
:pushpin: {{ actor }} pinned issue {{ issue_link }} in {{ repo }}
{%- when "unpinned" -%}
:pushpin: {{ actor }} unpinned issue {{ issue_link }} in {{ repo }}
{%- when "locked" -%}
:lock: {{ actor }} locked issue {{ issue_link }} in {{ repo }}
{%- when "unlocked" -%}
:unlock: {{ actor }} unlocked issue {{ issue_link }} in {{ repo }}
{%- when "transferred" -%}
:truck: {{ actor }} transferred issue {{ issue_link }} from {{ repo }}
  {%- if event.changes.new_repository.full_name %} to {{ event.changes.new_repository.full_name | link: event.changes.new_repository.html_url }}{% endif -%}
{%- when "deleted" -%}
:wastebasket: {{ actor }} deleted issue {{ issue_link }} in {{ repo }}
{%- else -%}
:memo: {{ actor }} {{ event.action | replace: "_", " " | default: "updated" }} issue {{ issue_link }} in {{ repo }}
{%- endcase -%}
{%- if event.action == "opened" -%}
  {%- assign labels = issue.labels | map: "name" | join: ", " -%}
  {%- if labels != "" %}
Labels: {{ labels }}
  {%- endif -%}
  {%- assign excerpt = issue.body | truncate: 300, "…" -%}
  {%- if excerpt != "" %}

{{ excerpt }}
  {%- endif -%}
{%- endif %}
`;
