/** `delete`: a deleted branch or tag. */
export const deleteRef = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign actor = event.sender.login | default: github.actor
  assign kind = event.ref_type | default: "ref"
-%}
:wastebasket: {{ actor }} deleted {{ kind }} {{ event.ref | code }} in {{ repo }}
`;
