/** `discussion`: who started, answered or changed which discussion. */
export const discussion = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign actor = event.sender.login | default: github.actor
  assign discussion = event.discussion
  assign title = discussion.title | truncate: 200, "…" | prepend: " " | prepend: discussion.number | prepend: "#"
  assign discussion_link = title | link: discussion.html_url
-%}
{%- case event.action -%}
{%- when "created" -%}
:speech_balloon: {{ actor }} started discussion {{ discussion_link }} in {{ repo }}
  {%- if discussion.category.name %} ({{ discussion.category.name }}){% endif -%}
{%- when "answered" -%}
:bulb: {{ actor }} marked {{ "an answer" | link: event.answer.html_url }} to discussion {{ discussion_link }} in {{ repo }}
{%- when "unanswered" -%}
:bulb: {{ actor }} unmarked the answer to discussion {{ discussion_link }} in {{ repo }}
{%- when "edited" -%}
:pencil2: {{ actor }} edited discussion {{ discussion_link }} in {{ repo }}
{%- when "deleted" -%}
:wastebasket: {{ actor }} deleted discussion {{ discussion_link }} in {{ repo }}
{%- when "labeled" -%}
:label: {{ actor }} added label {{ event.label.name | code }} to discussion {{ discussion_link }} in {{ repo }}
{%- when "unlabeled" -%}
:label: {{ actor }} removed label {{ event.label.name | code }} from discussion {{ discussion_link }} in {{ repo }}
{%- when "category_changed" -%}
:file_folder: {{ actor }} moved discussion {{ discussion_link }} to {{ discussion.category.name | default: "another category" }} in {{ repo }}
{%- when "pinned" -%}
:pushpin: {{ actor }} pinned discussion {{ discussion_link }} in {{ repo }}
{%- when "unpinned" -%}
:pushpin: {{ actor }} unpinned discussion {{ discussion_link }} in {{ repo }}
{%- when "locked" -%}
:lock: {{ actor }} locked discussion {{ discussion_link }} in {{ repo }}
{%- when "unlocked" -%}
:unlock: {{ actor }} unlocked discussion {{ discussion_link }} in {{ repo }}
{%- when "transferred" -%}
:truck: {{ actor }} transferred discussion {{ discussion_link }} from {{ repo }}
  {%- if event.changes.new_repository.full_name %} to {{ event.changes.new_repository.full_name | link: event.changes.new_repository.html_url }}{% endif -%}
{%- else -%}
:speech_balloon: {{ actor }} {{ event.action | replace: "_", " " | default: "updated" }} discussion {{ discussion_link }} in {{ repo }}
{%- endcase -%}
{%- if event.action == "created" -%}
  {%- assign excerpt = discussion.body | truncate: 300, "…" -%}
  {%- if excerpt != "" %}

{{ excerpt }}
  {%- endif -%}
{%- endif %}
`;
