/**
 * Any other event: what happened, by whom, where, and a link to the first thing in the event
 * that has a page on GitHub.
 */
export const generic = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign actor = event.sender.login | default: github.actor
  assign what = github.event_name | default: "event" | replace: "_", " " | capitalize
  assign context_keys = "repository,sender,organization,installation,enterprise" | split: ","
  for pair in event
    unless context_keys contains pair[0]
      if pair[1].html_url
        assign thing = pair[1]
        assign thing_key = pair[0]
        break
      endif
    endunless
  endfor
-%}
:bell: **{{ what }}**{% if event.action %} {{ event.action | replace: "_", " " }}{% endif %}{% if actor != blank %} by {{ actor }}{% endif %}{% if github.repository != "" %} in {{ repo }}{% endif %}
{%- if thing %}
  {%- assign label = thing.title | default: thing.name | default: thing.login -%}
  {%- if label == blank %}{% assign label = thing_key | replace: "_", " " %}{% endif -%}
  {%- if thing.number %}{% assign label = "#" | append: thing.number | append: " " | append: label %}{% endif %}
{{ label | truncate: 150, "…" | link: thing.html_url }}
{%- else %}
{{ "View the run" | link: links.run }}
{%- endif %}
`;
