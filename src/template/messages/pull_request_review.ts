/** `pull_request_review`: who approved, asked for changes on or commented on which pull request. */
export const pullRequestReview = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign actor = event.sender.login | default: event.review.user.login | default: github.actor
  assign pr = event.pull_request
  assign review = event.review
  assign title = pr.title | truncate: 200, "…" | prepend: " " | prepend: pr.number | prepend: "#"
  assign target = review.html_url | default: pr.html_url
  assign pr_link = title | link: target
  assign state = review.state | downcase
-%}
{%- if event.action == "submitted" -%}
  {%- case state -%}
  {%- when "approved" -%}
:heavy_check_mark: {{ actor }} approved pull request {{ pr_link }} in {{ repo }}
  {%- when "changes_requested" -%}
:construction: {{ actor }} requested changes on pull request {{ pr_link }} in {{ repo }}
  {%- else -%}
:speech_balloon: {{ actor }} reviewed pull request {{ pr_link }} in {{ repo }}
  {%- endcase -%}
{%- elsif event.action == "dismissed" -%}
:wastebasket: {{ actor }} dismissed {% if review.user.login %}the review by {{ review.user.login }}{% else %}a review{% endif %} on pull request {{ pr_link }} in {{ repo }}
{%- elsif event.action == "edited" -%}
:pencil2: {{ actor }} edited a review on pull request {{ pr_link }} in {{ repo }}
{%- else -%}
:speech_balloon: {{ actor }} {{ event.action | replace: "_", " " | default: "updated" }} a review on pull request {{ pr_link }} in {{ repo }}
{%- endif -%}
{%- if event.action != "dismissed" -%}
  {%- assign excerpt = review.body | truncate: 300, "…" -%}
  {%- if excerpt != "" %}

{{ excerpt }}
  {%- endif -%}
{%- endif %}
`;
