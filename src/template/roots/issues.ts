/** The root of an issue's thread: state, title, author, labels. */
export const issuesRoot = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign issue = event.issue
  assign title = issue.title | truncate: 200, "…" | prepend: " " | prepend: issue.number | prepend: "#"
  assign issue_link = title | link: issue.html_url
  if issue.state == "closed" and issue.state_reason == "not_planned"
    assign state = ":no_entry_sign: **Closed as not planned**"
  elsif issue.state == "closed"
    assign state = ":white_check_mark: **Closed**"
  else
    assign state = ":large_green_circle: **Open**"
  endif
  assign labels = issue.labels | map: "name" | join: ", "
-%}
{{ state | raw }} · issue {{ issue_link }} in {{ repo }}
by {{ issue.user.login | default: event.sender.login }}
{%- if labels != "" %} · labels: {{ labels }}{% endif -%}
{%- assign assignees = issue.assignees | map: "login" | join: ", " -%}
{%- if assignees != "" %} · assigned to {{ assignees }}{% endif %}
`;
