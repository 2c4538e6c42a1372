const tails = new Map<string, Promise<void>>();

/**
 * Runs fn after every earlier fn for the same repository finished: worktree and merge
 * operations on one repository take turns, as `git worktree add` races otherwise.
 */
export async function withRepoLock<T>(repoPath: string, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(repoPath) ?? Promise.resolve();
  let release = (): void => undefined;
  const current = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => current);
  tails.set(repoPath, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (tails.get(repoPath) === tail) tails.delete(repoPath);
  }
}
