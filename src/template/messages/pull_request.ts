/** `pull_request`: who did what to which pull request; branches, size and reviewers when it opens. */
export const pullRequest = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign actor = event.sender.login | default: github.actor
  assign pr = event.pull_request
  assign title = pr.title | truncate: 200, "…" | prepend: " " | prepend: pr.number | prepend: "#"
  assign pr_link = title | link: pr.html_url
  assign reviewer = event.requested_reviewer | mention
  if event.requested_team.name
    assign reviewer = event.requested_team.name
  endif
-%}
{%- case event.action -%}
{%- when "opened" -%}
:twisted_rightwards_arrows: {{ actor }} opened {% if pr.draft %}draft {% endif %}pull request {{ pr_link }} in {{ repo }}
{%- when "closed" -%}
  {%- if pr.merged -%}
:tada: {{ actor }} merged pull request {{ pr_link }} into {{ pr.base.ref | code }} in {{ repo }}
  {%- else -%}
:closed_book: {{ actor }} closed pull request {{ pr_link }} without merging in {{ repo }}
  {%- endif -%}
{%- when "reopened" -%}
:recycle: {{ actor }} reopened pull request {{ pr_link }} in {{ repo }}
{%- when "ready_for_review" -%}
:eyes: {{ actor }} marked pull request {{ pr_link }} as ready for review in {{ repo }}
{%- when "converted_to_draft" -%}
:construction: {{ actor }} converted pull request {{ pr_link }} to a draft in {{ repo }}
{%- when "review_requested" -%}
:eyes: {{ actor }} requested a review from {{ reviewer }} on pull request {{ pr_link }} in {{ repo }}
{%- when "review_request_removed" -%}
:heavy_minus_sign: {{ actor }} removed the review request for {{ reviewer }} on pull request {{ pr_link }} in {{ repo }}
{%- when "synchronize" -%}
:arrow_up: {{ actor }} pushed to pull request {{ pr_link }} in {{ repo }}
  {%- if event.after %} (head {{ event.after | short_sha | code }}){% endif -%}
{%- when "edited" -%}
:pencil2: {{ actor }} edited pull request {{ pr_link }} in {{ repo }}
  {%- if event.changes.title.from %}
Title was: {{ event.changes.title.from }}
  {%- endif -%}
{%- when "labeled" -%}
:label: {{ actor }} added label {{ event.label.name | code }} to pull request {{ pr_link }} in {{ repo }}
{%- when "unlabeled" -%}
:label: {{ actor }} removed label {{ event.label.name | code }} from pull request {{ pr_link }} in {{ repo }}
{%- when "assigned" -%}
:bust_in_silhouette: {{ actor }} assigned {{ event.assignee | mention }} to pull request {{ pr_link }} in {{ repo }}
{%- when "unassigned" -%}
:bust_in_silhouette: {{ actor }} unassigned {{ event.assignee | mention }} from pull request {{ pr_link }} in {{ repo }}
{%- when "locked" -%}
:lock: {{ actor }} locked pull request {{ pr_link }} in {{ repo }}
{%- when "unlocked" -%}
:unlock: {{ actor }} unlocked pull request {{ pr_link }} in {{ repo }}
{%- else -%}
:twisted_rightwards_arrows: {{ actor }} {{ event.action | replace: "_", " " | default: "updated" }} pull request {{ pr_link }} in {{ repo }}
{%- endcase -%}
{%- if event.action == "opened" or event.action == "ready_for_review" or event.action == "reopened" %}
{{ pr.head.ref | code }} → {{ pr.base.ref | code }}
  {%- if pr.commits %} · {{ pr.commits }} commit{% if pr.commits != 1 %}s{% endif %}{% endif -%}
  {%- if pr.changed_files %}, {{ pr.changed_files }} file{% if pr.changed_files != 1 %}s{% endif %}{% endif -%}
  {%- if pr.additions or pr.deletions %} (+{{ pr.additions | default: 0 }} −{{ pr.deletions | default: 0 }}){% endif -%}
  {%- assign reviewers = pr.requested_reviewers | mention | join: ", " -%}
  {%- if reviewers != "" %}
Reviewers: {{ reviewers }}
  {%- endif -%}
{%- endif -%}
{%- if event.action == "opened" -%}
  {%- assign excerpt = pr.body | truncate: 300, "…" -%}
  {%- if excerpt != "" %}

{{ excerpt }}
  {%- endif -%}
{%- endif %}
`;
