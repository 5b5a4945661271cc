/** API mode: every destination looked up to a channel or a person, with as few requests as it can. */
import type { Destination, MattermostUserRef } from '../config.js';
import type { MattermostApi, MattermostUser } from '../mattermost/api.js';
import { type Outcome, settle, settleEach } from './concurrent.js';
import type { ResolveLogins } from './result.js';

/** Where a destination leads once looked up: a channel, a person to open a DM with, or why neither. */
export type Target =
  | { entry: string; channelId: string }
  | { entry: string; user: MattermostUser }
  | { entry: string; error: string };

export interface TargetLookup {
  api: MattermostApi;
  destinations: Destination[];
  resolveLogins: ResolveLogins;
}

/** One person or channel reached by two entries gets one message, named by the first entry. */
export function uniqueTargets(targets: Target[]): Target[] {
  const seen = new Set<string>();
  return targets.filter((target) => {
    const key =
      'channelId' in target
        ? `channel:${target.channelId}`
        : 'user' in target
          ? `user:${target.user.id}`
          : '';
    if (!key) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A person-destination's Mattermost user, or why it has none. */
type UserRefOutcome = { value: MattermostUserRef } | { error: string };

/**
 * Looks every destination up with as few requests as it can (all usernames in one request),
 * in parallel where it can. Never throws: a failed look-up is that destination's error.
 */
export async function resolveTargets(delivery: TargetLookup): Promise<Target[]> {
  const { api, destinations } = delivery;
  const channelNames = destinations.filter((d) => d.kind === 'channel-name');
  // Team and channel names are always lowercase; the server refuses any other (400).
  const channelsLookup = settleEach(channelNames, (d) =>
    api.getChannelByName((d.team ?? '').toLowerCase(), d.name.toLowerCase()),
  );
  const userRefs = await userRefsOf(delivery);
  const refs = [...userRefs.values()].flatMap((outcome) =>
    'value' in outcome ? [outcome.value] : [],
  );
  const usernames = [
    ...new Set(refs.flatMap((ref) => (ref.kind === 'username' ? [ref.username] : []))),
  ];
  const emails = [...new Set(refs.flatMap((ref) => (ref.kind === 'email' ? [ref.email] : [])))];
  const [usersByName, usersByEmail, channels] = await Promise.all([
    usernames.length > 0 ? settle(api.getUsersByUsernames(usernames)) : { value: [] },
    settleEach(emails, (email) => api.getUserByEmail(email)),
    channelsLookup,
  ]);

  return destinations.flatMap((destination): Target[] => {
    const { entry } = destination;
    if (destination.kind === 'channel-id') return [{ entry, channelId: destination.channelId }];
    if (destination.kind === 'channel-name') {
      const channel = channels.get(destination) ?? { error: `${entry} was not looked up.` };
      return [
        'error' in channel
          ? { entry, error: channel.error }
          : { entry, channelId: channel.value.id },
      ];
    }
    const ref = userRefs.get(destination);
    if (!ref) return []; // a bot login, skipped with a notice
    if ('error' in ref) return [{ entry, error: ref.error }];
    const user = findUser(ref.value, usersByName, usersByEmail);
    return ['error' in user ? { entry, error: user.error } : { entry, user: user.value }];
  });
}

/** The Mattermost user each person-destination names; skipped bot logins are left out. */
async function userRefsOf(delivery: TargetLookup): Promise<Map<Destination, UserRefOutcome>> {
  const refs = new Map<Destination, UserRefOutcome>();
  const githubDestinations = delivery.destinations.filter((d) => d.kind === 'github-user');
  const resolutions =
    githubDestinations.length > 0
      ? await delivery.resolveLogins(githubDestinations.map((d) => d.login))
      : [];
  const byLogin = new Map(resolutions.map((r) => [r.login.toLowerCase(), r]));
  for (const destination of delivery.destinations) {
    if (destination.kind === 'username') {
      refs.set(destination, { value: { kind: 'username', username: destination.username } });
    } else if (destination.kind === 'email') {
      refs.set(destination, { value: { kind: 'email', email: destination.email } });
    } else if (destination.kind === 'github-user') {
      const resolution = byLogin.get(destination.login.toLowerCase());
      if (!resolution || resolution.outcome === 'bot') continue;
      refs.set(
        destination,
        resolution.outcome === 'found'
          ? { value: normaliseRef(resolution.user) }
          : { error: resolution.reason },
      );
    }
  }
  return refs;
}

function normaliseRef(ref: MattermostUserRef): MattermostUserRef {
  return ref.kind === 'username'
    ? { kind: 'username', username: ref.username.replace(/^@/, '').toLowerCase() }
    : { kind: 'email', email: ref.email.toLowerCase() };
}

function findUser(
  ref: MattermostUserRef,
  usersByName: Outcome<MattermostUser[]>,
  usersByEmail: Map<string, Outcome<MattermostUser>>,
): Outcome<MattermostUser> {
  if (ref.kind === 'email') {
    return usersByEmail.get(ref.email) ?? { error: `No Mattermost user with email ${ref.email}.` };
  }
  if ('error' in usersByName) return usersByName;
  const user = usersByName.value.find((u) => u.username.toLowerCase() === ref.username);
  return user
    ? { value: user }
    : {
        error: `No Mattermost user @${ref.username}: check the username (the name after @ in Mattermost, not the display name).`,
      };
}
