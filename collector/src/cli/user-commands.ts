/** `cairn user add|list|password`: dashboard users, through the running collector or the store directly. */
import type { AuditLog } from '../accounts/audit.ts';
import { addUser, publicUser, setPassword, type NewUserInput, type UserView } from '../accounts/users.ts';
import type { Store } from '../store/store.ts';
import { adminFailure, adminRequest } from './admin-client.ts';

type WithStore = <T>(job: (store: Store, audit: AuditLog) => Promise<T>) => Promise<T>;

export async function userAdd(socket: string, withStore: WithStore, input: NewUserInput): Promise<void> {
  const remote = await adminRequest(socket, 'POST', '/users', input);
  let user: UserView;
  if (remote) {
    if (remote.status !== 201) throw adminFailure(remote);
    user = (remote.body as { user: UserView }).user;
  } else {
    user = await withStore(async (store, audit) => {
      const added = await addUser(store, input, Date.now());
      await audit.record({ actor: 'cli', action: 'user.create', target: added.id, details: { role: added.role } });
      return publicUser(added);
    });
  }
  console.log(
    `User ${user.id} added: ${user.email} (${user.role}).${user.hasPassword ? '' : ' No password yet: set one with cairn user password, or send an invitation from the dashboard.'}`,
  );
}

/** `cairn user password <email> --password-stdin`: sets a password and ends the user's sessions. */
export async function userPassword(socket: string, withStore: WithStore, email: string, password: string): Promise<void> {
  const remote = await adminRequest(socket, 'POST', '/users/password', { email, password });
  let sessionsEnded: number;
  if (remote) {
    if (remote.status !== 200) throw adminFailure(remote);
    sessionsEnded = (remote.body as { sessionsEnded: number }).sessionsEnded;
  } else {
    sessionsEnded = await withStore(async (store, audit) => {
      const done = await setPassword(store, email, password, Date.now());
      await audit.record({ actor: 'cli', action: 'password.set', target: done.user.id, details: { sessionsEnded: done.sessionsEnded } });
      return done.sessionsEnded;
    });
  }
  console.log(`Password set for ${email.trim().toLowerCase()}; ${sessionsEnded} session${sessionsEnded === 1 ? '' : 's'} ended.`);
}

export async function userList(socket: string, withStore: WithStore): Promise<void> {
  const remote = await adminRequest(socket, 'GET', '/users');
  if (remote && remote.status !== 200) throw adminFailure(remote);
  const users = remote ? (remote.body as { users: UserView[] }).users : await withStore(async (store) => (await store.users.list()).map(publicUser));
  if (users.length === 0) return console.log('No users yet. Add the owner: cairn user add you@example.com --owner --password-stdin');
  const rows = users.map((u) => [u.id, u.email, u.role, u.name, u.hasPassword ? 'yes' : 'no']);
  const head = ['ID', 'EMAIL', 'ROLE', 'NAME', 'PASSWORD'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** The password a script pipes in (`--password-stdin`), without its final line break. */
export async function passwordFromStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin.setEncoding('utf8')) text += chunk as string;
  return text.replace(/\r?\n$/, '');
}
