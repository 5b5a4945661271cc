/** `schedule`: a workflow that cron started. */
export const schedule = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign run_name = github.workflow | default: "Scheduled workflow"
  if github.run_number != ""
    assign run_name = run_name | append: " #" | append: github.run_number
  endif
-%}
:alarm_clock: Scheduled run {{ run_name | link: links.run }} in {{ repo }}{% if event.schedule != blank %} ({{ event.schedule | code }}){% endif %}
`;
