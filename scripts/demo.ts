/**
 * `npm run demo`: see the action work in a minute, with no Mattermost anywhere. It starts the
 * local Mattermost test server, runs the bundled action (dist/index.js) for a sample
 * pull_request event over an incoming webhook and as a bot sending a direct message, prints
 * what the server stored, and stops the server.
 *
 * With MATTERMOST_WEBHOOK_URL set it posts the same sample to that real webhook instead.
 */
import { runDist, systemNode } from '../test/support/action.js';
import { exampleOf } from '../test/support/examples.js';
import { MattermostTestServer } from '../test/support/mattermost-server.js';

const sample = { event: exampleOf('pull_request', 'opened'), eventName: 'pull_request' };

async function demoRealWebhook(webhookUrl: string): Promise<void> {
  const run = await runDist({
    ...sample,
    node: systemNode,
    inputs: { 'webhook-url': webhookUrl, status: 'success' },
  });
  console.log(
    run.exitCode === 0 ? 'Posted the sample to your webhook.' : `The action failed:\n${run.log}`,
  );
  process.exitCode = run.exitCode;
}

async function demoLocal(): Promise<void> {
  const server = await MattermostTestServer.start();
  try {
    server.addTeam({ name: 'dev' });
    const creator = server.addUser({ username: 'hook-owner', teams: ['dev'] });
    const town = server.addChannel({ team: 'dev', name: 'town-square', members: [creator.id] });
    const hook = server.addIncomingWebhook({ channel: town.id, creator: creator.id });
    const bot = server.addBot({ username: 'notify-bot', teams: ['dev'] });
    server.addUser({ username: 'jo', email: 'jo@example.com', teams: ['dev'] });
    console.log(`Local Mattermost test server at ${server.url}\n`);

    const viaWebhook = await runDist({
      ...sample,
      node: systemNode,
      inputs: { 'webhook-url': hook.url, status: 'success' },
    });
    show(
      "1. Webhook mode: the built-in pull_request message, to the webhook's channel",
      viaWebhook,
    );

    const viaApi = await runDist({
      ...sample,
      node: systemNode,
      inputs: {
        'server-url': server.url,
        token: bot.token,
        'user-email': 'jo@example.com',
        message:
          'Your pull request {{ event.pull_request.title | link: event.pull_request.html_url }} is waiting for review.',
      },
    });
    show('2. API mode: a direct message from the bot to jo, found by email', viaApi);

    console.log('What the server stored:\n');
    for (const post of server.posts()) {
      const where = post.via === 'webhook' ? 'webhook → town-square' : 'bot → DM with jo';
      console.log(`--- post ${post.id} (${where})\n${post.message}`);
      if (Array.isArray(post.props.attachments))
        console.log(`[attachment] ${JSON.stringify(post.props.attachments)}`);
      console.log('');
    }
    console.log('Requests the action made:');
    for (const request of server.requests)
      console.log(`  ${request.method} ${request.path.replace(/\/hooks\/\w+/, '/hooks/***')}`);
    process.exitCode = viaWebhook.exitCode || viaApi.exitCode;
  } finally {
    await server.stop();
  }
}

function show(title: string, run: Awaited<ReturnType<typeof runDist>>): void {
  console.log(`${title}: exit ${run.exitCode}`);
  for (const error of run.errors) console.log(`  error: ${error}`);
  if (run.outputs.posts) console.log(`  posts output: ${run.outputs.posts}`);
  console.log('');
}

const webhookUrl = process.env.MATTERMOST_WEBHOOK_URL;
await (webhookUrl ? demoRealWebhook(webhookUrl) : demoLocal());
