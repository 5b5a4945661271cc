/**
 * The root of a pull request's thread: its state with an emoji, title, author and branches. Also
 * for review, review comment and pull-request comment events (an `issue_comment` carries the pull
 * request as `event.issue`, without branches).
 */
export const pullRequestRoot = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign pr = event.pull_request | default: event.issue
  assign title = pr.title | truncate: 200, "…" | prepend: " " | prepend: pr.number | prepend: "#"
  assign pr_link = title | link: pr.html_url
  assign review = event.review.state | downcase
  if pr.merged or pr.merged_at or pr.pull_request.merged_at
    assign state = ":large_purple_circle: **Merged**"
  elsif pr.state == "closed"
    assign state = ":red_circle: **Closed**"
  elsif review == "approved"
    assign state = ":white_check_mark: **Approved**"
  elsif review == "changes_requested"
    assign state = ":warning: **Changes requested**"
  elsif pr.draft
    assign state = ":construction: **Draft**"
  else
    assign state = ":large_green_circle: **Open**"
  endif
-%}
{{ state | raw }} · pull request {{ pr_link }} in {{ repo }}
by {{ pr.user.login | default: event.sender.login }}
{%- if pr.head.ref %} · {{ pr.head.ref | code }} → {{ pr.base.ref | code }}{% endif -%}
{%- if pr.commits %} · {{ pr.commits }} commit{% if pr.commits != 1 %}s{% endif %}{% endif -%}
{%- if pr.additions or pr.deletions %} (+{{ pr.additions | default: 0 }} −{{ pr.deletions | default: 0 }}){% endif %}
`;
