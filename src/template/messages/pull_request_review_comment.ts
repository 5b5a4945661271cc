/** `pull_request_review_comment`: a comment on a pull request's diff, with the file it is on. */
export const pullRequestReviewComment = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign actor = event.sender.login | default: event.comment.user.login | default: github.actor
  assign pr = event.pull_request
  assign comment = event.comment
  assign title = pr.title | truncate: 200, "…" | prepend: " " | prepend: pr.number | prepend: "#"
  assign target = comment.html_url | default: pr.html_url
  assign pr_link = title | link: target
-%}
{%- case event.action -%}
{%- when "created" -%}
:speech_balloon: {{ actor }} commented on pull request {{ pr_link }} in {{ repo }}
{%- when "edited" -%}
:pencil2: {{ actor }} edited a comment on pull request {{ pr_link }} in {{ repo }}
{%- when "deleted" -%}
:wastebasket: {{ actor }} deleted a comment on pull request {{ pr_link }} in {{ repo }}
{%- else -%}
:speech_balloon: {{ actor }} {{ event.action | replace: "_", " " | default: "updated" }} a comment on pull request {{ pr_link }} in {{ repo }}
{%- endcase -%}
{%- if comment.path %}
On {{ comment.path | code }}
{%- endif -%}
{%- if event.action != "deleted" -%}
  {%- assign excerpt = comment.body | truncate: 300, "…" -%}
  {%- if excerpt != "" %}

{{ excerpt }}
  {%- endif -%}
{%- endif %}
`;
