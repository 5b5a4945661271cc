/** `release`: who published which release, with the start of its notes. */
export const release = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign actor = event.sender.login | default: github.actor
  assign release = event.release
  assign name = release.name | strip | default: release.tag_name | truncate: 200, "…"
  assign release_link = name | link: release.html_url
  if release.prerelease
    assign kind = "pre-release"
  elsif release.draft
    assign kind = "draft release"
  else
    assign kind = "release"
  endif
-%}
{%- case event.action -%}
{%- when "published" or "released" or "prereleased" -%}
:rocket: {{ actor }} published {{ kind }} {{ release_link }} in {{ repo }}
{%- when "created" -%}
:package: {{ actor }} created {{ kind }} {{ release_link }} in {{ repo }}
{%- when "edited" -%}
:pencil2: {{ actor }} edited {{ kind }} {{ release_link }} in {{ repo }}
{%- when "deleted" -%}
:wastebasket: {{ actor }} deleted {{ kind }} {{ name }} in {{ repo }}
{%- when "unpublished" -%}
:no_entry: {{ actor }} unpublished {{ kind }} {{ release_link }} in {{ repo }}
{%- else -%}
:package: {{ actor }} {{ event.action | replace: "_", " " | default: "updated" }} {{ kind }} {{ release_link }} in {{ repo }}
{%- endcase -%}
{%- if release.name != blank and release.name != release.tag_name %} ({{ release.tag_name | code }}){% endif -%}
{%- if event.action == "published" or event.action == "released" or event.action == "prereleased" or event.action == "created" -%}
  {%- assign excerpt = release.body | markdown | truncate: 500, "…" -%}
  {%- if excerpt != "" %}

{{ excerpt }}
  {%- endif -%}
{%- endif %}
`;
