/** The root of a deployment's thread: environment, version and the latest state. */
export const deploymentRoot = `
{%- liquid
  assign repo = github.repository | link: links.repo
  assign status = event.deployment_status
  assign deployment = event.deployment
  assign environment = status.environment | default: deployment.environment | default: "an environment"
  assign target = status.environment_url | default: deployment.environment_url | default: status.target_url
  assign environment_link = environment | code | link: target
  assign version = deployment.ref | default: deployment.sha | short_sha
  assign state = status.state | default: "created" | downcase
  case state
  when "success"
    assign look = ":white_check_mark: **Deployed**"
  when "failure", "error"
    assign look = ":x: **Failed**"
  when "inactive"
    assign look = ":zzz: **Inactive**"
  when "in_progress", "queued", "pending"
    assign look = ":hourglass_flowing_sand: **Deploying**"
  else
    assign look = ":package: **Created**"
  endcase
-%}
{{ look | raw }} · {{ version | code }} to {{ environment_link }} in {{ repo }}
by {{ deployment.creator.login | default: event.sender.login | default: github.actor }}
`;
