/**
 * Keeps other code's statements out of an open transaction.
 *
 * The process has one SQLite connection, and Prisma's adapter runs a statement made outside any
 * transaction on it at once, even while an interactive transaction (`$transaction(async tx =>
 * ...)`, or the batch form) has BEGUN on it and waits between its statements. Such a statement then
 * belongs to that transaction: when the transaction rolls back (a crash point, a full disk, a
 * constraint), a task another request created meanwhile, already answered 201, is gone with it
 * (tests/integration/db/transactions.test.ts shows it). So while a transaction is starting or open,
 * statements from outside wait until it has committed or rolled back. Prisma already runs the
 * transactions themselves one at a time.
 *
 * Code inside a transaction must therefore use its `tx` for every query: a query through `db()`
 * there would wait for the transaction that waits for it (until the transaction's timeout).
 */

interface Queryable {
  performIO(query: unknown): Promise<unknown>;
  executeIO(query: unknown): Promise<unknown>;
}

interface Transaction {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

interface Adapter extends Queryable {
  startTransaction(...args: unknown[]): Promise<Transaction>;
}

/**
 * Makes statements outside transactions wait while one is open on the adapter's connection.
 * Returns false (and changes nothing) when the adapter lacks the methods this relies on.
 */
export function gateOutsideTransactions(adapter: object): boolean {
  const candidate = adapter as Partial<Adapter>;
  if (typeof candidate.performIO !== "function" || typeof candidate.executeIO !== "function" || typeof candidate.startTransaction !== "function") return false;
  const full = candidate as Adapter;
  let open = 0;
  let closed: Promise<void> = Promise.resolve();
  let signalClosed: () => void = () => undefined;

  const enter = () => {
    if (open === 0) closed = new Promise<void>((resolve) => (signalClosed = resolve));
    open += 1;
  };
  const leave = () => {
    open -= 1;
    if (open === 0) signalClosed();
  };

  const start = full.startTransaction.bind(full);
  full.startTransaction = async (...args: unknown[]) => {
    // Counted from before BEGIN (the adapter may wait for the previous transaction first), so no
    // outside statement slips in between BEGIN and the first statement of the transaction.
    enter();
    let transaction: Transaction;
    try {
      transaction = await start(...args);
    } catch (error) {
      leave();
      throw error;
    }
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      leave();
    };
    const commit = transaction.commit.bind(transaction);
    const rollback = transaction.rollback.bind(transaction);
    transaction.commit = async () => {
      try {
        await commit();
      } finally {
        end();
      }
    };
    transaction.rollback = async () => {
      try {
        await rollback();
      } finally {
        end();
      }
    };
    return transaction;
  };

  for (const name of ["performIO", "executeIO"] as const) {
    const io = full[name].bind(full);
    full[name] = async (query: unknown) => {
      while (open > 0) await closed;
      return io(query);
    };
  }
  return true;
}
