/** `create`: a new branch or tag. */
export const create = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign actor = event.sender.login | default: github.actor
  assign kind = event.ref_type | default: "ref"
  assign ref_path = event.ref | replace: "%", "%25" | replace: "#", "%23" | replace: "?", "%3F"
  assign tree = links.repo | append: "/tree/" | append: ref_path
-%}
:seedling: {{ actor }} created {{ kind }} {{ event.ref | code | link: tree }} in {{ repo }}
`;
