/** The root of a release's thread: its name, tag, kind and state. */
export const releaseRoot = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign release = event.release
  assign name = release.name | strip | default: release.tag_name | truncate: 200, "…"
  assign release_link = name | link: release.html_url
  if event.action == "deleted"
    assign state = ":wastebasket: **Deleted**"
  elsif release.draft
    assign state = ":construction: **Draft**"
  elsif release.prerelease
    assign state = ":package: **Pre-release**"
  else
    assign state = ":rocket: **Published**"
  endif
-%}
{{ state | raw }} · release {{ release_link }} in {{ repo }}
{{ release.tag_name | code }} by {{ release.author.login | default: event.sender.login }}
`;
