/** `issue_comment`: a comment on an issue or on a pull request (GitHub sends both as this event). */
export const issueComment = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign actor = event.sender.login | default: event.comment.user.login | default: github.actor
  assign issue = event.issue
  assign comment = event.comment
  if issue.pull_request
    assign kind = "pull request"
  else
    assign kind = "issue"
  endif
  assign title = issue.title | truncate: 200, "…" | prepend: " " | prepend: issue.number | prepend: "#"
  assign target = comment.html_url | default: issue.html_url
  assign issue_link = title | link: target
-%}
{%- case event.action -%}
{%- when "created" -%}
:speech_balloon: {{ actor }} commented on {{ kind }} {{ issue_link }} in {{ repo }}
{%- when "edited" -%}
:pencil2: {{ actor }} edited a comment on {{ kind }} {{ issue_link }} in {{ repo }}
{%- when "deleted" -%}
:wastebasket: {{ actor }} deleted a comment on {{ kind }} {{ issue_link }} in {{ repo }}
{%- else -%}
:speech_balloon: {{ actor }} {{ event.action | replace: "_", " " | default: "updated" }} a comment on {{ kind }} {{ issue_link }} in {{ repo }}
{%- endcase -%}
{%- if event.action != "deleted" -%}
  {%- assign excerpt = comment.body | truncate: 300, "…" -%}
  {%- if excerpt != "" %}

{{ excerpt }}
  {%- endif -%}
{%- endif %}
`;
