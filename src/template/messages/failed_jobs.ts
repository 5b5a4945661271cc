/**
 * The lines under a failure's headline: each failed job, linked to its log, the step that failed,
 * linked to that step, and the job's first error annotations. Each line starts with its newline;
 * one more ends the list, so that a line after it starts a paragraph of its own.
 */
export const failedJobs = `
{%- if failed_jobs.size > 0 -%}
  {%- for failed in failed_jobs limit: 5 %}
- {{ failed.name | link: failed.url }}
    {%- if failed.step != "" %} failed at {{ failed.step | link: failed.step_url }}
    {%- elsif failed.conclusion == "timed_out" %} timed out
    {%- else %} failed{% endif %}
    {%- for note in failed.annotations %}
  - {% if note.path != "" %}{{ note.path | append: ":" | append: note.line | code }} {% endif %}{{ note.message | first_line | truncate: 160, "…" }}
    {%- endfor %}
    {%- if failed.more_annotations > 0 %}
  - … and {{ failed.more_annotations }} more
    {%- endif %}
  {%- endfor %}
  {%- if failed_jobs.size > 5 %}
- … and {{ failed_jobs.size | minus: 5 }} more failed jobs
  {%- endif %}
{% endif -%}
`;
