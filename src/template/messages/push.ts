/** `push`: who pushed how many commits to which branch or tag, the first five of them, and a compare link. */
export const push = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign pusher = event.pusher.name | default: event.sender.login | default: github.actor
  assign ref = event.ref | default: github.ref
  if ref contains "refs/tags/"
    assign kind = "tag"
  else
    assign kind = "branch"
  endif
  assign name = ref | remove_first: "refs/heads/" | remove_first: "refs/tags/" | code
  assign count = event.commits.size | default: 0
  if count == 1
    assign commits = "1 commit"
  else
    assign commits = count | append: " commits"
  endif
  if event.compare != blank
    assign commits = commits | link: event.compare
  endif
  if event.forced
    assign pushed = "force-pushed"
  else
    assign pushed = "pushed"
  endif
-%}
{%- if event.deleted -%}
:wastebasket: {{ pusher }} deleted {{ kind }} {{ name }} in {{ repo }}
{%- elsif count == 0 and event.created -%}
:sparkles: {{ pusher }} created {{ kind }} {{ name }} in {{ repo }}{% if event.head_commit.id %} at {{ event.head_commit.id | short_sha | code | link: event.head_commit.url }}{% endif %}
{%- elsif count == 0 -%}
:arrow_up: {{ pusher }} {{ pushed }} to {{ kind }} {{ name }} in {{ repo }}{% if event.compare != blank %} ({{ "compare" | link: event.compare }}){% endif %}
{%- else -%}
:arrow_up: {{ pusher }} {{ pushed }} {{ commits }} to {% if event.created %}new {% endif %}{{ kind }} {{ name }} in {{ repo }}
  {%- for commit in event.commits limit: 5 %}
- {{ commit.id | short_sha | code | link: commit.url }} {{ commit.message | first_line | truncate: 100, "…" }}
    {%- assign author = commit.author.username | default: commit.author.name -%}
    {%- if author != blank %} ({{ author }}){% endif -%}
  {%- endfor -%}
  {%- if count > 5 %}
- … and {{ count | minus: 5 }} more
  {%- endif -%}
{%- endif %}
`;
